"""The graph as plain JSON-ready data (for `aibom import --format json` and for diffs)."""

from __future__ import annotations

from dataclasses import asdict
from enum import Enum
from typing import Any

from aibom.graph import ProvenanceGraph


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def graph_to_dict(graph: ProvenanceGraph) -> dict[str, Any]:
    return {
        "components": [
            {**_plain(asdict(c)), "role": graph.role(c.ref).value} for c in graph.components()
        ],
        "edges": [_plain(asdict(e)) for e in graph.edges()],
    }


def graph_summary(graph: ProvenanceGraph) -> list[str]:
    """One line per component and per edge, for people."""
    lines = []
    for c in graph.components():
        signer = "unsigned"
        if c.signature is not None:
            s = c.signature.signer
            who = (
                s.identity
                or s.certificate_fingerprint
                or s.public_key_hint
                or s.public_key_fingerprint
            )
            signer = f"signed ({s.method}{': ' + who if who else ''})"
        where = "" if c.local else " [external, declared only]"
        lines.append(f"{c.ref}  {graph.role(c.ref).value}  {signer}{where}")
    for e in graph.edges():
        lines.append(f"  {e.child} --{e.relation.value} ({e.level.value})--> {e.parent}")
    return lines
