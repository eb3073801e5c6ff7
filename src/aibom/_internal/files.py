"""Reading untrusted files: never blocking, never more than a cap, errors as one line.

Two families of readers:

- `open_regular` / `read_capped` for a path the user named (a signature, an AIBOM, a policy,
  a key). The file is opened non-blocking and checked with fstat before a byte is read, so a
  FIFO, a device or a socket is refused at once instead of hanging the process.
- `resolve_inside` / `open_inside` / `read_bytes` / `read_text` / `read_json` for a name
  inside a model or dataset directory. A name that is not a plain relative name, or that
  resolves (through symlinks) outside the directory, raises InputError; everything else that
  can go wrong with such a file (missing, unreadable, not a regular file, too large, not
  UTF-8, not JSON) is a warning string, and the caller carries on with what it has.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from aibom._internal.jsonio import load_json
from aibom._internal.text import KiB, MiB, human_size, one_line
from aibom.errors import InputError
from aibom.sources.containment import Containment

__all__ = [
    "SMALL_FILE_LIMIT",
    "Blob",
    "KiB",
    "MiB",
    "decode_text",
    "human_size",
    "open_inside",
    "open_regular",
    "read_bytes",
    "read_capped",
    "read_json",
    "read_text",
    "real_dir",
    "resolve_inside",
    "unsafe_name_reason",
]

SMALL_FILE_LIMIT = 1 * MiB  # keys, certificates, tokens, trust configs

_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

class NotRegularFile(OSError):
    """The path names a FIFO, device, socket or directory: nothing aibom reads."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


@contextmanager
def open_regular(
    path: Path | str, *, follow_symlinks: bool = True
) -> Iterator[tuple[BinaryIO, int]]:
    """Open a regular file for binary reading without ever blocking; yields (file, size).

    O_NONBLOCK makes opening a FIFO return at once (instead of waiting for a writer), and
    fstat on the open descriptor (no race with a rename) refuses anything but a regular file
    with NotRegularFile. Other failures raise the OSError of the open.
    """
    flags = _READ_FLAGS | (0 if follow_symlinks else _NOFOLLOW)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(f"is {_kind(info.st_mode)}, not a regular file")
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle, info.st_size


def read_capped(path: Path | str, limit: int, what: str = "") -> bytes:
    """The bytes of `path`; InputError when it cannot be read, is not a regular file or holds
    more than `limit` bytes (at most limit + 1 bytes are read, whatever the file's size)."""
    label = f"{what} {path}" if what else str(path)
    try:
        with open_regular(path) as (handle, _size):
            raw = handle.read(limit + 1)
    except NotRegularFile as exc:
        raise InputError(f"cannot read {label}: it {exc}") from None
    except OSError as exc:
        raise InputError(f"cannot read {label}: {describe_error(exc)}") from None
    if len(raw) > limit:
        raise InputError(f"{label} is larger than {human_size(limit)}")
    return raw


def describe_error(err: BaseException) -> str:
    """The short cause of an error, for a one-line message."""
    if isinstance(err, NotRegularFile):
        return str(err)
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return one_line(str(err)) or type(err).__name__


def unsafe_name_reason(name: object) -> str | None:
    """Why `name` is not a plain relative name inside a directory, or None when it is."""
    if not isinstance(name, str) or not name:
        return "empty or not a string"
    if "\x00" in name:
        return "contains a NUL byte"
    if "\\" in name:
        return "contains a backslash"
    if name.startswith("/") or (len(name) >= 2 and name[1] == ":"):
        return "is an absolute path"
    if any(part == ".." for part in name.split("/")):
        return "contains '..'"
    return None


def real_dir(path: Path | str) -> Path:
    """Resolve a directory given by the user; InputError if it is not one."""
    try:
        resolved = Path(path).resolve(strict=True)
    except (OSError, RuntimeError) as err:
        raise InputError(f"{path}: cannot open directory: {describe_error(err)}") from None
    if not resolved.is_dir():
        raise InputError(f"{path}: not a directory")
    return resolved


def resolve_inside(root: Path, name: str) -> Path:
    """Real path of `name` under `root`, under the one containment rule
    (aibom.sources.containment: inside the directory, or a cache link to its own blob).

    Raises InputError when the name is unsafe or resolves outside the directory,
    OSError when it cannot be resolved (e.g. a symlink loop).
    """
    problem = unsafe_name_reason(name)
    if problem:
        raise InputError(f"{name!r}: refused, the name {problem}")
    containment = Containment(root)
    return Path(containment.resolve(os.path.join(containment.root, name), name))


@contextmanager
def open_inside(root: Path, name: str) -> Iterator[tuple[BinaryIO, int]]:
    """Open a regular file inside `root` for binary reading; yields (file, size on disk)."""
    target = resolve_inside(root, name)
    with open_regular(target, follow_symlinks=False) as opened:
        yield opened


@dataclass(frozen=True)
class Blob:
    """The first bytes of a file (at most the caller's limit) and its full size."""

    name: str
    data: bytes
    size: int

    @property
    def truncated(self) -> bool:
        return len(self.data) < self.size


def read_bytes(root: Path, name: str, limit: int) -> tuple[Blob | None, list[str]]:
    """Up to `limit` bytes of `name`; (None, warnings) when it cannot be read."""
    try:
        with open_inside(root, name) as (handle, size):
            return Blob(name, handle.read(limit), size), []
    except FileNotFoundError:
        return None, [f"{name}: not found"]
    except OSError as err:
        return None, [f"{name}: cannot read: {describe_error(err)}"]


def decode_text(blob: Blob) -> tuple[str, list[str]]:
    """UTF-8 text of a blob (BOM dropped); bad bytes are replaced, with a warning."""
    data = blob.data.removeprefix(codecs.BOM_UTF8)
    # When the blob was cut at the limit, a character may be cut in two: leave that part out.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return decoder.decode(data, final=not blob.truncated), []
    except UnicodeDecodeError as err:
        text = codecs.getincrementaldecoder("utf-8")("replace").decode(
            data, final=not blob.truncated
        )
        return text, [
            f"{blob.name}: not valid UTF-8 (byte {err.start}); undecodable bytes replaced"
        ]


def read_text(root: Path, name: str, limit: int) -> tuple[str | None, bool, list[str]]:
    """(text, truncated, warnings); text is None when the file cannot be read."""
    blob, warnings = read_bytes(root, name, limit)
    if blob is None:
        return None, False, warnings
    if blob.truncated:
        warnings.append(f"{name}: larger than {human_size(limit)}; only the start was read")
    text, more = decode_text(blob)
    return text, blob.truncated, warnings + more


def read_json(root: Path, name: str, limit: int) -> tuple[Any, list[str]]:
    """Parsed JSON of `name` (the strict loader's rules), or (None, warnings). A file over
    `limit` bytes is not parsed."""
    blob, warnings = read_bytes(root, name, limit)
    if blob is None:
        return None, warnings
    if blob.truncated:
        return None, [f"{name}: larger than {human_size(limit)}; not parsed"]
    text, warnings = decode_text(blob)
    try:
        return load_json(text, name), warnings
    except InputError as err:
        return None, [*warnings, err.one_line()]
