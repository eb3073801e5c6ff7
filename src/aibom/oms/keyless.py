"""Keyless (Sigstore) verification and signing through the `sigstore` library, offline.

Imported only when a keyless signature is involved: `sigstore` is slow to import.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from aibom._internal.files import SMALL_FILE_LIMIT, read_capped
from aibom.errors import InputError, VerificationError
from aibom.oms.bundle import SignedStatement

PRODUCTION_TUF = "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
STAGING_TUF = "https%3A%2F%2Ftuf-repo-cdn.sigstage.dev"


def embedded_trust_config(instance: str) -> Any:
    """The ClientTrustConfig of Sigstore production or staging from the trusted root and
    signing config embedded in the sigstore package: no TUF refresh, no network."""
    from sigstore.models import ClientTrustConfig

    store = resources.files("sigstore._store").joinpath(instance)
    try:
        root = json.loads(store.joinpath("trusted_root.json").read_text())
        config = json.loads(store.joinpath("signing_config.v0.2.json").read_text())
    except (FileNotFoundError, ModuleNotFoundError):  # a sigstore without embedded documents
        if instance == STAGING_TUF:
            return ClientTrustConfig.staging(offline=True)
        return ClientTrustConfig.production(offline=True)
    document = {
        "mediaType": "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json",
        "trustedRoot": root,
        "signingConfig": config,
    }
    return ClientTrustConfig.from_json(json.dumps(document))


def trust_root_for(trust_config: Path | None, staging: bool) -> Any:
    """The trusted root verification uses: a given trust config, staging, or production."""
    if trust_config:
        return load_trust_config(trust_config).trusted_root
    if staging:
        return embedded_trust_config(STAGING_TUF).trusted_root
    return production_trusted_root()


def production_trusted_root() -> Any:
    """The production trusted root embedded in the sigstore package: no network, no cache."""
    from sigstore.models import ClientTrustConfig, TrustedRoot

    try:
        data = resources.files("sigstore._store").joinpath(PRODUCTION_TUF, "trusted_root.json")
        from sigstore_models.trustroot import v1 as trustroot_v1

        return TrustedRoot(trustroot_v1.TrustedRoot.from_json(data.read_bytes()))
    except (FileNotFoundError, ModuleNotFoundError, ImportError):
        return ClientTrustConfig.production(offline=True).trusted_root


def load_trust_config(path: Path) -> Any:
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import ClientTrustConfig

    try:
        text = read_capped(path, SMALL_FILE_LIMIT, "trust config").decode("utf-8", "replace")
        return ClientTrustConfig.from_json(text)
    except InputError:
        raise
    except (ValueError, TypeError, KeyError, SigstoreError) as exc:  # pydantic errors: ValueError
        raise InputError(
            f"trust config {path} is not a Sigstore ClientTrustConfig: {_first_line(exc)}"
        ) from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def verify_keyless(
    parsed: SignedStatement,
    identity: str,
    issuer: str,
    trust_config: Path | None,
    *,
    staging: bool = False,
) -> None:
    """Check identity and issuer by name first (precise messages), then let sigstore verify the
    certificate chain, SCT, transparency log entry and DSSE signature against the trust root."""
    signer = parsed.signer
    if signer.method != "sigstore":
        raise VerificationError(f"signature was made with a {signer.method}, not keyless Sigstore")
    if signer.identity != identity:
        raise VerificationError(
            f"wrong identity: signed by {signer.identity!r}, expected {identity!r}"
        )
    if signer.issuer != issuer:
        raise VerificationError(f"wrong issuer: signed via {signer.issuer!r}, expected {issuer!r}")
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import Bundle
    from sigstore.verify import Verifier, policy

    root = trust_root_for(trust_config, staging)
    try:
        bundle = Bundle.from_json(parsed.raw)
    except (ValueError, TypeError, KeyError, SigstoreError) as exc:  # its parse errors
        raise InputError(f"bundle is not a valid Sigstore bundle: {_first_line(exc)}") from None
    try:
        payload_type, payload = Verifier(trusted_root=root).verify_dsse(
            bundle, policy.Identity(identity=identity, issuer=issuer)
        )
    except SigstoreError as exc:
        raise VerificationError(f"Sigstore verification failed: {_first_line(exc)}") from None
    if payload != parsed.envelope.payload or payload_type != parsed.envelope.payload_type:
        raise VerificationError("Sigstore verified a different payload than the one read")


def signing_trust_config(trust_config: Path | None, staging: bool) -> Any:
    """The ClientTrustConfig keyless signing uses (its OIDC issuer, Fulcio and Rekor)."""
    from sigstore.models import ClientTrustConfig

    if trust_config:
        return load_trust_config(trust_config)
    if staging:
        return embedded_trust_config(STAGING_TUF)
    return ClientTrustConfig.production()


def sign_keyless(
    payload: bytes,
    identity_token: str,
    trust_config: Path | None,
    *,
    staging: bool = False,
    client_id: str = "sigstore",
) -> dict[str, Any]:
    """Sign an in-toto payload keyless; returns the Sigstore bundle as a JSON object."""
    from sigstore.dsse import Statement
    from sigstore.errors import Error as SigstoreError
    from sigstore.oidc import IdentityError, IdentityToken
    from sigstore.sign import SigningContext

    try:  # the token first: a bad one must fail before any network traffic
        token = IdentityToken(identity_token, client_id)
    except IdentityError as exc:
        raise InputError(f"identity token rejected: {_first_line(exc)}") from None
    try:
        config = signing_trust_config(trust_config, staging)
    except (SigstoreError, OSError) as exc:  # TUF refresh: needs the network
        raise InputError(
            f"keyless signing cannot fetch the Sigstore trust configuration: {_first_line(exc)}",
            hint="keyless signing needs network access, or give --trust-config",
        ) from None
    try:
        context = SigningContext.from_trust_config(config)
        with context.signer(token, cache=True) as signer:
            bundle = signer.sign_dsse(Statement(payload))
    except OSError as exc:  # requests' errors are OSErrors: Fulcio or Rekor unreachable
        raise InputError(
            f"keyless signing cannot reach Sigstore: {_first_line(exc)}",
            hint="keyless signing needs network access to Fulcio and Rekor",
        ) from None
    except SigstoreError as exc:
        raise VerificationError(f"Sigstore signing failed: {_first_line(exc)}") from None
    signed: dict[str, Any] = json.loads(bundle.to_json())
    return signed
