"""`aibom scan`: what model files would run when loaded, without loading them."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("targets", nargs=-1, required=True, type=click.Path(), metavar="PATH...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="Report format, written to stdout.",
)
def scan(targets: tuple[str, ...], fmt: str) -> None:
    """Scan model files and directories: pickles (torch, joblib, numpy, pandas), Keras
    configs, GGUF chat templates, ONNX external data and safetensors headers.

    Exit 0 when everything is clean, 1 when anything is dangerous, not allowed or could not
    be scanned completely (fail closed), 2 for bad usage or a missing path.
    """
    from aibom.scan import scan_paths
    from aibom.scan.render import render_json, render_sarif, render_text

    report = scan_paths(Path(t) for t in targets)
    render = {"text": render_text, "json": render_json, "sarif": render_sarif}[fmt]
    click.echo(render(report), nl=False)
    sys.exit(0 if report.clean else 1)
