"""Ingest: idempotent, content-addressed, one node per identity, untrusted input refused in
one line; and the versioned schema."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from support.estates import component, hexd, random_estate

import aibom.build
from aibom.errors import InputError
from aibom.formats.cyclonedx import export_cyclonedx
from aibom.graph import Edge, FileDigest, Level, ProvenanceGraph, Relation
from aibom.store import Selector, Store, query, schema
from aibom.store import ingest as ingest_mod
from aibom.store.files import ingest_paths
from aibom.store.ingest import identity, ingest_graph, ingest_graphs
from aibom.store.migrations import MIGRATIONS, current_version, migrate

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "samples.cdx.json"


def family(n: int) -> list[ProvenanceGraph]:
    """n AIBOMs of fine-tunes, each carrying the same base and dataset."""
    base, data = component("model:acme/base"), component("dataset:acme/corpus")
    docs = []
    for i in range(n):
        g = ProvenanceGraph()
        for c in (base, data, component(f"model:team/ft-{i}", signer=i % 3)):
            g.add_component(c)
        g.add_edge(Edge(Relation.FINETUNED_FROM, f"model:team/ft-{i}", base.ref))
        g.add_edge(Edge(Relation.TRAINED_ON, base.ref, data.ref, Level.ATTESTED))
        docs.append(g)
    return docs


def test_one_node_per_identity_and_idempotent(store: Store) -> None:
    docs = family(40)
    first = ingest_graphs(store, ((g, f"doc-{i}") for i, g in enumerate(docs)))
    assert (first.ingested, first.skipped) == (40, 0)
    assert first.totals == {"documents": 40, "components": 42, "edges": 41}
    again = ingest_graphs(store, ((g, f"again-{i}") for i, g in enumerate(docs)))
    assert (again.ingested, again.skipped) == (0, 40)
    assert again.totals == first.totals
    hits = query(store, Selector("dataset", "acme/corpus")).hits
    assert len(hits) == 42 and hits[-1].path[1:] == ("model:acme/base", "dataset:acme/corpus")


def test_identity_prefers_digest_then_purl_then_name() -> None:
    c = component("model:Org/X", purl="pkg:huggingface/Org/X", version="2")
    assert identity(c) == "digest:" + hexd(("root", "model:Org/X"))
    c = dataclasses.replace(c, root_digest=None)
    assert identity(c) == "purl:pkg:huggingface/Org/X"
    assert identity(dataclasses.replace(c, purl=None)) == "name:model:org/x@2"
    assert identity(dataclasses.replace(c, purl=None, version=None)) == "name:model:org/x"


def test_later_aiboms_fill_in_and_attest(store: Store) -> None:
    def doc(license_id: str | None, level: Level, extra: str) -> ProvenanceGraph:
        g = ProvenanceGraph()
        g.add_component(dataclasses.replace(component("model:x/base", digest=False),
                                            license=license_id, local=False))
        g.add_component(component(f"model:x/{extra}", digest=False))
        g.add_edge(Edge(Relation.FINETUNED_FROM, f"model:x/{extra}", "model:x/base", level))
        g.add_edge(Edge(Relation.QUANTIZED_FROM, f"model:x/{extra}", "model:x/base"))
        return g

    ingest_graph(store, doc(None, Level.DECLARED, "a"), source="1")
    ingest_graph(store, doc("mit", Level.ATTESTED, "a"), source="2")
    ingest_graph(store, doc("gpl-3.0", Level.DECLARED, "b"), source="3")
    with store.reading() as conn:
        row = conn.execute(text("SELECT license, local FROM components WHERE ref = 'model:x/base'"))
        assert row.one() == ("mit", 0)  # filled once, never overwritten; never present
        levels = conn.execute(text("SELECT relation, level FROM edges ORDER BY relation, level"))
        assert sorted(levels) == [("finetuned_from", "attested"), ("finetuned_from", "declared"),
                                  ("quantized_from", "declared"), ("quantized_from", "declared")]
    # --license finds every license any AIBOM declared for a component
    for lic in ("GPL-3.0", "mit"):
        assert len(query(store, Selector("license", lic)).hits) == 3


def test_license_expressions() -> None:
    assert ingest_mod.license_ids("Apache-2.0 OR (MIT AND BSD-3-Clause)") == [
        "apache-2.0", "bsd-3-clause", "mit"]
    assert ingest_mod.license_ids("GPL-2.0+ WITH Classpath-exception-2.0") == [
        "classpath-exception-2.0", "gpl-2.0"]
    assert ingest_mod.license_ids("Llama 3 Community License") == ["llama 3 community license"]
    assert ingest_mod.license_ids("mit or apache-2.0") == ["apache-2.0", "mit"]
    assert ingest_mod.license_ids("MIT, CC-BY-4.0") == ["cc-by-4.0", "mit"]
    assert ingest_mod.license_ids("MIT AND (Apache-2.0") == ["mit and (apache-2.0"]
    assert ingest_mod.license_ids("  ") == []
    assert ingest_mod.license_ids(None) == []


def test_cyclonedx_and_spdx3_files(store: Store, tmp_path: Path) -> None:
    from aibom.formats.spdx3 import export_spdx3

    est = random_estate(5, models=12, datasets=3)
    doc = est.documents[0]
    (tmp_path / "a.cdx.json").write_text(export_cyclonedx(doc))
    (tmp_path / "a.spdx.json").write_text(export_spdx3(doc))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "golden.json").write_bytes(GOLDEN.read_bytes())
    (tmp_path / "notes.txt").write_text("not an AIBOM, not *.json: not read")
    report = ingest_paths(store, [tmp_path])
    assert (report.ingested, report.skipped, report.failed) == (3, 0, [])
    assert report.totals["components"] == len(doc) + 6  # SPDX 3 and CycloneDX: same nodes
    with store.reading() as conn:
        formats = sorted(conn.execute(text("SELECT format FROM documents")).scalars())
    assert formats == ["cyclonedx", "cyclonedx", "spdx3"]
    again = ingest_paths(store, [tmp_path / "a.cdx.json", tmp_path / "a.spdx.json"])
    assert (again.ingested, again.skipped) == (0, 2)


def test_parallel_parsing_gives_the_same_store(store_url: str, tmp_path: Path) -> None:
    est = random_estate(6, models=15, datasets=3)
    paths = []
    for i, doc in enumerate(est.documents[:4]):
        paths.append(tmp_path / f"{i}.json")
        paths[-1].write_text(export_cyclonedx(doc))
    paths.append(paths[0])  # twice in one run: stored once
    with Store.open(store_url) as store:
        report = ingest_paths(store, paths, jobs=2)
        assert (report.ingested, report.skipped) == (4, 1)
        sqlite = Store.open("sqlite:///" + str(tmp_path / "one.sqlite"))
        single = ingest_paths(sqlite, paths, jobs=1)
        assert single.totals == report.totals
        assert query(store, Selector("license", "mit")) == query(sqlite, Selector("license",
                                                                                   "mit"))
        sqlite.close()


def test_parallel_groups_keep_order_and_errors(store: Store, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents go to the workers in groups: results, failures and the stop at the first
    bad document come in the order of the files, whatever group each was in."""
    from aibom.store import files

    monkeypatch.setattr(files, "GROUP", 3)
    texts = list(dict.fromkeys(export_cyclonedx(d) for d in random_estate(
        8, models=30, datasets=3).documents))[:8]  # distinct documents
    assert len(texts) == 8
    paths = []
    for i, doc in enumerate(texts):
        paths.append(tmp_path / f"{i:02d}.json")
        paths[-1].write_text(doc)
    bad = [tmp_path / "04-bad.json", tmp_path / "06-bad.json"]
    bad[0].write_bytes(b'{"bomFormat": "CycloneDX", "components": 7}')
    bad[1].write_bytes(b"[]")
    order = sorted(paths + bad)
    with pytest.raises(InputError, match=r"04-bad\.json"):
        ingest_paths(store, order, jobs=2)
    assert store.counts()["documents"] == 4  # 00-03, written before the first bad one
    report = ingest_paths(store, order, jobs=2, keep_going=True)
    assert (report.ingested, report.skipped) == (4, 4)
    assert [source for source, _ in report.failed] == [str(p) for p in bad]
    with Store.open("sqlite:///" + str(tmp_path / "one.sqlite")) as single:
        alone = ingest_paths(single, order, jobs=1, keep_going=True)
        assert alone.failed == report.failed and alone.totals == report.totals


