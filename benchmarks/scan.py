"""aibom scan against picklescan, fickling and modelaudit on the shared pickle corpus.

    python3 benchmarks/scan.py [--corpus ../shared/vectors/pickles] [--assets DIR]

The corpus (labels in its MANIFEST.tsv) holds the malicious and benign samples of the three
scanners' own test suites; the assets are the everyday artefacts tests/scan/assets/make_assets.py
writes with the real libraries (scikit-learn/joblib, PyTorch, numpy, pandas, Hugging Face and
Lightning training state). Every tool runs in this process through its Python API, one file
at a time, so interpreter start-up is not counted. A tool that raises or reports an error on a
file counts as refusing it (fail closed): "refused" = flagged + errors. Tools that are not
installed are skipped: install them into the machine's Python, never into aibom's deps:

    python3 -m pip install picklescan fickling modelaudit
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.metadata
import io
import os
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

Verdict = str  # "clean" | "flagged" | "error"


def aibom_tool() -> Callable[[Path], Verdict]:
    from aibom.scan import Verdict as V
    from aibom.scan import scan_paths

    def run(path: Path) -> Verdict:
        verdict = scan_paths([path]).verdict
        return {V.CLEAN: "clean", V.DANGEROUS: "flagged"}.get(verdict, "error")

    return run


def picklescan_tool() -> Callable[[Path], Verdict]:
    from picklescan.scanner import scan_file_path

    def run(path: Path) -> Verdict:
        result = scan_file_path(str(path))
        if result.infected_files:
            return "flagged"
        return "error" if result.scan_err else "clean"

    return run


def fickling_tool() -> Callable[[Path], Verdict]:
    import fickling

    def run(path: Path) -> Verdict:
        if zipfile.is_zipfile(path):
            results = list(fickling.scan_zip_archive(str(path)).values())
        else:
            results = [fickling.scan_file(str(path))]
        if any(not r.is_safe for r in results):
            return "flagged"
        return "error" if any(r.errors for r in results) else "clean"

    return run


def modelaudit_tool() -> Callable[[Path], Verdict]:
    os.environ.setdefault("PROMPTFOO_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("MODELAUDIT_TELEMETRY_DISABLED", "1")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from modelaudit.core import determine_exit_code, scan_model_directory_or_file

    def run(path: Path) -> Verdict:
        code = determine_exit_code(scan_model_directory_or_file(str(path)))
        return {0: "clean", 1: "flagged"}.get(code, "error")

    return run


TOOLS: dict[str, tuple[str, Callable[[], Callable[[Path], Verdict]]]] = {
    "aibom": ("aibom", aibom_tool),
    "picklescan": ("picklescan", picklescan_tool),
    "fickling": ("fickling", fickling_tool),
    "modelaudit": ("modelaudit", modelaudit_tool),
}


def version(dist: str) -> str:
    if dist == "aibom":
        from aibom.scan import SCANNER_VERSION

        return f"scan v{SCANNER_VERSION}"
    return importlib.metadata.version(dist)


def samples(corpus: Path, assets: Path) -> list[tuple[str, Path]]:
    """(group, path): malicious / benign from the corpus manifest, everyday from the assets."""
    with (corpus / "MANIFEST.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    out = [(row["expected"], corpus / row["file"]) for row in rows]
    out += [("everyday", p) for p in sorted(assets.rglob("*")) if p.is_file()]
    return out


def run_tool(run: Callable[[Path], Verdict], path: Path) -> Verdict:
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            return run(path)
    except Exception:  # a scanner crashing on a file: an error verdict
        return "error"


def _refused(counts: dict[tuple[str, str], int], totals: dict[str, int], group: str) -> str:
    flagged, errors = counts[(group, "flagged")], counts[(group, "error")]
    return f"{flagged + errors}/{totals[group]} ({flagged} + {errors} err)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REPO.parent / "shared/vectors/pickles")
    parser.add_argument("--assets", type=Path, default=REPO / "tests/scan/assets/benign")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--misses", action="store_true", help="list what each tool got wrong")
    args = parser.parse_args()
    files = samples(args.corpus, args.assets)
    totals = {g: sum(1 for group, _ in files if group == g)
              for g in ("malicious", "benign", "everyday")}  # fmt: skip
    rows, misses = [], []
    for name in args.tools.split(","):
        dist, factory = TOOLS[name]
        try:
            run = factory()
        except ImportError:
            print(f"{name}: not installed, skipped", file=sys.stderr)
            continue
        counts = {(g, v): 0 for g in totals for v in ("clean", "flagged", "error")}
        start = time.perf_counter()
        for group, path in files:
            verdict = run_tool(run, path)
            counts[(group, verdict)] += 1
            if (group == "malicious") == (verdict == "clean"):
                misses.append(f"{name}: {group} {verdict}: {path.relative_to(path.parents[2])}")
        seconds = time.perf_counter() - start

        rows.append((name, version(dist), *(_refused(counts, totals, g) for g in totals),
                     f"{seconds:.1f} s"))  # fmt: skip
    header = ("scanner", "version", "malicious refused", "benign refused",
              "everyday artefacts refused", "time")  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\n{totals['malicious']} malicious and {totals['benign']} benign corpus samples, "
          f"{totals['everyday']} everyday artefacts; refused = flagged + errors.")  # fmt: skip
    if args.misses:
        print("\n" + "\n".join(misses))


if __name__ == "__main__":
    main()
