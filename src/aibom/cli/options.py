"""Options shared by several commands, and turning them into signers and trust."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from aibom._internal.files import SMALL_FILE_LIMIT, read_capped

F = Callable[..., Any]


def read_file(path: str, what: str) -> bytes:
    """A small file the user named (a key, a certificate, a token): InputError if it cannot
    be read, is not a regular file, or is over SMALL_FILE_LIMIT."""
    return read_capped(path, SMALL_FILE_LIMIT, what)


def paths(values: tuple[str, ...]) -> list[Path]:
    return [Path(v) for v in values]


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


def _apply(options: list[Callable[[F], F]]) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _flag(*names: str, **kw: Any) -> Callable[[F], F]:
    return click.option(*names, **kw)


ignore_paths_option = _flag(
    "--ignore-paths",
    "--ignore_paths",
    "ignore_paths",
    multiple=True,
    metavar="PATH",
    help="Paths (relative to the working directory) left out of the signature. Repeatable.",
)
allow_symlinks_option = _flag(
    "--allow-symlinks",
    "--allow_symlinks",
    "allow_symlinks",
    is_flag=True,
    help="Follow symbolic links that stay inside the model.",
)
trust_config_option = _flag(
    "--trust-config",
    "--trust_config",
    "trust_config",
    type=click.Path(dir_okay=False),
    help="Sigstore ClientTrustConfig JSON (default: Sigstore production, embedded, offline).",
)
with_dirs_option = _flag(
    "--with",
    "with_dirs",
    multiple=True,
    type=click.Path(),
    metavar="DIR",
    help="Related model and dataset directories (the rest of the chain). Repeatable.",
)
quiet_option = _flag(
    "-q",
    "--quiet",
    is_flag=True,
    help="No progress line (it is shown only on a terminal, for work longer than a second).",
)
format_option = _flag(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)

signing_options = _apply(
    [
        _flag(
            "--private-key",
            "--private_key",
            "private_key",
            type=click.Path(dir_okay=False),
            help="EC private key (PEM) for key or certificate signing.",
        ),
        _flag(
            "--password",
            envvar="AIBOM_KEY_PASSWORD",
            help="Password of the private key (or AIBOM_KEY_PASSWORD).",
        ),
        _flag(
            "--signing-certificate",
            "--signing_certificate",
            "signing_certificate",
            type=click.Path(dir_okay=False),
            help="Leaf certificate (PEM) of the private key.",
        ),
        _flag(
            "--certificate-chain",
            "--certificate_chain",
            "certificate_chain",
            multiple=True,
            type=click.Path(dir_okay=False),
            help="Intermediate/root certificates (PEM). Repeatable.",
        ),
        _flag("--sigstore", "use_sigstore", is_flag=True, help="Sign keyless through Sigstore."),
        _flag(
            "--identity-token",
            "--identity_token",
            "identity_token",
            envvar="SIGSTORE_ID_TOKEN",
            help="OIDC identity token for keyless signing (or SIGSTORE_ID_TOKEN).",
        ),
        trust_config_option,
    ]
)


def signer_from(
    private_key: str | None,
    password: str | None,
    signing_certificate: str | None,
    certificate_chain: tuple[str, ...],
    use_sigstore: bool,
    identity_token: str | None,
    trust_config: str | None,
) -> Any:
    from aibom.oms import sign as signing

    if use_sigstore:
        if private_key:
            raise click.UsageError("--sigstore and --private-key exclude each other")
        if not identity_token:
            raise click.UsageError("keyless signing needs --identity-token (or SIGSTORE_ID_TOKEN)")
        return signing.KeylessSigner(identity_token, Path(trust_config) if trust_config else None)
    if not private_key:
        raise click.UsageError("choose a signing method: --private-key, or --sigstore")
    pem = read_file(private_key, "private key")
    secret = password.encode() if password else None
    if signing_certificate:
        chain = tuple(read_file(c, "certificate chain") for c in certificate_chain)
        leaf = read_file(signing_certificate, "signing certificate")
        return signing.CertificateSigner(pem, leaf, chain, secret)
    if certificate_chain:
        raise click.UsageError("--certificate-chain needs --signing-certificate")
    return signing.KeySigner(pem, secret)


def trust_options(prefix: str = "") -> Callable[[F], F]:
    """--public-key | --certificate-chain | --identity + --identity-provider (+ --trust-config),
    with model_signing's underscore spellings; `prefix` makes e.g. --upstream-public-key."""
    p, u = (f"{prefix}-", f"{prefix}_") if prefix else ("", "")
    d = f"{prefix}_" if prefix else ""
    return _apply(
        [
            _flag(
                f"--{p}public-key",
                f"--{u}public_key",
                f"{d}public_key",
                type=click.Path(dir_okay=False),
                help="Verify with this EC public key (PEM).",
            ),
            _flag(
                f"--{p}certificate-chain",
                f"--{u}certificate_chain",
                f"{d}certificate_chain",
                multiple=True,
                type=click.Path(dir_okay=False),
                help="Trusted root/CA certificates (PEM). Repeatable.",
            ),
            _flag(
                f"--{p}identity",
                f"{d}identity",
                help="Keyless: the expected signer identity (certificate SAN).",
            ),
            _flag(
                f"--{p}identity-provider",
                f"--{u}identity_provider",
                f"{d}identity_provider",
                help="Keyless: the expected OIDC issuer.",
            ),
            _flag(
                f"--{p}trust-config",
                f"--{u}trust_config",
                f"{d}trust_config",
                type=click.Path(dir_okay=False),
                help="Sigstore ClientTrustConfig JSON (default: Sigstore production, embedded).",
            ),
        ]
    )


def trust_from(
    public_key: str | None,
    certificate_chain: tuple[str, ...],
    identity: str | None,
    identity_provider: str | None,
    trust_config: str | None,
    *,
    required: bool = True,
) -> Any:
    from aibom.oms.trust import CLI_SPELLING, build_trust

    trust = build_trust(
        public_key=Path(public_key) if public_key else None,
        certificate_chain=paths(certificate_chain),
        identity=identity,
        issuer=identity_provider,
        trust_config=Path(trust_config) if trust_config else None,
        spelling=CLI_SPELLING,
    )
    if trust is None and required:
        raise click.UsageError(
            "choose exactly one of --public-key, --certificate-chain, "
            "or --identity with --identity-provider"
        )
    return trust
