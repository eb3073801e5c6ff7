"""Public-key fingerprints (no X.509 here: key-only verification stays cheap to import)."""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import serialization


def public_key_fingerprint(key: object) -> str:
    """SHA-256 of the SubjectPublicKeyInfo DER."""
    der = key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def public_key_hint(key: object) -> str:
    """The hint model_signing writes: SHA-256 of the PEM SubjectPublicKeyInfo, hex."""
    pem = key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(pem).hexdigest()
