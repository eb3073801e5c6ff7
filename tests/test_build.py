"""`aibom build` on the sample family and on real signatures: graph, CycloneDX, round trip.

The golden file tests/golden/samples.cdx.json is the AIBOM of the committed samples; after
regenerating the samples (samples/make_samples.py), regenerate it with
    AIBOM_REGEN_GOLDEN=1 python -m pytest tests/test_build.py -k golden
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from aibom.build import build_document, read_document
from aibom.cli import main
from aibom.discovery import discover
from aibom.errors import InputError
from aibom.graph import Kind, Level, Relation, Role

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
FAMILY = [
    SAMPLES / "models" / "tiny-chat",
    SAMPLES / "models" / "tiny-chat-lora",
    SAMPLES / "models" / "tiny-base",
    SAMPLES / "datasets" / "tiny-instruct",
    SAMPLES / "datasets" / "tiny-corpus",
]
GOLDEN = Path(__file__).parent / "golden" / "samples.cdx.json"


def strict_errors(text: str, version: SchemaVersion = SchemaVersion.V1_7) -> object:
    return JsonStrictValidator(version).validate_str(text)


@pytest.fixture(scope="module")
def family(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("bom") / "family.cdx.json"
    text, _ = build_document(
        SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY), output=out
    )
    out.write_text(text)
    return text, out


def test_family_graph_roles_and_lineage() -> None:
    graph = discover(SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY)).graph
    roles = {c.name: graph.role(c.ref) for c in graph.components()}
    assert roles == {
        "aibom-samples/tiny-base": Role.BASE,
        "aibom-samples/tiny-chat": Role.FINE_TUNE,
        "tiny-chat-lora": Role.ADAPTER,
        "tiny-chat-q8": Role.QUANTIZED,
        "aibom-samples/tiny-instruct": Role.DATASET,
        "aibom-samples/tiny-corpus": Role.DATASET,
    }
    edges = {(e.child, e.relation, e.parent): e.level for e in graph.edges()}
    chat, base = "model:aibom-samples/tiny-chat", "model:aibom-samples/tiny-base"
    instruct = "dataset:aibom-samples/tiny-instruct"
    assert edges[("adapter:tiny-chat-lora", Relation.ADAPTER_OF, chat)] == Level.ATTESTED
    assert edges[(chat, Relation.FINETUNED_FROM, base)] == Level.ATTESTED
    assert edges[("model:tiny-chat-q8", Relation.QUANTIZED_FROM, chat)] == Level.ATTESTED
    assert edges[(chat, Relation.TRAINED_ON, instruct)] == Level.ATTESTED
    assert edges[(chat, Relation.EVALUATED_ON, instruct)] == Level.DECLARED


def test_with_a_folder_of_models_means_the_models_in_it(tmp_path: Path) -> None:
    """`--with samples/models` names the folder that holds models: it stands for each model
    in it, so the graph is the family, with no made-up component for the folder."""
    folders = (SAMPLES / "models", SAMPLES / "datasets")
    graph = discover(SAMPLES / "models" / "tiny-chat-q8", with_dirs=folders).graph
    listed = discover(SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY)).graph
    assert sorted(c.ref for c in graph.components()) == sorted(c.ref for c in listed.components())
    assert sorted(map(str, graph.edges())) == sorted(map(str, listed.edges()))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no model or dataset directory"):
        discover(SAMPLES / "models" / "tiny-chat-q8", with_dirs=(tmp_path / "empty",))


def test_family_components_carry_signer_and_log_evidence() -> None:
    graph = discover(SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY)).graph
    base = graph.component("model:aibom-samples/tiny-base")
    assert base.signature is not None and base.signature.signer.method == "sigstore"
    assert base.signature.signer.identity == "release@vendor.example"
    assert base.signature.signer.issuer == "https://accounts.vendor.example"
    assert base.signature.log_entries and base.signature.log_entries[0].entry_uuid
    chat = graph.component("model:aibom-samples/tiny-chat")
    assert chat.signature is not None and chat.signature.signer.certificate_fingerprint
    q8 = graph.component("model:tiny-chat-q8")
    assert q8.card.quantization == "Q8_0" and q8.card.model_type == "llama"
    corpus = graph.component("dataset:aibom-samples/tiny-corpus")
    assert corpus.kind == Kind.DATASET and corpus.signature is None
    assert corpus.root_digest and corpus.files  # unsigned content is still identified
    assert base.purl == "pkg:huggingface/aibom-samples/tiny-base"


def test_cyclonedx_of_family_is_valid_and_complete(family: tuple[str, Path]) -> None:
    text, _ = family
    assert strict_errors(text) is None
    bom = json.loads(text)
    assert bom["specVersion"] == "1.7"
    types = {c["bom-ref"]: c["type"] for c in bom["components"]}
    assert types["model:aibom-samples/tiny-base"] == "machine-learning-model"
    assert types["dataset:aibom-samples/tiny-corpus"] == "data"
    depends = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    assert "model:aibom-samples/tiny-chat" in depends["adapter:tiny-chat-lora"]
    assert "model:aibom-samples/tiny-base" in depends["model:aibom-samples/tiny-chat"]
    assert "model:aibom-samples/tiny-chat" in depends["model:tiny-chat-q8"]
    assert "dataset:aibom-samples/tiny-instruct" in depends["model:aibom-samples/tiny-chat"]
    base = next(c for c in bom["components"] if c["bom-ref"] == "model:aibom-samples/tiny-base")
    kinds = {r["type"] for r in base["externalReferences"]}
    assert {"digital-signature", "log", "attestation"} <= kinds
    props = {p["name"]: p["value"] for p in base["properties"]}
    assert props["aibom:location"] == "models/tiny-base"  # relative to the samples' root


def test_spec_version_1_6_is_valid() -> None:
    text, _ = build_document(
        SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY), spec_version="1.6"
    )
    assert strict_errors(text, SchemaVersion.V1_6) is None
    assert json.loads(text)["specVersion"] == "1.6"


def test_build_is_deterministic_and_round_trips(family: tuple[str, Path]) -> None:
    text, out = family
    q8 = SAMPLES / "models" / "tiny-chat-q8"
    again, _ = build_document(q8, with_dirs=tuple(FAMILY), output=out)
    assert again == text
    graph = discover(
        SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY), relative_to=SAMPLES
    ).graph
    assert read_document(out).same_as(graph)


def test_golden_samples(tmp_path: Path) -> None:
    """Any unintended change of the samples' AIBOM fails here."""
    workdir = tmp_path / "w"
    shutil.copytree(SAMPLES / "models", workdir / "models")
    shutil.copytree(SAMPLES / "datasets", workdir / "datasets")
    out = workdir / "aibom.cdx.json"
    dirs = tuple(workdir / p.relative_to(SAMPLES) for p in FAMILY)
    text, _ = build_document(workdir / "models" / "tiny-chat-q8", with_dirs=dirs, output=out)
    text = text.replace(f'"version": "{__import__("aibom").__version__}"', '"version": "X"')
    if os.environ.get("AIBOM_REGEN_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_real_production_keyless_vector_carries_rekor_entry(
    mt_vectors: Path, tmp_path: Path
) -> None:
    text, found = build_document(mt_vectors / "v1.1.0-sigstore", output=tmp_path / "x.json")
    assert strict_errors(text) is None
    sig = found.graph.component(found.root).signature
    assert sig is not None and sig.log_entries[0].log_index == 598151086
    root = json.loads(text)["metadata"]["component"]  # the model asked about
    logs = [r for r in root["externalReferences"] if r["type"] == "log"]
    assert logs and "598151086" in logs[0]["url"]
    props = {p["name"]: p["value"] for p in root["properties"]}
    assert "stefanb@us.ibm.com" in props.values()


