"""What a scan found: findings per file, and the verdict of a whole report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

SCANNER = "aibom-scan"
SCANNER_VERSION = "2"  # bump when the policy or what the scanner reads changes
SCHEMA = "aibom/scan/v2"


class Severity(StrEnum):
    """How bad one finding is. Both kinds make a scan unclean."""

    DANGEROUS = "dangerous"  # known to run code, reach files/network, or hide what it does
    NOT_ALLOWED = "not-allowed"  # an import outside what model files need: review it


class Verdict(StrEnum):
    """The outcome of a scan: anything but CLEAN refuses the model (fail closed)."""

    CLEAN = "clean"
    DANGEROUS = "dangerous"
    INCOMPLETE = "incomplete"  # something could not be read completely: a payload could hide


@dataclass(frozen=True)
class Finding:
    """One thing a model file would do or import when loaded."""

    file: str
    member: str | None  # the archive member or inner stream, None for the file itself
    module: str  # for imports: the module; for other checks: the check ("keras", "gguf" ...)
    name: str
    severity: Severity
    reason: str

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.name}" if self.module and self.name else self.module

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "member": self.member,
            "module": self.module,
            "name": self.name,
            "severity": str(self.severity),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class FileScan:
    """The scan of one file."""

    file: str
    kind: str  # pickle, torch-zip, joblib, numpy, zip, keras, hdf5, gguf, onnx, safetensors, other
    imports: tuple[tuple[str, str], ...] = ()  # every (module, name) imported, sorted
    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()  # what could not be read: the scan of this file is incomplete

    @property
    def verdict(self) -> Verdict:
        if self.findings:
            return Verdict.DANGEROUS
        return Verdict.INCOMPLETE if self.warnings else Verdict.CLEAN

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "verdict": str(self.verdict),
            "imports": [list(pair) for pair in self.imports],
            "findings": [f.to_dict() for f in self.findings],
            "warnings": sorted(self.warnings),
        }


@dataclass(frozen=True)
class ScanReport:
    """Every file scanned under one or more roots."""

    files: tuple[FileScan, ...]
    warnings: tuple[str, ...] = ()  # about the walk itself (unreadable folders, caps)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for scan in self.files for f in scan.findings)

    @property
    def incomplete(self) -> tuple[str, ...]:
        """Every reason the scan is incomplete, file by file, then the walk's."""
        return tuple(w for s in self.files for w in s.warnings) + self.warnings

    @property
    def verdict(self) -> Verdict:
        if self.findings:
            return Verdict.DANGEROUS
        return Verdict.INCOMPLETE if self.incomplete else Verdict.CLEAN

    @property
    def clean(self) -> bool:
        """Nothing found and everything read."""
        return self.verdict == Verdict.CLEAN

    def dangerous_names(self) -> tuple[str, ...]:
        """The distinct dotted names (or check names) of the findings, sorted."""
        return tuple(sorted({f.dotted for f in self.findings}))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "scanner": SCANNER,
            "version": SCANNER_VERSION,
            "verdict": str(self.verdict),
            "files": [s.to_dict() for s in sorted(self.files, key=lambda s: s.file)],
            "warnings": sorted(self.warnings),
        }
