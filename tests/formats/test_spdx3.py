"""SPDX 3.0.1 export and import.

The export is checked against the SPDX 3.0.1 JSON schema and, offline, against the SHACL
shapes of the SPDX 3.0.1 model: the files SPDX publishes, read from the shared test data
(the `spdx_schemas` fixture), the JSON-LD context too. SHACL validation takes seconds, so
each document is validated once per module.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import pickle
import random
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.graphs import BASE, CREATED, FT, TOOL, H, family, small

import aibom
from aibom.errors import InputError
from aibom.formats.spdx3 import export_spdx3, import_spdx3
from aibom.graph import (
    CardFacts,
    Component,
    Edge,
    Kind,
    Level,
    Metric,
    ProvenanceGraph,
    Relation,
    SignatureEvidence,
)
from aibom.oms.model import SignerFacts


def export(graph: ProvenanceGraph, **kwargs: Any) -> str:
    return export_spdx3(graph, created=CREATED, tool_version=TOOL, **kwargs)


def items(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [o for o in doc["@graph"] if o["type"] == type_]


def by_name(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(o for o in doc["@graph"] if o.get("name") == name)


def props(element: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (p["extension_cdxPropName"], p.get("extension_cdxPropValue", ""))
        for ext in element.get("extension", [])
        for p in ext["extension_cdxProperty"]
    ]


# --- validators --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def doc_text() -> str:
    return export(family())


@pytest.fixture(scope="module")
def doc(doc_text: str) -> dict[str, Any]:
    return json.loads(doc_text)


@pytest.fixture(scope="module")
def schema_errors(spdx_schemas: Path) -> Callable[[dict[str, Any]], list[str]]:
    """The SPDX 3.0.1 JSON schema as a function: document -> error messages. jsonschema-rs
    when installed (milliseconds); else the jsonschema package, which is correct too but
    needs about a minute for this schema's deep anyOf/unevaluatedProperties."""
    schema = json.loads((spdx_schemas / "spdx-json-schema.json").read_text())
    try:
        import jsonschema_rs
    except ImportError:
        from jsonschema import Draft202012Validator

        slow = Draft202012Validator(schema)
        return lambda d: [e.message for e in slow.iter_errors(d)]
    fast = jsonschema_rs.validator_for(schema)
    return lambda d: [str(e) for e in fast.iter_errors(d)]


