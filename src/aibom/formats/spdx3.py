"""SPDX 3.0.1 AIBOM: export a ProvenanceGraph as JSON-LD, import it back (or a foreign
SPDX 3.0.1 document with AI and dataset packages).

    export_spdx3(graph, root_ref=None, created=None) -> str   deterministic JSON-LD text
    import_spdx3(text, source="AIBOM") -> ProvenanceGraph     InputError on bad input

The mapping, field by field, is in docs/mapping-spdx.md.
"""

from __future__ import annotations

from aibom.formats.registry import ExportOptions
from aibom.formats.spdx3_export import export_spdx3
from aibom.formats.spdx3_import import import_spdx3
from aibom.graph import ProvenanceGraph

__all__ = ["export_spdx3", "import_spdx3"]


def export_with_options(graph: ProvenanceGraph, options: ExportOptions) -> str:
    """The registry's exporter: `export_spdx3` with the common options."""
    return export_spdx3(graph, root_ref=options.root_ref, created=options.timestamp,
                       organization=options.organization, base_url=options.base_url)
