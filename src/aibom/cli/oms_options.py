"""The options of `aibom sign` and `aibom verify`, grouped by signing method.

Every option has aibom's spelling first and model_signing 1.1.1's spelling beside it, with the
same destination name as model_signing's parameter, so its command lines parse unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from aibom.cli.spelling import option
from aibom.oms.compat import COMPAT_TARGETS
from aibom.oms.hashing import HASH_TYPES

F = Callable[..., Any]
Options = list[Callable[[F], F]]

SIGN_METHODS = ("key", "certificate", "sigstore", "pkcs11-key", "pkcs11-certificate")
VERIFY_METHODS = ("key", "certificate", "sigstore")


def signature_option(verb: str) -> Callable[[F], F]:
    return option(
        "--signature",
        type=click.Path(),
        metavar="SIGNATURE_PATH",
        help=f"Bundle to {verb}. Default: MODEL/model.sig in aibom's flag form, model.sig in "
        "the working directory in model_signing's forms (a method subcommand, or `sign` "
        "with no method flag).",
    )


def model_paths(*, verify: bool) -> Options:
    """Which files a signature covers: ignore lists, git paths, symlinks."""
    options: Options = [
        option(
            "--ignore-paths",
            "--ignore_paths",
            "ignore_paths",
            multiple=True,
            metavar="PATH",
            help="Paths (relative to the working directory) left out. Repeatable.",
        ),
        option(
            "--ignore-git-paths/--no-ignore-git-paths",
            "ignore_git_paths",
            default=True,
            show_default=True,
            help="Leave out .git, .gitattributes, .github and .gitignore.",
        ),
        option(
            "--allow-symlinks",
            "--allow_symlinks",
            "allow_symlinks",
            is_flag=True,
            help="Follow symbolic links that stay inside the model.",
        ),
    ]
    if verify:
        options.append(
            option(
                "--ignore-unsigned-files/--no-ignore-unsigned-files",
                "--ignore_unsigned_files/--no-ignore_unsigned_files",
                "ignore_unsigned_files",
                default=False,
                help="Do not fail on files the signature does not list.",
            )
        )
    return options


def private_key(*, required: bool) -> Options:
    return [
        option(
            "--private-key",
            "--private_key",
            "private_key",
            type=click.Path(dir_okay=False),
            required=required,
            metavar="PRIVATE_KEY",
            help="EC private key (PEM).",
        ),
        option(
            "--password",
            envvar="AIBOM_KEY_PASSWORD",
            metavar="PASSWORD",
            help="Password of the private key (or AIBOM_KEY_PASSWORD).",
        ),
    ]


def pkcs11_uri(*, required: bool) -> Options:
    return [
        option(
            "--pkcs11-uri",
            "--pkcs11_uri",
            "pkcs11_uri",
            required=required,
            metavar="PKCS11_URI",
            help="RFC 7512 `pkcs11:` URI of a private key held in a token (aibom[pkcs11]).",
        )
    ]


def signing_certificate(*, required: bool) -> Options:
    return [
        option(
            "--signing-certificate",
            "--signing_certificate",
            "signing_certificate",
            type=click.Path(dir_okay=False),
            required=required,
            metavar="CERTIFICATE_PATH",
            help="Leaf certificate (PEM) of the signing key.",
        )
    ]


def certificate_chain(help_text: str) -> Options:
    return [
        option(
            "--certificate-chain",
            "--certificate_chain",
            "certificate_chain",
            multiple=True,
            type=click.Path(dir_okay=False),
            metavar="CERTIFICATE_PATH",
            help=help_text,
        )
    ]


def sigstore_common() -> Options:
    return [
        option(
            "--use-staging",
            "--use_staging",
            "use_staging",
            is_flag=True,
            help="Sigstore's staging instance (its trust root is embedded; verify is offline).",
        ),
        option(
            "--trust-config",
            "--trust_config",
            "trust_config",
            type=click.Path(dir_okay=False),
            metavar="TRUST_CONFIG_PATH",
            help="Sigstore ClientTrustConfig JSON (default: Sigstore production, embedded).",
        ),
    ]


def sigstore_signing(*, with_sigstore_flag: bool) -> Options:
    options: Options = []
    if with_sigstore_flag:
        options.append(
            option("--sigstore", "use_sigstore", is_flag=True, help="Sign keyless (Sigstore).")
        )
    return [
        *options,
        *sigstore_common(),
        option(
            "--identity-token",
            "--identity_token",
            "identity_token",
            envvar="SIGSTORE_ID_TOKEN",
            metavar="TOKEN",
            help="OIDC identity token (or SIGSTORE_ID_TOKEN); no OAuth flow is started.",
        ),
        option(
            "--use-ambient-credentials",
            "--use_ambient_credentials",
            "use_ambient_credentials",
            is_flag=True,
            help="Take the token from the CI environment (GitHub Actions, GitLab, Buildkite, "
            "CircleCI, GCP workload identity).",
        ),
        option(
            "--oauth-force-oob",
            "--oauth_force_oob",
            "oauth_force_oob",
            is_flag=True,
            help="OAuth flow without a browser: print the link, read the code from the terminal.",
        ),
        option(
            "--client-id",
            "--client_id",
            "client_id",
            metavar="ID",
            help="OpenID Connect client id for the OAuth flow (default: sigstore).",
        ),
        option(
            "--client-secret",
            "--client_secret",
            "client_secret",
            metavar="SECRET",
            help="OpenID Connect client secret for the OAuth flow.",
        ),
    ]


def serialization() -> Options:
    return [
        option(
            "--hash-type",
            "--hash_type",
            "hash_type",
            default="sha256",
            show_default=True,
            type=click.Choice(HASH_TYPES),
        ),
        option(
            "--shard-size",
            "--shard_size",
            "shard_size",
            type=int,
            help="Use shards serialization with byte ranges of this size.",
        ),
        option(
            "--compat",
            type=click.Choice(COMPAT_TARGETS),
            help="Refuse options whose signature the named verifier's CLI cannot check.",
        ),
    ]


def verify_trust(*, required: bool) -> dict[str, Options]:
    """The three verification methods' own options."""
    return {
        "key": [
            option(
                "--public-key",
                "--public_key",
                "public_key",
                type=click.Path(dir_okay=False),
                required=required,
                metavar="PUBLIC_KEY",
                help="Verify with this EC public key (PEM).",
            )
        ],
        "certificate": [
            *certificate_chain("Trusted root/CA certificates (PEM). Repeatable."),
            option(
                "--log-fingerprints",
                "--log_fingerprints",
                "log_fingerprints",
                is_flag=True,
                help="Print the SHA-256 fingerprint of every certificate in the bundle.",
            ),
        ],
        "sigstore": [
            option(
                "--identity",
                required=required,
                metavar="IDENTITY",
                help="Keyless: the expected signer identity (certificate SAN).",
            ),
            option(
                "--identity-provider",
                "--identity_provider",
                "identity_provider",
                required=required,
                metavar="IDENTITY_PROVIDER",
                help="Keyless: the expected OIDC issuer.",
            ),
            *sigstore_common(),
        ],
    }


def apply(options: Options) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        for opt in reversed(options):
            func = opt(func)
        return func

    return decorate
