"""The lineage graph for people: Graphviz DOT, Mermaid, or one self-contained HTML file.

    render_graph(graph, "dot" | "mermaid" | "html", title=...) -> str

Parents (bases, datasets) are drawn above what derives from them; an arrow points from the
derived component to its parent, dashed when the edge is only declared, solid when attested;
a dashed box is a component only named by another, not present. Names come from untrusted
AIBOMs: every format escapes them, and the HTML page runs only its own inline script (a
Content-Security-Policy pins the script and style by hash; no network, no CDN). The same
graph gives the same bytes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass

from aibom.errors import InputError
from aibom.graph import Component, Kind, Level, ProvenanceGraph

FORMATS = ("dot", "mermaid", "html")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_COLORS = {  # role -> fill
    "base": "#dbeafe", "fine-tune": "#dcfce7", "adapter": "#fef9c3", "quantized": "#f3e8ff",
    "merged": "#ffedd5", "distilled": "#fce7f3", "dataset": "#e5e7eb",
}


def render_graph(graph: ProvenanceGraph, fmt: str, *, title: str = "aibom lineage") -> str:
    if fmt == "dot":
        return to_dot(graph)
    if fmt == "mermaid":
        return to_mermaid(graph)
    if fmt == "html":
        return to_html(graph, title=title)
    raise InputError(f"unknown graph format {fmt!r} (one of: {', '.join(FORMATS)})")


def _clean(text: str, limit: int = 200) -> str:
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _subtitle(graph: ProvenanceGraph, c: Component) -> str:
    parts = [graph.role(c.ref).value]
    if c.version:
        parts.append(_clean(c.version, 40))
    parts.append("signed" if c.signature is not None else "unsigned")
    return " · ".join(parts)


# --- DOT -----------------------------------------------------------------------------------


def _dot_esc(text: str, limit: int = 4096) -> str:
    return _clean(text, limit).replace("\\", "\\\\").replace('"', '\\"')


def _dot_str(text: str) -> str:
    return f'"{_dot_esc(text)}"'


def to_dot(graph: ProvenanceGraph) -> str:
    lines = [
        "digraph aibom {",
        "  rankdir=BT;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for c in graph.components():
        role = graph.role(c.ref).value
        label = f'"{_dot_esc(c.name, 60)}\\n{_dot_esc(_subtitle(graph, c))}"'
        shape = "cylinder" if c.kind == Kind.DATASET else "box"
        style = '"rounded,filled' + ("" if c.local else ",dashed") + '"'
        lines.append(f"  {_dot_str(c.ref)} [label={label}, shape={shape}, style={style}, "
                     f'fillcolor="{_COLORS[role]}"];')
    for e in graph.edges():
        style = "solid" if e.level == Level.ATTESTED else "dashed"
        lines.append(f"  {_dot_str(e.child)} -> {_dot_str(e.parent)} "
                     f'[label="{e.relation.value}", style={style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- Mermaid -------------------------------------------------------------------------------


def _mermaid_str(text: str) -> str:
    """Mermaid label text: anything beyond a plain set becomes a #code; entity."""
    return "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in " -_./:@+,") else f"#{ord(ch)};"
        for ch in _clean(text, 120)
    )


def to_mermaid(graph: ProvenanceGraph) -> str:
    ids = {c.ref: f"n{i}" for i, c in enumerate(graph.components())}
    lines = ["flowchart BT"]
    for c in graph.components():
        role = graph.role(c.ref).value
        label = f"{_mermaid_str(c.name)}<br/>{_mermaid_str(_subtitle(graph, c))}"
        left, right = ("[(", ")]") if c.kind == Kind.DATASET else ("[", "]")
        lines.append(f'  {ids[c.ref]}{left}"{label}"{right}')
        lines.append(f"  class {ids[c.ref]} {role.replace('-', '_')}"
                     + ("" if c.local else ",declared"))
    for e in graph.edges():
        arrow = "-->" if e.level == Level.ATTESTED else "-.->"
        lines.append(f"  {ids[e.child]} {arrow}|{e.relation.value}| {ids[e.parent]}")
    for role, color in _COLORS.items():
        lines.append(f"  classDef {role.replace('-', '_')} fill:{color},stroke:#555")
    lines.append("  classDef declared stroke-dasharray:4 3")
    return "\n".join(lines) + "\n"


# --- HTML: a layered layout drawn as inline SVG --------------------------------------------

W, H, GAP_X, GAP_Y, MARGIN = 210, 50, 30, 70, 20


@dataclass
class _Box:
    ref: str
    layer: int
    x: float = 0.0
    y: float = 0.0


