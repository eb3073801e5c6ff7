"""ProvenanceGraph -> SPDX 3.0.1 JSON-LD, deterministic.

spdx-python-model builds and serializes the elements; the JSON is then written with sorted
keys, so the same graph and arguments give the same bytes. What SPDX 3 has a field for goes
into that field; what it has not goes into `aibom:` name/value pairs of one
`extension_CdxPropertiesExtension` per element, the same names the CycloneDX exporter writes
as properties. The mapping, field by field, is in docs/mapping-spdx.md.

This module also holds the vocabulary the importer and the SPDX 2.3 exporter share.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from urllib.parse import quote

from license_expression import ExpressionError
from spdx_python_model import v3_0_1 as spdx

import aibom
from aibom._internal.text import one_line
from aibom.errors import InputError
from aibom.formats import _cdx_common as cc
from aibom.formats._cdx_props import log_entry_props, signature_fact_props
from aibom.graph import (
    CardFacts,
    Component,
    Edge,
    FileDigest,
    Kind,
    ProvenanceGraph,
    Relation,
    SignatureEvidence,
)

SPDX_CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPEC_VERSION = "3.0.1"
NAMESPACE = "https://aibom.dev/spdx/"  # + <document hash>/...: an IRI, not a web page
EPOCH = "1970-01-01T00:00:00Z"  # `created` when none is given: reproducible output
SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle+json"
ROOT_DIGEST_COMMENT = "OMS root digest: SHA-256 over the signed manifest of the files"
# Rekor logs known by their log id (SHA-256 of the log's public key).
KNOWN_LOGS = {
    "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d": (
        "https://rekor.sigstore.dev"
    ),
}

# names of the aibom: properties that exist only here (the rest are CycloneDX's, in cc)
P_EDGE_RELATION = "aibom:edge:relation"
P_EDGE_LEVEL = "aibom:edge:level"
P_EDGE_EVIDENCE = "aibom:edge:evidence"
P_TAG = f"{cc.P_CARD}tag"

# OMS hash type -> SPDX 3 HashAlgorithm (anything else: `other` + aibom:file:algorithm)
HASHES = {"sha256": "sha256", "blake2b": "blake2b512", "blake3": "blake3"}
HASHES_BACK = {v: k for k, v in HASHES.items()}

# CardFacts.properties written as ai_hyperparameter (the rest as aibom:fact:<key>)
HYPERPARAMETERS = frozenset(
    {
        "hf:config:hidden_size",
        "hf:config:num_hidden_layers",
        "hf:config:vocab_size",
        "hf:config:max_position_embeddings",
        "peft:r",
        "peft:lora_alpha",
        "peft:lora_dropout",
        "peft:target_modules",
        "peft:use_dora",
    }
)


@dataclass(frozen=True)
class RelationMap:
    """How one aibom relation is written as an SPDX 3 relationship."""

    type: str  # RelationshipType name
    child_is_from: bool  # False: `from` is the parent, `to` the child
    scope: str | None  # LifecycleScopeType, for a LifecycleScopedRelationship
    phrase: str  # for the human comment: "<child> <phrase> <parent>"


RELATIONS: dict[Relation, RelationMap] = {
    Relation.FINETUNED_FROM: RelationMap("descendantOf", True, None, "is fine-tuned from"),
    Relation.MERGED_FROM: RelationMap("descendantOf", True, None, "is merged from"),
    Relation.DISTILLED_FROM: RelationMap("descendantOf", True, None, "is distilled from"),
    Relation.QUANTIZED_FROM: RelationMap("hasVariant", False, None, "is a quantized variant of"),
    Relation.ADAPTER_OF: RelationMap(
        "dependsOn", True, "runtime", "is an adapter applied at run time to"
    ),
    Relation.TRAINED_ON: RelationMap("trainedOn", True, None, "is trained on"),
    Relation.EVALUATED_ON: RelationMap("testedOn", True, None, "is evaluated on"),
}

# Hugging Face task category / modality -> SPDX 3 DatasetType (derived, never read back)
_DATASET_TYPES = {
    "text": "text",
    "image": "image",
    "audio": "audio",
    "video": "video",
    "tabular": "structured",
    "timeseries": "timeseries",
    "time-series": "timeseries",
    "graph": "graph",
    "3d": "other",
    "geospatial": "other",
}
_TASK_PREFIXES = (
    ("text", "text"),
    ("token-", "text"),
    ("translation", "text"),
    ("summarization", "text"),
    ("question-answering", "text"),
    ("fill-mask", "text"),
    ("sentence-similarity", "text"),
    ("zero-shot-classification", "text"),
    ("table-", "structured"),
    ("tabular-", "structured"),
    ("image", "image"),
    ("object-detection", "image"),
    ("depth-estimation", "image"),
    ("mask-generation", "image"),
    ("visual-question-answering", "image"),
    ("audio", "audio"),
    ("automatic-speech-recognition", "audio"),
    ("voice-activity-detection", "audio"),
    ("video", "video"),
    ("time-series", "timeseries"),
    ("graph-ml", "graph"),
)
_CREATED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


# --- shared helpers (also used by the SPDX 2.3 exporter) ---------------------------------


def parse_created(created: str | None) -> datetime:
    """An RFC 3339 date-time with a zone, as UTC without fractions; EPOCH when None."""
    text = EPOCH if created is None else created
    if not isinstance(text, str) or not _CREATED.fullmatch(text):
        raise InputError(f"created {created!r} is not an RFC 3339 date-time with a time zone")
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"created {created!r} is not a valid date-time") from None
    return value.astimezone(UTC).replace(microsecond=0)


def document_hash(graph: ProvenanceGraph, *parts: object) -> str:
    """32 hex digits naming the document: the whole graph and the export arguments."""
    body = {
        "components": [asdict(c) for c in graph.components()],
        "edges": [asdict(e) for e in graph.edges()],
        "arguments": [str(p) for p in parts],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def roots(graph: ProvenanceGraph, root_ref: str | None) -> list[str]:
    """The component the document is about, or every component nothing else derives from."""
    if root_ref is not None:
        if root_ref not in graph:
            raise InputError(f"root component {root_ref!r} is not in the graph")
        return [root_ref]
    found = [c.ref for c in graph.components() if not graph.children(c.ref)]
    return found or [c.ref for c in graph.components()]


def download_url(c: Component) -> str | None:
    """The Hugging Face Hub page of a component known by its Hub id, else None (no
    assertion): from a pkg:huggingface purl, or for a dataset from an `org/name` name."""
    dataset = c.kind == Kind.DATASET
    if c.purl is not None or not dataset:
        return cc.hf_url(c.purl, dataset=dataset)
    parts = c.name.split("/")
    if len(parts) != 2 or not all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", p) for p in parts):
        return None
    url = f"{cc.HF_BASE}/datasets/{c.name}"
    if c.version and re.fullmatch(r"[A-Za-z0-9._-]+", c.version):
        url += f"/tree/{c.version}"
    return url


@cache
def spdx_licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def license_expression(text: str | None) -> tuple[str | None, list[str]]:
    """(SPDX license expression, the LicenseRef- ids it uses) for a card's license text.
    Known SPDX ids are matched case-insensitively (`apache-2.0` -> `Apache-2.0`); anything
    else becomes `LicenseRef-<text>`; a comma-separated list (dataset cards) is an AND."""
    if text is None or not text.strip():
        return None, []
    tokens = [t.strip() for t in text.split(",") if t.strip()]
    parts, custom = [], []
    for token in tokens:
        normalized = _normalized(token)
        if normalized is not None:
            expr = normalized
        elif re.fullmatch(r"LicenseRef-[A-Za-z0-9.-]+", token):
            expr = token
        else:
            expr = "LicenseRef-" + (re.sub(r"[^A-Za-z0-9.-]", "-", token) or "unknown")
        for ref in re.findall(r"LicenseRef-[A-Za-z0-9.-]+", expr):
            if ref not in custom:
                custom.append(ref)
        parts.append(f"({expr})" if " " in expr and len(tokens) > 1 else expr)
    if not parts:
        return None, []
    return " AND ".join(parts), custom


def _normalized(token: str) -> str | None:
    """`token` as a valid SPDX expression of listed licenses (ids matched case-insensitively),
    or None."""
    if not re.fullmatch(r"[A-Za-z0-9.+:() -]+", token):
        return None  # also keeps odd characters away from license-expression's parser
    try:
        info = spdx_licensing().validate(token)
    except (ExpressionError, AttributeError):  # AttributeError: a bug in some versions
        return None
    return (
        str(info.normalized_expression) if not info.errors and info.normalized_expression else None
    )


def dataset_types(card: CardFacts) -> list[str]:
    """SPDX 3 dataset types read from a card's modality tags and task categories;
    ["noAssertion"] when nothing tells."""
    found: list[str] = []
    candidates = [t.split(":", 1)[1] for t in card.tags if t.startswith("modality:")]
    tasks = [v for k, v in card.properties if k == "hf:dataset:task_categories"]
    tasks += [t.split(":", 1)[1] for t in card.tags if t.startswith("task_categories:")]
    for modality in candidates:
        kind = _DATASET_TYPES.get(modality.strip().lower())
        if kind and kind not in found:
            found.append(kind)
    for value in tasks:
        for task in (t.strip().lower() for t in value.split(",")):
            kind = next((k for p, k in _TASK_PREFIXES if task.startswith(p)), None)
            if kind and kind not in found:
                found.append(kind)
    return sorted(found) or ["noAssertion"]


def slug(text: str) -> str:
    return quote(text, safe="")


# --- the document ------------------------------------------------------------------------


@dataclass
class _Doc:
    ns: str
    info: Any  # the one CreationInfo
    elements: list[Any] = field(default_factory=list)
    licenses: dict[str, Any] = field(default_factory=dict)

    def add(self, element: Any) -> Any:
        self.elements.append(element)
        return element


def export_spdx3(
    graph: ProvenanceGraph,
    *,
    root_ref: str | None = None,
    created: str | None = None,
    tool_version: str = aibom.__version__,
) -> str:
    """The graph as SPDX 3.0.1 JSON-LD text: same graph and arguments, same bytes.
    `created` (RFC 3339, default 1970-01-01T00:00:00Z for reproducible output) is the
    document's CreationInfo.created; `root_ref` the component the document is about."""
    when = parse_created(created)
    top = roots(graph, root_ref)
    ns = f"{NAMESPACE}{document_hash(graph, root_ref, when.isoformat(), tool_version)}/"

    info = spdx.CreationInfo(specVersion=SPEC_VERSION, created=when)
    info.comment = (
        "Written by aibom from its provenance graph; aibom: properties are described in "
        "aibom's docs/mapping-spdx.md"
    )
    tool = spdx.Tool(_id=f"{ns}tool/aibom", name=f"aibom-{tool_version}", creationInfo=info)
    agent = spdx.SoftwareAgent(_id=f"{ns}agent/aibom", name="aibom", creationInfo=info)
    info.createdBy = [agent]
    info.createdUsing = [tool]
    doc = _Doc(ns, info)

    packages: dict[str, Any] = {}
    for c in graph.components():
        packages[c.ref] = doc.add(_package(graph, c, doc))
    for c in graph.components():
        _files(c, packages[c.ref], doc)
        _license(c, packages[c.ref], doc)
    for e in graph.edges():
        doc.add(_relationship(graph, e, packages, doc))

    described = sorted(doc.elements + list(doc.licenses.values()), key=_id)
    sbom = spdx.software_Sbom(
        _id=f"{ns}sbom",
        creationInfo=info,
        name="AIBOM",
        software_sbomType=[spdx.software_SbomType.analyzed],
        rootElement=[packages[r] for r in top],
        element=described,
    )
    names = ", ".join(graph.component(r).name for r in top)
    document = spdx.SpdxDocument(
        _id=f"{ns}document",
        creationInfo=info,
        name=f"AIBOM of {names}" if names else "AIBOM",
        rootElement=[sbom],
        element=sorted([sbom, tool, agent, *described], key=_id),
        # `extension` is left out on purpose: the 3.0.1 JSON-LD context maps that word to
        # the Core `extension` property, so it would not read back as the profile.
        profileConformance=[
            spdx.ProfileIdentifierType.core,
            spdx.ProfileIdentifierType.software,
            spdx.ProfileIdentifierType.ai,
            spdx.ProfileIdentifierType.dataset,
            spdx.ProfileIdentifierType.simpleLicensing,
        ],
    )
    objects = spdx.SHACLObjectSet()
    for element in [document, sbom, tool, agent, *described]:
        objects.add(element)
    try:
        data = spdx.JSONLDSerializer().serialize_data(objects, force_at_graph=True)
    except (TypeError, ValueError) as exc:  # a required field the graph left empty
        raise InputError(
            f"the graph does not make a valid SPDX 3.0.1 document: {one_line(str(exc))}"
        ) from None
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _id(element: Any) -> str:
    return str(element._id)


