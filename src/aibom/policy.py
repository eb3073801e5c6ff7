"""The verify-chain policy: who may sign what, and what the chain must prove.

Loaded from YAML (or JSON), checked against schemas/policy.schema.json at the boundary;
paths in it are relative to the policy file.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom._internal.files import SMALL_FILE_LIMIT, read_capped
from aibom._internal.yamlio import load_yaml
from aibom.errors import InputError
from aibom.oms.schema import check_against
from aibom.oms.trust import build_trust
from aibom.oms.verify import KeylessTrust, KeyTrust, Trust

MAX_POLICY_BYTES = 1 << 20


@dataclass(frozen=True)
class Publisher:
    name: str
    trust: Trust
    ours: bool = False  # signs for this organisation (aibom monitor: unknown-artifact)

    def describe(self) -> str:
        """The publisher's name and what it is trusted by, for reports."""
        t = self.trust
        if isinstance(t, KeylessTrust):
            return f"{self.name} ({t.identity} via {t.issuer})"
        return f"{self.name} ({'public key' if isinstance(t, KeyTrust) else 'certificate chain'})"


@dataclass(frozen=True)
class Rule:
    """Components whose name matches `match` (a glob) may be signed by these publishers."""

    match: str
    publishers: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    """Who may sign what, and what a chain must show (signatures, attested lineage, scans)."""

    publishers: dict[str, Publisher]
    rules: tuple[Rule, ...]
    signatures: str = "all"  # all | models | none
    lineage: str = "attested"  # attested | declared
    scan: str = "clean"  # all | clean | none
    legacy_predicate: str = "allow"  # allow | forbid

    def publishers_for(self, component_name: str) -> tuple[Publisher, ...]:
        """The first rule matching the name decides; no match allows nobody."""
        for rule in self.rules:
            if fnmatch.fnmatchcase(component_name, rule.match):
                return tuple(self.publishers[n] for n in rule.publishers)
        return ()


def load_policy(path: Path) -> Policy:
    """Read a policy (YAML or JSON), check it against its schema, and read the keys,
    certificates and trust configs it names (relative to the policy's directory)."""
    raw = read_capped(path, MAX_POLICY_BYTES, "policy")
    document = _parse(raw, path)
    check_against("policy.schema.json", document, f"policy {path}", "policy")
    base = path.resolve().parent
    publishers = {}
    for node in document["publishers"]:
        if node["name"] in publishers:
            raise InputError(f"policy {path}: publisher {node['name']!r} is defined twice")
        publishers[node["name"]] = Publisher(
            node["name"], _trust(node, base, path), ours=bool(node.get("ours", False))
        )
    rules = tuple(Rule(r["match"], tuple(r["publishers"])) for r in document["rules"])
    for rule in rules:
        for name in rule.publishers:
            if name not in publishers:
                raise InputError(
                    f"policy {path}: rule {rule.match!r} names unknown publisher {name!r}"
                )
    require = document.get("require") or {}
    return Policy(
        publishers,
        rules,
        signatures=require.get("signatures", "all"),
        lineage=require.get("lineage", "attested"),
        scan=require.get("scan", "clean"),
        legacy_predicate=require.get("legacy_predicate", "allow"),
    )


def _parse(raw: bytes, path: Path) -> Any:
    """Safe, bounded YAML (the model-card loader: no python tags, no alias bombs)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"policy {path} is not UTF-8") from None
    document, problems = load_yaml(text, f"policy {path}")
    if problems:
        raise InputError(problems[0])
    if not isinstance(document, dict):
        raise InputError(f"policy {path} is not a mapping")
    return document


def _trust(node: dict[str, Any], base: Path, path: Path) -> Trust:
    def read(file: Path, what: str) -> bytes:
        try:
            return read_capped(file, SMALL_FILE_LIMIT)
        except InputError as exc:
            raise InputError(f"policy {path}: {exc}") from None

    def named(key: str) -> Path | None:
        return base / node[key] if key in node else None

    trust = build_trust(  # the schema allows exactly one kind per publisher
        public_key=named("public_key"),
        certificate_chain=[base / p for p in node.get("certificate_chain", ())],
        identity=node.get("identity"),
        issuer=node.get("issuer"),
        trust_config=named("trust_config"),
        read=read,
    )
    if trust is None:
        raise InputError(f"policy {path}: publisher {node.get('name')!r} names no trust")
    return trust
