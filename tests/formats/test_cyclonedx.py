"""CycloneDX export, import and validation.

The golden file tests/formats/golden/family.cdx.json is the expected export of `family()`.
After an intended change to the mapping, regenerate it and review the diff:

    AIBOM_REGEN_GOLDEN=1 python -m pytest tests/formats -k golden
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from hypothesis import given, settings
from hypothesis import strategies as st

import aibom
from aibom._internal.schema import format_checker, is_iri_reference
from aibom.errors import InputError
from aibom.formats import _common as cc
from aibom.formats import export_cyclonedx, import_cyclonedx, validate_cyclonedx
from aibom.graph import (
    CardFacts,
    Component,
    Edge,
    FileDigest,
    Kind,
    Level,
    Metric,
    ProvenanceGraph,
    Relation,
    ScanResult,
    SignatureEvidence,
)
from aibom.oms.model import PREDICATE_V1, LogEntry, Serialization, SignerFacts

GOLDEN = Path(__file__).parent / "golden" / "family.cdx.json"
TS = "2025-01-02T03:04:05Z"
TOOL = "9.9.9-test"  # not aibom.__version__, so a release does not change the golden file

BASE = "pkg:huggingface/acme/base-7b@0123456789abcdef0123456789abcdef01234567"
FT = "pkg:huggingface/acme/chat-7b@1.0"
LORA = "local:acme/chat-7b-lora"
QUANT = "local:acme/chat-7b-q4"
DS_TRAIN = "pkg:huggingface/acme/instructions?repository_url=https://huggingface.co/datasets"
DS_EVAL = "local:acme/eval-set"
EXT = "pkg:huggingface/meta-llama/Llama-2-7b-hf"

H = {c: c * 64 for c in "0123456789abcdef"}  # distinct SHA-256 hex strings


def _sig(bundle: str, sha: str, signer: SignerFacts, *, root: str | None, logs=(),
         ser: Serialization | None = None) -> SignatureEvidence:
    return SignatureEvidence(bundle_path=bundle, bundle_sha256=sha, predicate_type=PREDICATE_V1,
                             root_digest=root, serialization=ser or Serialization(),
                             signer=signer, log_entries=tuple(logs),
                             statement_sha256=hashlib.sha256(bundle.encode()).hexdigest())


def family() -> ProvenanceGraph:
    """Base (keyless, Rekor), fine-tune (certificate, attested lineage), LoRA (key),
    quantized variant, two datasets and a base declared by a card but not present."""
    rekor = LogEntry(log_index=123456789, log_id="c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b84",
                     integrated_time=1735787045, kind="dsse", version="0.0.1",
                     entry_uuid=H["e"], has_inclusion_proof=True)
    base = Component(
        ref=BASE, kind=Kind.MODEL, name="acme/base-7b",
        version="0123456789abcdef0123456789abcdef01234567", purl=BASE, license="apache-2.0",
        license_url="https://www.apache.org/licenses/LICENSE-2.0", root_digest=H["1"],
        files=(FileDigest("config.json", "sha256", H["2"]),
               FileDigest("model.safetensors", "sha256", H["3"])),
        signature=_sig("model.sig", H["4"], SignerFacts(
            method="sigstore", certificate_fingerprint=H["5"],
            identity="https://github.com/acme/train/.github/workflows/sign.yml@refs/heads/main",
            issuer="https://token.actions.githubusercontent.com", chain_fingerprints=(H["5"],),
            not_before="2025-01-02T03:04:00Z", not_after="2025-01-02T03:14:00Z"),
            root=H["1"], logs=[rekor]),
        card=CardFacts(description="A base model.", pipeline_tag="text-generation",
                       library="transformers", architectures=("LlamaForCausalLM",),
                       model_type="llama", dtype="bfloat16", parameters=6_738_415_616,
                       languages=("en", "de"), tags=("llama", "base"),
                       properties=(("context_length", "4096"),)),
    )
    ft = Component(
        ref=FT, kind=Kind.MODEL, name="acme/chat-7b", version="1.0", purl=FT,
        license="llama2", license_url="https://ai.meta.com/llama/license/",
        root_digest=H["6"],
        files=(FileDigest("model-00001-of-00002.safetensors", "blake2b", "ab" * 64),
               FileDigest("model-00002-of-00002.safetensors", "blake2b", "cd" * 64)),
        signature=_sig("signatures/model sig.json", H["7"], SignerFacts(
            method="certificate", certificate_fingerprint=H["8"],
            identity="mailto:release@acme.example", chain_fingerprints=(H["8"], H["9"]),
            not_before="2024-06-01T00:00:00Z", not_after="2026-06-01T00:00:00Z"),
            root=H["6"], ser=Serialization(method="shards", hash_type="blake2b",
                                           shard_size=1_000_000, ignore_paths=(".git", "logs"))),
        attestation=_sig("lineage.sig", H["a"], SignerFacts(
            method="certificate", certificate_fingerprint=H["8"],
            identity="mailto:release@acme.example"), root=H["6"]),
        card=CardFacts(
            pipeline_tag="text-generation", architectures=("LlamaForCausalLM", "LlamaModel"),
            model_type="llama", metrics=(
                Metric("accuracy", "0.71", name="Accuracy", dataset="acme/eval-set",
                       task="text-generation"),
                Metric("mt-bench", "7.5"))),
        warnings=("README.md: license is 'other' but no license_name is given",),
        scan=ScanResult("aibom-scan", "2", "dangerous", ("builtins.eval", "os.system")),
    )
    lora = Component(
        ref=LORA, kind=Kind.ADAPTER, name="acme/chat-7b-lora", license="MIT",
        root_digest=H["b"], files=(FileDigest("adapter_model.safetensors", "sha256", H["c"]),),
        signature=_sig("model.sig", H["d"], SignerFacts(
            method="key", public_key_fingerprint=H["f"], public_key_hint="acme-release-2025"),
            root=H["b"]),
        card=CardFacts(library="peft"),
    )
    quant = Component(
        ref=QUANT, kind=Kind.MODEL, name="acme/chat-7b-q4", license="Apache-2.0 OR MIT",
        files=(FileDigest("chat-7b.Q4_K_M.gguf", "blake3", H["0"]),),
        card=CardFacts(quantization="Q4_K_M", tags=("gguf",)),
    )
    train = Component(ref=DS_TRAIN, kind=Kind.DATASET, name="acme/instructions", purl=DS_TRAIN,
                      license="cc-by-4.0", card=CardFacts(languages=("en",),
                                                         description="Instructions."))
    evalset = Component(ref=DS_EVAL, kind=Kind.DATASET, name="acme/eval-set",
                        files=(FileDigest("test.parquet", "md5", "0" * 32),),
                        card=CardFacts(metrics=(Metric("rows", "1000", task="qa"),)))
    ext = Component(ref=EXT, kind=Kind.MODEL, name="meta-llama/Llama-2-7b-hf", purl=EXT,
                    local=False)
    g = ProvenanceGraph()
    for c in (base, ft, lora, quant, train, evalset, ext):
        g.add_component(c)
    for e in (
        Edge(Relation.FINETUNED_FROM, FT, BASE, Level.ATTESTED, "lineage.sig"),
        Edge(Relation.FINETUNED_FROM, FT, EXT, Level.DECLARED, "README.md base_model"),
        Edge(Relation.TRAINED_ON, FT, DS_TRAIN, Level.DECLARED, "README.md datasets"),
        Edge(Relation.EVALUATED_ON, FT, DS_EVAL, Level.DECLARED, "README.md model-index"),
        Edge(Relation.ADAPTER_OF, LORA, BASE, Level.DECLARED, "adapter_config.json"),
        Edge(Relation.QUANTIZED_FROM, QUANT, FT, Level.DECLARED),
        Edge(Relation.TRAINED_ON, BASE, DS_TRAIN, Level.DECLARED, "README.md datasets"),
    ):
        g.add_edge(e)
    return g


def _doc(text: str) -> dict[str, Any]:
    return json.loads(text)


def _by_ref(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {c["bom-ref"]: c for c in doc.get("components", [])}
    if "component" in doc.get("metadata", {}):
        found[doc["metadata"]["component"]["bom-ref"]] = doc["metadata"]["component"]
    return found


def _props(component: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in component.get("properties", []):
        out.setdefault(p["name"], []).append(p["value"])
    return out


@pytest.fixture(scope="module")
def graph() -> ProvenanceGraph:
    return family()


@pytest.fixture(scope="module")
def text(graph: ProvenanceGraph) -> str:
    return export_cyclonedx(graph, timestamp=TS, tool_version=TOOL)


# --- validity ---------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "schema"), [("1.7", SchemaVersion.V1_7),
                                                 ("1.6", SchemaVersion.V1_6)])
def test_output_validates_strictly(graph: ProvenanceGraph, version: str,
                                   schema: SchemaVersion) -> None:
    out = export_cyclonedx(graph, spec_version=version, root_ref=FT)
    assert JsonStrictValidator(schema).validate_str(out) is None
    validate_cyclonedx(out, version)
    doc = _doc(out)
    assert doc["specVersion"] == version
    assert doc["$schema"].endswith(f"bom-{version}.schema.json")


def test_unsupported_spec_version(graph: ProvenanceGraph) -> None:
    with pytest.raises(InputError, match="unsupported CycloneDX version"):
        export_cyclonedx(graph, spec_version="1.5")


def test_components_and_types(text: str) -> None:
    doc = _doc(text)
    types = {ref: c["type"] for ref, c in _by_ref(doc).items()}
    assert types == {BASE: "machine-learning-model", FT: "machine-learning-model",
                     LORA: "machine-learning-model", QUANT: "machine-learning-model",
                     EXT: "machine-learning-model", DS_TRAIN: "data", DS_EVAL: "data"}
    assert [c["bom-ref"] for c in doc["components"]] == sorted(types)
    kinds = {ref: _props(c)["aibom:kind"] for ref, c in _by_ref(doc).items()}
    assert kinds[LORA] == ["adapter"] and kinds[DS_EVAL] == ["dataset"]
    assert _props(_by_ref(doc)[LORA])["aibom:role"] == ["adapter"]
    assert _props(_by_ref(doc)[QUANT])["aibom:role"] == ["quantized"]
    assert _props(_by_ref(doc)[EXT])["aibom:local"] == ["false"]
    tools = doc["metadata"]["tools"]["components"]
    assert [(t["name"], t["version"]) for t in tools] == [("aibom", TOOL)]
    default = _doc(export_cyclonedx(family()))["metadata"]["tools"]["components"][0]
    assert default["version"] == aibom.__version__
    assert doc["metadata"]["timestamp"] == TS


def test_root_component_goes_to_metadata(graph: ProvenanceGraph) -> None:
    doc = _doc(export_cyclonedx(graph, root_ref=FT))
    assert doc["metadata"]["component"]["bom-ref"] == FT
    assert FT not in {c["bom-ref"] for c in doc["components"]}
    with pytest.raises(InputError, match="not in the graph"):
        export_cyclonedx(graph, root_ref="nope")


def test_edges_in_dependencies_and_pedigree(text: str) -> None:
    doc = _doc(text)
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in doc["dependencies"]}
    assert deps[LORA] == {BASE}  # adapter -> base
    assert deps[FT] == {BASE, EXT, DS_TRAIN, DS_EVAL}  # fine-tune -> bases and datasets
    assert deps[QUANT] == {FT}  # quantized -> source
    assert deps[BASE] == {DS_TRAIN}  # model -> dataset
    assert deps[DS_TRAIN] == set()
    comps = _by_ref(doc)

    def ancestors(ref: str) -> set[str]:
        return {_props(a)["aibom:ref"][0] for a in comps[ref]["pedigree"]["ancestors"]}

    assert ancestors(LORA) == {BASE}
    assert ancestors(FT) == {BASE, EXT}  # datasets are not ancestors
    assert ancestors(QUANT) == {FT}
    assert "pedigree" not in comps[BASE]
    ext_stub = next(a for a in comps[FT]["pedigree"]["ancestors"] if a["name"].startswith("meta"))
    assert ext_stub["purl"] == EXT and "bom-ref" not in ext_stub
    params = comps[FT]["modelCard"]["modelParameters"]
    assert params["datasets"] == [{"ref": DS_EVAL}, {"ref": DS_TRAIN}]
    edges = _props(comps[FT])
    assert edges["aibom:edge:0:relation"] == ["evaluated_on"]
    levels = {edges[f"aibom:edge:{n}:parent"][0]: edges[f"aibom:edge:{n}:level"][0]
              for n in range(4)}
    assert levels == {BASE: "attested", EXT: "declared", DS_TRAIN: "declared",
                      DS_EVAL: "declared"}


def test_signature_evidence(text: str) -> None:
    comps = _by_ref(_doc(text))

    def refs(ref: str, kind: str) -> list[dict[str, Any]]:
        return [r for r in comps[ref].get("externalReferences", []) if r["type"] == kind]

    # keyless base: bundle with its digest, certificate, identity and the Rekor entry
    # a Hub model: the reference is where the Hub serves the bundle, the local path a property
    (sig,) = refs(BASE, "digital-signature")
    assert sig["url"] == ("https://huggingface.co/acme/base-7b/resolve/"
                          "0123456789abcdef0123456789abcdef01234567/model.sig")
    assert sig["hashes"] == [{"alg": "SHA-256", "content": H["4"]}]
    p = _props(comps[BASE])
    assert p["aibom:signature:bundle-path"] == ["model.sig"]
    assert p["aibom:signature:method"] == ["sigstore"]
    assert p["aibom:signature:certificate-sha256"] == [H["5"]]
    assert p["aibom:signature:identity"][0].startswith("https://github.com/acme/")
    assert p["aibom:signature:issuer"] == ["https://token.actions.githubusercontent.com"]
    assert p["aibom:signature:log:0:log-index"] == ["123456789"]
    assert p["aibom:signature:log:0:entry-uuid"] == [H["e"]]
    assert p["aibom:signature:log:0:inclusion-proof"] == ["true"]
    (log,) = refs(BASE, "log")
    assert log["url"] == "https://search.sigstore.dev/?logIndex=123456789"
    # certificate-signed fine-tune: path with a space is percent-encoded, exact path kept
    (sig,) = refs(FT, "digital-signature")
    assert sig["url"] == "https://huggingface.co/acme/chat-7b/resolve/1.0/signatures/model%20sig.json"
    p = _props(comps[FT])
    assert p["aibom:signature:bundle-path"] == ["signatures/model sig.json"]
    assert p["aibom:signature:chain-sha256"] == [H["8"], H["9"]]
    assert p["aibom:signature:serialization:ignore-path"] == [".git", "logs"]
    assert p["aibom:signature:serialization:shard-size"] == ["1000000"]
    (att,) = refs(FT, "attestation")
    assert att["url"] == "https://huggingface.co/acme/chat-7b/resolve/1.0/lineage.sig"
    assert att["hashes"][0]["content"] == H["a"]
    assert p["aibom:attestation:method"] == ["certificate"]
    # key-signed adapter: public key fingerprint and hint
    p = _props(comps[LORA])
    assert p["aibom:signature:method"] == ["key"]
    assert p["aibom:signature:public-key-sha256"] == [H["f"]]
    assert p["aibom:signature:public-key-hint"] == ["acme-release-2025"]
    assert "aibom:signature:method" not in _props(comps[QUANT])


def test_files_hashes_and_licenses(text: str) -> None:
    comps = _by_ref(_doc(text))
    files = comps[BASE]["components"]
    assert [(f["type"], f["name"]) for f in files] == [("file", "config.json"),
                                                      ("file", "model.safetensors")]
    assert files[1]["hashes"] == [{"alg": "SHA-256", "content": H["3"]}]
    # a many-file component: its hash is the OMS root digest (over the signed manifest)
    assert comps[BASE]["hashes"] == [{"alg": "SHA-256", "content": H["1"]}]
    assert _props(comps[BASE])["aibom:oms:root-digest"] == [H["1"]]
    assert comps[FT]["components"][0]["hashes"][0]["alg"] == "BLAKE2b-512"
    assert comps[QUANT]["hashes"] == [{"alg": "BLAKE3", "content": H["0"]}]  # one-file model
    md5 = comps[DS_EVAL]["components"][0]
    assert "hashes" not in md5 and _props(md5)["aibom:file:algorithm"] == ["md5"]

    # each licence twice: declared by the card, and concluded (as SPDX 2.3 and 3.0.1 do)
    apache = {"id": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"}
    assert comps[BASE]["licenses"] == [{"license": {"acknowledgement": "declared", **apache}},
                                       {"license": {"acknowledgement": "concluded", **apache}}]
    assert _props(comps[BASE])["aibom:license"] == ["apache-2.0"]
    assert [x["license"]["name"] for x in comps[FT]["licenses"]] == ["llama2", "llama2"]
    assert comps[LORA]["licenses"] == [{"license": {"acknowledgement": "declared", "id": "MIT"}},
                                       {"license": {"acknowledgement": "concluded", "id": "MIT"}}]
    assert "aibom:license" not in _props(comps[LORA])
    assert comps[QUANT]["licenses"] == [
        {"acknowledgement": "declared", "expression": "Apache-2.0 OR MIT"},
        {"acknowledgement": "concluded", "expression": "Apache-2.0 OR MIT"}]


def test_cyclonedx_1_6_keeps_one_expression() -> None:
    """CycloneDX 1.6 allows a single license expression: it stays declared only, while
    license objects are concluded too."""
    comps = _by_ref(_doc(export_cyclonedx(family(), spec_version="1.6",
                                          timestamp="2025-01-01T00:00:00Z")))
    assert comps[QUANT]["licenses"] == [{"acknowledgement": "declared",
                                         "expression": "Apache-2.0 OR MIT"}]
    assert [x["license"]["acknowledgement"] for x in comps[LORA]["licenses"]] == [
        "declared", "concluded"]


def test_concluded_license_read_back() -> None:
    """A document whose licences are only concluded still yields them; a conclusion that
    differs from the declared licence is named in a warning, the declared one kept."""
    doc = _doc(export_cyclonedx(family(), timestamp="2025-01-01T00:00:00Z"))
    entry = _by_ref(doc)[LORA]
    entry["licenses"] = [{"license": {"acknowledgement": "concluded", "id": "MIT"}}]
    graph = import_cyclonedx(json.dumps(doc))
    assert graph.component(LORA).license == "MIT"
    entry["licenses"] = [{"license": {"acknowledgement": "declared", "id": "MIT"}},
                         {"license": {"acknowledgement": "concluded", "id": "BSD-3-Clause"}}]
    graph = import_cyclonedx(json.dumps(doc))
    assert graph.component(LORA).license == "MIT"
    assert any("differs from the declared 'MIT'" in w for w in graph.component(LORA).warnings)


def test_model_card_and_data(text: str) -> None:
    comps = _by_ref(_doc(text))
    card = comps[BASE]["modelCard"]
    assert card["modelParameters"]["task"] == "text-generation"
    assert card["modelParameters"]["architectureFamily"] == "llama"
    assert card["modelParameters"]["modelArchitecture"] == "LlamaForCausalLM"
    assert card["modelParameters"]["inputs"] == [{"format": "text"}]
    assert "approach" not in card["modelParameters"] and "considerations" not in card
    metrics = comps[FT]["modelCard"]["quantitativeAnalysis"]["performanceMetrics"]
    assert metrics == [{"type": "accuracy", "value": "0.71", "slice": "acme/eval-set"},
                       {"type": "mt-bench", "value": "7.5"}]
    assert comps[BASE]["description"] == "A base model."
    assert comps[BASE]["tags"] == ["llama", "base"]  # graph order, not sorted
    assert _props(comps[BASE])["aibom:card:language"] == ["en", "de"]
    assert "modelCard" not in comps[DS_TRAIN]
    assert comps[DS_TRAIN]["data"] == [{
        "type": "dataset", "name": "acme/instructions",
        "contents": {"url": "https://huggingface.co/datasets/acme/instructions"}}]
    dist = [r for r in comps[BASE]["externalReferences"] if r["type"] == "distribution"]
    assert dist == [{"type": "distribution", "url": "https://huggingface.co/acme/base-7b"
                     "/tree/0123456789abcdef0123456789abcdef01234567"}]


# --- determinism ------------------------------------------------------------------------


def test_deterministic(graph: ProvenanceGraph) -> None:
    a, b = export_cyclonedx(graph), export_cyclonedx(family())
    assert a == b
    serial = _doc(a)["serialNumber"]
    assert serial.startswith("urn:uuid:") and serial[23] == "5"  # version-5-like
    assert _doc(a)["metadata"]["timestamp"] == "2026-01-01T00:00:00Z"  # SOURCE_DATE_EPOCH
    # the timestamp does not enter the serial number; content does
    assert _doc(export_cyclonedx(graph, timestamp=TS))["serialNumber"] == serial
    changed = family()
    changed.replace_component(dataclasses.replace(changed.component(QUANT), version="2"))
    assert _doc(export_cyclonedx(changed))["serialNumber"] != serial
    given = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    assert _doc(export_cyclonedx(graph, serial_number=given))["serialNumber"] == given
    with pytest.raises(InputError, match="not a UUID"):
        export_cyclonedx(graph, serial_number="urn:uuid:nope")
    with pytest.raises(InputError, match="RFC 3339"):
        export_cyclonedx(graph, timestamp="yesterday")


def test_golden(text: str) -> None:
    if os.environ.get("AIBOM_REGEN_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text


# --- round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.7", "1.6"])
@pytest.mark.parametrize("root", [None, FT])
def test_round_trip(graph: ProvenanceGraph, version: str, root: str | None) -> None:
    back = import_cyclonedx(export_cyclonedx(graph, spec_version=version, root_ref=root))
    assert back.same_as(graph)
    for original in graph.components():
        read = back.component(original.ref)
        for f in dataclasses.fields(Component):
            assert getattr(read, f.name) == getattr(original, f.name), (original.ref, f.name)
    assert [dataclasses.astuple(e) for e in back.edges()] == \
        [dataclasses.astuple(e) for e in graph.edges()]
    assert back.role(LORA) == graph.role(LORA)


def test_round_trip_bytes(text: str) -> None:
    assert export_cyclonedx(import_cyclonedx(text.encode()), timestamp=TS,
                            tool_version=TOOL) == text


def test_round_trip_awkward_values() -> None:
    g = ProvenanceGraph()
    odd = Component(
        ref="odd ref", kind=Kind.MODEL, name="", version="", purl="pkg:generic/Not Canonical",
        license="", license_url="not a url %zz",
        files=(FileDigest("a", "sha256", "A" * 64), FileDigest("a", "sha256", "b" * 64)),
        signature=_sig("%zz", "not-hex", SignerFacts(method="key"), root=None),
        card=CardFacts(pipeline_tag="", architectures=("X",), metrics=(Metric("t", ""),),
                       tags=("b", "a", "b"), properties=(("k", "2"), ("k", "1"))),
    )
    g.add_component(odd)
    out = export_cyclonedx(g)
    validate_cyclonedx(out)
    assert import_cyclonedx(out).components() == [odd]


# --- foreign documents ------------------------------------------------------------------


def test_import_foreign_ml_bom() -> None:
    """The shape cdxgen writes for a local Hugging Face model (`cdxgen -t ai`)."""
    ds = ("pkg:huggingface/HuggingFaceH4/ultrachat_200k"
          "?repository_url=https%3A%2F%2Fhuggingface.co%2Fdatasets")
    model = "pkg:huggingface/acme/zephyr-lora@abc"
    doc = {
        "bomFormat": "CycloneDX", "specVersion": "1.7", "version": 1,
        "components": [
            {"type": "machine-learning-model", "bom-ref": model, "name": "zephyr-lora",
             "group": "acme", "purl": model, "licenses": [{"license": {"id": "MIT"}}],
             "tags": ["huggingface", "chat"],
             "properties": [{"name": "cdx:ai:quantization", "value": "bnb 4-bit"},
                            {"name": "cdx:ai:variant", "value": "adapter"}],
             "modelCard": {"modelParameters": {"task": "text-generation",
                                               "architectureFamily": "mistral",
                                               "datasets": [{"ref": ds}]},
                           "quantitativeAnalysis": {"performanceMetrics": [
                               {"type": "MT-Bench", "value": "7.5", "slice": "ultrachat"}]},
                           "properties": [{"name": "cdx:huggingface:language", "value": "en"}]},
             "pedigree": {"ancestors": [{"type": "machine-learning-model", "group": "mistralai",
                                         "name": "Mistral-7B-v0.1",
                                         "purl": "pkg:huggingface/mistralai/Mistral-7B-v0.1"}],
                          "notes": "Hugging Face relation: adapter; Quantization: bnb 4-bit"}},
            {"type": "data", "bom-ref": ds, "name": "ultrachat_200k", "purl": ds,
             "data": [{"type": "dataset", "name": "HuggingFaceH4/ultrachat_200k"}]},
            {"type": "library", "bom-ref": "pkg:pypi/torch@2.3.0", "name": "torch"},
        ],
        "dependencies": [{"ref": model, "dependsOn": [ds, "pkg:pypi/torch@2.3.0"]}],
    }
    g = import_cyclonedx(json.dumps(doc), source="cdxgen.json")
    assert {c.ref for c in g} == {model, ds, "pkg:huggingface/mistralai/Mistral-7B-v0.1"}
    m = g.component(model)
    assert m.kind == Kind.ADAPTER and m.license == "MIT" and m.local
    assert m.card.pipeline_tag == "text-generation" and m.card.model_type == "mistral"
    assert m.card.quantization == "bnb 4-bit" and m.card.languages == ("en",)
    assert m.card.metrics == (Metric("MT-Bench", "7.5", dataset="ultrachat"),)
    assert g.component(ds).kind == Kind.DATASET
    base = g.component("pkg:huggingface/mistralai/Mistral-7B-v0.1")
    assert not base.local and base.name == "Mistral-7B-v0.1"
    rel = {(e.relation, e.parent, e.level) for e in g.parents(model)}
    assert rel == {(Relation.TRAINED_ON, ds, Level.DECLARED),
                   (Relation.ADAPTER_OF, base.ref, Level.DECLARED)}
    assert g.role(model).value == "adapter"


# --- untrusted input --------------------------------------------------------------------


@pytest.mark.parametrize(("payload", "message"), [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe{}", "not UTF-8"),
    (b"[]", "expected an object"),
    (b'{"bomFormat": "SPDX"}', "not a CycloneDX document"),
    (b'{"bomFormat": "CycloneDX", "components": {}}', "components: expected an array"),
    (b'{"bomFormat": "CycloneDX", "components": [{"type": "data", "bom-ref": "d", "name": 7}]}',
     r"components\[0\].name: expected a string, got number"),
    (b'{"bomFormat": "CycloneDX", "components": [{"type": "machine-learning-model",'
     b' "name": "m"}]}', "without a bom-ref"),
    (b'{"bomFormat": "CycloneDX", "components": [{"type": "data", "bom-ref": "d", "name": "a"},'
     b' {"type": "data", "bom-ref": "d", "name": "b"}]}', "duplicate bom-ref"),
    (b'{"bomFormat": "CycloneDX", "a": 1, "a": 2}', "duplicate key"),
    (b'{"bomFormat": "CycloneDX", "x": NaN}', "NaN is not JSON"),
    (b'{"bomFormat": "CycloneDX", "components": [{"type": "data", "bom-ref": "d", "name": "a",'
     b' "properties": [{"name": "aibom:kind", "value": "dataset"},'
     b' {"name": "aibom:edge:0:relation", "value": "trained_on"},'
     b' {"name": "aibom:edge:0:parent", "value": "ghost"}]}]}', "'ghost' is not a component"),
    (b'{"bomFormat": "CycloneDX", "components": [{"type": "data", "bom-ref": "d", "name": "a",'
     b' "properties": [{"name": "aibom:signature:method", "value": "key"}]}]}',
     "OMS signature without its bundle path"),
])
def test_import_rejects(payload: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        import_cyclonedx(payload, source="in.json")


def test_import_rejects_oversized() -> None:
    big = b'{"bomFormat": "CycloneDX", "pad": "' + b"x" * (100 * 1024 * 1024) + b'"}'
    with pytest.raises(InputError, match="byte limit"):
        import_cyclonedx(big)
    with pytest.raises(InputError, match="byte limit"):
        import_cyclonedx(big.decode())


@pytest.mark.parametrize("depth", [300, 100_000])
def test_import_rejects_deep_nesting(depth: int) -> None:
    deep = '{"bomFormat": "CycloneDX", "x": ' + "[" * depth + "]" * depth + "}"
    with pytest.raises(InputError, match=r"nested|deeper"):
        import_cyclonedx(deep)


def test_error_is_one_line() -> None:
    with pytest.raises(InputError) as info:
        import_cyclonedx(b'{"bomFormat": "CycloneDX", "components": [1]}')
    assert "\n" not in info.value.one_line() and "components[0]" in str(info.value)


# --- validate_cyclonedx -----------------------------------------------------------------


def test_validate_rejects_broken_documents(text: str) -> None:
    validate_cyclonedx(text)
    doc = _doc(text)
    doc["components"][0]["type"] = "neural-network"
    with pytest.raises(InputError, match=r"schema: at components/0/type"):
        validate_cyclonedx(json.dumps(doc))
    doc = _doc(text)
    doc["components"][1]["bom-ref"] = doc["components"][0]["bom-ref"]
    with pytest.raises(InputError, match="duplicate bom-ref"):
        validate_cyclonedx(json.dumps(doc))
    doc = _doc(text)
    doc["dependencies"][0]["dependsOn"] = ["ghost"]
    with pytest.raises(InputError, match="unknown bom-ref 'ghost'"):
        validate_cyclonedx(json.dumps(doc))
    with pytest.raises(InputError, match=r"specVersion is '1\.7', not '1\.6'"):
        validate_cyclonedx(text, "1.6")
    with pytest.raises(InputError, match="not valid JSON"):
        validate_cyclonedx(text[:-10])


# --- the fast IRI check -----------------------------------------------------------------

_IRI_CHARS = "aZ09-._~!$&'()*+,;=:@/?#%[] \"<>\\^`{|}\u00e9"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_IRI_CHARS, max_size=14) | st.builds(
    lambda p, s: p + s, st.sampled_from(["http://", "https://h", "https://h:1/", "a/", "//"]),
    st.text(alphabet=_IRI_CHARS, max_size=10)))
def test_fast_iri_check_agrees_with_the_rfc3987_grammar(value: str) -> None:
    """The shortcut in front of the Earley-parsed iri-reference check never says yes where the
    RFC 3987 grammar says no, and iri() only returns what the grammar accepts."""
    from rfc3987_syntax import is_valid_syntax

    real = is_valid_syntax("iri_reference", value)
    assert is_iri_reference(value) == real
    assert format_checker().conforms(value, "iri-reference") == real
    written = cc.iri(value)
    assert written is None or is_valid_syntax("iri_reference", written)
