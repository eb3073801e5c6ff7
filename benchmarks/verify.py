"""Time `aibom verify` and `aibom sign` against model_signing and the hashing limit, in one run.

    python benchmarks/verify.py [--quick] [--scale] [--only-verify] [--workdir DIR]

For each workload, three processes are timed side by side, interleaved round by round:
aibom, model_signing 1.1.1 (`verify key` / `sign key`, EC P-256), and the *limit*: a plain
Python process that lists the model and hashes every file with hashlib (one thread per core
for big files, one thread for small ones), interpreter start included. A cell is the best
wall time of N rounds, files in the page cache. See benchmarks/README.md. Exit 0 unless a
tool failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchlib import (
    GiB,
    KiB,
    MiB,
    compile_package,
    console_script,
    cores_used_by_others,
    cpu_snapshot,
    ensure_model,
    read_all_files,
    usable_cores,
    write_ec_keypair,
)

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "aibom-bench-verify"

# The limit: list the model, hash every file with hashlib. Nothing else a verifier needs.
LIMIT_SCRIPT = """
import hashlib, os, sys
from concurrent.futures import ThreadPoolExecutor
def files(d):
    for e in os.scandir(d):
        if e.is_dir(follow_symlinks=False):
            yield from files(e.path)
        elif e.is_file(follow_symlinks=False):
            yield e.path
def digest(p):
    with open(p, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
paths = list(files(sys.argv[1]))
threads = int(sys.argv[2])
if threads == 1:
    for p in paths:
        digest(p)
else:
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(digest, paths))
"""


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    file_sizes: dict[str, int]
    big: bool = False  # one thread per core in the limit; one round only with --quick
    max_ratio_to_limit: float | None = None
    max_ratio_to_model_signing: float | None = None
    model_signing_rounds: int | None = None  # fewer rounds where model_signing takes long
    max_rss_mib: int | None = None

    def target(self) -> str:
        if self.max_ratio_to_limit is not None:
            return f"<= {self.max_ratio_to_limit:.2f}x limit"
        return f"<= {self.max_ratio_to_model_signing:.2f}x model_signing"


def _many(count: int) -> dict[str, int]:
    return {f"part-{i // 1000:03d}/chunk-{i % 1000:04d}.bin": 4 * KiB for i in range(count)}


CASES = [
    Case("a", "one 1 GiB file", {"model.safetensors": GiB}, big=True, max_ratio_to_limit=1.10),
    Case(
        "b",
        "8 x 128 MiB files",
        {f"model-{i + 1:05d}-of-00008.safetensors": 128 * MiB for i in range(8)},
        big=True,
        max_ratio_to_limit=1.15,
    ),
    Case(
        "c",
        "5,000 x 4 KiB files",
        {f"part-{i // 100:02d}/chunk-{i % 100:03d}.bin": 4 * KiB for i in range(5000)},
        max_ratio_to_limit=1.25,
    ),
    Case("d", "one 4 KiB file", {"config.json": 4 * KiB}, max_ratio_to_model_signing=0.30),
]
SCALE_CASE = Case(
    "e",
    "100,000 x 4 KiB files",
    _many(100_000),
    max_ratio_to_limit=2.0,
    model_signing_rounds=1,
    max_rss_mib=200,
)


@dataclass
class Measurement:
    case: Case
    action: str  # verify | sign
    aibom: float
    model_signing: float
    limit: float
    aibom_rss_mib: int
    others_load: float

    @property
    def vs_limit(self) -> float:
        return self.aibom / self.limit

    @property
    def vs_model_signing(self) -> float:
        return self.aibom / self.model_signing

    def meets_target(self) -> bool:
        case = self.case
        ok = True
        if case.max_ratio_to_limit is not None:
            ok = self.vs_limit <= case.max_ratio_to_limit
        if case.max_ratio_to_model_signing is not None:
            ok = self.vs_model_signing <= case.max_ratio_to_model_signing
        if case.max_rss_mib is not None:
            ok = ok and self.aibom_rss_mib < case.max_rss_mib
        return ok


class ToolFailed(Exception):
    pass


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in MiB) of one child process; ToolFailed unless it exits 0."""
    start = time.perf_counter()
    child = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    assert child.stderr is not None
    error = child.stderr.read().decode(errors="replace").strip()
    child.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise ToolFailed(f"{Path(command[0]).name} exited {code}: {error[:300]}")
    return elapsed, usage.ru_maxrss // 1024


def interleaved_best(
    runs: dict[str, Callable[[], tuple[float, int]]], rounds: dict[str, int]
) -> dict[str, tuple[float, int]]:
    """Best wall time (and the peak RSS seen) of each run; one untimed warm-up round, then
    the runs alternate round by round so drift in machine load hits them alike."""
    best = {name: (float("inf"), 0) for name in runs}
    for number in range(1 + max(rounds.values())):
        for name, once in runs.items():
            if number > rounds[name] or (number == 0 and rounds[name] == 1):
                continue  # a single long round goes without a warm-up of its own
            seconds, rss = once()
            if number > 0:
                best[name] = (min(best[name][0], seconds), max(best[name][1], rss))
    return best


