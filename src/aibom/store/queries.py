"""Incident-response queries over the inventory, traversed in the database.

A query names a cause (a dataset, a base model, a signer, a certificate, a public key, a
Rekor entry, a file, a license); the causes are the components matching it. The answer is
every component that derives from a cause through any chain of lineage or dataset edges,
the causes included, each with one shortest path back to a cause.

One statement, the same SQL on SQLite and PostgreSQL (bar how a typed NULL is spelled): a
recursive CTE walks from the causes to their children breadth first, each row carrying the
edge it came through (UNION drops repeated rows, so a component is expanded once per depth
and parent; a cause is never entered again, as no shortest path runs through another cause;
depth is capped at MAX_DEPTH, which also ends cycles); a window function then
keeps, per component, its smallest depth and, at that depth, the parent with the smallest
ref (then identity, then relation; bytewise on both backends). That parent is one step
closer to a cause, so following these next hops gives a shortest path. Python only follows
them to spell the paths out; nothing but the answer leaves the database.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, text

from aibom.errors import InputError
from aibom.graph import (
    Component,
    Edge,
    FileDigest,
    Kind,
    Level,
    ProvenanceGraph,
    Relation,
    SignatureEvidence,
)
from aibom.oms.model import Serialization, SignerFacts
from aibom.store import Store

MAX_DEPTH = 64  # generations followed from a cause
MAX_SUBGRAPH = 5000  # components `subgraph` will hand to a renderer

_HEX = re.compile(r"[0-9a-f]{64}")
_NAME_MATCH = """
    SELECT id FROM components WHERE {kinds} AND name_key = :name
    UNION SELECT id FROM components WHERE {kinds} AND purl = :value
    UNION SELECT id FROM components WHERE {kinds} AND ref = :value
    UNION SELECT id FROM components WHERE {kinds} AND root_digest = :digest
"""
# selector -> SQL yielding the cause keys
CAUSES = {
    "dataset": _NAME_MATCH.format(kinds="kind = 'dataset'"),
    "base": _NAME_MATCH.format(kinds="kind <> 'dataset'"),
    "component": _NAME_MATCH.format(kinds="1 = 1"),
    "signer": "SELECT component FROM signatures WHERE identity = :value",
    "certificate": """
        SELECT component FROM signatures WHERE certificate_fingerprint = :digest
        UNION SELECT component FROM certificates WHERE fingerprint = :digest""",
    "public_key": """
        SELECT component FROM signatures WHERE public_key_fingerprint = :digest
        UNION SELECT component FROM signatures WHERE public_key_hint = :digest""",
    "rekor_index": "SELECT component FROM log_entries WHERE log_index = :number",
    "file_digest": "SELECT component FROM files WHERE digest = :digest",
    "license": "SELECT component FROM licenses WHERE license_id = :name",
}
SELECTORS = tuple(k for k in CAUSES if k != "component")

_AFFECTED = """
WITH RECURSIVE
cause(id) AS ({causes}),
walk(id, depth, parent, relation) AS (
    SELECT id, 0, CAST(NULL AS BIGINT), {null_text} FROM cause
    UNION
    SELECT e.child, w.depth + 1, e.parent, e.relation
    FROM walk w JOIN edges e ON e.parent = w.id
    WHERE w.depth < :max_depth AND e.child NOT IN (SELECT id FROM cause)
),
ranked(id, depth, parent, relation, rn) AS (
    SELECT w.id, w.depth, w.parent, w.relation,
           ROW_NUMBER() OVER (PARTITION BY w.id ORDER BY w.depth, p.ref, p.key, w.relation)
    FROM walk w LEFT JOIN components p ON p.id = w.parent
)
SELECT r.id, r.depth, r.parent, r.relation, c.key, c.ref, c.kind, c.name, c.version,
       c.purl, c.root_digest, c.license,
       COUNT(*) OVER () AS total,
       SUM(CASE WHEN r.depth = 0 THEN 1 ELSE 0 END) OVER () AS causes
