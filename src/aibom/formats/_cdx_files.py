"""A component's files as CycloneDX components of type `file`, written as JSON directly.

A model may list tens of thousands of files. Built as cyclonedx-python-lib objects each one
costs sorted sets, rich comparisons and a serializer pass (~1 ms a file), so they are written
here as the JSON the library would write for them (hashes sorted by algorithm, then value;
properties by name, then value) and put into the serialized document afterwards.
"""

from __future__ import annotations

from typing import Any

from aibom.formats import _common as cc
from aibom.formats import vocabulary as v
from aibom.graph import Component


def file_components(c: Component, version: str | None) -> list[dict[str, Any]]:
    """Each file of `c` in file order, carrying its digest. A bom-ref that an earlier file
    already took gets the file's index appended. `group` and `version` are those of the
    component the file ships in, so that Dependency-Track (which identifies components by
    group, name and version) keeps README.md of each apart."""
    entries: list[dict[str, Any]] = []
    used: set[str] = set()
    for index, f in enumerate(c.files):
        ref = f"{c.ref}#file:{f.name}"
        if ref in used:
            ref = f"{ref}#{index}"
        used.add(ref)
        entry: dict[str, Any] = {"bom-ref": ref, "group": c.name, "name": f.name, "type": "file"}
        if version is not None:
            entry["version"] = version
        known = cc.cdx_hash(f.algorithm, f.digest)
        hashes = [known] if known is not None else []
        if f.sha512 is not None:
            hashes.append(("SHA-512", f.sha512))
        if hashes:
            entry["hashes"] = [{"alg": alg, "content": value} for alg, value in sorted(hashes)]
        if known is None:
            pairs = sorted([(v.P_FILE_ALG, f.algorithm), (v.P_FILE_DIGEST, f.digest)])
            entry["properties"] = [{"name": name, "value": value} for name, value in pairs]
        entries.append(entry)
    return entries
