"""The CycloneDX schema validator, fast on components with many files, same verdicts.

Every CycloneDX document aibom writes is validated against the official schema before it is
returned. A model with 30,000 files has 30,000 nested file components, and jsonschema spends
about half a millisecond on each. Here the `items` keyword skips a component that a compiled
predicate (`_schema_subset`, built from the schema's own `component` definition) proves
valid: one with only the fields aibom writes on a file component and values the schema
accepts. Every other component, and every component the predicate cannot prove valid, is
validated by jsonschema as before, at the same position: the first error and its path are
the ones plain jsonschema reports. `uniqueItems` is linear (`_unique_items`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from referencing.exceptions import Unresolvable

from aibom.formats._schema_subset import Unsupported, compile_object
from aibom.formats._unique_items import unique_items, with_keywords

COMPONENT_REF = "#/definitions/component"
# The fields of a file component (formats/_cdx_files.py), and the predicate's whole domain.
FILE_KEYS = ("bom-ref", "group", "hashes", "name", "properties", "type", "version")


def file_component_check(schema: dict[str, Any]) -> Callable[[Any], bool] | None:
    """The predicate proving a file component valid under `schema` (a CycloneDX root
    schema), or None when the schema's component definition uses a keyword it cannot
    decide exactly."""
    definitions = schema.get("definitions")
    if not isinstance(definitions, dict) or not isinstance(definitions.get("component"), dict):
        return None
    try:
        return compile_object(definitions["component"], definitions, FILE_KEYS)
    except Unsupported:
        return None


def fast_validator(validator: Any) -> Any:
    """The same validator with linear `uniqueItems` and, when the schema allows it, an
    `items` that skips file components proven valid."""
    keywords: dict[str, Any] = {"uniqueItems": unique_items}
    proven = file_component_check(validator.schema)
    if proven is not None:
        component = validator.schema["definitions"]["component"]
        keywords["items"] = _items_skipping(proven, component, type(validator).VALIDATORS["items"])
    return with_keywords(validator, keywords)


def _items_skipping(proven: Callable[[Any], bool], component: dict[str, Any],
                    items_keyword: Any) -> Any:
    def items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterator[Any]:
        if not (isinstance(instance, list) and _is_component_ref(validator, items, component)):
            yield from items_keyword(validator, items, instance, schema)
            return
        for index, item in enumerate(instance):
            if not proven(item):
                yield from validator.descend(item, items, path=index)

    return items


def _is_component_ref(validator: Any, items: Any, component: dict[str, Any]) -> bool:
    """Whether `items` is a reference to this very component definition (not to one of the
    same name in another schema of the registry)."""
    if not isinstance(items, dict) or items.get("$ref") != COMPONENT_REF:
        return False
    resolver = getattr(validator, "_resolver", None)
    if resolver is None:
        return False
    try:
        return resolver.lookup(COMPONENT_REF).contents is component
    except Unresolvable:
        return False
