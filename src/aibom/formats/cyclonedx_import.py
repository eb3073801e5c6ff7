"""CycloneDX JSON -> ProvenanceGraph.

A document written by `export_cyclonedx` reads back into an equal graph: components carrying
`aibom:kind` are read from their `aibom:` properties and standard fields, and their edges
only from `aibom:edge:*` (dependencies, pedigree and modelCard datasets are derived views).
Any other `machine-learning-model` or `data` component (cdxgen and other producers) is read
as well as it can be: its edges come from dependencies, pedigree.ancestors and
modelCard.modelParameters.datasets, all at level `declared`.
The input is untrusted: every failure is one InputError line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aibom._internal.jsonio import load_json
from aibom.errors import InputError
from aibom.formats import _common as cc
from aibom.formats import vocabulary as v
from aibom.formats._cdx_props import decode_card, decode_signature
from aibom.formats._cdx_read import (
    as_dict,
    as_list,
    as_str,
    first,
    hashes,
    opt_str,
    properties,
    refs,
)
from aibom.graph import (
    Component,
    Derivation,
    Edge,
    FileDigest,
    GraphError,
    Kind,
    Level,
    ProvenanceGraph,
    Relation,
)

MAX_NESTING = 32  # nested components and pedigree ancestors followed this deep
_NOTE_RELATION = re.compile(r"relation:\s*([A-Za-z_-]+)", re.IGNORECASE)
_FOREIGN_RELATIONS = {  # aibom's words, and what other producers write in pedigree notes
    **{word.value: word.relation for word in Derivation},
    "merged": Relation.MERGED_FROM,
    "distilled": Relation.DISTILLED_FROM,
    "distillation": Relation.DISTILLED_FROM,
    "fine-tune": Relation.FINETUNED_FROM,
    "fine_tune": Relation.FINETUNED_FROM,
}


@dataclass
class _Entry:
    """One ML or data component of the document, before it becomes a graph Component."""

    raw: dict[str, Any]
    where: str
    ref: str
    props: v.Props
    own: bool  # written by aibom: edges come from aibom:edge properties only


# --- the document -----------------------------------------------------------------------


def import_cyclonedx(text: str | bytes, *, source: str = "AIBOM") -> ProvenanceGraph:
    """Read a CycloneDX JSON BOM into a ProvenanceGraph; InputError on anything malformed."""
    return read_cyclonedx(load_json(text, source), source)


def read_cyclonedx(document: Any, source: str) -> ProvenanceGraph:
    """A CycloneDX BOM parsed by `_internal.jsonio.load_json` -> ProvenanceGraph."""
    doc = as_dict(document, source)
    if doc.get("bomFormat") != "CycloneDX":
        raise InputError(f"{source}: not a CycloneDX document (bomFormat is not 'CycloneDX')")
    entries = _collect(doc, source)
    graph = ProvenanceGraph()
    for entry in entries.values():
        graph.add_component(_component(entry))
    try:
        for entry in entries.values():
            if entry.own:
                for edge in _own_edges(entry):
                    _need(graph, edge.parent, entry, "edge parent")
                    graph.add_edge(edge)
        _foreign_edges(doc, entries, graph, source)
    except GraphError as exc:
        raise InputError(f"{source}: {exc}") from None
    return graph


def _collect(doc: dict[str, Any], source: str) -> dict[str, _Entry]:
    found: dict[str, _Entry] = {}
    roots: list[tuple[Any, str]] = []
    meta = as_dict(doc.get("metadata") or {}, f"{source}: metadata")
    if meta.get("component") is not None:
        roots.append((meta["component"], f"{source}: metadata.component"))
    roots += [(c, f"{source}: components[{i}]")
              for i, c in enumerate(as_list(doc.get("components"), f"{source}: components"))]
    for i, f in enumerate(as_list(doc.get("formulation"), f"{source}: formulation")):
        f = as_dict(f, f"{source}: formulation[{i}]")
        roots += [(c, f"{source}: formulation[{i}].components[{j}]") for j, c in
                  enumerate(as_list(f.get("components"), f"{source}: formulation[{i}].components"))]
    stack = [(raw, where, 0) for raw, where in reversed(roots)]
    while stack:
        raw, where, depth = stack.pop()
        raw = as_dict(raw, where)
        ctype = as_str(raw.get("type"), f"{where}.type")
        if depth > MAX_NESTING:
            raise InputError(f"{where}: components nested deeper than {MAX_NESTING} levels")
        if ctype in (cc.ML_TYPE, cc.DATA_TYPE):
            ref = raw.get("bom-ref")
            if ref is None:
                raise InputError(f"{where}: {ctype} component without a bom-ref")
            ref = as_str(ref, f"{where}.bom-ref")
            if not ref:
                raise InputError(f"{where}: empty bom-ref")
            if ref in found:
                raise InputError(f"{where}: duplicate bom-ref {ref!r}")
            props = properties(raw.get("properties"), where)
            found[ref] = _Entry(raw, where, ref, props, props.get(v.P_KIND) is not None)
        children = as_list(raw.get("components"), f"{where}.components")
        stack += [(c, f"{where}.components[{i}]", depth + 1)
                  for i, c in reversed(list(enumerate(children)))]
    return found


def _component(e: _Entry) -> Component:
    raw, where, props = e.raw, e.where, e.props
    ctype = raw["type"]
    kind = _kind(e)
    name = as_str(raw.get("name"), f"{where}.name")
    license_, license_url, warnings = _license(raw, props, where)
    return Component(
        ref=e.ref,
        kind=kind,
        name=name,
        # a version or purl aibom derived (from the OMS root digest, the Hub id) is no fact
        # of the graph: it reads back as absent
        version=None if props.get(v.P_VERSION_SOURCE) else opt_str(raw, "version", where),
        purl=None if props.get(v.P_PURL_SOURCE) else opt_str(raw, "purl", where),
        license=license_,
        license_url=license_url,
        root_digest=props.get(v.P_ROOT_DIGEST),
        files=_files(raw, where),
        signature=decode_signature(raw, props, v.SIGNATURE, "digital-signature", where),
        attestation=decode_signature(raw, props, v.ATTESTATION, "attestation", where),
        card=decode_card(raw, props, where, ctype == cc.ML_TYPE),
        local=props.flag(v.P_LOCAL, True),
        location=props.get(v.P_LOCATION),
        warnings=props.all(v.P_WARNING) + warnings,
        scan=v.decode_scan(props),
    )


def _kind(e: _Entry) -> Kind:
    value = e.props.get(v.P_KIND)
    if value is not None:
        try:
            return Kind(value)
        except ValueError:
            raise InputError(f"{e.where}: unknown {v.P_KIND} {value!r}") from None
    if e.raw["type"] == cc.DATA_TYPE:
        return Kind.DATASET
    return Kind.ADAPTER if "adapter" in e.props.all("cdx:ai:variant") else Kind.MODEL


def _license(raw: dict[str, Any], props: v.Props,
             where: str) -> tuple[str | None, str | None, tuple[str, ...]]:
    """The declared licence (else the concluded one) and its URL. aibom writes each licence
    twice, declared and concluded; another tool's differing conclusion is named in a warning."""
    declared: list[tuple[str, str | None]] = []
    concluded: list[tuple[str, str | None]] = []
    choices = as_list(raw.get("licenses"), f"{where}.licenses")
    for i, choice in enumerate(choices):
        choice = as_dict(choice, f"{where}.licenses[{i}]")
        url = None
        if "expression" in choice:
            text = as_str(choice["expression"], f"{where}.licenses[{i}].expression")
            ack = opt_str(choice, "acknowledgement", f"{where}.licenses[{i}]")
        else:
            lic = as_dict(choice.get("license"), f"{where}.licenses[{i}].license")
            text = first(opt_str(lic, "id", where), opt_str(lic, "name", where))
            if text is None:
                raise InputError(f"{where}.licenses[{i}]: license without id or name")
            url = opt_str(lic, "url", where)
            ack = opt_str(lic, "acknowledgement", f"{where}.licenses[{i}].license")
        (concluded if ack == "concluded" else declared).append((text, url))
    kept = declared or concluded
    written, url = kept[0] if kept else (None, None)
    warnings: list[str] = []
    if len(declared) > 1:
        warnings.append(f"{len(declared)} licenses declared in CycloneDX; kept the first")
    if declared and any(text != written for text, _ in concluded):
        warnings.append(f"a license concluded in CycloneDX differs from the declared "
                        f"{written!r}; kept the declared one")
    if url is None:
        url = next((r["url"] for r in refs(raw, where) if r["type"] == "license"), None)
    license_url = first(props.get(v.P_LICENSE_URL), url)
    return first(props.get(v.P_LICENSE), written), license_url, tuple(warnings)