@pytest.fixture(scope="module")
def shacl(spdx_schemas: Path) -> Iterator[Callable[[dict[str, Any]], tuple[bool, str]]]:
    """SHACL validation against spdx-model.ttl, offline: the @context URL is replaced by the
    local context file and opening a socket fails the test."""
    pyshacl = pytest.importorskip("pyshacl", reason="pyshacl (and rdflib) not installed")
    import rdflib

    context = json.loads((spdx_schemas / "spdx-context.jsonld").read_text())["@context"]
    shapes = rdflib.Graph().parse(spdx_schemas / "spdx-model.ttl", format="turtle")

    def validate(document: dict[str, Any]) -> tuple[bool, str]:
        assert document["@context"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
        data = rdflib.Graph().parse(
            data=json.dumps({**document, "@context": context}), format="json-ld"
        )
        conforms, _, text = pyshacl.validate(
            data, shacl_graph=shapes, ont_graph=shapes, inference="none"
        )
        return bool(conforms), str(text)

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("SHACL validation tried to reach the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", no_network)
        yield validate


@pytest.fixture(scope="module")
def broken() -> dict[str, Any]:
    """`small()` with two defects: the dataset has no datasetType, trainedOn has no `to`."""
    document = json.loads(export(small()))
    items(document, "dataset_DatasetPackage")[0].pop("dataset_datasetType")
    trained = next(
        r for r in items(document, "Relationship") if r["relationshipType"] == "trainedOn"
    )
    trained.pop("to")
    return document


def test_export_passes_the_json_schema(doc: dict[str, Any], schema_errors: Any) -> None:
    assert schema_errors(doc) == []


def test_export_passes_shacl(doc: dict[str, Any], shacl: Any) -> None:
    conforms, report = shacl(doc)
    assert conforms, report


@pytest.mark.parametrize("defect", ["no datasetType", "no to"])
def test_broken_document_fails_the_json_schema(defect: str, schema_errors: Any) -> None:
    document = json.loads(export(small()))
    if defect == "no datasetType":
        items(document, "dataset_DatasetPackage")[0].pop("dataset_datasetType")
    else:
        items(document, "Relationship")[0].pop("to")
    assert schema_errors(document)


def test_broken_document_fails_shacl(broken: dict[str, Any], shacl: Any) -> None:
    conforms, report = shacl(broken)
    assert not conforms
    assert "terms/Dataset/datasetType" in report or "datasetType" in report, report
    assert "Core/to" in report or "ns1:to" in report, report


# --- determinism and round trip ----------------------------------------------------------


def test_deterministic(doc_text: str) -> None:
    assert export(family()) == doc_text
    reordered = ProvenanceGraph()  # same graph, built in another order
    original = family()
    for c in reversed(original.components()):
        reordered.add_component(c)
    for e in reversed(original.edges()):
        reordered.add_edge(e)
    assert export(reordered) == doc_text


@pytest.mark.slow  # a second interpreter: about 4 s, most of it importing aibom.formats
def test_deterministic_across_processes(doc_text: str) -> None:
    """No dependence on hash seeds or object identities of the writing process."""
    code = (
        "import pickle, sys\n"
        "from aibom.formats.spdx3 import export_spdx3\n"
        "graph = pickle.load(sys.stdin.buffer)\n"
        f"sys.stdout.buffer.write(export_spdx3(graph, created={CREATED!r}, "
        f"tool_version={TOOL!r}).encode())\n"
    )
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=pickle.dumps(family()),
        capture_output=True,
        env={**os.environ, "PYTHONHASHSEED": seed},
        check=True,
        timeout=120,
    )
    assert out.stdout.decode() == doc_text


def test_arguments_name_the_document(doc_text: str) -> None:
    other = export_spdx3(family(), created="2026-01-01T00:00:00+02:00", tool_version=TOOL)
    assert other != doc_text
    info = items(json.loads(other), "CreationInfo")[0]
    assert info["created"] == "2025-12-31T22:00:00Z"
    default = json.loads(export_spdx3(small()))
    assert items(default, "CreationInfo")[0]["created"] == "2026-01-01T00:00:00Z"  # SOURCE_DATE
    tool = items(default, "Tool")[0]
    assert tool["name"] == f"aibom-{aibom.__version__}"


def assert_same(graph: ProvenanceGraph, back: ProvenanceGraph) -> None:
    assert [c.ref for c in back.components()] == [c.ref for c in graph.components()]
    for want, got in zip(graph.components(), back.components(), strict=True):
        for f in dataclasses.fields(Component):
            assert getattr(got, f.name) == getattr(want, f.name), (want.ref, f.name)
    assert back.edges() == graph.edges()
    assert back.same_as(graph)


def test_round_trip(doc_text: str) -> None:
    assert_same(family(), import_spdx3(doc_text))
    assert_same(family(), import_spdx3(doc_text.encode()))


def test_round_trip_matches_the_cyclonedx_path() -> None:
    cyclonedx = pytest.importorskip("aibom.formats.cyclonedx")
    graph = family()
    via_cdx = cyclonedx.import_cyclonedx(cyclonedx.export_cyclonedx(graph))
    via_spdx = import_spdx3(export(graph))
    assert_same(via_cdx, via_spdx)


def test_every_component_field_is_exercised() -> None:
    """A new Component, CardFacts or SignatureEvidence field must get a mapping (and a
    value in family(), so that the round trip covers it)."""
    components = family().components()
    for cls, values in (
        (Component, components),
        (CardFacts, [c.card for c in components]),
        (SignatureEvidence, [c.signature for c in components if c.signature]),
        (SignerFacts, [c.signature.signer for c in components if c.signature]),
    ):
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else None
            if f.default_factory is not dataclasses.MISSING:
                default = f.default_factory()
            if f.name in ("ref", "kind", "name"):
                continue
            assert any(getattr(v, f.name) != default for v in values), f"{cls.__name__}.{f.name}"


