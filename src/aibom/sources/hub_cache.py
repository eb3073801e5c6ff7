"""The Hugging Face hub cache on disk, read only (the layout huggingface_hub writes):

    <cache>/models--ORG--NAME/            (datasets--, spaces--, kernels-- for other repo types)
        blobs/<sha256 of an LFS file | git blob sha1 of any other file>
        refs/main, refs/pr/1, ...          each holds a 40-hex commit
        snapshots/<commit>/<path>          relative symlinks into ../../blobs (deeper when nested)
        .no_exist/<commit>/<path>          files the hub said do not exist

The cache directory is $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE, else $HF_HOME/hub, else
$XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub, as in huggingface_hub.
Nothing here writes: a file aibom left in the cache would make huggingface_hub report it corrupt.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aibom.errors import InputError
from aibom.sources._folders import REPO_FOLDER
from aibom.sources.reference import DATASET, DEFAULT_REVISION, MODEL, HubReference

REPO_FOLDER_TYPES = {"models": MODEL, "datasets": DATASET, "spaces": "space", "kernels": "kernel"}
COMMIT = re.compile(r"[0-9a-f]{40}")
_SHORT_COMMIT = re.compile(r"[0-9a-f]{4,39}")
_MAX_REF_BYTES = 256
_LISTED = 8  # how many cached names an error message shows


def hub_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where huggingface_hub keeps its cache, from the same environment variables."""
    env = os.environ if env is None else env

    def expand(value: str) -> Path:
        return Path(os.path.expandvars(os.path.expanduser(value)))

    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if env.get(name):
            return expand(env[name])
    if env.get("HF_HOME"):
        return expand(env["HF_HOME"]) / "hub"
    xdg = env.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return expand(xdg) / "huggingface" / "hub"


def repo_folder_name(repo_type: str, repo_id: str) -> str:
    """models--ORG--NAME for a model, datasets--ORG--NAME for a dataset."""
    return "--".join([f"{repo_type}s", *repo_id.split("/")])


@dataclass(frozen=True)
class HubRepo:
    """One repository folder of the cache."""

    cache_dir: Path
    repo_type: str
    repo_id: str

    @property
    def folder(self) -> Path:
        return self.cache_dir / repo_folder_name(self.repo_type, self.repo_id)

    def refs(self) -> dict[str, str]:
        """Ref name (main, v1.0, refs/pr/1) -> the commit it holds, sorted by name. A ref
        file that is not a plain file holding a commit hash is left out."""
        root = self.folder / "refs"
        found: dict[str, str] = {}
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                path = Path(folder, name)
                commit = _read_ref(path)
                if commit is not None:
                    found[path.relative_to(root).as_posix()] = commit
        return dict(sorted(found.items()))

    def revisions(self) -> list[str]:
        """The commits that have a snapshot folder, sorted."""
        try:
            names = os.listdir(self.folder / "snapshots")
        except OSError:
            return []
        return sorted(n for n in names if COMMIT.fullmatch(n))

    def snapshot(self, revision: str) -> Snapshot:
        refs = tuple(name for name, commit in self.refs().items() if commit == revision)
        return Snapshot(self, revision, refs)

    def resolve(self, revision: str | None) -> Snapshot:
        """The snapshot `revision` names: a full commit, a ref (default `main`), or a unique
        short commit. Never "the newest snapshot": what is not named is not guessed."""
        wanted = revision or DEFAULT_REVISION
        cached = self.revisions()
        if COMMIT.fullmatch(wanted) and wanted in cached:
            return self.snapshot(wanted)
        refs = self.refs()
        ref = wanted.removeprefix("refs/heads/")
        if ref in refs:
            commit = refs[ref]
            if commit not in cached:
                raise InputError(
                    f"{self.label(revision)}: ref {ref} points at {commit[:12]}, which is not "
                    f"in the cache ({self.describe_cached()})"
                )
            return self.snapshot(commit)
        if _SHORT_COMMIT.fullmatch(wanted):
            matches = [c for c in cached if c.startswith(wanted)]
            if len(matches) == 1:
                return self.snapshot(matches[0])
            if len(matches) > 1:
                shown = ", ".join(m[:12] for m in matches[:_LISTED])
                raise InputError(f"{self.label(revision)}: short commit is ambiguous ({shown})")
        raise InputError(
            f"{self.label(revision)}: revision {wanted} is not in the Hugging Face cache "
            f"({self.describe_cached()})"
        )

    def label(self, revision: str | None = None) -> str:
        return str(HubReference(self.repo_type, self.repo_id, revision))

    def describe_cached(self) -> str:
        """What is cached for this repository, for error messages."""
        refs = self.refs()
        parts = []
        for commit in self.revisions()[:_LISTED]:
            names = [r for r, c in refs.items() if c == commit]
            parts.append(commit[:12] + (f" ({', '.join(names)})" if names else ""))
        return "cached: " + ", ".join(parts) if parts else "no snapshot is cached"


