"""CycloneDX AIBOM: export a ProvenanceGraph, import it back (or a foreign ML-BOM), validate.

    export_cyclonedx(graph, spec_version="1.7") -> str     deterministic JSON text
    import_cyclonedx(text, source="AIBOM") -> ProvenanceGraph
    validate_cyclonedx(text, spec_version="1.7") -> None    InputError naming the first error

The mapping, field by field, is in docs/mapping-cyclonedx.md.
"""

from __future__ import annotations

import functools
from typing import Any

from aibom._internal.jsonio import load_json
from aibom._internal.text import one_line
from aibom.errors import InputError
from aibom.formats import _common as cc
from aibom.formats.cyclonedx_export import export_cyclonedx, spec
from aibom.formats.cyclonedx_import import import_cyclonedx
from aibom.formats.registry import ExportOptions
from aibom.graph import ProvenanceGraph

__all__ = ["export_cyclonedx", "import_cyclonedx", "validate_cyclonedx"]


def validate_cyclonedx(text: str, spec_version: str = "1.7") -> None:
    """Schema-validate (strict, with formats) and check what a schema cannot: the document's
    specVersion, unique bom-refs, and dependency and dataset references that resolve."""
    schema_version, _ = spec(spec_version)
    doc = load_json(text, "CycloneDX document")
    if not isinstance(doc, dict) or doc.get("specVersion") != spec_version:
        found = doc.get("specVersion") if isinstance(doc, dict) else None
        raise InputError(f"CycloneDX document: specVersion is {found!r}, not {spec_version!r}")
    try:
        error = next(_validator(schema_version).iter_errors(doc), None)
    except RecursionError:
        raise InputError("CycloneDX document: nested too deeply to validate") from None
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "(document)"
        raise InputError(
            f"CycloneDX {spec_version} schema: at {where}: {one_line(error.message)}"
        )
    _check_references(doc)


@functools.cache
def _validator(schema_version: Any) -> Any:
    return cc.strict_validator(schema_version)


def _check_references(doc: dict[str, Any]) -> None:
    refs: set[str] = set()
    stack: list[Any] = [doc]
    while stack:  # every bom-ref anywhere in the document
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("bom-ref")
            if isinstance(ref, str):
                if ref in refs:
                    raise InputError(f"CycloneDX document: duplicate bom-ref {ref!r}")
                refs.add(ref)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    for dep in doc.get("dependencies", []):
        for ref in (dep["ref"], *dep.get("dependsOn", [])):
            if ref not in refs:
                raise InputError(f"CycloneDX document: dependency on unknown bom-ref {ref!r}")
    components = list(doc.get("components", []))
    if "component" in doc.get("metadata", {}):
        components.append(doc["metadata"]["component"])
    for c in components:
        params = c.get("modelCard", {}).get("modelParameters", {})
        for d in params.get("datasets", []):
            if "ref" in d and d["ref"] not in refs:
                raise InputError(
                    f"CycloneDX document: {c.get('bom-ref')!r} names unknown dataset {d['ref']!r}"
                )


def export_with_options(graph: ProvenanceGraph, options: ExportOptions) -> str:
    """The registry's exporter: `export_cyclonedx` with the common options."""
    return export_cyclonedx(graph, spec_version=options.spec_version,
                            timestamp=options.timestamp, root_ref=options.root_ref,
                       organization=options.organization, base_url=options.base_url)