FROM ranked r JOIN components c ON c.id = r.id
WHERE r.rn = 1
ORDER BY r.depth, c.ref, c.key
LIMIT :row_limit
"""
NO_LIMIT = 1 << 62
# A page of rows [offset, offset + limit) needs the rows before it too: every next hop on a
# path sorts earlier (it is one level closer to a cause), so the first offset + limit rows
# in this order hold every path of the page. The database counts the whole answer.
# a NULL of the relation column's type and collation (PostgreSQL checks both in a CTE)
_NULL_TEXT = {"postgresql": 'CAST(NULL AS TEXT) COLLATE "C"'}
# PostgreSQL cannot estimate a recursive CTE (it guesses tens of thousands of rows) and then
# hash-joins whole tables at every step; index nested loops are right for a traversal (10x
# faster on small answers), and the inflated cost estimate must not trigger JIT compilation
# (~0.6 s). SET LOCAL: for this read transaction only.
_PG_TRAVERSAL = ("enable_hashjoin = off", "enable_mergejoin = off", "jit = off")


@dataclass(frozen=True)
class Selector:
    """What the incident is about: kind is one of SELECTORS, value as the user gave it."""

    kind: str
    value: str

    def params(self) -> dict[str, Any]:
        if self.kind not in CAUSES:
            raise InputError(f"unknown query {self.kind!r} (one of: {', '.join(SELECTORS)})")
        value = self.value.strip()
        if not value or len(value) > 8192 or "\x00" in value:
            raise InputError(f"--{self.kind.replace('_', '-')}: give a value")
        digest = normalize_digest(value)
        if self.kind in ("certificate", "public_key", "file_digest") and digest is None:
            raise InputError(
                f"--{self.kind.replace('_', '-')}: {value[:80]!r} is not a SHA-256 "
                "(64 hex digits)"
            )
        number = None
        if self.kind == "rekor_index":
            if not value.isdigit() or len(value) > 18:
                raise InputError(f"--rekor-index: {value[:80]!r} is not a log index")
            number = int(value)
        return {"value": value, "name": value.lower(), "digest": digest, "number": number}


def normalize_digest(value: str) -> str | None:
    """64 hex digits, optionally `sha256:`-prefixed or colon-separated, lower-cased."""
    v = value.lower()
    v = v.removeprefix("sha256:").replace(":", "")
    return v if _HEX.fullmatch(v) else None


class Hit(NamedTuple):
    """An affected component and one shortest path from it back to a cause."""

    key: str  # identity in the inventory
    ref: str
    kind: str
    name: str
    version: str | None
    purl: str | None
    root_digest: str | None
    license: str | None
    depth: int  # edges between it and its cause; 0: it is a cause
    path: tuple[str, ...]  # refs: this component, its parent, ..., the cause
    path_keys: tuple[str, ...]
    relations: tuple[str, ...]  # path[i] --relations[i]--> path[i + 1]

    @property
    def cause(self) -> str:
        return self.path[-1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "identity": self.key, "ref": self.ref, "kind": self.kind, "name": self.name,
            "version": self.version, "purl": self.purl, "root_digest": self.root_digest,
            "license": self.license, "depth": self.depth, "cause": self.cause,
            "path": list(self.path), "path_identities": list(self.path_keys),
            "relations": list(self.relations),
        }


@dataclass(frozen=True)
class QueryResult:
    """One page of the answer (all of it unless a limit was given) and the whole answer's
    counts. The order is stable: causes first, then by depth, ref, identity."""

    selector: Selector
    hits: tuple[Hit, ...]
    total: int = -1  # components in the whole answer; -1: len(hits)
    total_causes: int = -1
    offset: int = 0
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.total < 0:
            object.__setattr__(self, "total", len(self.hits))
        if self.total_causes < 0:
            object.__setattr__(self, "total_causes", len(self.causes))

    @property
    def causes(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.depth == 0)

    @property
    def complete(self) -> bool:
        """The page is the whole answer."""
        return self.offset == 0 and len(self.hits) == self.total

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": {"kind": self.selector.kind, "value": self.selector.value},
            "causes": self.total_causes,
            "count": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "returned": len(self.hits),
            "affected": [h.as_dict() for h in self.hits],
        }


def query(
    store: Store, selector: Selector, *, limit: int | None = None, offset: int = 0
) -> QueryResult:
    """The components affected by the selector's causes: the page of `limit` (all when None)
    starting at `offset`, in a stable order, with the whole answer's counts."""
    params = selector.params()
    if offset < 0 or (limit is not None and limit < 0):
        raise InputError("--limit and --offset must not be negative")
    row_limit = NO_LIMIT if limit is None else max(1, offset + limit)  # 1: for the counts
    with _no_gc(), store.reading() as conn:
        rows = _affected(conn, CAUSES[selector.kind], {**params, "row_limit": row_limit})
    total = int(rows[0][-2]) if rows else 0
    causes = int(rows[0][-1]) if rows else 0
    end = None if limit is None else offset + limit
    hits = _hits([row[:-2] for row in rows])[offset:end]
    return QueryResult(selector, hits, total, causes, offset, limit)


