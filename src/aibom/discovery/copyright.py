"""Copyright notices a model or dataset directory states itself, never invented.

A notice is a line of the card (README.md) or a licence/notice file that starts with
"Copyright" or "©" and names a year, e.g. `Copyright (c) 2024 Acme Inc.`. Licence templates
(`Copyright [yyyy] [name of copyright owner]`, `Copyright (c) <year> <copyright holders>`) and
prose that merely mentions copyright name no year and are not notices.
"""

from __future__ import annotations

import re
from pathlib import Path

from aibom._internal.files import read_text
from aibom._internal.text import KiB
from aibom.errors import InputError

NOTICE_FILES = ("README.md", "LICENSE", "LICENSE.md", "LICENSE.txt", "COPYING", "NOTICE",
                "NOTICE.md", "NOTICE.txt")
_READ_LIMIT = 256 * KiB  # a notice sits at the start or end of a card; larger files: the start
_MAX_NOTICES = 8
_MAX_LENGTH = 200
_NOTICE = re.compile(
    r"^[\s>*#-]*((?:copyright|\(c\)|©)(?:\s*(?:\(c\)|©))?\s+(?:19|20)\d\d\b[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)


def copyright_notice(directory: Path) -> str | None:
    """The distinct copyright notices the directory's card and licence files state, one per
    line in file order; None when they state none."""
    notices: list[str] = []
    for name in NOTICE_FILES:
        if not (directory / name).is_file():
            continue
        try:
            text, _truncated, _warnings = read_text(directory, name, _READ_LIMIT)
        except InputError:  # a name leading out of the directory: the card reader reports it
            continue
        for match in _NOTICE.finditer(text or ""):
            notice = " ".join(match.group(1).split()).rstrip("*_ ")  # markdown emphasis
            if len(notice) <= _MAX_LENGTH and notice not in notices:
                notices.append(notice)
    return "\n".join(notices[:_MAX_NOTICES]) or None
