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

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from spdx_python_model import v3_0_1 as spdx

from aibom._internal.jsonio import load_json
from aibom._internal.text import one_line
from aibom.errors import InputError
from aibom.formats import _cdx_common as cc
from aibom.formats.spdx3_export import (
    HASHES_BACK,
    P_EDGE_EVIDENCE,
    P_EDGE_LEVEL,
    P_EDGE_RELATION,
    P_TAG,
    ROOT_DIGEST_COMMENT,
    SPDX_CONTEXT,
)
from aibom.graph import (
    CardFacts,
    Component,
    Edge,
    FileDigest,
    GraphError,
    Kind,
    Level,
    Metric,
    ProvenanceGraph,
    Relation,
    SignatureEvidence,
)
from aibom.oms.model import LogEntry, Serialization, SignerFacts

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


class _StrictDecoder(spdx.JSONLDDecoder):
    """spdx-python-model's JSON-LD decoder, refusing a value of the wrong JSON type instead
    of dropping it silently."""

    def _want(self, kind: type | tuple[type, ...], what: str) -> Any:
        if not isinstance(self.data, kind) or (kind is int and isinstance(self.data, bool)):
            raise TypeError(f"expected {what}, got {_show(self.data)}")
        return self.data

    def read_string(self) -> str | None:
        return self._want(str, "a string")  # type: ignore[no-any-return]

    def read_integer(self) -> int | None:
        return self._want(int, "an integer")  # type: ignore[no-any-return]

    def read_bool(self) -> bool | None:
        return self._want(bool, "true or false")  # type: ignore[no-any-return]

    def read_float(self) -> float | None:
        return float(self._want((int, float), "a number"))

    def read_iri(self) -> str | None:
        return self._want(str, "an IRI")  # type: ignore[no-any-return]

    def read_enum(self, e: Any) -> str | None:
        return self._want(str, "a vocabulary name")  # type: ignore[no-any-return]

    def read_object(self) -> tuple[Any, Any]:
        self._want(dict, "an object")
        return super().read_object()


def _show(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'...' if len(text) > 40 else ''}"


# --- the document ------------------------------------------------------------------------


def import_spdx3(text: str | bytes, *, source: str = "AIBOM") -> ProvenanceGraph:
    """Read an SPDX 3.0.1 JSON-LD document into a ProvenanceGraph; InputError on anything
    malformed."""
    data = load_json(text, source)
    if not isinstance(data, dict):
        raise InputError(f"{source}: not an SPDX 3 document (a JSON object expected)")
    if data.get("@context") != SPDX_CONTEXT:
        raise InputError(
            f"{source}: not an SPDX 3.0.1 JSON-LD document (@context is not {SPDX_CONTEXT})"
        )
    if not isinstance(data.get("@graph"), list):
        raise InputError(f"{source}: SPDX 3 document without a @graph list")
    objects = _decode(data, source)

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


def _decode(data: dict[str, Any], source: str) -> Any:
    objects = spdx.SHACLObjectSet()
    root = _StrictDecoder(data, True)
    try:
        with root.read_property("@context") as context:
            if context is not None:
                spdx.decode_context(context, objects)
        with root.read_property("@graph") as items:
            objects.decode(items, spdx.DecodeState(objects))
    except (
        TypeError,
        ValueError,
        KeyError,
        AttributeError,
        IndexError,
        OverflowError,
        NotImplementedError,  # an abstract class named as type
    ) as exc:
        message = str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
        message = re.sub(r" \(\d+\)", "", message)  # spdx-python-model prints object ids
        raise InputError(f"{source}: invalid SPDX 3.0.1 JSON-LD: {one_line(message)}") from None
    except RecursionError:
        raise InputError(f"{source}: SPDX 3 objects nested too deeply") from None
    return objects


# --- aibom: properties -------------------------------------------------------------------