def test_empty_graph_round_trips() -> None:
    text = export(ProvenanceGraph())
    assert len(import_spdx3(text)) == 0


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None)
@given(
    name=_text,
    version=st.none() | _text,
    description=st.none() | _text,
    license_=st.none() | _text,
    evidence=_text,
    tags=st.lists(_text, max_size=3).map(tuple),
    facts=st.lists(st.tuples(_text, _text), max_size=3).map(lambda p: tuple(sorted(p))),
)
def test_round_trip_any_text(
    name: str,
    version: str | None,
    description: str | None,
    license_: str | None,
    evidence: str,
    tags: tuple[str, ...],
    facts: tuple[tuple[str, str], ...],
) -> None:
    graph = ProvenanceGraph()
    card = CardFacts(description=description, tags=tags, properties=facts)
    graph.add_component(
        Component(
            ref=f"model:{name}",
            kind=Kind.MODEL,
            name=name,
            version=version,
            license=license_,
            card=card,
        )
    )
    graph.add_component(Component(ref="dataset:d", kind=Kind.DATASET, name="d", card=card))
    graph.add_edge(Edge(Relation.TRAINED_ON, f"model:{name}", "dataset:d", evidence=evidence))
    assert_same(graph, import_spdx3(export(graph)))


# --- what is written where ---------------------------------------------------------------


def test_elements_and_ids(doc: dict[str, Any]) -> None:
    document = items(doc, "SpdxDocument")[0]
    ns = document["spdxId"].removesuffix("document")
    assert ns.startswith("https://aibom.dev/spdx/")
    assert by_name(doc, "acme/base-7b")["spdxId"] == f"{ns}model/acme%2Fbase-7b"
    assert by_name(doc, "chat-7b-lora")["spdxId"] == f"{ns}adapter/chat-7b-lora"
    assert by_name(doc, "acme/instructions")["spdxId"] == f"{ns}dataset/acme%2Finstructions"
    assert {
        o["type"] for o in doc["@graph"] if o.get("name") in ("chat-7b-lora", "chat-7b-q4")
    } == {"ai_AIPackage"}
    assert not any("_:" in o.get("spdxId", "") for o in doc["@graph"])
    sbom = items(doc, "software_Sbom")[0]
    assert document["rootElement"] == [sbom["spdxId"]]
    roots = {by_name(doc, "chat-7b-lora")["spdxId"], by_name(doc, "chat-7b-q4")["spdxId"]}
    assert set(sbom["rootElement"]) == roots
    ids = {o["spdxId"] for o in doc["@graph"] if "spdxId" in o}
    assert set(document["element"]) == ids - {document["spdxId"]}
    info = items(doc, "CreationInfo")[0]
    tool = items(doc, "Tool")[0]
    assert info["createdUsing"] == [tool["spdxId"]] and tool["name"] == f"aibom-{TOOL}"
    assert info["specVersion"] == "3.0.1" and info["created"] == CREATED


def test_root_ref_picks_the_root() -> None:
    document = json.loads(export(family(), root_ref=FT))
    sbom = items(document, "software_Sbom")[0]
    # the root first, then what is no ancestor of it and derives from nothing (so no
    # component floats): the adapter on it and the quantized variant of it
    assert sbom["rootElement"] == [by_name(document, name)["spdxId"]
                                   for name in ("acme/chat-7b", "chat-7b-lora", "chat-7b-q4")]
    with pytest.raises(InputError, match="not in the graph"):
        export(family(), root_ref="model:nope")