def measure(
    case: Case,
    action: str,
    workdir: Path,
    keys: tuple[Path, Path],
    rounds: int,
    cores: int,
    cache_root: Path,
) -> Measurement:
    private_key, public_key = keys
    aibom, model_signing = console_script("aibom"), console_script("model_signing")
    model = workdir / case.key / "model"
    ensure_model(model, case.file_sizes)
    signature = workdir / case.key / "model.sig"  # beside the model, not in it
    if action == "verify":  # signed with this run's key
        run(
            [
                model_signing,
                "sign",
                "key",
                str(model),
                "--signature",
                str(signature),
                "--private_key",
                str(private_key),
            ]
        )
    out = workdir / case.key / "timed.sig"
    if action == "verify":
        aibom_cmd = [
            aibom,
            "verify",
            str(model),
            "--signature",
            str(signature),
            "--public-key",
            str(public_key),
        ]
        ms_cmd = [
            model_signing,
            "verify",
            "key",
            str(model),
            "--signature",
            str(signature),
            "--public_key",
            str(public_key),
        ]
    else:
        aibom_cmd = [
            aibom,
            "sign",
            str(model),
            "--signature",
            str(out),
            "--private-key",
            str(private_key),
        ]
        ms_cmd = [
            model_signing,
            "sign",
            "key",
            str(model),
            "--signature",
            str(out),
            "--private_key",
            str(private_key),
        ]
    limit_cmd = [sys.executable, "-c", LIMIT_SCRIPT, str(model), str(cores if case.big else 1)]

    def aibom_run() -> tuple[float, int]:  # every run with an empty digest cache
        env = {**os.environ, "AIBOM_CACHE_DIR": tempfile.mkdtemp(dir=cache_root)}
        return run(aibom_cmd, env)

    runs = {
        "aibom": aibom_run,
        "model_signing": lambda: run(ms_cmd),
        "limit": lambda: run(limit_cmd),
    }
    counts = {name: rounds for name in runs}
    if case.model_signing_rounds is not None:
        counts["model_signing"] = min(rounds, case.model_signing_rounds)
    read_all_files(model)
    started = cpu_snapshot()
    best = interleaved_best(runs, counts)
    return Measurement(
        case,
        action,
        best["aibom"][0],
        best["model_signing"][0],
        best["limit"][0],
        best["aibom"][1],
        cores_used_by_others(started),
    )


def source_version() -> str:
    repo = Path(__file__).resolve().parent.parent
    git = ["git", "-C", str(repo)]
    try:
        commit = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(
            [*git, "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(not a git checkout)"
    return f"at {commit}{' + local changes' if changes else ''}"


def print_report(measurements: list[Measurement], failures: list[str]) -> None:
    columns = [
        "action",
        "workload",
        "aibom s",
        "model_signing s",
        "limit s",
        "aibom/limit",
        "aibom/model_signing",
        "aibom RSS MiB",
        "target",
        "result",
        "other load",
    ]
    left = {"action", "workload", "target", "result"}
    rows = [columns]
    for m in measurements:
        rows.append(
            [
                m.action,
                f"({m.case.key}) {m.case.title}",
                f"{m.aibom:.3f}",
                f"{m.model_signing:.3f}",
                f"{m.limit:.3f}",
                f"{m.vs_limit:.2f}x",
                f"{m.vs_model_signing:.2f}x",
                str(m.aibom_rss_mib),
                m.case.target()
                + (f", RSS < {m.case.max_rss_mib} MiB" if m.case.max_rss_mib else ""),
                "PASS" if m.meets_target() else "MISS",
                f"{m.others_load:.2f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    print()
    for number, row in enumerate(rows):
        cells = [
            c.ljust(w) if name in left else c.rjust(w)
            for c, w, name in zip(row, widths, columns, strict=True)
        ]
        print("  ".join(cells).rstrip())
        if number == 0:
            print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    disturbed = sorted({f"{m.action} {m.case.key}" for m in measurements if m.others_load > 0.1})
    if disturbed:
        print(
            f"warning: other processes kept cores busy during {', '.join(disturbed)} "
            "(column 'other load'); those times are suspect"
        )
    for failure in failures:
        print(f"\nFAILED {failure}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one round, not best of 3, for the big workloads (a) and (b)",
    )
    parser.add_argument(
        "--scale",
        action="store_true",
        help="also (e) 100,000 x 4 KiB files (writes 100,000 files once)",
    )
    parser.add_argument("--only-verify", action="store_true", help="skip the sign rows")
    parser.add_argument("--cases", default="", help="only these workloads, e.g. 'ce'")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per cell (3)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"where models are kept between runs (default: {DEFAULT_WORKDIR})",
    )
    args = parser.parse_args()
    workdir: Path = args.workdir.resolve()
    keys = write_ec_keypair(workdir / "keys")
    compile_package("aibom")
    cores = usable_cores()
    print(f"aibom {source_version()}; cores = {cores}; workdir {workdir}", flush=True)
    cases = [*CASES, SCALE_CASE] if args.scale else CASES
    if args.cases:
        cases = [c for c in [*CASES, SCALE_CASE] if c.key in args.cases]
    actions = ["verify"] if args.only_verify else ["verify", "sign"]
    measurements: list[Measurement] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="aibom-bench-cache-") as cache_root:
        for case in cases:
            for action in actions:
                print(f"{action} ({case.key}) {case.title} ...", flush=True)
                rounds = 1 if args.quick and case.big else args.rounds
                try:
                    measurements.append(
                        measure(case, action, workdir, keys, rounds, cores, Path(cache_root))
                    )
                except ToolFailed as exc:
                    failures.append(f"{action} ({case.key}): {exc}")
    print_report(measurements, failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
