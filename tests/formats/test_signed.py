"""Signed AIBOMs: `aibom build --sign` writes a Sigstore bundle (DSSE, in-toto statement over
the document) that sigstore-python and `aibom verify-chain --aibom-signature` verify, and
that refuses a tampered or wrongly signed AIBOM."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aibom.cli import main
from aibom.errors import InputError, VerificationError
from aibom.formats.registry import Format
from aibom.formats.signed import BUNDLE_SUFFIX, PREDICATE_TYPES, sign_document, verify_document
from aibom.oms.sign import KeylessSigner, KeySigner
from aibom.oms.verify import KeylessTrust, KeyTrust

if "sigstore_instance.fixtures" not in sys.modules:
    pytest_plugins = ["sigstore_instance.fixtures"]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
KEYS = SAMPLES / "keys"
EMAIL, ISSUER = "release@acme.example", "https://issuer.acme.example"
DOCUMENT = json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.7", "version": 1},
                      indent=2).encode()


def key_signer() -> KeySigner:
    return KeySigner((KEYS / "acme-key.pem").read_bytes())


def test_key_signed_document_verifies_and_binds_the_bytes() -> None:
    bundle = sign_document(DOCUMENT, Format.CYCLONEDX, "aibom.cdx.json", key_signer())
    trust = KeyTrust((KEYS / "acme-pub.pem").read_bytes())
    signed = verify_document(DOCUMENT, bundle, trust)
    assert signed.sha256 == hashlib.sha256(DOCUMENT).hexdigest()
    assert signed.predicate_type == "https://cyclonedx.org/bom"
    statement = json.loads(base64.b64decode(json.loads(bundle)["dsseEnvelope"]["payload"]))
    assert statement["subject"] == [{"name": "aibom.cdx.json",
                                     "digest": {"sha256": signed.sha256}}]
    assert statement["predicate"] == json.loads(DOCUMENT)


def test_refuses_tampered_or_foreign_documents() -> None:
    bundle = sign_document(DOCUMENT, Format.SPDX3, "aibom.spdx.json", key_signer())
    trust = KeyTrust((KEYS / "acme-pub.pem").read_bytes())
    with pytest.raises(VerificationError, match="changed after signing"):
        verify_document(DOCUMENT.replace(b'"version": 1', b'"version": 2'), bundle, trust)
    with pytest.raises(VerificationError, match="another key"):
        verify_document(DOCUMENT, bundle, KeyTrust((KEYS / "community-pub.pem").read_bytes()))
    with pytest.raises(InputError):
        verify_document(DOCUMENT, b"{not a bundle", trust)
    # whitespace only: same JSON, other bytes, so another document
    with pytest.raises(VerificationError, match="changed after signing"):
        verify_document(DOCUMENT + b"\n", bundle, trust)


def test_keyless_bundle_verifies_with_sigstore_python(private_sigstore: Any) -> None:
    from sigstore.models import Bundle, TrustedRoot
    from sigstore.verify import Verifier, policy

    signer = KeylessSigner(private_sigstore.identity_token(EMAIL, ISSUER),
                           private_sigstore.trust_config_path)
    raw = sign_document(DOCUMENT, Format.CYCLONEDX, "aibom.cdx.json", signer)
    verifier = Verifier(trusted_root=TrustedRoot.from_file(str(private_sigstore.trusted_root_path)))
    payload_type, payload = verifier.verify_dsse(Bundle.from_json(raw),
                                                 policy.Identity(identity=EMAIL, issuer=ISSUER))
    statement = json.loads(payload)
    assert payload_type == "application/vnd.in-toto+json"
    assert statement["predicateType"] == PREDICATE_TYPES[Format.CYCLONEDX]
    assert statement["subject"][0]["digest"]["sha256"] == hashlib.sha256(DOCUMENT).hexdigest()
    trust = KeylessTrust(EMAIL, ISSUER, private_sigstore.trust_config_path)
    assert verify_document(DOCUMENT, raw, trust).signer.identity == EMAIL
    with pytest.raises(VerificationError):
        verify_document(DOCUMENT, raw, KeylessTrust("mallory@acme.example", ISSUER,
                                                    private_sigstore.trust_config_path))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("signed")
    for part in ("models", "datasets", "keys"):
        shutil.copytree(SAMPLES / part, work / part)
    shutil.copy(SAMPLES / "policy.yaml", work / "policy.yaml")
    return work


@dataclass
class Run:
    exit_code: int
    output: str  # stdout and stderr


def _invoke(work: Path, args: list[str]) -> Run:
    """`aibom ARGS` in `work` through the real entry point (its exit codes, its one line)."""
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main(args)
                code = 0
            except SystemExit as exc:
                code = int(exc.code or 0)
    finally:
        os.chdir(here)
    return Run(code, out.getvalue() + err.getvalue())


BUILD = ["build", "models/tiny-chat-q8", "--with", "models/tiny-chat", "--with",
         "models/tiny-chat-lora", "--with", "models/tiny-base", "--with",
         "datasets/tiny-instruct", "--with", "datasets/tiny-corpus"]


def test_build_sign_and_verify_chain(workdir: Path) -> None:
    run = _invoke(workdir, [*BUILD, "-o", "aibom.cdx.json", "--sign",
                            "--private-key", "keys/acme-key.pem"])
    assert run.exit_code == 0, run.output
    bundle = workdir / ("aibom.cdx.json" + BUNDLE_SUFFIX)
    verify = ["verify-chain", "aibom.cdx.json", "--policy", "policy.yaml",
              "--aibom-signature", bundle.name]
    ok = _invoke(workdir, [*verify, "--aibom-public-key", "keys/acme-pub.pem"])
    assert ok.exit_code == 0, ok.output
    wrong = _invoke(workdir, [*verify, "--aibom-public-key", "keys/community-pub.pem"])
    assert wrong.exit_code == 1 and "another key" in wrong.output
    text = (workdir / "aibom.cdx.json").read_text()
    (workdir / "aibom.cdx.json").write_text(text.replace('"post-build"', '"build"'))
    tampered = _invoke(workdir, [*verify, "--aibom-public-key", "keys/acme-pub.pem"])
    assert tampered.exit_code == 1 and "changed after signing" in tampered.output


def test_build_sign_usage_errors(workdir: Path) -> None:
    no_output = _invoke(workdir, [*BUILD, "--sign", "--private-key", "keys/acme-key.pem"])
    assert no_output.exit_code == 2 and "--output" in no_output.output
    no_sign = _invoke(workdir, [*BUILD, "-o", "x.json", "--private-key", "keys/acme-key.pem"])
    assert no_sign.exit_code == 2 and "--sign" in no_sign.output
    assert not (workdir / "x.json").exists()