def test_ai_package_fields(doc: dict[str, Any]) -> None:
    base = by_name(doc, "acme/base-7b")
    assert base["software_packageVersion"] == "main"
    assert base["software_packageUrl"] == "pkg:huggingface/acme/base-7b@main"
    assert base["software_downloadLocation"] == "https://huggingface.co/acme/base-7b/tree/main"
    assert base["software_primaryPurpose"] == "model"
    assert base["ai_typeOfModel"] == ["llama"] and base["ai_domain"] == ["text-generation"]
    assert base["ai_hyperparameter"] == [
        {"type": "DictionaryEntry", "key": "hf:config:hidden_size", "value": "4096"},
        {"type": "DictionaryEntry", "key": "hf:config:num_hidden_layers", "value": "32"},
    ]
    assert base["ai_metric"] == [{"type": "DictionaryEntry", "key": "accuracy", "value": "0.71"}]
    for unknown in ("ai_autonomyType", "releaseTime", "builtTime"):
        assert unknown not in base  # aibom does not know them: no assertion
    assert "software_downloadLocation" not in by_name(doc, "chat-7b-lora")
    assert (
        "fine-tuned from acme/base-7b (attested"
        in by_name(doc, "acme/chat-7b")["ai_informationAboutTraining"]
    )
    assert ("aibom:fact:safetensors:tensors", "291") in props(base)
    assert ("aibom:ref", BASE) in props(base) and ("aibom:location", "base") in props(base)


def test_dataset_fields(doc: dict[str, Any]) -> None:
    train = by_name(doc, "acme/instructions")
    assert train["type"] == "dataset_DatasetPackage"
    assert train["dataset_datasetType"] == ["text"]
    assert train["software_primaryPurpose"] == "data"
    assert train["software_downloadLocation"] == "https://huggingface.co/datasets/acme/instructions"
    assert by_name(doc, "eval-set")["dataset_datasetType"] == ["noAssertion"]


def test_hashes(doc: dict[str, Any]) -> None:
    base = by_name(doc, "acme/base-7b")
    assert base["verifiedUsing"] == [
        {
            "type": "Hash",
            "algorithm": "sha256",
            "hashValue": H["1"],
            "comment": "OMS root digest: SHA-256 over the signed manifest of the files",
        }
    ]
    files = {o["spdxId"].split("/", 5)[-1]: o for o in items(doc, "software_File")}
    assert set(files) == {
        "model/acme%2Fbase-7b/file/config.json",
        "model/acme%2Fbase-7b/file/model.safetensors",
        "model/acme%2Fchat-7b/file/model.safetensors",
        "adapter/chat-7b-lora/file/adapter_model.safetensors%3A0%3A100",
        "adapter/chat-7b-lora/file/adapter_config.json",
    }
    algorithms = {k: f["verifiedUsing"][0]["algorithm"] for k, f in files.items()}
    assert algorithms == {
        "model/acme%2Fbase-7b/file/config.json": "sha256",
        "model/acme%2Fbase-7b/file/model.safetensors": "sha256",
        "model/acme%2Fchat-7b/file/model.safetensors": "blake2b512",
        "adapter/chat-7b-lora/file/adapter_model.safetensors%3A0%3A100": "blake3",
        "adapter/chat-7b-lora/file/adapter_config.json": "other",
    }
    custom = files["adapter/chat-7b-lora/file/adapter_config.json"]
    assert custom["name"] == "adapter_config.json"
    assert custom["verifiedUsing"][0]["algorithm"] == "other"
    assert props(custom) == [("aibom:file:algorithm", "sha512-custom")]
    contains = next(
        r for r in items(doc, "Relationship") if r["spdxId"].endswith("base-7b/contains")
    )
    assert contains["relationshipType"] == "contains"
    assert contains["to"] == [
        files["model/acme%2Fbase-7b/file/config.json"]["spdxId"],
        files["model/acme%2Fbase-7b/file/model.safetensors"]["spdxId"],
    ]


def _relationships(doc: dict[str, Any], relation: str) -> list[dict[str, Any]]:
    return [
        r
        for r in items(doc, "Relationship") + items(doc, "LifecycleScopedRelationship")
        if ("aibom:edge:relation", relation) in props(r)
    ]


