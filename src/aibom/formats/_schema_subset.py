"""A subset of JSON Schema draft 7 compiled into plain Python predicates.

jsonschema walks its whole machinery (a new validator per level, reference lookups, one
generator per keyword) for each of 30,000 file components of one model: about half a
millisecond each. The few keywords the CycloneDX schema puts on the fields of a file component
compile here into predicates that decide validity exactly as jsonschema does. A keyword
outside the subset makes compilation fail (Unsupported), so a schema that gains one is
never checked loosely: the caller then leaves everything to jsonschema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from aibom.formats._unique_items import canonical

Check = Callable[[Any], bool]

# Keywords that never change a verdict (draft 7 annotations, and CycloneDX's own).
_ANNOTATIONS = frozenset({"title", "description", "examples", "$comment", "default",
                          "meta:enum", "deprecated", "readOnly", "writeOnly"})
_TYPES: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}
_DEFINITIONS = "#/definitions/"
_STRING_KEYWORDS = frozenset({"type", "enum", "pattern", "minLength", "maxLength"})
_OBJECT_KEYWORDS = frozenset({"type", "required", "properties", "additionalProperties"})


class Unsupported(Exception):
    """The schema uses a keyword (or form of one) this subset does not decide."""


def compile_schema(schema: Any, definitions: dict[str, Any]) -> Check:
    """A predicate true exactly for the instances `schema` accepts; `$ref`s are resolved
    in `definitions` (the root schema's)."""
    return _Compiler(definitions).compile(schema)


def compile_object(schema: Any, definitions: dict[str, Any], keys: Collection[str]) -> Check:
    """A predicate true only for objects with no key outside `keys` that `schema` accepts;
    False means "not decided here", never "invalid". Only the `properties` of `keys` are
    compiled, so the rest of a large object schema may use any keyword."""
    properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
    missing = [key for key in keys if key not in properties]
    if missing:
        raise Unsupported(f"the schema has no property {missing[0]!r}")
    narrowed = {**schema, "properties": {key: properties[key] for key in keys}}
    allowed = frozenset(keys)
    check = _Compiler(definitions).compile(narrowed)
    return lambda x: isinstance(x, dict) and allowed.issuperset(x) and check(x)


class _Compiler:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self._definitions = definitions
        self._open: set[str] = set()

    def compile(self, schema: Any) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        if "$ref" in schema:  # draft 7: keywords beside $ref are ignored
            return self._ref(schema["$ref"])
        fused = self._fused(schema)
        if fused is not None:
            return fused
        checks = [self._keyword(key, value, schema)
                  for key, value in schema.items() if key not in _ANNOTATIONS]
        return _all(checks)

    def _fused(self, schema: dict[str, Any]) -> Check | None:
        """The two shapes that make up most of a file component, as one function each (a
        call per keyword costs more than the checks): a string with enum, pattern and
        lengths; an object with required, properties and additionalProperties false (its
        other keywords compiled beside it). Exactly what the separate keywords decide; None
        for any other schema."""
        keys = set(schema) - _ANNOTATIONS
        if schema.get("type") == "string" and keys <= _STRING_KEYWORDS:
            enum = schema.get("enum")
            if enum is not None and not all(isinstance(e, str) for e in enum):
                return None
            return _string(frozenset(enum) if enum is not None else None,
                           re.compile(schema["pattern"]) if "pattern" in schema else None,
                           schema.get("minLength", 0), schema.get("maxLength"))
        if schema.get("type") == "object" and schema.get("additionalProperties") is False:
            if "patternProperties" in schema:
                raise Unsupported("patternProperties")
            checks = {name: self.compile(sub)
                      for name, sub in schema.get("properties", {}).items()}
            fused = _closed_object(frozenset(schema.get("required", ())), checks)
            rest = [self._keyword(key, schema[key], schema)
                    for key in sorted(keys - _OBJECT_KEYWORDS)]
            return _all([fused, *rest])
        return None

    def _ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith(_DEFINITIONS):
            raise Unsupported(f"$ref {ref!r}")
        name = ref[len(_DEFINITIONS):]
        if "/" in name or "~" in name or "%" in name or name not in self._definitions:
            raise Unsupported(f"$ref {ref!r}")
        if name in self._open:
            raise Unsupported(f"recursive $ref {ref!r}")
        self._open.add(name)
        try:
            return self.compile(self._definitions[name])
        finally:
            self._open.discard(name)

    def _keyword(self, key: str, value: Any, schema: dict[str, Any]) -> Check:
        if key == "type":
            names = value if isinstance(value, list) else [value]
            if not all(isinstance(n, str) and n in _TYPES for n in names):
                raise Unsupported(f"type {value!r}")
            tests = [_TYPES[n] for n in names]
            return tests[0] if len(tests) == 1 else lambda x: any(t(x) for t in tests)
        if key == "enum":
            if all(isinstance(choice, str) for choice in value):
                strings = frozenset(value)  # a string equals only a string
                return lambda x: isinstance(x, str) and x in strings
            choices = frozenset(canonical(choice) for choice in value)
            return lambda x: canonical(x) in choices
        if key == "const":
            expected = canonical(value)
            return lambda x: canonical(x) == expected
        if key == "pattern":
            pattern = re.compile(value)  # jsonschema: re.search(pattern, instance)
            return lambda x: not isinstance(x, str) or pattern.search(x) is not None
        if key in ("minLength", "maxLength"):
            return _length(key, value)
        if key == "required":
            wanted = frozenset(value)
            return lambda x: not isinstance(x, dict) or wanted.issubset(x)
        if key == "properties":
            return self._properties(value)
        if key == "additionalProperties":
            return self._additional(value, schema)
        if key == "items":
            if not isinstance(value, dict | bool):
                raise Unsupported("items as a list")
            return _each(self.compile(value))
        if key == "uniqueItems":
            return _unique if value is True else (lambda x: True)
        if key == "allOf":
            return _all([self.compile(s) for s in value])
        if key == "not":
            negated = self.compile(value)
            return lambda x: not negated(x)
        if key == "if":
            return self._conditional(value, schema)
        if key in ("then", "else"):
            return lambda x: True  # decided with "if"; without an "if" they are ignored
        raise Unsupported(f"keyword {key!r}")

    def _properties(self, value: dict[str, Any]) -> Check:
        checks = {name: self.compile(sub) for name, sub in value.items()}
        find = checks.get

        def properties(x: Any) -> bool:
            if isinstance(x, dict):
                for name, item in x.items():
                    check = find(name)
                    if check is not None and not check(item):
                        return False
            return True

        return properties

    def _additional(self, value: Any, schema: dict[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        known = frozenset(schema.get("properties", {}))
        if value is False:
            return lambda x: not isinstance(x, dict) or known.issuperset(x)
        extra = self.compile(value)
        return lambda x: not isinstance(x, dict) or all(
            extra(item) for key, item in x.items() if key not in known)

    def _conditional(self, value: Any, schema: dict[str, Any]) -> Check:
        condition = self.compile(value)
        then = self.compile(schema.get("then", True))
        otherwise = self.compile(schema.get("else", True))
        return lambda x: then(x) if condition(x) else otherwise(x)


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)

    return lambda x: all(check(x) for check in checks)


def _each(check: Check) -> Check:
    def items(x: Any) -> bool:
        if isinstance(x, list):
            for item in x:
                if not check(item):
                    return False
        return True

    return items


def _length(key: str, limit: Any) -> Check:
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise Unsupported(f"{key} {limit!r}")
    if key == "minLength":
        return lambda x: not isinstance(x, str) or len(x) >= limit
    return lambda x: not isinstance(x, str) or len(x) <= limit


def _unique(x: Any) -> bool:
    if not isinstance(x, list):
        return True
    return len({canonical(item) for item in x}) == len(x)


def _string(choices: frozenset[str] | None, pattern: re.Pattern[str] | None, shortest: Any,
            longest: Any) -> Check:
    for key, limit in (("minLength", shortest), ("maxLength", longest)):
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool)):
            raise Unsupported(f"{key} {limit!r}")
    most = longest if longest is not None else -1

    def string(x: Any) -> bool:
        if not isinstance(x, str) or len(x) < shortest or (most >= 0 and len(x) > most):
            return False
        if choices is not None and x not in choices:
            return False
        return pattern is None or pattern.search(x) is not None

    return string


def _closed_object(required: frozenset[str], checks: dict[str, Check]) -> Check:
    known = frozenset(checks)
    find = checks.get

    def closed_object(x: Any) -> bool:
        if not isinstance(x, dict) or not required.issubset(x) or not known.issuperset(x):
            return False
        for name, item in x.items():
            check = find(name)
            if check is not None and not check(item):
                return False
        return True

    return closed_object
