"""Fulcio `POST /api/v2/signingCert` semantics, independent of HTTP."""

from __future__ import annotations

import base64
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .ca import CertificateAuthority
from .oidc import OIDCProvider, TokenRejected, certificate_identity


class SigningCertError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def signing_cert(
    ca: CertificateAuthority,
    oidc: OIDCProvider,
    request: dict[str, Any],
    authorization: str | None,
) -> dict[str, Any]:
    """Check the token and CSR, issue a leaf, return the embedded-SCT response."""
    token = _bearer(authorization) or (request.get("credentials", {}).get("oidcIdentityToken"))
    if not token:
        raise SigningCertError(401, "missing OIDC identity token")
    try:
        claims = oidc.verify(token)
        identity = certificate_identity(claims)
    except TokenRejected as exc:
        raise SigningCertError(401, f"invalid identity token: {exc}") from exc

    csr_b64 = request.get("certificateSigningRequest")
    if not isinstance(csr_b64, str):
        raise SigningCertError(400, "only certificateSigningRequest is supported")
    try:
        csr = x509.load_pem_x509_csr(base64.b64decode(csr_b64))
    except ValueError as exc:
        raise SigningCertError(400, f"invalid CSR: {exc}") from exc
    # The CSR signature is the proof of possession of the ephemeral key.
    if not csr.is_signature_valid:
        raise SigningCertError(400, "CSR signature does not verify")

    leaf = ca.issue_leaf(csr.public_key(), identity, claims["iss"])
    pems = [c.public_bytes(serialization.Encoding.PEM).decode() for c in [leaf, *ca.chain]]
    return {"signedCertificateEmbeddedSct": {"chain": {"certificates": pems}}}
