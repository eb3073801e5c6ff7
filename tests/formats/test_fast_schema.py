"""The fast CycloneDX validator gives jsonschema's verdicts, and its first error.

`formats._fast_schema` lets the schema validator skip file components that a predicate
compiled from the schema (`formats._schema_subset`) proves valid. These tests hold it to plain
jsonschema (cyclonedx-python-lib's own strict validator, the official schema) on file
components of every shape aibom writes and on thousands of broken ones: the same verdict, the
same first error message, at the same place.
"""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from aibom.errors import InputError
from aibom.formats import _common as cc
from aibom.formats._fast_schema import FILE_KEYS, fast_validator, file_component_check
from aibom.formats._schema_subset import Unsupported, compile_object, compile_schema
from aibom.formats.cyclonedx import validate_cyclonedx

VERSIONS = [SchemaVersion.V1_7, SchemaVersion.V1_6]
SHA256 = "9b21738729145510c1b174c9952b17f8836320350de81c35aad5cf56e3b7c985"
SHA512 = "ab" * 64

# The shapes formats/_cdx_files.py writes: known digest, with SHA-512, unknown algorithm.
FILES: list[dict[str, Any]] = [
    {"bom-ref": "model:m#file:a.bin", "group": "m", "name": "a.bin", "type": "file",
     "version": "1.0", "hashes": [{"alg": "SHA-256", "content": SHA256}]},
    {"bom-ref": "model:m#file:b", "group": "m", "name": "b", "type": "file",
     "hashes": [{"alg": "BLAKE2b-512", "content": SHA512}, {"alg": "SHA-512", "content": SHA512}]},
    {"bom-ref": "model:m#file:c", "group": "m", "name": "c", "type": "file", "version": "v",
     "properties": [{"name": "aibom:file:algorithm", "value": "md5"},
                    {"name": "aibom:file:digest", "value": "00"}]},
]

# Values that break (or do not break) a field: wrong types, edge lengths, near-miss strings.
ODD_VALUES: list[Any] = [
    None, True, 0, 1.5, [], {}, ["x"], {"a": "b"}, "", " ", "x" * 1024, "x" * 1025,
    "file", "FILE", "library", "SHA-256", "sha-256", "SHA3-512", "Streebog-256", SHA256,
    SHA256.upper(), SHA256 + "\n", SHA256[:-1], SHA256 + "0", "g" * 64, "ab" * 16, "ab" * 20,
    "ab" * 48, SHA512, "ab" * 65, "\udc80", "ü",
]


def _plain(version: SchemaVersion) -> Any:
    """jsonschema as cyclonedx-python-lib runs it: the reference verdict."""
    return JsonStrictValidator(version)._validator


def _document(version: SchemaVersion, files: list[Any]) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX", "specVersion": "1.7" if version == SchemaVersion.V1_7 else "1.6",
        "version": 1,
        "metadata": {"component": {"type": "machine-learning-model", "name": "m",
                                   "bom-ref": "model:m", "components": files}},
        "components": [{"type": "data", "name": "d", "bom-ref": "dataset:d",
                        "components": copy.deepcopy(files)}],
    }


def _first_error(validator: Any, doc: dict[str, Any]) -> tuple[str, str, list[Any]] | None:
    """The first error's keyword, message and place. The message of `uniqueItems` is
    aibom's own (`_unique_items`: jsonschema's would print the whole array)."""
    error = next(validator.iter_errors(doc), None)
    if error is None:
        return None
    message = "not unique" if error.validator == "uniqueItems" else error.message
    return str(error.validator), message, list(error.absolute_path)


def _mutants(base: dict[str, Any]) -> list[Any]:
    """`base` with one field removed, replaced, or added, at every level."""
    out: list[Any] = [[], "file", None]
    for key in [*base, "versionRange", "isExternal", "components", "purl", "unknown"]:
        out.append({k: v for k, v in base.items() if k != key})
        out += [{**base, key: value} for value in ODD_VALUES]
    for list_key in ("hashes", "properties"):
        for entry_index, entry in enumerate(base.get(list_key, [])):
            for field in [*entry, "extra"]:
                for value in [*ODD_VALUES, "__missing__"]:
                    changed = copy.deepcopy(base)
                    target = changed[list_key][entry_index]
                    if value == "__missing__":
                        target.pop(field, None)
                    else:
                        target[field] = value
                    out.append(changed)
            out.append({**base, list_key: [*base[list_key], base[list_key][0]]})
            out.append({**base, list_key: base[list_key][0]})
    return out


