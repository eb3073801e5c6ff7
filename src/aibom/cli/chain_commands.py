"""`aibom attest`, `aibom adopt` and `aibom verify-chain`: verifiable lineage."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from aibom.cli.options import (
    paths,
    quiet_option,
    signer_from,
    signing_options,
    trust_from,
    trust_options,
    with_dirs_option,
)
from aibom.layout import LINEAGE_ATTESTATION
from aibom.lineage import RELATIONS
from aibom.report import ReportFormat


def lineage_options(func: Any) -> Any:
    """--parent / --relation / --dataset, shared by attest and adopt."""
    options = [
        click.option(
            "--parent",
            "parents",
            multiple=True,
            type=click.Path(),
            metavar="P",
            help="A parent model: its directory or its OMS bundle. Repeatable.",
        ),
        click.option("--relation", type=click.Choice(RELATIONS), help="Required with --parent."),
        click.option(
            "--dataset",
            "datasets",
            multiple=True,
            type=click.Path(),
            metavar="D",
            help="A training dataset: its directory or its OMS bundle. Repeatable.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command()
@click.argument("model_dir", type=click.Path(file_okay=False))
@lineage_options
@click.option(
    "--signature",
    type=click.Path(dir_okay=False),
    help="Attestation to write (default: MODEL_DIR/lineage.sig).",
)
@signing_options
def attest(
    model_dir: str,
    parents: tuple[str, ...],
    relation: str | None,
    datasets: tuple[str, ...],
    signature: str | None,
    **signing: Any,
) -> None:
    """Sign a lineage attestation: MODEL_DIR derives from each --parent (by digest)."""
    from aibom.lineage.attest import attest as write_attestation

    lineage = write_attestation(
        Path(model_dir),
        parents=paths(parents),
        relation=relation,
        datasets=paths(datasets),
        signer=signer_from(**signing),
        output=Path(signature) if signature else None,
    )
    out = signature or str(Path(model_dir) / LINEAGE_ATTESTATION)
    named = [p.name for p in lineage.parents] + [d.name for d in lineage.datasets]
    click.echo(f"attested {model_dir} ({relation or 'trained on'}: {', '.join(named)}) -> {out}")


@click.command()
@click.argument("upstream_dir", type=click.Path(file_okay=False))
@click.option(
    "--pin",
    required=True,
    metavar="DIGEST_OR_MANIFEST",
    help="The upstream's OMS root digest (sha256), or a per-file SHA-256 manifest.",
)
@click.option("--source", help="Where the upstream came from (URL or hub id), recorded.")
@click.option(
    "--upstream-signature",
    type=click.Path(dir_okay=False),
    help="Upstream OMS bundle (default: UPSTREAM_DIR/model.sig when present).",
)
@trust_options("upstream")
@lineage_options
@click.option(
    "--signature",
    type=click.Path(dir_okay=False),
    help="OMS signature to write (default: UPSTREAM_DIR/model.sig; the upstream one "
    "is kept as upstream.sig).",
)
@click.option(
    "--attestation",
    type=click.Path(dir_okay=False),
    help="Adoption attestation to write (default: UPSTREAM_DIR/lineage.sig).",
)
@signing_options
@quiet_option
def adopt(
    upstream_dir: str,
    pin: str,
    source: str | None,
    upstream_signature: str | None,
    parents: tuple[str, ...],
    relation: str | None,
    datasets: tuple[str, ...],
    signature: str | None,
    attestation: str | None,
    quiet: bool,
    **options: Any,
) -> None:
    """Pin, verify and scan an upstream model, then re-sign it as the organisation's."""
    from aibom.cli.progress import ProgressLine, wanted
    from aibom.lineage.adopt import adopt as adopt_model

    upstream = {k: options.pop(k) for k in list(options) if k.startswith("upstream_")}
    trust = trust_from(
        **{k.removeprefix("upstream_"): v for k, v in upstream.items()}, required=False
    )
    with ProgressLine("adopting: hashing", enabled=wanted(quiet)) as line:
        result = adopt_model(
            Path(upstream_dir),
            pin=pin,
            signer=signer_from(**options),
            source=source,
            upstream_trust=trust,
            upstream_signature=Path(upstream_signature) if upstream_signature else None,
            parents=paths(parents),
            relation=relation,
            datasets=paths(datasets),
            signature=Path(signature) if signature else None,
            attestation=Path(attestation) if attestation else None,
            tick=line.tick if line.enabled else None,
        )
    click.echo(
        f"adopted {upstream_dir}: pin ok, {result.scanned_files} files "
        f"scanned clean, re-signed (root sha256:{result.root_digest})"
    )


def _verify_aibom(document: Path, bundle: Path, trust: Any) -> None:
    """The AIBOM's own signature, before anything in it is believed."""
    from aibom.build import read_document_bytes
    from aibom.formats.signed import verify_document
    from aibom.oms.bundle import read_raw

    signed = verify_document(read_document_bytes(document), read_raw(bundle, "AIBOM signature"),
                             trust, source=str(bundle))
    click.echo(f"verified AIBOM signature: {document.name} sha256:{signed.sha256}", err=True)


@click.command(name="verify-chain")
@click.argument("target", type=click.Path())
@click.option("--policy", "policy_path", required=True, type=click.Path(dir_okay=False))
@with_dirs_option
@click.option(
    "--root",
    type=click.Path(file_okay=False),
    help="Never read outside this directory (default: the AIBOM's directory, or the "
    "working directory for model directories). An AIBOM's paths are looked up under it "
    "first (the estate root of `build --root`), then beside the AIBOM.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice([f.value for f in ReportFormat]),
    default="text",
    show_default=True,
)
@click.option(
    "--no-rehash",
    is_flag=True,
    help="Check signatures and recorded digests only, without the weights.",
)
@click.option(
    "--aibom-signature",
    type=click.Path(dir_okay=False),
    help="The AIBOM's own Sigstore bundle (from `build --sign`): verified first, with the "
    "--aibom-* trust options; a tampered or wrongly signed AIBOM fails (exit 1).",
)
@trust_options("aibom")
def verify_chain(
    target: str,
    policy_path: str,
    with_dirs: tuple[str, ...],
    root: str | None,
    output_format: str,
    no_rehash: bool,
    aibom_signature: str | None,
    aibom_public_key: str | None,
    aibom_certificate_chain: tuple[str, ...],
    aibom_identity: str | None,
    aibom_identity_provider: str | None,
    aibom_trust_config: str | None,
) -> None:
    """Verify every signature, signer and lineage edge of an AIBOM or a model directory."""
    from aibom.chain import verify_target
    from aibom.policy import load_policy
    from aibom.report import render_report

    if aibom_signature is not None:
        if Path(target).is_dir():
            raise click.UsageError("--aibom-signature applies to an AIBOM, not a model directory")
        _verify_aibom(Path(target), Path(aibom_signature), trust_from(
            aibom_public_key, aibom_certificate_chain, aibom_identity,
            aibom_identity_provider, aibom_trust_config))
    report = verify_target(
        target,
        load_policy(Path(policy_path)),
        with_dirs=tuple(paths(with_dirs)),
        root=Path(root) if root else None,
        rehash=not no_rehash,
    )
    click.echo(render_report(report, ReportFormat(output_format), source=target), nl=False)
    sys.exit(0 if report.ok else 1)
