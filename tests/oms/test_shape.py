"""The hand-written OMS shape checks agree with the OMS JSON schemas (jsonschema as oracle).

Every OMS vector, each bundle the model-transparency releases wrote, and a catalogue of broken
documents derived from them are judged by both; the verdicts must be the same.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aibom.errors import InputError
from aibom.oms import _shape, schema
from aibom.oms.model import PREDICATE_LEGACY


def _verdict(check: Callable[[Any, str], None], document: Any) -> bool:
    try:
        check(document, "doc")
    except InputError:
        return False
    return True


def _schema_verdict(kind: str, document: Any) -> bool:
    return _verdict(lambda d, s: schema.check(kind, d, s), document)


def _agree(kind: str, document: Any) -> bool:
    hand = _shape.check_bundle if kind == "bundle" else _shape.check_statement
    by_schema, by_hand = _schema_verdict(kind, document), _verdict(hand, document)
    assert by_hand == by_schema, (kind, by_schema, json.dumps(document)[:400])
    return by_hand


def _load(path: Path) -> Any:
    return json.loads(path.read_bytes())


def _statement_of(bundle: dict[str, Any]) -> Any:
    return json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))


def test_vectors_agree(oms_vectors: Path, mt_vectors: Path) -> None:
    paths = sorted(oms_vectors.rglob("*.bundle.json")) + sorted(mt_vectors.glob("*/model.sig"))
    verdicts = []
    for path in paths:
        try:
            document = _load(path)
        except ValueError:  # not JSON: neither check ever sees it
            continue
        verdicts.append(_agree("bundle", document))
        if isinstance(document, dict) and isinstance(document.get("dsseEnvelope"), dict):
            try:
                statement = _statement_of(document)
            except ValueError:  # a vector whose payload is not JSON at all
                continue
            if isinstance(statement, dict) and statement.get("predicateType") != PREDICATE_LEGACY:
                verdicts.append(_agree("statement", statement))
    assert len(paths) >= 20 and True in verdicts and False in verdicts


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], None]:
    def mutate(doc: Any) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[Any], None]:
    def mutate(doc: Any) -> None:
        node = doc
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return mutate


VM = "verificationMaterial"
BUNDLE_MUTATIONS: dict[str, Callable[[Any], None]] = {
    "extra top-level": _set(("extra",), 1),
    "no mediaType": _delete(("mediaType",)),
    "mediaType number": _set(("mediaType",), 3),
    "mediaType foreign": _set(("mediaType",), "application/json"),
    "material list": _set((VM,), []),
    "material empty": _set((VM,), {}),
    "public key empty": _set((VM,), {"publicKey": {}}),
    "public key hint number": _set((VM,), {"publicKey": {"hint": 1}}),
    "public key rawBytes only": _set((VM,), {"publicKey": {"rawBytes": "AAAA"}}),
    "public key extra member": _set((VM,), {"publicKey": {"hint": "ab", "x": 1}}),
    "chain empty": _set((VM,), {"x509CertificateChain": {"certificates": []}}),
    "chain rawBytes empty": _set(
        (VM,), {"x509CertificateChain": {"certificates": [{"rawBytes": ""}]}}
    ),
    "certificate without tlog": _set((VM,), {"certificate": {"rawBytes": "AA"}}),
    "certificate with empty tlog": _set(
        (VM,), {"certificate": {"rawBytes": "AA"}, "tlogEntries": []}
    ),
    "tlog not a list": _set((VM,), {"publicKey": {"hint": "a"}, "tlogEntries": {}}),
    "tlog logIndex number": _set(
        (VM,), {"publicKey": {"hint": "a"}, "tlogEntries": [{"logIndex": 5}]}
    ),
    "tlog logId keyId number": _set(
        (VM,), {"publicKey": {"hint": "a"}, "tlogEntries": [{"logId": {"keyId": 5}}]}
    ),
    "tlog proof hashes numbers": _set(
        (VM,),
        {"publicKey": {"hint": "a"}, "tlogEntries": [{"inclusionProof": {"hashes": [1]}}]},
    ),
    "tlog checkpoint envelope number": _set(
        (VM,),
        {
            "publicKey": {"hint": "a"},
            "tlogEntries": [{"inclusionProof": {"checkpoint": {"envelope": 1}}}],
        },
    ),
    "timestamps not objects": _set(
        (VM,),
        {"publicKey": {"hint": "a"}, "timestampVerificationData": {"rfc3161Timestamps": [1]}},
    ),
    "timestamp token number": _set(
        (VM,),
        {
            "publicKey": {"hint": "a"},
            "timestampVerificationData": {"rfc3161Timestamps": [{"signedTimestamp": 1}]},
        },
    ),
    "valid key with bad other branch": _set(
        (VM,), {"publicKey": {"hint": "a"}, "certificate": {"rawBytes": 5}}
    ),
    "no envelope": _delete(("dsseEnvelope",)),
    "envelope extra": _set(("dsseEnvelope", "extra"), True),
    "payload empty": _set(("dsseEnvelope", "payload"), ""),
    "payloadType other": _set(("dsseEnvelope", "payloadType"), "text/plain"),
    "signatures empty": _set(("dsseEnvelope", "signatures"), []),
    "signature sig empty": _set(("dsseEnvelope", "signatures"), [{"sig": ""}]),
    "signature keyid null": _set(("dsseEnvelope", "signatures"), [{"sig": "AA", "keyid": None}]),
    "signature keyid number": _set(("dsseEnvelope", "signatures"), [{"sig": "AA", "keyid": 3}]),
    "signature extra": _set(("dsseEnvelope", "signatures"), [{"sig": "AA", "x": ""}]),
}

STATEMENT_MUTATIONS: dict[str, Callable[[Any], None]] = {
    "extra member": _set(("extra",), 1),
    "wrong _type": _set(("_type",), "https://in-toto.io/Statement/v0.1"),
    "two subjects": _set(("subject",), [{"name": "a", "digest": {"sha256": "ab"}}] * 2),
    "no subjects": _set(("subject",), []),
    "subject name empty": _set(("subject", 0, "name"), ""),
    "subject digest empty": _set(("subject", 0, "digest"), {}),
    "subject digest upper": _set(("subject", 0, "digest"), {"sha256": "AB"}),
    "subject digest number": _set(("subject", 0, "digest"), {"sha256": 1}),
    "subject extra member": _set(("subject", 0, "x"), 1),
    "other predicateType": _set(("predicateType",), "https://example.com/p"),
    "predicate extra": _set(("predicate", "x"), 1),
    "no resources": _delete(("predicate", "resources")),
    "resources object": _set(("predicate", "resources"), {}),
    "resources empty": _set(("predicate", "resources"), []),
    "resource name empty": _set(("predicate", "resources", 0, "name"), ""),
    "resource digest not hex": _set(("predicate", "resources", 0, "digest"), "xyz"),
    "resource digest empty": _set(("predicate", "resources", 0, "digest"), ""),
    "resource algorithm md5": _set(("predicate", "resources", 0, "algorithm"), "md5"),
    "resource algorithm list": _set(("predicate", "resources", 0, "algorithm"), ["sha256"]),
    "resource without algorithm": _delete(("predicate", "resources", 0, "algorithm")),
    "resource extra member": _set(("predicate", "resources", 0, "x"), 1),
    "no serialization": _delete(("predicate", "serialization")),
    "method other": _set(("predicate", "serialization", "method"), "tar"),
    "hash_type other": _set(("predicate", "serialization", "hash_type"), "md5"),
    "allow_symlinks string": _set(("predicate", "serialization", "allow_symlinks"), "no"),
    "allow_symlinks missing": _delete(("predicate", "serialization", "allow_symlinks")),
    "shards without size": _set(("predicate", "serialization", "method"), "shards"),
    "shard_size zero": _set(("predicate", "serialization", "shard_size"), 0),
    "shard_size float": _set(("predicate", "serialization", "shard_size"), 1000.0),
    "shard_size fraction": _set(("predicate", "serialization", "shard_size"), 10.5),
    "shard_size bool": _set(("predicate", "serialization", "shard_size"), True),
    "shard_size string": _set(("predicate", "serialization", "shard_size"), "10"),
    "ignore_paths empty entry": _set(("predicate", "serialization", "ignore_paths"), [""]),
    "ignore_paths string": _set(("predicate", "serialization", "ignore_paths"), "a"),
    "serialization extra": _set(("predicate", "serialization", "x"), 1),
}


@pytest.fixture
def base_bundle(oms_vectors: Path) -> dict[str, Any]:
    document = _load(oms_vectors / "valid" / "key.bundle.json")
    assert isinstance(document, dict)
    return document


@pytest.mark.parametrize("name", sorted(BUNDLE_MUTATIONS))
def test_broken_bundles_agree(name: str, base_bundle: dict[str, Any]) -> None:
    document = copy.deepcopy(base_bundle)
    BUNDLE_MUTATIONS[name](document)
    _agree("bundle", document)


@pytest.mark.parametrize("name", sorted(STATEMENT_MUTATIONS))
def test_broken_statements_agree(name: str, base_bundle: dict[str, Any]) -> None:
    statement = _statement_of(base_bundle)
    STATEMENT_MUTATIONS[name](statement)
    _agree("statement", statement)


def test_most_mutations_are_rejected(base_bundle: dict[str, Any]) -> None:
    """The catalogue is not all accepted: it exercises the rejecting paths."""
    rejected = 0
    for mutate in BUNDLE_MUTATIONS.values():
        document = copy.deepcopy(base_bundle)
        mutate(document)
        rejected += not _verdict(_shape.check_bundle, document)
    for mutate in STATEMENT_MUTATIONS.values():
        statement = _statement_of(base_bundle)
        mutate(statement)
        rejected += not _verdict(_shape.check_statement, statement)
    assert rejected >= len(BUNDLE_MUTATIONS) + len(STATEMENT_MUTATIONS) - 10


def test_digest_must_be_hex_to_its_end(base_bundle: dict[str, Any]) -> None:
    """Stricter than the schema as jsonschema applies it: no trailing newline."""
    statement = _statement_of(base_bundle)
    statement["predicate"]["resources"][0]["digest"] += "\n"
    assert _schema_verdict("statement", statement)
    with pytest.raises(InputError, match=r"predicate/resources/0/digest"):
        _shape.check_statement(statement, "doc")


@pytest.mark.parametrize("document", [None, [], "x", 1, {}])
def test_not_objects(document: Any) -> None:
    assert not _agree("bundle", document)
    assert not _agree("statement", document)
