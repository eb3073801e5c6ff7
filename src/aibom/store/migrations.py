"""A versioned schema: an `aibom_migrations` table and ordered migration functions.

`migrate(engine)` applies, in one transaction, every migration newer than the database's
version and records each. On PostgreSQL a transaction-scoped advisory lock serialises
concurrent first runs; on SQLite the write transaction (BEGIN IMMEDIATE) does. A database
written by a newer aibom is refused, never downgraded.

Adding a migration: append `(N + 1, "what it does", function)`, raise
`schema.SCHEMA_VERSION`, and change `schema.py` to the new shape. Once a later migration
alters a table, freeze that table's old definition inside the older migration function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, Engine, Index, MetaData, Table, func, insert, select

from aibom.errors import InputError
from aibom.store import schema

Migration = tuple[int, str, Callable[[Connection], None]]
_LOCK_ID = 0x6A69626F6D  # "aibom" as a number: the advisory lock key on PostgreSQL


def _signatures_v1(metadata: MetaData) -> Table:
    """The signatures table as version 1 made it (frozen: version 2 adds a column)."""
    return Table(
        "signatures",
        metadata,
        *(Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable,
                 autoincrement=False)
          for c in schema.signatures.columns if c.name != "statement_sha256"),
        Index("signatures_identity", "identity"),
        Index("signatures_certificate", "certificate_fingerprint"),
        Index("signatures_public_key", "public_key_fingerprint"),
        Index("signatures_public_key_hint", "public_key_hint"),
        **schema.CLUSTERED,
    )


def _v1_initial(conn: Connection) -> None:
    schema.metadata.create_all(
        conn, tables=[t for t in schema.DATA_TABLES if t is not schema.signatures]
    )
    _signatures_v1(MetaData()).create(conn)


def _v2_statement_digest(conn: Connection) -> None:
    column = schema.signatures.c.statement_sha256
    kind = column.type.compile(dialect=conn.dialect)
    conn.exec_driver_sql(f"ALTER TABLE signatures ADD COLUMN statement_sha256 {kind}")
    Index("signatures_statement", column).create(conn)


MIGRATIONS: tuple[Migration, ...] = (
    (1, "initial tables", _v1_initial),
    (2, "signatures: SHA-256 of the signed statement", _v2_statement_digest),
)


def current_version(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, schema.migrations.name):
        return 0
    return int(conn.execute(select(func.coalesce(func.max(schema.migrations.c.version), 0)))
               .scalar_one())


def migrate(engine: Engine, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Bring the database to the newest version; returns the versions applied now."""
    versions = [m[0] for m in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] < 1):
        raise ValueError("migrations must have increasing versions from 1")
    latest = versions[-1] if versions else 0
    with engine.connect().execution_options(aibom_write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_ID})")
        schema.migrations.create(conn, checkfirst=True)
        found = current_version(conn)
        if found > latest:
            raise InputError(
                f"the inventory's schema version {found} is newer than this aibom's "
                f"({latest})",
                hint="upgrade aibom",
            )
        applied = []
        for version, name, apply in migrations:
            if version <= found:
                continue
            apply(conn)
            conn.execute(
                insert(schema.migrations).values(
                    version=version,
                    name=name,
                    applied_at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )
            applied.append(version)
        return applied
