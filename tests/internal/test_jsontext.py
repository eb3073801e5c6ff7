"""`dumps_indented` writes what `json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`
writes, character for character, and fails where it fails."""

from __future__ import annotations

import enum
import json
import random
from typing import Any

import pytest

from aibom._internal.jsontext import dumps_indented


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
