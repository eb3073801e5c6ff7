"""SPDX 3.0.1 JSON-LD -> ProvenanceGraph.

A document written by `export_spdx3` reads back into an equal graph: its packages carry
`aibom:` properties (an `extension_CdxPropertiesExtension`) for what SPDX 3 has no field
for, and everything else is read from the SPDX fields it was written to. Edges come from
relationships; those carrying `aibom:edge:*` properties give their exact relation, level and
evidence. A document from another tool is read as well as it can be: every `ai_AIPackage`
is a model, every `dataset_DatasetPackage` a dataset, and descendantOf / ancestorOf /
hasVariant / dependsOn (an adapter on a model) / trainedOn / testedOn become declared edges.

spdx-python-model decodes the JSON-LD (unknown properties and wrong value types are
refused); the input is untrusted, so every failure is one InputError line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spdx_python_model import v3_0_1 as spdx

from aibom._internal.jsonio import load_json
from aibom.errors import InputError
from aibom.formats import vocabulary as v
from aibom.formats._spdx3_decode import decode_objects
from aibom.formats._spdx3_elements import HASHES_BACK
from aibom.formats._spdx_common import ROOT_DIGEST_COMMENT
from aibom.formats.spdx3_export import SPDX_CONTEXT
from aibom.graph import (
    CardFacts,
    Component,
    Edge,
    FileDigest,
    GraphError,
    Kind,
    Level,
    ProvenanceGraph,
    Relation,
)

# SPDX 3 relationship type (local name) -> (relation for foreign documents, from is the child)
_FOREIGN = {
    "descendantOf": (Relation.FINETUNED_FROM, True),
    "ancestorOf": (Relation.FINETUNED_FROM, False),
    "hasVariant": (Relation.QUANTIZED_FROM, False),
    "dependsOn": (Relation.ADAPTER_OF, True),
    "trainedOn": (Relation.TRAINED_ON, True),
    "testedOn": (Relation.EVALUATED_ON, True),
}
_CHILD_IS_FROM = {name: child for name, (_, child) in _FOREIGN.items()}


# --- the document ------------------------------------------------------------------------


def import_spdx3(text: str | bytes, *, source: str = "AIBOM") -> ProvenanceGraph:
    """Read an SPDX 3.0.1 JSON-LD document into a ProvenanceGraph; InputError on anything
    malformed."""
    return read_spdx3(load_json(text, source), source)


def read_spdx3(data: Any, source: str) -> ProvenanceGraph:
    """An SPDX 3.0.1 document parsed by `_internal.jsonio.load_json` -> ProvenanceGraph."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: not an SPDX 3 document (a JSON object expected)")
    if data.get("@context") != SPDX_CONTEXT:
        raise InputError(
            f"{source}: not an SPDX 3.0.1 JSON-LD document (@context is not {SPDX_CONTEXT})"
        )
    if not isinstance(data.get("@graph"), list):
        raise InputError(f"{source}: SPDX 3 document without a @graph list")
    objects = decode_objects(data, source)

    packages: list[Any] = []
    for cls in (spdx.ai_AIPackage, spdx.dataset_DatasetPackage):
        packages += objects.foreach_type(cls, match_subclass=False)
    packages.sort(key=lambda p: str(p._id))
    relationships = sorted(objects.foreach_type(spdx.Relationship), key=lambda r: str(r._id))
    outgoing: dict[tuple[str, str], list[Any]] = {}  # (from spdxId, type) -> relationships
    for rel in relationships:
        if rel.from_ is not None:
            outgoing.setdefault((_key(rel.from_), _local(rel.relationshipType)), []).append(rel)

    graph = ProvenanceGraph()
    refs: dict[str, str] = {}  # spdxId -> component ref
    for pkg in packages:
        component = _Package(pkg, source).component(outgoing, refs)
        if component.ref in graph:
            raise InputError(f"{source}: two packages are component {component.ref!r}")
        graph.add_component(component)
        refs[str(pkg._id)] = component.ref
    try:
        for rel in relationships:
            for edge in _edges(rel, refs, graph, source):
                graph.add_edge(edge)
    except GraphError as exc:
        raise InputError(f"{source}: {exc}") from None
    return graph


