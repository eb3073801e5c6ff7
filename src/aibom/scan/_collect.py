"""What one file's scan records while its readers walk it."""

from __future__ import annotations

from dataclasses import dataclass

from aibom.scan import policy
from aibom.scan.result import FileScan, Finding, Severity

MAX_OPCODES = 10_000_000  # per file, all its pickles together
MAX_IMPORTS = 100_000  # distinct imports recorded per file


class OverBudget(Exception):
    """The file has more opcodes than a scan will follow."""


@dataclass(frozen=True)
class Global:
    """An imported object on the modelled unpickler stack."""

    member: str | None
    module: str
    name: str


class Collector:
    """Imports, how each is used, other findings and warnings for one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.uses: dict[tuple[str | None, str, str], set[str]] = {}
        self.extra: list[Finding] = []
        self.warnings: list[str] = []
        self.opcodes = 0
        self.import_ops = 0

    def warn(self, member: str | None, text: str) -> None:
        self.warnings.append(f"{self.where(member)}: {text}")

    def where(self, member: str | None) -> str:
        return f"{self.file}:{member}" if member else self.file

    def finding(
        self, member: str | None, check: str, name: str, severity: Severity, reason: str
    ) -> None:
        """A finding that is not an import (a Keras Lambda, a GGUF template, ...)."""
        finding = Finding(self.file, member, check, name, severity, reason)
        if finding not in self.extra:
            self.extra.append(finding)

    def imported(self, member: str | None, module: str, name: str, use: str = "") -> Global:
        self.import_ops += 1
        key = (member, module, name)
        if key not in self.uses and len(self.uses) >= MAX_IMPORTS:
            raise OverBudget
        self.uses.setdefault(key, set()).update([use] if use else [])
        return Global(member, module, name)

    def used(self, value: object, use: str) -> None:
        if isinstance(value, Global):
            self.uses[(value.member, value.module, value.name)].add(use)

    def tick(self) -> None:
        self.opcodes += 1
        if self.opcodes > MAX_OPCODES:
            raise OverBudget

    def result(self, kind: str) -> FileScan:
        findings = list(self.extra)
        for (member, module, name), uses in self.uses.items():
            verdict = _verdict(module, name, uses)
            if verdict:
                findings.append(Finding(self.file, member, module, name, *verdict))
        findings.sort(key=lambda f: (f.member or "", f.module, f.name, f.reason))
        imports = tuple(sorted({(m, n) for _, m, n in self.uses}))
        return FileScan(self.file, kind, imports, tuple(findings), tuple(self.warnings))


HIDDEN = "<not a literal>"
EXTENSION = "<extension>"


def _verdict(module: str, name: str, uses: set[str]) -> tuple[Severity, str] | None:
    if "hidden" in uses:
        return Severity.DANGEROUS, "STACK_GLOBAL operands are not string literals: a hidden import"
    if module == EXTENSION:
        return (
            Severity.DANGEROUS,
            f"extension code {name}: an import resolved from copyreg's registry at load",
        )
    verdict = policy.judge(module, name)
    if "patched" in uses:
        return Severity.DANGEROUS, f"{module}.{name}: BUILD sets attributes on the imported object"
    if verdict and "called" in uses:
        return verdict[0], verdict[1] + " (called while loading)"
    return verdict
