"""What the inventory knows that the log can be checked against: the digests components are
known by, and the Rekor entries recorded for their signatures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from aibom.store import Store, schema


@dataclass(frozen=True)
class KnownComponent:
    ref: str
    name: str


@dataclass(frozen=True)
class RecordedEntry:
    """A Rekor entry an AIBOM recorded for a component's signature or attestation."""

    log_index: int
    entry_uuid: str | None  # the RFC 6962 leaf hash, hex (Rekor's UUID may prefix a tree ID)
    component: KnownComponent


@dataclass(frozen=True)
class Inventory:
    by_digest: dict[str, tuple[KnownComponent, ...]]  # OMS root or statement SHA-256
    entries: tuple[RecordedEntry, ...]  # for one log ID, sorted by log index


def load_inventory(store: Store, log_id: bytes) -> Inventory:
    """Digests of every component and the entries recorded for the log `log_id`."""
    c, s, e = schema.components, schema.signatures, schema.log_entries
    found: dict[str, set[KnownComponent]] = defaultdict(set)
    with store.reading() as conn:
        names = {r.id: KnownComponent(r.ref, r.name)
                 for r in conn.execute(select(c.c.id, c.c.ref, c.c.name))}
        for r in conn.execute(select(c.c.id, c.c.root_digest)
                              .where(c.c.root_digest.is_not(None))):
            found[r.root_digest.lower()].add(names[r.id])
        for row in conn.execute(select(s.c.component, s.c.root_digest, s.c.statement_sha256)):
            for digest in (row.root_digest, row.statement_sha256):
                if digest:
                    found[digest.lower()].add(names[row.component])
        rows = conn.execute(select(e.c.log_index, e.c.entry_uuid, e.c.component)
                            .where(e.c.log_id == log_id.hex()).distinct())
        entries = sorted(
            {RecordedEntry(int(r.log_index), r.entry_uuid, names[r.component]) for r in rows},
            key=lambda x: (x.log_index, x.component.ref, x.entry_uuid or ""),
        )
    by_digest = {d: tuple(sorted(v, key=lambda k: (k.name, k.ref))) for d, v in found.items()}
    return Inventory(by_digest, tuple(entries))
