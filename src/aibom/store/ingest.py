"""Graphs into the inventory: idempotent, content-addressed, in batches. (Files: `files`.)

A document is identified by the SHA-256 of its bytes (a graph handed over directly: of the
rows the store keeps of it); one already ingested is skipped. A component is identified by
its OMS root digest when known, else its purl, else kind + name (+ version): the same base
model named by 500 AIBOMs is one row. Facts a later AIBOM adds to a known component fill
empty fields only; nothing is overwritten; an edge declared once and attested later becomes
attested.

AIBOMs are untrusted: size caps, text fields checked (length, NUL, encodable), integers kept
in 64 bits; a bad document is one InputError line, never a crash or a half-written document.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from aibom.errors import InputError
from aibom.graph import Component, ProvenanceGraph, SignatureEvidence
from aibom.store import Store, schema

MAX_COMPONENTS = 100_000  # per AIBOM
MAX_TEXT = 8192  # characters in one stored field
MAX_INT = (1 << 63) - 1
BATCH = 256  # documents per transaction
_FILL = ("version", "purl", "license", "root_digest")  # filled in later when still empty


@dataclass(frozen=True)
class _Spec:
    """How a table's rows travel: tuples in `columns` order, the first `pk` of them the
    primary key; positions in `ids` hold component keys until written (then ids)."""

    table: Table
    columns: tuple[str, ...]
    pk: int
    ids: tuple[int, ...] = (0,)
    conflict: str = "ON CONFLICT DO NOTHING"


_COMPONENT_FILL = ", ".join(f"{c} = COALESCE(components.{c}, excluded.{c})" for c in _FILL)
SPECS = {s.table.name: s for s in (
    _Spec(schema.documents, ("digest", "source", "format", "ingested_at", "components",
                             "edges"), 1, ids=()),
    _Spec(schema.components, ("key", "ref", "kind", "name", "name_key", "version", "purl",
                              "license", "root_digest", "local"), 1, ids=(),
          conflict="ON CONFLICT (key) DO UPDATE SET " + _COMPONENT_FILL + ", local = CASE WHEN "
          "excluded.local > components.local THEN excluded.local ELSE components.local END "
          "WHERE excluded.local > components.local OR "
          + " OR ".join(f"(components.{c} IS NULL AND excluded.{c} IS NOT NULL)"
                        for c in _FILL)),
    _Spec(schema.edges, ("parent", "child", "relation", "level"), 3, ids=(0, 1),
          conflict="ON CONFLICT (parent, child, relation) DO UPDATE SET level = excluded.level "
          "WHERE excluded.level = 'attested' AND edges.level <> 'attested'"),
    _Spec(schema.files, ("component", "name", "algorithm", "digest"), 4),
    _Spec(schema.signatures, ("component", "role", "bundle_sha256", "predicate_type",
                              "root_digest", "method", "identity", "issuer",
                              "certificate_fingerprint", "public_key_fingerprint",
                              "public_key_hint", "statement_sha256"), 3),
    _Spec(schema.certificates, ("component", "role", "bundle_sha256", "position",
                                "fingerprint"), 4),
    _Spec(schema.log_entries, ("component", "role", "bundle_sha256", "log_id", "log_index",
                               "integrated_time", "entry_uuid"), 5),
    _Spec(schema.licenses, ("component", "license_id"), 2),
    _Spec(schema.document_components, ("document", "component", "ref"), 2, ids=(1,)),
)}


@dataclass
class Plan:
    """The rows one AIBOM contributes, ready to write (plain tuples: cross processes)."""

    digest: str
    rows: dict[str, list[tuple[Any, ...]]] = field(
        default_factory=lambda: {name: [] for name in SPECS})


@dataclass
class IngestReport:
    ingested: int = 0  # documents written now
    skipped: int = 0  # documents already in the inventory (or twice in the input)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, one-line reason)
    totals: dict[str, int] = field(default_factory=dict)  # rows per table afterwards


# --- identity and validation ---------------------------------------------------------------


def identity(c: Component) -> str:
    if c.root_digest:
        return f"digest:{c.root_digest.lower()}"
    if c.purl:
        return f"purl:{c.purl}"
    key = f"name:{c.kind.value}:{c.name.lower()}"
    return f"{key}@{c.version}" if c.version else key


def license_ids(expression: str | None) -> list[str]:
    """The license keys of an SPDX license expression, lower-cased, `+` (or later) dropped;
    a comma separates licenses (as dataset cards list them); free text that is not an
    expression (a licence name with spaces, broken parentheses) is one key, whole."""
    if not expression or not expression.strip():
        return []
    return list(_license_keys(expression.strip()))


@functools.lru_cache(maxsize=4096)  # an estate repeats a few licences many times
def _license_keys(expression: str) -> tuple[str, ...]:
    from license_expression import ExpressionError, Licensing

    licensing = Licensing()  # no symbol table: any key is kept as written
    keys: set[str] = set()
    for part in (p.strip() for p in expression.split(",")):
        try:
            parsed = licensing.parse(part)
        except ExpressionError:
            keys.add(part.lower())
            continue
        if parsed is not None:
            keys |= {k.lower().rstrip("+") for k in licensing.license_keys(parsed)}
    return tuple(sorted(k for k in keys if k))


def _check(row: tuple[Any, ...], what: str, source: str) -> tuple[Any, ...]:
    """Text that fits (length, no NUL, encodable) and 64-bit non-negative integers."""
    for value in row:
        if type(value) is str:
            if len(value) > MAX_TEXT:
                raise InputError(f"{source}: {what}: a value is longer than {MAX_TEXT} characters")
            if "\x00" in value:
                raise InputError(f"{source}: {what}: a value contains a NUL character")
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise InputError(f"{source}: {what}: a value is not valid Unicode") from None
        elif type(value) is int:
            if not 0 <= value <= MAX_INT:
                raise InputError(f"{source}: {what}: {value} is out of range")
        elif value is not None:
            raise InputError(f"{source}: {what}: {type(value).__name__} where text is expected")
    return row


def lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


# --- planning: graph -> rows ---------------------------------------------------------------


def plan_graph(graph: ProvenanceGraph, *, digest: str | None, source: str, fmt: str) -> Plan:
    """The rows of one graph. Without a digest, the document is keyed by the SHA-256 of
    the rows themselves (what the inventory keeps of it)."""
    comps = graph.components()
    if len(comps) > MAX_COMPONENTS:
        raise InputError(f"{source}: more than {MAX_COMPONENTS} components")
    plan = Plan("")
    rows = plan.rows
    keys = {}
    for c in comps:
        key = keys[c.ref] = identity(c)
        what = f"component {c.ref[:80]!r}"
        rows["components"].append(_check((
            key, c.ref, c.kind.value, c.name, c.name.lower(), c.version, c.purl, c.license,
            lower(c.root_digest), int(c.local)), what, source))
        rows["files"] += [_check((key, f.name, f.algorithm, lower(f.digest)), what, source)
                          for f in c.files]
        rows["licenses"] += [(key, i) for i in license_ids(c.license)]
        for role, sig in (("signature", c.signature), ("attestation", c.attestation)):
            if sig is not None:
                _plan_signature(rows, key, role, sig, source, f"{what} {role}")
    edges = 0
    for e in graph.edges():
        child, parent = keys[e.child], keys[e.parent]
        if child != parent:  # two refs of one identity: no self-loop
            edges += 1
            rows["edges"].append((parent, child, e.relation.value, e.level.value))
    if digest is None:
        digest = "graph:" + hashlib.sha256(repr(sorted(rows.items())).encode(
            "utf-8", "backslashreplace")).hexdigest()
    plan.digest = digest
    rows["document_components"] = [(digest, keys[c.ref], c.ref) for c in comps]
    shown = source.encode("utf-8", "backslashreplace").decode().replace("\x00", "?")
    rows["documents"] = [_check((
        digest, shown[-MAX_TEXT:], fmt, datetime.now(UTC).isoformat(timespec="seconds"),
        len(comps), edges), "document", source)]
    return plan


def _plan_signature(rows: dict[str, list[tuple[Any, ...]]], key: str, role: str,
                    sig: SignatureEvidence, source: str, what: str) -> None:
    s = sig.signer
    ids = (key, role, lower(sig.bundle_sha256))
    rows["signatures"].append(_check((
        *ids, sig.predicate_type, lower(sig.root_digest), s.method, s.identity, s.issuer,
        lower(s.certificate_fingerprint), lower(s.public_key_fingerprint),
        lower(s.public_key_hint), lower(sig.statement_sha256)), what, source))
    rows["certificates"] += [_check((*ids, i, lower(fp)), what, source)
                             for i, fp in enumerate(s.chain_fingerprints)]
    rows["log_entries"] += [
        _check((*ids, lower(e.log_id), e.log_index, e.integrated_time, e.entry_uuid), what,
               source)
        for e in sig.log_entries
    ]


# --- writing -------------------------------------------------------------------------------


def _merge(plans: Sequence[Plan]) -> dict[str, list[tuple[Any, ...]]]:
    """All rows of a batch, one per primary key (components: empty fields filled, present if
    any; edges: attested if any), sorted by key so concurrent writers lock in one order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    fill = [SPECS["components"].columns.index(c) for c in _FILL]
    local = SPECS["components"].columns.index("local")
    for name, spec in SPECS.items():
        rows: dict[tuple[Any, ...], Any] = {}
        for plan in plans:
            for row in plan.rows[name]:
                k = row[: spec.pk]
                have = rows.get(k)
                if have is None:
                    rows[k] = row
                elif name == "components":
                    merged = list(have)
                    for i in fill:
                        if merged[i] is None:
                            merged[i] = row[i]
                    merged[local] = max(merged[local], row[local])
                    rows[k] = tuple(merged)
                elif name == "edges" and row[3] == "attested":
                    rows[k] = row
        out[name] = [rows[k] for k in sorted(rows)]
    return out