@pytest.mark.parametrize("version", VERSIONS)
def test_the_predicate_compiles_from_the_official_schemas(version: SchemaVersion) -> None:
    check = file_component_check(_plain(version).schema)
    assert check is not None  # else every file component goes through jsonschema (slow)
    assert all(check(f) for f in FILES)


@pytest.mark.parametrize("version", VERSIONS)
def test_the_predicate_is_exact_on_file_components(version: SchemaVersion) -> None:
    plain = _plain(version)
    check = file_component_check(plain.schema)
    assert check is not None
    component = plain.evolve(schema={"$ref": "#/definitions/component",
                                     "definitions": plain.schema["definitions"]})
    decided = rejected = 0
    for base in FILES:
        for item in _mutants(base):
            valid = component.is_valid(item)
            proven = check(item)
            assert not proven or valid, item  # never proves an invalid component valid
            if isinstance(item, dict) and set(item) <= set(FILE_KEYS):
                assert proven == valid, item  # and decides every one of its own shape
                decided += 1
                rejected += not valid
    assert decided > 1000 and rejected > 500, (decided, rejected)


@pytest.mark.parametrize("version", VERSIONS)
def test_same_first_error_as_jsonschema_in_documents(version: SchemaVersion) -> None:
    plain, fast = _plain(version), cc.strict_validator(version)
    broken = 0
    for base in FILES:
        for item in _mutants(base):
            # the broken component between valid ones: positions must be kept
            doc = _document(version, [*FILES, item, FILES[0] | {"bom-ref": "later"}])
            expected = _first_error(plain, doc)
            assert _first_error(fast, doc) == expected, item
            broken += expected is not None
    assert broken > 500


@pytest.mark.parametrize("version", VERSIONS)
def test_random_combined_breakage_agrees(version: SchemaVersion) -> None:
    plain, fast = _plain(version), cc.strict_validator(version)
    rng = random.Random(17)
    mutants = [m for base in FILES for m in _mutants(base)]
    for _ in range(300):
        files = [copy.deepcopy(rng.choice(FILES + mutants)) for _ in range(rng.randint(0, 6))]
        for n, f in enumerate(files):
            if isinstance(f, dict) and rng.random() < 0.7:
                f["bom-ref"] = f"r{n}"  # mostly distinct, sometimes duplicated items
        doc = _document(version, files)
        assert _first_error(fast, doc) == _first_error(plain, doc), files


def test_duplicate_file_components_are_refused() -> None:
    doc = _document(SchemaVersion.V1_7, [FILES[0], FILES[1], copy.deepcopy(FILES[0])])
    plain, fast = _plain(SchemaVersion.V1_7), cc.strict_validator(SchemaVersion.V1_7)
    assert not plain.is_valid(doc)
    assert _first_error(fast, doc) == ("uniqueItems", "not unique",
                                       ["metadata", "component", "components"])
    with pytest.raises(InputError, match="not unique"):
        validate_cyclonedx(json.dumps(doc))


def test_a_schema_outside_the_subset_falls_back_to_jsonschema() -> None:
    plain = _plain(SchemaVersion.V1_7)
    schema = copy.deepcopy(plain.schema)
    schema["definitions"]["component"]["properties"]["name"]["format"] = "date"
    assert file_component_check(schema) is None
    from aibom._internal.schema import format_checker

    changed = plain.evolve(schema=schema, _resolver=None, format_checker=format_checker())
    fast = fast_validator(changed)
    doc = _document(SchemaVersion.V1_7, FILES)
    error = _first_error(fast, doc)
    assert error is not None and "is not a 'date'" in error[1]


@pytest.mark.parametrize(
    "schema",
    [
        {"format": "date"},
        {"oneOf": [{"type": "string"}]},
        {"type": "integer"},
        {"items": [{"type": "string"}]},
        {"patternProperties": {"a": True}},
        {"$ref": "#/definitions/loop"},
        {"$ref": "other.json#/definitions/x"},
        {"minLength": 1.5},
    ],
)
def test_keywords_outside_the_subset_are_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(Unsupported):
        compile_schema(schema, {"loop": {"$ref": "#/definitions/loop"}})


