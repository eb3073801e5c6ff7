"""SPDX 3.0.1 AIBOM: export a ProvenanceGraph as JSON-LD, import it back (or a foreign
SPDX 3.0.1 document with AI and dataset packages).

    export_spdx3(graph, root_ref=None, created=None) -> str   deterministic JSON-LD text
    import_spdx3(text, source="AIBOM") -> ProvenanceGraph     InputError on bad input

The mapping, field by field, is in docs/mapping-spdx.md.
"""

from __future__ import annotations

from aibom.formats.spdx3_export import export_spdx3
from aibom.formats.spdx3_import import import_spdx3

__all__ = ["export_spdx3", "import_spdx3"]
