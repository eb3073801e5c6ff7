"""ProvenanceGraph -> SPDX 3.0.1 JSON-LD, deterministic.

spdx-python-model builds and serializes the elements; the JSON is then written with sorted
keys, so the same graph and arguments give the same bytes. What SPDX 3 has a field for goes
into that field; what it has not goes into `aibom:` name/value pairs of one
`extension_CdxPropertiesExtension` per element, the same names the CycloneDX exporter writes
as properties. The mapping, field by field, is in docs/mapping-spdx.md.
The package's neighbours are built in `_spdx3_elements`, its AI and Dataset fields in
`_spdx3_ai`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from spdx_python_model import v3_0_1 as spdx

import aibom
from aibom._internal.jsontext import dumps_indented
from aibom._internal.text import one_line
from aibom.errors import InputError
from aibom.formats import vocabulary as v
from aibom.formats._common import download_url
from aibom.formats._spdx3_ai import RELATIONS, card_fields
from aibom.formats._spdx3_elements import (
    Doc,
    bundle_ref,
    component_id,
    declared_license,
    files,
    log_ids,
    set_props,
    signer_ids,
)
from aibom.formats._spdx3_elements import (
    organization as organization_element,
)
from aibom.formats._spdx_common import (
    ROOT_DIGEST_COMMENT,
    component_props,
    document_hash,
    roots,
)
from aibom.formats.identity import (
    NOASSERTION,
    Organization,
    Source,
    bundle_url,
    check_base_url,
    copyright_of,
    creation_time,
    purl_of,
    supplier_of,
    version_of,
)
from aibom.graph import Component, Edge, Kind, ProvenanceGraph

SPDX_CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
SPEC_VERSION = "3.0.1"
NAMESPACE = "https://aibom.dev/spdx/"  # + <document hash>/...: an IRI, not a web page


# --- the document ------------------------------------------------------------------------


def export_spdx3(
    graph: ProvenanceGraph,
    *,
    root_ref: str | None = None,
    created: str | None = None,
    tool_version: str = aibom.__version__,
    organization: Organization | None = None,
    base_url: str | None = None,
) -> str:
    """The graph as SPDX 3.0.1 JSON-LD text: same graph and arguments, same bytes.
    `created` (RFC 3339; default SOURCE_DATE_EPOCH, else now) is the document's
    CreationInfo.created; `root_ref` the component the document is about; `organization`
    creates the document and supplies components that name no supplier of their own;
    `base_url` is where the component directories are published."""
    when = creation_time(created)
    top = roots(graph, root_ref)
    if base_url is not None:
        check_base_url(base_url)
    parts = (root_ref, when.isoformat(), tool_version, organization, base_url)
    ns = f"{NAMESPACE}{document_hash(graph, *parts)}/"

    info = spdx.CreationInfo(specVersion=SPEC_VERSION, created=when)
    info.comment = (
        "Written by aibom from its provenance graph; aibom: properties are described in "
        "aibom's docs/mapping-spdx.md"
    )
    tool = spdx.Tool(_id=f"{ns}tool/aibom", name=f"aibom-{tool_version}", creationInfo=info)
    agent = spdx.SoftwareAgent(_id=f"{ns}agent/aibom", name="aibom", creationInfo=info)
    info.createdUsing = [tool]
    doc = Doc(ns, info)
    info.createdBy = [agent]
    if organization is not None:
        info.createdBy = [organization_element(organization, doc), agent]

    packages: dict[str, Any] = {}
    for c in graph.components():
        packages[c.ref] = doc.add(_package(graph, c, doc, organization, base_url))
    for c in graph.components():
        files(c, packages[c.ref], doc)
        declared_license(c, packages[c.ref], doc)
        _dependencies(graph, c, packages, doc)
    for e in graph.edges():
        doc.add(_relationship(graph, e, packages, doc))

    described = sorted(doc.elements + list(doc.licenses.values()) + list(doc.agents.values())
                       + [f["spdxId"] for f in doc.files], key=_id)
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
        if not isinstance(element, str):  # the files are written as JSON-LD by _spdx3_elements
            objects.add(element)
    try:
        data = spdx.JSONLDSerializer().serialize_data(objects, force_at_graph=True)
    except (TypeError, ValueError) as exc:  # a required field the graph left empty
        raise InputError(
            f"the graph does not make a valid SPDX 3.0.1 document: {one_line(str(exc))}"
        ) from None
    _add_files(data, doc.files)
    return dumps_indented(data, end="\n")


def _id(element: Any) -> str:
    return element if isinstance(element, str) else str(element._id)


def _add_files(data: dict[str, Any], files: list[dict[str, Any]]) -> None:
    """The software_File elements into the serialized @graph, in the serializer's order: by
    element id, the blank CreationInfo node first (its id is assigned on serialization). A
    file's id (<package>/file/<name>) is never another element's, and the sort is stable, so
    every other element keeps its place."""
    if not files:
        return
    graph = data["@graph"]
    info_id = next(e["@id"] for e in graph if e.get("type") == "CreationInfo")
    for element in files:
        element["creationInfo"] = info_id
    graph += files
    graph.sort(key=_graph_key)


def _graph_key(element: dict[str, Any]) -> str:
    """The serializer's first sort key: the element's id, "" for a blank node."""
    if "spdxId" in element:
        return str(element["spdxId"])
    node = str(element.get("@id", ""))
    return "" if node.startswith("_:") else node


# --- one component -----------------------------------------------------------------------


def _package(graph: ProvenanceGraph, c: Component, doc: Doc, org: Organization | None,
             base_url: str | None) -> Any:
    is_model = c.kind != Kind.DATASET
    cls = spdx.ai_AIPackage if is_model else spdx.dataset_DatasetPackage
    pkg = cls(_id=component_id(doc.ns, c), creationInfo=doc.info, name=c.name)
    pkg.software_primaryPurpose = (
        spdx.software_SoftwarePurpose.model if is_model else spdx.software_SoftwarePurpose.data
    )
    props = component_props(graph, c)
    version, version_source = version_of(c)
    if version is not None:
        pkg.software_packageVersion = version
    if version_source not in (None, Source.GRAPH):
        props.append((v.P_VERSION_SOURCE, str(version_source)))
    purl, purl_source = purl_of(c)
    if purl is not None:
        pkg.software_packageUrl = purl
    if purl_source not in (None, Source.GRAPH):
        props.append((v.P_PURL_SOURCE, str(purl_source)))
    supplier, supplier_source = supplier_of(c, org)
    if supplier is not None:
        pkg.suppliedBy = organization_element(supplier, doc)
        pkg.originatedBy = [pkg.suppliedBy]
        props.append((v.P_SUPPLIER_SOURCE, str(supplier_source)))
    pkg.software_copyrightText = copyright_of(c) or NOASSERTION  # only what the model states
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
    refs: list[Any] = []
    ids: list[Any] = []
    if c.license_url is not None:
        refs.append(
            spdx.ExternalRef(externalRefType=spdx.ExternalRefType.license, locator=[c.license_url])
        )
    for prefix, sig in ((v.SIGNATURE, c.signature), (v.ATTESTATION, c.attestation)):
        if sig is not None:
            props += v.signature_props(prefix, sig)
            refs.append(bundle_ref(prefix, sig, bundle_url(c, sig, base_url)))
            ids += signer_ids(prefix, sig) + log_ids(prefix, sig)
    if refs:
        pkg.externalRef = refs
    if ids:
        pkg.externalIdentifier = ids
    props += card_fields(graph, c, pkg, is_model)
    set_props(pkg, props)
    return pkg


def _dependencies(graph: ProvenanceGraph, c: Component, packages: dict[str, Any],
                  doc: Doc) -> None:
    """The component's parents once more as one build-time dependsOn: the relationship the
    conformance checkers follow from the root (they do not follow descendantOf, trainedOn
    and the like). Marked aibom:derived; the importer reads the precise relationships."""
    parents = sorted({e.parent for e in graph.parents(c.ref)})
    if not parents:
        return
    rel = spdx.LifecycleScopedRelationship(
        _id=f"{packages[c.ref]._id}/dependsOn",
        creationInfo=doc.info,
        from_=packages[c.ref],
        to=[packages[p] for p in parents],
        relationshipType=spdx.RelationshipType.dependsOn,
        scope=spdx.LifecycleScopeType.build,
        completeness=spdx.RelationshipCompleteness.noAssertion,
        comment="the components it was made from or with (its lineage), as dependencies",
    )
    set_props(rel, [(v.P_DERIVED, "true")])
    doc.add(rel)



def _comment(graph: ProvenanceGraph, c: Component) -> str:
    where = "present locally" if c.local else "declared by another component, not present"
    return f"aibom {c.kind.value} {c.ref!r}, role {graph.role(c.ref).value}, {where}"



# --- one edge ----------------------------------------------------------------------------


def _relationship(graph: ProvenanceGraph, e: Edge, packages: dict[str, Any], doc: Doc) -> Any:
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
    if how.scope and isinstance(rel, spdx.LifecycleScopedRelationship):
        rel.scope = getattr(spdx.LifecycleScopeType, how.scope)
    source = f"; evidence: {e.evidence}" if e.evidence else ""
    rel.comment = (
        f"{graph.component(e.child).name} {how.phrase} {graph.component(e.parent).name} "
        f"({e.level.value}{source})"
    )
    props = [(v.P_EDGE_RELATION, e.relation.value), (v.P_EDGE_LEVEL, e.level.value)]
    if e.evidence:
        props.append((v.P_EDGE_EVIDENCE, e.evidence))
    set_props(rel, props)
    return rel
