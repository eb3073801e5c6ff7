"""Shared benchmark helpers: test models on disk, EC keys, wall-clock timing, hashing limit."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
_CHUNK = 16 * MiB


def ensure_model(model_dir: Path, file_sizes: dict[str, int]) -> None:
    """Write a model of random files (relative name -> size), unless a complete one with exactly
    these files is already there. A marker beside the directory records what was written."""
    marker = model_dir.with_name(model_dir.name + ".complete")
    spec = json.dumps(file_sizes, sort_keys=True)
    if marker.exists() and marker.read_text() == spec:
        return
    marker.unlink(missing_ok=True)
    shutil.rmtree(model_dir, ignore_errors=True)
    for name, size in file_sizes.items():
        path = model_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as out:
            for start in range(0, size, _CHUNK):
                out.write(os.urandom(min(_CHUNK, size - start)))
    marker.write_text(spec)


def compile_package(name: str) -> None:
    """Byte-compile an installed package as pip does for a wheel: an editable install run with
    PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every start."""
    found = subprocess.run(
        [sys.executable, "-c", f"import {name}, os; print(os.path.dirname({name}.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    compile_all = [sys.executable, "-m", "compileall", "-q", found]
    subprocess.run(compile_all, check=True, stdout=subprocess.DEVNULL)


def read_all_files(model_dir: Path) -> None:
    """Read every file once, so the timed runs find them in the page cache."""
    buffer = bytearray(_CHUNK)
    for path in sorted(model_dir.rglob("*")):
        if path.is_file():
            with open(path, "rb", buffering=0) as f:
                while f.readinto(buffer):
                    pass


def write_ec_keypair(directory: Path) -> tuple[Path, Path]:
    """A fresh EC P-256 key pair as PEM files; returns (private, public)."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    private, public = directory / "signing-key.pem", directory / "signing-key.pub.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def console_script(name: str) -> str:
    """The installed script itself, not a shim in front of it (a pyenv shim adds ~50 ms)."""
    beside_python = Path(sysconfig.get_path("scripts")) / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"console script {name!r} not found; is it installed?")
    return found


def run_timed(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall time of one run of `command`, with its captured result."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    return time.perf_counter() - start, result


def sha256_single_core_throughput(buffer_bytes: int = 256 * MiB, runs: int = 3) -> float:
    """Bytes per second of hashlib.sha256 on one core over an in-memory buffer (best of runs)."""
    buffer = memoryview(bytearray(os.urandom(MiB)) * (buffer_bytes // MiB))
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        hashlib.sha256(buffer).digest()
        best = min(best, time.perf_counter() - start)
    return buffer_bytes / best


def cpu_snapshot() -> tuple[float, float, float]:
    """(busy CPU seconds of the whole machine, CPU seconds of this process and its finished
    children, monotonic time); two snapshots tell how busy other processes kept the machine."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:8]]  # user nice system idle iowait ...
    machine_busy = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
    own = os.times()
    own_busy = own.user + own.system + own.children_user + own.children_system
    return machine_busy, own_busy, time.monotonic()


def cores_used_by_others(since: tuple[float, float, float]) -> float:
    """Average number of cores other processes kept busy since the snapshot `since`."""
    machine, own, now = (b - a for a, b in zip(since, cpu_snapshot(), strict=True))
    return max(0.0, (machine - own) / now) if now > 0 else 0.0


def usable_cores() -> int:
    return len(os.sched_getaffinity(0))


def hashing_limit(file_sizes: list[int], throughput: float, cores: int) -> float:
    """Fastest possible SHA-256 of these files: all cores busy, or one core on the largest file."""
    return max(sum(file_sizes) / (cores * throughput), max(file_sizes) / throughput)
