"""`aibom build` grows linearly with a component's file count, and each file costs little
(issue 17).

Counted in Python function calls, not timed. A quadratic step (jsonschema compared every pair
of file components for `uniqueItems`) makes 4x the files cost ~9x; a heavy step per file
(a cyclonedx-python-lib object per file: ~2,000 calls; jsonschema on each file component;
spdx-python-model objects: ~800) breaks the per-file budget.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from support import pki

from aibom.build import build_document
from aibom.formats._unique_items import canonical, unique_items, with_keywords
from aibom.formats.cyclonedx import validate_cyclonedx
from aibom.oms.sign import KeySigner, sign_model

# Python calls per file of `aibom build` from a signed model (measured 17, 17, 97, 32). A
# CycloneDX file component written by the generic JSON writer, or checked by a predicate that
# runs the schema's rules about other keys, goes over its budget.
PER_FILE_BUDGET = {("cyclonedx", "1.7"): 30, ("cyclonedx", "1.6"): 30, ("spdx", "1.7"): 140,
                   ("spdx2", "1.7"): 50}


def _model(root: Path, files: int, keypair: pki.KeyPair | None = None) -> Path:
    model = root / f"model-{files}"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "llama"}')
    for i in range(files):
        (model / f"shard-{i:05d}.bin").write_bytes(i.to_bytes(4, "big") * 4)
    if keypair is not None:  # beside the model, where build finds it
        sign_model(model, root / f"model-{files}.sig", KeySigner(keypair.private_path.read_bytes()))
    return model


def _calls_to_build(model: Path, fmt: str = "cyclonedx", spec_version: str = "1.7",
                    signature: Path | None = None) -> tuple[int, str]:
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        text, _ = build_document(model, timestamp="2026-01-01T00:00:00Z", fmt=fmt,
                                 spec_version=spec_version, signature=signature)
    finally:
        sys.setprofile(None)
    return calls, text


def test_build_work_grows_linearly_with_file_count(tmp_path: Path) -> None:
    _calls_to_build(_model(tmp_path, 5))  # imports and caches out of the way
    small, _ = _calls_to_build(_model(tmp_path, 150))
    large, text = _calls_to_build(_model(tmp_path, 600))
    validate_cyclonedx(text)
    # n log n sorting stays well under 4.6x for 4x the files; the quadratic step made it ~9x
    assert large < 4.6 * small, (small, large)


@pytest.mark.parametrize(("fmt", "spec_version"), sorted(PER_FILE_BUDGET))
def test_each_file_costs_little(tmp_path: Path, keypair: pki.KeyPair, fmt: str,
                                spec_version: str) -> None:
    models = {n: _model(tmp_path, n, keypair) for n in (5, 150, 600)}

    def calls(n: int) -> tuple[int, str]:
        return _calls_to_build(models[n], fmt, spec_version, tmp_path / f"model-{n}.sig")

    calls(5)  # imports and caches out of the way
    (small, _), (large, text) = calls(150), calls(600)
    per_file = (large - small) / 450
    assert per_file < PER_FILE_BUDGET[fmt, spec_version], (small, large, per_file)
    assert large < 4.6 * small, (small, large)
    assert text.count("shard-00599.bin") >= 1
    if fmt == "cyclonedx":  # still the official schema, through the library's own validator
        version = SchemaVersion.V1_7 if spec_version == "1.7" else SchemaVersion.V1_6
        assert JsonStrictValidator(version).validate_str(text) is None
        assert text.count('"type": "file"') == 601


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
    linear = with_keywords(reference, {"uniqueItems": unique_items})
    assert reference.is_valid(items) is unique
    assert linear.is_valid(items) is unique
    assert (len({canonical(i) for i in items}) == len(items)) is unique


def test_linear_validator_keeps_schema_and_format_checker() -> None:
    schema = {"type": "array", "items": {"type": "string", "format": "date"}, "uniqueItems": True}
    reference = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    linear = with_keywords(reference, {"uniqueItems": unique_items})
    assert linear.is_valid(["2026-01-01"])
    assert not linear.is_valid(["not a date"])
    assert not linear.is_valid([3])
    errors = list(linear.iter_errors(["2026-01-01", "2026-01-01"]))
    assert len(errors) == 1 and "not unique" in errors[0].message
