"""`aibom ingest`, `aibom query`, `aibom graph`: output, exit codes, one-line errors."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from support.cli import run_cli

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "samples.cdx.json"
KEY = "bc2a08131305e9d679e11f3b4228cf99d2a92398d182537f8ae2532044e0318c"  # samples' org key



@pytest.fixture
def filled(store_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    code, out, _ = run_cli("ingest", str(GOLDEN), "--db", store_url)
    assert code == 0 and "ingested 1 AIBOMs" in out and "6 components, 6 edges" in out
    return store_url


def test_ingest_twice_and_json(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli("ingest", str(GOLDEN), "--db", filled, "--format", "json")
    report = json.loads(out)
    assert code == 0 and (report["ingested"], report["skipped"]) == (0, 1)
    assert report["totals"] == {"documents": 1, "components": 6, "edges": 6}
    assert report["database"] and report["failed"] == []


def test_query_formats(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli("query", "--db", filled, "--dataset", "aibom-samples/tiny-corpus")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "5 components affected (1 matching --dataset aibom-samples/tiny-corpus)"
    assert lines[1] == "dataset:aibom-samples/tiny-corpus  dataset  cause"
    assert lines[-1] == ("model:tiny-chat-q8  model  depth 3: model:tiny-chat-q8 -quantized_from-> "
                         "model:aibom-samples/tiny-chat -finetuned_from-> "
                         "model:aibom-samples/tiny-base -trained_on-> "
                         "dataset:aibom-samples/tiny-corpus")
    code, out, _ = run_cli("query", "--db", filled, "--public-key-fingerprint", KEY.upper(),
                       "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["count"] == 4 and data["causes"] == 3
    chat = next(h for h in data["affected"] if h["ref"] == "model:aibom-samples/tiny-chat")
    assert chat["path"] == ["model:aibom-samples/tiny-chat", "dataset:aibom-samples/tiny-instruct"]
    assert chat["relations"] == ["evaluated_on"] and chat["depth"] == 1
    code, out, _ = run_cli("query", "--db", filled, "--signer", "release@vendor.example",
                       "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["ref"] for r in rows] == [
        "model:aibom-samples/tiny-base", "model:aibom-samples/tiny-chat",
        "adapter:tiny-chat-lora", "model:tiny-chat-q8"]
    assert rows[2]["path"] == ("adapter:tiny-chat-lora > model:aibom-samples/tiny-chat > "
                               "model:aibom-samples/tiny-base")
    code, out2, _ = run_cli("query", "--db", filled, "--rekor-index", "0", "--format", "csv")
    assert out2 == out  # the base's Rekor entry: the same answer


def test_no_match_is_empty_not_an_error(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert tuple(run_cli("query", "--db", filled, "--license", "wtfpl")) == (
        0, "no component matches --license wtfpl\n", "")
    code, out, _ = run_cli("query", "--db", filled, "--file-digest", "0" * 64, "--format",
                       "json")
    assert code == 0 and json.loads(out)["affected"] == []
    code, out, _ = run_cli("query", "--db", filled, "--base", "x", "--format", "csv")
    assert (code, out) == (0, "ref,identity,kind,name,version,depth,cause,path,relations\n")


@pytest.mark.parametrize("argv", [
    ["query"],
    ["query", "--license", "mit", "--signer", "x"],
    ["query", "--certificate-fingerprint", "abc"],
    ["query", "--rekor-index", "minus one"],
    ["graph", "--root", "nothing-like-this"],
    ["ingest", "/does/not/exist.json"],
])
def test_user_errors_exit_2_in_one_line(filled: str, capsys: pytest.CaptureFixture[str],
                                        argv: list[str]) -> None:
    code, out, err = run_cli(*argv, "--db", filled)
    assert code == 2 and out == ""
    assert err.startswith("aibom: error: ") and err.count("\n") == 1


def test_bad_databases(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    for db in ("mysql://u@h/x", "postgresql://u:secret@127.0.0.1:1/x",
               "sqlite:////proc/version/x.sqlite", str(tmp_path)):
        code, out, err = run_cli("query", "--license", "mit", "--db", db)
        assert code == 2 and out == "" and err.count("\n") == 1, err
        assert "secret" not in err


def test_ingest_keep_going(store_url: str, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.json").write_text("{}")
    code, out, err = run_cli("ingest", str(GOLDEN), str(tmp_path / "bad.json"), "--db",
                         store_url, "--keep-going")
    assert code == 2 and "ingested 1 AIBOMs (0 already there, 1 failed)" in out
    assert err.splitlines()[0].startswith("aibom: skipped: ") and "bad.json" in err
    assert err.splitlines()[-1] == "aibom: error: 1 AIBOMs could not be ingested"


def test_default_database_is_in_the_user_data_dir(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("AIBOM_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    code, _, _ = run_cli("ingest", str(GOLDEN))
    assert code == 0 and (tmp_path / "data" / "aibom" / "inventory.sqlite").is_file()
    assert run_cli("query", "--license", "apache-2.0").code == 0
    monkeypatch.setenv("AIBOM_DB", str(tmp_path / "elsewhere.sqlite"))
    assert run_cli("ingest", str(GOLDEN)).code == 0
    assert (tmp_path / "elsewhere.sqlite").is_file()


@pytest.mark.parametrize("command", [["query", "--license", "mit"], ["graph"]])
@pytest.mark.parametrize("spelling", ["path", "sqlite-relative", "sqlite-absolute"])
def test_query_and_graph_refuse_a_missing_inventory(command: list[str], spelling: str,
                                                    tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """For incident response a typo must never read as "not affected": exit 2, the resolved
    absolute path in the message, and nothing created. SQLAlchemy's convention: sqlite:///x
    is relative to the working directory, sqlite:////x absolute."""
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "sub" / "typo.sqlite"
    db = {"path": "sub/typo.sqlite", "sqlite-relative": "sqlite:///sub/typo.sqlite",
          "sqlite-absolute": f"sqlite:///{target}"}[spelling]
    code, out, err = run_cli(*command, "--db", db)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert f"no inventory at {target}: the file does not exist (nothing was created)" in err
    assert list(tmp_path.iterdir()) == []


