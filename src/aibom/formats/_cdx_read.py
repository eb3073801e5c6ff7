"""Typed access to parsed, untrusted CycloneDX JSON: every mismatch is one InputError line
naming where in the document it is."""

from __future__ import annotations

from typing import Any

from aibom.errors import InputError
from aibom.formats.vocabulary import Props


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
    given = raw.get("externalReferences")
    if type(given) is list and all(  # the common case, without a `where` built per item
            type(r) is dict and type(r.get("type")) is str and type(r.get("url")) is str
            for r in given):
        return list(given)
    out = []
    for i, r in enumerate(as_list(raw.get("externalReferences"), f"{where}.externalReferences")):
        w = f"{where}.externalReferences[{i}]"
        r = as_dict(r, w)
        as_str(r.get("type"), f"{w}.type")
        as_str(r.get("url"), f"{w}.url")
        out.append(r)
    return out


def hashes(raw: dict[str, Any], where: str) -> list[tuple[str, str]]:
    given = raw.get("hashes")
    if type(given) is list and all(  # the common case, without a `where` built per item
            type(h) is dict and type(h.get("alg")) is str and type(h.get("content")) is str
            for h in given):
        return [(h["alg"], h["content"]) for h in given]
    out = []
    for i, h in enumerate(as_list(raw.get("hashes"), f"{where}.hashes")):
        h = as_dict(h, f"{where}.hashes[{i}]")
        out.append((as_str(h.get("alg"), f"{where}.hashes[{i}].alg"),
                    as_str(h.get("content"), f"{where}.hashes[{i}].content")))
    return out


def properties(raw: Any, where: str) -> Props:
    """The `properties` array of one CycloneDX object as vocabulary Props."""
    items = []
    if type(raw) is list:  # the common case checked without building a `where` per item
        for p in raw:
            if type(p) is not dict:
                break
            name, value = p.get("name"), p.get("value", "")
            if type(name) is not str or type(value) is not str:
                break
            items.append((name, value))
        else:
            return Props(items, where)
        items = []
    for i, p in enumerate(as_list(raw, f"{where}.properties")):
        w = f"{where}.properties[{i}]"
        p = as_dict(p, w)
        items.append((as_str(p.get("name"), f"{w}.name"), as_str(p.get("value", ""), f"{w}.value")))
    return Props(items, where)
