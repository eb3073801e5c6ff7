"""The one strict JSON loader for documents of unknown origin.

Rules, the same for signatures, AIBOMs, payloads and evidence files: UTF-8 (a BOM is
dropped), at most MAX_BYTES, no duplicate keys (two parsers must never see two different
documents), no NaN or Infinity (not JSON), at most MAX_DEPTH levels of nesting, and no lone
UTF-16 surrogate escape (text that cannot be written back as UTF-8).
"""

from __future__ import annotations

import json
import re
from typing import Any

from aibom._internal.text import one_line
from aibom.errors import InputError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "has_lone_surrogate", "load_json"]

MAX_BYTES = 64 * 1024 * 1024  # untrusted documents larger than this are refused
MAX_DEPTH = 64  # JSON nesting: real signatures, AIBOMs and configs stay far below


def load_json(text: str | bytes | bytearray, source: str) -> Any:
    """Parse `text` under the rules above; InputError (one line, naming `source`) otherwise."""
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_BYTES:
            raise InputError(f"{source}: {len(text)} bytes is over the {MAX_BYTES} byte limit")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{source}: not valid JSON: not UTF-8 ({exc.reason} at byte {exc.start})"
            ) from None
    elif isinstance(text, str):
        if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise InputError(f"{source}: document is over the {MAX_BYTES} byte limit")
    else:
        raise InputError(f"{source}: expected JSON text, got {type(text).__name__}")
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError:
        raise InputError(f"{source} is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except ValueError as exc:  # duplicate key, NaN, an integer with too many digits
        raise InputError(f"{source}: not valid JSON: {one_line(str(exc))}") from None
    _check_depth(data, source)
    if has_lone_surrogate(text, data):
        raise InputError(f"{source} holds a lone UTF-16 surrogate escape (not valid Unicode)")
    return data


# a \\uD800-\\uDFFF escape, or what looks like one (an escaped backslash before "ud8..")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")


def has_lone_surrogate(raw: bytes | str, document: Any) -> bool:
    """True when a \\uD800-\\uDFFF escape decoded to a character UTF-8 cannot encode."""
    pattern = _SURROGATE_ESCAPE_BYTES if isinstance(raw, bytes) else _SURROGATE_ESCAPE
    if not pattern.search(raw):  # type: ignore[arg-type]
        return False
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except (ValueError, RecursionError):
        return False
    return False


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_NESTED = (dict, list)


def _check_depth(data: Any, source: str) -> None:
    """One level at a time: a list per level, not a tuple per node (a 100,000-file manifest
    has half a million nodes). A tuple of types: isinstance with one is faster than with a
    `dict | list` union, on every node of every document read."""
    level = [data] if isinstance(data, _NESTED) else []
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            raise InputError(f"{source} is nested too deeply (more than {MAX_DEPTH} levels)")
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, _NESTED)
        ]
        depth += 1
