"""`aibom build` and `aibom import` as library calls: directories -> AIBOM text -> graph."""

from __future__ import annotations

from pathlib import Path

from aibom._internal.files import read_capped
from aibom.discovery import Discovery, discover
from aibom.formats.identity import Organization
from aibom.formats.registry import NAMES, ExportOptions, export_document
from aibom.formats.registry import read_document as read_any
from aibom.graph import ProvenanceGraph

FORMATS = NAMES  # the output formats, from the one table in aibom.formats.registry
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
    organization: Organization | None = None,
    base_url: str | None = None,
    sha512: bool = False,
    scan: bool = False,
) -> tuple[str, Discovery]:
    """Discover the graph and render it. Paths inside the document are relative to the
    directory the document is written to (or the working directory for stdout). With `scan`,
    every local component's files are scanned (aibom.scan) and the result recorded on it;
    with `sha512`, every file of the local components is also hashed with SHA-512 (the
    distribution artifacts of BSI TR-03183-2)."""
    if output is not None:
        from aibom.sources import refuse_cache_write

        refuse_cache_write(output)  # before any work: the cache is never written to
    where = output.resolve().parent if output is not None else Path.cwd()
    found = discover(
        model_dir,
        with_dirs=with_dirs,
        signature=signature,
        relative_to=where,
        hash_unsigned=hash_unsigned,
    )
    if scan:
        from dataclasses import replace

        from aibom.scan.record import record_scans

        found = replace(found, warnings=found.warnings + tuple(record_scans(found.graph, where)))
    if sha512:
        from aibom.discovery.distribution import with_sha512

        with_sha512(found.graph, where)
    options = ExportOptions(root_ref=found.root, spec_version=spec_version, timestamp=timestamp,
                            organization=organization, base_url=base_url)
    return export_document(found.graph, fmt, options), found


def render(
    graph: ProvenanceGraph,
    fmt: str,
    *,
    root: str | None = None,
    spec_version: str = "1.7",
    timestamp: str | None = None,
) -> str:
    """The graph as a document of format `fmt` (a `Format` name)."""
    options = ExportOptions(root_ref=root, spec_version=spec_version, timestamp=timestamp)
    return export_document(graph, fmt, options)


def read_document_bytes(path: Path) -> bytes:
    """An AIBOM's bytes, refused beyond MAX_DOCUMENT_BYTES."""
    return read_capped(path, MAX_DOCUMENT_BYTES)


def parse_document(raw: bytes, source: str) -> tuple[ProvenanceGraph, str]:
    """CycloneDX or SPDX 3.0.1 JSON -> (graph, the format's name in the inventory)."""
    graph, entry = read_any(raw, source)
    return graph, entry.stored_as


def read_document(path: Path) -> ProvenanceGraph:
    """Read an AIBOM (CycloneDX or SPDX 3.0.1 JSON) back into the graph."""
    return parse_document(read_document_bytes(path), str(path))[0]
