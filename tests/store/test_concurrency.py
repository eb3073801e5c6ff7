"""Several `aibom ingest` processes into one inventory at once, and an ingest killed midway:
every AIBOM ends up present exactly once, and every process succeeds (SQLite waits on its
write lock, PostgreSQL on its row conflicts)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aibom.cli import run
from aibom.store import Store

SRC = str(Path(__file__).resolve().parents[2] / "src")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
AIBOM = [sys.executable, "-c", "from aibom.cli import main; main()"]


def _aiboms(folder: Path, count: int) -> list[Path]:
    out = []
    for i in range(count):
        model = folder / f"model-{i}"
        model.mkdir(parents=True)
        (model / "config.json").write_text(f'{{"model_type": "llama", "n": {i}}}')
        (model / "weights.bin").write_bytes(os.urandom(64))
        path = folder / f"aibom-{i}.cdx.json"
        assert run(["build", str(model), "-o", str(path)]) == 0
        out.append(path)
    return out


def _documents(url: str) -> int:
    with Store.open(url, create=False) as store:
        return store.counts()["documents"]


def test_concurrent_ingests_all_succeed(store_url: str, tmp_path: Path) -> None:
    aiboms = _aiboms(tmp_path / "aiboms", 6)
    assert run(["ingest", str(aiboms[0]), "--db", store_url]) == 0  # schema in place
    procs = [
        subprocess.Popen([*AIBOM, "ingest", *map(str, aiboms[i:] + aiboms[:i]), "--db",
                          store_url], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for i in range(4)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    for code, out, err in results:
        assert code == 0, (out, err)
    assert _documents(store_url) == 6


@pytest.mark.parametrize("delay", [0.5, 1.0, 1.5])
def test_a_killed_ingest_rerun_ends_with_every_aibom_once(store_url: str, tmp_path: Path,
                                                          delay: float) -> None:
    aiboms = _aiboms(tmp_path / "aiboms", 6)
    assert run(["ingest", str(aiboms[0]), "--db", store_url]) == 0
    proc = subprocess.Popen([*AIBOM, "ingest", *map(str, aiboms), "--db", store_url],
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _documents(store_url) in range(1, 7)  # whole AIBOMs only: never a broken one
    assert run(["ingest", *map(str, aiboms), "--db", store_url]) == 0
    assert _documents(store_url) == 6

