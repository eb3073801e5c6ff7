"""Overlap: read the bundle and hash the model on a thread while the signature is verified.

A verification costs start-up (imports, key loading) plus hashing. `ModelWork` reads and parses
the bundle, lists the model and hashes it on its own thread, so that work runs while the
caller is still importing the verification stack (the CLI starts it before it parses its
options with click; see `start_early`). Nothing from the thread is trusted on its own:

- the caller verifies the signature over the bundle bytes the thread parsed, and only then
  takes the thread's comparison (`ModelWork.result`); a bad signature cancels the thread and
  its digests are dropped unseen;
- before the signature is verified the thread does work in proportion to the model and the
  manifest only: a bundle asking for far more shards than it lists waits for the verdict.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from aibom.oms.bundle import ParsedBundle
    from aibom.oms.cache import DigestCache
    from aibom.oms.model import OmsSignature, Resource, Serialization
    from aibom.oms.survey import Survey
    from aibom.oms.verify import Verification


class Cancelled(Exception):
    """Raised inside the hashing threads once the verdict no longer needs their digests."""


@dataclass(frozen=True)
class VerifyRequest:
    """Everything the thread's work depends on; two equal requests do the same work."""

    model: str
    signature: str
    ignore_paths: tuple[str, ...] = ()
    ignore_unsigned_files: bool = False
    allow_symlinks: bool = False
    ignore_git_paths: bool = True
    only: tuple[str, ...] | None = None
    cache_path: str | None = None  # None: no digest cache
    workers: int | None = None

    @classmethod
    def of(
        cls,
        model: Path,
        signature: Path,
        *,
        ignore_paths: Sequence[Path] = (),
        ignore_unsigned_files: bool = False,
        allow_symlinks: bool = False,
        ignore_git_paths: bool = True,
        only: Sequence[str] | None = None,
        cache: DigestCache | None = None,
        workers: int | None = None,
    ) -> VerifyRequest:
        return cls(
            os.path.abspath(model),
            os.path.abspath(signature),
            tuple(os.path.abspath(p) for p in ignore_paths),
            ignore_unsigned_files,
            allow_symlinks,
            ignore_git_paths,
            tuple(only) if only is not None else None,
            str(cache.path) if cache is not None else None,
            workers,
        )


class HashProgress:
    """Counts what the hashing threads finished; raises Cancelled in them once cancelled.
    `on_advance`, if given, is called (from the hashing thread) after every step."""

    def __init__(self, on_advance: Callable[[HashProgress], None] | None = None) -> None:
        self._on_advance = on_advance
        self.files = 0
        self.bytes = 0
        self.total_files = 0
        self.total_bytes = 0
        self.cancelled = False
        self._lock = threading.Lock()

    def plan(self, files: int, nbytes: int) -> None:
        self.total_files, self.total_bytes = files, nbytes

    def advance(self, files: int, nbytes: int) -> None:
        if self.cancelled:
            raise Cancelled
        with self._lock:
            self.files += files
            self.bytes += nbytes
        if self._on_advance is not None:
            self._on_advance(self)


class _HashingThread:
    """A thread that hashes for a command: the caller waits for it with a progress tick and
    gets what it raised. Subclasses set their own state, then start `self._thread`."""

    def __init__(self, name: str, survey: Survey | None = None) -> None:
        self.progress = HashProgress()
        self._survey = survey  # a helper process listing and hashing small files, if any
        if survey is not None:
            survey.attach(self.progress)
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._target, name=name, daemon=True)

    def _target(self) -> None:
        try:
            self._run()
        finally:
            if self._survey is not None:
                self._survey.close()

    def _run(self) -> None:
        raise NotImplementedError

    def _stop(self) -> None:
        """Cancel: the thread stops at its next step; the helper process is stopped now."""
        self.progress.cancelled = True
        if self._survey is not None:
            self._survey.close()

    def _wait(self, tick: Callable[[HashProgress], None] | None) -> None:
        """Until the thread ends, calling `tick` about ten times a second; raise its error."""
        while not self._done.wait(0.1 if tick else None):
            if tick:
                tick(self.progress)
        self._thread.join()
        if tick and self._error is None:
            tick(self.progress)  # the last word: all done
        if self._error is not None:
            raise self._error


