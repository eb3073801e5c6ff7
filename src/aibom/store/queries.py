"""Incident-response queries over the inventory, traversed in the database.

A query names a cause (a dataset, a base model, a signer, a certificate, a public key, a
Rekor entry, a file, a license); the causes are the components matching it. The answer is
every component that derives from a cause through any chain of lineage or dataset edges,
the causes included, each with one shortest path back to a cause.

The walk is breadth first, one generation per round trip: one indexed statement (the same
on SQLite and PostgreSQL bar how a list of ids is passed) returns every edge from the
current generation with its child's facts; a child not seen before joins the next
generation, its next hop the parent with the smallest (ref, key, relation) (bytewise, as
the database sorts text). A next hop is one generation closer to a cause, so following
next hops gives a shortest path; a component is entered once (that also ends cycles) and
depth is capped at MAX_DEPTH. Each generation is sorted by (ref, key), so the answer comes
out in its stable order (by depth, ref, key) without a sort of the whole, and nothing but
the answer and the edges inside it leaves the database. (A recursive CTE did this before:
ranking every component's parents with a window function, counting and sorting the whole
answer cost several times the walk itself.)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, exc, text

from aibom._internal.gcpause import cyclic_gc_paused
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
from aibom.oms.model import Serialization, SignerFacts, SigningMethod
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

# the components a selector names, with the facts an answer shows (FACTS order)
_FACTS = "SELECT id, key, ref, kind, name, version, purl, root_digest, license FROM components"
_CAUSE_FACTS = _FACTS + " WHERE id IN ({causes})"
# one generation: every edge from the frontier, with the facts of the child (FACTS order)
_CHILDREN = ("SELECT e.parent, e.relation, c.id, c.key, c.ref, c.kind, c.name, c.version, "
             "c.purl, c.root_digest, c.license FROM edges e JOIN components c ON c.id = e.child "
             "WHERE e.parent {ids}")
_KEY, _REF = 1, 2  # positions in a facts row
# PostgreSQL estimates a frontier of a few ids as thousands and then hash-joins the whole
# components table at every generation; index nested loops are right for a traversal
# (10x faster), and the inflated cost estimate must not trigger JIT compilation (~0.6 s).
# SET LOCAL: for this read transaction only.
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


class QueryResult:
    """One page of the answer (all of it unless a limit was given) and the whole answer's
    counts. The order is stable: causes first, then by depth, ref, identity. `hits` are
    built on first use: a writer can spell the page out from the walk instead."""

    def __init__(self, selector: Selector, hits: tuple[Hit, ...] | None, total: int = -1,
                 total_causes: int = -1, offset: int = 0, limit: int | None = None) -> None:
        self.selector, self.offset, self.limit = selector, offset, limit
        self._hits = hits
        self._walk: tuple[list[_Node], dict[int, _Node]] | None = None
        self.total = total if total >= 0 else len(self.hits)
        self.total_causes = total_causes if total_causes >= 0 else len(self.causes)

    @classmethod
    def _of_walk(cls, selector: Selector, nodes: list[_Node], causes: int, offset: int,
                 limit: int | None) -> QueryResult:
        result = cls(selector, None, len(nodes), causes, offset, limit)
        page = nodes[offset:None if limit is None else offset + limit]
        result._walk = page, ({n[0][0]: n for n in nodes} if page else {})
        return result

    @property
    def hits(self) -> tuple[Hit, ...]:
        if self._hits is None:
            assert self._walk is not None
            with cyclic_gc_paused():
                self._hits = _hits(*self._walk)
        return self._hits

    @property
    def returned(self) -> int:
        """Components in this page."""
        return len(self._walk[0]) if self._hits is None and self._walk else len(self.hits)

    @property
    def causes(self) -> tuple[Hit, ...]:
        return tuple(h for h in self.hits if h.depth == 0)

    @property
    def complete(self) -> bool:
        """The page is the whole answer."""
        return self.offset == 0 and self.returned == self.total

    def counts(self) -> dict[str, Any]:
        """as_dict without the affected components."""
        return {
            "query": {"kind": self.selector.kind, "value": self.selector.value},
            "causes": self.total_causes,
            "count": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "returned": self.returned,
        }

    def as_dict(self) -> dict[str, Any]:
        return {**self.counts(), "affected": [h.as_dict() for h in self.hits]}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QueryResult):
            return NotImplemented
        return (self.selector, self.hits, self.total, self.total_causes, self.offset,
                self.limit) == (other.selector, other.hits, other.total, other.total_causes,
                                other.offset, other.limit)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"QueryResult({self.selector!r}, total={self.total}, "
                f"returned={self.returned}, offset={self.offset}, limit={self.limit})")


def query(
    store: Store, selector: Selector, *, limit: int | None = None, offset: int = 0
) -> QueryResult:
    """The components affected by the selector's causes: the page of `limit` (all when None)
    starting at `offset`, in a stable order, with the whole answer's counts."""
    params = selector.params()
    if offset < 0 or (limit is not None and limit < 0):
        raise InputError("--limit and --offset must not be negative")
    # an answer is thousands of small acyclic tuples: no full collections mid-query
    with cyclic_gc_paused(), store.reading() as conn:
        nodes, causes = _walk(conn, CAUSES[selector.kind], params)
    return QueryResult._of_walk(selector, nodes, causes, offset, limit)


