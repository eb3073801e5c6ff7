"""A subset of JSON Schema draft 7 compiled into plain Python predicates.

jsonschema walks its whole machinery (a new validator per level, reference lookups, one
generator per keyword) for each of 30,000 file components of one model: about half a
millisecond each. The few keywords the CycloneDX schema puts on the fields of a file component
compile here into predicates that decide validity exactly as jsonschema does. A keyword
outside the subset makes compilation fail (Unsupported), so a schema that gains one is
never checked loosely: the caller then leaves everything to jsonschema.

An object predicate knows which keys the objects it sees may have (`compile_object`), so the
rules about other keys (CycloneDX's "not both version and versionRange") fold away at compile
time instead of running on every file.
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
_ARRAY_KEYWORDS = frozenset({"type", "items"})


def _always(x: Any) -> bool:
    return True


def _never(x: Any) -> bool:
    return False


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
    check = _Compiler(definitions).compile(narrowed, allowed)
    if narrowed.get("type") == "object" and narrowed.get("additionalProperties") is False:
        return check  # its first test is the one below (_Compiler._fused)
    return lambda x: isinstance(x, dict) and allowed.issuperset(x) and check(x)


class _Compiler:
    def __init__(self, definitions: dict[str, Any]) -> None:
        self._definitions = definitions
        self._open: set[str] = set()

    def compile(self, schema: Any, keys: frozenset[str] | None = None) -> Check:
        """The predicate of `schema`. With `keys`, it is only ever asked about dicts whose
        keys are among `keys` (the object `compile_object` narrowed), and may fold rules
        that such a dict cannot break into constants."""
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise Unsupported(f"schema {schema!r}")
        if "$ref" in schema:  # draft 7: keywords beside $ref are ignored
            return self._ref(schema["$ref"], keys)
        fused = self._fused(schema, keys)
        if fused is not None:
            return fused
        checks = [self._keyword(key, value, schema, keys)
                  for key, value in schema.items() if key not in _ANNOTATIONS]
        return _all(checks)

    def _fused(self, schema: dict[str, Any], keys: frozenset[str] | None) -> Check | None:
        """The two shapes that make up most of a file component, as one function each (a
        call per keyword costs more than the checks): a string with enum, pattern and
        lengths; an object with required, properties and additionalProperties false (its
        other keywords compiled beside it, after it); an array with items. Exactly what
        the separate keywords decide; None for any other schema."""
        present = set(schema) - _ANNOTATIONS
        if schema.get("type") == "string" and present <= _STRING_KEYWORDS:
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
            rest = [self._keyword(key, schema[key], schema, frozenset(checks))
                    for key in sorted(present - _OBJECT_KEYWORDS)]
            return _all([fused, *rest])
        if schema.get("type") == "array" and present == _ARRAY_KEYWORDS:
            return _array_of(self._items(schema["items"]))
        return None

    def _ref(self, ref: Any, keys: frozenset[str] | None) -> Check:
        if not isinstance(ref, str) or not ref.startswith(_DEFINITIONS):
            raise Unsupported(f"$ref {ref!r}")
        name = ref[len(_DEFINITIONS):]
        if "/" in name or "~" in name or "%" in name or name not in self._definitions:
            raise Unsupported(f"$ref {ref!r}")
        if name in self._open:
            raise Unsupported(f"recursive $ref {ref!r}")
        self._open.add(name)
        try:
            return self.compile(self._definitions[name], keys)
        finally:
            self._open.discard(name)

    def _keyword(self, key: str, value: Any, schema: dict[str, Any],
                 keys: frozenset[str] | None) -> Check:
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
            if keys is not None and not wanted <= keys:
                return _never  # a dict with none of the keys outside `keys`
            return lambda x: not isinstance(x, dict) or wanted.issubset(x)
        if key == "properties":
            if keys is not None:
                value = {name: sub for name, sub in value.items() if name in keys}
            return self._properties(value)
        if key == "additionalProperties":
            return self._additional(value, schema)
        if key == "items":
            return _each(self._items(value))
        if key == "uniqueItems":
            return _unique if value is True else _always
        if key == "allOf":
            return _all([self.compile(s, keys) for s in value])
        if key == "not":
            negated = self.compile(value, keys)
            if negated is _always or negated is _never:
                return _never if negated is _always else _always
            return lambda x: not negated(x)
        if key == "if":
            return self._conditional(value, schema, keys)
        if key in ("then", "else"):
            return _always  # decided with "if"; without an "if" they are ignored
        raise Unsupported(f"keyword {key!r}")

    def _items(self, value: Any) -> Check:
        if not isinstance(value, dict | bool):
            raise Unsupported("items as a list")
        return self.compile(value)

    def _properties(self, value: dict[str, Any]) -> Check:
        checks = {name: check for name, sub in value.items()
                  if (check := self.compile(sub)) is not _always}
        if not checks:
            return _always
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

    def _conditional(self, value: Any, schema: dict[str, Any],
                     keys: frozenset[str] | None) -> Check:
        condition = self.compile(value, keys)
        then = self.compile(schema.get("then", True), keys)
        otherwise = self.compile(schema.get("else", True), keys)
        if condition is _always or then is otherwise:
            return then
        if condition is _never:
            return otherwise
        return lambda x: then(x) if condition(x) else otherwise(x)


def _all(checks: list[Check]) -> Check:
    if _never in checks:
        return _never
    checks = [check for check in checks if check is not _always]
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)

    return lambda x: all(check(x) for check in checks)


def _array_of(check: Check) -> Check:
    def array_of(x: Any) -> bool:
        return isinstance(x, list) and _each_item(check, x)

    return array_of


def _each(check: Check) -> Check:
    return lambda x: not isinstance(x, list) or _each_item(check, x)


def _each_item(check: Check, items: list[Any]) -> bool:
    return all(map(check, items))  # map, not a generator: no frame per item


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
    if choices is None and pattern is None and shortest == 0 and longest is None:
        return _is_string
    most = longest if longest is not None else -1

    def string(x: Any) -> bool:
        if not isinstance(x, str) or len(x) < shortest or (most >= 0 and len(x) > most):
            return False
        if choices is not None and x not in choices:
            return False
        return pattern is None or pattern.search(x) is not None

    return string


def _is_string(x: Any) -> bool:
    return isinstance(x, str)


def _closed_object(required: frozenset[str], checks: dict[str, Check]) -> Check:
    known = frozenset(checks)
    strings = frozenset(name for name, check in checks.items() if check is _is_string)
    find = {name: check for name, check in checks.items()
            if check is not _is_string and check is not _always}.get

    def closed_object(x: Any) -> bool:
        if not isinstance(x, dict) or not required.issubset(x) or not known.issuperset(x):
            return False
        for name, item in x.items():
            if name in strings:  # the type test alone, without a call
                if not isinstance(item, str):
                    return False
            else:
                check = find(name)
                if check is not None and not check(item):
                    return False
        return True

    return closed_object
