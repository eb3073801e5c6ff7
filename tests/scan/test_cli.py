"""`aibom scan PATH...`: reports on stdout, exit 0 clean / 1 dangerous or incomplete / 2 usage."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from aibom.cli import main

ASSETS = Path(__file__).parent / "assets"
EVIL = pickle.PROTO + b"\x02" + pickle.GLOBAL + b"os\nsystem\n" + pickle.STOP


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        main([str(a) for a in args])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_clean_directory_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "scan", ASSETS / "benign")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1].startswith("clean: ")


def test_dangerous_file_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "evil.pkl").write_bytes(EVIL)
    code, out, _ = run(capsys, "scan", tmp_path / "evil.pkl", ASSETS / "benign" / "numpy")
    assert code == 1
    assert f"dangerous: {tmp_path}/evil.pkl: os.system: runs commands" in out
    assert out.splitlines()[-1].startswith("dangerous: ")


def test_incomplete_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "model.pt").write_bytes(b"\x28\xb5\x2f\xfd" + bytes(20))  # zstd: not read
    code, out, _ = run(capsys, "scan", tmp_path)
    assert code == 1 and out.splitlines()[-1].startswith("incomplete: ")


def test_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "evil.pkl").write_bytes(EVIL)
    code, out, _ = run(capsys, "scan", "--format", "json", tmp_path)
    document = json.loads(out)
    assert code == 1
    assert (document["schema"], document["scanner"], document["verdict"]) == (
        "aibom/scan/v2",
        "aibom-scan",
        "dangerous",
    )
    (scan,) = document["files"]
    assert scan["findings"][0]["severity"] == "dangerous" and scan["imports"] == [["os", "system"]]


def test_sarif_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "evil.pkl").write_bytes(EVIL)
    (tmp_path / "x.pt").write_bytes(b"7z\xbc\xaf\x27\x1c" + bytes(10))
    code, out, _ = run(capsys, "scan", "--format", "sarif", tmp_path)
    sarif = json.loads(out)
    assert code == 1 and sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    rules = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert [(r["ruleId"], r["level"]) for r in run_["results"]] == [
        ("aibom-scan/dangerous", "error"),
        ("aibom-scan/incomplete", "warning"),
    ]
    for result in run_["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]


@pytest.mark.parametrize(
    "args", [["scan"], ["scan", "/no/such/path"], ["scan", "--format", "x", "."]]
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("aibom: error: ")