def _component_ids(conn: Connection, keys: Iterable[str]) -> dict[str, int]:
    wanted, found = sorted(set(keys)), {}
    c = schema.components.c
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        found.update((k, i) for k, i in conn.execute(select(c.key, c.id).where(c.key.in_(chunk))))
    return found


def _write(conn: Connection, name: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    spec = SPECS[name]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {name} ({', '.join(spec.columns)}) "
           f"VALUES ({', '.join([mark] * len(spec.columns))}) {spec.conflict}")
    conn.exec_driver_sql(sql, rows)  # type: ignore[arg-type]


def known_digests(conn: Connection, digests: Iterable[str]) -> set[str]:
    wanted, found = sorted(set(digests)), set()
    col = schema.documents.c.digest
    for start in range(0, len(wanted), 500):
        found.update(conn.execute(select(col).where(col.in_(wanted[start:start + 500])))
                     .scalars())
    return found


def write_plans(store: Store, plans: Sequence[Plan]) -> tuple[int, int]:
    """Write a batch in one transaction; returns (written, skipped as already known)."""
    if not plans:
        return 0, 0
    with store.writing() as conn:
        known = known_digests(conn, (p.digest for p in plans))
        fresh: dict[str, Plan] = {}
        for p in plans:
            if p.digest not in known:
                fresh.setdefault(p.digest, p)
        merged = _merge(list(fresh.values()))
        _write(conn, "components", merged["components"])
        ids = _component_ids(conn, (row[0] for row in merged["components"]))
        for name, spec in SPECS.items():
            if name != "components":
                rows = merged[name]
                for i in spec.ids:
                    rows = [(*r[:i], ids[r[i]], *r[i + 1:]) for r in rows]
                _write(conn, name, sorted(rows))
    return len(fresh), len(plans) - len(fresh)


# --- the entry points ----------------------------------------------------------------------


def ingest_graph(store: Store, graph: ProvenanceGraph, *, source: str = "graph") -> bool:
    """One graph; True if it was new."""
    return ingest_graphs(store, [(graph, source)]).ingested == 1


def ingest_graphs(store: Store, graphs: Iterable[tuple[ProvenanceGraph, str]]) -> IngestReport:
    """Graphs from the library (no document text): batched, each keyed by its content."""
    report = IngestReport()
    batch: list[Plan] = []
    for graph, source in graphs:
        batch.append(plan_graph(graph, digest=None, source=source, fmt="graph"))
        if len(batch) >= BATCH:
            count(report, write_plans(store, batch))
            batch = []
    count(report, write_plans(store, batch))
    report.totals = store.counts()
    return report


def count(report: IngestReport, result: tuple[int, int]) -> None:
    report.ingested += result[0]
    report.skipped += result[1]
