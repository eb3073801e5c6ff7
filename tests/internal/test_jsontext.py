"""`dumps_indented` writes what `json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`
writes, character for character, and fails where it fails."""

from __future__ import annotations

import enum
import json
import random
from typing import Any

import pytest

from aibom._internal.jsontext import Slot, dumps_indented, fill_slots, indented_pieces


def _reference(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


class _Level(enum.IntEnum):
    HIGH = 3


class _Name(enum.StrEnum):
    A = "a"


SCALARS: list[Any] = [
    "", "plain", "quote \" backslash \\ slash /", "tab\tnewline\ncr\r", "\x00\x1f\x7f",
    "ümlaut ß 中文 🙂", "\u2028\u2029", "\udc80 lone surrogate", 0, -1, 2**70, -(2**70),
    0.0, -0.0, 1.5, 1e300, 5e-324, float("nan"), float("inf"), float("-inf"), True, False,
    None, _Level.HIGH, _Name.A,
]


def _random_value(rng: random.Random, depth: int) -> Any:
    kind = rng.random()
    if depth > 4 or kind < 0.4:
        return rng.choice(SCALARS)
    if kind < 0.7:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind < 0.75:
        return tuple(_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    keys = [rng.choice(["a", "B", "b", "", "é", "z", "bom-ref", "10", "9"]) for _ in range(4)]
    return {key: _random_value(rng, depth + 1) for key in keys}


@pytest.mark.parametrize("value", [*SCALARS, [], {}, [[]], {"a": {}}, {"a": [{}]}, ()])
def test_scalars_and_empty_containers(value: Any) -> None:
    assert dumps_indented(value) == _reference(value)
    assert dumps_indented([value, {"k": value}]) == _reference([value, {"k": value}])


def test_random_documents() -> None:
    rng = random.Random(2026)
    for _ in range(2000):
        value = _random_value(rng, 0)
        assert dumps_indented(value) == _reference(value)


def test_a_cyclonedx_like_document() -> None:
    files = [{"bom-ref": f"m#file:{i}", "name": f"{i}", "type": "file",
              "hashes": [{"alg": "SHA-256", "content": f"{i:064x}"}]} for i in range(50)]
    doc = {"metadata": {"component": {"components": files, "name": "m"}}, "version": 1}
    assert dumps_indented(doc) == _reference(doc)


@pytest.mark.parametrize("value", [{1: "a", 2: 2}, {None: 1}, {True: [1]}, {1.5: 0}])
def test_keys_that_are_not_strings_are_written_as_json_writes_them(value: Any) -> None:
    assert dumps_indented(value) == _reference(value)
    assert dumps_indented({"outer": value}) == _reference({"outer": value})


@pytest.mark.parametrize(
    "value", [{"a": {1, 2}}, [object()], {"a": b"bytes"}, {(1, 2): 3}, {1: "a", "b": 2}]
)
def test_what_json_cannot_write_fails_the_same_way(value: Any) -> None:
    with pytest.raises(TypeError) as expected:
        _reference(value)
    with pytest.raises(TypeError) as got:
        dumps_indented(value)
    assert str(got.value) == str(expected.value)


def test_a_cycle_fails_the_same_way() -> None:
    value: list[Any] = []
    value.append(value)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(value)


# --- slots and lists that write their own items -------------------------------------------


def test_slots_are_left_out_and_filled_in() -> None:
    stamp, serial = Slot(), Slot()
    doc = {"metadata": {"timestamp": stamp, "tools": [1, stamp]}, "serialNumber": serial}
    pieces = indented_pieces(doc)
    assert pieces.count(stamp) == 2 and pieces.count(serial) == 1
    values = {stamp: 'when "now"', serial: "urn:uuid:ü"}
    filled = {"metadata": {"timestamp": values[stamp], "tools": [1, values[stamp]]},
              "serialNumber": values[serial]}
    assert fill_slots(pieces, values, end="\n") == _reference(filled) + "\n"
    assert "".join(p for p in pieces if isinstance(p, str)) == _reference(
        {"metadata": {"timestamp": "", "tools": [1, ""]}, "serialNumber": ""}
    ).replace('""', "")


@pytest.mark.parametrize("value", [{"a": {1, 2}}, [object()], {1: "a", "b": 2}, {"a": b"x"}])
def test_pieces_refuse_what_is_not_json(value: Any) -> None:
    with pytest.raises(TypeError):
        indented_pieces(value)


def test_a_slot_is_not_a_json_value_for_dumps() -> None:
    with pytest.raises(TypeError, match="Slot is not JSON serializable"):
        dumps_indented({"a": Slot()})


class _Items(list[Any]):
    def __init__(self, items: list[Any], written: str | None) -> None:
        super().__init__(items)
        self.written = written
        self.asked: list[str] = []

    def json_items(self, newline: str) -> str | None:
        self.asked.append(newline)
        return self.written


def test_a_list_may_write_its_own_items() -> None:
    items = _Items(["x"], written='"written"')
    assert dumps_indented({"a": items}) == '{\n  "a": [\n    "written"\n  ]\n}'
    assert items.asked == ["\n    "]  # the indentation of the items


def test_a_list_that_declines_is_written_generically() -> None:
    items = _Items(["x", {"b": 1}], written=None)
    assert dumps_indented({"a": items}) == _reference({"a": ["x", {"b": 1}]})
    assert items.asked == ["\n    "]
    assert dumps_indented(_Items([], written="never asked")) == "[]"
