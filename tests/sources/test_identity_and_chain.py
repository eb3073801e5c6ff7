"""A snapshot's identity (ORG/NAME, version = revision, purl, refs) in every format, card
references resolved to cached snapshots so the graph is connected, and verify-chain over
`hf:` targets and over AIBOMs that record cache locations."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from support.cli import assert_one_line_failure, run_cli
from support.models import make_model

from .hub import add_revision, blob_name, weights

BASE = {
    "README.md": b"---\nlicense: apache-2.0\n---\n# base\n",
    "config.json": b'{"model_type": "llama"}',
    "model.safetensors": weights(seed=1),
}
FT = {
    "README.md": b"---\nlicense: apache-2.0\nbase_model: org/base\ndatasets:\n- org/data\n---\n",
    "config.json": b'{"model_type": "llama"}',
    "model.safetensors": weights(seed=2),
}
DATA = {
    "README.md": b"---\nlicense: cc-by-4.0\ntask_categories:\n- text-generation\n---\n",
    "data/train.parquet": b"PAR1 not really parquet PAR1",
}
POLICY = """\
version: 1
publishers:
  - name: org
    public_key: {key}
rules:
  - match: "*"
    publishers: [org]
require:
  signatures: models
  lineage: attested
  scan: clean
"""


def publish(tmp_path: Path, keypair) -> dict[str, Path]:
    """The publisher signs and attests its repositories on disk; returns them."""
    repos = {name: make_model(tmp_path / "publisher" / name, files)
             for name, files in (("base", BASE), ("ft", FT), ("data", DATA))}
    for name in ("base", "ft"):
        assert run_cli("sign", repos[name], "--private-key", keypair.private_path).code == 0
    run = run_cli("attest", repos["ft"], "--parent", repos["base"], "--relation", "finetune",
                  "--dataset", repos["data"], "--private-key", keypair.private_path)
    assert run.code == 0, run.err
    return repos


def cache_from(hub: Path, repos: dict[str, Path]) -> dict[str, Path]:
    """What a user's cache holds after downloading the three repositories."""
    def files(repo: Path) -> dict[str, bytes]:
        return {p.relative_to(repo).as_posix(): p.read_bytes()
                for p in repo.rglob("*") if p.is_file()}

    return {
        "base": add_revision(hub, "org/base", files(repos["base"]), refs=("main", "v1.0")),
        "ft": add_revision(hub, "org/ft", files(repos["ft"]), refs=("main", "refs/pr/2")),
        "data": add_revision(hub, "org/data", files(repos["data"]), repo_type="dataset"),
    }


@pytest.fixture
def estate(hub: Path, tmp_path: Path, keypair) -> dict[str, Path]:
    snaps = cache_from(hub, publish(tmp_path, keypair))
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.format(key=keypair.public_path))
    snaps["policy"] = policy
    return snaps


def components(doc: dict) -> dict[str, dict]:
    return {c["bom-ref"]: c for c in [doc["metadata"]["component"], *doc["components"]]}


def test_cyclonedx_identity_and_connected_lineage(estate: dict[str, Path], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = run_cli("build", "hf:org/ft")  # the base and the dataset come from the cache
    assert run.code == 0, run.err
    assert JsonStrictValidator(SchemaVersion.V1_7).validate_str(run.out) is None
    doc = json.loads(run.out)
    comps = components(doc)
    assert set(comps) == {"model:org/ft", "model:org/base", "dataset:org/data"}
    ft, base, data = comps["model:org/ft"], comps["model:org/base"], comps["dataset:org/data"]
    assert (ft["name"], ft["version"]) == ("org/ft", estate["ft"].name)
    assert ft["purl"] == f"pkg:huggingface/org/ft@{estate['ft'].name}"
    assert base["purl"] == f"pkg:huggingface/org/base@{estate['base'].name}"
    # the purl huggingface type covers models only: a dataset's purl is pinned to its digest
    assert data["purl"].startswith("pkg:generic/data@") and "?checksum=sha256:" in data["purl"]
    assert data["version"] == estate["data"].name

    def prop(c: dict, name: str) -> list[str]:
        return [p["value"] for p in c.get("properties", []) if p["name"] == name]

    assert prop(ft, "aibom:fact:hf:ref") == ["main", "refs/pr/2"]
    assert prop(base, "aibom:fact:hf:ref") == ["main", "v1.0"]
    assert prop(ft, "aibom:location") == [f"hf:org/ft@{estate['ft'].name}"]
    assert prop(data, "aibom:location") == [f"hf:datasets/org/data@{estate['data'].name}"]
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in doc["dependencies"]}
    assert deps["model:org/ft"] == {"model:org/base", "dataset:org/data"}


