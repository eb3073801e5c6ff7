"""Property look-ups by prefix (bisection over the sorted names) and the fast paths of the
CycloneDX readers: the same answers, in document order, and the same one-line errors."""

from __future__ import annotations

import pytest

from aibom.errors import InputError
from aibom.formats._cdx_read import hashes, properties, refs
from aibom.formats.vocabulary import Props


def test_prefixed_keeps_document_order_and_follows_appends() -> None:
    props = Props([("aibom:z", "1"), ("aibom:edge:1:to", "b"), ("other", "x"),
                   ("aibom:edge:0:to", "a"), ("aibom:edge", "bare"), ("aibom:edgy", "no")],
                  "here")
    assert props.prefixed("aibom:edge:") == [("1:to", "b"), ("0:to", "a")]
    assert props.has_prefix("aibom:edge:") and props.has_prefix("oth")
    assert not props.has_prefix("aibom:edge:2") and not props.has_prefix("zzz")
    assert props.indexed("aibom:edge:") == {0: {"to": "a"}, 1: {"to": "b"}}
    props.items.append(("aibom:edge:2:to", "c"))  # a later pair is seen
    assert props.prefixed("aibom:edge:2") == [(":to", "c")]
    assert Props([], "empty").prefixed("a") == [] and not Props([], "e").has_prefix("")


@pytest.mark.parametrize("raw,message", [
    ([{"name": "a", "value": 1}], "x.properties[0].value: expected a string, got number"),
    ([{"name": "a"}, "b"], "x.properties[1]: expected an object, got string"),
    ([{"value": "v"}], "x.properties[0].name: expected a string, got null"),
    ({"name": "a"}, "x.properties: expected an array, got object"),
])
def test_malformed_properties_are_named(raw: object, message: str) -> None:
    with pytest.raises(InputError) as e:
        properties(raw, "x")
    assert e.value.one_line() == message


def test_well_formed_properties_refs_and_hashes() -> None:
    props = properties([{"name": "a", "value": "1"}, {"name": "b"}], "x")
    assert props.items == [("a", "1"), ("b", "")]
    assert properties(None, "x").items == []
    raw = {"externalReferences": [{"type": "license", "url": "https://l"}],
           "hashes": [{"alg": "SHA-256", "content": "ab"}]}
    assert refs(raw, "x") == [{"type": "license", "url": "https://l"}]
    assert hashes(raw, "x") == [("SHA-256", "ab")]
    with pytest.raises(InputError, match=r"x.externalReferences\[0\].url"):
        refs({"externalReferences": [{"type": "license"}]}, "x")
    with pytest.raises(InputError, match=r"x.hashes\[1\].content"):
        hashes({"hashes": [{"alg": "MD5", "content": "a"}, {"alg": "MD5", "content": 5}]}, "x")
