"""The progress line: shown to a person at a terminal (a pseudo-terminal here), never to a
pipe, with --quiet or with --format json; cleared when the work ends."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aibom.cli import main, progress
from aibom.cli.progress import ProgressLine, wanted
from aibom.oms import hashing

CLEAR = "\r\x1b[2K"


@pytest.fixture
def terminal() -> Iterator[tuple[io.TextIOWrapper, int]]:
    """A pseudo-terminal: (the program's side as a text stream, the master's descriptor)."""
    master, slave = pty.openpty()
    stream = open(slave, "w", encoding="utf-8", closefd=True)  # noqa: SIM115
    try:
        yield stream, master
    finally:
        stream.close()
        os.close(master)


def _read_all(master: int) -> str:
    os.set_blocking(master, False)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_wanted_only_at_a_terminal(
    terminal: tuple[io.TextIOWrapper, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    stream, _ = terminal
    assert wanted(False, "text", stream)
    assert not wanted(True, "text", stream)  # --quiet
    assert not wanted(False, "json", stream)  # --format json
    read, write = os.pipe()
    with open(write, "w") as pipe:
        assert not wanted(False, "text", pipe)
    os.close(read)
    assert not wanted(False, "text", io.StringIO())
    monkeypatch.setenv("TERM", "dumb")
    assert not wanted(False, "text", stream)


def test_line_shows_pace_and_time_left_then_clears(
    terminal: tuple[io.TextIOWrapper, int],
) -> None:
    stream, master = terminal
    clock = FakeClock()
    with ProgressLine("verifying", enabled=True, stream=stream, clock=clock) as line:
        clock.now += 0.1
        line.update(1, 100, 1 << 20, 100 << 20)  # too early to judge: nothing yet
        assert _read_all(master) == ""
        clock.now += 0.9  # 1 s for 2 % of the bytes: about 50 s in all
        line.update(2, 100, 2 << 20, 100 << 20)
        shown = _read_all(master)
        assert shown.startswith(CLEAR)
        assert "verifying 2/100 files" in shown and "2.0 MiB/100.0 MiB" in shown
        assert "2.0 MiB/s" in shown and "49 s left" in shown
    assert _read_all(master) == CLEAR  # cleared on exit


def test_quick_work_shows_nothing(terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, master = terminal
    clock = FakeClock()
    with ProgressLine("hashing", enabled=True, stream=stream, clock=clock) as line:
        clock.now += 0.3  # 0.3 s for 60 %: done within about half a second
        line.update(60, 100)
    assert _read_all(master) == ""


def test_counts_without_bytes(terminal: tuple[io.TextIOWrapper, int]) -> None:
    stream, master = terminal
    clock = FakeClock()
    with ProgressLine("ingesting", "AIBOMs", enabled=True, stream=stream, clock=clock) as line:
        clock.now += 2
        line.update(100, 1000)
    shown = _read_all(master)
    assert "ingesting 100/1,000 AIBOMs" in shown and "50 AIBOMs/s" in shown
    assert "18 s left" in shown and shown.endswith(CLEAR)


def test_disabled_line_writes_nothing() -> None:
    sink = io.StringIO()
    clock = FakeClock()
    with ProgressLine("hashing", enabled=False, stream=sink, clock=clock) as line:
        clock.now += 5
        line.update(1, 100, 1, 100)
    assert sink.getvalue() == ""


def _slow_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A model whose hashing is slowed down so the progress line has time to appear."""
    model = tmp_path / "model"
    model.mkdir()
    for i in range(12):
        (model / f"part-{i:02d}.bin").write_bytes(bytes([i]) * 4096)
    real = hashing._hash_job

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        import time

        time.sleep(0.05)
        return real(*args, **kwargs)

    monkeypatch.setattr(hashing, "_hash_job", slow)
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress, "SHOW_IF_LONGER_THAN", 0.0)
    monkeypatch.setattr(progress, "REDRAW_EVERY", 0.0)
    return model


def _run_cli(argv: list[str], stderr: object, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stderr", stderr)
    try:
        main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.parametrize("extra", [[], ["--quiet"], ["--format", "json"]])
def test_sign_and_verify_at_a_terminal(
    extra: list[str],
    tmp_path: Path,
    terminal: tuple[io.TextIOWrapper, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private, public = tmp_path / "k.pem", tmp_path / "k.pub"
    private.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    model = _slow_model(tmp_path, monkeypatch)
    stream, master = terminal
    sig = str(tmp_path / "model.sig")
    code = _run_cli(["sign", str(model), "--signature", sig, "--private-key", str(private),
                     *extra], stream, monkeypatch)
    assert code == 0
    code = _run_cli(["verify", str(model), "--signature", sig, "--public-key", str(public),
                     "--no-cache", *extra], stream, monkeypatch)
    assert code == 0
    shown = _read_all(master)
    if extra:
        assert shown == ""
    else:
        assert "hashing" in shown and "verifying" in shown and "/12 files" in shown
        assert shown.endswith(CLEAR)
    assert "\x1b" not in capsys.readouterr().out  # results on stdout stay clean


def test_nothing_on_a_pipe(tmp_path: Path) -> None:
    """The real command, its stderr a pipe: no progress, no escape sequences."""
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(os.urandom(1 << 20))
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    private = tmp_path / "k.pem"
    private.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    run = subprocess.run(
        [sys.executable, "-m", "aibom.cli", "sign", str(model), "--private-key", str(private),
         "--signature", str(tmp_path / "model.sig")],
        capture_output=True, text=True, check=False,
        env={**os.environ, "TERM": "xterm"},
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == "" and "\x1b" not in run.stdout


def test_ingest_at_a_terminal_and_on_a_pipe(
    tmp_path: Path,
    terminal: tuple[io.TextIOWrapper, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress, "SHOW_IF_LONGER_THAN", 0.0)
    golden = Path(__file__).resolve().parents[1] / "golden" / "samples.cdx.json"
    stream, master = terminal
    db = f"sqlite:///{tmp_path / 'inventory.sqlite'}"
    assert _run_cli(["ingest", str(golden), "--db", db], stream, monkeypatch) == 0
    shown = _read_all(master)
    assert "ingesting 1/1 AIBOMs" in shown and shown.endswith(CLEAR)
    read, write = os.pipe()
    with open(write, "w") as pipe:
        assert _run_cli(["ingest", str(golden), "--db", db], pipe, monkeypatch) == 0
    with open(read) as written:
        assert written.read() == ""


def test_ingest_ticks_after_every_batch(tmp_path: Path) -> None:
    from aibom.store import Store
    from aibom.store.files import ingest_paths

    golden = Path(__file__).resolve().parents[1] / "golden" / "samples.cdx.json"
    calls: list[tuple[int, int]] = []
    with Store.open(f"sqlite:///{tmp_path / 'inventory.sqlite'}") as store:
        ingest_paths(store, [golden, golden], tick=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1] == (2, 2)
