"""Typed access to loosely typed metadata (YAML front matter, JSON configs).

Each getter returns the value when it has the expected type and records a warning otherwise,
so one wrong field never costs the rest of the file.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

MAX_STRING = 2000
MAX_ITEMS = 10_000


def describe(value: object) -> str:
    """A short name for the type of a metadata value, for warnings (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, datetime.date):
        return "a date"
    return type(value).__name__


class Fields:
    """Reads typed fields out of one mapping, collecting warnings prefixed by `where`."""

    def __init__(self, where: str, data: Mapping[str, Any], warnings: list[str]) -> None:
        self.where = where
        self.data = data
        self.warnings = warnings

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.where}: {message}")

    def wrong_type(self, key: str, value: object, expected: str) -> None:
        self.warn(f"{key} is {describe(value)}, expected {expected}; ignored")

    def string(self, key: str, *, max_len: int = MAX_STRING) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.wrong_type(key, value, "a string")
            return None
        return self._clean(key, value, max_len)

    def strings(self, key: str, *, max_len: int = MAX_STRING) -> tuple[str, ...]:
        """A string or a list of strings, as a tuple; items that are not strings are dropped."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            cleaned = self._clean(key, value, max_len)
            return (cleaned,) if cleaned else ()
        if not isinstance(value, list):
            self.wrong_type(key, value, "a string or a list of strings")
            return ()
        if len(value) > MAX_ITEMS:
            self.warn(f"{key} has {len(value)} items; only the first {MAX_ITEMS} kept")
        items: list[str] = []
        dropped = 0
        for item in value[:MAX_ITEMS]:
            cleaned = self._clean(key, item, max_len) if isinstance(item, str) else None
            if cleaned:
                items.append(cleaned)
            elif not isinstance(item, str):
                dropped += 1
        if dropped:
            self.warn(f"{key}: {dropped} item(s) that are not strings ignored")
        return tuple(items)

    def integer(self, key: str, *, minimum: int | None = 0) -> int | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong_type(key, value, "an integer")
            return None
        if minimum is not None and value < minimum:
            self.warn(f"{key} is {value}, below {minimum}; ignored")
            return None
        return value

    def number(self, key: str) -> int | float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.wrong_type(key, value, "a number")
            return None
        return value

    def boolean(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.wrong_type(key, value, "true or false")
            return None
        return value

    def mapping(self, key: str) -> Mapping[str, Any] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.wrong_type(key, value, "a mapping")
            return None
        return value

    def _clean(self, key: str, value: str, max_len: int) -> str | None:
        value = " ".join(value.split()) if "\n" in value or "\r" in value else value.strip()
        if len(value) > max_len:
            self.warn(f"{key} is {len(value)} characters long (limit {max_len}); ignored")
            return None
        return value or None


def scalar_text(value: object, max_len: int = MAX_STRING) -> str | None:
    """A metadata scalar (string or number) as stripped text; None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        value = " ".join(value.split())
        return value[:max_len] if value else None
    return None


def looks_like_local_path(value: str) -> bool:
    """True for a filesystem path (POSIX, Windows or relative) where a Hub id is expected."""
    if value.startswith(("/", "~", "./", "../", "\\")) or "\\" in value or value.count("/") > 1:
        return True
    return len(value) > 2 and value[1] == ":" and value[0].isalpha() and value[2] in "/\\"
