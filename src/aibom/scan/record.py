"""Scan results recorded on the components of a provenance graph (`aibom build --scan`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from aibom.errors import AibomError
from aibom.graph import ProvenanceGraph, ScanResult
from aibom.scan.engine import scan_model
from aibom.scan.result import SCANNER, SCANNER_VERSION, ScanReport, Verdict


def summary(report: ScanReport) -> ScanResult:
    """What an AIBOM records of a scan: scanner, version, verdict and the names found."""
    return ScanResult(SCANNER, SCANNER_VERSION, str(report.verdict), report.dangerous_names())


def record_scans(graph: ProvenanceGraph, base: Path) -> list[str]:
    """Scan every local component's directory (`location`, relative to `base`) and record
    the result on it; warnings for those that could not be scanned (recorded incomplete)."""
    warnings = []
    for c in graph.components():
        if not c.local or c.location is None:
            continue
        try:
            result = summary(scan_model(base / c.location))
        except AibomError as exc:
            warnings.append(f"{c.name}: cannot scan: {exc.one_line()}")
            result = ScanResult(SCANNER, SCANNER_VERSION, str(Verdict.INCOMPLETE))
        if result.verdict != Verdict.CLEAN:
            warnings.append(
                f"{c.name}: scan {result.verdict}: {', '.join(result.findings)}"
                if result.findings
                else f"{c.name}: scan {result.verdict}"
            )
        graph.replace_component(replace(c, scan=result))
    return warnings
