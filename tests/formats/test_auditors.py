"""The auditors' own tools on the sample family's AIBOMs: ntia-conformance-checker (NTIA
minimum elements, CISA FSCT3-min, BSI TR-03183-2), spdx3-validate, aisbom-cli's score and
cdxgen's validator (`cdx-validate`, npm; installed by .ci/cdxgen.sh, found through
AIBOM_CDXGEN_VALIDATE or the PATH). Everything runs offline.

What the tools cannot be satisfied with by an honest AIBOM of the samples is asserted as such:
the cards state no copyright (FSCT3-min asks for one beyond NOASSERTION), SPDX 2.3 has no SBOM
type (FSCT3-min), ntia-conformance-checker implements BSI for SPDX 3 only, and cdxgen counts
only application, framework, library, container and operating-system components as inventory.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from aibom.build import build_document
from aibom.formats.identity import parse_organization

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
FAMILY = [SAMPLES / "models" / d for d in ("tiny-chat", "tiny-chat-lora", "tiny-base")] + [
    SAMPLES / "datasets" / d for d in ("tiny-instruct", "tiny-corpus")
]
ORG = "Acme AI <aibom@acme.example>"


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample family in the three formats, built as a release would build it."""
    out = tmp_path_factory.mktemp("auditors")
    written = {}
    for fmt, name in (("cyclonedx", "aibom.cdx.json"), ("spdx", "aibom.spdx3.json"),
                      ("spdx2", "aibom.spdx2.json")):
        path = out / name
        text, _ = build_document(SAMPLES / "models" / "tiny-chat-q8", with_dirs=tuple(FAMILY),
                                 output=path, fmt=fmt, organization=parse_organization(ORG),
                                 sha512=True)
        path.write_text(text)
        written[fmt] = path
    return written


def _no_network() -> Iterator[None]:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an auditor tool tried to reach the network")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        yield


# --- ntia-conformance-checker -------------------------------------------------------------


def _check(path: Path, spec: str, standard: str) -> tuple[bool, dict[str, bool], Any]:
    checker_module = pytest.importorskip("ntia_conformance_checker.sbom_checker")
    checker = checker_module.SbomChecker(str(path), validate=True, compliance=standard,
                                         sbom_spec=spec)
    assert not checker.parsing_errors, checker.parsing_errors
    assert not checker.validation_messages, checker.validation_messages
    return bool(checker.compliant), dict(checker.table_elements), checker


@pytest.mark.parametrize(("fmt", "spec"), [("spdx2", "spdx2"), ("spdx", "spdx3")])
def test_ntia_minimum_elements(documents: dict[str, Path], fmt: str, spec: str) -> None:
    conformant, table, checker = _check(documents[fmt], spec, "ntia")
    assert conformant, table
    assert not checker.floating_component_ids  # every component is reached from the root
    assert checker.get_total_number_components() == 6


@pytest.mark.parametrize(("fmt", "spec"), [("spdx2", "spdx2"), ("spdx", "spdx3")])
def test_fsct3_minimum(documents: dict[str, Path], fmt: str, spec: str) -> None:
    conformant, table, checker = _check(documents[fmt], spec, "fsct3-min")
    failed = {name for name, ok in table.items() if not ok}
    # the cards state no copyright: aibom writes NOASSERTION, which FSCT3 does not count
    expected = {"All component copyright notice provided?"}
    if spec == "spdx2":  # the SBOM type exists in SPDX 3 only
        expected.add("SBOM generation context (SBOM type) provided?")
    assert failed == expected and not conformant
    assert not checker.floating_component_ids


