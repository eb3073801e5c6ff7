"""Document formats aibom writes and reads: CycloneDX 1.7/1.6, SPDX 3.0.1, SPDX 2.3.

The formats are listed in `aibom.formats.registry` (one table keyed by `Format`); the `aibom:`
property names they share are in `aibom.formats.vocabulary`.
"""

from __future__ import annotations

from typing import Any

from aibom.formats.registry import FORMATS, ExportOptions, Format, export_document, read_document

__all__ = [
    "FORMATS",
    "ExportOptions",
    "Format",
    "export_cyclonedx",
    "export_document",
    "import_cyclonedx",
    "read_document",
    "validate_cyclonedx",
]


def __getattr__(name: str) -> Any:
    if name in ("export_cyclonedx", "import_cyclonedx", "validate_cyclonedx"):
        from aibom.formats import cyclonedx  # loaded on first use: cyclonedx-python-lib is slow

        return getattr(cyclonedx, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
