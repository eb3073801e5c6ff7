"""Time `aibom verify` against `model_signing verify key` on the same bundles.

    python benchmarks/verify.py [--quick] [--workdir DIR]

Both tools verify a bundle signed by model_signing with an EC P-256 key. Each cell is the best
wall time of N runs (the tools alternate), with the files already in the page cache. See
benchmarks/README.md for how to read the table. Exit 0 unless a verification failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchlib import (
    GiB,
    KiB,
    MiB,
    console_script,
    cores_used_by_others,
    cpu_snapshot,
    ensure_model,
    hashing_limit,
    read_all_files,
    run_timed,
    sha256_single_core_throughput,
    usable_cores,
    write_ec_keypair,
)

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "aibom-bench-verify"


@dataclass(frozen=True)
class Case:
    key: str
    title: str
    file_sizes: dict[str, int]
    big: bool = False  # one run only with --quick
    max_ratio_to_limit: float | None = None  # target: aibom <= this x hashing limit
    max_ratio_to_model_signing: float | None = None  # target: aibom <= this x model_signing

    def target(self) -> str:
        if self.max_ratio_to_limit is not None:
            return f"<= {self.max_ratio_to_limit:.2f}x limit"
        return f"<= {self.max_ratio_to_model_signing:.2f}x model_signing"


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
        max_ratio_to_model_signing=0.30,
    ),
    Case("d", "empty model (1 tiny file)", {"config.json": 16}, max_ratio_to_model_signing=0.50),
]
STARTUP_CASE = "d"  # nothing to hash: its time is the tool's start-up cost


@dataclass
class Measurement:
    case: Case
    aibom: float  # empty digest cache: every byte hashed
    model_signing: float
    aibom_cached: float  # re-verification with aibom's digest cache filled
    limit: float
    others_load: float  # cores other processes kept busy meanwhile: >0.1 makes the row suspect

    @property
    def vs_model_signing(self) -> float:
        return self.aibom / self.model_signing

    @property
    def vs_limit(self) -> float | None:
        return self.aibom / self.limit if self.limit >= 1e-3 else None  # no limit to speak of

    def meets_target(self) -> bool:
        if self.case.max_ratio_to_limit is not None:
            return self.vs_limit is not None and self.vs_limit <= self.case.max_ratio_to_limit
        return self.vs_model_signing <= self.case.max_ratio_to_model_signing

    def not_slower(self) -> bool:
        return self.aibom <= self.model_signing


class VerificationFailed(Exception):
    pass


Run = Callable[[], tuple[float, subprocess.CompletedProcess[str]]]


def best_wall_times(runs_by_name: dict[str, Run], rounds: int) -> dict[str, float]:
    """Best wall time of each run over `rounds` rounds, after one untimed round that checks each
    verifies (exit 0) and warms it up. They alternate within a round so drift hits all alike."""
    best = dict.fromkeys(runs_by_name, float("inf"))
    for round_number in range(1 + rounds):
        for name, run in runs_by_name.items():
            seconds, result = run()
            if result.returncode != 0:
                output = (result.stderr or result.stdout).strip()
                raise VerificationFailed(f"{name} exited {result.returncode}: {output}")
            if round_number > 0:
                best[name] = min(best[name], seconds)
    return best


def measure(
    case: Case,
    workdir: Path,
    keys: tuple[Path, Path],
    rounds: int,
    throughput: float,
    cores: int,
    cache_root: Path,
) -> Measurement:
    private_key, public_key = keys
    aibom, model_signing = console_script("aibom"), console_script("model_signing")
    model, signature = workdir / case.key / "model", workdir / case.key / "model.sig"
    ensure_model(model, case.file_sizes)
    _, signed = run_timed(
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
    if signed.returncode != 0:
        raise VerificationFailed(f"model_signing sign exited {signed.returncode}: {signed.stderr}")
    aibom_verify = [
        aibom,
        "verify",
        str(model),
        "--signature",
        str(signature),
        "--public-key",
        str(public_key),
    ]
    model_signing_verify = [
        model_signing,
        "verify",
        "key",
        str(model),
        "--signature",
        str(signature),
        "--public_key",
        str(public_key),
    ]

    def with_cache_dir(directory: str) -> dict[str, str]:
        return {**os.environ, "AIBOM_CACHE_DIR": directory}

    warm_cache = with_cache_dir(str(cache_root / f"warm-{case.key}"))  # filled by the first round
    runs_by_name: dict[str, Run] = {
        # aibom keeps a digest cache; every compared run starts with an empty one
        "aibom": lambda: run_timed(aibom_verify, with_cache_dir(tempfile.mkdtemp(dir=cache_root))),
        "model_signing": lambda: run_timed(model_signing_verify),
        "aibom_cached": lambda: run_timed(aibom_verify, warm_cache),
    }
    read_all_files(model)
    started = cpu_snapshot()
    best = best_wall_times(runs_by_name, rounds)
    others_load = cores_used_by_others(started)
    limit = hashing_limit(list(case.file_sizes.values()), throughput, cores)
    return Measurement(
        case, best["aibom"], best["model_signing"], best["aibom_cached"], limit, others_load
    )


def source_version() -> str:
    """The commit of the aibom checkout being measured (+ "dirty" if it has local changes)."""
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


def verdict(passed: bool) -> str:
    return "PASS" if passed else "MISS"


def print_report(measurements: list[Measurement], failures: list[str]) -> None:
    startup = next((m for m in measurements if m.case.key == STARTUP_CASE), None)
    columns = [
        "case",
        "aibom s",
        "model_signing s",
        "aibom/model_signing",
        "limit s",
        "aibom/limit",
        "excl. start-up",
        "target",
        "result",
        "not slower",
        "aibom cached s",
        "other load",
    ]
    left_aligned = {"case", "target", "result", "not slower"}
    rows = [columns]
    for m in measurements:
        hashing_only = ""  # aibom minus its own start-up time, against the limit
        if startup and m.case.max_ratio_to_limit is not None:
            hashing_only = f"{(m.aibom - startup.aibom) / m.limit:.2f}x"
        rows.append(
            [
                f"({m.case.key}) {m.case.title}",
                f"{m.aibom:.3f}",
                f"{m.model_signing:.3f}",
                f"{m.vs_model_signing:.2f}x",
                f"{m.limit:.3f}",
                f"{m.vs_limit:.2f}x" if m.vs_limit is not None else "n/a",
                hashing_only,
                m.case.target(),
                verdict(m.meets_target()),
                verdict(m.not_slower()),
                f"{m.aibom_cached:.3f}",
                f"{m.others_load:.2f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    print()
    for number, row in enumerate(rows):
        cells = [
            cell.ljust(w) if name in left_aligned else cell.rjust(w)
            for cell, w, name in zip(row, widths, columns, strict=True)
        ]
        print("  ".join(cells).rstrip())
        if number == 0:
            print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    if startup:
        print(
            f"\nstart-up (case {STARTUP_CASE}): aibom {startup.aibom:.3f} s, model_signing "
            f"{startup.model_signing:.3f} s -> {startup.vs_model_signing:.2f}x "
            f"(target {startup.case.target()}): {verdict(startup.meets_target())}"
        )
    if measurements:
        everywhere = all(m.not_slower() for m in measurements)
        print(f"never slower than model_signing: {verdict(everywhere)}")
    disturbed = [m.case.key for m in measurements if m.others_load > 0.1]
    if disturbed:
        print(
            f"warning: other processes kept cores busy during case(s) {', '.join(disturbed)} "
            "(column 'other load'); their times are suspect, run again on an idle machine"
        )
    for failure in failures:
        print(f"\nVERIFICATION FAILED {failure}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="one run, not best of 3, for the big cases (a) and (b)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=DEFAULT_WORKDIR,
        help=f"where models are kept between runs (default: {DEFAULT_WORKDIR})",
    )
    args = parser.parse_args()
    workdir: Path = args.workdir.resolve()
    keys = write_ec_keypair(workdir / "keys")
    throughput, cores = sha256_single_core_throughput(), usable_cores()
    print(
        f"aibom {source_version()}; SHA-256 single-core throughput T = "
        f"{throughput / 1e9:.2f} GB/s, cores = {cores}; workdir {workdir}",
        flush=True,
    )
    measurements: list[Measurement] = []
    failures: list[str] = []
    with tempfile.TemporaryDirectory(prefix="aibom-bench-cache-") as cache_root:
        for case in CASES:
            print(f"({case.key}) {case.title} ...", flush=True)
            rounds = 1 if args.quick and case.big else 3
            try:
                measurements.append(
                    measure(case, workdir, keys, rounds, throughput, cores, Path(cache_root))
                )
            except VerificationFailed as exc:
                failures.append(f"({case.key}) {exc}")
    print_report(measurements, failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