def component_id(ns: str, c: Component) -> str:
    prefix = f"{c.kind.value}:"
    if c.ref.startswith(prefix):
        return f"{ns}{c.kind.value}/{slug(c.ref[len(prefix) :])}"
    return f"{ns}ref/{slug(c.ref)}"


def _props(element: Any, props: Iterable[tuple[str, str]]) -> None:
    """The aibom: pairs, sorted by name only (values of one name keep their order)."""
    ordered = sorted(props, key=lambda p: p[0])
    if ordered:
        element.extension = [
            spdx.extension_CdxPropertiesExtension(
                extension_cdxProperty=[
                    spdx.extension_CdxPropertyEntry(
                        extension_cdxPropName=name, extension_cdxPropValue=value
                    )
                    for name, value in ordered
                ]
            )
        ]


# --- one component -----------------------------------------------------------------------


def _package(graph: ProvenanceGraph, c: Component, doc: _Doc) -> Any:
    is_model = c.kind != Kind.DATASET
    cls = spdx.ai_AIPackage if is_model else spdx.dataset_DatasetPackage
    pkg = cls(_id=component_id(doc.ns, c), creationInfo=doc.info, name=c.name)
    pkg.software_primaryPurpose = (
        spdx.software_SoftwarePurpose.model if is_model else spdx.software_SoftwarePurpose.data
    )
    if c.version is not None:
        pkg.software_packageVersion = c.version
    if c.purl is not None:
        pkg.software_packageUrl = c.purl
    url = download_url(c)
    if url is not None:
        pkg.software_downloadLocation = url
    if c.card.description is not None:
        pkg.description = c.card.description
    pkg.comment = _comment(graph, c)
    if c.root_digest is not None:
        pkg.verifiedUsing = [
            spdx.Hash(
                algorithm=spdx.HashAlgorithm.sha256,
                hashValue=c.root_digest,
                comment=ROOT_DIGEST_COMMENT,
            )
        ]
    props = component_props(graph, c)
    refs: list[Any] = []
    ids: list[Any] = []
    if c.license_url is not None:
        refs.append(
            spdx.ExternalRef(externalRefType=spdx.ExternalRefType.license, locator=[c.license_url])
        )
    for prefix, sig in ((cc.SIGNATURE, c.signature), (cc.ATTESTATION, c.attestation)):
        if sig is not None:
            props += signature_props(prefix, sig)
            refs.append(_bundle_ref(prefix, sig))
            ids += _signer_ids(prefix, sig) + _log_ids(prefix, sig)
    if refs:
        pkg.externalRef = refs
    if ids:
        pkg.externalIdentifier = ids
    props += _card(graph, c, pkg, is_model)
    _props(pkg, props)
    return pkg


