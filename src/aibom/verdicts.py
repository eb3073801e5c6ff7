"""What `verify-chain` concludes: one Check per node, edge and graph property, in a Report.

The statuses and rule ids are closed vocabularies; every rule carries its description here,
so a report renderer never has to guess one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """The verdict of one check."""

    VERIFIED = "verified"
    DECLARED = "declared-only"  # stated by metadata, not backed by a signature
    FAILED = "failed"


class Subject(StrEnum):
    """What a check is about."""

    NODE = "node"
    EDGE = "edge"
    GRAPH = "graph"


class Rule(StrEnum):
    """A stable id for each kind of check (SARIF rule ids)."""

    NODE = "aibom/node"
    EDGE = "aibom/edge"
    ABSENT = "aibom/absent"
    UNSIGNED = "aibom/unsigned"
    SIGNATURE = "aibom/signature"
    LEGACY = "aibom/legacy"
    SIGNER = "aibom/signer"
    FILES = "aibom/files"
    SCAN = "aibom/scan"
    MISSING_PARENT = "aibom/missing-parent"
    DECLARED = "aibom/declared"
    ATTESTATION = "aibom/attestation"
    CYCLE = "aibom/cycle"

    @property
    def description(self) -> str:
        """One short sentence for dashboards (SARIF `shortDescription`)."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS: dict[Rule, str] = {
    Rule.NODE: "Component signature verified",
    Rule.EDGE: "Lineage edge attested",
    Rule.ABSENT: "Component declared but not present",
    Rule.UNSIGNED: "Component not signed",
    Rule.SIGNATURE: "Signature bundle unreadable or not the recorded one",
    Rule.LEGACY: "Legacy signature format",
    Rule.SIGNER: "Signer not allowed by policy",
    Rule.FILES: "Files do not match the signature",
    Rule.SCAN: "Model files do not scan clean (aibom scan), or no clean scan recorded",
    Rule.MISSING_PARENT: "Parent missing from the chain",
    Rule.DECLARED: "Lineage declared, not attested",
    Rule.ATTESTATION: "Lineage attestation does not hold",
    Rule.CYCLE: "Cycle in lineage",
}


@dataclass(frozen=True)
class Check:
    """One verdict with its reason."""

    kind: Subject
    subject: str  # a component ref, "child -> parent", or the cycle's refs
    status: Status
    reason: str
    rule: Rule
    signer: str | None = None  # the publisher that signed, when verified
    location: str | None = None  # bundle or directory the check concerns


@dataclass(frozen=True)
class Report:
    """Every check of one chain verification, nodes first, then edges, then the graph."""

    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        """True when no check failed."""
        return not any(c.status == Status.FAILED for c in self.checks)

    def failures(self) -> list[Check]:
        """The failed checks, in report order."""
        return [c for c in self.checks if c.status == Status.FAILED]
