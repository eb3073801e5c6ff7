"""Bounded, safe YAML: no python/* tags, no alias bombs, no deep nesting, YAML 1.2 booleans.

Used for model and dataset cards (front matter) and verify-chain policies.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

from aibom._internal.text import one_line

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlLoader", "load_yaml"]

# Bound on the size of the YAML tree with every alias expanded: a real card is far below
# (the 71 KB gte card with 990 metrics is about 8,000 nodes), a billion-laughs bomb far above.
MAX_NODES = 200_000
MAX_DEPTH = 64


# libyaml when present: the pure-Python parser takes seconds on a hostile 1 MiB card.
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader (no python/* tags) whose booleans follow YAML 1.2."""


# The Hub reads card metadata as YAML 1.2, where only true/false are booleans: `language: no`
# is Norwegian, not False. PyYAML follows YAML 1.1, so swap its boolean rule.
YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
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
    depth = _flow_depth(text)
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    for event in yaml.parse(text, Loader=YamlLoader):
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


def load_yaml(text: str, where: str, what: str = "") -> tuple[Any, list[str]]:
    """Parse one YAML document safely; (None, [warning]) when it is refused or invalid.

    Warnings read `<where>: [<what> ]refused: ...` or `<where>: [<what> is ]not valid YAML: ...`.
    """
    refused, invalid = (f"{what} refused", f"{what} is not valid YAML") if what else (
        "refused", "not valid YAML")
    try:
        problem = _tree_problem(text)
        if problem:
            return None, [f"{where}: {refused}: {problem}"]
        return yaml.load(text, Loader=YamlLoader), []  # a SafeLoader: no python/* tags
    except yaml.YAMLError as err:
        return None, [f"{where}: {invalid}: {_yaml_problem(err)}"]
    except (ValueError, RecursionError) as err:
        reason = one_line(str(err)) or "too deep"
        return None, [f"{where}: {invalid}: {reason}"]


def _yaml_problem(err: yaml.YAMLError) -> str:
    problem = getattr(err, "problem", None)
    mark = getattr(err, "problem_mark", None)
    if problem:
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        return one_line(f"{problem}{where}")
    return one_line(str(err))


def _flow_depth(text: str) -> int:
    """The deepest run of unclosed [ and { in `text`, an upper bound of its flow nesting.

    Checked before parsing because libyaml's scanner looks ahead (for simple keys) and, from
    PyYAML 6.0.4, stops at its own limit with its own words before the events reach the
    walk below; brackets inside scalars only make the bound larger, never smaller."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


_BRACKETS = re.compile(r"[\[\]{}]")
