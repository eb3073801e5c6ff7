"""Verification at the scale of huge models: cold, warm (digest cache), partial, peak memory.

    python benchmarks/verify_scale.py [--workdir DIR] [--rounds N] [--quick]

Side by side in one run, on a 4 GiB model of 8 shards (8 x 512 MiB files, page cache warm):
  cold      aibom with an empty digest cache, and model_signing, every byte hashed
  warm      aibom re-verifying with its cache filled; compared with aibom's own start-up
            (verifying a one-file model), since that is the floor of a CLI run
  api       the Python API (aibom.verify_model) warm vs cold, in one process
  partial   aibom --only one of the 8 shards (about 1/8 of cold expected)
  rss       peak resident memory of each run, and of aibom on a 100,000-file model
Targets: warm CLI within 0.1 s of start-up; API >= 100x faster warm than cold; partial
about 1/8 of cold; peak RSS < 200 MB. It prints numbers; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import (
    MiB,
    console_script,
    ensure_model,
    read_all_files,
    write_ec_keypair,
)


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss // 1024, child.returncode


def best(command: list[str], env: dict[str, str], rounds: int) -> tuple[float, int]:
    times, peak = [], 0
    for _ in range(rounds):
        seconds, rss, code = run_measured(command, env)
        if code != 0:
            raise SystemExit(f"verification failed: {' '.join(command)}")
        times.append(seconds)
        peak = max(peak, rss)
    return min(times), peak


def sign(model: Path, private: Path) -> Path:
    signature = model / "model.sig"
    if not signature.exists():
        subprocess.run(
            [console_script("aibom"), "sign", str(model), "--private-key", str(private)],
            check=True,
            capture_output=True,
        )
    return signature


def api_times(model: Path, public: Path, cache_dir: str) -> tuple[float, float]:
    """Cold and warm wall time of aibom.verify_model in this process."""
    os.environ["AIBOM_CACHE_DIR"] = cache_dir
    import aibom

    start = time.perf_counter()
    aibom.verify_model(model, public_key=public)
    cold = time.perf_counter() - start
    warm = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        aibom.verify_model(model, public_key=public)
        warm = min(warm, time.perf_counter() - start)
    return cold, warm


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "aibom-bench")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1 GiB model and 20,000 files")
    args = parser.parse_args()
    shard = (128 if args.quick else 512) * MiB
    many = 20_000 if args.quick else 100_000
    big = args.workdir / f"scale-8x{shard // MiB}MiB"
    tiny = args.workdir / "scale-one-file"
    small = args.workdir / f"scale-{many}-files"
    ensure_model(big, {f"model-{i:05d}-of-00008.safetensors": shard for i in range(8)})
    ensure_model(tiny, {"model.safetensors": 4096})
    ensure_model(small, {f"d{i // 1000:03d}/f{i:06d}.bin": 256 for i in range(many)})
    private, public = write_ec_keypair(args.workdir / "scale-keys")
    for model in (big, tiny, small):
        for stale in ("model.sig",):
            (model / stale).unlink(missing_ok=True)
        sign(model, private)
        read_all_files(model)

    aibom, ms = console_script("aibom"), console_script("model_signing")
    env_cold = dict(os.environ)

    def verify_cmd(model: Path, *extra: str) -> list[str]:
        return [aibom, "verify", str(model), "--public-key", str(public), *extra]

    cores = len(os.sched_getaffinity(0))
    rows = []
    with tempfile.TemporaryDirectory(prefix="aibom-scale-cache-") as caches:
        warm_env = {**env_cold, "AIBOM_CACHE_DIR": f"{caches}/warm"}
        run_measured(verify_cmd(big), warm_env)  # fills the warm cache
        cold = best(verify_cmd(big, "--no-cache"), env_cold, args.rounds)
        ms_cold = best(
            [
                ms,
                "verify",
                "key",
                str(big),
                "--signature",
                str(big / "model.sig"),
                "--public_key",
                str(public),
            ],
            env_cold,
            args.rounds,
        )
        warm = best(verify_cmd(big), warm_env, args.rounds)
        startup = best(verify_cmd(tiny, "--no-cache"), env_cold, args.rounds)
        partial = best(
            verify_cmd(big, "--no-cache", "--only", "model-00003-of-00008.safetensors"),
            env_cold,
            args.rounds,
        )
        many_files = best(verify_cmd(small, "--no-cache"), env_cold, 1)
        ms_many = best(
            [
                ms,
                "verify",
                "key",
                str(small),
                "--signature",
                str(small / "model.sig"),
                "--public_key",
                str(public),
            ],
            env_cold,
            1,
        )
        api_cold, api_warm = api_times(big, public, f"{caches}/api")

    size = f"{8 * shard / (1 << 30):.0f} GiB, 8 shards"
    rows = [
        ("cold verify " + size, cold, ms_cold),
        ("warm re-verify (digest cache)", warm, None),
        ("start-up: one-file model", startup, None),
        ("partial: --only 1 of 8 shards", partial, None),
        (f"cold verify {many:,} files", many_files, ms_many),
    ]
    print(f"{'case':<34} {'aibom s':>9} {'aibom RSS':>10} {'model_signing s':>16} {'ms RSS':>8}")
    for name, (seconds, rss), other in rows:
        ms_cols = f"{other[0]:>16.3f} {other[1]:>6}MB" if other else f"{'-':>16} {'-':>8}"
        print(f"{name:<34} {seconds:>9.3f} {rss:>8}MB {ms_cols}")
    print()
    checks = [
        (
            "warm CLI within 0.1 s of start-up",
            warm[0] - startup[0] <= 0.1,
            f"{warm[0] - startup[0]:+.3f} s",
        ),
        (
            "Python API warm >= 100x faster than cold",
            api_cold / api_warm >= 100,
            f"cold {api_cold:.3f} s, warm {api_warm * 1000:.1f} ms: {api_cold / api_warm:.0f}x",
        ),
        (
            # one shard is one core's work; cold spreads 8 shards over every core
            "partial: one shard's share of cold hashing (x cores, +25%)",
            partial[0] - startup[0] <= (cold[0] - startup[0]) * cores / 8 * 1.25,
            f"{(partial[0] - startup[0]) / (cold[0] - startup[0]):.2f} of cold hashing",
        ),
        (
            "peak RSS < 200 MB (4 GiB and many files)",
            max(cold[1], many_files[1]) < 200,
            f"{max(cold[1], many_files[1])} MB",
        ),
        (
            "cold not slower than model_signing",
            cold[0] <= ms_cold[0],
            f"{cold[0] / ms_cold[0]:.2f}x model_signing",
        ),
    ]
    for label, passed, detail in checks:
        print(f"{'PASS' if passed else 'MISS'}  {label}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
