"""`aibom build` and `aibom import`: directories to AIBOMs and back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from aibom.cli import oms_options as o
from aibom.cli.options import emit_json, format_option, paths, with_dirs_option
from aibom.formats.registry import CYCLONEDX_VERSIONS
from aibom.formats.registry import NAMES as FORMAT_NAMES


@click.command()
@click.argument("model_dir", type=click.Path())
@with_dirs_option
@click.option(
    "--signature", type=click.Path(), help="OMS bundle of MODEL_DIR (default: found beside it)."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_NAMES),
    default="cyclonedx",
    show_default=True,
)
@click.option(
    "--spec-version",
    type=click.Choice(CYCLONEDX_VERSIONS),
    default=CYCLONEDX_VERSIONS[0],
    show_default=True,
    help="CycloneDX version.",
)
@click.option(
    "--timestamp",
    help="Creation time to record, RFC 3339 (default: SOURCE_DATE_EPOCH if set, else now).",
)
@click.option(
    "--organization",
    envvar="AIBOM_ORGANIZATION",
    metavar='"NAME <EMAIL-OR-URL>"',
    help="The organisation producing the AIBOM: its author, and the supplier of components "
    "that name none (or AIBOM_ORGANIZATION).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Where the model directories are published (URL/<directory>/...): signature "
    "references become absolute URLs.",
)
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    help="The estate root the AIBOM's paths are relative to (default: the output's directory "
    "when it holds every model directory, else their deepest common directory); "
    "`verify-chain --root` takes the same directory, wherever the AIBOM has moved.",
)
@click.option("--no-hash", is_flag=True, help="Do not hash unsigned directories.")
@click.option(
    "--scan",
    "scan_files",
    is_flag=True,
    help="Scan every directory's files (as `aibom scan`) and record the result in the AIBOM.",
)
@click.option(
    "--sha512",
    is_flag=True,
    help="Also hash every file with SHA-512 (the distribution artifacts BSI TR-03183-2 asks "
    "for; reads the files once more).",
)
@click.option(
    "--sign",
    "sign_document",
    is_flag=True,
    help="Also sign the AIBOM: a Sigstore bundle (DSSE, in-toto statement over the document) "
    "written to OUTPUT.sigstore.json. The signer options are those of `aibom sign`.",
)
@click.option(
    "--sign-format",
    type=click.Choice(["sigstore", "jsf"]),
    default="sigstore",
    show_default=True,
    help="With --sign: a Sigstore bundle beside the AIBOM, or (CycloneDX, --private-key) a "
    "JSF signature inside it, as cdxgen's cdx-sign writes and its `BOM is signed` rule asks.",
)
@o.apply(
    [
        *o.private_key(required=False),
        *o.signing_certificate(required=False),
        *o.certificate_chain("Intermediate/root certificates (PEM) to embed. Repeatable."),
        *o.pkcs11_uri(required=False),
        *o.sigstore_signing(with_sigstore_flag=True),
    ]
)
def build(
    model_dir: str,
    with_dirs: tuple[str, ...],
    signature: str | None,
    output: str | None,
    fmt: str,
    spec_version: str,
    timestamp: str | None,
    organization: str | None,
    base_url: str | None,
    root: str | None,
    no_hash: bool,
    scan_files: bool,
    sha512: bool,
    sign_document: bool,
    sign_format: str,
    **signer_options: Any,
) -> None:
    """Discover the provenance graph of MODEL_DIR and emit an AIBOM."""
    from aibom._internal.atomic import write_atomic
    from aibom.build import build_document
    from aibom.formats.identity import parse_organization

    text, found = build_document(
        Path(model_dir),
        with_dirs=tuple(paths(with_dirs)),
        signature=Path(signature) if signature else None,
        output=Path(output) if output else None,
        fmt=fmt,
        spec_version=spec_version,
        timestamp=timestamp,
        hash_unsigned=not no_hash,
        organization=parse_organization(organization) if organization else None,
        base_url=base_url,
        sha512=sha512,
        scan=scan_files,
        root=Path(root) if root else None,
    )
    for warning in found.warnings:
        click.echo(f"aibom: warning: {warning}", err=True)
    signer = _signer(sign_document, output, signer_options)
    if signer is not None and sign_format == "jsf":
        text = _jsf(text, fmt, signer)
        signer = None
    if output:
        write_atomic(Path(output), text.encode())
        click.echo(f"wrote {output}: {len(found.graph)} components", err=True)
    else:
        click.echo(text, nl=False)
    if signer is not None and output:
        from aibom.formats.registry import Format
        from aibom.formats.signed import BUNDLE_SUFFIX
        from aibom.formats.signed import sign_document as sign

        bundle = sign(text.encode(), Format(fmt), Path(output).name, signer)
        write_atomic(Path(output + BUNDLE_SUFFIX), bundle)
        click.echo(f"wrote {output}{BUNDLE_SUFFIX}: signed AIBOM", err=True)


def _jsf(text: str, fmt: str, signer: Any) -> str:
    from aibom.formats.jsf import sign_jsf
    from aibom.oms.sign import KeySigner

    if fmt != "cyclonedx" or not isinstance(signer, KeySigner):
        raise click.UsageError("--sign-format jsf needs --format cyclonedx and --private-key")
    return sign_jsf(text, signer.private_key_pem, signer.password)


def _signer(sign_document: bool, output: str | None, kw: dict[str, Any]) -> Any:
    """The signer of `--sign`, checked before anything is written."""
    given = [k for k, v in kw.items() if v not in (None, False, ())]
    if not sign_document:
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise click.UsageError(f"{flag} signs the AIBOM: give --sign too")
        return None
    if not output:
        raise click.UsageError("--sign needs -o/--output (the bundle is written beside it)")
    from aibom.cli.signers import choose_sign_method, make_signer

    return make_signer(choose_sign_method(kw), kw)


@click.command(name="import")
@click.argument("document", type=click.Path())
@format_option
def import_(document: str, output_format: str) -> None:
    """Read an AIBOM back into the provenance graph and show it."""
    from aibom.build import read_document
    from aibom.graph_json import graph_summary, graph_to_dict

    graph = read_document(Path(document))
    if output_format == "json":
        emit_json(graph_to_dict(graph))
    else:
        for line in graph_summary(graph):
            click.echo(line)
