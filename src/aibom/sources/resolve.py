"""Resolving what a user named (a path or an `hf:` reference) to where its files are, and the
locations AIBOMs record for them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aibom.errors import InputError
from aibom.layout import MODEL_SIGNATURE
from aibom.sources.hub_cache import (
    COMMIT,
    Snapshot,
    find_snapshot,
    hub_cache_dir,
    inside_cache,
    snapshot_at,
)
from aibom.sources.reference import is_reference, parse_reference


@dataclass(frozen=True)
class ModelSource:
    """A model or dataset as the user named it, and where its files are."""

    given: str  # what the user wrote: a path or an hf: reference
    path: Path  # the directory (or file) to read
    snapshot: Snapshot | None = None  # set when it is a Hugging Face cache snapshot

    @property
    def name(self) -> str | None:
        """ORG/NAME for a cache snapshot."""
        return self.snapshot.repo.repo_id if self.snapshot else None

    @property
    def revision(self) -> str | None:
        return self.snapshot.revision if self.snapshot else None

    @property
    def refs(self) -> tuple[str, ...]:
        return self.snapshot.refs if self.snapshot else ()

    @property
    def repo_type(self) -> str | None:
        return self.snapshot.repo.repo_type if self.snapshot else None

    def default_signature(self) -> Path:
        """MODEL/model.sig, or MODEL.sig beside a one-file model. In a cache snapshot that is
        the signature committed in the repository. A default that is a link out of the
        model is refused (InputError) rather than followed."""
        if self.path.is_dir():
            default = self.path / MODEL_SIGNATURE
            if os.path.islink(default):
                from aibom.sources.containment import Containment

                Containment(self.path).resolve(str(default), MODEL_SIGNATURE)
            return default
        if not os.path.lexists(self.path):
            raise InputError(f"cannot read model {self.path}: it does not exist")
        return self.path.with_name(self.path.name + ".sig")


def resolve_source(spec: str | os.PathLike[str]) -> ModelSource:
    """A path or an `hf:` reference -> the source. InputError (exit 2) for a reference that is
    malformed or not cached, naming what the cache holds."""
    text = os.fspath(spec)
    if is_reference(text):
        snapshot = find_snapshot(parse_reference(text))
        return ModelSource(text, snapshot.path, snapshot)
    path = Path(text)
    return ModelSource(text, path, snapshot_at(path) if path.is_dir() else None)


def refuse_cache_write(path: Path, what: str = "output") -> None:
    """InputError when `path` lies in a Hugging Face cache: a file aibom wrote there would make
    huggingface_hub report the cache as corrupt."""
    if inside_cache(path):
        raise InputError(
            f"{what} {path} would be written into the Hugging Face cache, which aibom never "
            "changes",
            hint="give a path outside the cache",
        )


def location_of(path: Path, relative_to: Path) -> str:
    """How an AIBOM records where a directory or file is: `hf:ORG/NAME@COMMIT[/FILE]` inside
    a snapshot of the configured cache (portable between machines), else a POSIX path
    relative to the document."""
    lexical = Path(os.path.abspath(path))
    folder, file = (lexical, "") if lexical.is_dir() else (lexical.parent, lexical.name)
    snapshot = snapshot_at(folder)
    if (
        snapshot is not None
        and COMMIT.fullmatch(snapshot.revision)
        and os.path.realpath(snapshot.repo.cache_dir) == os.path.realpath(hub_cache_dir())
    ):
        return snapshot.reference + (f"/{file}" if file else "")
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(relative_to))
    return rel.replace(os.sep, "/")


def resolve_location(recorded: str) -> Path | None:
    """The local path of an `hf:...@COMMIT[/FILE]` location recorded in an AIBOM, resolved in
    the configured cache; None when `recorded` is not such a location."""
    if not is_reference(recorded):
        return None
    reference, _, rest = recorded.partition("@")
    commit, _, file = rest.partition("/")
    if not COMMIT.fullmatch(commit) or (file and ("/" in file or file.startswith("."))):
        raise InputError(f"{recorded}: not a cache location (hf:ORG/NAME@COMMIT[/FILE])")
    snapshot = find_snapshot(parse_reference(f"{reference}@{commit}"))
    return snapshot.path / file if file else snapshot.path