def _files(raw: dict[str, Any], where: str) -> tuple[FileDigest, ...]:
    files = []
    for i, sub in enumerate(as_list(raw.get("components"), f"{where}.components")):
        w = f"{where}.components[{i}]"
        sub = as_dict(sub, w)
        if sub.get("type") != cc.FILE_TYPE:
            continue
        name = as_str(sub.get("name"), f"{w}.name")
        props = properties(sub.get("properties"), w)
        alg, digest = props.get(v.P_FILE_ALG), props.get(v.P_FILE_DIGEST)
        found = hashes(sub, w)
        primary = next((h for h in found if h[0] != "SHA-512"), found[0] if found else None)
        if alg is None or digest is None:
            if primary is None:
                continue  # a file without a digest is not a FileDigest
            cdx_alg, content = primary
            alg, digest = cc.HASH_ALGS_BACK.get(cdx_alg, cdx_alg.lower()), content.lower()
        sha512 = next((c.lower() for a, c in found if a == "SHA-512"), None)
        files.append(FileDigest(name, alg, digest, sha512))
    return tuple(files)


# --- edges ------------------------------------------------------------------------------


def _need(graph: ProvenanceGraph, ref: str, entry: _Entry, what: str) -> None:
    if ref not in graph:
        raise InputError(f"{entry.where}: {what} {ref!r} is not a component of the document")


