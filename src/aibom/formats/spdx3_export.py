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
import json
from typing import Any

from spdx_python_model import v3_0_1 as spdx

import aibom
from aibom._internal.text import one_line
from aibom.errors import InputError
from aibom.formats import vocabulary as v
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
from aibom.formats._spdx_common import (
    ROOT_DIGEST_COMMENT,
    component_props,
    document_hash,
    download_url,
    parse_created,
    roots,
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
    doc = Doc(ns, info)

    packages: dict[str, Any] = {}
    for c in graph.components():
        packages[c.ref] = doc.add(_package(graph, c, doc))
    for c in graph.components():
        files(c, packages[c.ref], doc)
        declared_license(c, packages[c.ref], doc)
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


# --- one component -----------------------------------------------------------------------


def _package(graph: ProvenanceGraph, c: Component, doc: Doc) -> Any:
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
    for prefix, sig in ((v.SIGNATURE, c.signature), (v.ATTESTATION, c.attestation)):
        if sig is not None:
            props += v.signature_props(prefix, sig)
            refs.append(bundle_ref(prefix, sig))
            ids += signer_ids(prefix, sig) + log_ids(prefix, sig)
    if refs:
        pkg.externalRef = refs
    if ids:
        pkg.externalIdentifier = ids
    props += card_fields(graph, c, pkg, is_model)
    set_props(pkg, props)
    return pkg



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
    if how.scope:
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