class ModelWork(_HashingThread):
    """The thread: parse the bundle, then list, hash and compare the model against it."""

    def __init__(
        self,
        request: VerifyRequest,
        cache: DigestCache | None = None,
        survey: Survey | None = None,
    ) -> None:
        super().__init__("aibom-verify", survey)
        self.request = request
        self._cache = cache
        self._parsed: ParsedBundle | None = None
        self._bound = 0  # ranges the thread may hash before the signature is verified
        self._parse_error: BaseException | None = None
        self._result: Verification | None = None
        self._parsed_ready = threading.Event()
        self._trusted = threading.Event()  # set once the signature verified (or cancelled)
        self._thread.start()

    def _run(self) -> None:
        from aibom.oms.bundle import read_bundle
        from aibom.oms.cache import DigestCache

        try:
            parsed = read_bundle(Path(self.request.signature))
            # the verifier needs the signed bytes and the signer, not the parsed JSON trees
            self._parsed = replace(parsed, document={}, statement={})
            del parsed
        except BaseException as exc:  # handed to the caller, who raises it
            self._parse_error = exc
            self._parsed_ready.set()
            self._done.set()
            return
        signature = self._parsed.signature
        self._bound = 2 * len(signature.resources) + 4096
        self._parsed_ready.set()
        try:
            cache = self._cache
            if cache is None and self.request.cache_path is not None:
                cache = DigestCache(Path(self.request.cache_path))
            self._result = self._check(signature, cache)
        except Cancelled:
            pass
        except BaseException as exc:
            self._error = exc
        finally:
            self._done.set()

    def _check(self, signature: OmsSignature, cache: DigestCache | None) -> Verification:
        from aibom.oms.verify import check_model

        request = self.request
        return check_model(
            Path(request.model),
            signature,
            extra_ignores=[*map(Path, request.ignore_paths), Path(request.signature)],
            ignore_unsigned_files=request.ignore_unsigned_files,
            allow_symlinks=request.allow_symlinks,
            ignore_git_paths=request.ignore_git_paths,
            only=request.only,
            cache=cache,
            workers=request.workers,
            progress=self.progress,
            admit=self._admit,
            survey=self._survey,
        )

    def _admit(self, jobs: int) -> None:
        """Before trust, hash only as much as the manifest accounts for."""
        if jobs > self._bound:
            self._trusted.wait()
        if self.progress.cancelled:
            raise Cancelled

    def parsed(self) -> ParsedBundle:
        """The parsed bundle (raises what parsing raised). Not verified: the caller does that."""
        self._parsed_ready.wait()
        if self._parse_error is not None:
            raise self._parse_error
        assert self._parsed is not None
        return self._parsed

    def trust(self) -> None:
        """The signature verified: the thread may do all the work the bundle asks for. The
        bundle's bytes are no longer needed (a 100,000-file manifest is tens of MB)."""
        self._parsed = None
        self._trusted.set()

    def cancel(self) -> None:
        """The verdict is known without the digests: stop hashing and drop what was done."""
        self._stop()
        self._trusted.set()
        self._thread.join()

    def result(self, tick: Callable[[HashProgress], None] | None = None) -> Verification:
        """The comparison, once the signature verified (call `trust` first); `tick` is called
        about ten times a second while the thread works."""
        self._wait(tick)
        assert self._result is not None
        return self._result


class _Work(Protocol):
    @property
    def request(self) -> object: ...

    def cancel(self) -> None: ...


W = TypeVar("W", bound=_Work)


class _EarlySlot(Generic[W]):
    """Work started before the command line was parsed: taken at most once, and only by the
    command that asks for exactly the request it was started for; otherwise cancelled."""

    def __init__(self) -> None:
        self._work: W | None = None

    def put(self, work: W) -> None:
        self.cancel()
        self._work = work

    def take(self, request: object) -> W | None:
        work, self._work = self._work, None
        if work is not None and work.request != request:
            work.cancel()
            return None
        return work

    def cancel(self) -> None:
        work, self._work = self._work, None
        if work is not None:
            work.cancel()


_early: _EarlySlot[ModelWork] = _EarlySlot()


