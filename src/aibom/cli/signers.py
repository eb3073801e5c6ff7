"""Turn `aibom sign` / `aibom verify` options into a signer or a trust, per method."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from aibom.cli.options import read_file

_KEYLESS_ONLY = (
    "identity_token",
    "use_ambient_credentials",
    "oauth_force_oob",
    "client_id",
    "client_secret",
    "use_staging",
    "trust_config",
)


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def choose_sign_method(kw: dict[str, Any]) -> str:
    """The flag form's method: from --private-key, --pkcs11-uri or --sigstore; Sigstore when
    none is given, as model_signing's bare `sign` means."""
    chosen = [f for f in ("private_key", "pkcs11_uri", "use_sigstore") if kw.get(f)]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(_flag(f) for f in chosen)} exclude each other")
    cert = bool(kw.get("signing_certificate"))
    if kw.get("private_key"):
        return "certificate" if cert else "key"
    if kw.get("pkcs11_uri"):
        return "pkcs11-certificate" if cert else "pkcs11-key"
    return "sigstore"


def make_signer(method: str, kw: dict[str, Any]) -> Any:
    from aibom.oms import sign as signing

    if method == "sigstore":
        for name in ("signing_certificate", "certificate_chain"):
            if kw.get(name):
                raise click.UsageError(f"{_flag(name)} does not apply to keyless signing")
        return _keyless_signer(kw)
    for name in _KEYLESS_ONLY:
        if kw.get(name):
            raise click.UsageError(f"{_flag(name)} applies to keyless (Sigstore) signing only")
    chain_files = tuple(kw.get("certificate_chain") or ())
    if method in ("key", "pkcs11-key") and chain_files:
        raise click.UsageError("--certificate-chain needs --signing-certificate")
    if method == "pkcs11-key":
        return signing.Pkcs11KeySigner(kw["pkcs11_uri"])
    chain = tuple(read_file(c, "certificate chain") for c in chain_files)
    if method == "pkcs11-certificate":
        leaf = read_file(kw["signing_certificate"], "signing certificate")
        return signing.Pkcs11CertificateSigner(kw["pkcs11_uri"], leaf, chain)
    pem = read_file(kw["private_key"], "private key")
    password = kw.get("password")
    secret = password.encode() if password else None
    if method == "certificate":
        leaf = read_file(kw["signing_certificate"], "signing certificate")
        return signing.CertificateSigner(pem, leaf, chain, secret)
    return signing.KeySigner(pem, secret)


def _keyless_signer(kw: dict[str, Any]) -> Any:
    from aibom.oms.keyless import (
        PRODUCTION_TUF,
        STAGING_TUF,
        embedded_trust_config,
        load_trust_config,
    )
    from aibom.oms.oidc import TokenRequest, obtain_identity_token
    from aibom.oms.sign import KeylessSigner

    trust_config = Path(kw["trust_config"]) if kw.get("trust_config") else None
    request = TokenRequest(
        identity_token=kw.get("identity_token"),
        use_ambient_credentials=bool(kw.get("use_ambient_credentials")),
        force_oob=bool(kw.get("oauth_force_oob")),
        client_id=kw.get("client_id"),
        client_secret=kw.get("client_secret"),
    )
    staging = bool(kw.get("use_staging"))

    def issuer_url() -> str:
        if trust_config:
            config = load_trust_config(trust_config)
        else:
            config = embedded_trust_config(STAGING_TUF if staging else PRODUCTION_TUF)
        return str(config.signing_config.get_oidc_url())

    token = obtain_identity_token(request, issuer_url)
    return KeylessSigner(token, trust_config, staging, request.audience)


def make_trust(method: str | None, kw: dict[str, Any]) -> Any:
    """Verification trust: the method subcommand's, or the one the flag form's options name."""
    from aibom.oms.trust import CLI_SPELLING, build_trust

    trust = build_trust(
        public_key=Path(kw["public_key"]) if kw.get("public_key") else None,
        certificate_chain=[Path(c) for c in kw.get("certificate_chain") or ()],
        identity=kw.get("identity"),
        issuer=kw.get("identity_provider"),
        trust_config=Path(kw["trust_config"]) if kw.get("trust_config") else None,
        staging=bool(kw.get("use_staging")),
        spelling=CLI_SPELLING,
    )
    if trust is not None:
        return trust
    if method == "certificate":
        raise click.UsageError("certificate verification needs --certificate-chain")
    if method is not None:
        raise click.UsageError("keyless verification needs both --identity and --identity-provider")
    raise click.UsageError(
        "choose exactly one of --public-key, --certificate-chain, "
        "or --identity with --identity-provider"
    )
