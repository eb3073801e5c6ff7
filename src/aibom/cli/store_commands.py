"""`aibom ingest`, `aibom query` and `aibom graph`: the inventory of many AIBOMs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from aibom.cli.options import emit_json, format_option, paths, quiet_option
from aibom.errors import InputError
from aibom.render import FORMATS as GRAPH_FORMATS

db_option = click.option(
    "--db",
    "db",
    envvar="AIBOM_DB",
    metavar="URL",
    help="sqlite:///FILE, a file path, or postgresql://USER@HOST/DB (or AIBOM_DB; default: "
    "inventory.sqlite in the user data directory).",
)

# option name -> selector kind (aibom.store.queries.SELECTORS)
_QUERIES = {
    "dataset": ("dataset", "NAME|DIGEST", "A dataset (name, purl, ref or OMS root digest)."),
    "base": ("base", "NAME|DIGEST", "A model or adapter (name, purl, ref or OMS root digest)."),
    "signer": (
        "signer",
        "IDENTITY",
        "Signer identity (certificate SAN) of a signature or lineage attestation.",
    ),
    "certificate_fingerprint": (
        "certificate",
        "SHA256",
        "SHA-256 of a signing certificate (leaf or any certificate of its chain).",
    ),
    "public_key_fingerprint": (
        "public_key",
        "SHA256",
        "SHA-256 of a signing public key (SPKI DER, or model_signing's key hint).",
    ),
    "rekor_index": ("rekor_index", "N", "Rekor log index of a signature."),
    "file_digest": ("file_digest", "SHA256", "Digest of a file: which models contain it."),
    "license": ("license", "ID", "License id (case-insensitive; any id in an expression)."),
}


@click.command()
@click.argument("aiboms", nargs=-1, required=True, type=click.Path())
@db_option
@click.option(
    "--keep-going",
    is_flag=True,
    help="Skip unreadable AIBOMs (each reported), ingest the rest; exit 2 if any.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="Parsing processes (default: one per CPU for 64 files or more).",
)
@format_option
@quiet_option
def ingest(
    aiboms: tuple[str, ...],
    db: str | None,
    keep_going: bool,
    jobs: int | None,
    output_format: str,
    quiet: bool,
) -> None:
    """Store the graphs of AIBOMs (CycloneDX or SPDX 3 JSON; a directory: its *.json) in the
    inventory. Idempotent: an AIBOM already there, or a component another AIBOM brought,
    is not stored twice."""
    from aibom.cli.progress import ProgressLine, wanted
    from aibom.store import Store
    from aibom.store.files import ingest_paths

    shown = ProgressLine("ingesting", "AIBOMs", enabled=wanted(quiet, output_format))
    with Store.open(db) as store, shown as line:
        report = ingest_paths(
            store,
            paths(aiboms),
            keep_going=keep_going,
            jobs=jobs,
            tick=line.update if line.enabled else None,
        )
        url = store.url
    if output_format == "json":
        emit_json(
            {
                "database": url,
                "ingested": report.ingested,
                "skipped": report.skipped,
                "failed": [{"source": s, "error": m} for s, m in report.failed],
                "totals": report.totals,
            }
        )
    else:
        for _, message in report.failed:
            click.echo(f"aibom: skipped: {message}", err=True)
        t = report.totals
        click.echo(
            f"ingested {report.ingested} AIBOMs ({report.skipped} already there, "
            f"{len(report.failed)} failed) into {url}: {t['documents']} AIBOMs, "
            f"{t['components']} components, {t['edges']} edges"
        )
    if report.failed:
        raise InputError(f"{len(report.failed)} AIBOMs could not be ingested")


def _query_options(func: Any) -> Any:
    for option, (_, metavar, help_text) in reversed(_QUERIES.items()):
        func = click.option(
            f"--{option.replace('_', '-')}", option, metavar=metavar, help=help_text
        )(func)
    return func


@click.command()
@db_option
@_query_options
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    help="Show at most this many components (a page; the total is still counted).",
)
@click.option(
    "--offset",
    type=click.IntRange(min=0),
    default=0,
    help="Skip this many components first (with --limit: the next page). The order is "
    "stable: causes, then by depth, ref and identity.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "csv", "openvex", "cyclonedx-vex"]),
    default="text",
    show_default=True,
    help="openvex / cyclonedx-vex: one VEX statement per affected component.",
)
@click.option("--vulnerability", metavar="ID",
              help="VEX: the incident's name (CVE, advisory id; default aibom:<cause>).")
@click.option("--aibom", "aibom_path", type=click.Path(dir_okay=False), metavar="AIBOM",
              help="VEX: the CycloneDX AIBOM the statements are about (products by bom-ref).")
@click.option("--organization", envvar="AIBOM_ORGANIZATION", metavar='"NAME <EMAIL-OR-URL>"',
              help="VEX: its author (or AIBOM_ORGANIZATION).")
def query(
    db: str | None,
    limit: int | None,
    offset: int,
    output_format: str,
    vulnerability: str | None,
    aibom_path: str | None,
    organization: str | None,
    **selectors: str | None,
) -> None:
    """Every component affected by a cause, transitively, each with a shortest path back to
    it. Give exactly one cause. No match is not an error: the answer is empty (exit 0);
    a VEX document without statements is refused (exit 2)."""
    from aibom.store import Selector, Store
    from aibom.store import query as run

    given = [(k, v) for k, v in selectors.items() if v is not None]
    if len(given) != 1:
        names = ", ".join(f"--{k.replace('_', '-')}" for k in _QUERIES)
        raise click.UsageError(f"give exactly one of {names}")
    option, value = given[0]
    selector = Selector(_QUERIES[option][0], value)
    selector.params()  # a malformed value fails before the database is opened
    with Store.open(db, create=False) as store:
        result = run(store, selector, limit=limit, offset=offset)
    asked = f"--{option.replace('_', '-')} {value}"
    if output_format in ("openvex", "cyclonedx-vex"):
        click.echo(_vex(result, output_format, asked, vulnerability, aibom_path, organization),
                   nl=False)
        return
    from aibom.store.answer import write_answer

    write_answer(result, output_format, sys.stdout, asked)  # streamed, not one string
    sys.stdout.flush()


def _vex(result: Any, fmt: str, cause: str, vulnerability: str | None,
         aibom_path: str | None, organization: str | None) -> str:
    from aibom.build import read_document_bytes
    from aibom.formats.identity import parse_organization
    from aibom.formats.vex import vex_document

    document = read_document_bytes(Path(aibom_path)) if aibom_path is not None else None
    return vex_document(
        result.hits, cause, fmt, vulnerability=vulnerability,
        author=parse_organization(organization) if organization else None,
        aibom_document=document, source=aibom_path or "AIBOM",
    )


@click.command(name="graph")
@click.argument("aibom", required=False, type=click.Path())
@db_option
@click.option(
    "--root",
    metavar="REF",
    help="Only the lineage around this component (ref, "
    "name, purl or OMS root digest): ancestors, descendants and their inputs.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(GRAPH_FORMATS),
    default="dot",
    show_default=True,
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write here (default: stdout)."
)
def graph_cmd(
    aibom: str | None, db: str | None, root: str | None, fmt: str, output: str | None
) -> None:
    """Draw the lineage graph of an AIBOM, or of the inventory (--db), as Graphviz DOT,
    Mermaid, or one self-contained HTML page."""
    from aibom.render import render_graph

    source = click.get_current_context().get_parameter_source("db")
    if aibom and db and source == click.core.ParameterSource.COMMANDLINE:
        raise click.UsageError("give an AIBOM or --db, not both")
    if aibom:
        from aibom.build import read_document_bytes
        from aibom.store.files import parse_aibom
        from aibom.store.queries import subgraph_of

        graph, _ = parse_aibom(read_document_bytes(Path(aibom)), aibom)
        if root is not None:
            graph = subgraph_of(graph, root)
        title = f"aibom lineage: {Path(aibom).name}"
    else:
        from aibom.store import Store, subgraph

        with Store.open(db, create=False) as store:
            graph = subgraph(store, root)
        title = "aibom lineage" + (f": {root}" if root else "")
    text = render_graph(graph, fmt, title=title)
    if output:
        from aibom._internal.atomic import write_atomic

        write_atomic(Path(output), text.encode())
        click.echo(f"wrote {output}: {len(graph)} components", err=True)
    else:
        click.echo(text, nl=False)