@pytest.mark.parametrize(("fmt", "spec"), [("spdx2", "spdx2"), ("spdx", "spdx3")])
def test_stated_copyright_is_carried_and_only_it(tmp_path: Path, fmt: str, spec: str) -> None:
    """A directory stating its copyright (a NOTICE file here) has it carried over; one stating
    none keeps NOASSERTION, and FSCT3 still fails that element for it. tiny-corpus is left
    untouched: it is unsigned, so a new file would change the content identity the base's
    attestation names."""
    estate = tmp_path / "estate"
    shutil.copytree(SAMPLES / "models", estate / "models")
    shutil.copytree(SAMPLES / "datasets", estate / "datasets")
    dirs = [estate / p.relative_to(SAMPLES) for p in [SAMPLES / "models" / "tiny-chat-q8",
                                                       *FAMILY]]
    for folder in dirs:
        if folder.name != "tiny-corpus":
            (folder / "NOTICE").write_text(f"{folder.name}\nCopyright (c) 2025 Acme AI\n")
    path = tmp_path / "aibom.json"
    text, _ = build_document(dirs[0], with_dirs=tuple(dirs[1:]), output=path, fmt=fmt,
                             organization=parse_organization(ORG))
    path.write_text(text)
    key, name = ("copyrightText", "name") if spec == "spdx2" else ("software_copyrightText",
                                                                   "name")
    doc = json.loads(text)
    elements = doc["packages"] if spec == "spdx2" else doc["@graph"]
    stated = {e[name]: e[key] for e in elements if key in e}
    assert stated.pop("aibom-samples/tiny-corpus") == "NOASSERTION"
    assert set(stated.values()) == {"Copyright (c) 2025 Acme AI"} and len(stated) == 5
    _, table, _ = _check(path, spec, "fsct3-min")
    assert not table["All component copyright notice provided?"]


def test_bsi_tr_03183_2(documents: dict[str, Path]) -> None:
    conformant, table, checker = _check(documents["spdx"], "spdx3", "bsi")
    required = {name: ok for name, ok in table.items()
                if "(Warning)" not in name and "(Optional)" not in name}
    assert all(required.values()), required
    assert conformant
    assert not checker.floating_component_ids


# --- spdx3-validate -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def spdx3_validate(spdx_schemas: Path) -> Iterator[Callable[[Path], Any]]:
    """spdx3-validate with SPDX's published files from the test vectors, not the network."""
    core = pytest.importorskip("spdx3_validate.core")
    import rdflib
    import rdflib.plugins.shared.jsonld.context as jsonld_context

    context = json.loads((spdx_schemas / "spdx-context.jsonld").read_text())
    real = jsonld_context.source_to_json

    def local(source: Any, *args: Any, **kwargs: Any) -> Any:
        if source == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld":
            return context, None
        return real(source, *args, **kwargs)

    def validation_data(version: Any) -> tuple[dict[str, Any], Any]:
        shapes = rdflib.Graph().parse(spdx_schemas / "spdx-model.ttl", format="turtle")
        return json.loads((spdx_schemas / "spdx-json-schema.json").read_text()), shapes

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonld_context, "source_to_json", local)
        patch.setattr(core, "load_validation_data", validation_data)
        for _ in _no_network():
            yield lambda path: core.validate(str(path))


@pytest.mark.slow  # spdx3-validate checks the JSON schema in pure Python: about half a minute
def test_spdx3_validate(documents: dict[str, Path], spdx3_validate: Callable[[Path], Any]) -> None:
    result = spdx3_validate(documents["spdx"])
    assert result.valid, str(result)


@pytest.mark.slow
def test_spdx3_validate_finds_a_broken_document(
    documents: dict[str, Path], spdx3_validate: Callable[[Path], Any], tmp_path: Path
) -> None:
    document = json.loads(documents["spdx"].read_text())
    for item in document["@graph"]:
        if item.get("type") == "ai_AIPackage":
            item["software_packageVersion"] = 7  # a number where a string belongs
    broken = tmp_path / "broken.spdx3.json"
    broken.write_text(json.dumps(document))
    assert not spdx3_validate(broken).valid


# --- aisbom score -------------------------------------------------------------------------


def _score(sbom: Path, *vex: Path) -> Any:
    score = pytest.importorskip("aisbom.score")
    return score.score_sbom(score.load_sbom(sbom), vex_documents=list(vex))


