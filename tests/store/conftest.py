"""Fixtures of the inventory tests: a fresh store on every backend, and random estates.

`store` (and `store_url`, for the CLI) runs each test on SQLite and on PostgreSQL. The
PostgreSQL cases need a server: `source .ci/postgres.sh` starts one and exports
AIBOM_TEST_POSTGRES_URL; without it they are skipped, saying so. Each PostgreSQL test works
in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

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
