"""What auditors and Dependency-Track ask of an AIBOM: organisation, versions, suppliers,
hashes, purls, creation time, portable signature references (formats.identity and its use
by the three exporters)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aibom.build import build_document
from aibom.errors import InputError
from aibom.formats.identity import (
    Organization,
    Source,
    creation_time,
    parse_organization,
    purl_of,
    supplier_of,
    version_of,
)
from aibom.graph import Component, Kind, SignatureEvidence
from aibom.oms.model import PREDICATE_V1, Serialization, SignerFacts

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FAMILY = [SAMPLES / "models" / d for d in ("tiny-chat", "tiny-chat-lora", "tiny-base")] + [
    SAMPLES / "datasets" / d for d in ("tiny-instruct", "tiny-corpus")
]
ACME = Organization("Acme AI", email="aibom@acme.example")
DIGEST = "ab" * 32


def build(tmp_path: Path, fmt: str = "cyclonedx", **kw: Any) -> dict[str, Any]:
    out = tmp_path / f"aibom.{fmt}.json"
    text, _ = build_document(SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY),
                             output=out, fmt=fmt, **kw)
    return dict(json.loads(text))


@pytest.mark.parametrize(("text", "want"), [
    ("Acme AI <aibom@acme.example>", Organization("Acme AI", email="aibom@acme.example")),
    ("  Acme <https://acme.example/security>  ",
     Organization("Acme", url="https://acme.example/security")),
])
def test_parse_organization(text: str, want: Organization) -> None:
    assert parse_organization(text) == want


@pytest.mark.parametrize("text", ["Acme", "<a@b.example>", "Acme <not a contact>",
                                  "Acme <ftp://x.example>", "Acme <a@b.example> <c@d.example>"])
def test_parse_organization_refuses(text: str) -> None:
    with pytest.raises(InputError, match="organization"):
        parse_organization(text)


def test_creation_time(monkeypatch: pytest.MonkeyPatch) -> None:
    assert creation_time("2026-03-04T05:06:07+01:00") == datetime(2026, 3, 4, 4, 6, 7, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert creation_time(None) == datetime(1970, 1, 2, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        creation_time(None)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.now(UTC).replace(microsecond=0)
    assert before <= creation_time(None) <= datetime.now(UTC)  # a real time, not 1970


def _component(**kw: Any) -> Component:
    return Component(**{"ref": "model:m", "kind": Kind.MODEL, "name": "m", **kw})


def test_version_purl_and_supplier_sources() -> None:
    hub = _component(name="acme/m", purl="pkg:huggingface/acme/m@abc", version="abc")
    assert version_of(hub) == ("abc", Source.GRAPH)
    assert purl_of(hub) == ("pkg:huggingface/acme/m@abc", Source.GRAPH)
    assert supplier_of(hub, ACME) == (Organization("acme", url="https://huggingface.co/acme"),
                                      Source.HUB)
    local = _component(root_digest=DIGEST)
    assert version_of(local) == (f"sha256:{DIGEST}", Source.ROOT_DIGEST)
    assert purl_of(local)[0] == f"pkg:generic/m@sha256%3A{DIGEST}?checksum=sha256:{DIGEST}"
    assert supplier_of(local, ACME) == (ACME, Source.ORGANIZATION)
    assert supplier_of(local, None) == (None, None)
    signed = _component(signature=SignatureEvidence(
        "model.sig", DIGEST, PREDICATE_V1, DIGEST, Serialization(),
        SignerFacts(method="sigstore", identity="release@vendor.example")))
    assert supplier_of(signed, ACME) == (
        Organization("release@vendor.example", email="release@vendor.example"), Source.SIGNER)
    assert version_of(_component()) == (None, None) and purl_of(_component()) == (None, None)


def test_sample_cyclonedx_for_dependency_track(tmp_path: Path) -> None:
    doc = build(tmp_path, organization=ACME)
    meta = doc["metadata"]
    assert meta["timestamp"] == "2026-01-01T00:00:00Z"  # SOURCE_DATE_EPOCH of the tests
    assert meta["lifecycles"] == [{"phase": "post-build"}]
    assert meta["manufacturer"] == {"name": "Acme AI", "contact": [{"email": "aibom@acme.example"}]}
    assert meta["authors"] == [{"name": "Acme AI", "email": "aibom@acme.example"}]
    assert meta["component"]["version"].startswith("sha256:")
    everything = [meta["component"], *doc["components"]]
    for c in everything:
        assert c["version"] and c["purl"] and c["supplier"]["name"], c["bom-ref"]
        assert any(h["alg"] == "SHA-256" for h in c["hashes"]), c["bom-ref"]
    # Dependency-Track identity: (group, name, version, purl) apart unless the hashes agree
    seen: dict[tuple[Any, ...], set[str]] = defaultdict(set)
    stack = list(everything)
    while stack:
        c = stack.pop()
        stack += c.get("components", [])
        key = (c.get("group"), c["name"], c.get("version"), c.get("purl"))
        seen[key].add(json.dumps(sorted(h["content"] for h in c.get("hashes", []))))
    assert all(len(hashes) == 1 for hashes in seen.values())
    deps = {d["ref"]: d["dependsOn"] for d in doc["dependencies"]}
    assert set(deps) == {c["bom-ref"] for c in everything}
    assert deps["dataset:aibom-samples/tiny-corpus"] == []  # a leaf says so
    corpus = next(c for c in everything if c["bom-ref"] == "dataset:aibom-samples/tiny-corpus")
    hub = "https://huggingface.co/datasets/aibom-samples/tiny-corpus"
    assert corpus["data"][0]["contents"]["url"] == hub  # a dataset keeps its download URL
    assert {"type": "distribution", "url": hub} in corpus["externalReferences"]
    aggregates = {c["aggregate"] for c in doc["compositions"]}
    assert aggregates == {"unknown", "complete"}


def test_without_organization_only_evidence_supplies(tmp_path: Path) -> None:
    comps = {c["bom-ref"]: c for c in build(tmp_path)["components"]}
    assert "manufacturer" not in build(tmp_path)["metadata"]
    assert comps["model:aibom-samples/tiny-base"]["supplier"]["name"] == "aibom-samples"
    assert "supplier" not in comps["adapter:tiny-chat-lora"]  # key-signed, no hub id


def test_reproducible_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    for fmt in ("cyclonedx", "spdx", "spdx2"):
        out = tmp_path / "same.json"
        a, _ = build_document(SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY),
                              output=out, fmt=fmt, organization=ACME)
        b, _ = build_document(SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY),
                              output=out, fmt=fmt, organization=ACME)
        assert a == b and "2023-11-14T22:13:20Z" in a


def test_base_url_makes_signature_references_absolute(tmp_path: Path) -> None:
    doc = build(tmp_path, base_url="https://models.acme.example/release/")
    refs = [r for c in [doc["metadata"]["component"], *doc["components"]]
            for r in c.get("externalReferences", [])
            if r["type"] in ("digital-signature", "attestation")]
    assert refs and all(r["hashes"][0]["alg"] == "SHA-256" for r in refs)
    urls = {r["url"] for r in refs}
    assert "https://models.acme.example/release/tiny-chat-lora/model.sig" in urls
    assert all(u.startswith("https://") and "../" not in u for u in urls)
    with pytest.raises(InputError, match="base-url"):
        build(tmp_path, base_url="file:///etc")


def test_spdx_packages_name_supplier_version_and_concluded_license(tmp_path: Path) -> None:
    doc = build(tmp_path, "spdx", organization=ACME)
    graph = doc["@graph"]
    by_id = {e.get("spdxId"): e for e in graph}
    packages = [e for e in graph if e["type"] in ("ai_AIPackage", "dataset_DatasetPackage")]
    concluded = {r["from"] for r in graph if r.get("relationshipType") == "hasConcludedLicense"}
    for p in packages:
        assert p["software_packageVersion"] and p["software_packageUrl"], p["name"]
        assert p["software_copyrightText"] == "NOASSERTION"
        supplier = by_id[p["suppliedBy"]]
        assert supplier["type"] == "Organization" and supplier["externalIdentifier"]
        assert p["originatedBy"] == [p["suppliedBy"]] and p["spdxId"] in concluded
    info = next(e for e in graph if e["type"] == "CreationInfo")
    assert by_id[info["createdBy"][0]]["name"] == "Acme AI"


def test_sha512_distribution_artifacts_read_back(tmp_path: Path) -> None:
    from aibom.formats import import_cyclonedx
    from aibom.formats.spdx3 import import_spdx3

    out = tmp_path / "a.json"
    for fmt, reader in (("cyclonedx", import_cyclonedx), ("spdx", import_spdx3)):
        text, found = build_document(SAMPLES / "models" / "tiny-chat-q8",
                                     with_dirs=tuple(FAMILY), output=out, fmt=fmt, sha512=True)
        files = [f for c in found.graph.components() for f in c.files]
        assert files and all(f.sha512 and len(f.sha512) == 128 for f in files)
        assert reader(text).same_as(found.graph)
