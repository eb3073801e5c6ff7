"""Checks on parsed JSON text shared by every reader."""

from __future__ import annotations

import json
from typing import Any


def has_lone_surrogate(raw: bytes | str, document: Any) -> bool:
    """True when a \\uD800-\\uDFFF escape decoded to a character UTF-8 cannot encode."""
    marker = b"\\u" if isinstance(raw, bytes) else "\\u"
    if marker not in raw:
        return False
    try:
        json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    except (ValueError, RecursionError):
        return False
    return False