def _own_edges(entry: _Entry) -> list[Edge]:
    edges = []
    for n, fields in entry.props.indexed(v.P_EDGE).items():
        name = f"{v.P_EDGE}{n}"
        try:
            relation = Relation(fields.get("relation", ""))
            level = Level(fields.get("level", Level.DECLARED.value))
        except ValueError:
            raise InputError(f"{entry.where}: {name} has an unknown relation or level") from None
        if "parent" not in fields:
            raise InputError(f"{entry.where}: {name} has no parent")
        edges.append(Edge(relation, entry.ref, fields["parent"], level,
                          fields.get("evidence", "")))
    return edges


def _foreign_edges(doc: dict[str, Any], entries: dict[str, _Entry], graph: ProvenanceGraph,
                   source: str) -> None:
    for i, dep in enumerate(as_list(doc.get("dependencies"), f"{source}: dependencies")):
        w = f"{source}: dependencies[{i}]"
        dep = as_dict(dep, w)
        child = as_str(dep.get("ref"), f"{w}.ref")
        entry = entries.get(child)
        if entry is None or entry.own or graph.component(child).kind == Kind.DATASET:
            continue
        for j, parent in enumerate(as_list(dep.get("dependsOn"), f"{w}.dependsOn")):
            parent = as_str(parent, f"{w}.dependsOn[{j}]")
            if parent in graph:
                _declare(graph, child, entry.raw, parent, f"{source}: dependencies")
    for entry in entries.values():
        if entry.own or entry.raw["type"] != cc.ML_TYPE:
            continue
        _ancestors(graph, entry.ref, entry.raw, entry.where, source, 0)
        mc = as_dict(entry.raw.get("modelCard") or {}, f"{entry.where}.modelCard")
        params = as_dict(mc.get("modelParameters") or {}, f"{entry.where}.modelCard")
        w = f"{entry.where}.modelCard.modelParameters.datasets"
        for k, d in enumerate(as_list(params.get("datasets"), w)):
            d = as_dict(d, f"{w}[{k}]")
            ref = opt_str(d, "ref", w)
            if ref is None and d.get("name") is not None:  # inline dataset description
                ref = as_str(d["name"], f"{w}[{k}].name")
                if ref not in graph:
                    graph.add_component(Component(ref=ref, kind=Kind.DATASET, name=ref,
                                                  local=False))
            if ref is not None and ref in graph \
                    and graph.component(ref).kind == Kind.DATASET:
                _declare(graph, entry.ref, entry.raw, ref, f"{source}: modelCard datasets")


