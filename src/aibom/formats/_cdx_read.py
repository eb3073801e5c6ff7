"""Typed access to parsed, untrusted CycloneDX JSON: every mismatch is one InputError line
naming where in the document it is."""

from __future__ import annotations

import re
from typing import Any

from aibom.errors import InputError

_INT = re.compile(r"-?[0-9]{1,30}")


def as_dict(v: Any, where: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise InputError(f"{where}: expected an object, got {json_type(v)}")
    return v


def as_list(v: Any, where: str) -> list[Any]:
    """An array; an absent (null) one is empty."""
    if v is None:
        return []
    if not isinstance(v, list):
        raise InputError(f"{where}: expected an array, got {json_type(v)}")
    return v


def as_str(v: Any, where: str) -> str:
    if not isinstance(v, str):
        raise InputError(f"{where}: expected a string, got {json_type(v)}")
    return v


def opt_str(d: dict[str, Any], key: str, where: str) -> str | None:
    return None if d.get(key) is None else as_str(d[key], f"{where}.{key}")


def sub_dict(d: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    """d[key] as an object; an absent one is empty."""
    return as_dict(d.get(key) or {}, f"{where}.{key}")


def first(*values: Any) -> Any:
    """The first value that is not None (an empty string is a value: facts can be empty)."""
    return next((v for v in values if v is not None), None)


def json_type(v: Any) -> str:
    if v is None:
        return "null"
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
             dict: "object"}
    return names.get(type(v), type(v).__name__)


def refs(raw: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """externalReferences, each checked to have a string type and url."""
    out = []
    for i, r in enumerate(as_list(raw.get("externalReferences"), f"{where}.externalReferences")):
        w = f"{where}.externalReferences[{i}]"
        r = as_dict(r, w)
        as_str(r.get("type"), f"{w}.type")
        as_str(r.get("url"), f"{w}.url")
        out.append(r)
    return out


def hashes(raw: dict[str, Any], where: str) -> list[tuple[str, str]]:
    out = []
    for i, h in enumerate(as_list(raw.get("hashes"), f"{where}.hashes")):
        h = as_dict(h, f"{where}.hashes[{i}]")
        out.append((as_str(h.get("alg"), f"{where}.hashes[{i}].alg"),
                    as_str(h.get("content"), f"{where}.hashes[{i}].content")))
    return out


class Props:
    """The properties of one CycloneDX object, in document order."""

    def __init__(self, raw: Any, where: str) -> None:
        self.where = where
        self.items: list[tuple[str, str]] = []
        for i, p in enumerate(as_list(raw, f"{where}.properties")):
            w = f"{where}.properties[{i}]"
            p = as_dict(p, w)
            self.items.append((as_str(p.get("name"), f"{w}.name"),
                               as_str(p.get("value", ""), f"{w}.value")))

    def get(self, name: str) -> str | None:
        return next((v for n, v in self.items if n == name), None)

    def all(self, name: str) -> tuple[str, ...]:
        return tuple(v for n, v in self.items if n == name)

    def prefixed(self, prefix: str) -> list[tuple[str, str]]:
        return [(n[len(prefix):], v) for n, v in self.items if n.startswith(prefix)]

    def indexed(self, prefix: str) -> dict[int, dict[str, str]]:
        """`<prefix><n>:<key>` -> {n: {key: value}}, by n (the first value of a key wins)."""
        out: dict[int, dict[str, str]] = {}
        for rest, value in self.prefixed(prefix):
            index, sep, key = rest.partition(":")
            if not sep or not index.isdigit() or len(index) > 6:
                raise InputError(f"{self.where}: malformed property name {prefix}{rest!r}")
            out.setdefault(int(index), {}).setdefault(key, value)
        return dict(sorted(out.items()))

    def flag(self, name: str, default: bool) -> bool:
        return self.to_bool(name, self.get(name), default)

    def to_bool(self, name: str, value: str | None, default: bool = False) -> bool:
        if value is None:
            return default
        if value not in ("true", "false"):
            raise InputError(f"{self.where}: {name} must be true or false, not {value!r}")
        return value == "true"

    def integer(self, name: str) -> int | None:
        value = self.get(name)
        return None if value is None else self.to_int(name, value)

    def to_int(self, name: str, value: str) -> int:
        if not _INT.fullmatch(value):
            raise InputError(f"{self.where}: {name} must be an integer, not {value!r}")
        return int(value)
