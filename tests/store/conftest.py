"""Fixtures of the inventory tests: a fresh store on every backend, and random estates.

`store` (and `store_url`, for the CLI) runs each test on SQLite and on PostgreSQL. The
PostgreSQL cases need a server: `source .ci/postgres.sh` starts one and exports
AIBOM_TEST_POSTGRES_URL; without it they are skipped, saying so. Each PostgreSQL test works
in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, text

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
from aibom.oms.model import PREDICATE_V1, LogEntry, Serialization, SignerFacts
from aibom.store import Store, database_url
from aibom.store.schema import DATA_TABLES

PG_ENV = "AIBOM_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[object]:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"{PG_ENV} is not set: no PostgreSQL server to test against "
                    "(`source .ci/postgres.sh` starts one)")
    try:
        import psycopg  # noqa: F401
    except ImportError:  # the URL is set: CI means to test PostgreSQL, so this is a failure
        pytest.fail(f"{PG_ENV} is set but psycopg is not installed (pip install "
                    "'aibom[postgres]' or 'psycopg[binary]>=3')")
    engine = create_engine(database_url(url))
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # a set but dead URL is a broken CI, not a skip
        pytest.fail(f"{PG_ENV} is set but the server does not answer: {e}")
    yield engine
    engine.dispose()


def _pg_schema_url(admin: object, scope: str) -> tuple[str, str]:
    schema = f"t_{scope}_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = database_url(os.environ[PG_ENV]).update_query_dict(
        {"options": f"-csearch_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


def _drop(admin: object, schema: str) -> None:
    with admin.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A URL of a new, empty database on the backend of this parameter."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/inventory.sqlite"  # type: ignore[operator]
        return
    admin = request.getfixturevalue("pg_admin")
    schema, url = _pg_schema_url(admin, "f")
    try:
        yield url
    finally:
        _drop(admin, schema)


@pytest.fixture(scope="session", params=BACKENDS)
def _session_store(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One migrated database per backend for the whole session (migrating a fresh
    PostgreSQL schema per test would cost more than the tests)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("store") / "inventory.sqlite"
        with Store.open(f"sqlite:///{path}") as opened:
            yield opened
        return
    admin = request.getfixturevalue("pg_admin")
    schema, url = _pg_schema_url(admin, "s")
    try:
        with Store.open(url) as opened:
            yield opened
    finally:
        _drop(admin, schema)


@pytest.fixture
def store(_session_store: Store) -> Store:
    """An empty, migrated store: the session's, with every data table emptied."""
    with _session_store.writing() as conn:
        for table in reversed(DATA_TABLES):
            conn.execute(table.delete())
    return _session_store


# --- components and random estates -------------------------------------------------------


def hexd(seed: object) -> str:
    import hashlib

    return hashlib.sha256(str(seed).encode()).hexdigest()


def component(ref: str, *, kind: Kind | None = None, digest: bool = True, signer: int = 0,
              license_id: str = "apache-2.0", files: tuple[FileDigest, ...] = (),
              local: bool = True, purl: str | None = None, version: str | None = None,
              log_index: int | None = None) -> Component:
    kind = kind or Kind(ref.split(":", 1)[0])
    name = ref.split(":", 1)[1]
    sig = SignatureEvidence(
        bundle_path="model.sig", bundle_sha256=hexd(("bundle", ref)),
        predicate_type=PREDICATE_V1, root_digest=hexd(("root", ref)) if digest else None,
        serialization=Serialization(),
        signer=SignerFacts(
            method="sigstore", identity=f"signer-{signer}@example.com",
            issuer="https://issuer.example", certificate_fingerprint=hexd(("cert", signer)),
            public_key_fingerprint=hexd(("key", signer)),
            chain_fingerprints=(hexd(("cert", signer)), hexd(("ca", signer % 2))),
        ),
        log_entries=(LogEntry(log_index, hexd("log"), 1_700_000_000, "dsse", "0.0.1", None,
                              True),) if log_index is not None else (),
    )
    return Component(
        ref=ref, kind=kind, name=name, version=version, purl=purl, license=license_id,
        root_digest=hexd(("root", ref)) if digest else None, files=files,
        signature=sig if signer >= 0 else None, local=local,
    )


@dataclass
class Estate:
    """A random DAG (sometimes with a cycle) of components, cut into AIBOMs."""

    components: dict[str, Component] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    documents: list[ProvenanceGraph] = field(default_factory=list)

    def parents(self, ref: str) -> list[Edge]:
        return [e for e in self.edges if e.child == ref]

    def document(self, refs: set[str]) -> ProvenanceGraph:
        """An AIBOM of `refs` and all their ancestors."""
        keep, todo = set(), list(refs)
        while todo:
            r = todo.pop()
            if r not in keep:
                keep.add(r)
                todo += [e.parent for e in self.parents(r)]
        g = ProvenanceGraph()
        for r in sorted(keep):
            g.add_component(self.components[r])
        for e in self.edges:
            if e.child in keep:
                g.add_edge(e)
        return g


LICENSES = ("apache-2.0", "mit", "llama3", "cc-by-4.0")


def random_estate(seed: int, *, models: int = 60, datasets: int = 12, cycle: bool = False
                  ) -> Estate:
    rnd = random.Random(seed)
    est = Estate()
    shared = [FileDigest("tokenizer.json", "sha256", hexd(("tok", i))) for i in range(4)]

    def add(ref: str, **kw: object) -> None:
        files = (FileDigest("config.json", "sha256", hexd(("cfg", ref))),
                 *rnd.sample(shared, rnd.randint(0, 2)))
        est.components[ref] = component(
            ref, signer=rnd.randrange(-1, 5), license_id=rnd.choice(LICENSES), files=files,
            log_index=rnd.randrange(40) if rnd.random() < 0.5 else None, **kw)  # type: ignore

    for d in range(datasets):
        add(f"dataset:org/ds-{d}")
    refs: list[str] = []
    for m in range(models):
        kind = Kind.ADAPTER if rnd.random() < 0.15 else Kind.MODEL
        ref = f"{kind.value}:org/m-{m}"
        add(ref, kind=kind, digest=rnd.random() < 0.8)
        if refs and rnd.random() < 0.85:
            for parent in rnd.sample(refs, 1 if rnd.random() < 0.8 else min(2, len(refs))):
                relation = rnd.choice([r for r in Relation if r.is_lineage])
                est.edges.append(Edge(relation, ref, parent, rnd.choice(list(Level))))
        for ds in rnd.sample(range(datasets), rnd.randint(0, 2)):
            relation = rnd.choice([Relation.TRAINED_ON, Relation.EVALUATED_ON])
            est.edges.append(Edge(relation, ref, f"dataset:org/ds-{ds}", Level.DECLARED))
        refs.append(ref)
    if cycle:  # an untrusted AIBOM may say anything: m-0 and m-1 derive from each other
        est.edges += [Edge(Relation.FINETUNED_FROM, refs[1], refs[0], Level.DECLARED),
                      Edge(Relation.MERGED_FROM, refs[0], refs[1], Level.DECLARED)]
    est.edges = sorted(set(est.edges), key=lambda e: (e.child, e.relation.value, e.parent))
    for _ in range(models // 3):
        est.documents.append(est.document(set(rnd.sample(refs, rnd.randint(1, 3)))))
    return est
