"""Time `aibom build` of a signed model with many small files against the hashing limit.

    python benchmarks/build.py [--files 8000,30000] [--formats cyclonedx,spdx,spdx2]
                               [--rounds 3] [--workdir DIR]

For each model (N files of 4 KiB in 100 directories, signed once with `aibom sign`), the
processes timed side by side, interleaved round by round, are `aibom build MODEL --signature
SIG -o OUT` for each format, and the *limit*: a plain Python process that lists the model and
hashes every file with hashlib on one thread (`verify.LIMIT_SCRIPT`), interpreter start
included. The target (issue 17) is a 30,000-file CycloneDX build within 2x the limit. A cell
is the best wall time of N rounds; RSS is the highest peak of the tool's runs. Every round's
document must be byte-identical to the first. Exit 0 unless a tool failed.
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from benchlib import (
    KiB,
    console_script,
    cores_used_by_others,
    cpu_snapshot,
    ensure_model,
    read_all_files,
    write_ec_keypair,
)
from verify import LIMIT_SCRIPT, ToolFailed, interleaved_best, run, source_version

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "aibom-bench-build"
TIMESTAMP = "2026-01-01T00:00:00Z"  # the same bytes every round
TARGET = {("cyclonedx", 30_000): 2.0}  # aibom / limit


@dataclass(frozen=True)
class Row:
    files: int
    fmt: str
    aibom: float
    limit: float
    rss_mib: int
    document_mib: float
    others_load: float

    @property
    def ratio(self) -> float:
        return self.aibom / self.limit


def signed_model(workdir: Path, files: int, private_key: Path) -> tuple[Path, Path]:
    """The model of `files` 4 KiB files (written once, kept) and its bundle beside it (signed
    in every run, so it always matches the files)."""
    model = workdir / f"files-{files}" / "model"
    ensure_model(model, {f"d{i % 100:02d}/f{i:06d}.bin": 4 * KiB for i in range(files)})
    signature = model.with_name("model.sig")
    run([console_script("aibom"), "sign", str(model), "--signature", str(signature),
         "--private-key", str(private_key)])
    return model, signature


def measure(workdir: Path, files: int, formats: list[str], rounds: int,
            private_key: Path) -> list[Row]:
    model, signature = signed_model(workdir, files, private_key)
    aibom = console_script("aibom")
    outputs = {fmt: workdir / f"files-{files}" / f"aibom.{fmt}.json" for fmt in formats}
    first: dict[str, bytes] = {}

    def build(fmt: str) -> tuple[float, int]:
        out = outputs[fmt]
        result = run([aibom, "build", str(model), "--signature", str(signature), "--format",
                      fmt, "--timestamp", TIMESTAMP, "-o", str(out)])
        data = out.read_bytes()
        if first.setdefault(fmt, data) != data:
            raise ToolFailed(f"aibom build --format {fmt} wrote different bytes in one run")
        return result

    runs: dict[str, Callable[[], tuple[float, int]]] = {
        fmt: functools.partial(build, fmt) for fmt in formats
    }
    runs["limit"] = lambda: run([sys.executable, "-c", LIMIT_SCRIPT, str(model), "1"])
    read_all_files(model)
    started = cpu_snapshot()
    best = interleaved_best(runs, {name: rounds for name in runs})
    load = cores_used_by_others(started)
    return [Row(files, fmt, best[fmt][0], best["limit"][0], best[fmt][1],
                outputs[fmt].stat().st_size / (1 << 20), load) for fmt in formats]


def print_report(rows: list[Row], failures: list[str]) -> None:
    header = ["files", "format", "aibom build s", "limit s", "aibom/limit", "RSS MiB",
              "document MiB", "target", "result", "other load"]
    table = [header]
    for r in rows:
        target = TARGET.get((r.fmt, r.files))
        table.append([
            f"{r.files:,}", r.fmt, f"{r.aibom:.3f}", f"{r.limit:.3f}", f"{r.ratio:.2f}x",
            str(r.rss_mib), f"{r.document_mib:.1f}",
            f"<= {target:.1f}x limit" if target else "-",
            ("PASS" if r.ratio <= target else "MISS") if target else "-",
            f"{r.others_load:.2f}",
        ])
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print()
    for number, row in enumerate(table):
        print("  ".join(c.rjust(w) if i not in (1, 7) else c.ljust(w)
                        for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip())
        if number == 0:
            print("-" * (sum(widths) + 2 * (len(widths) - 1)))
    if any(r.others_load > 0.1 for r in rows):
        print("warning: other processes kept cores busy (column 'other load'); "
              "those times are suspect")
    for failure in failures:
        print(f"\nFAILED {failure}", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", default="8000,30000", help="file counts (8000,30000)")
    parser.add_argument("--formats", default="cyclonedx,spdx,spdx2",
                        help="aibom build --format values (cyclonedx,spdx,spdx2)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per cell (3)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where models are kept between runs (default: {DEFAULT_WORKDIR})")
    args = parser.parse_args()
    workdir: Path = args.workdir.resolve()
    private_key, _ = write_ec_keypair(workdir / "keys")
    print(f"aibom {source_version()}; workdir {workdir}", flush=True)
    rows: list[Row] = []
    failures: list[str] = []
    for files in (int(n) for n in args.files.split(",")):
        print(f"{files:,} files ...", flush=True)
        try:
            rows += measure(workdir, files, args.formats.split(","), args.rounds, private_key)
        except (ToolFailed, subprocess.SubprocessError) as exc:
            failures.append(f"{files} files: {exc}")
    print_report(rows, failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
