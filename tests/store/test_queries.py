"""Incident-response queries: exactly the transitive set networkx finds on the same data,
each with a shortest path (the canonical one: smallest next-hop ref), on every backend."""

from __future__ import annotations

from collections import deque

import networkx as nx
import pytest

from aibom.errors import InputError
from aibom.graph import Component, Edge, Kind
from aibom.store import Selector, Store, query
from aibom.store.ingest import identity, ingest_graphs, license_ids
from aibom.store.queries import normalize_digest

from .conftest import Estate, hexd, random_estate


def reference(est: Estate) -> tuple[nx.MultiDiGraph, dict[str, Component]]:
    """What the documents hold, as networkx sees it (refs are unique in these estates)."""
    g = nx.MultiDiGraph()
    comps: dict[str, Component] = {}
    for doc in est.documents:
        for c in doc.components():
            comps[c.ref] = c
            g.add_node(c.ref)
        for e in doc.edges():
            g.add_edge(e.child, e.parent, key=e.relation.value)
    return g, comps


def causes_of(sel: Selector, comps: dict[str, Component]) -> set[str]:
    v, low, digest = sel.value, sel.value.lower(), normalize_digest(sel.value)

    def matches(c: Component) -> bool:
        sig = c.signature
        s = sig.signer if sig else None
        if sel.kind in ("dataset", "base"):
            if (c.kind == Kind.DATASET) != (sel.kind == "dataset"):
                return False
            return (low == c.name.lower() or v in (c.purl, c.ref)
                    or (digest is not None and c.root_digest == digest))
        if sel.kind == "signer":
            return s is not None and s.identity == v
        if sel.kind == "certificate":
            return s is not None and (s.certificate_fingerprint == digest
                                      or digest in s.chain_fingerprints)
        if sel.kind == "public_key":
            return s is not None and digest in (s.public_key_fingerprint, s.public_key_hint)
        if sel.kind == "rekor_index":
            return sig is not None and any(e.log_index == int(v) for e in sig.log_entries)
        if sel.kind == "file_digest":
            return any(f.digest == digest for f in c.files)
        if sel.kind == "license":
            return low in license_ids(c.license)
        raise AssertionError(sel.kind)

    return {ref for ref, c in comps.items() if matches(c)}


def distances(g: nx.MultiDiGraph, causes: set[str]) -> dict[str, int]:
    """Multi-source BFS from the causes to what derives from them (edges child -> parent)."""
    dist = dict.fromkeys(causes, 0)
    todo = deque(sorted(causes))
    while todo:
        node = todo.popleft()
        for child in g.predecessors(node):
            if child not in dist:
                dist[child] = dist[node] + 1
                todo.append(child)
    return dist


def check(store: Store, sel: Selector, g: nx.MultiDiGraph, comps: dict[str, Component]) -> int:
    causes = causes_of(sel, comps)
    expected = set(causes).union(*(nx.ancestors(g, c) for c in causes)) if causes else set()
    dist = distances(g, causes)
    result = query(store, sel)
    got = [h.ref for h in result.hits]
    assert len(got) == len(set(got))
    assert set(got) == expected, sel
    assert {h.ref for h in result.causes} == causes
    for h in result.hits:
        assert h.key == identity(comps[h.ref])
        assert h.depth == dist[h.ref] == len(h.path) - 1 == len(h.relations)
        assert h.path[0] == h.ref and h.path[-1] in causes and h.cause == h.path[-1]
        for child, parent, relation in zip(h.path[:-1], h.path[1:], h.relations, strict=True):
            assert g.has_edge(child, parent, key=relation)
        if h.depth:  # canonical: the smallest next hop one step closer, then its relation
            hops = sorted((p, identity(comps[p]), r) for _, p, r in g.out_edges(h.ref, keys=True)
                          if dist.get(p) == h.depth - 1)
            assert (h.path[1], h.relations[0]) == (hops[0][0], hops[0][2])
    order = [(h.depth, h.ref, h.key) for h in result.hits]
    assert order == sorted(order)
    return len(got)


