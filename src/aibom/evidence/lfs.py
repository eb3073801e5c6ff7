"""Git LFS pointer files: what a weight file is in a clone made without `git lfs pull`."""

from __future__ import annotations

import re
from dataclasses import dataclass

POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"
POINTER_MAX_SIZE = 1024  # the spec caps pointer files well below this
_OID = re.compile(r"^oid sha256:([0-9a-f]{64})$")
_SIZE = re.compile(r"^size (\d{1,20})$")


@dataclass(frozen=True)
class LfsPointer:
    oid_sha256: str | None  # digest of the real file
    size: int | None  # size of the real file in bytes


def parse_lfs_pointer(data: bytes) -> LfsPointer | None:
    """The pointer in `data`, or None when `data` is not an LFS pointer file."""
    if not data.startswith(POINTER_PREFIX) or len(data) > POINTER_MAX_SIZE:
        return None
    oid = size = None
    for line in data.decode("utf-8", "replace").splitlines():
        if match := _OID.match(line.strip()):
            oid = match.group(1)
        elif match := _SIZE.match(line.strip()):
            size = int(match.group(1))
    return LfsPointer(oid, size)