# a node of the answer: (facts row, depth, next hop's id or None for a cause, relation to it)
_Node = tuple[Any, int, "int | None", "str | None"]


def _walk(conn: Connection, causes: str, params: dict[str, Any]) -> tuple[list[_Node], int]:
    """Breadth first from the causes, one generation per round trip: the answer in its
    order (by depth, then ref, then key) and the number of causes. A child's next hop is,
    among its parents in the previous generation, the one with the smallest (ref, key,
    relation): one step closer to a cause, so following next hops gives a shortest path.
    A component seen once is never entered again (that also ends cycles)."""
    cause_sql = text(_CAUSE_FACTS.format(causes=causes))
    level = sorted(conn.execute(cause_sql, {k: v for k, v in params.items()
                                            if f":{k}" in cause_sql.text}).all(),
                   key=_by_ref)
    seen = {row[0]: row for row in level}
    nodes: list[_Node] = [(row, 0, None, None) for row in level]
    causes_found = len(nodes)
    children = _Children(conn)
    depth = 0
    while level and depth < MAX_DEPTH:
        best: dict[int, tuple[str, str, str, int, Any]] = {}
        for row in children.of([facts[0] for facts in level]):
            parent, relation, child = row[0], row[1], row[2]
            if child in seen:
                continue
            up = seen[parent]
            have = best.get(child)
            if have is None or (up[_REF], up[_KEY], relation, parent) < have[:4]:
                best[child] = (up[_REF], up[_KEY], relation, parent, row)
        if not best:
            break
        depth += 1
        level = sorted((hop[4][2:] for hop in best.values()), key=_by_ref)
        for facts in level:
            seen[facts[0]] = facts
            hop = best[facts[0]]
            nodes.append((facts, depth, hop[3], hop[2]))
    return nodes, causes_found


class _Children:
    """A generation's look-up, on the driver's own cursor: thousands of rows come back as
    plain tuples, without the per-row wrapping of SQLAlchemy's results. The parents' ids
    travel as one parameter (a JSON array on SQLite, an array on PostgreSQL), so the
    statement text is the same whatever the frontier's size. Driver errors are raised as
    SQLAlchemy's, which the store reports like every database error."""

    def __init__(self, conn: Connection) -> None:
        sqlite = conn.dialect.name == "sqlite"
        if not sqlite:  # see _PG_TRAVERSAL
            for setting in _PG_TRAVERSAL:
                conn.exec_driver_sql(f"SET LOCAL {setting}")
        ids = "IN (SELECT value FROM json_each(?))" if sqlite else "= ANY(%s)"
        self._sql = _CHILDREN.format(ids=ids)
        self._pack: Any = json.dumps if sqlite else list
        self._conn = conn
        self._cursor = conn.connection.cursor()

    def of(self, parents: list[int]) -> list[Any]:
        """(parent, relation, child id, the child's facts...) of every edge from `parents`."""
        error = self._conn.dialect.loaded_dbapi.Error
        try:
            self._cursor.execute(self._sql, (self._pack(parents),))
            return list(self._cursor.fetchall())
        except error as e:
            raise exc.DBAPIError.instance(self._sql, None, e, error) from None


def _by_ref(row: Any) -> tuple[str, str]:
    return row[_REF], row[_KEY]


def _hits(page: list[_Node], by_id: dict[int, _Node]) -> tuple[Hit, ...]:
    """The page's nodes as hits, each path spelled out by following next hops."""
    paths: dict[int, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}

    def spell(i: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        got = paths.get(i)
        if got is None:
            facts, _, hop, relation = by_id[i]
            if hop is None:
                got = (facts[_REF],), (facts[_KEY],), ()
            else:  # at most MAX_DEPTH calls deep
                up = spell(hop)
                got = (facts[_REF], *up[0]), (facts[_KEY], *up[1]), (relation or "", *up[2])
            paths[i] = got
        return got

    make = tuple.__new__  # Hit._make, without its per-call overhead
    return tuple(make(Hit, (*n[0][1:], n[1], *spell(n[0][0]))) for n in page)


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
    method: SigningMethod = r.method if r.method in ("key", "certificate", "sigstore") else "key"
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
