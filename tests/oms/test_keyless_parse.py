"""What sigstore refuses to parse is an input error (exit 2), never a verdict or a crash."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from support.vectors import SIGSTORE_IDENTITY, SIGSTORE_ISSUER

from aibom.errors import InputError
from aibom.oms.bundle import read_bundle
from aibom.oms.keyless import load_trust_config, verify_keyless


@pytest.mark.parametrize(
    "text", ['{"mediaType": "not a trust config"}', "[]", '{"trustedRoot": 7}', "not json"]
)
def test_a_trust_config_sigstore_refuses_is_an_input_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "trust.json"
    path.write_text(text)
    with pytest.raises(InputError, match="is not a Sigstore ClientTrustConfig"):
        load_trust_config(path)


def test_a_bundle_sigstore_cannot_parse_is_an_input_error(mt_vectors: Path) -> None:
    parsed = read_bundle(mt_vectors / "v1.0.0-sigstore" / "model.sig")
    document = json.loads(parsed.raw)
    document["verificationMaterial"]["tlogEntries"] = [{"logIndex": "not a number"}]
    broken = dataclasses.replace(parsed, raw=json.dumps(document).encode())
    with pytest.raises(InputError, match="not a valid Sigstore bundle"):
        verify_keyless(broken, SIGSTORE_IDENTITY, SIGSTORE_ISSUER, None)
