"""The hashing engine: files and shards serialization, bit-compatible with model_signing.

Cost model: SHA-256 of one file is sequential, so one big file is bound by one core, and
many files are spread over all cores. Small files are hashed in batches so that a model
of 100,000 files pays no per-file task overhead. Large ranges are hashed through 16 MiB
memory-mapped windows (no copy into Python, bounded resident memory). When a file is hashed
on a core while another core would sit idle (one big file), a read-ahead thread maps the next
window and faults its pages in, so the hashing core only hashes.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import stat
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

from aibom.errors import InputError
from aibom.oms.cache import MIN_CACHED_BYTES, DigestCache
from aibom.oms.tree import ModelFile, ModelTreeError, file_identity

if TYPE_CHECKING:  # the helper process (aibom.oms.survey) hashes without the model types
    from aibom.oms.model import Resource, Serialization

HASH_TYPES = ("sha256", "blake2b", "blake3")
_WINDOW = 16 << 20
_SMALL = 1 << 20  # read in one call below this size
_BATCH_BYTES = 8 << 20
_BATCH_COUNT = 256
_PARALLEL_MIN_BYTES = 64 << 20
_GRANULARITY = mmap.ALLOCATIONGRANULARITY
_MADV_POPULATE_READ = 22  # Linux 5.14+: fault the pages in now; older kernels: WILLNEED
_READ_AHEAD_WINDOWS = 2


class Progress(Protocol):
    """Told how much has been hashed, from any hashing thread."""

    def advance(self, files: int, nbytes: int) -> None: ...


class Prehashed(Protocol):
    """Whole-file digests of small files computed elsewhere (aibom.oms.survey's helper)."""

    hash_type: str

    def digests(self) -> Mapping[str, str]:
        """Digests by file name (a file it has none for is left out); waits until it is
        done. Its progress was told already."""
        ...


def is_small(size: int) -> bool:
    """Hashed whole, never cached, and worth handing to a helper process."""
    return size < MIN_CACHED_BYTES


def hash_small_file(file: ModelFile, hash_type: str) -> str:
    """The digest of a whole file below MIN_CACHED_BYTES, read in one call."""
    return _hash_job(Job(file, 0, file.size, file.name), _new_hasher(hash_type))[0]


Row = tuple[str, str, int, tuple[int, int, int, int, int], str | None]


def describe_and_hash_each(files: Iterable[tuple[str, str]], hash_type: str) -> Iterator[Row]:
    """For each (name, path) of a regular file: open it (not following links), describe it
    from the open descriptor and, if it is small, hash it in the same visit. Yields
    (name, path, size, identity, digest or None)."""
    factory = _new_hasher(hash_type)
    for name, path in files:
        fd = _open(name, path)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise ModelTreeError(f"{name} is not a regular file or directory")
            size, digest = st.st_size, None
            if is_small(size):
                hasher = factory()
                hasher.update(_read_range(fd, name, 0, size))  # type: ignore[attr-defined]
                digest = hasher.hexdigest()  # type: ignore[attr-defined]
        finally:
            os.close(fd)
        yield name, path, size, file_identity(st), digest


class Job(NamedTuple):
    file: ModelFile
    start: int
    end: int
    name: str  # resource name this job produces


def _new_hasher(hash_type: str) -> Callable[[], object]:
    if hash_type == "sha256":
        return hashlib.sha256
    if hash_type == "blake2b":
        return hashlib.blake2b
    if hash_type == "blake3":
        import blake3

        return lambda: blake3.blake3(max_threads=blake3.blake3.AUTO)
    raise InputError(f"unsupported hash type {hash_type!r} (supported: {', '.join(HASH_TYPES)})")


def resource_algorithm(serialization: Serialization, *, compat_names: bool = True) -> str:
    """The algorithm name written for each resource.

    model_signing writes `sha256-sharded-<shard_size>` for shards and compares it on
    verification, so bundles meant for it must carry that name; the OMS schema wants the
    bare hash type.
    """
    if serialization.method == "shards" and compat_names:
        return f"{serialization.hash_type}-sharded-{serialization.shard_size}"
    return serialization.hash_type


def plan_jobs(files: Iterable[ModelFile], serialization: Serialization) -> list[Job]:
    from aibom.oms.model import shard_name

    jobs: list[Job] = []
    if serialization.method == "files":
        for f in files:
            jobs.append(Job(f, 0, f.size, f.name))
        return jobs
    shard = serialization.shard_size or 0
    if shard <= 0:
        raise InputError("shards serialization needs a positive shard_size")
    for f in files:  # empty files have no shards, as in model_signing
        for start in range(0, f.size, shard):
            end = min(start + shard, f.size)
            jobs.append(Job(f, start, end, shard_name(f.name, start, end)))
    return jobs


def hash_jobs(
    jobs: Sequence[Job],
    hash_type: str,
    *,
    workers: int | None = None,
    cache: DigestCache | None = None,
    progress: Progress | None = None,
    prehashed: Prehashed | None = None,
) -> dict[str, str]:
    """Hash every job; returns resource name -> hex digest. `progress` hears of every file
    (and every window of a large one) as it is done. Whole small files are taken from
    `prehashed` where it has them, once the rest is hashed."""
    delegated: list[Job] = []
    if prehashed is not None and prehashed.hash_type == hash_type:
        here: list[Job] = []
        for job in jobs:  # whole small files go to the helper, the rest is hashed here
            whole_small = job.start == 0 and job.end == job.file.size and is_small(job.end)
            (delegated if whole_small else here).append(job)
        jobs = here
    out = _hash_here(jobs, hash_type, workers, cache, progress)
    if delegated and prehashed is not None:
        got = prehashed.digests()
        missing = []
        for job in delegated:
            digest = got.get(job.file.name)
            if digest is None:
                missing.append(job)
            else:
                out[job.name] = digest
        if missing:
            out.update(_hash_here(missing, hash_type, workers, None, progress))
    return out


def _hash_here(
    jobs: Sequence[Job],
    hash_type: str,
    workers: int | None,
    cache: DigestCache | None,
    progress: Progress | None,
) -> dict[str, str]:
    factory = _new_hasher(hash_type)
    cached: dict[str, str] = {}
    if cache is not None:
        keys = {_cache_key(j, hash_type): j for j in jobs if j.end - j.start >= MIN_CACHED_BYTES}
        for key, digest in cache.lookup(keys).items():
            cached[keys[key].name] = digest
        jobs = [j for j in jobs if j.name not in cached]
        if progress is not None and cached:
            progress.advance(len(cached), 0)
    batches = _batches(jobs)
    workers = workers or _cpu_count()
    total = sum(job.end - job.start for job in jobs)
    # Threads pay off only for enough bytes: on small files they fight over the GIL.
    # Fewer big batches than cores leaves a core idle: it reads ahead for the hashing ones.
    read_ahead = workers > 1 and total >= _PARALLEL_MIN_BYTES and len(batches) < workers
    if len(batches) <= 1 or workers == 1 or total < _PARALLEL_MIN_BYTES:
        results = [_hash_batch(b, factory, progress, read_ahead) for b in batches]
    else:
        from concurrent.futures import ThreadPoolExecutor  # not needed for small models

        with ThreadPoolExecutor(max_workers=min(workers, len(batches))) as pool:
            results = list(
                pool.map(lambda b: _hash_batch(b, factory, progress, read_ahead), batches)
            )
    out: dict[str, str] = dict(cached)
    fresh: dict[tuple[int, int, int, int, int, str, int, int], str] = {}
    for batch in results:
        for job, digest, stable in batch:
            out[job.name] = digest
            if cache is not None and stable and job.end - job.start >= MIN_CACHED_BYTES:
                fresh[_cache_key(job, hash_type)] = digest
    if cache is not None:
        cache.store(fresh)
    return out


def _cache_key(job: Job, hash_type: str) -> tuple[int, int, int, int, int, str, int, int]:
    return (*job.file.identity, hash_type, job.start, job.end)


def root_digest(digests_in_order: Iterable[str]) -> str:
    """OMS root digest: SHA-256 over the raw bytes of every resource digest, in order."""
    return hashlib.sha256(b"".join(map(bytes.fromhex, digests_in_order))).hexdigest()


def manifest_resources(
    files: Sequence[ModelFile],
    serialization: Serialization,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    prehashed: Prehashed | None = None,
) -> tuple[Resource, ...]:
    """Hash a whole model into sorted OMS resources."""
    jobs = plan_jobs(files, serialization)
    digests = hash_jobs(
        jobs, serialization.hash_type, workers=workers, progress=progress, prehashed=prehashed
    )
    from aibom.oms.model import Resource

    algorithm = resource_algorithm(serialization)
    return tuple(Resource(name, algorithm, digests[name]) for name in sorted(digests))


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _batches(jobs: Sequence[Job]) -> list[list[Job]]:
    """Big jobs alone, largest first (so the longest starts first); small ones grouped."""
    big = sorted(
        (j for j in jobs if j.end - j.start >= _BATCH_BYTES), key=lambda j: j.start - j.end
    )
    batches: list[list[Job]] = [[j] for j in big]
    current: list[Job] = []
    size = 0
    for job in jobs:
        length = job.end - job.start
        if length >= _BATCH_BYTES:
            continue
        current.append(job)
        size += length
        if size >= _BATCH_BYTES or len(current) >= _BATCH_COUNT:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


def _hash_batch(
    batch: list[Job],
    factory: Callable[[], object],
    progress: Progress | None = None,
    read_ahead: bool = False,
) -> list[tuple[Job, str, bool]]:
    out = []
    for job in batch:
        digest, stable = _hash_job(job, factory, progress, read_ahead)
        out.append((job, digest, stable))
        if progress is not None:
            small = job.end - job.start <= _SMALL  # a large job told its bytes per window
            progress.advance(1, job.end - job.start if small else 0)
    return out


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS |= getattr(os, "O_NONBLOCK", 0)  # swapped for a FIFO since listing: never wait


def _hash_job(
    job: Job,
    factory: Callable[[], object],
    progress: Progress | None = None,
    read_ahead: bool = False,
) -> tuple[str, bool]:
    """The digest, and whether the file kept the identity it was listed with throughout
    (only then may the digest be cached; ranges too small to cache skip that check)."""
    hasher = factory()
    fd = _open(job.file.name, job.file.path)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ModelTreeError(f"{job.file.name} is no longer a regular file")
        length = job.end - job.start
        if length < MIN_CACHED_BYTES:
            hasher.update(_read_range(fd, job.file.name, job.start, length))  # type: ignore[attr-defined]
            return hasher.hexdigest(), False  # type: ignore[attr-defined]
        before = file_identity(os.fstat(fd))
        if length <= _SMALL:
            hasher.update(_read_range(fd, job.file.name, job.start, length))  # type: ignore[attr-defined]
        else:
            _hash_mapped(fd, job, hasher, progress, read_ahead)
        stable = before == job.file.identity == file_identity(os.fstat(fd))
    finally:
        os.close(fd)
    return hasher.hexdigest(), stable  # type: ignore[attr-defined]


def _open(name: str, path: str) -> int:
    try:
        return os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise ModelTreeError(f"cannot read {name}: {exc.strerror}") from None


def _read_range(fd: int, name: str, start: int, length: int) -> bytes:
    data = os.pread(fd, length, start) if length else b""
    if len(data) != length:
        raise ModelTreeError(f"{name} changed while it was being hashed")
    return data


def _hash_mapped(
    fd: int, job: Job, hasher: object, progress: Progress | None, read_ahead: bool
) -> None:
    if os.fstat(fd).st_size < job.end:
        raise ModelTreeError(f"{job.file.name} changed while it was being hashed")
    windows = _windows(job.start, job.end)
    mapper = _ReadAhead(fd, windows) if read_ahead and len(windows) > 1 else None
    try:
        for base, length, skip in windows:
            try:
                window = mapper.take() if mapper else _map(fd, base, length)
            except (OSError, ValueError):
                raise ModelTreeError(f"{job.file.name} changed while it was being hashed") from None
            with window, memoryview(window) as view:
                hasher.update(view[skip:])  # type: ignore[attr-defined]
            if progress is not None:
                progress.advance(0, length - skip)
    finally:
        if mapper:
            mapper.close()


def _windows(start: int, end: int) -> list[tuple[int, int, int]]:
    """(offset, length, bytes to skip at its start) of each mapped window over [start, end)."""
    out = []
    pos = start
    while pos < end:
        base = pos - pos % _GRANULARITY
        length = min(_WINDOW, end - base)
        out.append((base, length, pos - base))
        pos = base + length
    return out


def _map(fd: int, base: int, length: int, populate: bool = False) -> mmap.mmap:
    window = mmap.mmap(fd, length, offset=base, access=mmap.ACCESS_READ)
    if populate:
        try:
            window.madvise(_MADV_POPULATE_READ)
        except (OSError, ValueError, AttributeError):
            with contextlib.suppress(OSError, ValueError, AttributeError):
                window.madvise(mmap.MADV_WILLNEED)  # read-ahead is an optimisation only
    return window


class _ReadAhead:
    """Maps and faults in the next windows on another thread while this one hashes."""

    def __init__(self, fd: int, windows: list[tuple[int, int, int]]) -> None:
        self._fd = fd
        self._windows = windows
        self._results: dict[int, mmap.mmap | BaseException] = {}
        self._stop = False
        self._slots = threading.Semaphore(_READ_AHEAD_WINDOWS)
        self._order = deque(range(len(windows)))
        self._events = [threading.Event() for _ in windows]
        self._thread = threading.Thread(target=self._run, name="aibom-read-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for index, (base, length, _) in enumerate(self._windows):
            self._slots.acquire()
            if self._stop:
                return
            try:
                self._results[index] = _map(self._fd, base, length, populate=True)
            except BaseException as exc:  # handed to the hashing thread, which raises it
                self._results[index] = exc
            self._events[index].set()

    def take(self) -> mmap.mmap:
        index = self._order.popleft()
        self._events[index].wait()
        result = self._results.pop(index)
        self._slots.release()
        if isinstance(result, BaseException):
            raise result
        return result

    def close(self) -> None:
        self._stop = True
        self._slots.release()
        self._thread.join()
        for result in self._results.values():
            if isinstance(result, mmap.mmap):
                result.close()
