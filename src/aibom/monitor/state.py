"""The monitor's state file: the last verified tree head, `{"treeSize": N, "rootHash": hex}`.

Read strictly (anything else is an InputError and the file is left as it is); written
atomically (aibom._internal.atomic), so a crash never leaves half a state.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from aibom._internal.atomic import write_atomic
from aibom._internal.files import read_capped
from aibom.errors import InputError

MAX_STATE_BYTES = 64 << 10
_ROOT_HEX = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class TreeHead:
    size: int
    root: bytes


def read_state(path: Path) -> TreeHead | None:
    """The saved tree head; None when there is no file."""
    if not os.path.lexists(path):
        return None
    raw = read_capped(path, MAX_STATE_BYTES, "state file")
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InputError(f"state file {path} is not valid JSON") from None
    if not isinstance(document, dict) or set(document) != {"treeSize", "rootHash"}:
        raise InputError(f"state file {path} must hold exactly treeSize and rootHash")
    size, root = document["treeSize"], document["rootHash"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InputError(f"state file {path}: treeSize is not a non-negative integer")
    if not isinstance(root, str) or not _ROOT_HEX.fullmatch(root):
        raise InputError(f"state file {path}: rootHash is not 64 lowercase hex digits")
    return TreeHead(size, bytes.fromhex(root))


def write_state(path: Path, head: TreeHead) -> None:
    text = json.dumps({"treeSize": head.size, "rootHash": head.root.hex()}, indent=2) + "\n"
    write_atomic(path, text.encode())


def check_writable(path: Path) -> None:
    """Fail before any network traffic when the state could never be saved."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"state file {path}: directory {directory} does not exist")
    if os.path.isdir(path):
        raise InputError(f"state file {path} is a directory")