def component_props(graph: ProvenanceGraph, c: Component) -> list[tuple[str, str]]:
    """The aibom: pairs of a component that are not card or signature facts."""
    props = [
        (cc.P_REF, c.ref),
        (cc.P_KIND, c.kind.value),
        (cc.P_ROLE, graph.role(c.ref).value),
        (cc.P_LOCAL, cc.bool_text(c.local)),
    ]
    props += [(cc.P_WARNING, w) for w in c.warnings]
    if c.location is not None:
        props.append((cc.P_LOCATION, c.location))
    if c.license is not None and license_expression(c.license)[0] != c.license:
        props.append((cc.P_LICENSE, c.license))  # the exact text, when the expression differs
    return props


def _comment(graph: ProvenanceGraph, c: Component) -> str:
    where = "present locally" if c.local else "declared by another component, not present"
    return f"aibom {c.kind.value} {c.ref!r}, role {graph.role(c.ref).value}, {where}"


def signature_props(prefix: str, sig: SignatureEvidence) -> list[tuple[str, str]]:
    """Every fact of a SignatureEvidence as aibom:<prefix>:... pairs (CycloneDX's names)."""
    p = f"{cc.NS}{prefix}:"
    location = [(f"{p}bundle-path", sig.bundle_path), (f"{p}bundle-sha256", sig.bundle_sha256)]
    return location + signature_fact_props(prefix, sig) + log_entry_props(prefix, sig)


