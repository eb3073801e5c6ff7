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


class RuleId(StrEnum):
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


_DESCRIPTIONS: dict[RuleId, str] = {
    RuleId.NODE: "Component signature verified",
    RuleId.EDGE: "Lineage edge attested",
    RuleId.ABSENT: "Component declared but not present",
    RuleId.UNSIGNED: "Component not signed",
    RuleId.SIGNATURE: "Signature bundle unreadable or not the recorded one",
    RuleId.LEGACY: "Legacy signature format",
    RuleId.SIGNER: "Signer not allowed by policy",
    RuleId.FILES: "Files do not match the signature",
    RuleId.SCAN: "Model files do not scan clean (aibom scan), or no clean scan recorded",
    RuleId.MISSING_PARENT: "Parent missing from the chain",
    RuleId.DECLARED: "Lineage declared, not attested",
    RuleId.ATTESTATION: "Lineage attestation does not hold",
    RuleId.CYCLE: "Cycle in lineage",
}


@dataclass(frozen=True)
class Check:
    """One verdict with its reason."""

    kind: Subject
    subject: str  # a component ref, "child -> parent", or the cycle's refs
    status: Status
    reason: str
    rule: RuleId
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