@dataclass(frozen=True)
class Snapshot:
    """One revision of a cached repository: a model or dataset directory."""

    repo: HubRepo
    revision: str
    refs: tuple[str, ...] = ()  # the refs that point at this revision

    @property
    def path(self) -> Path:
        return self.repo.folder / "snapshots" / self.revision

    @property
    def reference(self) -> str:
        """The hf: reference that names exactly this snapshot."""
        return self.repo.label(self.revision)


def find_snapshot(ref: HubReference, cache_dir: Path | None = None) -> Snapshot:
    """Resolve a reference in the local cache; InputError naming what is cached otherwise."""
    cache = cache_dir or hub_cache_dir()
    repo = HubRepo(cache, ref.repo_type, ref.repo_id)
    if not repo.folder.is_dir():
        raise InputError(
            f"{ref} is not in the Hugging Face cache at {cache} ({_describe_repos(cache, ref)})",
            hint="aibom reads the local cache only; download it with huggingface_hub first",
        )
    return repo.resolve(ref.revision)


def snapshot_at(path: Path | str) -> Snapshot | None:
    """The snapshot whose folder `path` is (after resolving links), or None."""
    real = Path(os.path.realpath(path))
    match = REPO_FOLDER.fullmatch(real.parent.parent.name)
    if real.parent.name != "snapshots" or match is None or not real.is_dir():
        return None
    repo_type = REPO_FOLDER_TYPES[match.group(1)]
    repo = HubRepo(real.parent.parent.parent, repo_type, match.group(2).replace("--", "/"))
    return repo.snapshot(real.name)


def inside_cache(path: Path | str) -> bool:
    """Whether writing `path` would put a file into a hub cache: the configured one, or any
    repository folder of one (models--ORG--NAME with its blobs/ or snapshots/)."""
    real = Path(os.path.realpath(path))
    if real.is_relative_to(os.path.realpath(hub_cache_dir())):
        return True
    for folder in real.parents:
        if REPO_FOLDER.fullmatch(folder.name) and (
            (folder / "snapshots").is_dir() or (folder / "blobs").is_dir()
        ):
            return True
    return False


def _read_ref(path: Path) -> str | None:
    try:
        if not path.is_file() or path.is_symlink():
            return None
        with open(path, "rb") as handle:
            text = handle.read(_MAX_REF_BYTES).decode("ascii", "replace").strip()
    except OSError:
        return None
    return text if COMMIT.fullmatch(text) else None


def _describe_repos(cache: Path, ref: HubReference) -> str:
    prefix = f"{ref.repo_type}s--"
    try:
        names = sorted(
            n.removeprefix(prefix).replace("--", "/")
            for n in os.listdir(cache)
            if n.startswith(prefix)
        )
    except OSError:
        return "the cache directory does not exist"
    if not names:
        return f"no {ref.repo_type} is cached"
    more = f", and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return f"cached {ref.repo_type}s: " + ", ".join(names[:_LISTED]) + more
