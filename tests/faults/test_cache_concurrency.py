"""Verifiers sharing one digest cache, while the cache file is truncated under them: every
verdict stays right (the cache is an accelerator, never a source of truth)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from pathlib import Path

from support import pki
from support.cli import aibom_command, subprocess_env


def _verify_all(model: Path, keypair: pki.KeyPair, env: dict[str, str], count: int) -> list[int]:
    procs = [
        subprocess.Popen([*aibom_command(), "verify", str(model),
                          "--public-key", str(keypair.public_path)],
                         env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(count)
    ]
    return [p.wait(timeout=300) for p in procs]


def test_concurrent_verifies_with_a_cache_truncated_under_them(
    model: Path, keypair: pki.KeyPair, tmp_path: Path, cli  # type: ignore[no-untyped-def]
) -> None:
    for i in range(3):  # large enough for the cache (1 MiB and more)
        (model / f"shard-{i}.bin").write_bytes(os.urandom(2 << 20))
    assert cli("sign", model, "--private-key", keypair.private_path).code == 0
    env = {**subprocess_env(), "AIBOM_CACHE_DIR": str(tmp_path / "cache")}
    assert _verify_all(model, keypair, env, 1) == [0]  # warm
    cache = tmp_path / "cache" / "digests.sqlite"
    assert cache.is_file()

    stop = threading.Event()

    def truncate() -> None:
        while not stop.is_set():
            for name in ("digests.sqlite", "digests.sqlite-wal"):
                with contextlib.suppress(OSError):  # not there (yet)
                    os.truncate(tmp_path / "cache" / name, 0)
            stop.wait(0.01)

    cutter = threading.Thread(target=truncate)
    cutter.start()
    try:
        assert _verify_all(model, keypair, env, 4) == [0, 0, 0, 0]
        with open(model / "shard-1.bin", "r+b") as handle:  # now tamper: no cache may hide it
            handle.write(b"tampered")
        assert _verify_all(model, keypair, env, 4) == [1, 1, 1, 1]
    finally:
        stop.set()
        cutter.join()