@contextmanager
def _no_gc() -> Iterator[None]:
    """An answer is thousands of small acyclic tuples: pausing the cycle collector while it
    is built spares full collections of the whole heap (50-100 ms each here) that the
    allocations would otherwise trigger mid-query. The collector runs again afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _affected(conn: Connection, causes: str, params: dict[str, Any]) -> list[Any]:
    if conn.dialect.name == "postgresql":  # see _PG_TRAVERSAL
        for setting in _PG_TRAVERSAL:
            conn.exec_driver_sql(f"SET LOCAL {setting}")
    null_text = _NULL_TEXT.get(conn.dialect.name, "NULL")
    sql = text(_AFFECTED.format(causes=causes, null_text=null_text))
    used = {k: v for k, v in {**params, "max_depth": MAX_DEPTH}.items() if f":{k}" in sql.text}
    return list(conn.execute(sql, used))


def _hits(rows: list[Any]) -> tuple[Hit, ...]:
    """Rows (id, depth, next hop, relation, key, ref, kind, name, version, purl, root digest,
    license), sorted by depth, ref, key -> hits. A next hop is one level closer to a cause,
    so by the time a row comes, its next hop's path is spelled out."""
    paths: dict[Any, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
    hits = []
    for i, depth, hop, relation, key, ref, *facts in rows:
        if hop is None:
            path, keys, relations = (ref,), (key,), ()
        else:
            up = paths[hop]
            path, keys, relations = (ref, *up[0]), (key, *up[1]), (relation, *up[2])
        paths[i] = path, keys, relations
        hits.append(Hit(key, ref, *facts, int(depth), path, keys, relations))
    return tuple(hits)


# --- a lineage subgraph, for rendering -----------------------------------------------------

_SUBGRAPH = """
WITH RECURSIVE
root(id) AS ({roots}),
down(id) AS (
    SELECT id FROM root UNION SELECT e.child FROM down d JOIN edges e ON e.parent = d.id
),
up(id) AS (
    SELECT id FROM root UNION SELECT e.parent FROM up u JOIN edges e ON e.child = u.id
),
near(id) AS (
    SELECT id FROM down UNION SELECT id FROM up
    UNION SELECT e.parent FROM down d JOIN edges e ON e.child = d.id
)
SELECT id FROM near
"""


def subgraph(store: Store, root: str | None = None) -> ProvenanceGraph:
    """The lineage around `root` (a ref, name, purl or root digest; every match is a root):
    its ancestors, its descendants and their direct parents. Without a root: everything,
    up to MAX_SUBGRAPH components."""
    with store.reading() as conn:
        if root is None:
            keys = None
            total = int(conn.execute(text("SELECT COUNT(*) FROM components")).scalar_one())
        else:
            params = Selector("component", root).params()
            sql = text(_SUBGRAPH.format(roots=CAUSES["component"]))
            keys = sorted(conn.execute(sql, {k: params[k] for k in ("value", "name", "digest")})
                          .scalars())
            if not keys:
                raise InputError(f"no component in the inventory matches {root[:200]!r}")
            total = len(keys)
        if total > MAX_SUBGRAPH:
            raise InputError(
                f"{total} components are too many to draw (at most {MAX_SUBGRAPH})",
                hint="choose a component with --root",
            )
        return _load_graph(conn, keys)


def subgraph_of(graph: ProvenanceGraph, root: str) -> ProvenanceGraph:
    """What `subgraph` draws from the inventory, drawn from one document's graph: the
    lineage around every component `root` names (ref, purl, name or OMS root digest)."""
    want, digest = root.lower(), normalize_digest(root)
    roots = {
        c.ref
        for c in graph.components()
        if root in (c.ref, c.purl)
        or c.name.lower() == want
        or (digest is not None and c.root_digest == digest)
    }
    if not roots:
        raise InputError(f"no component of the AIBOM matches {root[:200]!r}")
    return graph.lineage_around(roots)


def _select(conn: Connection, sql: str, keys: list[int] | None, *columns: str) -> list[Any]:
    """Rows of `sql` (which may end in a WHERE clause) whose `columns` are all in keys."""
    if keys is None:
        return list(conn.execute(text(sql)))
    glue = " AND " if " WHERE " in sql else " WHERE "
    stmt = text(sql + glue + " AND ".join(f"{c} IN :keys" for c in columns))
    return list(conn.execute(stmt.bindparams(bindparam("keys", expanding=True)),
                             {"keys": keys}))


def _load_graph(conn: Connection, keys: list[int] | None) -> ProvenanceGraph:
    comps = _select(conn, "SELECT id, key, ref, kind, name, version, purl, license, "
                    "root_digest, local FROM components", keys, "id")
    sigs: dict[int, SignatureEvidence] = {}
    for r in sorted(_select(conn, "SELECT * FROM signatures WHERE role = 'signature'", keys,
                            "component"), key=lambda r: (r.component, r.bundle_sha256)):
        sigs.setdefault(r.component, _signature(r))
    files: dict[int, list[FileDigest]] = {}
    for r in sorted(_select(conn, "SELECT component, name, algorithm, digest FROM files", keys,
                            "component")):
        files.setdefault(r.component, []).append(FileDigest(r.name, r.algorithm, r.digest))
    # refs are per AIBOM: two identities may share one; all but the first (by key) get #n
    taken: dict[str, int] = {}
    refs: dict[int, str] = {}
    for r in sorted(comps, key=lambda r: (r.ref, r.key)):
        n = taken[r.ref] = taken.get(r.ref, 0) + 1
        refs[r.id] = r.ref if n == 1 else f"{r.ref}#{n}"
    graph = ProvenanceGraph()
    for r in comps:
        graph.add_component(Component(
            ref=refs[r.id], kind=Kind(r.kind), name=r.name, version=r.version, purl=r.purl,
            license=r.license, root_digest=r.root_digest, files=tuple(files.get(r.id, ())),
            signature=sigs.get(r.id), local=bool(r.local),
        ))
    for e in _select(conn, "SELECT parent, child, relation, level FROM edges", keys,
                     "parent", "child"):
        graph.add_edge(Edge(Relation(e.relation), refs[e.child], refs[e.parent],
                            Level(e.level)))
    return graph


def _signature(r: Any) -> SignatureEvidence:
    method = r.method if r.method in ("key", "certificate", "sigstore") else "key"
    return SignatureEvidence(
        bundle_path="", bundle_sha256=r.bundle_sha256, predicate_type=r.predicate_type,
        root_digest=r.root_digest, serialization=Serialization(),
        statement_sha256=r.statement_sha256,
        signer=SignerFacts(
            method=method, public_key_hint=r.public_key_hint,
            public_key_fingerprint=r.public_key_fingerprint,
            certificate_fingerprint=r.certificate_fingerprint,
            identity=r.identity, issuer=r.issuer,
        ),
    )
