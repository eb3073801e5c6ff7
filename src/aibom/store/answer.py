"""A query's answer written out as `aibom query` shows it: text, JSON or CSV, streamed.

Each writer writes the answer to a text stream a component at a time, so a whole answer of
thousands of components is never held as one string. The JSON is what
`json.dumps(result.as_dict(), indent=2, sort_keys=True)` holds (the same keys and values,
keys sorted, "affected" first), with each affected component on one line: the compact
encoder is several times faster than the indenting one, and the document stays valid JSON
whatever the size.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from aibom.store.queries import _KEY, _REF, Hit, QueryResult

FORMATS = ("text", "json", "csv")
CSV_HEADER = ("ref", "identity", "kind", "name", "version", "depth", "cause", "path",
              "relations")
_CHUNK = 512  # lines gathered before each write


def write_answer(result: QueryResult, fmt: str, out: TextIO, asked: str) -> None:
    """Write `result` in `fmt` (one of FORMATS) to `out`. `asked` is the query in words
    (`--license mit`), for the text header."""
    if fmt == "json":
        write_json(result, out)
    elif fmt == "csv":
        write_csv(result.hits, out)
    elif fmt == "text":
        write_text(result, out, asked)
    else:
        raise ValueError(f"unknown answer format {fmt!r}")


def write_json(result: QueryResult, out: TextIO) -> None:
    """The answer as one JSON object (the keys of QueryResult.as_dict, sorted)."""
    head = result.counts()
    out.write('{\n  "affected": [')
    lines: Iterable[str]
    walk = result._walk if result._hits is None else None  # this package's own
    if walk is not None:  # straight from the walk: no Hit, no path tuple built
        encode_node = _NodeEncoder(walk[1])
        lines = (encode_node(n) for n in walk[0])
    else:
        lines = map(_HitEncoder(), result.hits)
    _write_lines(out, (("\n    " if i == 0 else ",\n    ") + line
                       for i, line in enumerate(lines)), sep="")
    out.write("\n  ]" if result.returned else "]")
    for name in sorted(head):
        value = json.dumps(head[name], indent=2, sort_keys=True).replace("\n", "\n  ")
        out.write(f',\n  "{name}": {value}')
    out.write("\n}\n")


_string: Callable[[str], str] = json.encoder.encode_basestring_ascii
_HIT = ('{"cause": %s, "depth": %d, "identity": %s, "kind": %s, "license": %s, "name": %s, '
        '"path": [%s], "path_identities": [%s], "purl": %s, "ref": %s, "relations": [%s], '
        '"root_digest": %s, "version": %s}')


class _HitEncoder:
    """Hit.as_dict as compact JSON, keys in sorted order, what json.dumps writes for it.
    A path is its first ref and then its next hop's path, which an earlier line of the
    answer has already encoded: each path is encoded once, as a suffix, not per line."""

    def __init__(self) -> None:
        self._suffixes: dict[tuple[str, ...], str] = {(): ""}

    def _list(self, items: tuple[str, ...]) -> str:
        done = self._suffixes.get(items)
        if done is None:
            rest = self._list(items[1:])  # at most a path's length deep
            done = _string(items[0]) + (", " + rest if rest else "")
            self._suffixes[items] = done
        return done

    def __call__(self, h: Hit) -> str:
        return _HIT % (
            _string(h.path[-1]), h.depth, _string(h.key), _string(h.kind), _opt(h.license),
            _string(h.name), self._list(h.path), self._list(h.path_keys),
            _opt(h.purl), _string(h.ref), self._list(h.relations), _opt(h.root_digest),
            _opt(h.version))


class _NodeEncoder:
    """The same JSON as _HitEncoder, from the walk's nodes: each path, its identities and
    relations encoded once per component and reused as the tail of its children's."""

    def __init__(self, by_id: dict[int, Any]) -> None:
        self._by_id = by_id
        self._paths: dict[int, tuple[str, str, str, str]] = {}  # path, keys, relations, cause

    def _spell(self, i: int) -> tuple[str, str, str, str]:
        got = self._paths.get(i)
        if got is None:
            facts, _, hop, relation = self._by_id[i]
            ref, key = _string(facts[_REF]), _string(facts[_KEY])
            if hop is None:
                got = ref, key, "", ref
            else:  # at most MAX_DEPTH calls deep
                up = self._spell(hop)
                relations = _string(relation) + (", " + up[2] if up[2] else "")
                got = ref + ", " + up[0], key + ", " + up[1], relations, up[3]
            self._paths[i] = got
        return got

    def __call__(self, node: Any) -> str:
        facts, depth = node[0], node[1]
        path, keys, relations, cause = self._spell(facts[0])
        _, key, ref, kind, name, version, purl, root_digest, license_ = facts
        return _HIT % (cause, depth, _string(key), _string(kind), _opt(license_),
                       _string(name), path, keys, _opt(purl), _string(ref), relations,
                       _opt(root_digest), _opt(version))


def _opt(value: str | None) -> str:
    return "null" if value is None else _string(value)


def write_csv(hits: Iterable[Hit], out: TextIO) -> None:
    """One row per component: ref, identity, kind, name, version, depth, cause, and the
    path and its relations joined by ' > '. A cell that a spreadsheet would read as a
    formula is prefixed with a quote."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    rows: list[list[str]] = []
    for h in hits:
        rows.append([
            _cell(h.ref), _cell(h.key), _cell(h.kind), _cell(h.name), _cell(h.version or ""),
            str(h.depth), _cell(h.cause), _cell(" > ".join(h.path)),
            _cell(" > ".join(h.relations)),
        ])
        if len(rows) >= _CHUNK:
            writer.writerows(rows)
            rows = []
    writer.writerows(rows)


def _cell(text: str) -> str:
    """No spreadsheet formulas out of untrusted names."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_text(result: QueryResult, out: TextIO, asked: str) -> None:
    """A header with the counts (and the page shown), then one line per component: a
    cause, or its depth and its path back to the cause."""
    if not result.total:
        out.write(f"no component matches {asked}\n")
        return
    out.write(f"{result.total} components affected ({result.total_causes} matching {asked})\n")
    if not result.complete:
        first = result.offset + 1 if result.hits else result.offset
        out.write(f"showing {first}-{result.offset + len(result.hits)} of {result.total}\n")
    _write_lines(out, (_text_line(h) for h in result.hits))


def _text_line(h: Hit) -> str:
    if h.depth == 0:
        return f"{h.ref}  {h.kind}  cause"
    chain = [h.path[0]]
    for relation, ref in zip(h.relations, h.path[1:], strict=True):
        chain.append(f" -{relation}-> {ref}")
    return f"{h.ref}  {h.kind}  depth {h.depth}: {''.join(chain)}"


def _write_lines(out: TextIO, lines: Iterable[str], sep: str = "\n") -> None:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= _CHUNK:
            out.write(sep.join(chunk) + sep)
            chunk = []
    if chunk:
        out.write(sep.join(chunk) + sep)