def test_malformed_metadata_still_emits_the_component(tmp_path: Path) -> None:
    model = tmp_path / "broken-model"
    model.mkdir()
    (model / "README.md").write_text("---\nlicense: [unclosed\nbase_model: {x: 1}\n---\nhi\n")
    (model / "config.json").write_text("{not json")
    (model / "model.safetensors").write_bytes((10**10).to_bytes(8, "little") + b"{}")
    (model / "model.sig").write_text("not a bundle")
    found = discover(model)
    component = found.graph.component(found.root)
    assert component.name == "broken-model"
    assert component.signature is None and component.root_digest
    joined = " ".join(found.warnings)
    for needle in ("README.md", "config.json", "model.safetensors", "model.sig"):
        assert needle in joined


def run(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_build_and_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bom.json"
    lora, chat = SAMPLES / "models" / "tiny-chat-lora", SAMPLES / "models" / "tiny-chat"
    assert run(["build", str(lora), "--with", str(chat), "-o", str(out)]) == 0
    assert run(["import", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "adapter:tiny-chat-lora  adapter" in shown
    assert "--adapter_of (attested)--> model:aibom-samples/tiny-chat" in shown


def _recorded_paths(document: Path) -> list[str]:
    bom = json.loads(document.read_text())
    return sorted(p["value"] for c in [*bom["components"], bom["metadata"]["component"]]
                  for p in c.get("properties", [])
                  if p["name"] in ("aibom:location", "aibom:signature:bundle-path"))


def test_paths_are_relative_to_the_estate_root_and_survive_a_move(tmp_path: Path) -> None:
    """Written away from the models, the AIBOM records paths under their common root (no
    `..`, nothing of the local layout); moved elsewhere, `verify-chain --root` finds them."""
    estate = tmp_path / "estate"
    shutil.copytree(SAMPLES / "models", estate / "models")
    shutil.copytree(SAMPLES / "datasets", estate / "datasets")
    out = tmp_path / "out" / "bom.cdx.json"
    out.parent.mkdir()
    dirs = [str(estate / p.relative_to(SAMPLES)) for p in FAMILY]
    args = ["build", str(estate / "models" / "tiny-chat-q8"), "-o", str(out)]
    for folder in dirs:
        args += ["--with", folder]
    assert run(args) == 0
    recorded = _recorded_paths(out)
    assert "models/tiny-base/model.sig" in recorded and "datasets/tiny-corpus" in recorded
    assert all(not p.startswith(("../", "/")) and "/../" not in p for p in recorded)
    moved = tmp_path / "elsewhere" / "bom.cdx.json"
    moved.parent.mkdir()
    shutil.move(out, moved)
    policy = str(SAMPLES / "policy.yaml")
    assert run(["verify-chain", str(moved), "--policy", policy]) == 1  # not beside the models
    assert run(["verify-chain", str(moved), "--policy", policy, "--root", str(estate)]) == 0


def test_explicit_root_must_hold_every_model_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chat, lora = SAMPLES / "models" / "tiny-chat", SAMPLES / "models" / "tiny-chat-lora"
    out = tmp_path / "bom.json"
    assert run(["build", str(lora), "--with", str(chat), "-o", str(out),
                "--root", str(SAMPLES / "models")]) == 0
    assert _recorded_paths(out)[0] == "tiny-chat"
    capsys.readouterr()
    assert run(["build", str(lora), "--with", str(SAMPLES / "datasets" / "tiny-corpus"),
                "-o", str(out), "--root", str(SAMPLES / "models")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "lies outside --root" in err[0]


BAD_DOCUMENTS = [
    (b"{}", "not an AIBOM"),
    (b"[", "not valid JSON"),
    (b'{"bomFormat": "CycloneDX", "components": 5}', "components"),
]


@pytest.mark.parametrize("content, needle", BAD_DOCUMENTS)
def test_import_rejects_bad_documents(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, needle: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    assert run(["import", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and needle in err and "Traceback" not in err
