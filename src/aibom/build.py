"""`aibom build` and `aibom import` as library calls: directories -> AIBOM text -> graph."""

from __future__ import annotations

from pathlib import Path

from aibom._internal.files import read_capped
from aibom._internal.jsonio import load_json
from aibom.discovery import Discovery, discover
from aibom.errors import InputError
from aibom.graph import ProvenanceGraph

FORMATS = ("cyclonedx", "spdx", "spdx2")
MAX_DOCUMENT_BYTES = 64 << 20


def build_document(
    model_dir: Path,
    *,
    with_dirs: tuple[Path, ...] = (),
    signature: Path | None = None,
    output: Path | None = None,
    fmt: str = "cyclonedx",
    spec_version: str = "1.7",
    timestamp: str | None = None,
    hash_unsigned: bool = True,
) -> tuple[str, Discovery]:
    """Discover the graph and render it. Paths inside the document are relative to the
    directory the document is written to (or the working directory for stdout)."""
    where = output.resolve().parent if output is not None else Path.cwd()
    found = discover(
        model_dir,
        with_dirs=with_dirs,
        signature=signature,
        relative_to=where,
        hash_unsigned=hash_unsigned,
    )
    return render(
        found.graph, fmt, root=found.root, spec_version=spec_version, timestamp=timestamp
    ), found


def render(
    graph: ProvenanceGraph,
    fmt: str,
    *,
    root: str | None = None,
    spec_version: str = "1.7",
    timestamp: str | None = None,
) -> str:
    if fmt == "cyclonedx":
        from aibom.formats.cyclonedx import export_cyclonedx

        return export_cyclonedx(
            graph, spec_version=spec_version, timestamp=timestamp, root_ref=root
        )
    if fmt == "spdx":
        from aibom.formats.spdx3 import export_spdx3

        return export_spdx3(graph, root_ref=root, created=timestamp)
    if fmt == "spdx2":
        from aibom.formats.spdx2 import export_spdx2

        return export_spdx2(graph, root_ref=root, created=timestamp)
    raise InputError(f"unknown output format {fmt!r} (one of {', '.join(FORMATS)})")


def read_document_bytes(path: Path) -> bytes:
    """An AIBOM's bytes, refused beyond MAX_DOCUMENT_BYTES."""
    return read_capped(path, MAX_DOCUMENT_BYTES)


def parse_document(raw: bytes, source: str) -> tuple[ProvenanceGraph, str]:
    """CycloneDX or SPDX 3.0.1 JSON -> (graph, "cyclonedx" | "spdx3")."""
    document = load_json(raw, source)
    context = document.get("@context") if isinstance(document, dict) else None
    contexts = context if isinstance(context, list) else [context]
    if isinstance(document, dict) and document.get("bomFormat") == "CycloneDX":
        from aibom.formats.cyclonedx import import_cyclonedx

        return import_cyclonedx(raw, source=source), "cyclonedx"
    if any(isinstance(c, str) and "spdx.org/rdf/3.0.1" in c for c in contexts):
        from aibom.formats.spdx3 import import_spdx3

        return import_spdx3(raw, source=source), "spdx3"
    raise InputError(f"{source} is not an AIBOM aibom can read (CycloneDX or SPDX 3.0.1 JSON)")


def read_document(path: Path) -> ProvenanceGraph:
    """Read an AIBOM (CycloneDX or SPDX 3.0.1 JSON) back into the graph."""
    return parse_document(read_document_bytes(path), str(path))[0]