def start_early(request: VerifyRequest, survey: Survey | None = None) -> None:
    """Start the work for a verification that is about to be asked for (the CLI calls this
    before importing click and the verification stack), with the helper process the CLI may
    have forked for it (aibom.oms.survey). Only `take` with an equal request uses it;
    anything else leaves it unused."""
    _early.put(ModelWork(request, survey=survey))


def take(request: VerifyRequest) -> ModelWork | None:
    """The work started early for exactly this request, at most once."""
    return _early.take(request)


# -- signing: the same overlap, for `aibom sign` ------------------------------------------


@dataclass(frozen=True)
class SignRequest:
    """What the hashing for a signature depends on."""

    model: str
    signature: str
    hash_type: str = "sha256"
    shard_size: int | None = None
    ignore_paths: tuple[str, ...] = ()
    allow_symlinks: bool = False
    ignore_git_paths: bool = True
    workers: int | None = None


class SignWork(_HashingThread):
    """Lists and hashes a model for signing on a thread; `result` -> (serialization, resources)."""

    def __init__(self, request: SignRequest, survey: Survey | None = None) -> None:
        super().__init__("aibom-sign", survey)
        self.request = request
        self._result: tuple[Serialization, tuple[Resource, ...]] | None = None
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = manifest_for_signing(self.request, self.progress, self._survey)
        except Cancelled:
            pass
        except BaseException as exc:  # handed to the caller, who raises it
            self._error = exc
        finally:
            self._done.set()

    def cancel(self) -> None:
        self._stop()
        self._thread.join()

    def result(
        self, tick: Callable[[HashProgress], None] | None = None
    ) -> tuple[Serialization, tuple[Resource, ...]]:
        """The manifest's serialization and resources; `tick` as for `ModelWork.result`."""
        self._wait(tick)
        assert self._result is not None
        return self._result


def manifest_for_signing(
    request: SignRequest, progress: HashProgress | None = None, survey: Survey | None = None
) -> tuple[Serialization, tuple[Resource, ...]]:
    """List the model as signing does (evidence files and the signature left out) and hash it."""
    from aibom.errors import InputError
    from aibom.layout import EVIDENCE_FILES
    from aibom.oms.hashing import HASH_TYPES, manifest_resources
    from aibom.oms.model import Serialization
    from aibom.oms.tree import IgnoreSet, enumerate_model

    if request.hash_type not in HASH_TYPES:
        raise InputError(
            f"unsupported hash type {request.hash_type!r} (supported: {', '.join(HASH_TYPES)})"
        )
    if request.shard_size is not None and request.shard_size <= 0:
        raise InputError("--shard-size must be a positive number of bytes")
    model = Path(request.model)
    absolute = [*map(Path, request.ignore_paths), Path(request.signature)]
    ignore = IgnoreSet(model, EVIDENCE_FILES, absolute, git=request.ignore_git_paths)
    files = survey.files(ignore) if survey is not None else None
    if files is None:
        files = enumerate_model(
            model,
            allow_symlinks=request.allow_symlinks,
            ignore=ignore,
            links_refused="sign with --allow-symlinks to follow it",
        )
    if not files:
        raise InputError(f"model {model} has no files to sign")
    ser = Serialization(
        method="shards" if request.shard_size else "files",
        hash_type=request.hash_type,
        allow_symlinks=request.allow_symlinks,
        shard_size=request.shard_size,
        ignore_paths=ignore.recorded() if model.is_dir() else (),
    )
    if progress is not None:
        progress.plan(len(files), sum(f.size for f in files))
    resources = manifest_resources(
        files, ser, workers=request.workers, progress=progress, prehashed=survey
    )
    return ser, resources


_early_sign: _EarlySlot[SignWork] = _EarlySlot()


def start_early_signing(request: SignRequest, survey: Survey | None = None) -> None:
    """As `start_early`, for `aibom sign`."""
    _early_sign.put(SignWork(request, survey=survey))


def take_signing(request: SignRequest) -> SignWork | None:
    """As `take`, for `aibom sign`."""
    return _early_sign.take(request)


def cancel_early() -> None:
    """Stop work started early that no command took (it failed before it got there)."""
    _early.cancel()
    _early_sign.cancel()
