"""Safe reading of files inside a model or dataset directory.

Rule, the same for every reader: a name that is not a plain relative name, or that resolves
(through symlinks) outside the directory, raises InputError. Everything else that can go wrong
with a file (missing, unreadable, not a regular file, too large, not UTF-8, not JSON) is a
warning string, and the caller carries on with what it has.
"""

from __future__ import annotations

import codecs
import json
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from aibom.errors import InputError
from aibom.jsontext import has_lone_surrogate
from aibom.sources.containment import Containment

KiB = 1024
MiB = 1024 * KiB

def human_size(n: int) -> str:
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= KiB and n % KiB == 0:
        return f"{n // KiB} KiB"
    return f"{n} bytes"


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
        raise InputError(f"{path}: cannot open directory: {_reason(err)}") from None
    if not resolved.is_dir():
        raise InputError(f"{path}: not a directory")
    return resolved


def resolve_inside(root: Path, name: str) -> Path:
    """Real path of `name` under `root`, under the one containment rule
    (aibom.sources.containment: inside the directory, or a cache link to its own blob).

    Raises InputError when the name is unsafe or resolves outside the directory,
    OSError when it cannot be resolved (e.g. a symlink loop).
    """
    reason = unsafe_name_reason(name)
    if reason:
        raise InputError(f"{name!r}: refused, the name {reason}")
    containment = Containment(root)
    return Path(containment.resolve(os.path.join(containment.root, name), name))


@contextmanager
def open_inside(root: Path, name: str) -> Iterator[tuple[BinaryIO, int]]:
    """Open a regular file inside `root` for binary reading; yields (file, size on disk)."""
    target = resolve_inside(root, name)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(target, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{name} is not a regular file")
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle, info.st_size


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
        return None, [f"{name}: cannot read: {_reason(err)}"]


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
    """Parsed JSON of `name`, or (None, warnings). A file over `limit` bytes is not parsed."""
    blob, warnings = read_bytes(root, name, limit)
    if blob is None:
        return None, warnings
    if blob.truncated:
        return None, [f"{name}: larger than {human_size(limit)}; not parsed"]
    text, warnings = decode_text(blob)
    try:
        document = json.loads(text)
        if has_lone_surrogate(text, document):
            return None, [*warnings, f"{name}: not valid JSON: a lone UTF-16 surrogate escape"]
        return document, warnings
    except json.JSONDecodeError as err:
        where = f"line {err.lineno}, column {err.colno}"
        return None, [*warnings, f"{name}: not valid JSON: {err.msg} ({where})"]
    except RecursionError:
        return None, [*warnings, f"{name}: not parsed: JSON nested too deeply"]
    except ValueError as err:  # e.g. an integer with too many digits
        return None, [*warnings, f"{name}: not valid JSON: {one_line(str(err))}"]


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return one_line(str(err)) or type(err).__name__


def one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