def layout(graph: ProvenanceGraph) -> dict[str, _Box]:
    """Layers by longest path from the parentless (parents above), then barycenter ordering
    within layers, a few sweeps; ties by ref. Deterministic; cycles are cut, not looped."""
    refs = [c.ref for c in graph.components()]
    parents = {r: sorted({e.parent for e in graph.parents(r)}) for r in refs}
    children = {r: sorted({e.child for e in graph.children(r)}) for r in refs}
    layer: dict[str, int] = {}
    cap = min(len(refs), 100)  # a cycle would push layers up forever: stop them here
    for _ in range(cap + 1):  # relax: depth + 1 rounds on an acyclic graph
        changed = False
        for r in refs:
            want = max((layer.get(p, 0) + 1 for p in parents[r] if p in layer), default=0)
            want = min(want, cap)
            if layer.get(r) != want:
                layer[r], changed = want, True
        if not changed:
            break
    for r in refs:  # a parentless input (a dataset, a base) sits just above its first user
        if not parents[r] and children[r]:
            layer[r] = max(layer[r], min(layer[c] for c in children[r]) - 1)
    rows: dict[int, list[str]] = {}
    for r in refs:
        rows.setdefault(layer[r], []).append(r)
    order = [rows[k] for k in sorted(rows)]
    for sweep in range(4):
        pos = {r: i for row in order for i, r in enumerate(row)}
        seq = range(1, len(order)) if sweep % 2 == 0 else range(len(order) - 2, -1, -1)
        for k in seq:
            near = parents if sweep % 2 == 0 else children

            def center(r: str, near: dict[str, list[str]] = near, pos: dict[str, int] = pos
                       ) -> float:
                ns = [pos[n] for n in near[r]]
                return sum(ns) / len(ns) if ns else pos[r]

            order[k] = sorted(order[k], key=lambda r: (center(r), r))
            pos.update({r: i for i, r in enumerate(order[k])})
    widest = max((len(row) for row in order), default=0)
    boxes = {}
    for k, row in enumerate(order):
        offset = (widest - len(row)) * (W + GAP_X) / 2
        for i, r in enumerate(row):
            boxes[r] = _Box(r, k, MARGIN + offset + i * (W + GAP_X), MARGIN + k * (H + GAP_Y))
    return boxes


