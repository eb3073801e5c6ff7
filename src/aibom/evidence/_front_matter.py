"""YAML front matter of a card (README.md), parsed with bounded, safe YAML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom._internal.files import MiB, read_text

CARD_LIMIT = 1 * MiB


@dataclass(frozen=True)
class FrontMatter:
    """Front matter of a card: `data` is the mapping (empty when absent or invalid)."""

    data: dict[str, Any]
    body: str
    present: bool
    warnings: tuple[str, ...]


def split_front_matter(text: str) -> tuple[str | None, str]:
    """(YAML text or None, markdown body). Blank lines may precede the opening `---`."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start == len(lines) or lines[start].rstrip() != "---":
        return None, text
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() == "---":
            return "\n".join(lines[start + 1 : end]), "\n".join(lines[end + 1 :])
    return "", ""  # opened, never closed: caller warns


def read_front_matter(root: Path, name: str) -> FrontMatter:
    text, _truncated, warnings = read_text(root, name, CARD_LIMIT)
    if text is None:
        return FrontMatter({}, "", False, tuple(warnings))
    yaml_text, body = split_front_matter(text)
    if yaml_text is None:
        return FrontMatter({}, body, False, tuple(warnings))
    if yaml_text == "" and body == "":
        warnings.append(f"{name}: front matter opened with '---' but never closed; ignored")
        return FrontMatter({}, "", False, tuple(warnings))
    from aibom._internal.yamlio import load_yaml  # PyYAML loads only for a card that has some

    data, more = load_yaml(yaml_text, name, "front matter")
    warnings += more
    if data is None:
        return FrontMatter({}, body, True, tuple(warnings))
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "not a mapping"
        warnings.append(f"{name}: front matter is {kind}, expected a mapping; ignored")
        return FrontMatter({}, body, True, tuple(warnings))
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        warnings.append(f"{name}: {len(bad_keys)} front matter key(s) are not strings; ignored")
        data = {k: v for k, v in data.items() if isinstance(k, str)}
    return FrontMatter(data, body, True, tuple(warnings))
