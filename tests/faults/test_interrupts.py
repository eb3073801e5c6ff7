"""Interruption and crashes: Ctrl-C ends a long verify with 130 and one line; SIGKILL at any
moment leaves the previous complete file or the new one, and nothing a later run trips over."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from support import pki
from support.cli import aibom_command, subprocess_env

from aibom._internal.atomic import is_partial_name
from aibom.oms.bundle import parse_bundle

SLOW_HASHING = """
import sys, time
import aibom.oms.hashing as hashing

def slow(*args, **kwargs):  # every hashing thread is busy for a minute
    open(sys.argv[1], "w").close()
    time.sleep(60)

hashing._hash_job = slow
from aibom.cli import main
main(sys.argv[2:])
"""


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)


def test_ctrl_c_during_a_long_multithreaded_verify(signed: Path, keypair: pki.KeyPair,
                                                   tmp_path: Path) -> None:
    marker = tmp_path / "hashing-started"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_HASHING, str(marker), "verify", str(signed),
         "--public-key", str(keypair.public_path)],
        env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    _wait_for(marker, proc)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert proc.returncode == 130, (out, err)
    assert err.decode() == "aibom: interrupted\n"
    print(f"SIGINT to exit: {took:.2f} s")  # reported by `pytest -s`; the issue asks < 2 s


KILL_BEFORE_RENAME = """
import os, signal, sys

def killed(src, dst):  # SIGKILL between writing the new file and renaming it over the old
    os.kill(os.getpid(), signal.SIGKILL)

os.replace = killed
from aibom.cli import main
main(sys.argv[1:])
"""


def test_sigkill_before_the_rename_leaves_the_old_signature_and_no_trap(
    signed: Path, keypair: pki.KeyPair, cli  # type: ignore[no-untyped-def]
) -> None:
    old = (signed / "model.sig").read_bytes()
    (signed / "weights.bin").write_bytes(os.urandom(4096))  # so the new signature differs
    proc = subprocess.run(
        [sys.executable, "-c", KILL_BEFORE_RENAME, "sign", str(signed),
         "--private-key", str(keypair.private_path)],
        env=subprocess_env(), capture_output=True,
    )
    assert proc.returncode == -signal.SIGKILL
    assert (signed / "model.sig").read_bytes() == old
    leftovers = [p.name for p in signed.iterdir() if is_partial_name(p.name)]
    # the new signature was written out whole under its temporary name; verify ignores it
    outcome = cli("verify", signed, "--public-key", keypair.public_path)
    assert outcome.code == 1 and "modified: weights.bin" in outcome.err, outcome
    assert "unsigned extra" not in outcome.err
    # the next write removes the dead process's leftover
    assert cli("sign", signed, "--private-key", keypair.private_path).code == 0
    assert [p.name for p in signed.iterdir() if is_partial_name(p.name)] == []
    assert cli("verify", signed, "--public-key", keypair.public_path).code == 0
    print(f"leftovers after the kill: {leftovers}")


def test_sigkill_at_random_moments_leaves_old_or_new_whole(signed: Path, keypair: pki.KeyPair,
                                                           cli) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(12)
    seen = {(signed / "model.sig").read_bytes()}
    for _ in range(8):
        proc = subprocess.Popen(
            [*aibom_command(), "sign", str(signed), "--private-key", str(keypair.private_path)],
            env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.2, 3.0))
        proc.kill()
        proc.wait()
        raw = (signed / "model.sig").read_bytes()
        parse_bundle(raw)  # whole: parses (and its signature verifies, below)
        seen.add(raw)
        outcome = cli("verify", signed, "--public-key", keypair.public_path)
        assert outcome.code == 0, outcome
    print(f"distinct complete signatures seen: {len(seen)}")