def test_relationships(doc: dict[str, Any]) -> None:
    ids = {o["name"]: o["spdxId"] for o in doc["@graph"] if o.get("type", "").endswith("Package")}
    lineage = _relationships(doc, "finetuned_from")
    assert {(r["relationshipType"], r["from"], r["to"][0]) for r in lineage} == {
        ("descendantOf", ids["acme/base-7b"], ids["meta-llama/Llama-2-7b-hf"]),
        ("descendantOf", ids["acme/chat-7b"], ids["acme/base-7b"]),
    }
    (adapter,) = _relationships(doc, "adapter_of")
    assert adapter["type"] == "LifecycleScopedRelationship"
    assert (adapter["relationshipType"], adapter["scope"]) == ("dependsOn", "runtime")
    assert (adapter["from"], adapter["to"]) == (ids["chat-7b-lora"], [ids["acme/chat-7b"]])
    (variant,) = _relationships(doc, "quantized_from")
    assert variant["relationshipType"] == "hasVariant"  # from the original to its variant
    assert (variant["from"], variant["to"]) == (ids["acme/chat-7b"], [ids["chat-7b-q4"]])
    (trained,) = _relationships(doc, "trained_on")
    assert (trained["relationshipType"], trained["from"]) == ("trainedOn", ids["acme/chat-7b"])
    assert ("aibom:edge:level", "attested") in props(trained)
    (tested,) = _relationships(doc, "evaluated_on")
    assert (tested["relationshipType"], tested["to"]) == ("testedOn", [ids["eval-set"]])
    licenses = {
        o["spdxId"]: o["simplelicensing_licenseExpression"]
        for o in items(doc, "simplelicensing_LicenseExpression")
    }
    declared = {
        r["from"]: licenses[r["to"][0]]
        for r in items(doc, "Relationship")
        if r["relationshipType"] == "hasDeclaredLicense"
    }
    assert declared == {
        ids["acme/base-7b"]: "Apache-2.0",
        ids["acme/chat-7b"]: "LicenseRef-llama2",
        ids["acme/instructions"]: "MIT AND CC-BY-4.0",
    }


def test_signature_references(doc: dict[str, Any]) -> None:
    base = by_name(doc, "acme/base-7b")
    (bundle,) = [r for r in base["externalRef"] if r["externalRefType"] == "securityOther"]
    assert bundle["locator"] == ["https://huggingface.co/acme/base-7b/resolve/main/model.sig"]
    assert bundle["contentType"] == "application/vnd.dev.sigstore.bundle+json"
    assert H["4"] in bundle["comment"]
    license_ref = next(r for r in base["externalRef"] if r["externalRefType"] == "license")
    assert license_ref["locator"] == ["https://www.apache.org/licenses/LICENSE-2.0"]
    ids = {i["identifier"]: i for i in base["externalIdentifier"]}
    assert ids[f"sha256:{H['5']}"]["externalIdentifierType"] == "securityOther"
    identity = ids["alice@example.com"]
    assert identity["externalIdentifierType"] == "email"
    assert identity["issuingAuthority"] == "https://accounts.google.com"
    rekor = ids[H["e"]]
    assert rekor["externalIdentifierType"] == "securityOther"
    assert rekor["issuingAuthority"] == "https://rekor.sigstore.dev"
    assert rekor["identifierLocator"] == ["https://search.sigstore.dev/?logIndex=598151086"]
    chat_ids = [i["identifier"] for i in by_name(doc, "acme/chat-7b")["externalIdentifier"]]
    assert chat_ids == [f"sha256:{H['a']}", H["d"]]  # certificate; attestation key hint
    assert ("aibom:signature:log:0:log-index", "598151086") in props(base)


# --- foreign documents and bad input -----------------------------------------------------