def test_with_names_the_snapshot_instead_of_the_cache(estate: dict[str, Path], tmp_path: Path,
                                                      hub: Path) -> None:
    """Given with --with, the snapshot is used as given: here an older revision of the base."""
    old = add_revision(hub, "org/base", {**BASE, "config.json": b'{"model_type": "old"}'},
                       refs=("v0.9",))
    run = run_cli("build", "hf:org/ft", "--with", "hf:org/base@v0.9", "--format", "spdx2")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    versions = {p["name"]: p.get("versionInfo") for p in doc["packages"]}
    assert versions["org/base"] == old.name
    assert versions["org/ft"] == estate["ft"].name
    purls = [r["referenceLocator"] for p in doc["packages"] for r in p.get("externalRefs", [])]
    assert f"pkg:huggingface/org/base@{old.name}" in purls


def test_spdx3_identity_is_schema_valid(estate: dict[str, Path], spdx_schemas: Path) -> None:
    import jsonschema_rs

    run = run_cli("build", "hf:org/ft", "--format", "spdx")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    schema = json.loads((spdx_schemas / "spdx-json-schema.json").read_text())
    assert list(jsonschema_rs.validator_for(schema).iter_errors(doc)) == []
    packages = {e["name"]: e for e in doc["@graph"] if e.get("name") in ("org/ft", "org/base")}
    assert packages["org/ft"]["software_packageVersion"] == estate["ft"].name
    assert packages["org/base"]["software_packageUrl"] == (
        f"pkg:huggingface/org/base@{estate['base'].name}")