class Props:
    """The aibom: (and other) name/value pairs of one element, in document order."""

    def __init__(self, element: Any, where: str) -> None:
        self.where = where
        self.items: list[tuple[str, str]] = []
        for ext in objects(element.extension, spdx.extension_Extension, where, "extension"):
            if not isinstance(ext, spdx.extension_CdxPropertiesExtension):
                continue  # another tool's extension
            entries = ext.extension_cdxProperty
            for entry in objects(entries, spdx.extension_CdxPropertyEntry, where, "a property"):
                name = required(entry.extension_cdxPropName, where, "extension_cdxPropName")
                self.items.append((name, entry.extension_cdxPropValue or ""))

    def get(self, name: str) -> str | None:
        values = self.all(name)
        if len(values) > 1:
            raise InputError(f"{self.where}: {name} is given {len(values)} times")
        return values[0] if values else None

    def need(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise InputError(f"{self.where}: {name} is missing")
        return value

    def all(self, name: str) -> tuple[str, ...]:
        return tuple(v for n, v in self.items if n == name)

    def prefixed(self, prefix: str) -> Iterator[tuple[str, str]]:
        return ((n[len(prefix) :], v) for n, v in self.items if n.startswith(prefix))

    def flag(self, name: str, default: bool) -> bool:
        value = self.get(name)
        if value is None:
            return default
        if value not in ("true", "false"):
            raise InputError(f"{self.where}: {name} is {value!r}, not true or false")
        return value == "true"

    def number(self, name: str) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        if not re.fullmatch(r"-?[0-9]{1,30}", value):
            raise InputError(f"{self.where}: {name} is {value!r}, not an integer")
        return int(value)


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
        props = Props(pkg, where)
        is_model = isinstance(pkg, spdx.ai_AIPackage)
        kind = self._kind(props, is_model)
        name = pkg.name if pkg.name is not None else ""
        ref = props.get(cc.P_REF) or self._foreign_ref(kind, name, refs)
        license_, license_url = self._license(props, outgoing)
        return Component(
            ref=ref,
            kind=kind,
            name=name,
            version=pkg.software_packageVersion,
            purl=pkg.software_packageUrl,
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
            signature=decode_signature(props, cc.SIGNATURE),
            attestation=decode_signature(props, cc.ATTESTATION),
            card=self._card(props, is_model),
            local=props.flag(cc.P_LOCAL, True),
            location=props.get(cc.P_LOCATION),
            warnings=props.all(cc.P_WARNING),
        )

    def _kind(self, props: Props, is_model: bool) -> Kind:
        value = props.get(cc.P_KIND)
        if value is None:
            return Kind.MODEL if is_model else Kind.DATASET
        try:
            kind = Kind(value)
        except ValueError:
            raise InputError(f"{self.where}: unknown {cc.P_KIND} {value!r}") from None
        if (kind == Kind.DATASET) == is_model:
            raise InputError(
                f"{self.where}: {cc.P_KIND} {value!r} on a {self.pkg.__class__.__name__}"
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
        self, props: Props, outgoing: dict[tuple[str, str], list[Any]]
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
        exact = props.get(cc.P_LICENSE)
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
                where = f"{self.source}: {f._id}"
                methods = objects(f.verifiedUsing, spdx.IntegrityMethod, where, "hash")
                hashes = [h for h in methods if isinstance(h, spdx.Hash)]
                if not hashes:
                    continue
                props = Props(f, where)
                spdx_alg = _local(required(hashes[0].algorithm, where, "algorithm"))
                algorithm = props.get(cc.P_FILE_ALG) or HASHES_BACK.get(spdx_alg, spdx_alg)
                digest = required(hashes[0].hashValue, where, "hashValue")
                files.append(FileDigest(f.name or "", algorithm, digest))
        return tuple(files)

    def _card(self, props: Props, is_model: bool) -> CardFacts:
        pkg, where = self.pkg, self.where
        facts = list(props.prefixed(cc.P_FACT))
        metrics: list[Metric] = []
        if is_model:
            pipeline_tag = _first(pkg.ai_domain)
            model_type = _first(pkg.ai_typeOfModel)
            for what, values in (
                ("ai_hyperparameter", pkg.ai_hyperparameter),
                ("ai_metric", pkg.ai_metric),
            ):
                for e in objects(values, spdx.DictionaryEntry, where, what):
                    key, value = required(e.key, where, f"{what} key"), e.value or ""
                    if what == "ai_metric":
                        metrics.append(Metric(type=key, value=value))
                    else:
                        facts.append((key, value))
        else:
            pipeline_tag = props.get(f"{cc.P_CARD}pipeline-tag")
            model_type = props.get(f"{cc.P_CARD}model-type")
        return CardFacts(
            description=pkg.description,
            pipeline_tag=pipeline_tag,
            library=props.get(f"{cc.P_CARD}library"),
            architectures=props.all(f"{cc.P_CARD}architecture"),
            model_type=model_type,
            dtype=props.get(f"{cc.P_CARD}dtype"),
            parameters=props.number(f"{cc.P_CARD}parameters"),
            quantization=props.get(f"{cc.P_CARD}quantization"),
            languages=props.all(f"{cc.P_CARD}language"),
            tags=props.all(P_TAG),
            metrics=tuple(_metrics(props, metrics, where)),
            properties=tuple(sorted(facts, key=lambda kv: kv[0])),
        )


def _first(values: Any) -> str | None:
    return values[0] if len(values) else None


def _metrics(props: Props, base: list[Metric], where: str) -> list[Metric]:
    """ai_metric entries completed by aibom:card:metric:<n>:*, or (datasets) built from them."""
    fields: dict[int, dict[str, str]] = {}
    for rest, value in props.prefixed(cc.P_METRIC):
        index, _, key = rest.partition(":")
        if not re.fullmatch(r"[0-9]{1,6}", index) or key not in (
            "type",
            "value",
            "dataset",
            "name",
            "task",
        ):
            raise InputError(f"{where}: unknown property {cc.P_METRIC}{rest}")
        slot = fields.setdefault(int(index), {})
        if key in slot:
            raise InputError(f"{where}: {cc.P_METRIC}{rest} is given twice")
        slot[key] = value
    out = list(base)
    for index in sorted(fields):
        f = fields[index]
        if index < len(out):
            m = out[index]
            out[index] = Metric(
                type=f.get("type", m.type),
                value=f.get("value", m.value),
                name=f.get("name"),
                dataset=f.get("dataset"),
                task=f.get("task"),
            )
        elif index == len(out) and "type" in f and "value" in f:
            out.append(
                Metric(
                    type=f["type"],
                    value=f["value"],
                    name=f.get("name"),
                    dataset=f.get("dataset"),
                    task=f.get("task"),
                )
            )
        else:
            raise InputError(f"{where}: {cc.P_METRIC}{index} has no metric to complete")
    return out


def decode_signature(props: Props, prefix: str) -> SignatureEvidence | None:
    p = f"{cc.NS}{prefix}:"
    if not any(name.startswith(p) for name, _ in props.items):
        return None
    method = props.need(f"{p}method")
    if method not in ("key", "certificate", "sigstore"):
        raise InputError(f"{props.where}: {p}method {method!r} is not key, certificate or sigstore")
    ser_method = props.need(f"{p}serialization:method")
    if ser_method not in ("files", "shards"):
        raise InputError(f"{props.where}: {p}serialization:method {ser_method!r} is unknown")
    signer = SignerFacts(
        method=method,  # type: ignore[arg-type]
        public_key_hint=props.get(f"{p}public-key-hint"),
        public_key_fingerprint=props.get(f"{p}public-key-sha256"),
        certificate_fingerprint=props.get(f"{p}certificate-sha256"),
        identity=props.get(f"{p}identity"),
        issuer=props.get(f"{p}issuer"),
        chain_fingerprints=props.all(f"{p}chain-sha256"),
        not_before=props.get(f"{p}not-before"),
        not_after=props.get(f"{p}not-after"),
    )
    serialization = Serialization(
        method=ser_method,  # type: ignore[arg-type]
        hash_type=props.need(f"{p}serialization:hash-type"),
        allow_symlinks=props.flag(f"{p}serialization:allow-symlinks", False),
        shard_size=props.number(f"{p}serialization:shard-size"),
        ignore_paths=props.all(f"{p}serialization:ignore-path"),
    )
    return SignatureEvidence(
        bundle_path=props.need(f"{p}bundle-path"),
        bundle_sha256=props.need(f"{p}bundle-sha256"),
        predicate_type=props.need(f"{p}predicate-type"),
        root_digest=props.get(f"{p}root-digest"),
        serialization=serialization,
        signer=signer,
        log_entries=_log_entries(props, f"{p}log:"),
    )


def _log_entries(props: Props, prefix: str) -> tuple[LogEntry, ...]:
    indexes = sorted(
        {rest.partition(":")[0] for rest, _ in props.prefixed(prefix)}, key=lambda i: (len(i), i)
    )
    entries = []
    for n, index in enumerate(indexes):
        if index != str(n):
            raise InputError(f"{props.where}: {prefix}{index} is not the next log entry")
        q = f"{prefix}{n}:"
        log_index = props.number(f"{q}log-index")
        integrated = props.number(f"{q}integrated-time")
        if log_index is None or integrated is None:
            raise InputError(f"{props.where}: {q}log-index and {q}integrated-time are needed")
        entries.append(
            LogEntry(
                log_index=log_index,
                log_id=props.need(f"{q}log-id"),
                integrated_time=integrated,
                kind=props.need(f"{q}kind"),
                version=props.need(f"{q}version"),
                entry_uuid=props.get(f"{q}entry-uuid"),
                has_inclusion_proof=props.flag(f"{q}inclusion-proof", False),
            )
        )
    return tuple(entries)


# --- relationships -----------------------------------------------------------------------


def _edges(rel: Any, refs: dict[str, str], graph: ProvenanceGraph, source: str) -> list[Edge]:
    where = f"{source}: {rel._id}"
    if rel.from_ is None or not len(rel.to) or rel.relationshipType is None:
        raise InputError(f"{where}: a relationship needs from, to and relationshipType")
    type_name = _local(rel.relationshipType)
    props = Props(rel, where)
    relation_text = props.get(P_EDGE_RELATION)
    if relation_text is None:
        return _foreign_edges(rel, type_name, refs, graph)
    try:
        relation = Relation(relation_text)
        level = Level(props.get(P_EDGE_LEVEL) or Level.DECLARED.value)
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None
    if type_name not in _CHILD_IS_FROM:
        raise InputError(f"{where}: an aibom edge cannot be a {type_name!r} relationship")
    ends = [_ref(rel.from_, refs, where)] + [_ref(t, refs, where) for t in rel.to]
    evidence = props.get(P_EDGE_EVIDENCE) or ""
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