def _foreign() -> dict[str, Any]:
    ns = "https://example.com/spdx/"
    info = "_:ci"

    def element(type_: str, name: str, **more: Any) -> dict[str, Any]:
        return {"type": type_, "spdxId": f"{ns}{name}", "creationInfo": info, "name": name, **more}

    def rel(type_: str, frm: str, to: str) -> dict[str, Any]:
        return {
            "type": "Relationship",
            "spdxId": f"{ns}rel/{frm}/{type_}/{to}",
            "creationInfo": info,
            "from": f"{ns}{frm}",
            "to": [f"{ns}{to}"],
            "relationshipType": type_,
        }

    return {
        "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
        "@graph": [
            {
                "type": "CreationInfo",
                "@id": info,
                "specVersion": "3.0.1",
                "created": CREATED,
                "createdBy": [f"{ns}someone"],
            },
            element("Person", "someone"),
            element("ai_AIPackage", "base", ai_typeOfModel=["transformer"]),
            element("ai_AIPackage", "tuned", software_packageVersion="2", ai_domain=["nlp"]),
            element(
                "ai_AIPackage",
                "q",
                ai_metric=[{"type": "DictionaryEntry", "key": "ppl", "value": "3.1"}],
            ),
            element("ai_AIPackage", "older"),
            element("dataset_DatasetPackage", "data", dataset_datasetType=["text"]),
            element("software_Package", "tokenizer"),
            rel("descendantOf", "tuned", "base"),
            rel("ancestorOf", "older", "base"),
            rel("hasVariant", "tuned", "q"),
            rel("trainedOn", "tuned", "data"),
            rel("testedOn", "tuned", "data"),
            rel("dependsOn", "tuned", "tokenizer"),
        ],
    }


def test_import_foreign_document() -> None:
    graph = import_spdx3(json.dumps(_foreign()), source="foreign.spdx.json")
    assert [c.ref for c in graph.components()] == [
        "dataset:data",
        "model:base",
        "model:older",
        "model:q",
        "model:tuned",
    ]
    assert graph.component("model:tuned").version == "2"
    assert graph.component("model:tuned").card.pipeline_tag == "nlp"
    assert graph.component("model:base").card.model_type == "transformer"
    assert graph.component("model:q").card.metrics == (Metric("ppl", "3.1"),)
    assert [(e.child, e.relation, e.parent, e.level) for e in graph.edges()] == [
        ("model:base", Relation.FINETUNED_FROM, "model:older", Level.DECLARED),
        ("model:q", Relation.QUANTIZED_FROM, "model:tuned", Level.DECLARED),
        ("model:tuned", Relation.EVALUATED_ON, "dataset:data", Level.DECLARED),
        ("model:tuned", Relation.FINETUNED_FROM, "model:base", Level.DECLARED),
        ("model:tuned", Relation.TRAINED_ON, "dataset:data", Level.DECLARED),
    ]


def _mutated(change: Callable[[dict[str, Any]], Any]) -> str:
    document = json.loads(export(small()))
    change(document)
    return json.dumps(document)


def _model(document: dict[str, Any]) -> dict[str, Any]:
    return items(document, "ai_AIPackage")[0]


def _set_prop(element: dict[str, Any], name: str, value: str) -> None:
    for p in element["extension"][0]["extension_cdxProperty"]:
        if p["extension_cdxPropName"] == name:
            p["extension_cdxPropValue"] = value