def _declare(graph: ProvenanceGraph, child: str, raw: dict[str, Any], parent: str,
             evidence: str, relation: Relation | None = None) -> None:
    if parent == child or any(e.parent == parent for e in graph.parents(child)):
        return  # a self-reference, or already linked by a more specific source
    if graph.component(parent).kind == Kind.DATASET:
        relation = Relation.TRAINED_ON
    elif relation is None:
        relation = _note_relation(raw) or Relation.FINETUNED_FROM
    graph.add_edge(Edge(relation, child, parent, Level.DECLARED, evidence))


def _note_relation(raw: dict[str, Any]) -> Relation | None:
    pedigree = raw.get("pedigree")
    notes = pedigree.get("notes") if isinstance(pedigree, dict) else None
    match = _NOTE_RELATION.search(notes) if isinstance(notes, str) else None
    return _FOREIGN_RELATIONS.get(match.group(1).lower()) if match else None


def _ancestors(graph: ProvenanceGraph, child: str, raw: dict[str, Any], where: str,
               source: str, depth: int) -> None:
    """Edges from pedigree.ancestors, recursively: cdxgen nests the ancestors' own."""
    pedigree = as_dict(raw.get("pedigree") or {}, f"{where}.pedigree")
    w = f"{where}.pedigree.ancestors"
    ancestors = as_list(pedigree.get("ancestors"), w)
    if ancestors and depth >= MAX_NESTING:
        raise InputError(f"{w}: nested deeper than {MAX_NESTING} levels")
    relation = _note_relation(raw) or Relation.FINETUNED_FROM
    for k, a in enumerate(ancestors):
        a = as_dict(a, f"{w}[{k}]")
        ref = _ancestor_ref(graph, a, f"{w}[{k}]")
        if ref is None:
            continue
        _declare(graph, child, raw, ref, f"{source}: pedigree.ancestors", relation)
        _ancestors(graph, ref, a, f"{w}[{k}]", source, depth + 1)


def _ancestor_ref(graph: ProvenanceGraph, a: dict[str, Any], where: str) -> str | None:
    props = properties(a.get("properties"), where)
    purl = opt_str(a, "purl", where)
    name = opt_str(a, "name", where)
    for candidate in (props.get(v.P_REF), opt_str(a, "bom-ref", where)):
        if candidate is not None and candidate in graph:
            return candidate
    for c in graph.components():
        if purl is not None and c.purl == purl:
            return c.ref
    ref = opt_str(a, "bom-ref", where) or purl or name
    if ref is None:
        return None
    if ref not in graph:
        kind = Kind.DATASET if a.get("type") == cc.DATA_TYPE else Kind.MODEL
        graph.add_component(Component(ref=ref, kind=kind, name=name or ref,
                                      version=opt_str(a, "version", where), purl=purl,
                                      local=False))
    return ref