def _what(prefix: str) -> str:
    return "OMS model signature" if prefix == cc.SIGNATURE else "signed lineage attestation"


def _bundle_ref(prefix: str, sig: SignatureEvidence) -> Any:
    return spdx.ExternalRef(
        externalRefType=spdx.ExternalRefType.securityOther,
        locator=[sig.bundle_path],
        contentType=SIGSTORE_BUNDLE,
        comment=(
            f"{_what(prefix)}: Sigstore bundle sha256:{sig.bundle_sha256}, "
            f"{sig.signer.method} signing, predicate {sig.predicate_type}"
        ),
    )


def _signer_ids(prefix: str, sig: SignatureEvidence) -> list[Any]:
    signer, what = sig.signer, _what(prefix)
    ids = []
    if signer.certificate_fingerprint is not None:
        ids.append(
            spdx.ExternalIdentifier(
                externalIdentifierType=spdx.ExternalIdentifierType.securityOther,
                identifier=f"sha256:{signer.certificate_fingerprint}",
                comment=f"{what}: SHA-256 fingerprint of the signing certificate (DER)",
            )
        )
    if signer.identity is not None:
        email = re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", signer.identity) is not None
        identity = spdx.ExternalIdentifier(
            externalIdentifierType=(
                spdx.ExternalIdentifierType.email
                if email
                else spdx.ExternalIdentifierType.securityOther
            ),
            identifier=signer.identity,
            comment=f"{what}: signer identity (subject alternative name of the certificate)",
        )
        if signer.issuer is not None:
            identity.issuingAuthority = signer.issuer
        ids.append(identity)
    key = signer.public_key_fingerprint or signer.public_key_hint
    if key is not None and signer.certificate_fingerprint is None:
        ids.append(
            spdx.ExternalIdentifier(
                externalIdentifierType=spdx.ExternalIdentifierType.securityOther,
                identifier=(f"sha256:{key}" if signer.public_key_fingerprint is not None else key),
                comment=(
                    f"{what}: SHA-256 of the signing public key (SubjectPublicKeyInfo DER)"
                    if signer.public_key_fingerprint is not None
                    else f"{what}: public key hint of the signing key"
                ),
            )
        )
    return ids


