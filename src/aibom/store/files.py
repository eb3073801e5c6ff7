"""AIBOM files into the inventory: read (size-capped), hashed, parsed, written in batches.

`ingest_paths` is what `aibom ingest` runs. A file already ingested (by the SHA-256 of its
bytes) is not parsed again. With 64 files or more, parsing runs in one worker process per
CPU while this process reads the next files and writes the last batch.
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from aibom.build import parse_document, read_document_bytes
from aibom.errors import AibomError, InputError
from aibom.graph import ProvenanceGraph
from aibom.store import Store
from aibom.store.ingest import (
    BATCH,
    IngestReport,
    Plan,
    count,
    known_digests,
    plan_graph,
    write_plans,
)

# --- one document ------------------------------------------------------------------------


def parse_aibom(raw: bytes, source: str) -> tuple[ProvenanceGraph, str]:
    """CycloneDX or SPDX 3 JSON-LD -> (graph, format). A document the readers refuse is an
    InputError; a reader bug is not disguised as one (it surfaces as an internal error)."""
    try:
        return parse_document(raw, source)
    except (RecursionError, MemoryError):
        raise InputError(f"{source}: nested too deeply or too large to read") from None


def plan_document(raw: bytes, source: str, digest: str | None = None) -> Plan:
    digest = digest or "sha256:" + hashlib.sha256(raw).hexdigest()
    graph, fmt = parse_aibom(raw, source)
    return plan_graph(graph, digest=digest, source=source, fmt=fmt)


def _plan_or_error(raw: bytes, source: str, digest: str) -> Plan | str:
    """The plan, or the one-line error (in a worker process, exceptions stay there)."""
    try:
        return plan_document(raw, source, digest)
    except AibomError as e:
        return e.one_line()


def _plans_or_errors(documents: list[tuple[bytes, str, str]]) -> list[Plan | str]:
    """A worker's task: several documents, so that the cost of a task (pickling, two
    queues, a wake-up of each side) is paid once for GROUP documents, not for each."""
    return [_plan_or_error(raw, source, digest) for raw, source, digest in documents]


# --- many files -------------------------------------------------------------------------

GROUP = 16  # documents per worker task (a batch of BATCH is BATCH / GROUP tasks)
# a document on its way: its plan or error, or (the task planning it, its place in the task)
_Pending = Plan | str | tuple["Future[list[Plan | str]]", int]


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a directory stands for every *.json file under it, sorted."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            out.append(path)
    return out


def ingest_paths(store: Store, paths: Sequence[Path], *, keep_going: bool = False,
                 jobs: int | None = None,
                 tick: Callable[[int, int], None] | None = None) -> IngestReport:
    """AIBOM files into the store, BATCH per transaction. Documents already known (by the
    SHA-256 of their bytes) are not parsed again. Parsing runs in `jobs` processes (default:
    one per CPU for 64 files or more) while the main process writes. The first bad document
    raises InputError after the good ones before it are written, unless keep_going: then
    each is recorded in report.failed and the rest go on. `tick(done, total)` hears of
    every batch finished."""
    files = expand(paths)

    def progress() -> None:
        if tick is not None:
            tick(report.ingested + report.skipped + len(report.failed), len(files))

    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(files) >= 64 else 1
    report = IngestReport()
    pool = ProcessPoolExecutor(max_workers=jobs) if jobs > 1 else None
    try:
        pending: deque[list[tuple[str, _Pending]]] = deque()
        for chunk in _chunks(files, BATCH):
            pending.append(_submit(store, chunk, pool, report, keep_going))
            while len(pending) > (1 if pool else 0):
                _collect(store, pending.popleft(), report, keep_going)
                progress()
        while pending:
            _collect(store, pending.popleft(), report, keep_going)
            progress()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    report.totals = store.counts()
    return report


def _chunks(items: Sequence[Path], size: int) -> Iterator[Sequence[Path]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _submit(store: Store, chunk: Sequence[Path], pool: ProcessPoolExecutor | None,
            report: IngestReport, keep_going: bool) -> list[tuple[str, _Pending]]:
    read: list[tuple[str, bytes | None, str]] = []  # (source, bytes, digest or error)
    for path in chunk:
        try:
            raw = read_document_bytes(path)
        except InputError as e:
            read.append((str(path), None, e.one_line()))
            continue
        read.append((str(path), raw, "sha256:" + hashlib.sha256(raw).hexdigest()))
    with store.reading() as conn:
        known = known_digests(conn, (d for _, raw, d in read if raw is not None))
    out: list[tuple[str, _Pending]] = []
    group: list[tuple[bytes, str, str]] = []
    places: list[int] = []  # where in `out` each document of the group goes

    def send() -> None:
        assert pool is not None
        task = pool.submit(_plans_or_errors, list(group))
        for n, at in enumerate(places):
            out[at] = (out[at][0], (task, n))
        group.clear()
        places.clear()

    for source, data, digest in read:
        if data is None:
            out.append((source, digest))  # the error, reported in order when collected
        elif digest in known:
            report.skipped += 1
        elif pool is None:
            out.append((source, _plan_or_error(data, source, digest)))
        else:
            _preload(data)
            places.append(len(out))
            out.append((source, ""))  # filled in by send()
            group.append((data, source, digest))
            if len(group) >= GROUP:
                send()
    if group:
        send()
    return out


def _preload(raw: bytes) -> None:
    """Import the reader a document needs (seconds: schemas, models) here, before the
    workers are forked on demand, so that they inherit it instead of each importing it."""
    if b'"bomFormat"' in raw:
        import aibom.formats.cyclonedx
    elif b'"@context"' in raw:
        import aibom.formats.spdx3_import  # noqa: F401


def _collect(store: Store, items: list[tuple[str, _Pending]], report: IngestReport,
             keep_going: bool) -> None:
    plans: list[Plan] = []
    for source, item in items:
        if isinstance(item, tuple):
            task, n = item
            try:
                result = task.result()[n]
            except BrokenProcessPool:
                raise InputError(f"{source}: the process reading it died (out of memory?)"
                                 ) from None
        else:
            result = item
        if isinstance(result, Plan):
            plans.append(result)
            continue
        if not keep_going:
            count(report, write_plans(store, plans))
            raise InputError(result)
        report.failed.append((source, result))
    count(report, write_plans(store, plans))
