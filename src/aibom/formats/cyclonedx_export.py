"""ProvenanceGraph -> CycloneDX 1.7 / 1.6 JSON, deterministic.

cyclonedx-python-lib builds the document skeleton (components, hashes, licenses, external
references, dependencies, metadata). What it does not model, or would reorder, is added to
the serialized JSON afterwards: modelCard, data, pedigree, properties (sorted by name, values
of one name in graph order), tags (graph order), a purl that is not in canonical form, and
the nested file components (`_cdx_files`: thousands of them are too slow as library
objects). Field by field: docs/mapping-cyclonedx.md.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
import warnings
from dataclasses import dataclass, field
from typing import Any

from cyclonedx import spdx
from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component as CdxComponent
from cyclonedx.model.component import ComponentType
from cyclonedx.model.license import (
    DisjunctiveLicense,
    LicenseAcknowledgement,
    LicenseExpression,
)
from cyclonedx.output.json import JsonV1Dot6, JsonV1Dot7
from cyclonedx.schema import SchemaVersion
from packageurl import PackageURL

import aibom
from aibom._internal.jsontext import Slot, fill_slots, indented_pieces
from aibom._internal.schema import is_date_time
from aibom._internal.text import one_line
from aibom.errors import InputError
from aibom.formats import _common as cc
from aibom.formats import vocabulary as v
from aibom.formats._cdx_files import file_components
from aibom.formats._cdx_props import RefSpec, encode_card, encode_signature
from aibom.formats.identity import (
    Organization,
    Source,
    bundle_url,
    check_base_url,
    copyright_of,
    creation_time,
    purl_of,
    rfc3339,
    supplier_of,
    version_of,
)
from aibom.graph import Component, Kind, ProvenanceGraph, Relation

_OUTPUTTERS = {"1.7": (SchemaVersion.V1_7, JsonV1Dot7), "1.6": (SchemaVersion.V1_6, JsonV1Dot6)}
_DATA_RELATIONS = (Relation.TRAINED_ON, Relation.EVALUATED_ON)
_DECLARED = LicenseAcknowledgement.DECLARED


@dataclass
class _Plan:
    """One graph component: the library object plus what is patched into its JSON."""

    cdx: CdxComponent
    props: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    purl_raw: str | None = None
    pedigree: dict[str, Any] | None = None
    version: str | None = None
    supplier: dict[str, Any] | None = None
    model_card: dict[str, Any] | None = None
    data: list[dict[str, Any]] | None = None
    files: list[dict[str, Any]] = field(default_factory=list)  # file components' JSON


def spec(spec_version: str) -> tuple[SchemaVersion, Any]:
    try:
        return _OUTPUTTERS[spec_version]
    except KeyError:
        raise InputError(
            f"unsupported CycloneDX version {spec_version!r} (supported: 1.7, 1.6)"
        ) from None


def export_cyclonedx(
    graph: ProvenanceGraph,
    *,
    spec_version: str = "1.7",
    timestamp: str | None = None,
    serial_number: str | None = None,
    root_ref: str | None = None,
    tool_version: str = aibom.__version__,
    organization: Organization | None = None,
    base_url: str | None = None,
) -> str:
    """The graph as CycloneDX JSON text: same graph and arguments (and SOURCE_DATE_EPOCH when
    no timestamp is given), same bytes. `organization` produces the document and supplies the
    components that name no supplier of their own; `base_url` is where the component
    directories are published (signature references become absolute URLs)."""
    schema_version, outputter = spec(spec_version)
    if root_ref is not None and root_ref not in graph:
        raise InputError(f"root component {root_ref!r} is not in the graph")
    if timestamp is not None and not is_date_time(timestamp):
        raise InputError(f"timestamp {timestamp!r} is not an RFC 3339 date-time")
    timestamp = timestamp if timestamp is not None else rfc3339(creation_time(None))
    serial = _serial(serial_number) if serial_number is not None else None
    if base_url is not None:
        check_base_url(base_url)

    plans = {c.ref: _plan(graph, c, organization, base_url) for c in graph.components()}
    _check_refs(plans)
    bom = Bom()
    for ref, plan in plans.items():
        if ref == root_ref:
            bom.metadata.component = plan.cdx
        else:
            bom.components.add(plan.cdx)
    for ref, plan in plans.items():
        parents = sorted({e.parent for e in graph.parents(ref)})
        bom.register_dependency(plan.cdx, [plans[p].cdx for p in parents])
    bom.metadata.tools.components.add(
        CdxComponent(type=ComponentType.APPLICATION, name="aibom", version=tool_version)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "root component has no dependencies" and the like
        doc = json.loads(outputter(bom).output_as_string())

    _patch(doc, plans, timestamp, many_expressions=schema_version >= SchemaVersion.V1_7)
    _patch_metadata(doc, graph, organization)
    text = _text_with_serial(doc, timestamp, serial)
    # `doc` is what `text` says: dicts, lists and JSON scalars only (it was parsed from the
    # library's output and patched with JSON values), so it is checked without parsing the
    # text back (13 MB for a 30,000-file model)
    error = next(_validator(schema_version).iter_errors(doc), None)
    if error is not None:
        raise InputError(
            f"the graph does not make a valid CycloneDX {spec_version} document: at "
            f"{'/'.join(map(str, error.absolute_path)) or '(document)'}: "
            f"{one_line(error.message)}"
        )
    return text


@functools.cache
def _validator(schema_version: SchemaVersion) -> Any:
    return cc.strict_validator(schema_version)


def _serial(value: str) -> str:
    text = value.removeprefix("urn:uuid:")
    try:
        return f"urn:uuid:{uuid.UUID(text)}"
    except ValueError:
        raise InputError(f"serial number {value!r} is not a UUID") from None


def _text_with_serial(doc: dict[str, Any], timestamp: str, serial: str | None) -> str:
    """The document's text, its serialNumber set in `doc` too: `serial`, or else a
    version-5-style UUID over the text without serialNumber and timestamp (the same model
    built at another time gets the same serial)."""
    when, number = Slot(), Slot()
    doc["metadata"]["timestamp"], doc["serialNumber"] = when, number
    pieces = indented_pieces(doc)
    if serial is None:
        body = "".join([p for p in pieces if p.__class__ is str]).encode()
        digest = hashlib.sha256(body).digest()
        serial = f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=5)}"
    doc["metadata"]["timestamp"], doc["serialNumber"] = timestamp, serial
    return fill_slots(pieces, {when: timestamp, number: serial}, end="\n")


def _check_refs(plans: dict[str, _Plan]) -> None:
    seen = set(plans)
    for plan in plans.values():
        for sub in plan.files:
            ref = sub["bom-ref"]
            if ref in seen:
                raise InputError(f"file bom-ref {ref!r} collides with another bom-ref")
            seen.add(ref)


# --- one component ----------------------------------------------------------------------


def _plan(graph: ProvenanceGraph, c: Component, organization: Organization | None,
          base_url: str | None) -> _Plan:
    is_model = c.kind != Kind.DATASET
    version, version_source = version_of(c)
    cdx = CdxComponent(
        type=ComponentType.MACHINE_LEARNING_MODEL if is_model else ComponentType.DATA,
        bom_ref=c.ref,
        name=c.name,
        version=version,
        description=c.card.description,
        copyright=copyright_of(c),
    )
    plan = _Plan(cdx=cdx, version=version)
    props = plan.props
    props += v.component_props(graph, c, with_ref=False)
    if c.root_digest is not None:
        props.append((v.P_ROOT_DIGEST, c.root_digest))
    if version_source not in (None, Source.GRAPH):
        props.append((v.P_VERSION_SOURCE, str(version_source)))
    supplier, supplier_source = supplier_of(c, organization)
    if supplier is not None:
        plan.supplier = _entity(supplier)
        props.append((v.P_SUPPLIER_SOURCE, str(supplier_source)))

    purl, purl_source = purl_of(c)
    if purl_source not in (None, Source.GRAPH):
        props.append((v.P_PURL_SOURCE, str(purl_source)))
    if purl is not None:
        try:
            parsed = PackageURL.from_string(purl)
            canonical = parsed.to_string() == purl
        except ValueError:
            canonical = False
        if canonical:
            cdx.purl = parsed
        else:
            plan.purl_raw = purl

    _licenses(c, plan)
    _files(c, plan)
    specs: list[RefSpec] = []
    for prefix, ref_type, sig in ((v.SIGNATURE, "digital-signature", c.signature),
                                  (v.ATTESTATION, "attestation", c.attestation)):
        if sig is not None:
            sig_props, sig_specs = encode_signature(prefix, ref_type, sig,
                                                    bundle_url(c, sig, base_url))
            props += sig_props
            specs += sig_specs
    url = cc.download_url(c)  # a Hub page: a model's purl, or a dataset's org/name
    if url is not None:
        specs.append(RefSpec("distribution", url))
    for spec_ in specs:
        cdx.external_references.add(ExternalReference(
            type=ExternalReferenceType(spec_.type), url=XsUri(spec_.url), comment=spec_.comment,
            hashes=[_hash("SHA-256", spec_.sha256)] if spec_.sha256 else None,
        ))
    _edges(graph, c, plan)
    datasets = sorted({e.parent for e in graph.parents(c.ref, relations=_DATA_RELATIONS)
                       if graph.component(e.parent).kind == Kind.DATASET})
    card_props, plan.model_card = encode_card(c.card, is_model, datasets)
    props += card_props
    plan.tags = list(c.card.tags)
    if not is_model:
        entry: dict[str, Any] = {"type": "dataset", "name": c.name}
        if url is not None:
            entry["contents"] = {"url": url}
        plan.data = [entry]
    return plan


def _licenses(c: Component, plan: _Plan) -> None:
    url = None
    if c.license_url is not None:
        url = cc.iri(c.license_url)
        if url != c.license_url:
            plan.props.append((v.P_LICENSE_URL, c.license_url))
    if c.license is not None and not c.license.strip():
        plan.props.append((v.P_LICENSE, c.license))  # no license object can say nothing
    elif c.license is not None:
        spdx_id = spdx.fixup_id(c.license)
        license_: DisjunctiveLicense | LicenseExpression
        if spdx_id is not None:
            license_ = DisjunctiveLicense(id=spdx_id, url=_uri(url), acknowledgement=_DECLARED)
            written = spdx_id
        elif " " in c.license.strip() and spdx.is_expression(c.license):
            license_ = LicenseExpression(c.license, acknowledgement=_DECLARED)
            written = c.license
        else:
            license_, written = DisjunctiveLicense(name=c.license, url=_uri(url),
                                                 acknowledgement=_DECLARED), c.license
        plan.cdx.licenses.add(license_)
        if written != c.license:
            plan.props.append((v.P_LICENSE, c.license))
    if url is not None:  # the spec asks for the license URL as an external reference too
        plan.cdx.external_references.add(
            ExternalReference(type=ExternalReferenceType.LICENSE, url=XsUri(url))
        )


def _uri(url: str | None) -> XsUri | None:
    return XsUri(url) if url is not None else None


def _hash(alg: str, content: str) -> HashType:
    return HashType(alg=HashAlgorithm(alg), content=content)


def _files(c: Component, plan: _Plan) -> None:
    """Each signed file as a nested component of type `file` carrying its digest."""
    plan.files = file_components(c, plan.version)
    if len(c.files) == 1:
        known = cc.cdx_hash(c.files[0].algorithm, c.files[0].digest)
        if known is not None:  # a one-file component: its hash is the file's
            plan.cdx.hashes.add(_hash(*known))
            if c.files[0].sha512 is not None:
                plan.cdx.hashes.add(_hash("SHA-512", c.files[0].sha512))
    elif c.root_digest is not None and cc.is_sha256_hex(c.root_digest):
        plan.cdx.hashes.add(_hash("SHA-256", c.root_digest))  # the OMS root digest


def _edges(graph: ProvenanceGraph, c: Component, plan: _Plan) -> None:
    ancestors, notes = [], []
    for n, e in enumerate(graph.parents(c.ref)):
        q = f"{v.P_EDGE}{n}:"
        plan.props += [(f"{q}relation", e.relation.value), (f"{q}parent", e.parent),
                       (f"{q}level", e.level.value)]
        if e.evidence:
            plan.props.append((f"{q}evidence", e.evidence))
        if not e.relation.is_lineage:
            continue
        parent = graph.component(e.parent)
        stub: dict[str, Any] = {
            "type": cc.DATA_TYPE if parent.kind == Kind.DATASET else cc.ML_TYPE,
            "name": parent.name,
            "properties": [{"name": v.P_REF, "value": parent.ref}],
        }
        if parent.version is not None:
            stub["version"] = parent.version
        if parent.purl is not None:
            stub["purl"] = parent.purl
        if stub not in ancestors:
            ancestors.append(stub)
        notes.append(f"{e.relation.value} {parent.name} ({e.level.value})")
    if ancestors:
        plan.pedigree = {"ancestors": ancestors, "notes": "; ".join(notes)}


# --- the serialized document ------------------------------------------------------------


def _patch(doc: dict[str, Any], plans: dict[str, _Plan], timestamp: str | None, *,
           many_expressions: bool) -> None:
    doc.pop("serialNumber", None)
    meta = doc.setdefault("metadata", {})
    meta.pop("timestamp", None)
    if timestamp is not None:
        meta["timestamp"] = timestamp
    entries = list(doc.get("components", []))
    if "component" in meta:
        entries.append(meta["component"])
    for entry in entries:
        ref = entry.get("bom-ref")
        if ref not in plans:
            raise InputError(f"internal: serialized component {ref!r} is not in the graph")
        _patch_component(entry, plans[ref])
        if "licenses" in entry:
            entry["licenses"] = _with_concluded(entry["licenses"], many_expressions)
    doc["components"] = sorted(doc.get("components", []), key=lambda d: d["bom-ref"])
    if not doc["components"]:
        del doc["components"]
    deps = []
    for dep in doc.get("dependencies", []):
        dep["dependsOn"] = sorted(dep.get("dependsOn", []))  # a leaf says so: []
        deps.append(dep)
    if deps:
        doc["dependencies"] = sorted(deps, key=lambda d: d["ref"])


def _patch_metadata(doc: dict[str, Any], graph: ProvenanceGraph,
                    organization: Organization | None) -> None:
    """Who made the document, in which phase, and how complete its lists are."""
    meta = doc["metadata"]
    meta["lifecycles"] = [{"phase": "post-build"}]  # read from built artifacts
    if organization is not None:
        meta["manufacturer"] = _entity(organization)
        contact: dict[str, Any] = {"name": organization.name}
        if organization.email is not None:
            contact["email"] = organization.email
        meta["authors"] = [contact]
    refs = sorted(c.ref for c in graph.components())
    if not refs:
        return
    # The dependency (lineage) lists hold what cards, configs and attestations declare;
    # components known only by name are known to miss their own ancestry.
    complete = all(c.local for c in graph.components())
    compositions = [{"aggregate": "unknown" if complete else "incomplete",
                     "dependencies": refs}]
    signed = sorted(c.ref for c in graph.components() if c.signature is not None and c.files)
    if signed:  # an OMS manifest lists every file of its directory: verified complete
        compositions.append({"aggregate": "complete", "assemblies": signed})
    doc["compositions"] = compositions


def _entity(org: Organization) -> dict[str, Any]:
    """An organizationalEntity: name, URL, email contact."""
    entity: dict[str, Any] = {"name": org.name}
    if org.url is not None:
        entity["url"] = [org.url]
    if org.email is not None:
        entity["contact"] = [{"email": org.email}]
    return entity


def _with_concluded(licenses: list[dict[str, Any]],
                    many_expressions: bool) -> list[dict[str, Any]]:
    """The declared licences, then the same ones as concluded: aibom concludes what the card
    declares (as SPDX 2.3 and 3.0.1 do). CycloneDX 1.6 holds a single expression, so there an
    expression stays declared only."""
    if not many_expressions and any("expression" in x for x in licenses):
        return licenses
    concluded: list[dict[str, Any]] = []
    for choice in licenses:
        if "license" in choice:
            concluded.append({"license": {**choice["license"], "acknowledgement": "concluded"}})
        else:
            concluded.append({**choice, "acknowledgement": "concluded"})
    return licenses + concluded


def _patch_component(entry: dict[str, Any], plan: _Plan) -> None:
    if plan.supplier is not None:
        entry["supplier"] = plan.supplier
    if plan.purl_raw is not None:
        entry["purl"] = plan.purl_raw
    if plan.pedigree is not None:
        entry["pedigree"] = plan.pedigree
    if plan.model_card is not None:
        entry["modelCard"] = plan.model_card
    if plan.data is not None:
        entry["data"] = plan.data
    if plan.props:
        entry["properties"] = [{"name": n, "value": x} for n, x in v.sort_pairs(plan.props)]
    if plan.tags:
        entry["tags"] = plan.tags
    if plan.files:
        entry["components"] = plan.files
    if "externalReferences" in entry:
        entry["externalReferences"].sort(
            key=lambda r: (r["type"], r["url"], r.get("comment", ""))
        )