HOSTILE = {
    "not-json.json": b"\x00\xff garbage",
    "array.json": b"[1, 2, 3]",
    "plain.json": b'{"hello": "world"}',
    "deep.json": b'{"bomFormat": "CycloneDX", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "types.json": json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6",
                              "components": "nope"}).encode(),
    "spdx.json": json.dumps({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
                             "@graph": [{"type": "ai_AIPackage", "name": 7}]}).encode(),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents_are_one_line_errors(store: Store, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(HOSTILE[name])
    with pytest.raises(InputError) as caught:
        ingest_paths(store, [path])
    assert "\n" not in caught.value.one_line()
    assert store.counts()["documents"] == 0


@pytest.mark.parametrize("field,value", [
    ("name", "bad\x00name"), ("name", "x" * 9000), ("license", "\ud800"),
    ("files", (FileDigest("a", "sha256", "b\x00"),)),
])
def test_values_the_database_cannot_hold(store: Store, field: str, value: object) -> None:
    g = ProvenanceGraph()
    g.add_component(dataclasses.replace(component("model:ok/x"), **{field: value}))
    with pytest.raises(InputError, match=r"NUL|longer than|not valid Unicode"):
        ingest_graph(store, g, source="evil")
    assert store.counts()["components"] == 0


def test_log_index_out_of_range(store: Store) -> None:
    g = ProvenanceGraph()
    g.add_component(component("model:ok/x", log_index=1 << 63))
    with pytest.raises(InputError, match="out of range"):
        ingest_graph(store, g, source="evil")


def test_size_cap_and_keep_going(store: Store, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(GOLDEN.read_bytes())
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"{}")
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 200_000 + b"{}")
    monkeypatch.setattr(aibom.build, "MAX_DOCUMENT_BYTES", 100_000)  # the cap every reader shares
    with pytest.raises(InputError, match="larger than"):
        ingest_paths(store, [big])
    with pytest.raises(InputError, match=r"bad\.json"):  # the good one before it is kept
        ingest_paths(store, [good, bad, tmp_path / "missing.json"])
    assert store.counts()["documents"] == 1
    report = ingest_paths(store, [bad, good, big, tmp_path / "missing.json"], keep_going=True)
    assert (report.ingested, report.skipped) == (0, 1)
    assert [Path(s).name for s, _ in report.failed] == ["bad.json", "big.json", "missing.json"]


