"""SHA-512 of every file of the local components: the hash of each distribution artifact
that BSI TR-03183-2 asks for. It reads every file once more (the OMS manifest holds SHA-256,
BLAKE2b or BLAKE3 digests), so `aibom build` does it only when asked (`--sha512`).

Only files the component's manifest names are read, each only inside the component's own
directory (resolved, no symlink out of it); a file that cannot be read keeps no SHA-512 and
the component gets a warning.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from aibom.graph import Component, ProvenanceGraph

_CHUNK = 1 << 20


def with_sha512(graph: ProvenanceGraph, relative_to: Path) -> ProvenanceGraph:
    """The graph with `FileDigest.sha512` filled in for every file of every local component
    whose directory (`location`, relative to `relative_to`) is known."""
    for c in graph.components():
        if c.local and c.location is not None and c.files:
            graph.replace_component(_hashed(c, relative_to))
    return graph


def _hashed(c: Component, relative_to: Path) -> Component:
    folder = (relative_to / (c.location or ".")).resolve()
    files, failed = [], []
    for f in c.files:
        digest = _sha512(folder, f.name) if folder.is_dir() else None
        if digest is None:
            failed.append(f.name)
        files.append(dataclasses.replace(f, sha512=digest) if digest else f)
    warnings = c.warnings
    if failed:
        warnings = (*warnings, f"no SHA-512 of {len(failed)} file(s), e.g. {failed[0]!r}: "
                               "not a readable regular file inside the component's directory")
    return dataclasses.replace(c, files=tuple(files), warnings=warnings)


def _sha512(folder: Path, name: str) -> str | None:
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        return None
    digest = hashlib.sha512()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()
