"""Documents as JSON text: `json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`,
the same characters, nearly twice as fast.

The standard library encodes in C only without `indent`; with it, every value goes through
nested Python generators, which costs a third of a second for the 30,000 file components of
one model. Here strings, the bulk of every AIBOM, are encoded by the same C function `json`
uses and containers are written in one recursive pass. Anything unusual (a key that is not a
string, a type JSON has no form for, a cycle) goes to `json.dumps` itself, which then writes
or raises exactly as it always did.

A list of many items of one known shape may write its items itself (WritesItems), exactly as
they would be written here. A Slot marks a string to be written later (`indented_pieces`,
`fill_slots`): a text can be hashed without it, then completed without being written again.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring  # the C encoder when available, as json uses
from typing import Any, Protocol, runtime_checkable

__all__ = ["Slot", "WritesItems", "dumps_indented", "fill_slots", "indented_pieces"]


@runtime_checkable
class WritesItems(Protocol):
    """A list that writes its own items."""

    def json_items(self, newline: str) -> str | None:
        """The items as `dumps_indented` writes them at the indentation `newline` ends
        with, joined by "," + `newline`; None to leave them to the generic writer."""


class Slot:
    """A string value left out of `indented_pieces` to be written by `fill_slots`, so that
    a text can be hashed without it (a document's serial number, its timestamp)."""

    __slots__ = ()


class _Unusual(Exception):
    """A value this writer leaves to json.dumps."""


def dumps_indented(value: Any, end: str = "") -> str:
    """`json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + end`."""
    # The text is gathered in pieces and joined once: building it level by level would copy
    # a 13 MB document at every level, into freshly allocated (page-faulting) memory.
    pieces: list[str] = []
    try:
        _write(value, "\n", pieces)
        pieces.append(end)
        return "".join(pieces)  # TypeError for a Slot
    except (_Unusual, TypeError, RecursionError):
        # keys that are not strings, values JSON has no form for, cycles: json decides
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + end


def indented_pieces(value: Any) -> list[str | Slot]:
    """`dumps_indented(value)` in pieces, each Slot in `value` a piece of its own. `value`
    holds JSON values only (dicts with string keys, lists, strings, numbers, booleans, None)
    and Slots; anything else raises TypeError."""
    pieces: list[str | Slot] = []
    try:
        _write(value, "\n", pieces)  # type: ignore[arg-type]
    except (_Unusual, RecursionError):
        raise TypeError("not a JSON value") from None
    return pieces


def fill_slots(pieces: list[str | Slot], strings: dict[Slot, str], end: str = "") -> str:
    """The text of `pieces` with each Slot written as the JSON string `strings[slot]`."""
    texts = [encode_basestring(strings[p]) if isinstance(p, Slot) else p for p in pieces]
    texts.append(end)
    return "".join(texts)


def _write(value: Any, newline: str, out: list[str]) -> None:
    """Append `value` at the indentation `newline` ends with; the order of the type tests
    is json's own (a str subclass is a string, a bool is not a number)."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    elif isinstance(value, list | tuple):
        _write_list(value, newline, out)
    elif isinstance(value, dict):
        _write_dict(value, newline, out)
    elif value.__class__ is Slot:
        out.append(value)  # type: ignore[arg-type]  # dumps_indented's join refuses it
    else:
        raise _Unusual


def _write_list(value: list[Any] | tuple[Any, ...], newline: str, out: list[str]) -> None:
    if not value:
        out.append("[]")
        return
    inner = newline + "  "
    if value.__class__ is not list and isinstance(value, WritesItems):
        written = value.json_items(inner)
        if written is not None:
            out += ("[", inner, written, newline, "]")
            return
    before, comma = "[" + inner, "," + inner
    for item in value:
        if item.__class__ is str:
            out.append(before + encode_basestring(item))
        else:
            out.append(before)
            _write(item, inner, out)
        before = comma
    out.append(newline + "]")


def _write_dict(value: dict[Any, Any], newline: str, out: list[str]) -> None:
    if not value:
        out.append("{}")
        return
    inner = newline + "  "
    before, comma = "{" + inner, "," + inner
    # sorting the pairs compares keys only (they are unique); a key that is not a string
    # fails encode_basestring with TypeError
    for key, item in sorted(value.items()):
        if item.__class__ is str:
            out.append(f"{before}{encode_basestring(key)}: {encode_basestring(item)}")
        else:
            out.append(f"{before}{encode_basestring(key)}: ")
            _write(item, inner, out)
        before = comma
    out.append(newline + "}")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)
