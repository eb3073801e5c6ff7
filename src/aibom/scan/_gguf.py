"""GGUF: the chat template in the metadata is a Jinja program that runs on every request.

llama.cpp's Python bindings and other servers render it in a Jinja sandbox; published
escapes reach Python objects through dunder attributes (``''.__class__.__mro__``), the
``attr`` filter, or the objects the sandbox exposes. A chat template never needs any of that,
so its presence is reported. Only the header and metadata are read.
"""

from __future__ import annotations

import re
import struct
from typing import BinaryIO

from aibom.scan._collect import Collector
from aibom.scan.result import Severity

MAGIC = b"GGUF"
MAX_KEYS = 1 << 16
MAX_STRING = 16 * (1 << 20)
MAX_ARRAY = 1 << 24
_FIXED = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9

# What an escape needs and a template does not: dunders (also spelled with escapes or
# built by concatenation), the attr filter, and the sandbox objects used to reach globals.
_ESCAPES = (
    (re.compile(r"__\w+__"), "dunder attribute access"),
    (re.compile(r"(\\x5f|\\u005f|\\137){2}", re.I), "an escaped double underscore"),
    (re.compile(r"['\"]_['\"]\s*[~+]\s*['\"]_|['\"]__['\"]\s*[~+]"),
     "a dunder built by concatenation"),
    (re.compile(r"\|\s*attr\s*\("), "the attr filter (attribute access by computed name)"),
    (re.compile(r"\b(lipsum|cycler|joiner|namespace|self|config|request|url_for)\s*\.\s*_"),
     "a private attribute of a Jinja global"),
    (re.compile(r"\.\s*(mro|func_globals|f_globals|gi_frame|cr_frame|tb_frame)\b"),
     "frame or class-hierarchy access"),
)  # fmt: skip


def check_gguf(handle: BinaryIO, scan: Collector) -> None:
    """Read the metadata and report chat templates that reach outside the Jinja sandbox."""
    try:
        for key, value in _metadata(handle):
            if key.startswith("tokenizer.chat_template") and isinstance(value, str):
                for pattern, what in _ESCAPES:
                    found = pattern.search(value)
                    if found:
                        scan.finding(
                            None,
                            "gguf",
                            key,
                            Severity.DANGEROUS,
                            f"{key}: {what} ({found.group(0)[:40]!r}): escapes the Jinja sandbox",
                        )
    except (struct.error, ValueError, UnicodeDecodeError) as err:
        scan.warn(None, f"GGUF metadata cannot be read: {err}")


def _metadata(handle: BinaryIO) -> list[tuple[str, object]]:
    head = handle.read(8)
    if len(head) < 8 or head[:4] != MAGIC:
        raise ValueError("no GGUF magic")
    version = struct.unpack("<I", head[4:])[0]
    if version not in (2, 3):
        raise ValueError(f"GGUF version {version} is not read")
    _tensors, count = struct.unpack("<QQ", _exact(handle, 16))
    if count > MAX_KEYS:
        raise ValueError(f"{count} metadata keys")
    items = []
    for _ in range(count):
        key = _string(handle)
        (kind,) = struct.unpack("<I", _exact(handle, 4))
        items.append((key, _value(handle, kind, key.startswith("tokenizer.chat_template"))))
    return items


def _exact(handle: BinaryIO, n: int) -> bytes:
    data = handle.read(n)
    if len(data) < n:
        raise ValueError("the metadata ends early")
    return data


def _string(handle: BinaryIO, keep: bool = True) -> str:
    (length,) = struct.unpack("<Q", _exact(handle, 8))
    if length > MAX_STRING:
        raise ValueError(f"a string of {length} bytes")
    if not keep:
        handle.seek(length, 1)
        return ""
    return _exact(handle, length).decode("utf-8")


def _value(handle: BinaryIO, kind: int, keep: bool) -> object:
    if kind in _FIXED:
        handle.seek(_FIXED[kind], 1)
        return None
    if kind == _STRING:
        return _string(handle, keep)
    if kind == _ARRAY:
        (inner,) = struct.unpack("<I", _exact(handle, 4))
        (length,) = struct.unpack("<Q", _exact(handle, 8))
        if length > MAX_ARRAY:
            raise ValueError(f"an array of {length} items")
        if inner in _FIXED:
            handle.seek(_FIXED[inner] * length, 1)
            return None
        for _ in range(length):
            _value(handle, inner, False)
        return None
    raise ValueError(f"unknown metadata type {kind}")
