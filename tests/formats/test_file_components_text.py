"""File components write themselves (`FileComponents.json_items`) exactly as the generic
writer, and so `json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`, writes them; any
shape the template does not know goes to the generic writer."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from support.graphs import family

from aibom._internal.jsontext import dumps_indented
from aibom.formats._cdx_files import FileComponents, file_components

SHA256 = "9b21738729145510c1b174c9952b17f8836320350de81c35aad5cf56e3b7c985"
NAMES = ["a.bin", 'quote " back \\ slash /', "tab\tnew\nline", "\x00\x1f\x7f", "ümlaut 中文 🙂",
         "\u2028\u2029", "\udc80 lone surrogate", ""]
SHAPES: list[dict[str, Any]] = [
    {"bom-ref": "m#file:a", "group": "m", "name": "a", "type": "file", "version": "1.0",
     "hashes": [{"alg": "SHA-256", "content": SHA256}]},
    {"bom-ref": "m#file:b", "group": "m", "name": "b", "type": "file",
     "hashes": [{"alg": "BLAKE2b-512", "content": "ab" * 64}, {"alg": "SHA-512", "content": "cd"}]},
    {"bom-ref": "m#file:c", "group": "m", "name": "c", "type": "file", "version": "v",
     "properties": [{"name": "aibom:file:algorithm", "value": "md5"},
                    {"name": "aibom:file:digest", "value": "00"}]},
    {"bom-ref": "m#file:d", "group": "m", "name": "d", "type": "file"},
]


def _reference(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def _document(entries: list[Any]) -> dict[str, Any]:
    return {"metadata": {"component": {"components": FileComponents(entries), "name": "m"}},
            "version": 1}


def test_every_shape_and_odd_string_is_written_like_json() -> None:
    entries = [shape | {"name": name, "group": name} for shape in SHAPES for name in NAMES]
    files = FileComponents(entries)
    assert files.json_items("\n      ") is not None  # the template, not the fallback
    assert dumps_indented(_document(entries)) == _reference(_document(entries))


def test_the_files_of_a_real_graph_take_the_template() -> None:
    graph = family()
    for component in graph.components():
        files = file_components(component, "1.0")
        assert isinstance(files, FileComponents)
        if files:
            assert files.json_items("\n") is not None
            assert dumps_indented({"f": files}) == _reference({"f": list(files)})


def _odd(entries: list[dict[str, Any]]) -> list[Any]:
    """Shapes the template must leave alone: each is still plain JSON."""
    base = SHAPES[0]
    out: list[Any] = [
        base | {"extra": "x"},
        {k: v for k, v in base.items() if k != "group"},
        base | {"version": None},
        base | {"version": 1},
        base | {"name": ["a"]},
        base | {"hashes": []},
        base | {"hashes": [{"alg": "SHA-256"}]},
        base | {"hashes": [{"alg": "SHA-256", "content": SHA256, "x": "y"}]},
        base | {"hashes": [{"alg": "SHA-256", "other": SHA256}]},
        base | {"hashes": [{"alg": 1, "content": SHA256}]},
        base | {"hashes": [["SHA-256", SHA256]]},
        base | {"hashes": {"alg": "SHA-256", "content": SHA256}},
        base | {"properties": None},
        "a string",
        ["a", "list"],
        None,
    ]
    return out


@pytest.mark.parametrize("odd", _odd(SHAPES), ids=repr)
def test_other_shapes_go_to_the_generic_writer(odd: Any) -> None:
    entries = [copy.deepcopy(SHAPES[0]), odd, copy.deepcopy(SHAPES[1])]
    assert FileComponents(entries).json_items("\n") is None
    assert dumps_indented(_document(entries)) == _reference(_document(entries))


def test_a_tuple_of_hashes_is_written_as_the_json_list_it_is() -> None:
    entry = SHAPES[0] | {"hashes": ({"alg": "SHA-256", "content": SHA256},)}
    assert dumps_indented(_document([entry])) == _reference(_document([entry]))


def test_ids_that_clash_get_their_position() -> None:
    from aibom.formats._common import distinct_ids

    # the second "a" takes its index; "a#1" given later is then taken too, and gets its own
    assert distinct_ids(["a", "a", "b", "a#1", "a"], "#") == ["a", "a#1", "b", "a#1#3", "a#4"]
    assert distinct_ids([], "/") == []
