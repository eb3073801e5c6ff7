"""`aibom build` and `aibom import` as library calls: directories -> AIBOM text -> graph."""

from __future__ import annotations

import os
from pathlib import Path

from aibom._internal.files import read_capped
from aibom._internal.gcpause import cyclic_gc_paused
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
    root: Path | None = None,
) -> tuple[str, Discovery]:
    """Discover the graph and render it. Paths inside the document are relative to the
    estate `root` (see estate_root), never leaving it; Hub cache snapshots are recorded as
    `hf:ORG/NAME@COMMIT` references instead. With `scan`,
    every local component's files are scanned (aibom.scan) and the result recorded on it;
    with `sha512`, every file of the local components is also hashed with SHA-512 (the
    distribution artifacts of BSI TR-03183-2)."""
    if output is not None:
        from aibom.sources import refuse_cache_write

        refuse_cache_write(output)  # before any work: the cache is never written to
    inputs = (model_dir, *with_dirs, *((signature,) if signature is not None else ()))
    where = estate_root(inputs, output, root)
    with cyclic_gc_paused():  # a model's files: many small objects, none in a cycle
        found = discover(
            model_dir,
            with_dirs=with_dirs,
            signature=signature,
            relative_to=where,
            hash_unsigned=hash_unsigned,
        )
    _check_contained(found.graph, where)
    if scan:
        from dataclasses import replace

        from aibom.scan.record import record_scans

        found = replace(found, warnings=found.warnings + tuple(record_scans(found.graph, where)))
    if sha512:
        from aibom.discovery.distribution import with_sha512

        with_sha512(found.graph, where)
    options = ExportOptions(root_ref=found.root, spec_version=spec_version, timestamp=timestamp,
                            organization=organization, base_url=base_url)
    with cyclic_gc_paused():
        return export_document(found.graph, fmt, options), found


def estate_root(inputs: tuple[Path, ...], output: Path | None, root: Path | None) -> Path:
    """The directory an AIBOM's paths are relative to: `root` when given (every local input
    must lie under it), else the output's directory (the working directory for stdout) when
    every local input lies under it, else the deepest directory holding them all. `aibom
    verify-chain --root` takes the same directory, wherever the AIBOM has moved."""
    from aibom.errors import InputError
    from aibom.sources import is_reference, location_of

    local = [Path(os.path.abspath(p)) for p in inputs  # snapshots are recorded as hf: refs
             if not is_reference(str(p)) and not is_reference(location_of(p, Path.cwd()))]
    if root is not None:
        base = Path(os.path.abspath(root))
        outside = next((p for p in local if not p.is_relative_to(base)), None)
        if outside is not None:
            raise InputError(f"{outside} lies outside --root {root}",
                             hint="give a --root that holds every model directory")
        return base
    base = Path(os.path.abspath(output)).parent if output is not None else Path.cwd()
    if not local or all(p.is_relative_to(base) for p in local):
        return base
    folders = [p if p.is_dir() else p.parent for p in local]
    return Path(os.path.commonpath(folders))


def _check_contained(graph: ProvenanceGraph, where: Path) -> None:
    """No recorded path may climb out of the estate root (it would expose the local layout
    and point nowhere once the AIBOM moves)."""
    from aibom.errors import InputError

    for c in graph.components():
        recorded = [c.location, c.signature.bundle_path if c.signature is not None else None]
        for path in recorded:
            if path is not None and (path == ".." or path.startswith(("../", "/"))):
                raise InputError(f"{c.name}: {path} lies outside {where}",
                                 hint="give a --root that holds every model directory")


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
