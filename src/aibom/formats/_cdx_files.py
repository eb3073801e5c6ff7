"""A component's files as CycloneDX components of type `file`, written as JSON directly.

A model may list tens of thousands of files. Built as cyclonedx-python-lib objects each one
costs sorted sets, rich comparisons and a serializer pass (~1 ms a file), so they are written
here as the JSON the library would write for them (hashes sorted by algorithm, then value;
properties by name, then value) and put into the serialized document afterwards. They also
write themselves as indented JSON (FileComponents.json_items): a fixed template per file is
more than twice as fast as the generic writer walking every dict.
"""

from __future__ import annotations

from json.encoder import encode_basestring as _q  # json's own string encoder (C)
from typing import Any

from aibom.formats import _common as cc
from aibom.formats import vocabulary as v
from aibom.graph import Component


class FileComponents(list[dict[str, Any]]):
    """File components (plain dicts, as any JSON list holds them) that write their items as
    `aibom._internal.jsontext.dumps_indented` would."""

    def json_items(self, newline: str) -> str | None:
        """Each item at the indentation `newline` ends with, joined by "," + `newline`;
        None when an item is not of the shape `file_components` makes (the generic writer
        then writes them all)."""
        fields = newline + "  "
        try:
            return ("," + newline).join([_file_text(entry, newline, fields) for entry in self])
        except (KeyError, TypeError, AttributeError):
            return None


def _file_text(entry: dict[str, Any], newline: str, fields: str) -> str:
    """One file component as indented JSON, keys in sorted order. Any other shape raises:
    KeyError for a missing key, TypeError for another key or a value that is not a
    string (the encoder's), AttributeError for an item that is not a dict."""
    head = (f'{{{fields}"bom-ref": {_q(entry["bom-ref"])},{fields}"group": {_q(entry["group"])},')
    known = 4
    hashes = entry.get("hashes")
    if hashes is not None:
        known += 1
        head += f'{fields}"hashes": {_pairs(hashes, "alg", "content", fields)},'
    head += f'{fields}"name": {_q(entry["name"])},'
    properties = entry.get("properties")
    if properties is not None:
        known += 1
        head += f'{fields}"properties": {_pairs(properties, "name", "value", fields)},'
    head += f'{fields}"type": {_q(entry["type"])}'
    version = entry.get("version")
    if version is not None:
        known += 1
        head += f',{fields}"version": {_q(version)}'
    if len(entry) != known:
        raise TypeError("a key the template does not know")
    return head + newline + "}"


def _pairs(items: list[dict[str, str]], first: str, second: str, newline: str) -> str:
    """A non-empty list of objects with exactly the string fields `first` < `second`."""
    if items.__class__ is not list or not items:
        raise TypeError("not a non-empty list")
    item = newline + "  "
    fields = item + "  "
    texts = []
    for pair in items:
        if len(pair) != 2:
            raise TypeError("not a pair")
        texts.append(f'{{{fields}"{first}": {_q(pair[first])},'
                     f'{fields}"{second}": {_q(pair[second])}{item}}}')
    return "[" + item + ("," + item).join(texts) + newline + "]"


def file_components(c: Component, version: str | None) -> FileComponents:
    """Each file of `c` in file order, carrying its digest. A bom-ref that an earlier file
    already took gets the file's index appended. `group` and `version` are those of the
    component the file ships in, so that Dependency-Track (which identifies components by
    group, name and version) keeps README.md of each apart."""
    entries = FileComponents()
    refs = cc.distinct_ids((f"{c.ref}#file:{f.name}" for f in c.files), "#")
    for ref, f in zip(refs, c.files, strict=True):
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
