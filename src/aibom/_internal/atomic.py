"""Crash-safe writes: a file aibom writes appears whole or not at all.

The data goes into a file the directory does not list (O_TMPFILE on Linux), is flushed to
disk, and only then gets a name: linked under a temporary name and renamed over the target
at once, and the directory is flushed too. A kill at any moment leaves the previous file or
the new one, never half of either; the temporary name exists only between two system calls.
Where O_TMPFILE is not available, the temporary file is named from the start; its name
(`.<target>.<pid>-<random>.aibom-partial`) lets later runs recognise and remove a leftover.

Permissions follow the umask (0644 under 022), like any file a tool creates. A FIFO, device,
socket or directory at the target path is refused, never replaced. Every failure is one
OutputError (exit 2) naming the target, never the temporary file. Nothing is ever written
into a Hugging Face cache (aibom.sources.refuse_cache_write).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from pathlib import Path

from aibom.errors import OutputError

__all__ = ["PARTIAL_SUFFIX", "is_partial_name", "remove_stale_partials", "write_atomic"]

PARTIAL_SUFFIX = ".aibom-partial"
_PARTIAL = re.compile(r"\.(?P<target>.+)\.(?P<pid>[0-9]+)-[0-9a-f]{16}" + re.escape(PARTIAL_SUFFIX))
_O_TMPFILE = getattr(os, "O_TMPFILE", 0)
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOENT, errno.EACCES}

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "it is a directory",
}


def write_atomic(path: Path | str, data: bytes) -> None:
    """Replace `path` with `data` atomically and durably; OutputError (one line) on failure."""
    from aibom.sources import refuse_cache_write  # a leaf package: no import cycle

    path = Path(path)
    directory = path.parent
    refuse_cache_write(path)  # huggingface_hub would report the cache corrupt
    _refuse_special(path)
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise OutputError(f"cannot write {path}: the directory {directory} {what}")
    try:
        _write(path, directory, data)
    except OSError as exc:
        reason = _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
        raise OutputError(f"cannot write {path}: {reason}") from None


def is_partial_name(name: str) -> bool:
    """True for the name of a temporary file an interrupted write_atomic left behind."""
    return _PARTIAL.fullmatch(name) is not None


def remove_stale_partials(directory: Path, target: str | None = None) -> None:
    """Delete leftovers of interrupted writes in `directory` (of `target` only, if given)
    whose writing process is gone."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            match = _PARTIAL.fullmatch(entry.name)
            if match is None or (target is not None and match["target"] != target):
                continue
            if not _alive(int(match["pid"])) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _refuse_special(path: Path) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # absent (or a dangling symlink): created
    if not stat.S_ISREG(mode):
        kind = "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        if stat.S_ISFIFO(mode):
            kind = "a FIFO"
        elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            kind = "a device"
        elif stat.S_ISSOCK(mode):
            kind = "a socket"
        raise OutputError(f"cannot write {path}: it is {kind}, not a regular file")


def _write(path: Path, directory: Path, data: bytes) -> None:
    remove_stale_partials(directory, path.name)
    tmp = directory / f".{path.name}.{os.getpid()}-{secrets.token_hex(8)}{PARTIAL_SUFFIX}"
    fd = _open_unnamed(directory)
    named = fd is None
    if fd is None:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
            if not named:
                _link_unnamed(fd, tmp)
                named = True
        finally:
            os.close(fd)
        os.replace(tmp, path)
        named = False
        _fsync_directory(directory)
    finally:
        if named:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _open_unnamed(directory: Path) -> int | None:
    """A file in `directory` that has no name yet, or None where the system cannot."""
    if not _O_TMPFILE or not os.path.isdir("/proc/self/fd"):
        return None
    try:
        return os.open(directory, _O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o666)
    except OSError as exc:
        if exc.errno in _NO_TMPFILE:
            return None
        raise


def _link_unnamed(fd: int, name: Path) -> None:
    """Give the O_TMPFILE file `fd` a name: linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/<fd>.
    (os.link calls plain link(), which does not follow that magic link, unless a dir_fd is
    given.)"""
    proc = os.open("/proc/self/fd", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.link(str(fd), name, src_dir_fd=proc, follow_symlinks=True)
    finally:
        os.close(proc)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems cannot sync a directory
            os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