def test_object_predicate_leaves_other_shapes_undecided() -> None:
    schema = {"type": "object", "required": ["a"], "additionalProperties": False,
              "properties": {"a": {"type": "string"}, "b": {"type": "array"}}}
    check = compile_object(schema, {}, ["a"])
    assert check({"a": "x"})
    assert not check({"a": "x", "b": []})  # valid, but outside the predicate's keys
    assert not check({"a": 1}) and not check({}) and not check(["a"])
    with pytest.raises(Unsupported):
        compile_object(schema, {}, ["a", "c"])


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        ({"enum": ["a", 1, None]}, ["a", 1, 1.0, None], ["b", True, "1", [1]]),
        ({"enum": ["a", "b"]}, ["a", "b"], ["c", ["a"], {"a": 1}, None]),
        ({"const": {"a": [1]}}, [{"a": [1]}, {"a": [1.0]}], [{"a": [True]}, {"a": 1}]),
        ({"not": {"required": ["a", "b"]}}, [{"a": 1}], [{"a": 1, "b": 2}, "x"]),
        ({"if": {"properties": {"x": {"const": False}}}, "then": {"required": ["y"]},
          "else": {"required": ["z"]}}, [{"x": False, "y": 1}, {"y": 1}, {"x": True, "z": 1}],
         [{"x": False}, {}, {"x": True}, {"z": 1}]),
        ({"then": False}, [1, "x"], []),
        ({"uniqueItems": True}, [[1, True], [{"a": 1}, {"a": 2}]], [[1, 1.0], [{"a": 1}] * 2]),
        ({"pattern": "^a$"}, ["a", "a\n", 5], ["ba", "A"]),
        ({"type": ["string", "null"], "maxLength": 2}, ["ab", None], ["abc", 1, False]),
        ({"items": {"type": "string"}, "type": "array"}, [[], ["a"]], [[1], "a"]),
        ({"additionalProperties": {"type": "string"}, "properties": {"a": {}}},
         [{"a": 1, "b": "x"}], [{"b": 1}]),
        ({"type": "string", "enum": ["ab", "abc", "abcd"], "pattern": "b", "minLength": 3,
          "maxLength": 3}, ["abc"], ["ab", "abcd", "xbz", 3, None]),
        ({"type": "string", "minLength": 1}, ["a", "\n"], ["", [], {"a": 1}]),
        ({"type": "object", "required": ["a"], "additionalProperties": False,
          "properties": {"a": {"type": "string"}, "b": {"const": 1}},
          "not": {"required": ["b", "a"]}},
         [{"a": "x"}], [{"a": "x", "b": 1}, {"b": 1}, {"a": "x", "c": 1}, {"a": 1}, [], "a"]),
        ({"type": "object", "required": ["z"], "additionalProperties": False},
         [], [{"z": 1}, {}]),
        (True, [1, None], []),
        (False, [], [1, None]),
    ],
)
def test_keywords_decide_like_jsonschema(schema: Any, good: list[Any], bad: list[Any]) -> None:
    reference = type(_plain(SchemaVersion.V1_7))(schema)
    check = compile_schema(schema, {})
    for value in good:
        assert reference.is_valid(value) and check(value), value
    for value in bad:
        assert not reference.is_valid(value) and not check(value), value


def test_rules_about_other_keys_fold_away_and_decide_like_jsonschema() -> None:
    schema = {
        "type": "object", "required": ["a"], "additionalProperties": False,
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "v": {"type": "string"},
                       "r": {"type": "string"}, "e": {"type": "boolean"}},
        "allOf": [
            {"not": {"required": ["v", "r"]}},
            {"if": {"properties": {"e": {"const": False}}}, "then": {"not": {"required": ["r"]}}},
            {"if": {"required": ["b"]}, "then": {"properties": {"a": {"const": "with-b"}}}},
        ],
    }
    reference = type(_plain(SchemaVersion.V1_7))(schema)
    narrow = compile_object(schema, {}, ["a", "b", "v"])  # "r" and "e" cannot occur
    wide = compile_object(schema, {}, ["a", "b", "v", "r", "e"])
    objects = [{"a": "x"}, {"a": "x", "v": "1"}, {"a": "with-b", "b": "y"}, {"a": "x", "b": "y"},
               {"a": "x", "v": "1", "r": "2"}, {"a": "x", "r": "2", "e": False},
               {"a": "x", "r": "2", "e": True}, {"a": "x", "r": "2"}, {"b": "y"}, {"a": 1}]
    for obj in objects:
        assert wide(obj) == reference.is_valid(obj), obj
        inside = set(obj) <= {"a", "b", "v"}
        assert narrow(obj) == (inside and reference.is_valid(obj)), obj


@pytest.mark.parametrize("version", VERSIONS)
def test_the_file_component_predicate_is_one_closed_object_test(version: SchemaVersion) -> None:
    # CycloneDX's rules on version/versionRange/isExternal concern keys a file component
    # never has: they fold away instead of running on each of 30,000 files
    check = file_component_check(_plain(version).schema)
    assert check is not None and check.__name__ == "closed_object"
