"""A linear-time `uniqueItems` for jsonschema validators.

jsonschema compares every pair of array items when they are objects (they cannot be hashed),
so one CycloneDX component with 30,000 file components costs 450 million comparisons. Here
every item becomes a hashable canonical form with JSON equality (1 == 1.0, true != 1, key
order ignored) and duplicates are found through a set, in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
from jsonschema import ValidationError, validators


def canonical(value: Any) -> Any:
    """A hashable value equal for, and only for, JSON-equal instances."""
    if isinstance(value, dict):
        return ("object", frozenset((key, canonical(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return ("array", tuple(canonical(item) for item in value))
    if isinstance(value, bool):
        return ("boolean", value)
    if isinstance(value, int | float):
        return ("number", value)  # 1 and 1.0 are equal and hash alike
    if value is None:
        return ("null",)
    return ("string", value)


def unique_items(
    validator: Any, unique: Any, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    """The `uniqueItems` keyword, one pass over the array."""
    if not unique or not validator.is_type(instance, "array"):
        return
    if _distinct_refs(instance):
        return
    seen: set[Any] = set()
    for item in instance:
        key = canonical(item)
        if key in seen:
            yield ValidationError(f"array item {_short(item)} is not unique")
            return
        seen.add(key)


def _distinct_refs(items: list[Any]) -> bool:
    """Objects whose `bom-ref`s are distinct strings cannot be equal: a shortcut past
    canonical forms for the thousands of file components of one model."""
    refs = set()
    for item in items:
        ref = item.get("bom-ref") if isinstance(item, dict) else None
        if not isinstance(ref, str):
            return False
        refs.add(ref)
    return len(refs) == len(items)


def _short(item: Any) -> str:
    text = repr(item)
    return text if len(text) <= 120 else text[:117] + "..."


def with_keywords(validator: Any, keywords: dict[str, Any]) -> Any:
    """The same validator (schema, registry, format checker) with these keyword functions."""
    cls = validators.extend(type(validator), keywords)
    # what Validator.evolve does, but into the extended class: every init field carried over
    fields = attrs.fields(type(validator))
    return cls(**{f.alias: getattr(validator, f.name) for f in fields if f.init})
