"""`aibom sign` and `aibom verify`: OMS signatures, drop-in for model_signing."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from aibom.cli.options import (
    allow_symlinks_option,
    emit_json,
    format_option,
    ignore_paths_option,
    paths,
    quiet_option,
    signer_from,
    signing_options,
    trust_from,
    trust_options,
)


def default_signature(model: str) -> Path:
    """MODEL/model.sig (or MODEL.sig beside a one-file model); a default that is a symlink out
    of the model is refused rather than followed."""
    path = Path(model)
    if not path.is_dir():
        return path.with_name(path.name + ".sig")
    if os.path.islink(path / "model.sig"):
        from aibom.evidence._io import resolve_inside

        return resolve_inside(path, "model.sig")
    return path / "model.sig"


@click.command()
@click.argument("model", type=click.Path())
@click.option("--signature", type=click.Path(), help="Bundle to write (default: MODEL/model.sig).")
@signing_options
@click.option(
    "--hash-type",
    "--hash_type",
    "hash_type",
    default="sha256",
    show_default=True,
    type=click.Choice(["sha256", "blake2b", "blake3"]),
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
@quiet_option
def sign(
    model: str,
    signature: str | None,
    hash_type: str,
    shard_size: int | None,
    ignore_paths: tuple[str, ...],
    allow_symlinks: bool,
    output_format: str,
    quiet: bool,
    **signing: Any,
) -> None:
    """Sign MODEL (a directory or a file) into an OMS v1.0 bundle."""
    from aibom.cli.progress import ProgressLine, wanted
    from aibom.oms.facts import signature_facts
    from aibom.oms.sign import sign_model

    out = Path(signature) if signature else default_signature(model)
    with ProgressLine("hashing", enabled=wanted(quiet, output_format)) as line:
        parsed = sign_model(
            Path(model),
            out,
            signer_from(**signing),
            hash_type=hash_type,
            shard_size=shard_size,
            ignore_paths=paths(ignore_paths),
            allow_symlinks=allow_symlinks,
            tick=line.tick if line.enabled else None,
        )
    sig = parsed.signature
    if output_format == "json":
        emit_json({"signature": str(out), **signature_facts(sig)})
    else:
        click.echo(
            f"signed {model}: {len(sig.resources)} resources, "
            f"root sha256:{sig.root_digest} -> {out}"
        )


@click.command()
@click.argument("model", type=click.Path())
@click.option("--signature", type=click.Path(), help="Bundle to verify (default: MODEL/model.sig).")
@trust_options()
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
@quiet_option
def verify(
    model: str,
    signature: str | None,
    ignore_paths: tuple[str, ...],
    ignore_unsigned_files: bool,
    allow_symlinks: bool,
    only: tuple[str, ...],
    no_cache: bool,
    output_format: str,
    quiet: bool,
    **trust: Any,
) -> None:
    """Verify MODEL against its OMS signature. Exit 0 verified, 1 failed, 2 bad input."""
    from aibom.cli.progress import ProgressLine, wanted
    from aibom.oms.cache import DigestCache
    from aibom.oms.facts import verification_facts
    from aibom.oms.verify import verify_model

    sig_path = Path(signature) if signature else default_signature(model)
    with ProgressLine("verifying", enabled=wanted(quiet, output_format)) as line:
        result = verify_model(
            Path(model),
            sig_path,
            trust_from(**trust),
            ignore_paths=paths(ignore_paths),
            ignore_unsigned_files=ignore_unsigned_files,
            allow_symlinks=allow_symlinks,
            only=only or None,
            cache=None if no_cache else DigestCache(),
            tick=line.tick if line.enabled else None,
        )
    if output_format == "json":
        emit_json(verification_facts(result, model, str(sig_path)))
    elif not result.ok:
        click.echo(f"FAILED {model}: {result.reason()}", err=True)
    elif result.partial:
        click.echo(
            f"partially verified {model}: {result.checked} resources match, "
            f"{len(result.not_checked)} files not checked, {_who(result.signature)}"
        )
    else:
        click.echo(f"verified {model}: {result.checked} resources match, {_who(result.signature)}")
    sys.exit(0 if result.ok else 1)


def _who(sig: Any) -> str:
    signer = sig.signer
    if signer.method == "sigstore":
        return f"signed by {signer.identity} ({signer.issuer})"
    if signer.method == "certificate":
        return f"signed by certificate sha256:{signer.certificate_fingerprint}"
    return "signed by the given key"
