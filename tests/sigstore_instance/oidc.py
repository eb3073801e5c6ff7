"""OIDC identity-token minting and the Fulcio-side token checks."""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from ._der import spki_der

AUDIENCE = "sigstore"
TOKEN_LIFETIME = 600


class TokenRejected(Exception):
    """The token would not be accepted by Fulcio."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def is_email(identity: str) -> bool:
    return "@" in identity and "://" not in identity


class OIDCProvider:
    """Signs JWTs for any issuer string with one key that Fulcio trusts.

    A real Fulcio looks up each issuer's JWKS; here a single key stands in
    for all issuers so a test can ask for identity X from issuer Y.
    """

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.public_key = self.private_key.public_key()
        self.kid = hashlib.sha256(spki_der(self.public_key)).hexdigest()[:16]
        self.url = ""  # set once the loopback server is listening
        self.audiences = {AUDIENCE}  # client ids whose tokens Fulcio accepts

    def mint(
        self,
        identity: str,
        issuer: str,
        *,
        subject: str | None = None,
        email_verified: bool = True,
        audience: str = AUDIENCE,
        lifetime: int = TOKEN_LIFETIME,
        issued_at: int | None = None,
        extra_claims: dict[str, Any] | None = None,
        signing_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> str:
        """Mint a token; e-mail identities go into `email`, others into `sub`."""
        now = int(time.time()) if issued_at is None else issued_at
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
        }
        if is_email(identity):
            claims["sub"] = subject or identity
            claims["email"] = identity
            claims["email_verified"] = email_verified
        else:
            claims["sub"] = subject or identity
        claims.update(extra_claims or {})
        return jwt.encode(
            claims,
            signing_key or self.private_key,
            algorithm="ES256",
            headers={"kid": self.kid},
        )

    def verify(self, token: str) -> dict[str, Any]:
        """Check signature, audience and validity period like Fulcio does."""
        try:
            return jwt.decode(
                token,
                self.public_key,
                algorithms=["ES256"],
                audience=sorted(self.audiences),
                options={"require": ["iss", "sub", "aud", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenRejected(str(exc)) from exc

    def jwks(self) -> dict[str, Any]:
        numbers = self.public_key.public_numbers()
        return {
            "keys": [
                {
                    "kty": "EC",
                    "crv": "P-256",
                    "alg": "ES256",
                    "use": "sig",
                    "kid": self.kid,
                    "x": _b64url(numbers.x.to_bytes(32, "big")),
                    "y": _b64url(numbers.y.to_bytes(32, "big")),
                }
            ]
        }

    def discovery_document(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/auth",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/keys",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
        }


def certificate_identity(claims: dict[str, Any]) -> str:
    """The SAN value Fulcio certifies for a verified token.

    E-mail claim when present (and only if verified), otherwise `sub`.
    """
    if "email" in claims:
        if claims.get("email_verified") is not True:
            raise TokenRejected("email claim present but not verified")
        email = claims["email"]
        if not isinstance(email, str) or not is_email(email):
            raise TokenRejected("malformed email claim")
        return email
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise TokenRejected("missing sub claim")
    return subject
