"""Getting the OIDC identity token keyless signing needs, the ways model_signing does.

Precedence (sigstore-python's and model_signing's): a token given outright; then, if asked
for, an ambient credential from the CI environment (sigstore's detection: GitHub Actions,
GitLab, Buildkite, CircleCI, GCP); then the interactive OAuth flow against the trust
config's OIDC issuer — in a browser, or out of band (a link to open and a code to type).
Where none of these can work (no token, no ambient credential, no browser and no terminal)
the answer is one line at once, before any network call.
"""

from __future__ import annotations

import sys
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass

from aibom.errors import InputError

DEFAULT_CLIENT_ID = "sigstore"


@dataclass(frozen=True)
class TokenRequest:
    """How the user asked for an identity token (model_signing's sigstore options)."""

    identity_token: str | None = None
    use_ambient_credentials: bool = False
    force_oob: bool = False
    client_id: str | None = None
    client_secret: str | None = None

    @property
    def audience(self) -> str:
        return self.client_id or DEFAULT_CLIENT_ID


def obtain_identity_token(request: TokenRequest, issuer_url: Callable[[], str]) -> str:
    """The raw identity token; `issuer_url` is asked only if the OAuth flow runs. Raises
    InputError (exit 2) when no token can be had."""
    if request.identity_token:
        return request.identity_token.strip()
    if request.use_ambient_credentials:
        token = _ambient(request.audience)
        if token:
            return token
    if not _can_prompt(request.force_oob):
        found = "no ambient credential found, " if request.use_ambient_credentials else ""
        raise InputError(
            f"keyless signing needs an identity token: {found}give --identity-token (or "
            "SIGSTORE_ID_TOKEN), --use-ambient-credentials in CI, or run where a browser "
            "or a terminal can complete the OAuth flow"
        )
    return _oauth_flow(request, issuer_url())


def _ambient(audience: str) -> str | None:
    from sigstore.oidc import IdentityError, detect_credential

    try:
        return detect_credential(audience)
    except IdentityError as exc:
        raise InputError(f"ambient credential detection failed: {_line(exc)}") from None


def _can_prompt(force_oob: bool) -> bool:
    """A browser can be opened, or a code can be typed at a terminal."""
    if sys.stdin is not None and sys.stdin.isatty():
        return True
    if force_oob:
        return False
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def _oauth_flow(request: TokenRequest, issuer_url: str) -> str:
    from sigstore.errors import Error as SigstoreError
    from sigstore.oidc import Issuer, IssuerError

    try:
        issuer = Issuer(issuer_url)
        token = issuer.identity_token(
            client_id=request.audience,
            client_secret=request.client_secret or "",
            force_oob=request.force_oob,
        )
    except (IssuerError, SigstoreError) as exc:
        raise InputError(f"OAuth flow with {issuer_url} failed: {_line(exc)}") from None
    except (EOFError, KeyboardInterrupt):
        raise InputError("OAuth flow cancelled: no verification code was entered") from None
    return str(token)


def _line(exc: BaseException) -> str:
    cause = exc.__cause__
    text = str(exc) or (str(cause) if cause else "") or type(exc).__name__
    return " ".join(text.split())[:300]


__all__ = ["DEFAULT_CLIENT_ID", "TokenRequest", "obtain_identity_token"]
