"""The one containment rule for every file aibom reads through a model or dataset directory.

A file may be read when its real path lies inside the directory, or when the directory is (or
lies in) a Hugging Face cache snapshot and the file is a link into the same repository's
`blobs/`: there the link is a storage detail of the cache and the blob is the file it stands
for. huggingface_hub may make that blob itself a link into the cache-wide shared store
(`<cache>/blobs/<2 hex>/<64 hex>`, marked by its `.huggingface-shared-blobs` file); that one
hop is followed too. Anything else - another repository's blobs, /etc, an identical copy
elsewhere - is outside, and refused by name.

The OMS tree walk (signing, verification) and the evidence readers both ask this module.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from aibom.errors import InputError
from aibom.sources._folders import enclosing_repo_folder

SHARED_STORE_MARKER = ".huggingface-shared-blobs"
_SHARED_BLOB = re.compile(r"[0-9a-f]{64}")
_MAX_MARKER_BYTES = 64


class Containment:
    """Where the files read through `root` may live."""

    def __init__(self, root: Path | str) -> None:
        self.root = os.path.realpath(root)
        repo = enclosing_repo_folder(self.root)
        self.blobs = os.path.realpath(repo / "blobs") if repo is not None else None
        self.shared = _shared_store(repo.parent) if repo is not None else None

    def inside(self, real_path: str) -> bool:
        """Whether a real path lies in the directory itself."""
        return os.path.commonpath([real_path, self.root]) == self.root

    def cache_blob(self, link: str) -> str | None:
        """If `link` is a cache link into this repository's blobs/, the blob's real path (a
        regular file); otherwise None."""
        if self.blobs is None:
            return None
        try:
            if not stat.S_ISLNK(os.lstat(link).st_mode):
                return None
            hop = os.path.join(os.path.dirname(link), os.readlink(link))
        except OSError:
            return None
        name = os.path.basename(hop)
        if not _plain(name) or os.path.realpath(os.path.dirname(hop)) != self.blobs:
            return None
        blob = os.path.join(self.blobs, name)
        try:
            mode = os.lstat(blob).st_mode
        except OSError:
            return None
        if stat.S_ISREG(mode):
            return blob
        if stat.S_ISLNK(mode):
            return self._shared_blob(blob)
        return None

    def _shared_blob(self, blob: str) -> str | None:
        if self.shared is None:
            return None
        try:
            hop = os.path.join(self.blobs or "", os.readlink(blob))
        except OSError:
            return None
        name = os.path.basename(hop)
        if not _SHARED_BLOB.fullmatch(name):
            return None
        if os.path.realpath(os.path.dirname(hop)) != os.path.join(self.shared, name[:2]):
            return None
        target = os.path.join(self.shared, name[:2], name)
        try:
            return target if stat.S_ISREG(os.lstat(target).st_mode) else None
        except OSError:
            return None

    def resolve(self, path: str, name: str) -> str:
        """The real path of `path` (an entry under the directory, shown as `name`) if the
        rule allows reading it; InputError otherwise, OSError if it cannot be resolved."""
        blob = self.cache_blob(path)
        if blob is not None:
            return blob
        try:
            target = str(Path(path).resolve())
        except RuntimeError as err:  # Python 3.11 reports symlink loops this way
            raise OSError(f"symlink loop: {err}") from None
        if not self.inside(target):
            raise InputError(
                f"{name}: resolves outside the directory {self.root}",
                hint="a symlink points out of the model directory; it was not read",
            )
        return target


def _plain(name: str) -> bool:
    return bool(name) and not name.startswith(".") and "/" not in name


def _shared_store(cache_dir: Path) -> str | None:
    store = cache_dir / "blobs"
    marker = store / SHARED_STORE_MARKER
    try:
        if not stat.S_ISDIR(os.lstat(store).st_mode) or not stat.S_ISREG(os.lstat(marker).st_mode):
            return None
        with open(marker, "rb") as handle:
            if handle.read(_MAX_MARKER_BYTES) != b"1\n":
                return None
    except OSError:
        return None
    return os.path.realpath(store)
