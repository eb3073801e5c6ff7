"""Scan results in the AIBOM: `aibom build --scan` records scanner, version, verdict and the
names found on each scanned component, in CycloneDX and SPDX 3.0.1, and reads them back."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from aibom.build import build_document
from aibom.errors import InputError
from aibom.formats import validate_cyclonedx
from aibom.formats import vocabulary as v
from aibom.formats.registry import read_document
from aibom.graph import ScanResult

EVIL = pickle.PROTO + b"\x02" + pickle.GLOBAL + b"os\nsystem\n" + pickle.STOP


def model(root: Path, name: str, payload: bytes | None) -> Path:
    path = root / name
    path.mkdir(parents=True)
    (path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (path / "README.md").write_text(f"---\nlicense: mit\nbase_model: org/{name}-base\n---\n")
    if payload is not None:
        (path / "training_args.bin").write_bytes(payload)
    return path


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    return model(tmp_path, "evil", EVIL), model(tmp_path, "good", pickle.dumps({"lr": 0.1}))


def scans(text: str) -> dict[str, ScanResult | None]:
    graph, _ = read_document(text, "test")
    return {c.name: c.scan for c in graph.components()}


def test_cyclonedx_records_and_reads_back(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    evil, good = dirs
    text, found = build_document(evil, with_dirs=(good,), output=tmp_path / "a.cdx.json",
                                 scan=True)  # fmt: skip
    validate_cyclonedx(text, "1.7")
    assert scans(text) == {
        "evil": ScanResult("aibom-scan", "2", "dangerous", ("os.system",)),
        "good": ScanResult("aibom-scan", "2", "clean"),
        "org/evil-base": None,  # declared only: nothing to scan
        "org/good-base": None,
    }
    assert "evil: scan dangerous: os.system" in found.warnings


def test_spdx3_records_and_reads_back(
    dirs: tuple[Path, Path], tmp_path: Path, spdx_schemas: Path
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    evil, good = dirs
    text, _ = build_document(evil, with_dirs=(good,), output=tmp_path / "a.spdx.json",
                             fmt="spdx", scan=True)  # fmt: skip
    schema = json.loads((spdx_schemas / "spdx-json-schema.json").read_text())
    try:
        import jsonschema_rs

        errors = [str(e) for e in jsonschema_rs.validator_for(schema).iter_errors(json.loads(text))]
    except ImportError:
        errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(
            json.loads(text))]  # fmt: skip
    assert errors == []
    found = scans(text)
    assert found["evil"] == ScanResult("aibom-scan", "2", "dangerous", ("os.system",))
    assert found["good"] == ScanResult("aibom-scan", "2", "clean")


def test_without_scan_nothing_is_recorded(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    text, _ = build_document(dirs[0], output=tmp_path / "a.cdx.json")
    assert v.P_SCAN not in text
    assert all(s is None for s in scans(text).values())


@pytest.mark.parametrize(
    ("pairs", "says"),
    [
        ([("aibom:scan:verdict", "fine")], "unknown aibom:scan:verdict"),
        ([("aibom:scan:verdict", "clean")], "aibom:scan:scanner is missing"),
        ([("aibom:scan:verdict", "clean"), ("aibom:scan:verdict", "clean")], "given 2 times"),
    ],
)
def test_decode_refuses_malformed_results(pairs: list[tuple[str, str]], says: str) -> None:
    with pytest.raises(InputError, match=says):
        v.decode_scan(v.Props(pairs, "component"))