def element_props(element: Any, where: str) -> v.Props:
    """The name/value pairs of an element's CdxPropertiesExtension (other extensions are
    another tool's)."""
    items = []
    for ext in objects(element.extension, spdx.extension_Extension, where, "extension"):
        if not isinstance(ext, spdx.extension_CdxPropertiesExtension):
            continue
        entries = ext.extension_cdxProperty
        for entry in objects(entries, spdx.extension_CdxPropertyEntry, where, "a property"):
            name = required(entry.extension_cdxPropName, where, "extension_cdxPropName")
            items.append((name, entry.extension_cdxPropValue or ""))
    return v.Props(items, where)


def objects(values: Any, cls: type, where: str, what: str) -> list[Any]:
    """The values of a list property, each an object of `cls` (not an unresolved IRI)."""
    out = []
    for value in values:
        if not isinstance(value, cls):
            raise InputError(f"{where}: {what} {_key(value)!r} is not an object of the document")
        out.append(value)
    return out


def required(value: Any, where: str, what: str) -> Any:
    if value is None:
        raise InputError(f"{where}: {what} is missing")
    return value


def _local(iri: str | None) -> str:
    """`https://spdx.org/rdf/3.0.1/terms/Core/RelationshipType/trainedOn` -> `trainedOn`."""
    return (iri or "").rsplit("/", 1)[-1]


@dataclass
class _Package:
    pkg: Any
    source: str

    @property
    def where(self) -> str:
        return f"{self.source}: {self.pkg._id}"

    def component(
        self, outgoing: dict[tuple[str, str], list[Any]], refs: dict[str, str]
    ) -> Component:
        pkg, where = self.pkg, self.where
        props = element_props(pkg, where)
        is_model = isinstance(pkg, spdx.ai_AIPackage)
        kind = self._kind(props, is_model)
        name = pkg.name if pkg.name is not None else ""
        ref = props.get(v.P_REF) or self._foreign_ref(kind, name, refs)
        license_, license_url = self._license(props, outgoing)
        return Component(
            ref=ref,
            kind=kind,
            name=name,
            version=None if props.get(v.P_VERSION_SOURCE) else pkg.software_packageVersion,
            purl=None if props.get(v.P_PURL_SOURCE) else pkg.software_packageUrl,
            license=license_,
            license_url=license_url,
            root_digest=next(
                (
                    required(h.hashValue, self.where, "hashValue")
                    for h in objects(pkg.verifiedUsing, spdx.IntegrityMethod, self.where, "hash")
                    if isinstance(h, spdx.Hash) and h.comment == ROOT_DIGEST_COMMENT
                ),
                None,
            ),
            files=self._files(outgoing),
            signature=v.decode_signature(props, v.SIGNATURE),
            attestation=v.decode_signature(props, v.ATTESTATION),
            card=self._card(props, is_model),
            local=props.flag(v.P_LOCAL, True),
            location=props.get(v.P_LOCATION),
            warnings=props.all(v.P_WARNING),
            scan=v.decode_scan(props),
        )

    def _kind(self, props: v.Props, is_model: bool) -> Kind:
        value = props.get(v.P_KIND)
        if value is None:
            return Kind.MODEL if is_model else Kind.DATASET
        try:
            kind = Kind(value)
        except ValueError:
            raise InputError(f"{self.where}: unknown {v.P_KIND} {value!r}") from None
        if (kind == Kind.DATASET) == is_model:
            raise InputError(
                f"{self.where}: {v.P_KIND} {value!r} on a {self.pkg.__class__.__name__}"
            )
        return kind

    def _foreign_ref(self, kind: Kind, name: str, refs: dict[str, str]) -> str:
        ref, n = f"{kind.value}:{name or self.pkg._id}", 1
        taken = set(refs.values())
        while ref in taken:
            n += 1
            ref = f"{kind.value}:{name or self.pkg._id}@{n}"
        return ref

    def _license(
        self, props: v.Props, outgoing: dict[tuple[str, str], list[Any]]
    ) -> tuple[str | None, str | None]:
        url = next(
            (
                ref.locator[0]
                for ref in objects(
                    self.pkg.externalRef, spdx.ExternalRef, self.where, "externalRef"
                )
                if _local(ref.externalRefType) == "license" and ref.locator
            ),
            None,
        )
        exact = props.get(v.P_LICENSE)
        if exact is not None:
            return exact, url
        for rel in outgoing.get((str(self.pkg._id), "hasDeclaredLicense"), []):
            for target in rel.to:
                if isinstance(target, spdx.simplelicensing_LicenseExpression):
                    return target.simplelicensing_licenseExpression, url
        return None, url

    def _files(self, outgoing: dict[tuple[str, str], list[Any]]) -> tuple[FileDigest, ...]:
        files = []
        for rel in outgoing.get((str(self.pkg._id), "contains"), []):
            for f in rel.to:
                if not isinstance(f, spdx.software_File):
                    continue
                where = f"{self.source}: {f.get_id()}"
                methods = objects(f.verifiedUsing, spdx.IntegrityMethod, where, "hash")
                hashes = [h for h in methods if isinstance(h, spdx.Hash)]
                if not hashes:
                    continue
                props = element_props(f, where)
                spdx_alg = _local(required(hashes[0].algorithm, where, "algorithm"))
                algorithm = props.get(v.P_FILE_ALG) or HASHES_BACK.get(spdx_alg, spdx_alg)
                digest = required(hashes[0].hashValue, where, "hashValue")
                sha512 = next((h.hashValue for h in hashes[1:]
                               if _local(h.algorithm) == "sha512"), None)
                files.append(FileDigest(f.name or "", algorithm, digest, sha512))
        return tuple(files)

    def _card(self, props: v.Props, is_model: bool) -> CardFacts:
        pkg, where = self.pkg, self.where
        if not is_model:
            return v.decode_card(props, CardFacts(description=pkg.description))
        facts, metrics = [], []
        for what, values in (
            ("ai_hyperparameter", pkg.ai_hyperparameter),
            ("ai_metric", pkg.ai_metric),
        ):
            for e in objects(values, spdx.DictionaryEntry, where, what):
                key, value = required(e.key, where, f"{what} key"), e.value or ""
                if what == "ai_metric":
                    metrics.append((key, value, None))
                else:
                    facts.append((key, value))
        written = CardFacts(
            description=pkg.description,
            pipeline_tag=_first(pkg.ai_domain),
            model_type=_first(pkg.ai_typeOfModel),
            properties=tuple(facts),
        )
        return v.decode_card(props, written, metrics)


