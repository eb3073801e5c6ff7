"""A full disk and a read-only file system as the output location: one line, exit 2, and no
partial file. A 2 MiB tmpfs stands in for the disk (mounting needs root: CI runs as root)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import pki

FILLER = ".filler"


def _mount(target: Path, *options: str) -> None:
    target.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs the suite as root)")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", ",".join(["size=2m", *options]),
                           "tmpfs", str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A mounted 2 MiB tmpfs, filled to the last byte."""
    disk = tmp_path / "disk"
    _mount(disk)
    try:
        _fill(disk)
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "ro"
    _mount(disk, "ro")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _fill(disk: Path) -> None:
    """Write zeros until the file system has no byte left."""
    fd = os.open(disk / FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for size in (65536, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                continue
    finally:
        os.close(fd)


def _left(disk: Path) -> list[str]:
    return sorted(p.name for p in disk.iterdir() if p.name != FILLER)


@pytest.mark.parametrize("command", ["build", "sign", "ingest", "graph"])
def test_a_full_disk_is_one_line_exit_2_and_no_partial_file(
    command: str, full_disk: Path, signed: Path, keypair: pki.KeyPair, tmp_path: Path,
    cli  # type: ignore[no-untyped-def]
) -> None:
    aibom = tmp_path / "aibom.cdx.json"
    assert cli("build", signed, "-o", aibom).code == 0
    target = full_disk / "out"
    argv = {
        "build": ["build", signed, "-o", target],
        "sign": ["sign", signed, "--private-key", keypair.private_path, "--signature", target],
        "ingest": ["ingest", aibom, "--db", target],
        "graph": ["graph", aibom, "-o", target],
    }[command]
    outcome = cli(*argv)
    if command == "ingest":
        outcome.one_line_error(2, "disk is full")
    else:
        outcome.one_line_error(2, f"cannot write {target}: no space left on the device")
    assert _left(full_disk) == []


def test_a_full_disk_keeps_the_previous_signature(full_disk: Path, signed: Path,
                                                  keypair: pki.KeyPair, cli) -> None:  # type: ignore[no-untyped-def]
    """Re-signing onto a full disk: the old signature stays, whole."""
    target = full_disk / "model.sig"
    os.unlink(full_disk / FILLER)
    sign = ("sign", signed, "--private-key", keypair.private_path, "--signature", target)
    assert cli(*sign).code == 0
    old = target.read_bytes()
    _fill(full_disk)
    cli(*sign).one_line_error(2, "no space left on the device")
    assert target.read_bytes() == old
    assert _left(full_disk) == ["model.sig"]


@pytest.mark.parametrize("command", ["build", "sign"])
def test_a_read_only_file_system_is_a_plain_error(command: str, read_only_disk: Path,
                                                  signed: Path, keypair: pki.KeyPair,
                                                  cli) -> None:  # type: ignore[no-untyped-def]
    target = read_only_disk / "out"
    argv = {
        "build": ["build", signed, "-o", target],
        "sign": ["sign", signed, "--private-key", keypair.private_path, "--signature", target],
    }[command]
    cli(*argv).one_line_error(2, f"cannot write {target}: the file system is read-only")