def test_verify_chain_on_hf_target_and_on_its_aibom(estate: dict[str, Path], tmp_path: Path,
                                                    hub: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    policy = estate["policy"]
    run = run_cli("verify-chain", "hf:org/ft", "--policy", policy)
    assert run.code == 0, run.out + run.err
    out = tmp_path / "out"
    out.mkdir()
    doc = out / "aibom.cdx.json"
    assert run_cli("build", "hf:org/ft", "-o", doc).code == 0
    monkeypatch.chdir(tmp_path / "publisher")  # anywhere: cache locations are not paths
    run = run_cli("verify-chain", doc, "--policy", policy, "--format", "json")
    assert run.code == 0, run.out + run.err
    statuses = {c["subject"]: c["status"] for c in json.loads(run.out)["checks"]}
    assert statuses["model:org/ft -> model:org/base"] == "verified"
    assert statuses["model:org/ft -> dataset:org/data"] == "verified"
    # one byte of the base's weights changes in the cache: the chain fails on that node
    blob = (hub / "models--org--base" / "blobs"
            / blob_name("model.safetensors", BASE["model.safetensors"]))
    data = bytearray(blob.read_bytes())
    data[-1] ^= 1
    blob.write_bytes(bytes(data))
    run = run_cli("verify-chain", doc, "--policy", policy, "--format", "json")
    assert run.code == 1
    failed = [c for c in json.loads(run.out)["checks"] if c["status"] == "failed"]
    assert [c["subject"] for c in failed] == ["model:org/base"]
    assert "model.safetensors" in failed[0]["reason"]


def test_cache_location_in_an_aibom_is_checked(estate: dict[str, Path], tmp_path: Path) -> None:
    """A hostile AIBOM cannot turn a cache location into a path out of the snapshot."""
    from aibom.errors import InputError
    from aibom.sources import resolve_location

    commit = estate["ft"].name
    assert resolve_location(f"hf:org/ft@{commit}") == estate["ft"]
    assert resolve_location(f"hf:org/ft@{commit}/model.sig") == estate["ft"] / "model.sig"
    assert resolve_location("relative/dir") is None
    for bad in (f"hf:org/ft@{commit}/../../refs/main", f"hf:org/ft@{commit}/.x",
                "hf:org/ft@main", f"hf:org/absent@{commit}"):
        with pytest.raises(InputError):
            resolve_location(bad)


def test_attest_and_adopt_never_write_into_the_cache(estate: dict[str, Path], keypair,
                                                     tmp_path: Path) -> None:
    run = run_cli("attest", "hf:org/ft", "--parent", "hf:org/base", "--relation", "finetune",
                  "--private-key", keypair.private_path)
    assert_one_line_failure(run, [2], "would be written into the Hugging Face cache")
    out = tmp_path / "ft-lineage.sig"
    run = run_cli("attest", "hf:org/ft", "--parent", "hf:org/base", "--relation", "finetune",
                  "--dataset", "hf:datasets/org/data", "--private-key", keypair.private_path,
                  "--signature", out)
    assert run.code == 0, run.err
    lineage = json.loads(out.read_text())
    assert lineage["dsseEnvelope"]["payload"]
    from aibom.lineage.attest import read_lineage

    parsed = read_lineage(out)
    assert [p.name for p in parsed.parents] == ["org/base"]
    assert [d.name for d in parsed.datasets] == ["org/data"]
    run = run_cli("adopt", "hf:org/base", "--pin", "0" * 64, "--upstream-public-key",
                  keypair.public_path, "--private-key", keypair.private_path)
    assert_one_line_failure(run, [2], "would be written into the Hugging Face cache")
    assert not os.path.exists(estate["base"] / "upstream.sig")


def test_adapter_base_resolves_to_the_revision_it_names(hub: Path) -> None:
    old = add_revision(hub, "org/base", {**BASE, "config.json": b'{"model_type": "old"}'},
                       refs=("v0.9",))
    add_revision(hub, "org/base", BASE, refs=("main",))
    adapter = {
        "adapter_config.json": json.dumps({
            "peft_type": "LORA", "base_model_name_or_path": "org/base", "revision": "v0.9",
            "r": 4, "lora_alpha": 8, "target_modules": ["q_proj"]}).encode(),
        "adapter_model.safetensors": weights(seed=5),
    }
    add_revision(hub, "org/lora", adapter)
    run = run_cli("build", "hf:org/lora")
    assert run.code == 0, run.err
    comps = components(json.loads(run.out))
    assert comps["model:org/base"]["version"] == old.name
    assert comps["adapter:org/lora"]["version"]
    deps = {d["ref"]: d.get("dependsOn", []) for d in json.loads(run.out)["dependencies"]}
    assert deps["adapter:org/lora"] == ["model:org/base"]


def test_two_revisions_given_the_reference_picks_its_own(hub: Path) -> None:
    old = add_revision(hub, "org/base", {**BASE, "config.json": b'{"model_type": "old"}'},
                       refs=("v0.9",))
    new = add_revision(hub, "org/base", BASE, refs=("main",))
    adapter = {"adapter_config.json": json.dumps({
        "peft_type": "LORA", "base_model_name_or_path": "org/base", "revision": "v0.9"}).encode()}
    add_revision(hub, "org/lora", adapter)
    run = run_cli("build", "hf:org/lora", "--with", "hf:org/base", "--with", "hf:org/base@v0.9")
    assert run.code == 0, run.err
    doc = json.loads(run.out)
    refs = {c["bom-ref"]: c.get("version") for c in doc["components"]}
    parent = next(d["dependsOn"] for d in doc["dependencies"] if d["ref"] == "adapter:org/lora")
    assert len(parent) == 1 and refs[parent[0]] == old.name
    assert new.name in refs.values()  # both revisions are in the graph, told apart by ref
