"""Tools of the hostile-input suite: forge bundles by hand, spy on file opens, run commands.

Everything an attacker can write is built here from parts, so each attack test changes one
thing in an otherwise valid artefact and shows that this one thing is what stops it.
"""

from __future__ import annotations

import base64
import builtins
import datetime as dt
import hashlib
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from support.cli import Run, run_cli

from aibom.oms import dsse
from aibom.oms.model import INTOTO_PAYLOAD_TYPE

BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
SECRET_TEXT = "TOPSECRET-hostile-4b1d"  # content of every planted file outside a model
VENDOR_IDENTITY = "release@vendor.example"
VENDOR_ISSUER = "https://accounts.vendor.example"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text)


# -- bundles -----------------------------------------------------------------------------


def read_doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def write_doc(path: Path, doc: Any) -> Path:
    path.write_text(json.dumps(doc, indent=1))
    return path


def payload_bytes(doc: dict[str, Any]) -> bytes:
    return unb64(doc["dsseEnvelope"]["payload"])


def statement_of(doc: dict[str, Any]) -> dict[str, Any]:
    return json.loads(payload_bytes(doc))


def key_bundle(payload: bytes, key: ec.EllipticCurvePrivateKey, *, pae: bytes | None = None,
               payload_type: str = INTOTO_PAYLOAD_TYPE, hint: str | None = None) -> dict[str, Any]:
    """A key-method bundle whose one signature is over `pae` (default: the correct DSSE PAE
    of `payload_type` and `payload`). Nothing in it is checked: it is the attacker's pen."""
    message = pae if pae is not None else dsse.pae(payload_type, payload)
    sig = key.sign(message, ec.ECDSA(dsse.curve_hash(key)))
    if hint is None:
        from aibom.oms.keys import public_key_hint

        hint = public_key_hint(key.public_key())
    return {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {"publicKey": {"hint": hint}, "tlogEntries": []},
        "dsseEnvelope": {
            "payload": b64(payload),
            "payloadType": payload_type,
            "signatures": [{"sig": b64(sig)}],
        },
    }


def load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def root_of(digests: list[str]) -> str:
    return hashlib.sha256(b"".join(bytes.fromhex(d) for d in digests)).hexdigest()


def oms_statement(resources: list[dict[str, str]], *, root: str | None = None,
                  serialization_: dict[str, Any] | None = None) -> dict[str, Any]:
    """An OMS v1.0 statement; `root` overrides the (otherwise correct) subject digest."""
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "model",
                     "digest": {"sha256": root or root_of([r["digest"] for r in resources])}}],
        "predicateType": "https://model_signing/signature/v1.0",
        "predicate": {
            "serialization": serialization_
            or {"method": "files", "hash_type": "sha256", "allow_symlinks": False},
            "resources": resources,
        },
    }


def resources_of(model: Path) -> list[dict[str, str]]:
    """files/sha256 resources of every regular file under `model`, in OMS order."""
    out = []
    for path in sorted(p for p in model.rglob("*") if p.is_file()):
        name = path.relative_to(model).as_posix()
        out.append({"name": name, "algorithm": "sha256", "digest": sha256_hex(path.read_bytes())})
    return sorted(out, key=lambda r: r["name"])


# -- keyless bundles made by hand ---------------------------------------------------------


@dataclass(frozen=True)
class Forged:
    bundle: dict[str, Any]
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    log_index: int


