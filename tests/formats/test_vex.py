"""VEX from incident queries: `aibom query ... --format openvex|cyclonedx-vex` states, per
affected component, that it is affected and the path back to the cause; the documents
validate against the OpenVEX 0.2.0 schema and CycloneDX 1.7 (strict)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from aibom.build import build_document
from aibom.cli import cli
from aibom.errors import InputError
from aibom.formats import validate_cyclonedx
from aibom.formats.vex import vex_document

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
OPENVEX_SCHEMA = ROOT / "schemas" / "openvex-0.2.0" / "openvex_json_schema.json"
FAMILY = [SAMPLES / "models" / d for d in ("tiny-chat", "tiny-chat-lora", "tiny-base")] + [
    SAMPLES / "datasets" / d for d in ("tiny-instruct", "tiny-corpus")
]


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    work = tmp_path_factory.mktemp("vex")
    sbom = work / "aibom.cdx.json"
    text, _ = build_document(SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY),
                             output=sbom)
    sbom.write_text(text)
    db = f"sqlite:///{work / 'inventory.sqlite'}"
    assert CliRunner().invoke(cli, ["ingest", "--db", db, str(sbom)]).exit_code == 0
    return db, sbom


def query(inventory: tuple[str, Path], *args: str) -> Any:
    db, _ = inventory
    return CliRunner().invoke(cli, ["query", "--db", db, *args])


def openvex_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(OPENVEX_SCHEMA.read_text())
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [e.message for e in validator.iter_errors(document)]


def test_openvex_states_each_affected_model_with_its_path(inventory: tuple[str, Path]) -> None:
    _, sbom = inventory
    run = query(inventory, "--dataset", "aibom-samples/tiny-corpus", "--format", "openvex",
                "--aibom", str(sbom), "--vulnerability", "INCIDENT-7",
                "--organization", "Acme AI <aibom@acme.example>")
    assert run.exit_code == 0, run.output
    doc = json.loads(run.stdout)
    assert openvex_errors(doc) == []
    assert doc["@context"] == "https://openvex.dev/ns/v0.2.0"
    assert doc["author"] == "Acme AI <aibom@acme.example>"
    serial = json.loads(sbom.read_text())["serialNumber"]
    notes = {}
    for s in doc["statements"]:
        assert s["status"] == "affected" and s["action_statement"]
        assert s["vulnerability"]["name"] == "INCIDENT-7"
        (product,) = s["products"]
        assert product["@id"].startswith(f"{serial}#")
        notes[product["@id"].removeprefix(f"{serial}#")] = s["status_notes"]
    # tiny-corpus trained tiny-base, which tiny-chat is fine-tuned from, and so on down
    assert set(notes) == {"dataset:aibom-samples/tiny-corpus", "model:aibom-samples/tiny-base",
                          "model:aibom-samples/tiny-chat", "model:tiny-chat-q8",
                          "adapter:tiny-chat-lora"}
    assert notes["model:tiny-chat-q8"].endswith(
        "model:tiny-chat-q8 -quantized_from-> model:aibom-samples/tiny-chat "
        "-finetuned_from-> model:aibom-samples/tiny-base "
        "-trained_on-> dataset:aibom-samples/tiny-corpus")
    assert "is the cause" in notes["dataset:aibom-samples/tiny-corpus"]


def test_cyclonedx_vex_is_valid_and_links_into_the_aibom(inventory: tuple[str, Path]) -> None:
    _, sbom = inventory
    run = query(inventory, "--base", "aibom-samples/tiny-chat", "--format", "cyclonedx-vex",
                "--aibom", str(sbom))
    assert run.exit_code == 0, run.output
    validate_cyclonedx(run.stdout, "1.7")
    doc = json.loads(run.stdout)
    serial = json.loads(sbom.read_text())["serialNumber"].removeprefix("urn:uuid:")
    affected = {v["affects"][0]["ref"]: v["analysis"] for v in doc["vulnerabilities"]}
    assert f"urn:cdx:{serial}/1#model:tiny-chat-q8" in affected
    assert all(a["state"] == "exploitable" and ("->" in a["detail"] or "cause" in a["detail"])
               for a in affected.values())
    assert doc["vulnerabilities"][0]["id"] == "aibom:base:aibom-samples/tiny-chat"


def test_standalone_cyclonedx_vex_lists_its_components(inventory: tuple[str, Path]) -> None:
    run = query(inventory, "--dataset", "aibom-samples/tiny-instruct", "--format",
                "cyclonedx-vex")
    assert run.exit_code == 0, run.output
    validate_cyclonedx(run.stdout, "1.7")  # every affects.ref resolves inside the document
    doc = json.loads(run.stdout)
    assert {c["name"] for c in doc["components"]} >= {"aibom-samples/tiny-instruct",
                                                      "tiny-chat-q8"}


def test_no_match_makes_no_vex(inventory: tuple[str, Path]) -> None:
    run = query(inventory, "--dataset", "nobody/nothing", "--format", "openvex")
    assert run.exit_code != 0 and "needs a statement" in str(run.exception)
    with pytest.raises(InputError, match="needs a statement"):
        vex_document([], "--dataset x", "cyclonedx-vex")


def test_aibom_must_be_cyclonedx(inventory: tuple[str, Path], tmp_path: Path) -> None:
    other = tmp_path / "x.json"
    other.write_text('{"spdxVersion": "SPDX-2.3"}')
    run = query(inventory, "--dataset", "aibom-samples/tiny-corpus", "--format", "openvex",
                "--aibom", str(other))
    assert isinstance(run.exception, InputError) and "CycloneDX" in str(run.exception)


def test_the_schema_catches_a_broken_statement(inventory: tuple[str, Path]) -> None:
    run = query(inventory, "--dataset", "aibom-samples/tiny-corpus", "--format", "openvex")
    doc = json.loads(run.stdout)
    del doc["statements"][0]["action_statement"]  # `affected` needs one
    assert openvex_errors(doc)
