"""The log's signed checkpoint (a C2SP signed note) and the log keys it is verified with.

A checkpoint is `origin\\nsize\\nbase64(root)\\n[extension lines]`, a blank line, then
signature lines `— <name> base64(key hint || signature)`. For a Rekor v1 log the key hint is
the first 4 bytes of the log ID (the SHA-256 of the log's public key); the signature covers
the note text up to the blank line.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from aibom._internal.files import read_capped
from aibom.errors import InputError, VerificationError

MAX_TRUST_CONFIG_BYTES = 4 << 20
MAX_NOTE_BYTES = 64 << 10
CLIENT_TRUST_CONFIG = "application/vnd.dev.sigstore.clienttrustconfig"
_EM_DASH = "\u2014"


@dataclass(frozen=True)
class LogKey:
    """A transparency log's verification key, as a trust config names it."""

    log_id: bytes  # the log ID (key ID): SHA-256 of the DER public key for Rekor
    public_key: Any  # a cryptography public key
    base_url: str

    @property
    def hint(self) -> bytes:
        return self.log_id[:4]


@dataclass(frozen=True)
class Checkpoint:
    """A verified checkpoint: which log signed which tree head."""

    origin: str
    size: int
    root: bytes
    log_id: bytes


def load_log_keys(path: Path) -> tuple[LogKey, ...]:
    """The `tlogs` of a Sigstore trusted_root.json or of a ClientTrustConfig's trustedRoot."""
    raw = read_capped(path, MAX_TRUST_CONFIG_BYTES, "trust config")
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise InputError(f"trust config {path} is not valid JSON") from None
    if not isinstance(document, dict):
        raise InputError(f"trust config {path} is not a JSON object")
    if str(document.get("mediaType", "")).startswith(CLIENT_TRUST_CONFIG):
        document = document.get("trustedRoot")
    tlogs = document.get("tlogs") if isinstance(document, dict) else None
    if not isinstance(tlogs, list) or not tlogs:
        raise InputError(f"trust config {path} names no transparency log (tlogs)")
    keys = []
    for n, node in enumerate(tlogs):
        try:
            der = base64.b64decode(node["publicKey"]["rawBytes"], validate=True)
            log_id = base64.b64decode(node["logId"]["keyId"], validate=True)
            key = serialization.load_der_public_key(der)
            base_url = str(node.get("baseUrl", ""))
        except (KeyError, TypeError, ValueError, binascii.Error, UnsupportedAlgorithm):
            raise InputError(f"trust config {path}: tlogs[{n}] has no usable key") from None
        if len(log_id) < 4:
            raise InputError(f"trust config {path}: tlogs[{n}] has a log ID shorter than 4 bytes")
        keys.append(LogKey(log_id, key, base_url))
    return tuple(keys)


def verify_checkpoint(note: str, keys: tuple[LogKey, ...]) -> Checkpoint:
    """Parse a signed note and verify one of its signatures with a trusted log key.

    VerificationError when no signature verifies or the note is malformed."""
    if len(note.encode("utf-8", "replace")) > MAX_NOTE_BYTES:
        raise VerificationError("the log's checkpoint is implausibly large")
    text, sep, signatures = note.partition("\n\n")
    if not sep or not text:
        raise VerificationError("the log's checkpoint is not a signed note")
    body = text + "\n"
    lines = text.split("\n")
    if len(lines) < 3 or not lines[0]:
        raise VerificationError("the log's checkpoint lacks origin, size or root hash")
    origin, size_text, root_text = lines[:3]
    if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
        raise VerificationError(f"the log's checkpoint has a malformed size {size_text[:40]!r}")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (ValueError, binascii.Error):
        raise VerificationError("the log's checkpoint has a malformed root hash") from None
    for line in signatures.split("\n"):
        signed = _signature_of(line)
        if signed is None:
            continue
        hint, signature = signed
        for key in keys:
            if key.hint == hint and _verifies(key.public_key, signature, body.encode()):
                return Checkpoint(origin, int(size_text), root, key.log_id)
    raise VerificationError("the log's checkpoint is not signed by a log key of the trust config")


def _signature_of(line: str) -> tuple[bytes, bytes] | None:
    parts = line.split(" ")
    if len(parts) != 3 or parts[0] != _EM_DASH:
        return None
    try:
        blob = base64.b64decode(parts[2], validate=True)
    except (ValueError, binascii.Error):
        return None
    return (blob[:4], blob[4:]) if len(blob) > 4 else None


def _verifies(key: Any, signature: bytes, data: bytes) -> bool:
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True
