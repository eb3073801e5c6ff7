"""A second process that lists a model and hashes its small files while this one starts up.

A verify of 5,000 small files is half start-up (imports, bundle parsing, key loading) and half
per-file work (open, read, hash, close). Both are Python work, so on threads they take turns on
the GIL and add up. The CLI therefore forks a helper first thing, before any thread exists and
before the heavy imports (`start`). The helper lists the model with the ignore rules known from
the command line, then opens every file once: the open descriptor describes it (no separate
stat) and a file below MIN_CACHED_BYTES is hashed there and then; larger ones are left to the
parent's threads and its digest cache. Rows stream back through a pipe. The parent uses them
only where they are exactly what it would have computed itself:

- the listing, once filtered by the ignore rules the parent learns later (a signature's own
  ignore paths), is the listing the parent would make; if the helper could not finish (a link
  it may not follow, a file that changed), the parent discards everything it sent and lists
  and hashes the model itself, reporting what it finds;
- a digest is used only for a whole-file range of a file in that listing, and only for SHA-256.

Nothing from the helper is a verdict: the parent compares digests against the signed manifest
only after verifying the signature, as it does with digests from its own threads.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import signal
import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

if TYPE_CHECKING:
    from aibom.oms.hashing import Row
    from aibom.oms.pipeline import HashProgress
    from aibom.oms.tree import IgnoreSet, ModelFile

HASH_TYPE = "sha256"  # what the helper computes; other hash types are hashed by the parent
_CHUNK = 256  # rows per message
_HEADER = 8


class SurveyRequest(NamedTuple):
    """What the helper lists: the model, and the ignore rules known before any bundle is read."""

    model: str
    ignore_relative: tuple[str, ...]
    ignore_absolute: tuple[str, ...]
    ignore_git_paths: bool
    allow_symlinks: bool

    def ignore_set(self) -> IgnoreSet:
        from pathlib import Path

        from aibom.oms.tree import IgnoreSet

        return IgnoreSet(
            Path(self.model),
            self.ignore_relative,
            map(Path, self.ignore_absolute),
            git=self.ignore_git_paths,
        )


def start(request: SurveyRequest) -> Survey | None:
    """Fork the helper for a model directory; None where it would not help or is not safe
    (no fork, one core, threads already running, a model that is not a directory)."""
    if not hasattr(os, "fork") or threading.active_count() != 1 or _cores() < 2:
        return None
    if not os.path.isdir(request.model):
        return None  # one file: nothing to overlap
    # what the helper runs, imported once for both processes (the parent needs it too)
    import aibom.oms.hashing  # noqa: F401

    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # pragma: no cover - the helper; tests check what it sends
        os.close(read_end)
        _helper(request, write_end)
    os.close(write_end)
    return Survey(request, pid, read_end)


class Survey:
    """The parent's side. A reader thread drains the pipe as rows come (so the helper never
    waits on a full pipe) and counts them into the progress `attach`ed; `files` and `digests`
    answer once the helper is done."""

    hash_type = HASH_TYPE

    def __init__(self, request: SurveyRequest, pid: int, fd: int) -> None:
        self.request = request
        self._pid = pid
        self._fd = fd
        self._files: list[ModelFile] = []
        self._digests: dict[str, str] = {}
        self._complete = False  # the helper said it listed and opened everything
        self._finished = threading.Event()
        self._progress: HashProgress | None = None
        self._counted = (0, 0)  # files and bytes the helper hashed, as told to the progress
        self._planned = 0
        self._lock = threading.Lock()
        self._closed = False
        self._reader = threading.Thread(target=self._read, name="aibom-survey", daemon=True)
        self._reader.start()

    def attach(self, progress: HashProgress) -> None:
        """Count the files the helper hashes into `progress`, those already hashed included
        (taken back if it fails)."""
        with self._lock:
            self._progress = progress
            self._tell(progress, *self._counted, self._planned)

    def files(self, ignore: IgnoreSet) -> list[ModelFile] | None:
        """The helper's listing less what `ignore` covers, sorted by name; None if it did not
        finish (the caller lists the model itself). `ignore` must include the request's rules."""
        self._finished.wait()
        if not self._complete:
            return None
        files = self._files
        if not ignore.within(self.request.ignore_set()):
            files = [f for f in files if not ignore.covers(tuple(f.name.split("/")))]
        return sorted(files)  # by name: it comes first in a ModelFile, and names are unique

    def digests(self) -> Mapping[str, str]:
        """Digests by file name of every small file listed; empty if the helper did not
        finish. The progress attached heard of them already."""
        self._finished.wait()
        return MappingProxyType(self._digests if self._complete else {})

    def close(self) -> None:
        """Stop the helper if it still runs and reap it; once, from whichever thread."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
        if threading.current_thread() is not self._reader:
            self._reader.join()

    def _read(self) -> None:
        from aibom.oms.tree import ModelFile

        try:
            with open(self._fd, "rb", buffering=1 << 16) as pipe:
                while (message := _receive(pipe)) is not None:
                    kind, body = message
                    if kind == "rows":
                        self._accept(ModelFile, body)
                    elif kind == "planned":
                        with self._lock:
                            self._planned = int(body)
                            self._tell(self._progress, 0, 0, self._planned)
                    elif kind == "end":
                        self._complete = True
        except (OSError, ValueError, TypeError):
            self._complete = False  # a broken stream: the parent does the work itself
        finally:
            if not self._complete:
                with self._lock:  # the parent will count these files again
                    self._tell(self._progress, -self._counted[0], -self._counted[1], 0)
                    self._counted = (0, 0)
            self._finished.set()

    def _accept(self, model_file: Any, rows: Any) -> None:
        files, nbytes = 0, 0
        for name, path, size, identity, digest in rows:
            self._files.append(model_file(name, path, size, tuple(identity)))
            if digest is not None:
                self._digests[name] = digest
                files, nbytes = files + 1, nbytes + size
        with self._lock:
            self._counted = (self._counted[0] + files, self._counted[1] + nbytes)
            self._tell(self._progress, files, nbytes, 0)

    @staticmethod
    def _tell(progress: HashProgress | None, files: int, nbytes: int, planned: int) -> None:
        if progress is None:
            return
        if planned and not progress.total_files:  # the owner's own plan comes first
            progress.plan(planned, 0)
        if files or nbytes:
            with contextlib.suppress(Exception):  # cancelled: the owner stops the helper
                progress.advance(files, nbytes)


def _receive(pipe: BinaryIO) -> tuple[str, Any] | None:
    header = pipe.read(_HEADER)
    if len(header) < _HEADER:
        return None
    size = int.from_bytes(header, "little")
    body = pipe.read(size)
    if len(body) < size:
        return None  # the helper was stopped mid-message
    try:
        message = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None
    if isinstance(message, tuple) and len(message) == 2 and isinstance(message[0], str):
        return message
    return None


def _helper(request: SurveyRequest, fd: int) -> None:  # pragma: no cover - runs in the helper
    """List, open and hash, streaming rows; never returns. Any failure ends the stream before
    its "end": the parent then does the work itself and reports any error."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it, not us
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # the parent went away: stop quietly
    try:
        # not the parent's standard streams: whoever reads its output must see it end
        # when the parent ends, not when the helper does
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(quiet, stream)
        from pathlib import Path

        from aibom.oms.hashing import describe_and_hash_each, hash_small_file, is_small
        from aibom.oms.tree import ModelFile, enumerate_model

        # first the names (types from the listing, no stat), so the parent can show a count
        unopened = enumerate_model(
            Path(request.model),
            allow_symlinks=request.allow_symlinks,
            ignore=request.ignore_set(),
            open_file=lambda name, path: ModelFile(name, path, -1, (0, 0, 0, 0, 0)),
        )
        _send(fd, ("planned", len(unopened)))
        plain = [(f.name, f.path) for f in unopened if f.size == -1]  # opened below
        linked = [f for f in unopened if f.size != -1]  # behind a link, stat'ed by the walk
        rows: list[Row] = []
        for row in describe_and_hash_each(plain, HASH_TYPE):
            rows.append(row)
            if len(rows) >= _CHUNK:
                _send(fd, ("rows", rows))
                rows = []
        for f in linked:
            digest = hash_small_file(f, HASH_TYPE) if is_small(f.size) else None
            rows.append((f.name, f.path, f.size, f.identity, digest))
        _send(fd, ("rows", rows))
        _send(fd, ("end", None))
    except BaseException:
        pass
    finally:
        os._exit(0)


def _send(fd: int, message: tuple[str, Any]) -> None:
    body = marshal.dumps(message)
    data = memoryview(len(body).to_bytes(_HEADER, "little") + body)
    while data:
        data = data[os.write(fd, data) :]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
