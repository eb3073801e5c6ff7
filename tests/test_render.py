"""DOT, Mermaid and HTML renderings: escaped, deterministic; the HTML page opens in headless
Chromium without an error (its script writes a marker once it has run)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support.estates import component

from aibom.build import read_document
from aibom.errors import InputError
from aibom.graph import Edge, Kind, Level, ProvenanceGraph, Relation
from aibom.render import layout, render_graph, to_dot, to_html, to_mermaid

GOLDEN = Path(__file__).resolve().parent / "golden" / "samples.cdx.json"
EVIL = 'evil"</script><img src=x onerror=alert(1)>\n`${x}`\\ -->|x| n0;'


def hostile_graph() -> ProvenanceGraph:
    g = ProvenanceGraph()
    g.add_component(component(f"model:{EVIL}", signer=-1))
    g.add_component(component("dataset:d&d", kind=Kind.DATASET, local=False))
    g.add_component(component("adapter:lora", kind=Kind.ADAPTER))
    g.add_edge(Edge(Relation.TRAINED_ON, f"model:{EVIL}", "dataset:d&d"))
    g.add_edge(Edge(Relation.ADAPTER_OF, "adapter:lora", f"model:{EVIL}", Level.ATTESTED))
    return g


def test_dot_escapes() -> None:
    dot = to_dot(hostile_graph())
    assert dot.startswith("digraph aibom {\n") and dot.endswith("}\n")
    assert dot.count("\n") == 10  # one line each: header 4, nodes 3, edges 2, close 1
    for line in dot.splitlines()[4:-1]:  # every quote inside a string is escaped
        assert len(re.findall(r'(?<!\\)"', line)) % 2 == 0


def test_mermaid_escapes() -> None:
    text = to_mermaid(hostile_graph())
    for forbidden in ('"</', "<img", "`", "|x|", "\\"):
        assert forbidden not in text
    assert '  n0["lora<br/>adapter #183; signed"]' in text
    assert "  n0 -->|adapter_of| n2" in text and "  n2 -.->|trained_on| n1" in text


def test_html_escapes_and_is_self_contained() -> None:
    page = to_html(hostile_graph(), title=EVIL)
    assert "<img" not in page and "</script><" not in page.split("<script>")[0]
    assert page.count("<script") == 2 and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r'\b(src|href)\s*=\s*"', page)  # nothing loaded from anywhere
    data = re.search(r'<script type="application/json" id="aibom-data">(.*?)</script>', page)
    assert data
    names = [v for facts in json.loads(data.group(1))["nodes"].values()
             for k, v in facts if k == "name"]
    assert EVIL.replace("\n", " ") in names  # intact, as data (control characters: spaces)


def test_deterministic_and_layered() -> None:
    g = read_document(GOLDEN)
    for fmt in ("dot", "mermaid", "html"):
        assert render_graph(g, fmt) == render_graph(read_document(GOLDEN), fmt)
    boxes = layout(g)
    for e in g.edges():  # parents are drawn above what derives from them
        assert boxes[e.parent].y < boxes[e.child].y
    with pytest.raises(InputError):
        render_graph(g, "png")


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return name
    pytest.skip("no chromium to open the HTML with (.ci/chromium.sh installs it)")


def test_html_opens_in_headless_chromium(tmp_path: Path) -> None:
    g = read_document(GOLDEN)
    for c in hostile_graph().components():
        g.add_component(c)
    for e in hostile_graph().edges():
        g.add_edge(e)
    page = tmp_path / "lineage.html"
    page.write_text(to_html(g, title=EVIL), encoding="utf-8")
    browser = chromium()
    try:
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--no-first-run",
             "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
             "--enable-logging=stderr", "--v=0", "--virtual-time-budget=3000", "--dump-dom",
             page.as_uri()],
            capture_output=True, text=True, timeout=90, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("headless chromium did not finish within 90 s")
    dom = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    marker = re.search(r'<p id="aibom-ok" data-nodes="(\d+)" data-edges="(\d+)">', dom)
    assert marker, f"the page's script did not run: {done.stderr[-2000:]}"
    assert (int(marker.group(1)), int(marker.group(2))) == (len(g), len(g.edges()))
    for i in range(len(g)):
        assert f'id="n{i}"' in dom
    assert "<img" not in dom  # the hostile name stayed text
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == [], console  # no script error, no CSP violation
