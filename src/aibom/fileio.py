"""Reading untrusted files: never more than a cap, and errors as one line."""

from __future__ import annotations

from pathlib import Path

from aibom.errors import InputError


def read_capped(path: Path, limit: int, what: str = "") -> bytes:
    """The bytes of `path`; InputError when it cannot be read or holds more than `limit`
    bytes (at most limit + 1 bytes are read, whatever the file's size)."""
    label = f"{what} {path}" if what else str(path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read {label}: {exc.strerror}") from None
    if len(raw) > limit:
        raise InputError(f"{label} is larger than {limit >> 20} MiB")
    return raw