def selectors(comps: dict[str, Component]) -> list[Selector]:
    out = []
    for c in sorted(comps.values(), key=lambda c: c.ref):
        kind = "dataset" if c.kind == Kind.DATASET else "base"
        out.append(Selector(kind, c.name.upper() if len(out) % 2 else c.name))
        if c.root_digest:
            out.append(Selector(kind, c.root_digest))
    out += [Selector("signer", f"signer-{i}@example.com") for i in range(5)]
    out += [Selector("certificate", hexd(("cert", i))) for i in range(2)]
    out += [Selector("certificate", hexd(("ca", 1)).upper())]  # any certificate of a chain
    out += [Selector("public_key", "sha256:" + hexd(("key", i))) for i in range(2)]
    out += [Selector("rekor_index", str(i)) for i in range(0, 40, 7)]
    out += [Selector("file_digest", hexd(("tok", i))) for i in range(4)]
    out += [Selector("license", lic) for lic in ("MIT", "apache-2.0", "llama3", "nope")]
    out += [Selector("dataset", "no-such-dataset"), Selector("base", "org/ds-1")]
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_queries_match_networkx(store: Store, seed: int) -> None:
    est = random_estate(seed, cycle=seed == 3)
    ingest_graphs(store, ((d, f"doc-{i}") for i, d in enumerate(est.documents)))
    g, comps = reference(est)
    assert store.counts()["components"] == len(comps)
    assert store.counts()["edges"] == g.number_of_edges()
    sizes = [check(store, sel, g, comps) for sel in selectors(comps)]
    assert max(sizes) > 10 and 0 in sizes  # the estate is not trivial, and misses are empty


def test_deep_chain_and_cycle(store: Store) -> None:
    """Depth beyond a handful of generations, and a cycle that must not loop."""
    from aibom.graph import Level, ProvenanceGraph, Relation

    from .conftest import component

    g = ProvenanceGraph()
    refs = [f"model:chain/m{i:02d}" for i in range(30)]
    for ref in refs:
        g.add_component(component(ref, signer=-1))
    for child, parent in zip(refs[1:], refs, strict=False):
        g.add_edge(Edge(Relation.FINETUNED_FROM, child, parent, Level.DECLARED))
    g.add_edge(Edge(Relation.MERGED_FROM, refs[0], refs[29], Level.DECLARED))  # a loop
    ingest_graphs(store, [(g, "chain")])
    hits = query(store, Selector("base", "chain/m10")).hits
    assert [h.ref for h in hits] == [refs[10 + i] if 10 + i < 30 else refs[i - 20]
                                     for i in range(30)]
    assert hits[-1].depth == 29 and len(hits[-1].path) == 30


@pytest.mark.parametrize("kind,value", [
    ("certificate", "abc"), ("public_key", "x" * 64), ("file_digest", ""),
    ("rekor_index", "-1"), ("rekor_index", "1e3"), ("nope", "x"), ("signer", "a\x00b"),
])
def test_malformed_selectors(store: Store, kind: str, value: str) -> None:
    with pytest.raises(InputError):
        query(store, Selector(kind, value))


@pytest.mark.parametrize("seed", [4])
def test_pages_add_up_to_the_whole_answer(store: Store, seed: int) -> None:
    """--limit/--offset: every page is the same slice of the whole (stable) answer, with the
    whole answer's counts, on every backend."""
    est = random_estate(seed)
    ingest_graphs(store, ((d, f"doc-{i}") for i, d in enumerate(est.documents)))
    _, comps = reference(est)
    for sel in selectors(comps):
        whole = query(store, sel)
        assert whole.complete and whole.total == len(whole.hits)
        for limit in (1, 3, 7):
            pages = []
            for offset in range(0, whole.total + limit, limit):
                page = query(store, sel, limit=limit, offset=offset)
                assert page.total == whole.total
                assert page.total_causes == len(whole.causes)
                assert len(page.hits) <= limit
                pages.extend(page.hits)
            assert pages == list(whole.hits)
        empty = query(store, sel, limit=0)
        assert empty.hits == () and empty.total == whole.total
        assert empty.as_dict()["count"] == whole.total and empty.as_dict()["returned"] == 0


def test_negative_page_bounds(store: Store) -> None:
    with pytest.raises(InputError):
        query(store, Selector("license", "mit"), limit=-1)
    with pytest.raises(InputError):
        query(store, Selector("license", "mit"), offset=-1)
