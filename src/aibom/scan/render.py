"""A scan report as text, JSON or SARIF 2.1.0 (for code-scanning dashboards)."""

from __future__ import annotations

import json
from typing import Any

from aibom.scan.result import SCANNER, SCANNER_VERSION, ScanReport, Severity, Verdict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_RULES = {  # rule id -> (short description, SARIF level)
    "aibom-scan/dangerous": ("Loading the file runs or reaches code", "error"),
    "aibom-scan/not-allowed": ("The file imports something outside the allowlist", "error"),
    "aibom-scan/incomplete": ("Part of the file could not be scanned", "warning"),
}


def render_text(report: ScanReport) -> str:
    """One line per finding and per unread part, then the verdict."""
    lines = []
    for scan in sorted(report.files, key=lambda s: s.file):
        for f in scan.findings:
            where = f"{f.file}:{f.member}" if f.member else f.file
            lines.append(f"{f.severity}: {where}: {f.reason}")
        lines += [f"incomplete: {w}" for w in scan.warnings]
    lines += [f"incomplete: {w}" for w in report.warnings]
    counts = {v: sum(1 for s in report.files if s.verdict == v) for v in Verdict}
    lines.append(
        f"{report.verdict}: {len(report.files)} file(s) scanned, "
        f"{counts[Verdict.DANGEROUS]} with findings, {counts[Verdict.INCOMPLETE]} incomplete"
    )
    return "\n".join(lines) + "\n"


def render_json(report: ScanReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True) + "\n"


def render_sarif(report: ScanReport) -> str:
    """SARIF 2.1.0: one result per finding and per incomplete file."""
    results: list[dict[str, Any]] = []
    for scan in sorted(report.files, key=lambda s: s.file):
        for f in scan.findings:
            rule = (
                "aibom-scan/dangerous"
                if f.severity == Severity.DANGEROUS
                else "aibom-scan/not-allowed"
            )
            results.append(_result(rule, f.reason, f.file, f.member))
        results += [_result("aibom-scan/incomplete", w, scan.file, None) for w in scan.warnings]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": SCANNER,
                "version": SCANNER_VERSION,
                "informationUri": "https://github.com/aibom/aibom",
                "rules": [{"id": rule, "shortDescription": {"text": text},
                           "defaultConfiguration": {"level": level}}
                          for rule, (text, level) in _RULES.items()],
            }},
            "results": results,
        }],
    }  # fmt: skip
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def _result(rule: str, message: str, file: str, member: str | None) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": file}}}
    if member:
        location["logicalLocations"] = [{"name": member, "kind": "member"}]
    return {
        "ruleId": rule,
        "ruleIndex": list(_RULES).index(rule),
        "level": _RULES[rule][1],
        "message": {"text": message},
        "locations": [location],
    }