def _svg(graph: ProvenanceGraph, boxes: dict[str, _Box], ids: dict[str, str]) -> str:
    e = html.escape
    widest = max((b.x for b in boxes.values()), default=0) + W + MARGIN
    tallest = max((b.y for b in boxes.values()), default=0) + H + MARGIN
    out = [
        f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="{widest:.0f}" '
        f'height="{tallest:.0f}" viewBox="0 0 {widest:.0f} {tallest:.0f}" role="img">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>',
    ]
    labels = len(graph.edges()) <= 80
    edges = graph.edges()
    # spread each box's out-edges over its top and in-edges over its bottom, ordered by
    # where the other end is, so edges do not start or end on one point
    outs: dict[str, list[int]] = {}
    ins: dict[str, list[int]] = {}
    for i, edge in enumerate(edges):
        outs.setdefault(edge.child, []).append(i)
        ins.setdefault(edge.parent, []).append(i)
    start: dict[int, float] = {}
    end: dict[int, float] = {}
    for ref, idx in outs.items():
        idx.sort(key=lambda i: (boxes[edges[i].parent].x, edges[i].relation.value))
        start.update({i: boxes[ref].x + W * (k + 1) / (len(idx) + 1) for k, i in enumerate(idx)})
    for ref, idx in ins.items():
        idx.sort(key=lambda i: (boxes[edges[i].child].x, edges[i].relation.value))
        end.update({i: boxes[ref].x + W * (k + 1) / (len(idx) + 1) for k, i in enumerate(idx)})
    for i, edge in enumerate(edges):
        child, parent = boxes[edge.child], boxes[edge.parent]
        x1, y1, x2, y2 = start[i], child.y, end[i], parent.y + H
        if child.y <= parent.y:  # against the layering (a cycle): from the side
            x1, y1, x2, y2 = child.x + W, child.y + H / 2, parent.x + W, parent.y + H / 2
        bend = max(abs(y1 - y2) / 2, 30)
        cls = "edge" + (" declared" if edge.level != Level.ATTESTED else "")
        label = (f'<text x="{x1 + (x2 - x1) * 0.3:.1f}" y="{y1 + (y2 - y1) * 0.3:.1f}">'
                 f"{edge.relation.value}</text>") if labels else ""
        out.append(
            f'<g class="{cls}" data-from="{ids[edge.child]}" data-to="{ids[edge.parent]}">'
            f'<path d="M{x1:.1f},{y1:.1f} C{x1:.1f},{y1 - bend:.1f} {x2:.1f},{y2 + bend:.1f} '
            f'{x2:.1f},{y2:.1f}" marker-end="url(#arrow)"/>'
            f"<title>{e(edge.child)} {edge.relation.value} {e(edge.parent)} "
            f"({edge.level.value})</title>{label}</g>"
        )
    for c in graph.components():
        b, role = boxes[c.ref], graph.role(c.ref).value
        cls = f"node role-{role}" + ("" if c.local else " declared")
        out.append(
            f'<g class="{cls}" id="{ids[c.ref]}" data-ref="{e(c.ref)}" tabindex="0">'
            f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{W}" height="{H}" rx="8"/>'
            f'<text x="{b.x + 10:.1f}" y="{b.y + 21:.1f}">{e(_clean(c.name, 30))}</text>'
            f'<text class="sub" x="{b.x + 10:.1f}" y="{b.y + 39:.1f}">'
            f"{e(_clean(_subtitle(graph, c), 36))}</text>"
            f"<title>{e(_clean(c.ref, 1000))}</title></g>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _facts(graph: ProvenanceGraph, c: Component) -> list[list[str]]:
    facts: list[list[str | None]] = [
             ["ref", c.ref], ["kind", c.kind.value], ["role", graph.role(c.ref).value],
             ["name", c.name], ["version", c.version], ["license", c.license],
             ["purl", c.purl], ["root digest", c.root_digest],
             ["present", "yes" if c.local else "no (only named by another component)"]]
    if c.signature is not None:
        s = c.signature.signer
        facts += [["signed by", s.identity or s.certificate_fingerprint
                   or s.public_key_fingerprint or s.public_key_hint],
                  ["signing method", s.method], ["issuer", s.issuer]]
    facts += [["derives from", f"{e.relation.value} {e.parent} ({e.level.value})"]
              for e in graph.parents(c.ref)]
    facts += [["used by", f"{e.child} ({e.relation.value})"] for e in graph.children(c.ref)]
    return [[str(k), _clean(v, 2000)] for k, v in facts if v]


_STYLE = """
body{font:14px system-ui,sans-serif;margin:0;display:flex;height:100vh}
main{flex:1;overflow:auto}aside{width:340px;border-left:1px solid #ccc;padding:12px;
overflow:auto;background:#fafafa}h1{font-size:16px;margin:12px 20px}
input{width:100%;box-sizing:border-box;padding:4px;margin-bottom:8px}
.node rect{stroke:#555;stroke-width:1.2}.node text{font-size:13px}.node .sub{font-size:11px;
fill:#444}.node{cursor:pointer}.node.declared rect{stroke-dasharray:5 3}
.node.sel rect{stroke:#d00;stroke-width:3}.node.match rect{stroke:#06c;stroke-width:3}
.edge path{fill:none;stroke:#777;stroke-width:1.3}.edge.declared path{stroke-dasharray:5 4}
.edge text{font-size:10px;fill:#555;text-anchor:middle;paint-order:stroke;
stroke:#fff;stroke-width:3px}.edge.hl path{stroke:#d00;stroke-width:2.5}
dl{margin:0}dt{font-weight:600;margin-top:6px}dd{margin:0;word-break:break-all}
""" + "".join(f".role-{r} rect{{fill:{c}}}" for r, c in _COLORS.items())

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("aibom-data").textContent);
  var nodes = Array.prototype.slice.call(document.querySelectorAll("g.node"));
  var edges = Array.prototype.slice.call(document.querySelectorAll("g.edge"));
  var panel = document.getElementById("details");
  function show(node) {
    nodes.forEach(function (n) { n.classList.toggle("sel", n === node); });
    edges.forEach(function (e) {
      e.classList.toggle("hl", e.dataset.from === node.id || e.dataset.to === node.id);
    });
    var list = document.createElement("dl");
    (data.nodes[node.id] || []).forEach(function (fact) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = fact[0];
      dd.textContent = fact[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
    panel.replaceChildren(list);
  }
  nodes.forEach(function (n) {
    n.addEventListener("click", function () { show(n); });
    n.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { show(n); } });
  });
  document.getElementById("search").addEventListener("input", function (ev) {
    var q = ev.target.value.toLowerCase();
    nodes.forEach(function (n) {
      n.classList.toggle("match", q !== "" && n.dataset.ref.toLowerCase().indexOf(q) >= 0);
    });
  });
  var ok = document.createElement("p");
  ok.id = "aibom-ok";
  ok.dataset.nodes = String(nodes.length);
  ok.dataset.edges = String(edges.length);
  ok.textContent = nodes.length + " components, " + edges.length + " edges";
  document.getElementById("status").appendChild(ok);
})();
"""


def _sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def to_html(graph: ProvenanceGraph, *, title: str = "aibom lineage") -> str:
    ids = {c.ref: f"n{i}" for i, c in enumerate(graph.components())}
    data = {"nodes": {ids[c.ref]: _facts(graph, c) for c in graph.components()}}
    blob = json.dumps(data, sort_keys=True, ensure_ascii=True)
    blob = blob.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    csp = f"default-src 'none'; script-src {_sha(_SCRIPT)}; style-src {_sha(_STYLE)}"
    t = html.escape(_clean(title, 200))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        f"<title>{t}</title>\n<style>{_STYLE}</style></head>\n<body>\n"
        f"<main><h1>{t}</h1>\n{_svg(graph, layout(graph), ids)}\n</main>\n"
        '<aside><input id="search" type="search" placeholder="find a component" '
        'aria-label="find a component"><div id="details"><p>Click a component for its '
        'facts. Arrows point from a component to what it derives from; dashed: declared '
        'only.</p></div><div id="status"></div></aside>\n'
        f'<script type="application/json" id="aibom-data">{blob}</script>\n'
        f"<script>{_SCRIPT}</script>\n</body></html>\n"
    )