def test_query_refuses_a_database_that_is_not_an_inventory(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    import sqlite3

    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    code, out, err = run_cli("query", "--license", "mit", "--db", str(other))
    assert code == 2 and out == ""
    assert f"sqlite:///{other} holds no aibom inventory (nothing was changed)" in err
    with sqlite3.connect(other) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert tables == ["t"]


@pytest.mark.parametrize("fmt,marker", [("dot", "digraph aibom {"), ("mermaid", "flowchart BT"),
                                        ("html", "<!DOCTYPE html>")])
def test_graph_from_db_and_file(filled: str, capsys: pytest.CaptureFixture[str], fmt: str,
                                marker: str, tmp_path: Path) -> None:
    code, from_db, _ = run_cli("graph", "--db", filled, "--format", fmt)
    assert code == 0 and from_db.startswith(marker) and "tiny-chat-lora" in from_db
    code, around, _ = run_cli("graph", "--db", filled, "--root", "model:tiny-chat-q8",
                          "--format", fmt)
    assert code == 0 and "tiny-chat-lora" not in around and "tiny-corpus" in around
    code, from_file, _ = run_cli("graph", str(GOLDEN), "--root", "tiny-chat-q8", "--format",
                             fmt)
    assert code == 0 and "tiny-chat-lora" not in from_file and "tiny-corpus" in from_file
    out = tmp_path / f"g.{fmt}"
    code, stdout, _ = run_cli("graph", str(GOLDEN), "--format", fmt, "-o", str(out))
    assert code == 0 and stdout == "" and out.read_text().startswith(marker)
    assert run_cli("graph", str(GOLDEN), "--db", filled).code == 2


def test_query_pages(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code, out, _ = run_cli("query", "--db", filled, "--dataset", "aibom-samples/tiny-corpus",
                       "--format", "json")
    whole = json.loads(out)
    assert code == 0 and whole["count"] >= 2 and whole["returned"] == whole["count"]
    code, out, _ = run_cli("query", "--db", filled, "--dataset", "aibom-samples/tiny-corpus",
                       "--format", "json", "--limit", "1", "--offset", "1")
    page = json.loads(out)
    assert code == 0 and page["count"] == whole["count"] and page["returned"] == 1
    assert page["affected"] == whole["affected"][1:2]
    code, out, _ = run_cli("query", "--db", filled, "--dataset", "aibom-samples/tiny-corpus",
                       "--limit", "1")
    assert code == 0 and f"showing 1-1 of {whole['count']}" in out
    code, _, err = run_cli("query", "--db", filled, "--license", "mit", "--limit", "-1")
    assert code == 2 and len(err.strip().splitlines()) == 1