def _log_ids(prefix: str, sig: SignatureEvidence) -> list[Any]:
    ids = []
    for entry in sig.log_entries:
        log = KNOWN_LOGS.get(entry.log_id)
        when = datetime.fromtimestamp(entry.integrated_time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        identifier = spdx.ExternalIdentifier(
            externalIdentifierType=spdx.ExternalIdentifierType.securityOther,
            identifier=entry.entry_uuid or f"{entry.log_id}:{entry.log_index}",
            issuingAuthority=log or f"Rekor transparency log {entry.log_id}",
            comment=(
                f"{_what(prefix)}: Rekor entry, log index {entry.log_index}, "
                f"{entry.kind} {entry.version}, integrated {when}"
            ),
        )
        if log is not None:
            identifier.identifierLocator = [entry.search_url]
        ids.append(identifier)
    return ids


def card_props(card: CardFacts, *, ai_fields: bool) -> list[tuple[str, str]]:
    """The aibom:card / aibom:fact pairs of a card. With `ai_fields`, what an ai_AIPackage
    has a field for (pipeline tag, model type, hyperparameters, metric type and value) is
    left out: _card writes it there."""
    props: list[tuple[str, str]] = []
    for name, value in (
        ("library", card.library),
        ("dtype", card.dtype),
        ("parameters", None if card.parameters is None else str(card.parameters)),
        ("quantization", card.quantization),
    ):
        if value is not None:
            props.append((f"{cc.P_CARD}{name}", value))
    props += [(f"{cc.P_CARD}architecture", x) for x in card.architectures]
    props += [(f"{cc.P_CARD}language", x) for x in card.languages]
    props += [(P_TAG, x) for x in card.tags]
    if ai_fields:
        props += [(f"{cc.P_FACT}{k}", v) for k, v in card.properties if k not in HYPERPARAMETERS]
        for n, m in enumerate(card.metrics):
            props += _metric_props(n, None, None, m.dataset, m.name, m.task)
        return props
    for name, value in (("pipeline-tag", card.pipeline_tag), ("model-type", card.model_type)):
        if value is not None:
            props.append((f"{cc.P_CARD}{name}", value))
    for n, m in enumerate(card.metrics):
        props += _metric_props(n, m.type, m.value, m.dataset, m.name, m.task)
    props += [(f"{cc.P_FACT}{k}", v) for k, v in card.properties]
    return props


def _card(graph: ProvenanceGraph, c: Component, pkg: Any, is_model: bool) -> list[tuple[str, str]]:
    card = c.card
    if not is_model:
        pkg.dataset_datasetType = [
            getattr(spdx.dataset_DatasetType, t) for t in dataset_types(card)
        ]
        return card_props(card, ai_fields=False)
    if card.pipeline_tag is not None:
        pkg.ai_domain = [card.pipeline_tag]
    if card.model_type is not None:
        pkg.ai_typeOfModel = [card.model_type]
    hyper = [(k, v) for k, v in card.properties if k in HYPERPARAMETERS]
    if hyper:
        pkg.ai_hyperparameter = [spdx.DictionaryEntry(key=k, value=v) for k, v in hyper]
    if card.metrics:
        pkg.ai_metric = [spdx.DictionaryEntry(key=m.type, value=m.value) for m in card.metrics]
    training = _training(graph, c)
    if training:
        pkg.ai_informationAboutTraining = training
    return card_props(card, ai_fields=True)


def _metric_props(
    n: int,
    type_: str | None,
    value: str | None,
    dataset: str | None,
    name: str | None,
    task: str | None,
) -> list[tuple[str, str]]:
    return [
        (f"{cc.P_METRIC}{n}:{key}", v)
        for key, v in (
            ("type", type_),
            ("value", value),
            ("dataset", dataset),
            ("name", name),
            ("task", task),
        )
        if v is not None
    ]


def _training(graph: ProvenanceGraph, c: Component) -> str | None:
    """What the graph says about how the model was made, in words (never read back)."""
    parts = []
    for e in graph.parents(c.ref):
        parent = graph.component(e.parent)
        how = RELATIONS[e.relation].phrase.removeprefix("is ")
        source = f", {e.evidence}" if e.evidence else ""
        parts.append(f"{how} {parent.name} ({e.level.value}{source})")
    return "; ".join(parts) if parts else None


def _files(c: Component, pkg: Any, doc: _Doc) -> None:
    """Each file of the OMS manifest as a software_File with its digest; the package
    `contains` them, in manifest order."""
    if not c.files:
        return
    files, used = [], set()
    for index, f in enumerate(c.files):
        fid = f"{pkg._id}/file/{slug(f.name)}"
        if fid in used:
            fid = f"{fid}/{index}"
        used.add(fid)
        files.append(doc.add(_file(fid, f, doc)))
    doc.add(
        spdx.Relationship(
            _id=f"{pkg._id}/contains",
            creationInfo=doc.info,
            from_=pkg,
            to=files,
            relationshipType=spdx.RelationshipType.contains,
            comment="the files of the component's OMS manifest",
        )
    )


def _file(fid: str, f: FileDigest, doc: _Doc) -> Any:
    element = spdx.software_File(_id=fid, creationInfo=doc.info, name=f.name)
    known = HASHES.get(f.algorithm)
    algorithm = getattr(spdx.HashAlgorithm, known or "other")
    element.verifiedUsing = [spdx.Hash(algorithm=algorithm, hashValue=f.digest)]
    if known is None:
        _props(element, [(cc.P_FILE_ALG, f.algorithm)])
    return element


def _license(c: Component, pkg: Any, doc: _Doc) -> None:
    expression, _ = license_expression(c.license)
    if expression is None:
        return
    lic = doc.licenses.get(expression)
    if lic is None:
        lic = spdx.simplelicensing_LicenseExpression(
            _id=f"{doc.ns}license/{hashlib.sha256(expression.encode()).hexdigest()[:16]}",
            creationInfo=doc.info,
            simplelicensing_licenseExpression=expression,
        )
        doc.licenses[expression] = lic
    doc.add(
        spdx.Relationship(
            _id=f"{pkg._id}/hasDeclaredLicense",
            creationInfo=doc.info,
            from_=pkg,
            to=[lic],
            relationshipType=spdx.RelationshipType.hasDeclaredLicense,
        )
    )


# --- one edge ----------------------------------------------------------------------------


def _relationship(graph: ProvenanceGraph, e: Edge, packages: dict[str, Any], doc: _Doc) -> Any:
    how = RELATIONS[e.relation]
    child, parent = packages[e.child], packages[e.parent]
    key = hashlib.sha256(f"{e.child}\n{e.relation.value}\n{e.parent}".encode()).hexdigest()
    cls = spdx.LifecycleScopedRelationship if how.scope else spdx.Relationship
    rel = cls(
        _id=f"{doc.ns}relationship/{e.relation.value}/{key[:16]}",
        creationInfo=doc.info,
        from_=child if how.child_is_from else parent,
        to=[parent if how.child_is_from else child],
        relationshipType=getattr(spdx.RelationshipType, how.type),
    )
    if how.scope:
        rel.scope = getattr(spdx.LifecycleScopeType, how.scope)
    source = f"; evidence: {e.evidence}" if e.evidence else ""
    rel.comment = (
        f"{graph.component(e.child).name} {how.phrase} {graph.component(e.parent).name} "
        f"({e.level.value}{source})"
    )
    props = [(P_EDGE_RELATION, e.relation.value), (P_EDGE_LEVEL, e.level.value)]
    if e.evidence:
        props.append((P_EDGE_EVIDENCE, e.evidence))
    _props(rel, props)
    return rel
