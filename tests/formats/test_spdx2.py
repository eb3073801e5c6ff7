"""SPDX 2.3 export, validated by spdx-tools' own parser and validator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spdx_tools.spdx.parser.json import json_parser
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document
from support.graphs import BASE, CREATED, FT, TOOL, H, family, small

import aibom
from aibom.errors import InputError
from aibom.formats.spdx2 import export_spdx2
from aibom.graph import Component, Edge, Kind, ProvenanceGraph, Relation, SignatureEvidence
from aibom.oms.model import PREDICATE_V1, Serialization, SignerFacts


def export(graph: Any, **kwargs: Any) -> str:
    return export_spdx2(graph, created=CREATED, tool_version=TOOL, **kwargs)


def messages(text: str, tmp_path: Path) -> list[str]:
    """Parse the JSON with spdx-tools and validate it: the validation messages."""
    path = tmp_path / "doc.spdx.json"
    path.write_text(text, encoding="utf-8")
    document = json_parser.parse_from_file(str(path))
    return [m.validation_message for m in validate_full_spdx_document(document)]


@pytest.fixture(scope="module")
def doc_text() -> str:
    return export(family())


@pytest.fixture(scope="module")
def doc(doc_text: str) -> dict[str, Any]:
    return json.loads(doc_text)


def package(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in doc["packages"] if p["name"] == name)


def test_export_passes_spdx_tools_validation(doc_text: str, tmp_path: Path) -> None:
    assert messages(doc_text, tmp_path) == []


def _bad_relationship(d: dict[str, Any]) -> None:
    d["relationships"][-1]["relatedSpdxElement"] = "SPDXRef-nobody"


def _bad_purl(d: dict[str, Any]) -> None:
    refs = package(d, "acme/base-7b")["externalRefs"]
    next(r for r in refs if r["referenceType"] == "purl")["referenceLocator"] = "not a purl"


def _bad_checksum(d: dict[str, Any]) -> None:
    package(d, "acme/base-7b")["checksums"][0]["checksumValue"] = "abc"


def _no_describes(d: dict[str, Any]) -> None:
    d["relationships"] = [r for r in d["relationships"] if r["relationshipType"] != "DESCRIBES"]


@pytest.mark.parametrize("damage", [_bad_relationship, _bad_purl, _bad_checksum, _no_describes])
def test_broken_document_fails_validation(damage: Any, doc_text: str, tmp_path: Path) -> None:
    document = json.loads(doc_text)
    damage(document)
    assert messages(json.dumps(document), tmp_path)


def test_deterministic(doc_text: str) -> None:
    assert export(family()) == doc_text
    assert export_spdx2(small()) == export_spdx2(small())
    # no `created`: SOURCE_DATE_EPOCH (the tests pin it), else the time of the export
    assert json.loads(export_spdx2(small()))["creationInfo"]["created"] == "2026-01-01T00:00:00Z"


def test_document(doc: dict[str, Any]) -> None:
    assert doc["spdxVersion"] == "SPDX-2.3" and doc["dataLicense"] == "CC0-1.0"
    assert doc["documentNamespace"].startswith("https://aibom.dev/spdx2/")
    assert doc["creationInfo"]["creators"] == [f"Tool: aibom-{TOOL}"]
    assert doc["creationInfo"]["created"] == CREATED
    described = {
        r["relatedSpdxElement"]
        for r in doc["relationships"]
        if r["relationshipType"] == "DESCRIBES"
    }
    assert described == {
        package(doc, "chat-7b-lora")["SPDXID"],
        package(doc, "chat-7b-q4")["SPDXID"],
    }
    root = json.loads(export(family(), root_ref=FT))
    assert [r["relatedSpdxElement"] for r in root["relationships"][:1]] == [
        package(root, "acme/chat-7b")["SPDXID"]
    ]
    assert json.loads(export_spdx2(small()))["creationInfo"]["creators"] == [
        f"Tool: aibom-{aibom.__version__}"
    ]


def test_packages(doc: dict[str, Any]) -> None:
    base = package(doc, "acme/base-7b")
    assert base["SPDXID"] == "SPDXRef-model-acme-base-7b"
    assert base["versionInfo"] == "main"
    assert base["downloadLocation"] == "https://huggingface.co/acme/base-7b/tree/main"
    assert base["checksums"] == [{"algorithm": "SHA256", "checksumValue": H["1"]}]
    assert base["licenseDeclared"] == "Apache-2.0" and base["filesAnalyzed"] is False
    purl = next(r for r in base["externalRefs"] if r["referenceType"] == "purl")
    assert purl == {
        "referenceCategory": "PACKAGE_MANAGER",  # as spdx-tools writes it; the schema allows both
        "referenceType": "purl",
        "referenceLocator": "pkg:huggingface/acme/base-7b@main",
    }
    assert package(doc, "chat-7b-q4")["downloadLocation"] == "NOASSERTION"
    assert package(doc, "acme/chat-7b")["licenseDeclared"] == "LicenseRef-llama2"
    (extracted,) = doc["hasExtractedLicensingInfos"]
    assert extracted["licenseId"] == "LicenseRef-llama2" and extracted["name"] == "llama2"
    assert package(doc, "acme/instructions")["licenseDeclared"] == "MIT AND CC-BY-4.0"


def test_signatures(doc: dict[str, Any]) -> None:
    refs = {r["referenceType"]: r for r in package(doc, "acme/base-7b")["externalRefs"]}
    # a Hub model: where the Hub serves the bundle (the local path is in the annotation)
    assert refs["oms-signature-bundle"]["referenceLocator"] == (
        "https://huggingface.co/acme/base-7b/resolve/main/model.sig")
    assert refs["oms-signature-bundle"]["referenceCategory"] == "OTHER"
    assert refs["oms-signature-bundle-sha256"]["referenceLocator"] == f"sha256:{H['4']}"
    assert refs["oms-signature-certificate-sha256"]["referenceLocator"] == f"sha256:{H['5']}"
    assert refs["oms-signature-identity"]["referenceLocator"] == "alice@example.com"
    assert "https://accounts.google.com" in refs["oms-signature-identity"]["comment"]
    assert refs["oms-signature-rekor-entry"]["referenceLocator"] == H["e"]
    assert refs["url"] == {
        "referenceCategory": "SECURITY",
        "referenceType": "url",
        "referenceLocator": "https://search.sigstore.dev/?logIndex=598151086",
        "comment": "OMS model signature: the Rekor entry in the Sigstore search UI",
    }
    chat = {r["referenceType"] for r in package(doc, "acme/chat-7b")["externalRefs"]}
    assert {"oms-signature-bundle", "oms-attestation-bundle"} <= chat
    (note,) = package(doc, "acme/base-7b")["annotations"]
    lines = note["comment"].splitlines()
    assert f"aibom:ref: {BASE}" in lines
    assert "aibom:signature:log:0:log-index: 598151086" in lines
    assert f"aibom:file: sha256:{H['2']} config.json" in lines
    assert "aibom:card:description" not in note["comment"]  # the package description has it


def test_relationships(doc: dict[str, Any]) -> None:
    ids = {p["name"]: p["SPDXID"] for p in doc["packages"]}
    found = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]): r.get("comment", "")
        for r in doc["relationships"]
    }
    expected = {
        ("acme/base-7b", "DESCENDANT_OF", "meta-llama/Llama-2-7b-hf"): "finetuned_from",
        ("acme/chat-7b", "DESCENDANT_OF", "acme/base-7b"): "finetuned_from",
        ("chat-7b-q4", "VARIANT_OF", "acme/chat-7b"): "quantized_from",
        ("acme/chat-7b", "RUNTIME_DEPENDENCY_OF", "chat-7b-lora"): "adapter_of",
        ("acme/instructions", "BUILD_DEPENDENCY_OF", "acme/chat-7b"): "trained_on",
        ("eval-set", "TEST_OF", "acme/chat-7b"): "evaluated_on",
    }
    for (a, kind, b), relation in expected.items():
        comment = found[(ids[a], kind, ids[b])]
        assert comment.startswith(f"aibom:edge:relation={relation}; aibom:edge:level="), comment
    # and DESCRIBES the two roots, and each component DEPENDS_ON each parent (derived)
    derived = {k for k, comment in found.items() if k[1] == "DEPENDS_ON"}
    assert all(found[k] == "aibom:derived=true" for k in derived)
    assert {(a, b) for a, _, b in derived} == {
        (ids["acme/base-7b"], ids["meta-llama/Llama-2-7b-hf"]),
        (ids["acme/chat-7b"], ids["acme/base-7b"]),
        (ids["chat-7b-q4"], ids["acme/chat-7b"]),
        (ids["chat-7b-lora"], ids["acme/chat-7b"]),
        (ids["acme/chat-7b"], ids["acme/instructions"]),
        (ids["acme/chat-7b"], ids["eval-set"]),
    }
    assert len(found) == len(expected) + 2 + len(derived)


def test_export_rejects_bad_arguments() -> None:
    with pytest.raises(InputError, match="not in the graph"):
        export_spdx2(small(), root_ref="model:nope")
    with pytest.raises(InputError, match="created"):
        export_spdx2(small(), created="now")


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=30, deadline=None)
@given(name=_text, license_=st.none() | _text, identity=st.none() | _text, path=_text)
def test_any_text_makes_a_valid_document(
    name: str, license_: str | None, identity: str | None, path: str
) -> None:
    """Whatever the graph's text, the export passes spdx-tools validation (it validates
    itself and raises InputError otherwise)."""
    graph = ProvenanceGraph()
    signer = SignerFacts(method="sigstore", identity=identity, issuer=identity)
    signature = SignatureEvidence(path, H["1"], PREDICATE_V1, None, Serialization(), signer)
    graph.add_component(
        Component(
            ref=f"model:{name}",
            kind=Kind.MODEL,
            name=name,
            version=name or None,
            purl=f"pkg:huggingface/{name}" if name else None,
            license=license_,
            license_url=license_,
            signature=signature,
        )
    )
    graph.add_component(Component(ref="dataset:d", kind=Kind.DATASET, name=name, license=license_))
    graph.add_edge(Edge(Relation.TRAINED_ON, f"model:{name}", "dataset:d", evidence=name))
    json.loads(export(graph))


@pytest.mark.parametrize("graph", [family, small], ids=["family", "small"])
def test_the_document_name_is_the_hash_of_the_graph_as_asdict_writes_it(graph: Any) -> None:
    # the namespace hash walks the graph without dataclasses.asdict (slow on many files),
    # and must stay the hash of what asdict writes: the same graph keeps its namespace
    import dataclasses
    import hashlib

    from aibom.formats._spdx_common import document_hash

    g = graph()
    body = {"components": [dataclasses.asdict(c) for c in g.components()],
            "edges": [dataclasses.asdict(e) for e in g.edges()], "arguments": ["x", "1"]}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert document_hash(g, "x", 1) == hashlib.sha256(text.encode()).hexdigest()[:32]
