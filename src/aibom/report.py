"""Render a chain Report as text, JSON or SARIF 2.1.0 (for code-scanning dashboards)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

from aibom import __version__
from aibom.verdicts import Report, Status

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# "pass" results take level "none"
_LEVEL = {Status.FAILED: "error", Status.DECLARED: "warning", Status.VERIFIED: "none"}


class ReportFormat(StrEnum):
    """The renderings of a chain Report."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


def render_report(report: Report, fmt: ReportFormat, *, source: str) -> str:
    """The report in `fmt`; `source` is the AIBOM or directory SARIF locations default to."""
    if fmt == ReportFormat.JSON:
        return to_json(report)
    if fmt == ReportFormat.SARIF:
        return to_sarif(report, source=source)
    return to_text(report)


def to_text(report: Report) -> str:
    width = max((len(c.subject) for c in report.checks), default=0)
    lines = [f"{c.status:<13} {c.subject:<{width}}  {c.reason}" for c in report.checks]
    failed = len(report.failures())
    verdict = "chain verified" if report.ok else f"chain FAILED: {failed} check(s) failed"
    return "\n".join([*lines, verdict]) + "\n"


def to_json(report: Report) -> str:
    data = {
        "verified": report.ok,
        "checks": [{k: v for k, v in vars(c).items() if v is not None} for c in report.checks],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def to_sarif(report: Report, *, source: str) -> str:
    used = sorted({c.rule for c in report.checks})
    results: list[dict[str, Any]] = []
    for c in report.checks:
        results.append(
            {
                "ruleId": c.rule,
                "ruleIndex": used.index(c.rule),
                "level": _LEVEL[c.status],
                "kind": "pass" if c.status == Status.VERIFIED else "fail",
                "message": {"text": f"{c.subject}: {c.reason}"},
                "locations": [
                    {
                        "physicalLocation": {"artifactLocation": {"uri": c.location or source}},
                        "logicalLocations": [{"name": c.subject, "kind": "module"}],
                    }
                ],
                "properties": {"aibom:status": c.status, "aibom:kind": c.kind},
            }
        )
    for result in results:
        if result["kind"] == "fail":
            del result["kind"]  # "fail" is the default; a level is only allowed with it
    run = {
        "tool": {
            "driver": {
                "name": "aibom",
                "version": __version__,
                "informationUri": "https://github.com/aibom/aibom",
                "rules": [{"id": r, "shortDescription": {"text": r.description}} for r in used],
            }
        },
        "results": results,
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2) + "\n"
