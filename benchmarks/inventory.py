"""Inventory benchmark: ingest throughput and incident-response query latency.

    python benchmarks/inventory.py [--postgres URL] [--models 10000] [--text-sample 1000]

A synthetic estate (seeded, so every run is the same): 100 bases, 1,000 datasets and 10,000
derived models in five lineage levels of 2,000 (fine-tunes, adapters, quantized, merged,
distilled; 1 in 20 merges has two parents; levels 1-2 trained on a dataset, 1 in 10 models
evaluated on one), each component signed by one of 40 signers (60 % keyless with a
certificate and a Rekor entry, 40 % by key), 6 model and 6 dataset licenses (`mit` in both;
a derived model keeps its parent's license 85 % of the time), a tokenizer file shared by
each base family. One AIBOM per model and per
base, holding the model, all its ancestors and the datasets they used (what `aibom build
--with` writes), so every ancestor appears in many AIBOMs and must be stored once.

Measured, per backend (SQLite in a temp file; PostgreSQL when --postgres or
$AIBOM_TEST_POSTGRES_URL names a server: it works in a scratch schema it drops afterwards):

1. graph ingest: all 10,100 graphs through the library (`ingest_graphs`, no document text);
2. text ingest: --text-sample random AIBOMs exported to CycloneDX 1.7 files beforehand
   (`export_cyclonedx`; not timed, it costs ~80 ms a document), then `ingest_paths`, what
   `aibom ingest DIR` runs: read, hash, parse (in worker processes), write; in a fresh
   store, once with one process per CPU and once with one process. Importing the CycloneDX
   reader (cyclonedx-python-lib, schemas: seconds, once per process) is timed apart;
3. queries on the full graph-ingested store: --queries random causes per query type, each
   run 3 times in a row; latency of `aibom.store.query` (SQL traversal plus spelling out
   every path; no output formatting) for the first --page components of each answer (what
   `aibom query --limit 100` shows; 0: whole answers) with the whole answer's count:
   p50 / p95 / max of the first runs, p95 of each cause's best of 3, the mean number of
   affected components (whole answers) and the cost per component. With --render FORMAT
   each answer is also written out as `aibom query --format FORMAT` writes it (to the null
   device), inside the timing: `--page 0 --render json` is `aibom query --format json`
   without --limit, bar interpreter start-up.

Targets on a 2-core machine: text ingest >= 500 CycloneDX files/s on SQLite, every query's
p95 < 100 ms on SQLite and PostgreSQL.
The exit code is 0 whatever the numbers are (a measurement, not a test).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TextIO

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
from aibom.store import Selector, Store, database_url, ingest_graphs, ingest_paths, query
from aibom.store.answer import FORMATS, write_answer

LICENSES = ("apache-2.0", "mit", "llama3", "gemma", "openrail", "bsd-3-clause")  # models
DATA_LICENSES = ("cc-by-4.0", "cc-by-sa-4.0", "cc-by-nc-4.0", "odc-by", "cc0-1.0", "mit")
LEVELS = (  # (relation, kind) of the five levels of derived models
    (Relation.FINETUNED_FROM, Kind.MODEL),
    (Relation.ADAPTER_OF, Kind.ADAPTER),
    (Relation.QUANTIZED_FROM, Kind.MODEL),
    (Relation.MERGED_FROM, Kind.MODEL),
    (Relation.DISTILLED_FROM, Kind.MODEL),
)
QUERY_KINDS = ("dataset", "base", "signer", "certificate", "public_key", "rekor_index",
               "file_digest", "license")


def busy_cores(seconds: float = 1.0) -> float:
    """How many cores other processes keep busy, from /proc/stat (0.0 where unknown)."""
    def ticks() -> tuple[int, int]:
        with open("/proc/stat") as f:
            values = [int(t) for t in f.readline().split()[1:]]
        return values[3] + values[4], sum(values)  # idle + iowait, all

    try:
        idle0, total0 = ticks()
        time.sleep(seconds)
        idle1, total1 = ticks()
    except (OSError, ValueError, IndexError):
        return 0.0
    return (os.cpu_count() or 1) * (1 - (idle1 - idle0) / max(1, total1 - total0))


def hexd(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


class Estate:
    """The synthetic components, their parents and datasets; graphs built on demand."""

    def __init__(self, bases: int, datasets: int, models: int, seed: int = 7) -> None:
        rnd = random.Random(seed)
        self.signers = [(f"release-{i}@org{i % 13}.example", hexd("cert", i), hexd("key", i))
                        for i in range(40)]
        self.components: dict[str, Component] = {}
        self.parents: dict[str, list[tuple[Relation, str]]] = {}
        self.family: dict[str, int] = {}
        self.log_index = 0
        self.datasets = [self._add(f"dataset:ds-{d}", Kind.DATASET, f"data-org{d % 50}/ds-{d}",
                                   rnd, -1, rnd.choice(DATA_LICENSES)) for d in range(datasets)]
        self.bases = []
        for b in range(bases):
            ref = self._add(f"model:base-{b}", Kind.MODEL, f"org{b % 20}/base-{b}", rnd, b,
                            rnd.choice(LICENSES))
            self.parents[ref] = [(Relation.TRAINED_ON, d) for d in rnd.sample(self.datasets, 3)]
            self.bases.append(ref)
        self.models: list[str] = []
        previous, per_level = self.bases, models // len(LEVELS)
        for level, (relation, kind) in enumerate(LEVELS, start=1):
            count = per_level if level < len(LEVELS) else models - len(self.models)
            current = []
            for m in range(count):
                parent = rnd.choice(previous)
                inherited = self.components[parent].license or ""
                ref = self._add(f"{kind.value}:l{level}-{m}", kind, f"team{m % 97}/l{level}-m{m}",
                                rnd, self.family[parent],
                                inherited if rnd.random() < 0.85 else rnd.choice(LICENSES))
                edges = [(relation, parent)]
                if relation == Relation.MERGED_FROM and m % 20 == 0:
                    edges.append((relation, rnd.choice(previous)))
                if level <= 2:
                    edges += [(Relation.TRAINED_ON, rnd.choice(self.datasets))]
                if m % 10 == 0:
                    edges.append((Relation.EVALUATED_ON, rnd.choice(self.datasets)))
                self.parents[ref] = sorted(set(edges))
                current.append(ref)
            self.models += current
            previous = current

    def _add(self, ref: str, kind: Kind, name: str, rnd: random.Random, family: int,
             license_id: str) -> str:
        identity, cert, key = rnd.choice(self.signers)
        keyless = rnd.random() < 0.6
        self.log_index += 1
        signer = SignerFacts(
            method="sigstore" if keyless else "key",
            public_key_fingerprint=key if keyless else None,
            public_key_hint=None if keyless else key,
            certificate_fingerprint=cert if keyless else None,
            identity=identity if keyless else None,
            issuer="https://accounts.example" if keyless else None,
            chain_fingerprints=(cert, hexd("ca", 0)) if keyless else (),
        )
        root = hexd("root", ref)
        files = [FileDigest("config.json", "sha256", hexd("cfg", ref)),
                 FileDigest("model.safetensors", "sha256", hexd("weights", ref))]
        if family >= 0:
            files.append(FileDigest("tokenizer.json", "sha256", hexd("tokenizer", family)))
        self.components[ref] = Component(
            ref=ref, kind=kind, name=name, version="1.0", license=license_id,
            purl=f"pkg:huggingface/{name}", root_digest=root, files=tuple(files),
            signature=SignatureEvidence(
                bundle_path="model.sig", bundle_sha256=hexd("bundle", ref),
                predicate_type=PREDICATE_V1, root_digest=root, serialization=Serialization(),
                signer=signer,
                log_entries=(LogEntry(self.log_index, hexd("log"), 1_700_000_000 +
                                      self.log_index, "dsse", "0.0.1", hexd("uuid", ref),
                                      True),) if keyless else (),
            ),
        )
        self.family[ref] = family
        self.parents[ref] = []
        return ref

    def graph(self, ref: str) -> ProvenanceGraph:
        """The AIBOM of `ref`: it, all its ancestors, the datasets they used."""
        keep, todo = set(), [ref]
        while todo:
            r = todo.pop()
            if r not in keep:
                keep.add(r)
                todo += [p for _, p in self.parents[r]]
        g = ProvenanceGraph()
        for r in sorted(keep):
            g.add_component(self.components[r])
        for r in sorted(keep):
            for relation, p in self.parents[r]:
                g.add_edge(Edge(relation, r, p, Level.ATTESTED))
        return g

    def aiboms(self) -> list[str]:
        return self.bases + self.models

    def query_values(self, kind: str, rnd: random.Random, n: int) -> list[str]:
        comps = list(self.components.values())
        pick: Callable[[], str]
        if kind == "dataset":
            def pick() -> str:
                c = self.components[rnd.choice(self.datasets)]
                return c.name if rnd.random() < 0.5 else c.root_digest or ""
        elif kind == "base":
            def pick() -> str:
                c = self.components[rnd.choice(self.bases)]
                return c.name if rnd.random() < 0.5 else c.root_digest or ""
        elif kind == "signer":
            def pick() -> str:
                return rnd.choice(self.signers)[0]
        elif kind == "certificate":
            def pick() -> str:
                return rnd.choice(self.signers)[1]
        elif kind == "public_key":
            def pick() -> str:
                return rnd.choice(self.signers)[2]
        elif kind == "rekor_index":
            def pick() -> str:
                return str(rnd.randint(1, self.log_index))
        elif kind == "file_digest":
            def pick() -> str:
                c = rnd.choice(comps)
                return c.files[-1].digest if rnd.random() < 0.5 else c.files[0].digest
        else:
            def pick() -> str:
                return rnd.choice(sorted(set(LICENSES + DATA_LICENSES)))
        return [pick() for _ in range(n)]


# --- backends ------------------------------------------------------------------------------


@contextmanager
def open_backend(name: str, pg_url: str | None, tmp: Path, tag: str) -> Iterator[Store]:
    """A fresh, empty store: a new SQLite file, or a scratch PostgreSQL schema."""
    if name == "sqlite":
        store = Store.open(f"sqlite:///{tmp / f'{tag}.sqlite'}")
        try:
            yield store
        finally:
            store.close()
        return
    schema = f"aibom_bench_{tag}_{os.getpid()}"
    admin = create_engine(database_url(pg_url))
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(str(database_url(pg_url).render_as_string(hide_password=False)))
    store = Store.open(url.update_query_dict({"options": f"-csearch_path={schema}"}))
    try:
        yield store
    finally:
        store.close()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def _export(args: tuple[ProvenanceGraph, str]) -> None:
    from aibom.formats.cyclonedx import export_cyclonedx

    graph, path = args
    Path(path).write_text(export_cyclonedx(graph), encoding="utf-8")


def write_texts(estate: Estate, refs: list[str], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"{i:05d}.cdx.json" for i in range(len(refs))]
    todo = [(estate.graph(r), str(p)) for r, p in zip(refs, paths, strict=True)
            if not p.exists()]
    with ProcessPoolExecutor() as pool:
        list(pool.map(_export, todo, chunksize=16))
    return paths


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def bench_backend(name: str, estate: Estate, texts: list[Path], args: argparse.Namespace,
                  tmp: Path) -> None:
    print(f"\n== {name}")
    refs = estate.aiboms()
    with open_backend(name, args.postgres, tmp, "graphs") as store:
        start = time.perf_counter()
        graphs = ((estate.graph(r), r) for r in refs)
        report = ingest_graphs(store, graphs)
        took = time.perf_counter() - start
        t = report.totals
        print(f"graph ingest : {len(refs)} AIBOMs in {took:.1f} s = {len(refs) / took:,.0f} "
              f"AIBOMs/s (building the graphs included) -> {t['components']:,} components, "
              f"{t['edges']:,} edges")
        start = time.perf_counter()
        known = refs[:1000]
        again = ingest_graphs(store, ((estate.graph(r), r) for r in known))
        took = time.perf_counter() - start
        print(f"re-ingest    : {len(known)} known AIBOMs in {took:.2f} s ({again.skipped} "
              "skipped)")
        run_queries(store, estate, args)
    if texts:
        for jobs in (None, 1):
            with open_backend(name, args.postgres, tmp, f"text{jobs or 0}") as store:
                start = time.perf_counter()
                report = ingest_paths(store, texts, jobs=jobs)
                took = time.perf_counter() - start
                label = f"{jobs or os.cpu_count()} process" + ("es" if jobs != 1 else "")
                print(f"text ingest  : {report.ingested} CycloneDX files in {took:.1f} s = "
                      f"{report.ingested / took:,.0f} AIBOMs/s ({label}: read, hash, parse, "
                      "write)")


def run_queries(store: Store, estate: Estate, args: argparse.Namespace) -> None:
    """Each cause is queried 3 times in a row: p50/p95/max of the first runs, and p95 of
    each cause's best of 3 (what is left when other tenants of a shared machine are not
    scheduling over us), with the mean answer size and the cost per affected component."""
    rnd = random.Random(11)
    page = f"first {args.page} of each answer" if args.page else "whole answers"
    shown = f", written as --format {args.render}" if args.render else ""
    print(f"queries ({page}, with the whole answer's count{shown}):")
    with open(os.devnull, "w", encoding="utf-8") if args.render else nullcontext() as sink:
        _query_kinds(store, estate, args, rnd, sink)


def _query_kinds(store: Store, estate: Estate, args: argparse.Namespace, rnd: random.Random,
                 sink: TextIO | None) -> None:
    print(f"{'query':<12} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'p95 best3':>9} "
          f"{'mean hits':>9} {'us/hit':>6}  target p95 < 100 ms")
    query(store, Selector("license", "mit"))  # warm the caches once
    for kind in QUERY_KINDS:
        first, best, sizes = [], [], []
        for value in estate.query_values(kind, rnd, args.queries):
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                result = query(store, Selector(kind, value), limit=args.page or None)
                if sink is not None:
                    write_answer(result, args.render, sink, f"--{kind} {value}")
                    sink.flush()
                runs.append((time.perf_counter() - start) * 1000)
            first.append(runs[0])
            best.append(min(runs))
            sizes.append(result.total)
        p95, p95_best = percentile(first, 0.95), percentile(best, 0.95)
        per_hit = 1000 * sum(best) / max(1, sum(sizes))
        verdict = "PASS" if p95 < 100 else ("MISS (best of 3: PASS)" if p95_best < 100
                                            else "MISS")
        print(f"{kind:<12} {percentile(first, 0.5):7.1f} {p95:7.1f} {max(first):7.1f} "
              f"{p95_best:9.1f} {statistics.mean(sizes):9.0f} {per_hit:6.1f}  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=os.environ.get("AIBOM_TEST_POSTGRES_URL"),
                        help="PostgreSQL URL (default: $AIBOM_TEST_POSTGRES_URL)")
    parser.add_argument("--bases", type=int, default=100)
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--text-sample", type=int, default=1000,
                        help="AIBOMs exported to CycloneDX for the text path (0: skip)")
    parser.add_argument("--queries", type=int, default=50, help="causes per query type")
    parser.add_argument("--page", type=int, default=100,
                        help="components per answer, as `aibom query --limit` (0: all)")
    parser.add_argument("--render", choices=FORMATS,
                        help="also write each answer out in this format (timed)")
    parser.add_argument("--workdir", type=Path, help="keep the CycloneDX files here")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()

    busy = busy_cores()
    if busy > 0.3:
        print(f"warning: other processes keep {busy:.1f} cores busy; the numbers will be worse")
    start = time.perf_counter()
    estate = Estate(args.bases, args.datasets, args.models)
    gc.freeze()  # the estate is the benchmark's, not aibom's: keep the collector off it
    print(f"estate: {len(estate.bases)} bases, {len(estate.datasets)} datasets, "
          f"{len(estate.models)} derived models in {len(LEVELS)} levels, "
          f"{len(estate.aiboms())} AIBOMs; mean "
          f"{statistics.mean(len(estate.graph(r)) for r in estate.aiboms()[::50]):.1f} "
          f"components per AIBOM; {os.cpu_count()} CPUs; built in "
          f"{time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory(prefix="aibom-bench-inventory-") as scratch:
        tmp = Path(scratch)
        texts: list[Path] = []
        if args.text_sample:
            start = time.perf_counter()
            sample = random.Random(3).sample(estate.aiboms(), args.text_sample)
            texts = write_texts(estate, sample, args.workdir or tmp / "cdx")
            size = sum(p.stat().st_size for p in texts) / len(texts) / 1024
            print(f"text sample: {len(texts)} CycloneDX 1.7 files, mean {size:.0f} KiB, "
                  f"exported in {time.perf_counter() - start:.0f} s (not measured)")
        if texts:  # a one-time cost of every process that reads CycloneDX: not per document
            start = time.perf_counter()
            import aibom.formats.cyclonedx  # noqa: F401
            print(f"importing the CycloneDX reader (once per process): "
                  f"{time.perf_counter() - start:.1f} s, not counted below")
        backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
        if args.only:
            backends = [b for b in backends if b == args.only]
        for name in backends:
            bench_backend(name, estate, texts, args, tmp)
        if not args.postgres:
            print("\n(PostgreSQL skipped: give --postgres URL or set AIBOM_TEST_POSTGRES_URL)")


if __name__ == "__main__":
    sys.exit(main())