BAD_INPUTS: dict[str, Any] = {
    "not JSON": "{not json",
    "not UTF-8": b"\xff\xfe{}",
    "a JSON list": "[]",
    "no SPDX context": '{"@context": "https://example.com/ctx", "@graph": []}',
    "no @graph": '{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}',
    "duplicate keys": '{"@context": "x", "@context": "y"}',
    "huge": b" " * (64 * 1024 * 1024 + 1),
    "deeply nested": "[" * 100_000 + "]" * 100_000,
    "nested objects": _mutated(lambda d: _model(d).update(comment=json.loads("[" * 40 + "]" * 40))),
    "name is a number": _mutated(lambda d: _model(d).update(name=5)),
    "unknown property": _mutated(lambda d: _model(d).update(colour="blue")),
    "unknown vocabulary": _mutated(
        lambda d: items(d, "Relationship")[0].update(relationshipType="likes")
    ),
    "to is a number": _mutated(lambda d: items(d, "Relationship")[0].update(to=7)),
    "relationship without to": _mutated(lambda d: items(d, "Relationship")[0].pop("to")),
    "edge to a stranger": _mutated(
        lambda d: items(d, "Relationship")[0].update(to=["https://example.com/nobody"])
    ),
    "graph item is text": _mutated(lambda d: d["@graph"].append("hello")),
    "object without type": _mutated(lambda d: d["@graph"].append({"spdxId": "https://x/y"})),
    "abstract type": _mutated(
        lambda d: d["@graph"].append({"type": "Element", "spdxId": "https://x/y"})
    ),
    "type is a list": _mutated(lambda d: _model(d).update(type=["ai_AIPackage"])),
    "not a decimal number": _mutated(
        lambda d: _model(d)["extension"][0]["extension_cdxProperty"].append(
            {
                "type": "extension_CdxPropertyEntry",
                "extension_cdxPropName": "aibom:card:parameters",
                "extension_cdxPropValue": "\u00b2",
            }
        )
    ),
    "bad created": _mutated(lambda d: items(d, "CreationInfo")[0].update(created="yesterday")),
    "bad aibom:kind": _mutated(lambda d: _set_prop(_model(d), "aibom:kind", "robot")),
    "dataset kind on a model": _mutated(lambda d: _set_prop(_model(d), "aibom:kind", "dataset")),
    "bad aibom:local": _mutated(lambda d: _set_prop(_model(d), "aibom:local", "maybe")),
    "bad relation": _mutated(
        lambda d: _set_prop(items(d, "Relationship")[0], "aibom:edge:relation", "likes")
    ),
    "two components, one ref": _mutated(
        lambda d: d["@graph"].append({**_model(d), "spdxId": "https://example.com/twin"})
    ),
    "not text": 12,
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_import_rejects_bad_input(name: str) -> None:
    with pytest.raises(InputError) as caught:
        import_spdx3(BAD_INPUTS[name], source="bad.json")
    line = caught.value.one_line()
    assert "\n" not in line and line.startswith("bad.json") and len(line) < 400, line


def test_import_rejects_a_signature_missing_facts(doc_text: str) -> None:
    document = json.loads(doc_text)
    base = by_name(document, "acme/base-7b")
    entries = base["extension"][0]["extension_cdxProperty"]
    entries[:] = [e for e in entries if e["extension_cdxPropName"] != "aibom:signature:method"]
    with pytest.raises(InputError, match="aibom:signature:method is missing"):
        import_spdx3(json.dumps(document))


@pytest.mark.parametrize("created", ["yesterday", "2025-01-02T03:04:05", "2025-13-02T03:04:05Z"])
def test_export_rejects_bad_created(created: str) -> None:
    with pytest.raises(InputError, match="created"):
        export_spdx3(small(), created=created)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    children = node.items() if isinstance(node, dict) else enumerate(node)
    if isinstance(node, dict | list):
        for key, value in children:
            yield from _paths(value, (*prefix, key))


_JUNK = [
    None,
    0,
    -1,
    1.5,
    True,
    "",
    "x",
    "https://x/y",
    "_:b",
    [],
    {},
    ["a"],
    {"type": "Hash"},
    "descendantOf",
    "aibom:edge:relation",
    "aibom:signature:log:7:kind",
    "adapter",
    "\u00b2",
]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_damaged_document_fails_cleanly(seed: int, doc: dict[str, Any]) -> None:
    """Replace, drop or duplicate up to three values anywhere: the import either reads the
    document or raises InputError, nothing else."""
    rng = random.Random(seed)
    damaged = json.loads(json.dumps(doc))
    paths = [p for p in _paths(damaged) if p]
    strings = [v for v in (_at(damaged, p) for p in paths) if isinstance(v, str)]
    for _ in range(rng.randint(1, 3)):
        *parent_path, last = rng.choice(paths)
        parent = _at(damaged, tuple(parent_path))
        roll = rng.random()
        try:
            if roll < 0.2 and isinstance(parent, dict):
                parent.pop(last, None)
            elif roll < 0.3 and isinstance(parent, list) and parent:
                parent.append(json.loads(json.dumps(rng.choice(parent))))
            else:
                parent[last] = rng.choice(_JUNK + strings)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change moved things
    with contextlib.suppress(InputError):
        import_spdx3(json.dumps(damaged))


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return None
    return node