def test_aisbom_grade_a_with_the_incident_vex(documents: dict[str, Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from aibom.cli import cli

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'inventory.sqlite'}"
    sbom = documents["cyclonedx"]
    assert runner.invoke(cli, ["ingest", "--db", db, str(sbom)]).exit_code == 0
    run = runner.invoke(cli, ["query", "--db", db, "--dataset", "aibom-samples/tiny-corpus",
                               "--format", "openvex", "--aibom", str(sbom),
                               "--vulnerability", "INCIDENT-2026-7"])
    assert run.exit_code == 0, run.output
    vex = tmp_path / "aibom.openvex.json"
    vex.write_text(run.stdout)
    without, with_vex = _score(sbom), _score(sbom, vex)
    assert without.overall < 85  # without VEX: no exploitability statements
    assert with_vex.overall >= 85 and with_vex.grade == "A", with_vex.to_dict()
    dims = {d.key: d.score for d in with_vex.dimensions}
    assert dims["checksums"] == 100 and dims["identity"] == 100 and dims["docprov"] == 100


# --- cdxgen's validator -------------------------------------------------------------------


def _cdx_validate() -> list[str]:
    found = os.environ.get("AIBOM_CDXGEN_VALIDATE") or shutil.which("cdx-validate")
    if not found:
        pytest.skip("cdxgen's cdx-validate is not installed (.ci/cdxgen.sh installs it)")
    return [found]


def test_cdxgen_validator(documents: dict[str, Path], tmp_path: Path) -> None:
    from aibom.formats.jsf import sign_jsf

    signed = tmp_path / "signed.cdx.json"
    signed.write_text(sign_jsf(documents["cyclonedx"].read_text(),
                               (SAMPLES / "keys" / "acme-key.pem").read_bytes()))
    results = {}
    for name, path in (("plain", documents["cyclonedx"]), ("jsf", signed)):
        report = tmp_path / f"{name}.json"
        run = subprocess.run([*_cdx_validate(), "-i", str(path), "--strict", "-r", "json",
                              "-o", str(report), "--public-key",
                              str(SAMPLES / "keys" / "acme-pub.pem"), "--require-signature"],
                             capture_output=True, text=True, timeout=300, check=False)
        data = json.loads(report.read_text())
        assert data["schemaValid"] and data["deepValid"], run.stdout + run.stderr
        results[name] = (data["signatureVerified"],
                         {f["ruleId"] for f in data["findings"] if f.get("status") == "fail"})
    # cdxgen counts no machine-learning-model or data component as inventory
    inventory_rules = {"SCVS-1.1", "SCVS-2.9", "SCVS-3.20", "SCVS-5.11", "SCVS-5.12",
                       "CRA-MIN-004", "CRA-MIN-007"}
    # satisfied: timestamp, root version, manufacturer with a vulnerability contact; and with
    # the JSF signature, "BOM is signed", verified by cdxgen with the public key
    assert results["plain"] == (False, inventory_rules | {"SCVS-2.4"})
    assert results["jsf"] == (True, inventory_rules)


def test_jsf_refuses_a_changed_aibom(documents: dict[str, Path]) -> None:
    from aibom.errors import InputError, VerificationError
    from aibom.formats.jsf import sign_jsf, verify_jsf

    keys = SAMPLES / "keys"
    text = sign_jsf(documents["cyclonedx"].read_text(), (keys / "acme-key.pem").read_bytes())
    verify_jsf(text, (keys / "acme-pub.pem").read_bytes())
    with pytest.raises(VerificationError, match="bad JSF signature"):
        verify_jsf(text.replace("post-build", "build"), (keys / "acme-pub.pem").read_bytes())
    with pytest.raises(VerificationError, match="bad JSF signature"):
        verify_jsf(text, (keys / "community-pub.pem").read_bytes())
    with pytest.raises(InputError, match="CycloneDX"):
        sign_jsf(documents["spdx"].read_text(), (keys / "acme-key.pem").read_bytes())
