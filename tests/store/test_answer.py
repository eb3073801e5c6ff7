"""Answers written out (aibom.store.answer) and answers of wide generations, on every backend:
the streamed JSON is QueryResult.as_dict, valid and with sorted keys; text and CSV hold one
line per component in the answer's order; a generation of thousands of components travels
in one parameter; a database failure mid-walk is one InputError."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest
from support.estates import component, random_estate

from aibom.errors import InputError
from aibom.graph import Edge, Level, ProvenanceGraph, Relation
from aibom.store import QueryResult, Selector, Store, query
from aibom.store.answer import CSV_HEADER, write_answer
from aibom.store.ingest import ingest_graphs


def written(result: QueryResult, fmt: str) -> str:
    out = io.StringIO()
    write_answer(result, fmt, out, "--license mit")
    return out.getvalue()


def sorted_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [k for k, _ in pairs]
    assert keys == sorted(keys)
    return dict(pairs)


@pytest.fixture
def estate_store(store: Store) -> Store:
    est = random_estate(5)
    ingest_graphs(store, ((d, f"doc-{i}") for i, d in enumerate(est.documents)))
    return store


@pytest.mark.parametrize("limit,offset", [(None, 0), (5, 0), (5, 5), (0, 0), (3, 10_000)])
def test_json_is_as_dict_with_sorted_keys(estate_store: Store, limit: int | None,
                                          offset: int) -> None:
    for sel in (Selector("license", "mit"), Selector("license", "apache-2.0"),
                Selector("signer", "signer-1@example.com"), Selector("license", "nope")):
        result = query(estate_store, sel, limit=limit, offset=offset)
        text = written(result, "json")
        assert json.loads(text, object_pairs_hook=sorted_keys) == result.as_dict()
        lines = text.splitlines()
        hit_lines = [line for line in lines if line.startswith("    {")]
        assert len(hit_lines) == len(result.hits)  # one component per line
        assert [line.strip().rstrip(",") for line in hit_lines] == [
            json.dumps(h.as_dict(), sort_keys=True) for h in result.hits]
        if not result.hits:  # nothing streamed: exactly what the indenting encoder writes
            assert text == json.dumps(result.as_dict(), indent=2, sort_keys=True) + "\n"


def test_json_of_awkward_text(store: Store) -> None:
    """Quotes, backslashes, control and non-ASCII characters: the same bytes json.dumps
    writes for each component, paths included."""
    g = ProvenanceGraph()
    odd = ['model:q"uote', "model:back\\slash", "model:t\tab\u2028", "model:ünï/模型"]
    for ref in odd:
        g.add_component(component(ref, license_id="mit" if ref == odd[0] else "x"))
    for child, parent in zip(odd[1:], odd, strict=False):
        g.add_edge(Edge(Relation.FINETUNED_FROM, child, parent, Level.DECLARED))
    ingest_graphs(store, [(g, "odd")])
    result = query(store, Selector("license", "mit"))
    assert [h.ref for h in result.hits] == odd
    text = written(result, "json")
    assert json.loads(text) == result.as_dict()
    assert [line.strip().rstrip(",") for line in text.splitlines() if line.startswith("    {")
            ] == [json.dumps(h.as_dict(), sort_keys=True) for h in result.hits]


def test_text_and_csv_follow_the_answer(estate_store: Store) -> None:
    whole = query(estate_store, Selector("license", "mit"))
    assert whole.total > 10
    lines = written(whole, "text").splitlines()
    assert lines[0] == (f"{whole.total} components affected ({whole.total_causes} matching "
                        "--license mit)")
    assert [line.split("  ")[0] for line in lines[1:]] == [h.ref for h in whole.hits]
    deep = next(h for h in whole.hits if h.depth >= 2)
    assert f"  depth {deep.depth}: {deep.path[0]} -{deep.relations[0]}-> {deep.path[1]}" in (
        lines[1 + whole.hits.index(deep)])
    rows = list(csv.reader(io.StringIO(written(whole, "csv"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert [(r[0], r[1], int(r[5]), r[7].split(" > ")) for r in rows[1:]] == [
        (h.ref, h.key, h.depth, list(h.path)) for h in whole.hits]
    page = query(estate_store, Selector("license", "mit"), limit=2, offset=3)
    lines = written(page, "text").splitlines()
    assert lines[1] == f"showing 4-5 of {whole.total}" and len(lines) == 4
    none = query(estate_store, Selector("license", "nope"))
    assert written(none, "text") == "no component matches --license mit\n"
    assert written(none, "csv") == ",".join(CSV_HEADER) + "\n"
    with pytest.raises(ValueError):
        written(none, "yaml")


def test_wide_generations(store: Store) -> None:
    """1,500 fine-tunes of one base, each with an adapter: generations of 1,500 ids, in the
    answer's order (depth, then ref), every next hop the smallest parent."""
    g = ProvenanceGraph()
    g.add_component(component("model:wide/base", license_id="mit"))
    g.add_component(component("model:wide/other-base", license_id="mit"))
    for i in range(1500):
        tune, adapter = f"model:wide/tune-{i:04d}", f"adapter:wide/lora-{i:04d}"
        g.add_component(component(tune, license_id="mit" if i == 7 else "apache-2.0"))
        g.add_component(component(adapter, license_id="apache-2.0"))
        g.add_edge(Edge(Relation.FINETUNED_FROM, tune, "model:wide/base", Level.DECLARED))
        if i % 2:
            g.add_edge(Edge(Relation.MERGED_FROM, tune, "model:wide/other-base",
                            Level.DECLARED))
        g.add_edge(Edge(Relation.ADAPTER_OF, adapter, tune, Level.DECLARED))
    ingest_graphs(store, [(g, "wide")])
    result = query(store, Selector("license", "mit"))
    assert (result.total, result.total_causes) == (3002, 3)
    assert [h.ref for h in result.causes] == ["model:wide/base", "model:wide/other-base",
                                              "model:wide/tune-0007"]
    depths = [h.depth for h in result.hits]
    assert depths == [0] * 3 + [1] * 1500 + [2] * 1499
    assert [h.ref for h in result.hits[3:1503]] == sorted(
        [f"model:wide/tune-{i:04d}" for i in range(1500) if i != 7]
        + ["adapter:wide/lora-0007"])
    by_ref = {h.ref: h for h in result.hits}
    assert by_ref["model:wide/tune-0003"].path == ("model:wide/tune-0003", "model:wide/base")
    assert by_ref["adapter:wide/lora-0003"].relations == ("adapter_of", "finetuned_from")
    assert by_ref["adapter:wide/lora-0007"].path == ("adapter:wide/lora-0007",
                                                     "model:wide/tune-0007")
    page = query(store, Selector("license", "mit"), limit=10, offset=2995)
    assert page.hits == result.hits[2995:] and page.total == 3002


def test_a_database_failure_mid_walk_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "inventory.sqlite"
    with Store.open(f"sqlite:///{path}") as store:
        ingest_graphs(store, ((d, f"doc-{i}") for i, d in enumerate(random_estate(6).documents)))
        assert query(store, Selector("license", "mit")).total > 1
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE edges")
    with Store.open(f"sqlite:///{path}", migrate=False) as store, \
            pytest.raises(InputError) as e:
        query(store, Selector("license", "mit"))
    assert "no such table: edges" in e.value.one_line()
    assert "\n" not in e.value.one_line()
