"""The inventory's tables, as SQLAlchemy Core objects: what `migrations` builds and what
`ingest` writes to. The same tables on SQLite and PostgreSQL.

A component is one row per identity (`key`, see `ingest.identity`): the same base model
named by 500 AIBOMs is one row; the other tables point at it by its integer id (short keys
make the recursive traversals several times faster than text keys). Text columns compare
bytewise on both backends (BINARY on SQLite, COLLATE "C" on PostgreSQL), so ordering and
tie-breaks in SQL agree. Tables with a composite key are clustered by it on SQLite
(WITHOUT ROWID). There are no foreign keys: rows are written parents first, in one
transaction, and never deleted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, Table, Text

SCHEMA_VERSION = 2

# bytewise text on both backends (SQLite's default collation is already BINARY)
TEXT = Text().with_variant(Text(collation="C"), "postgresql")
ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite: INTEGER PRIMARY KEY is the rowid
CLUSTERED: dict[str, Any] = {"sqlite_with_rowid": False}

metadata = MetaData()


def _text(name: str, *, key: bool = False, null: bool = True) -> Column[str]:
    return Column(name, TEXT, primary_key=key, nullable=null and not key)


migrations = Table(
    "aibom_migrations",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    _text("name", null=False),
    _text("applied_at", null=False),
)

documents = Table(  # one row per AIBOM ingested: content-addressed by the bytes' SHA-256
    "documents",
    metadata,
    _text("digest", key=True),
    _text("source", null=False),
    _text("format", null=False),
    _text("ingested_at", null=False),
    Column("components", Integer, nullable=False),
    Column("edges", Integer, nullable=False),
)

components = Table(
    "components",
    metadata,
    Column("id", ID, primary_key=True, autoincrement=True),
    _text("key", null=False),  # identity: digest:<hex> | purl:<purl> | name:<kind>:<name>[@v]
    _text("ref", null=False),  # the ref the first AIBOM gave it (display only)
    _text("kind", null=False),
    _text("name", null=False),
    _text("name_key", null=False),  # lower-cased name, for name look-ups
    _text("version"),
    _text("purl"),
    _text("license"),
    _text("root_digest"),
    Column("local", Integer, nullable=False),  # 1: some AIBOM had it present, not only named
    Index("components_key", "key", unique=True),
    Index("components_name_key", "name_key"),
    Index("components_purl", "purl"),
    Index("components_root_digest", "root_digest"),
    Index("components_ref", "ref"),
)

edges = Table(  # child derives from parent (the graph's direction)
    "edges",
    metadata,
    Column("parent", ID, primary_key=True, autoincrement=False),
    Column("child", ID, primary_key=True, autoincrement=False),
    _text("relation", key=True),
    _text("level", null=False),  # declared | attested (attested wins)
    Index("edges_child", "child", "parent", "relation"),
    **CLUSTERED,
)

files = Table(
    "files",
    metadata,
    Column("component", ID, primary_key=True, autoincrement=False),
    _text("name", key=True),
    _text("algorithm", key=True),
    _text("digest", key=True),
    Index("files_digest", "digest"),
    **CLUSTERED,
)

signatures = Table(  # role: signature (the component's OMS signature) | attestation (lineage)
    "signatures",
    metadata,
    Column("component", ID, primary_key=True, autoincrement=False),
    _text("role", key=True),
    _text("bundle_sha256", key=True),
    _text("predicate_type", null=False),
    _text("root_digest"),
    _text("method", null=False),
    _text("identity"),
    _text("issuer"),
    _text("certificate_fingerprint"),
    _text("public_key_fingerprint"),
    _text("public_key_hint"),
    _text("statement_sha256"),  # SHA-256 of the signed in-toto statement (since version 2)
    Index("signatures_identity", "identity"),
    Index("signatures_certificate", "certificate_fingerprint"),
    Index("signatures_public_key", "public_key_fingerprint"),
    Index("signatures_public_key_hint", "public_key_hint"),
    Index("signatures_statement", "statement_sha256"),
    **CLUSTERED,
)

certificates = Table(  # every certificate of a signature's chain, leaf first
    "certificates",
    metadata,
    Column("component", ID, primary_key=True, autoincrement=False),
    _text("role", key=True),
    _text("bundle_sha256", key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    _text("fingerprint", null=False),
    Index("certificates_fingerprint", "fingerprint"),
    **CLUSTERED,
)

log_entries = Table(  # Rekor entries of a signature
    "log_entries",
    metadata,
    Column("component", ID, primary_key=True, autoincrement=False),
    _text("role", key=True),
    _text("bundle_sha256", key=True),
    _text("log_id", key=True),
    Column("log_index", BigInteger, primary_key=True, autoincrement=False),
    Column("integrated_time", BigInteger, nullable=False),
    _text("entry_uuid"),
    Index("log_entries_index", "log_index"),
    **CLUSTERED,
)

licenses = Table(  # license ids of the component's license expression, lower-cased
    "licenses",
    metadata,
    Column("component", ID, primary_key=True, autoincrement=False),
    _text("license_id", key=True),
    Index("licenses_id", "license_id"),
    **CLUSTERED,
)

document_components = Table(  # which AIBOM holds which component, under which ref
    "document_components",
    metadata,
    _text("document", key=True),
    Column("component", ID, primary_key=True, autoincrement=False),
    _text("ref", null=False),
    Index("document_components_component", "component"),
    **CLUSTERED,
)

# the tables ingest writes, parents first, with their primary-key columns
DATA_TABLES = (
    documents,
    components,
    edges,
    files,
    signatures,
    certificates,
    log_entries,
    licenses,
    document_components,
)
