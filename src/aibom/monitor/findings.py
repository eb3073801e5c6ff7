"""Findings and the policy questions behind them: who may sign a component, who is `ours`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from aibom.monitor.entries import DecodedEntry, Signer
from aibom.monitor.inventory import KnownComponent
from aibom.oms import keys
from aibom.oms.verify import CertificateTrust, KeylessTrust, KeyTrust
from aibom.policy import Policy, Publisher


class FindingKind(StrEnum):
    UNEXPECTED_SIGNER = "unexpected-signer"
    UNKNOWN_ARTIFACT = "unknown-artifact"
    ENTRY_MISMATCH = "entry-mismatch"
    INCONSISTENT_LOG = "inconsistent-log"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    log_index: int | None
    message: str
    digest: str | None = None
    identity: str | None = None
    component: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "log_index": self.log_index, "digest": self.digest,
                "identity": self.identity, "component": self.component,
                "message": self.message}

    def sort_key(self) -> tuple[int, str, str, str]:
        return (-1 if self.log_index is None else self.log_index, self.kind.value,
                self.component or "", self.identity or "")


class SignerMatcher:
    """Whether an entry's signer is one of the policy's publishers (keys parsed once)."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._key_fingerprints: dict[str, str | None] = {}
        self._chains: dict[str, tuple[x509.Certificate, ...]] = {}
        for name, publisher in policy.publishers.items():
            trust = publisher.trust
            if isinstance(trust, KeyTrust):
                self._key_fingerprints[name] = _pem_key_fingerprint(trust.public_key_pem)
            elif isinstance(trust, CertificateTrust):
                self._chains[name] = tuple(c for pem in trust.roots_pem
                                           for c in _pem_certificates(pem))

    def is_publisher(self, signer: Signer, publisher: Publisher) -> bool:
        trust = publisher.trust
        if isinstance(trust, KeylessTrust):
            return (signer.certificate is not None and signer.identity == trust.identity
                    and signer.issuer == trust.issuer)
        if isinstance(trust, KeyTrust):
            wanted = self._key_fingerprints.get(publisher.name)
            return wanted is not None and signer.key_fingerprint == wanted
        return signer.certificate is not None and any(
            _issued_by(signer.certificate, ca) for ca in self._chains.get(publisher.name, ())
        )

    def allowed_for(self, signer: Signer, component: KnownComponent) -> bool:
        return any(self.is_publisher(signer, p)
                   for p in self.policy.publishers_for(component.name))

    def ours(self, signer: Signer) -> Publisher | None:
        return next((p for p in self.policy.publishers.values()
                     if p.ours and self.is_publisher(signer, p)), None)


def entry_findings(index: int, entry: DecodedEntry, known: tuple[KnownComponent, ...],
                   matcher: SignerMatcher) -> list[Finding]:
    """unexpected-signer for a known digest, unknown-artifact for one of ours."""
    findings = []
    for signer in entry.signers:
        if known:
            for component in known:
                if not matcher.allowed_for(signer, component):
                    findings.append(Finding(
                        FindingKind.UNEXPECTED_SIGNER, index,
                        f"{entry.kind} entry for {component.name} ({entry.digest[:12]}) "
                        f"signed by {_who(signer)}, not a publisher the policy allows",
                        entry.digest, signer.describe(), component.name))
            continue
        publisher = matcher.ours(signer)
        if publisher is not None:
            findings.append(Finding(
                FindingKind.UNKNOWN_ARTIFACT, index,
                f"{entry.kind} entry signed by our publisher {publisher.name} for digest "
                f"{entry.digest}, which no inventory component is known by",
                entry.digest, signer.describe()))
    return findings


def _who(signer: Signer) -> str:
    if signer.certificate is not None and signer.issuer:
        return f"{signer.describe()} via {signer.issuer}"
    return signer.describe()


def _pem_key_fingerprint(pem: bytes) -> str | None:
    try:
        return keys.public_key_fingerprint(serialization.load_pem_public_key(pem))
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None


def _pem_certificates(pem: bytes) -> list[x509.Certificate]:
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError:
        return []


def _issued_by(leaf: x509.Certificate, ca: x509.Certificate) -> bool:
    if leaf == ca:
        return True
    try:
        leaf.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        return False
    return True
