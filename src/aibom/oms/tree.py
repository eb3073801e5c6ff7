"""Enumerate the files of a model the way OMS defines it, without ever leaving the model.

The walk never opens a name taken from a signature: it lists what is on disk and the
verifier compares names. Symbolic links are refused unless allowed, and even then a link
may only point inside the model (a link out of it is how a verifier gets tricked into
reading /etc/passwd or a file the attacker controls elsewhere). The one exception is the
containment rule's (aibom.sources.containment): in a Hugging Face cache snapshot, a link into
the repository's own blobs/ is the file it stands for, allowed with or without symlinks.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from aibom._internal.atomic import is_partial_name
from aibom.errors import InputError
from aibom.sources.containment import Containment

DEFAULT_IGNORES = (".git", ".gitattributes", ".github", ".gitignore")  # as model_signing
SINGLE_FILE_NAME = "."  # what model_signing records for a model that is one file


class ModelTreeError(InputError):
    """The model directory holds something OMS cannot sign or verify safely."""


class ModelFile(NamedTuple):
    name: str  # canonical relative POSIX path, or "." for a single-file model
    path: str  # absolute path to read (the real path behind an allowed symlink)
    size: int
    identity: tuple[int, int, int, int, int]  # st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns


FileOpener = Callable[[str, str], ModelFile]


class IgnoreSet:
    """Paths excluded from signing: the git defaults at the top level (unless `git` is False,
    model_signing's --no-ignore-git-paths), user paths relative to the root (each with its
    whole subtree) and absolute paths such as the signature file."""

    def __init__(
        self,
        root: Path,
        relative: Iterable[str] = (),
        absolute: Iterable[Path] = (),
        *,
        git: bool = True,
    ) -> None:
        prefixes: set[tuple[str, ...]] = {(n,) for n in DEFAULT_IGNORES} if git else set()
        for rel in relative:
            parts = _relative_parts(rel)
            if parts:
                prefixes.add(parts)
        real_root = os.path.realpath(root)
        for path in absolute:
            # as written (a committed model.sig in a cache snapshot is a link to a blob), and
            # as resolved (a model reached through a link)
            for rel in (
                os.path.relpath(os.path.abspath(path), os.path.abspath(root)),
                os.path.relpath(os.path.realpath(path), real_root),
            ):
                if rel != "." and not rel.startswith(".." + os.sep) and rel != "..":
                    prefixes.add(tuple(Path(rel).parts))
        self._prefixes = frozenset(prefixes)
        self._tops = {p[0] for p in self._prefixes if len(p) == 1}
        self._deep_heads = {p[0] for p in self._prefixes if len(p) > 1}

    def covers(self, parts: tuple[str, ...]) -> bool:
        if not parts:
            return False
        if is_partial_name(parts[-1]):
            return True  # the temporary file of an aibom write cut short by a crash
        top = parts[0]
        if top in self._tops:
            return True
        if top not in self._deep_heads:
            return False  # most files: no ignore entry starts with their top directory
        return any(parts[:n] in self._prefixes for n in range(2, len(parts) + 1))

    def within(self, other: IgnoreSet) -> bool:
        """True when `other` ignores everything this set ignores (so a listing made with
        `other` needs no filtering by this one)."""
        return self._prefixes <= other._prefixes

    def recorded(self) -> tuple[str, ...]:
        """The ignore list as it is written into a signature: sorted, POSIX separators."""
        return tuple(sorted("/".join(p) for p in self._prefixes))


def _relative_parts(rel: str) -> tuple[str, ...]:
    parts = tuple(p for p in rel.replace("\\", "/").split("/") if p not in ("", "."))
    if ".." in parts or rel.startswith("/"):
        return ()  # an ignore entry may not point outside the model; it is dropped
    return parts


def enumerate_model(
    root: Path,
    *,
    allow_symlinks: bool,
    ignore: IgnoreSet,
    links_refused: str = "symbolic links are not followed",
    open_file: FileOpener | None = None,
) -> list[ModelFile]:
    """List every regular file of the model, sorted by name. `links_refused` says why a link
    is refused when `allow_symlinks` is off (the signature's rule, or the signer's option).
    `open_file(name, path)`, if given, is called for each regular file that is not behind a
    link, instead of a stat: it opens the file (not following links), describes it from the
    open descriptor and may read it in the same visit."""
    try:
        st = os.lstat(root)
    except OSError as exc:
        raise ModelTreeError(f"cannot read model {root}: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        root = Path(os.path.realpath(root))
        st = os.stat(root)
    if stat.S_ISREG(st.st_mode):
        return [
            ModelFile(SINGLE_FILE_NAME, str(os.path.abspath(root)), st.st_size, file_identity(st))
        ]
    if not stat.S_ISDIR(st.st_mode):
        raise ModelTreeError(f"model {root} is neither a file nor a directory")
    walker = _Walker(Path(os.path.realpath(root)), allow_symlinks, ignore, links_refused, open_file)
    walker.walk(str(walker.root), (), st)
    walker.files.sort(key=lambda f: f.name)
    return walker.files


def file_identity(st: os.stat_result) -> tuple[int, int, int, int, int]:
    # Equal numbers as one object: a listing of 100,000 files holds 100,000 identities,
    # whose device is nearly always the same and whose ctime often equals the mtime.
    dev, mtime, ctime = st.st_dev, st.st_mtime_ns, st.st_ctime_ns
    return (_DEVICES.setdefault(dev, dev), st.st_ino, st.st_size, mtime,
            mtime if ctime == mtime else ctime)


_DEVICES: dict[int, int] = {}


class _Walker:
    def __init__(
        self,
        root: Path,
        allow_symlinks: bool,
        ignore: IgnoreSet,
        links_refused: str,
        open_file: FileOpener | None = None,
    ) -> None:
        self.root = root
        self.open_file = open_file
        self.allow_symlinks = allow_symlinks
        self.links_refused = links_refused
        self.ignore = ignore
        self.containment = Containment(root)
        self.files: list[ModelFile] = []
        self._active_dirs: set[tuple[int, int]] = set()

    def walk(self, directory: str, parts: tuple[str, ...], dir_stat: os.stat_result) -> None:
        key = (dir_stat.st_dev, dir_stat.st_ino)
        if key in self._active_dirs:
            raise ModelTreeError(f"symlink loop at {'/'.join(parts)}")
        self._active_dirs.add(key)
        try:
            with os.scandir(directory) as entries:
                children = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            raise ModelTreeError(f"cannot list {directory}: {exc.strerror}") from None
        for entry in children:
            self._visit(entry, (*parts, entry.name))
        self._active_dirs.discard(key)

    def _visit(self, entry: os.DirEntry[str], parts: tuple[str, ...]) -> None:
        if self.ignore.covers(parts):
            return
        name = "/".join(parts)
        _check_name(name)
        # the entry's type comes from the directory listing (no stat call, where the file
        # system records it); only links and directories are stat'ed here
        if entry.is_symlink():
            path = self._link_target(name, entry.path)
            st = os.stat(path)
        elif entry.is_dir(follow_symlinks=False):
            self.walk(entry.path, parts, entry.stat(follow_symlinks=False))
            return
        elif entry.is_file(follow_symlinks=False):
            if self.open_file is not None:
                self.files.append(self.open_file(name, entry.path))
                return
            path, st = entry.path, entry.stat(follow_symlinks=False)
        else:
            raise ModelTreeError(f"{name} is not a regular file or directory")
        if stat.S_ISDIR(st.st_mode):
            self.walk(path, parts, st)
        elif stat.S_ISREG(st.st_mode):
            self.files.append(ModelFile(name, path, st.st_size, file_identity(st)))
        else:
            raise ModelTreeError(f"{name} is not a regular file or directory")

    def _link_target(self, name: str, link: str) -> str:
        blob = self.containment.cache_blob(link)
        if blob is not None:
            return blob
        if self.containment.blobs is not None and not self.allow_symlinks:
            raise ModelTreeError(
                f"{name} is a symbolic link that does not lead into its repository's blobs/"
            )
        if not self.allow_symlinks:
            raise ModelTreeError(f"{name} is a symbolic link: {self.links_refused}")
        return self._inside_target(name, link)

    def _inside_target(self, name: str, link: str) -> str:
        try:
            target = os.path.realpath(link, strict=True)
        except (OSError, RuntimeError):
            raise ModelTreeError(f"{name} is a broken or looping symbolic link") from None
        if not self.containment.inside(target):
            raise ModelTreeError(f"{name} is a symbolic link that escapes the model directory")
        return target


def _check_name(name: str) -> None:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise ModelTreeError(f"file name is not valid UTF-8: {name!r}") from None
