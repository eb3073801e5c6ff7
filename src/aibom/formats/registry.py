"""Every document format aibom writes and reads, in one table keyed by `Format`.

The CLI's choices, `aibom.build` and the store's importer all read this table; adding a format
is one entry here. Exporters and importers are loaded on first use (their libraries are slow
to import), so reading the table costs nothing.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from aibom.errors import InputError
from aibom.formats.identity import Organization
from aibom.graph import ProvenanceGraph


class Format(StrEnum):
    """A document format, by the name the CLI takes."""

    CYCLONEDX = "cyclonedx"
    SPDX3 = "spdx"
    SPDX2 = "spdx2"


@dataclass(frozen=True)
class ExportOptions:
    """What every exporter is told besides the graph."""

    root_ref: str | None = None  # the component the document is about
    spec_version: str = "1.7"  # CycloneDX only
    timestamp: str | None = None  # RFC 3339; default SOURCE_DATE_EPOCH, else now
    organization: Organization | None = None  # producing the AIBOM; supplier of last resort
    base_url: str | None = None  # where the component directories are published


@dataclass(frozen=True)
class FormatEntry:
    """One format: its title, the name the inventory records, and where its code lives."""

    format: Format
    title: str
    stored_as: str
    exporter: str  # "module:function(graph, options) -> str"
    importer: str | None  # "module:function(parsed JSON, source) -> ProvenanceGraph"
    recognizes: Callable[[Any], bool]  # does a parsed JSON document look like this format

    def export(self, graph: ProvenanceGraph, options: ExportOptions) -> str:
        """The graph as a document of this format."""
        return str(_load(self.exporter)(graph, options))

    def read(self, document: Any, source: str) -> ProvenanceGraph:
        """A parsed document of this format as a graph."""
        if self.importer is None:
            raise InputError(f"{source}: aibom does not read {self.title} documents")
        graph: ProvenanceGraph = _load(self.importer)(document, source)
        return graph


def _load(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _is_cyclonedx(document: Any) -> bool:
    return isinstance(document, dict) and document.get("bomFormat") == "CycloneDX"


def _is_spdx3(document: Any) -> bool:
    context = document.get("@context") if isinstance(document, dict) else None
    contexts = context if isinstance(context, list) else [context]
    return any(isinstance(c, str) and "spdx.org/rdf/3.0.1" in c for c in contexts)


def _is_spdx2(document: Any) -> bool:
    return isinstance(document, dict) and document.get("spdxVersion") == "SPDX-2.3"


FORMATS: dict[Format, FormatEntry] = {
    Format.CYCLONEDX: FormatEntry(
        Format.CYCLONEDX, "CycloneDX", "cyclonedx",
        "aibom.formats.cyclonedx:export_with_options",
        "aibom.formats.cyclonedx_import:read_cyclonedx", _is_cyclonedx,
    ),
    Format.SPDX3: FormatEntry(
        Format.SPDX3, "SPDX 3.0.1", "spdx3",
        "aibom.formats.spdx3:export_with_options",
        "aibom.formats.spdx3_import:read_spdx3", _is_spdx3,
    ),
    Format.SPDX2: FormatEntry(
        Format.SPDX2, "SPDX 2.3", "spdx2",
        "aibom.formats.spdx2:export_with_options", None, _is_spdx2,
    ),
}
NAMES = tuple(f.value for f in Format)  # for option choices, in table order
CYCLONEDX_VERSIONS = ("1.7", "1.6")  # the first is the default


def entry(fmt: str | Format) -> FormatEntry:
    """The table entry of a format name; InputError for an unknown one."""
    try:
        return FORMATS[Format(fmt)]
    except ValueError:
        raise InputError(f"unknown output format {fmt!r} (one of {', '.join(NAMES)})") from None


def export_document(graph: ProvenanceGraph, fmt: str | Format,
                    options: ExportOptions | None = None) -> str:
    """The graph as a document of format `fmt`."""
    return entry(fmt).export(graph, options or ExportOptions())


def read_document(raw: bytes | str, source: str) -> tuple[ProvenanceGraph, FormatEntry]:
    """An AIBOM of any readable format -> (graph, its format). The JSON is parsed once."""
    from aibom._internal.jsonio import load_json

    document = load_json(raw, source)
    for known in FORMATS.values():
        if known.importer is not None and known.recognizes(document):
            return known.read(document, source), known
    readable = " or ".join(e.title for e in FORMATS.values() if e.importer)
    raise InputError(f"{source} is not an AIBOM aibom can read ({readable} JSON)")