def test_schema_is_versioned(store_url: str) -> None:
    store = Store.open(store_url)
    with store.reading() as conn:
        assert current_version(conn) == schema.SCHEMA_VERSION == MIGRATIONS[-1][0]
        found = {t: {c["name"] for c in inspect(conn).get_columns(t)}
                 for t in inspect(conn).get_table_names()}
    assert found == {t.name: {c.name for c in t.columns} for t in schema.metadata.tables.values()}
    assert migrate(store.engine) == []  # nothing left to do; opening again changes nothing

    def add_column(conn: object) -> None:
        conn.exec_driver_sql("ALTER TABLE documents ADD COLUMN note TEXT")  # type: ignore

    later = len(MIGRATIONS) + 1
    assert migrate(store.engine, [*MIGRATIONS, (later, "a note", add_column)]) == [later]
    assert migrate(store.engine, [*MIGRATIONS, (later, "a note", add_column)]) == []
    with pytest.raises(InputError, match="newer than this aibom"):
        migrate(store.engine)  # a version in the database this aibom does not know
    with pytest.raises(ValueError):
        migrate(store.engine, [(2, "x", add_column), (1, "y", add_column)])
    store.close()


def test_version_1_inventory_gains_the_statement_digest(store_url: str) -> None:
    """A database made by version 1 (no statement digests) is brought to version 2 in place:
    its rows survive and new signatures keep their statement digest."""
    from sqlalchemy import create_engine

    engine = create_engine(store_url.replace("postgresql://", "postgresql+psycopg://", 1))
    assert migrate(engine, MIGRATIONS[:1]) == [1]
    with engine.begin() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("signatures")}
        assert "statement_sha256" not in columns
        conn.execute(text("INSERT INTO signatures (component, role, bundle_sha256, "
                          "predicate_type, method) VALUES (1, 'signature', 'ab', 'p', 'key')"))
    engine.dispose()
    store = Store.open(store_url)
    with store.reading() as conn:
        assert current_version(conn) == 2
        rows = list(conn.execute(text("SELECT bundle_sha256, statement_sha256 FROM signatures")))
        assert [tuple(r) for r in rows] == [("ab", None)]
        indexes = {i["name"] for i in inspect(conn).get_indexes("signatures")}
        assert "signatures_statement" in indexes
    store.close()
