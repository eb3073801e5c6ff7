"""The interactive side of the private OIDC issuer: OAuth 2.0 authorization code with PKCE
(browser and out-of-band), and a GitHub-Actions-like endpoint for ambient credentials.

The "user" signed in at the issuer is `signed_in`; registered clients are `clients`
(client id -> secret, "" for a public client). Codes are single-use and bound to the client,
the redirect URI and the PKCE challenge, as a real issuer binds them.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .oidc import OIDCProvider, TokenRejected

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    identity: str


@dataclass
class OAuthIssuer:
    oidc: OIDCProvider
    signed_in: str = "alice@example.com"
    clients: dict[str, str] = field(default_factory=lambda: {"sigstore": ""})
    workload_identity: str = (
        "https://github.com/example/repo/.github/workflows/release.yml@refs/heads/main"
    )
    actions_request_token: str = field(default_factory=lambda: secrets.token_hex(16))
    _grants: dict[str, _Grant] = field(default_factory=dict)

    def register_client(self, client_id: str, secret: str) -> None:
        """A client whose tokens (audience = client id) the private Fulcio accepts too."""
        self.clients[client_id] = secret
        self.oidc.audiences.add(client_id)

    def authorize(self, params: dict[str, str]) -> tuple[str, str | None]:
        """(code, redirect location or None for out-of-band)."""
        if params.get("response_type") != "code":
            raise TokenRejected("unsupported_response_type")
        if params.get("client_id") not in self.clients:
            raise TokenRejected("unauthorized_client")
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            raise TokenRejected("PKCE S256 is required")
        redirect = params.get("redirect_uri", "")
        code = secrets.token_urlsafe(16)
        self._grants[code] = _Grant(
            params["client_id"], redirect, params["code_challenge"], self.signed_in
        )
        if redirect == OOB_REDIRECT_URI:
            return code, None
        if not redirect.startswith(("http://localhost:", "http://127.0.0.1:")):
            raise TokenRejected("redirect_uri must be a loopback address")
        query = urlencode({"code": code, "state": params.get("state", "")})
        return code, f"{redirect}?{query}"

    def exchange(self, form: dict[str, str], client: tuple[str, str] | None) -> dict[str, Any]:
        """The token endpoint: the code, its verifier and the client's credentials."""
        grant = self._grants.pop(form.get("code", ""), None)
        if grant is None or form.get("grant_type") != "authorization_code":
            raise TokenRejected("invalid_grant")
        client_id, secret = client or (form.get("client_id", ""), form.get("client_secret", ""))
        if client_id != grant.client_id or self.clients.get(client_id) != secret:
            raise TokenRejected("invalid_client")
        if form.get("redirect_uri") != grant.redirect_uri:
            raise TokenRejected("invalid_grant: redirect_uri differs")
        verifier = form.get("code_verifier", "").encode()
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        if challenge.decode() != grant.challenge:
            raise TokenRejected("invalid_grant: PKCE verifier does not match")
        token = self.oidc.mint(grant.identity, self.oidc.url, audience=client_id)
        return {"access_token": token, "id_token": token, "token_type": "Bearer"}

    def actions_token(self, authorization: str | None, audience: str) -> dict[str, str]:
        """GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL: a workflow identity token."""
        if authorization != f"bearer {self.actions_request_token}":
            raise TokenRejected("bad request token")
        return {"value": self.oidc.mint(self.workload_identity, GITHUB_ISSUER, audience=audience)}


def basic_auth(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password