def forge_keyless(
    sigstore: Any,
    payload: bytes,
    identity: str | x509.GeneralName = VENDOR_IDENTITY,
    issuer: str = VENDOR_ISSUER,
    *,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    integrated_time: int | None = None,
    **leaf_knobs: Any,
) -> Forged:
    """A keyless bundle assembled without Fulcio's or Rekor's HTTP front ends: a leaf from the
    private CA (with a real SCT), a DSSE signature, and a real log entry with its inclusion
    proof, checkpoint and signed entry timestamp. With default arguments it verifies; every
    knob breaks exactly one property."""
    from sigstore_instance.rekor import canonical_dsse_body

    key = ec.generate_private_key(ec.SECP256R1())
    cert = sigstore.issue_leaf_certificate(
        key.public_key(), identity, issuer, not_before=not_before, not_after=not_after,
        **leaf_knobs,
    )
    sig = key.sign(dsse.pae(INTOTO_PAYLOAD_TYPE, payload), ec.ECDSA(hashes.SHA256()))
    envelope = {
        "payload": b64(payload),
        "payloadType": INTOTO_PAYLOAD_TYPE,
        "signatures": [{"sig": b64(sig)}],
    }
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    proposed = {"spec": {"proposedContent": {"envelope": json.dumps(envelope),
                                             "verifiers": [b64(cert_pem)]}}}
    body = rfc8785.dumps(canonical_dsse_body(proposed))
    rekor = sigstore.rekor
    entry = rekor.append_body(body, integrated_time=integrated_time)
    response = next(iter(rekor.entry_response(entry.index).values()))
    proof = response["verification"]["inclusionProof"]
    tlog = {
        "logIndex": str(entry.index),
        "logId": {"keyId": b64(rekor.log_id)},
        "kindVersion": {"kind": "dsse", "version": "0.0.1"},
        "integratedTime": str(entry.integrated_time),
        "inclusionPromise": {
            "signedEntryTimestamp": response["verification"]["signedEntryTimestamp"]
        },
        "inclusionProof": {
            "logIndex": str(proof["logIndex"]),
            "rootHash": b64(bytes.fromhex(proof["rootHash"])),
            "treeSize": str(proof["treeSize"]),
            "hashes": [b64(bytes.fromhex(h)) for h in proof["hashes"]],
            "checkpoint": {"envelope": proof["checkpoint"]},
        },
        "canonicalizedBody": response["body"],
    }
    bundle = {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": {
            "certificate": {"rawBytes": b64(cert.public_bytes(serialization.Encoding.DER))},
            "tlogEntries": [tlog],
            "timestampVerificationData": {"rfc3161Timestamps": []},
        },
        "dsseEnvelope": envelope,
    }
    return Forged(bundle, cert, key, entry.index)


def resign_checkpoint(checkpoint: str, key: ec.EllipticCurvePrivateKey, key_hint: bytes) -> str:
    """The same signed note (origin, size, root) with its signature line made by `key`."""
    note, _, signature_line = checkpoint.partition("\n\n")
    name = signature_line.split(" ")[1]
    sig = key.sign((note + "\n").encode(), ec.ECDSA(hashes.SHA256()))
    return f"{note}\n\n\u2014 {name} {b64(key_hint[:4] + sig)}\n"


def keyless_args(sigstore: Any, identity: str = VENDOR_IDENTITY,
                 issuer: str = VENDOR_ISSUER) -> list[object]:
    return ["--identity", identity, "--identity-provider", issuer,
            "--trust-config", sigstore.trust_config_path]


# -- watching what is read ----------------------------------------------------------------


class OpenSpy:
    """Every path opened through builtins.open, io.open or os.open, and every directory
    listed through os.scandir, while active (realpaths; `pathlib` goes through io.open)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        self._mp = monkeypatch

    def __enter__(self) -> OpenSpy:
        real_os_open, real_open, real_scandir = os.open, builtins.open, os.scandir

        def os_open(path: Any, *args: Any, **kwargs: Any) -> int:
            self._note(path)
            return real_os_open(path, *args, **kwargs)

        def any_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(file, int):
                self._note(file)
            return real_open(file, *args, **kwargs)

        def scandir(path: Any = ".") -> Any:
            if not isinstance(path, int):
                self._note(path)
            return real_scandir(path)

        self._mp.setattr(os, "open", os_open)
        self._mp.setattr(builtins, "open", any_open)
        self._mp.setattr(io, "open", any_open)
        self._mp.setattr(os, "scandir", scandir)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._mp.undo()

    def _note(self, path: Any) -> None:
        try:
            self.paths.append(os.path.realpath(os.fsdecode(path)))
        except (TypeError, ValueError):
            self.paths.append(repr(path))

    def touched(self, *targets: Path) -> list[str]:
        """Opened or listed paths equal to, or under, any of `targets`."""
        roots = [os.path.realpath(t) for t in targets]
        return [p for p in self.paths
                if any(p == r or p.startswith(r + os.sep) for r in roots)]


@contextmanager
def spying(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenSpy]:
    with OpenSpy(monkeypatch) as spy:
        yield spy


# -- outcomes -----------------------------------------------------------------------------


def verify_key(model: Path, public_key: Path, *extra: object) -> Run:
    return run_cli("verify", model, "--public-key", public_key, *extra)
