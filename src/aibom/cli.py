"""The `aibom` command line: parse options, call one library function, render its result."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from aibom import __version__
from aibom.errors import AibomError, InputError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _paths(values: tuple[str, ...]) -> list[Path]:
    return [Path(v) for v in values]


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None


def _emit(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="aibom")
def cli() -> None:
    """Link OMS signatures, lineage and datasets of AI models into one verifiable graph.

    Exit codes: 0 ok, 1 verification failed, 2 bad input or usage.
    """


ignore_paths_option = click.option(
    "--ignore-paths",
    "--ignore_paths",
    "ignore_paths",
    multiple=True,
    metavar="PATH",
    help="Paths (relative to the working directory) left out of the signature. Repeatable.",
)
allow_symlinks_option = click.option(
    "--allow-symlinks",
    "--allow_symlinks",
    "allow_symlinks",
    is_flag=True,
    help="Follow symbolic links that stay inside the model.",
)
trust_config_option = click.option(
    "--trust-config",
    "--trust_config",
    "trust_config",
    type=click.Path(dir_okay=False),
    help="Sigstore ClientTrustConfig JSON (default: Sigstore production, embedded, offline).",
)
format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)


@cli.command()
@click.argument("model", type=click.Path())
@click.option("--signature", type=click.Path(), help="Bundle to write (default: MODEL/model.sig).")
@click.option(
    "--private-key",
    "--private_key",
    "private_key",
    type=click.Path(dir_okay=False),
    help="EC private key (PEM) for key or certificate signing.",
)
@click.option(
    "--password",
    envvar="AIBOM_KEY_PASSWORD",
    help="Password of the private key (or AIBOM_KEY_PASSWORD).",
)
@click.option(
    "--signing-certificate",
    "--signing_certificate",
    "signing_certificate",
    type=click.Path(dir_okay=False),
    help="Leaf certificate (PEM) of the private key.",
)
@click.option(
    "--certificate-chain",
    "--certificate_chain",
    "certificate_chain",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Intermediate/root certificates (PEM). Repeatable.",
)
@click.option("--sigstore", "use_sigstore", is_flag=True, help="Sign keyless through Sigstore.")
@click.option(
    "--identity-token",
    "--identity_token",
    "identity_token",
    envvar="SIGSTORE_ID_TOKEN",
    help="OIDC identity token for keyless signing (or SIGSTORE_ID_TOKEN).",
)
@trust_config_option
@click.option(
    "--hash-type",
    "--hash_type",
    "hash_type",
    type=click.Choice(["sha256", "blake2b", "blake3"]),
    default="sha256",
    show_default=True,
)
@click.option(
    "--shard-size",
    "--shard_size",
    "shard_size",
    type=int,
    help="Use shards serialization with byte ranges of this size.",
)
@ignore_paths_option
@allow_symlinks_option
@format_option
def sign(
    model: str,
    signature: str | None,
    private_key: str | None,
    password: str | None,
    signing_certificate: str | None,
    certificate_chain: tuple[str, ...],
    use_sigstore: bool,
    identity_token: str | None,
    trust_config: str | None,
    hash_type: str,
    shard_size: int | None,
    ignore_paths: tuple[str, ...],
    allow_symlinks: bool,
    output_format: str,
) -> None:
    """Sign MODEL (a directory or a file) into an OMS v1.0 bundle."""
    from aibom.oms import sign as signing
    from aibom.oms.facts import signature_facts

    signer: signing.Signer
    if use_sigstore:
        if private_key:
            raise click.UsageError("--sigstore and --private-key exclude each other")
        if not identity_token:
            raise click.UsageError("keyless signing needs --identity-token (or SIGSTORE_ID_TOKEN)")
        signer = signing.KeylessSigner(identity_token, Path(trust_config) if trust_config else None)
    elif private_key:
        pem = _read(private_key, "private key")
        secret = password.encode() if password else None
        if signing_certificate:
            chain = tuple(_read(c, "certificate chain") for c in certificate_chain)
            signer = signing.CertificateSigner(
                pem, _read(signing_certificate, "signing certificate"), chain, secret
            )
        elif certificate_chain:
            raise click.UsageError("--certificate-chain needs --signing-certificate")
        else:
            signer = signing.KeySigner(pem, secret)
    else:
        raise click.UsageError("choose a signing method: --private-key, or --sigstore")
    out = Path(signature) if signature else _default_signature(model)
    parsed = signing.sign_model(
        Path(model),
        out,
        signer,
        hash_type=hash_type,
        shard_size=shard_size,
        ignore_paths=_paths(ignore_paths),
        allow_symlinks=allow_symlinks,
    )
    if output_format == "json":
        _emit({"signature": str(out), **signature_facts(parsed.signature)})
    else:
        sig = parsed.signature
        click.echo(
            f"signed {model}: {len(sig.resources)} resources, "
            f"root sha256:{sig.root_digest} -> {out}"
        )


def _default_signature(model: str) -> Path:
    path = Path(model)
    return path / "model.sig" if path.is_dir() else path.with_name(path.name + ".sig")


@cli.command()
@click.argument("model", type=click.Path())
@click.option("--signature", type=click.Path(), help="Bundle to verify (default: MODEL/model.sig).")
@click.option(
    "--public-key",
    "--public_key",
    "public_key",
    type=click.Path(dir_okay=False),
    help="Verify with this EC public key (PEM).",
)
@click.option(
    "--certificate-chain",
    "--certificate_chain",
    "certificate_chain",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Trusted root/CA certificates (PEM). Repeatable.",
)
@click.option("--identity", help="Keyless: the expected signer identity (certificate SAN).")
@click.option(
    "--identity-provider",
    "--identity_provider",
    "identity_provider",
    help="Keyless: the expected OIDC issuer.",
)
@trust_config_option
@ignore_paths_option
@click.option(
    "--ignore-unsigned-files",
    "--ignore_unsigned_files",
    "ignore_unsigned_files",
    is_flag=True,
    help="Do not fail on files the signature does not list.",
)
@allow_symlinks_option
@click.option(
    "--only",
    multiple=True,
    metavar="PATTERN",
    help="Check only signed files matching this glob (e.g. the shards about to be "
    "loaded); the rest are reported as not checked. Repeatable.",
)
@click.option("--no-cache", is_flag=True, help="Hash every file; do not use the digest cache.")
@format_option
def verify(
    model: str,
    signature: str | None,
    public_key: str | None,
    certificate_chain: tuple[str, ...],
    identity: str | None,
    identity_provider: str | None,
    trust_config: str | None,
    ignore_paths: tuple[str, ...],
    ignore_unsigned_files: bool,
    allow_symlinks: bool,
    only: tuple[str, ...],
    no_cache: bool,
    output_format: str,
) -> None:
    """Verify MODEL against its OMS signature. Exit 0 verified, 1 failed, 2 bad input."""
    from aibom.oms import verify as verifying
    from aibom.oms.cache import DigestCache
    from aibom.oms.facts import verification_facts

    chosen = [bool(public_key), bool(certificate_chain), bool(identity or identity_provider)]
    if sum(chosen) != 1:
        raise click.UsageError(
            "choose exactly one of --public-key, --certificate-chain, "
            "or --identity with --identity-provider"
        )
    trust: verifying.Trust
    if public_key:
        trust = verifying.KeyTrust(_read(public_key, "public key"))
    elif certificate_chain:
        trust = verifying.CertificateTrust(
            tuple(_read(c, "certificate chain") for c in certificate_chain)
        )
    else:
        if not (identity and identity_provider):
            raise click.UsageError(
                "keyless verification needs both --identity and --identity-provider"
            )
        trust = verifying.KeylessTrust(
            identity, identity_provider, Path(trust_config) if trust_config else None
        )
    sig_path = Path(signature) if signature else _default_signature(model)
    result = verifying.verify_model(
        Path(model),
        sig_path,
        trust,
        ignore_paths=_paths(ignore_paths),
        ignore_unsigned_files=ignore_unsigned_files,
        allow_symlinks=allow_symlinks,
        only=only or None,
        cache=None if no_cache else DigestCache(),
    )
    if output_format == "json":
        _emit(verification_facts(result, model, str(sig_path)))
    elif result.ok and result.partial:
        click.echo(
            f"partially verified {model}: {result.checked} resources match, "
            f"{len(result.not_checked)} files not checked, {_who(result.signature)}"
        )
    elif result.ok:
        click.echo(f"verified {model}: {result.checked} resources match, {_who(result.signature)}")
    else:
        click.echo(f"FAILED {model}: {result.reason()}", err=True)
    sys.exit(EXIT_OK if result.ok else EXIT_FAILED)


@cli.command()
@click.argument("model_dir", type=click.Path())
@click.option(
    "--with",
    "with_dirs",
    multiple=True,
    type=click.Path(),
    metavar="DIR",
    help="Related model or dataset directories to resolve references against. Repeatable.",
)
@click.option(
    "--signature", type=click.Path(), help="OMS bundle of MODEL_DIR (default: found beside it)."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout)."
)
@click.option(
    "--format", "fmt", type=click.Choice(["cyclonedx"]), default="cyclonedx", show_default=True
)
@click.option("--spec-version", type=click.Choice(["1.7", "1.6"]), default="1.7", show_default=True)
@click.option(
    "--timestamp", help="metadata.timestamp to record (default: none, for reproducible output)."
)
@click.option("--no-hash", is_flag=True, help="Do not hash unsigned directories.")
def build(
    model_dir: str,
    with_dirs: tuple[str, ...],
    signature: str | None,
    output: str | None,
    fmt: str,
    spec_version: str,
    timestamp: str | None,
    no_hash: bool,
) -> None:
    """Discover the provenance graph of MODEL_DIR and emit an AIBOM."""
    from aibom.build import build_document
    from aibom.oms.sign import write_atomic

    text, found = build_document(
        Path(model_dir),
        with_dirs=tuple(_paths(with_dirs)),
        signature=Path(signature) if signature else None,
        output=Path(output) if output else None,
        fmt=fmt,
        spec_version=spec_version,
        timestamp=timestamp,
        hash_unsigned=not no_hash,
    )
    for warning in found.warnings:
        click.echo(f"aibom: warning: {warning}", err=True)
    if output:
        write_atomic(Path(output), text.encode())
        click.echo(f"wrote {output}: {len(found.graph)} components", err=True)
    else:
        click.echo(text, nl=False)


@cli.command(name="import")
@click.argument("document", type=click.Path())
@format_option
def import_(document: str, output_format: str) -> None:
    """Read an AIBOM back into the provenance graph and show it."""
    from aibom.build import read_document
    from aibom.graph_json import graph_summary, graph_to_dict

    graph = read_document(Path(document))
    if output_format == "json":
        _emit(graph_to_dict(graph))
    else:
        for line in graph_summary(graph):
            click.echo(line)


def _who(sig: Any) -> str:
    signer = sig.signer
    if signer.method == "sigstore":
        return f"signed by {signer.identity} ({signer.issuer})"
    if signer.method == "certificate":
        return f"signed by certificate sha256:{signer.certificate_fingerprint}"
    return "signed by the given key"


def main(argv: list[str] | None = None) -> None:
    """Entry point: every AibomError becomes one line on stderr and its exit code."""
    try:
        cli.main(args=argv, prog_name="aibom", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aibom: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(f"aibom: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except AibomError as exc:
        click.echo(
            f"aibom: {'verification failed' if exc.exit_code == 1 else 'error'}: {exc.one_line()}",
            err=True,
        )
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # last resort: a bug must still not print a traceback at users
        if os.environ.get("AIBOM_DEBUG"):
            raise
        click.echo(
            f"aibom: internal error: {type(exc).__name__}: {exc} (set AIBOM_DEBUG=1 for details)",
            err=True,
        )
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    main()
