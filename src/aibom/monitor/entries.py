"""Rekor v1 entry bodies: the digest an entry vouches for and who signed it.

Only `hashedrekord` and `dsse` at apiVersion 0.0.1 are read; anything else is skipped.
The digest is `spec.data.hash.value` (hashedrekord) or `spec.payloadHash.value` (dsse: the
SHA-256 of the in-toto statement). Signers come from the entry's PEM certificates or keys.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from aibom.oms import certs, keys

READ_KINDS = ("dsse", "hashedrekord")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class UnreadableEntry(ValueError):
    """An entry of a kind we read whose body is not well formed."""


@dataclass(frozen=True)
class Signer:
    """Who signed an entry: a certificate (identity, issuer) or a bare public key."""

    key_fingerprint: str | None  # SHA-256 of the SubjectPublicKeyInfo DER
    identity: str | None = None  # certificate SAN
    issuer: str | None = None  # Fulcio OIDC issuer extension (.1.8, else .1.1)
    certificate: x509.Certificate | None = None

    def describe(self) -> str:
        if self.certificate is not None:
            return self.identity or "certificate without an identity"
        return f"public key sha256:{self.key_fingerprint}"


@dataclass(frozen=True)
class DecodedEntry:
    kind: str
    digest: str  # lowercase SHA-256 hex
    signers: tuple[Signer, ...]


def decode_body(body: bytes) -> DecodedEntry | None:
    """The entry's digest and signers; None for kinds or versions not read."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise UnreadableEntry("body is not JSON") from None
    if not isinstance(document, dict):
        raise UnreadableEntry("body is not a JSON object")
    kind = document.get("kind")
    if kind not in READ_KINDS or document.get("apiVersion") != "0.0.1":
        return None
    try:
        spec = document["spec"]
        if kind == "hashedrekord":
            digest_node = spec["data"]["hash"]
            pems = [spec["signature"]["publicKey"]["content"]]
        else:
            digest_node = spec["payloadHash"]
            pems = [s["verifier"] for s in spec["signatures"]]
        algorithm, digest = digest_node["algorithm"], digest_node["value"]
    except (KeyError, TypeError):
        raise UnreadableEntry(f"{kind} body lacks its digest or signature") from None
    if algorithm != "sha256":
        return None  # a digest no inventory component is known by
    digest = digest.lower() if isinstance(digest, str) else ""
    if not _SHA256_HEX.fullmatch(digest):
        raise UnreadableEntry(f"{kind} body has a malformed SHA-256")
    if not pems:
        raise UnreadableEntry(f"{kind} body names no signer")
    return DecodedEntry(kind, digest, tuple(_signer(p) for p in pems))


def _signer(b64_pem: Any) -> Signer:
    try:
        pem = base64.b64decode(b64_pem, validate=True)
    except (TypeError, ValueError, binascii.Error):
        raise UnreadableEntry("signer is not base64") from None
    try:
        if b"-----BEGIN CERTIFICATE-----" in pem:
            cert = x509.load_pem_x509_certificate(pem)
            return Signer(_fingerprint(cert.public_key()), certs.identity_of(cert),
                          certs.oidc_issuer_of(cert), cert)
        return Signer(_fingerprint(serialization.load_pem_public_key(pem)))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UnreadableEntry("signer is not a PEM certificate or public key") from None


def _fingerprint(key: Any) -> str | None:
    try:
        return keys.public_key_fingerprint(key)
    except (ValueError, TypeError):
        return None
