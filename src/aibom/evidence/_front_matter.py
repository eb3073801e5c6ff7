"""YAML front matter of a card (README.md), parsed with bounded, safe YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

from aibom.evidence._io import MiB, one_line, read_text

CARD_LIMIT = 1 * MiB
# Bound on the size of the YAML tree with every alias expanded: a real card is far below
# (the 71 KB gte card with 990 metrics is about 8,000 nodes), a billion-laughs bomb far above.
MAX_NODES = 200_000
MAX_DEPTH = 64


# libyaml when present: the pure-Python parser takes seconds on a hostile 1 MiB card.
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CardLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader (no python/* tags) whose booleans follow YAML 1.2."""


# The Hub reads card metadata as YAML 1.2, where only true/false are booleans: `language: no`
# is Norwegian, not False. PyYAML follows YAML 1.1, so swap its boolean rule.
CardLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
CardLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _tree_problem(text: str) -> str | None:
    """Walk the event stream (no recursion, nothing built) and bound the tree it describes.

    PyYAML turns an alias into a shared reference, so a billion-laughs bomb loads quickly but
    explodes in whoever walks the result; here every alias counts with the full size of what
    it refers to. Deep nesting is refused before the (recursive) composer sees it.
    """
    sizes: dict[str, int] = {}
    open_anchors: set[str] = set()
    stack: list[list[Any]] = []  # [size so far, anchor] per open collection
    total = 0
    for event in yaml.parse(text, Loader=CardLoader):
        if isinstance(event, AliasEvent):
            if event.anchor in open_anchors:
                return "an alias refers to the collection that contains it"
            size = sizes.get(event.anchor, 1)
        elif isinstance(event, ScalarEvent):
            size = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, CollectionStartEvent):
            total += 1
            if len(stack) >= MAX_DEPTH:
                return f"nested deeper than {MAX_DEPTH} levels"
            stack.append([1, event.anchor])
            if event.anchor:
                open_anchors.add(event.anchor)
            continue
        elif isinstance(event, CollectionEndEvent):
            size, anchor = stack.pop()
            if anchor:
                sizes[anchor] = size
                open_anchors.discard(anchor)
            if stack:
                stack[-1][0] += size
            continue
        else:
            continue
        total += size
        if stack:
            stack[-1][0] += size
        if total > MAX_NODES:
            return f"more than {MAX_NODES} nodes once aliases are expanded"
    return None


def load_yaml(text: str, where: str) -> tuple[Any, list[str]]:
    """Parse one YAML document safely; (None, [warning]) when it is refused or invalid."""
    try:
        problem = _tree_problem(text)
        if problem:
            return None, [f"{where}: front matter refused: {problem}"]
        return yaml.load(text, Loader=CardLoader), []  # a SafeLoader: no python/* tags
    except yaml.YAMLError as err:
        return None, [f"{where}: front matter is not valid YAML: {_yaml_problem(err)}"]
    except (ValueError, RecursionError) as err:
        reason = one_line(str(err)) or "too deep"
        return None, [f"{where}: front matter is not valid YAML: {reason}"]


def _yaml_problem(err: yaml.YAMLError) -> str:
    problem = getattr(err, "problem", None)
    mark = getattr(err, "problem_mark", None)
    if problem:
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return one_line(f"{problem}{where}")
    return one_line(str(err))


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
    data, more = load_yaml(yaml_text, name)
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
