"""The inventory: the provenance graphs of many AIBOMs in one SQL database.

    store = Store.open()                       # SQLite in the user data dir, or $AIBOM_DB
    store = Store.open("postgresql://u@h/db")  # a shared PostgreSQL server (psycopg 3)
    ingest_graph(store, graph, source="x")     # aibom.store.ingest (files: .files)
    query(store, Selector("dataset", "x"))     # aibom.store.queries

The schema is versioned (`migrations`); opening a store brings it up to date. Database
problems (unreachable server, locked file, missing driver) are InputErrors, one line each.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, func, select
from sqlalchemy.engine import URL, make_url

from aibom.errors import InputError

ENV_URL = "AIBOM_DB"


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("aibom")) / "inventory.sqlite"


def database_url(text: str | None = None) -> URL:
    """`--db` / $AIBOM_DB / the default SQLite file, as a SQLAlchemy URL. Plain
    postgresql:// and postgres:// use psycopg 3; a path without a scheme is a SQLite file."""
    text = text or os.environ.get(ENV_URL) or None
    if text is None:
        path = default_path()
        return URL.create("sqlite", database=str(path))
    if "://" not in text:
        return URL.create("sqlite", database=os.path.expanduser(text))
    try:
        url = make_url(text)
    except exc.ArgumentError:
        raise InputError("the database URL is not valid") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            f"unsupported database {url.get_backend_name()!r} (use sqlite:///FILE or "
            "postgresql://...)"
        )
    return url


def display_url(url: URL) -> str:
    """The URL for messages: never a password; a SQLite file as its absolute path (SQLAlchemy's
    convention: sqlite:///x is x relative to the working directory, sqlite:////x is /x)."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return f"sqlite:///{os.path.abspath(os.path.expanduser(url.database))}"
    return url.render_as_string(hide_password=True)


def _require_sqlite_file(url: URL, shown: str) -> None:
    path = os.path.abspath(os.path.expanduser(str(url.database)))
    if not os.path.exists(path):
        raise InputError(
            f"no inventory at {path}: the file does not exist (nothing was created)",
            hint="check --db / AIBOM_DB, or `aibom ingest` an AIBOM first",
        )
    if not os.path.isfile(path):
        raise InputError(f"no inventory at {path}: not a regular file")


def _remove_sqlite_files(database: str) -> None:
    path = os.path.expanduser(database)
    for name in (path, f"{path}-wal", f"{path}-shm", f"{path}-journal"):
        with suppress(OSError):
            os.unlink(name)


def _sqlite_setup(engine: Engine) -> None:
    """Transactions under our control (pysqlite's implicit ones skip DDL), WAL, and a write
    lock taken at BEGIN for writers so concurrent writers wait instead of failing."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000",
                       "cache_size=-65536", "temp_store=MEMORY", "mmap_size=268435456"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("aibom_write")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class Store:
    """An open inventory database (an SQLAlchemy engine and where it points)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = display_url(engine.url)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @classmethod
    def open(
        cls, url: str | URL | None = None, *, migrate: bool = True, create: bool = True
    ) -> Store:
        """Open (and by default create and migrate) the inventory at `url`.

        With create=False (query, graph: an incident responder's typo must never read as
        "not affected") a missing SQLite file, or a database holding no aibom inventory, is
        an InputError and nothing is created."""
        target = url if isinstance(url, URL) else database_url(url)
        shown = display_url(target)
        sqlite_file = target.get_backend_name() == "sqlite" and target.database not in (
            None, "", ":memory:")
        new_file = sqlite_file and not os.path.exists(os.path.expanduser(str(target.database)))
        if sqlite_file and not create:
            _require_sqlite_file(target, shown)
        elif sqlite_file:
            try:
                Path(target.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise InputError(f"cannot create the inventory at {shown}: {e.strerror}") from None
        try:
            engine = create_engine(target)
        except ModuleNotFoundError as e:
            raise InputError(
                f"no database driver for {shown} ({e.name} is not installed)",
                hint="pip install 'aibom[postgres]'",
            ) from None
        if engine.dialect.name == "sqlite":
            _sqlite_setup(engine)
        store = cls(engine)
        if not create:
            store._require_inventory()
        if migrate:
            from aibom.store.migrations import migrate as run

            try:
                with store.errors():
                    run(engine)
            except BaseException:
                store.close()
                if new_file:  # created here and not made an inventory: leave nothing behind
                    _remove_sqlite_files(str(target.database))
                raise
        return store

    def _require_inventory(self) -> None:
        from sqlalchemy import inspect

        from aibom.store import schema

        with self.errors():
            present = inspect(self.engine).has_table(schema.migrations.name)
        if not present:
            self.close()
            raise InputError(
                f"{self.url} holds no aibom inventory (nothing was changed)",
                hint="check --db / AIBOM_DB, or `aibom ingest` an AIBOM first",
            )

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Database failures as one-line InputErrors naming the database (never a password)."""
        try:
            yield
        except exc.DBAPIError as e:
            first = (str(e.orig).strip().splitlines() or ["database error"])[0]
            raise InputError(f"inventory {self.url}: {first}") from None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.errors(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        with (
            self.errors(),
            self.engine.connect().execution_options(aibom_write=True) as conn,
            conn.begin(),
        ):
            yield conn

    def counts(self) -> dict[str, int]:
        from aibom.store import schema

        with self.reading() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in (schema.documents, schema.components, schema.edges)
            }

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


from aibom.store.files import ingest_paths  # noqa: E402
from aibom.store.ingest import IngestReport, ingest_graph, ingest_graphs  # noqa: E402
from aibom.store.queries import QueryResult, Selector, query, subgraph, subgraph_of  # noqa: E402

__all__ = [
    "IngestReport",
    "QueryResult",
    "Selector",
    "Store",
    "database_url",
    "ingest_graph",
    "ingest_graphs",
    "ingest_paths",
    "query",
    "subgraph",
    "subgraph_of",
]