def _first(values: Any) -> str | None:
    return values[0] if len(values) else None


# --- relationships -----------------------------------------------------------------------


def _edges(rel: Any, refs: dict[str, str], graph: ProvenanceGraph, source: str) -> list[Edge]:
    where = f"{source}: {rel._id}"
    if rel.from_ is None or not len(rel.to) or rel.relationshipType is None:
        raise InputError(f"{where}: a relationship needs from, to and relationshipType")
    type_name = _local(rel.relationshipType)
    props = element_props(rel, where)
    if props.get(v.P_DERIVED) == "true":
        return []  # a restatement for other tools (dependsOn, hasConcludedLicense)
    relation_text = props.get(v.P_EDGE_RELATION)
    if relation_text is None:
        return _foreign_edges(rel, type_name, refs, graph)
    try:
        relation = Relation(relation_text)
        level = Level(props.get(v.P_EDGE_LEVEL) or Level.DECLARED.value)
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None
    if type_name not in _CHILD_IS_FROM:
        raise InputError(f"{where}: an aibom edge cannot be a {type_name!r} relationship")
    ends = [_ref(rel.from_, refs, where)] + [_ref(t, refs, where) for t in rel.to]
    evidence = props.get(v.P_EDGE_EVIDENCE) or ""
    if _CHILD_IS_FROM[type_name]:
        return [Edge(relation, ends[0], parent, level, evidence) for parent in ends[1:]]
    return [Edge(relation, child, ends[0], level, evidence) for child in ends[1:]]


def _key(element: Any) -> str:
    return element if isinstance(element, str) else str(element._id)


def _ref(element: Any, refs: dict[str, str], where: str) -> str:
    if _key(element) not in refs:
        raise InputError(f"{where}: names {_key(element)!r}, which is no component of the document")
    return refs[_key(element)]


def _foreign_edges(
    rel: Any, type_name: str, refs: dict[str, str], graph: ProvenanceGraph
) -> list[Edge]:
    """Edges of a relationship another tool wrote; ends that are no AI or dataset package of
    the document are left out."""
    if type_name not in _FOREIGN or _key(rel.from_) not in refs:
        return []
    relation, child_is_from = _FOREIGN[type_name]
    start = refs[_key(rel.from_)]
    edges = []
    for end in (refs[_key(t)] for t in rel.to if _key(t) in refs):
        child, parent = (start, end) if child_is_from else (end, start)
        kinds = {graph.component(child).kind, graph.component(parent).kind}
        if relation == Relation.ADAPTER_OF and Kind.DATASET in kinds:
            continue  # dependsOn a dataset says nothing aibom can hold
        edges.append(Edge(relation, child, parent))
    return edges
