"""`aibom build` grows linearly with a component's file count (issue 17).

Counted in Python function calls, not timed: a quadratic step (jsonschema compared every pair
of file components for `uniqueItems`) makes doubling the files quadruple that part.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jsonschema
import pytest

from aibom.build import build_document
from aibom.formats._unique_items import canonical, with_linear_unique_items
from aibom.formats.cyclonedx import validate_cyclonedx


def _model(root: Path, files: int) -> Path:
    model = root / f"model-{files}"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "llama"}')
    for i in range(files):
        (model / f"shard-{i:05d}.bin").write_bytes(i.to_bytes(4, "big") * 4)
    return model


def _calls_to_build(model: Path) -> int:
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        text, _ = build_document(model, timestamp="2026-01-01T00:00:00Z")
    finally:
        sys.setprofile(None)
    validate_cyclonedx(text)
    return calls


def test_build_work_grows_linearly_with_file_count(tmp_path: Path) -> None:
    _calls_to_build(_model(tmp_path, 5))  # imports and caches out of the way
    small = _calls_to_build(_model(tmp_path, 150))
    large = _calls_to_build(_model(tmp_path, 600))
    # n log n sorting stays well under 4.6x for 4x the files; the quadratic step made it ~9x
    assert large < 4.6 * small, (small, large)


@pytest.mark.parametrize(
    ("items", "unique"),
    [
        ([{"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}], False),  # key order does not matter
        ([1, 1.0], False),  # JSON numbers: 1 == 1.0
        ([True, 1], True),  # but true is not 1
        ([False, 0, None, "0", [0], {"0": 0}], True),
        ([[1, [2]], [1, [2]]], False),
        ([{"a": {"b": None}}, {"a": {"b": "null"}}], True),
        ([], True),
    ],
)
def test_linear_unique_items_agrees_with_jsonschema(items: list[object], unique: bool) -> None:
    schema = {"type": "array", "uniqueItems": True}
    reference = jsonschema.Draft7Validator(schema)
    linear = with_linear_unique_items(reference)
    assert reference.is_valid(items) is unique
    assert linear.is_valid(items) is unique
    assert (len({canonical(i) for i in items}) == len(items)) is unique


def test_linear_validator_keeps_schema_and_format_checker() -> None:
    schema = {"type": "array", "items": {"type": "string", "format": "date"}, "uniqueItems": True}
    reference = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    linear = with_linear_unique_items(reference)
    assert linear.is_valid(["2026-01-01"])
    assert not linear.is_valid(["not a date"])
    assert not linear.is_valid([3])
    errors = list(linear.iter_errors(["2026-01-01", "2026-01-01"]))
    assert len(errors) == 1 and "not unique" in errors[0].message
