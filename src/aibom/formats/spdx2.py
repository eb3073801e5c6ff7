"""ProvenanceGraph -> SPDX 2.3 JSON, deterministic, written and validated with spdx-tools.

    export_spdx2(graph, root_ref=None, created=None) -> str

SPDX 2.3 has no AI or dataset profile: every component is a package (purl, version,
download location, the OMS root digest as its SHA256 checksum, declared license), edges are
2.3 relationships with an `aibom:edge:*` comment, signatures are external references and
everything else aibom knows is one annotation per package with the same `aibom:` names the
SPDX 3 and CycloneDX exporters use. aibom does not read SPDX 2.3 back. The mapping, field by
field, is in docs/mapping-spdx.md.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from license_expression import ExpressionError
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.annotation import Annotation, AnnotationType
from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
from spdx_tools.spdx.model.package import ExternalPackageRef, ExternalPackageRefCategory, Package
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

import aibom
from aibom._internal.text import one_line
from aibom.errors import InputError
from aibom.formats import vocabulary as v
from aibom.formats._common import download_url
from aibom.formats._spdx_common import (
    KNOWN_LOGS,
    ROOT_DIGEST_COMMENT,
    component_props,
    document_hash,
    license_expression,
    roots,
    spdx_licensing,
)
from aibom.formats.identity import (
    Organization,
    bundle_url,
    check_base_url,
    copyright_of,
    creation_time,
    purl_of,
    supplier_of,
    version_of,
)
from aibom.formats.registry import ExportOptions
from aibom.graph import Component, Edge, ProvenanceGraph, Relation, SignatureEvidence

NAMESPACE = "https://aibom.dev/spdx2/"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
_PURL = re.compile(r"^pkg:.+(\/.+)?\/.+(@.+)?(\?.+)?(#.+)?$")  # spdx-tools' own check
_SHA256 = re.compile(r"[0-9a-f]{64}")

# aibom relation -> (SPDX 2.3 relationship type, the child is the spdx_element_id)
RELATIONS: dict[Relation, tuple[RelationshipType, bool]] = {
    Relation.FINETUNED_FROM: (RelationshipType.DESCENDANT_OF, True),
    Relation.MERGED_FROM: (RelationshipType.DESCENDANT_OF, True),
    Relation.DISTILLED_FROM: (RelationshipType.DESCENDANT_OF, True),
    Relation.QUANTIZED_FROM: (RelationshipType.VARIANT_OF, True),
    Relation.ADAPTER_OF: (RelationshipType.RUNTIME_DEPENDENCY_OF, False),
    Relation.TRAINED_ON: (RelationshipType.BUILD_DEPENDENCY_OF, False),
    Relation.EVALUATED_ON: (RelationshipType.TEST_OF, False),
}


def export_spdx2(
    graph: ProvenanceGraph,
    *,
    root_ref: str | None = None,
    created: str | None = None,
    tool_version: str = aibom.__version__,
    organization: Organization | None = None,
    base_url: str | None = None,
) -> str:
    """The graph as SPDX 2.3 JSON text: same graph and arguments, same bytes. The document
    passes spdx-tools' validate_full_spdx_document (InputError otherwise). `created`,
    `organization` and `base_url` mean what they mean for export_spdx3."""
    when = creation_time(created)
    parts = (root_ref, when.isoformat(), tool_version, organization, base_url)
    if base_url is not None:
        check_base_url(base_url)
    top = roots(graph, root_ref)
    ids = _spdx_ids(graph)
    tool = Actor(ActorType.TOOL, f"aibom-{tool_version}")
    names = ", ".join(graph.component(r).name for r in top)
    info = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id=DOCUMENT_ID,
        name=f"AIBOM of {names}" if names else "AIBOM",
        document_namespace=(
            f"{NAMESPACE}{document_hash(graph, 'spdx2', *parts)}"
        ),
        creators=[tool] if organization is None else [_actor(organization), tool],
        created=when,
        creator_comment=(
            "Written by aibom from its provenance graph. The aibom: names in annotations and "
            "relationship comments are described in aibom's docs/mapping-spdx.md"
        ),
    )
    licenses: dict[str, ExtractedLicensingInfo] = {}
    packages = [_package(graph, c, ids[c.ref], licenses, organization, base_url)
                for c in graph.components()]
    annotations = [
        Annotation(ids[c.ref], AnnotationType.OTHER, tool, when, _annotation(graph, c))
        for c in graph.components()
    ]
    relationships = [Relationship(DOCUMENT_ID, RelationshipType.DESCRIBES, ids[r]) for r in top]
    relationships += [_relationship(graph, e, ids) for e in graph.edges()]
    # each component DEPENDS_ON what it was made from: the relationship conformance checkers
    # follow from the described root (they do not follow DESCENDANT_OF, VARIANT_OF...)
    relationships += [
        Relationship(ids[c.ref], RelationshipType.DEPENDS_ON, ids[p], f"{v.P_DERIVED}=true")
        for c in graph.components()
        for p in sorted({e.parent for e in graph.parents(c.ref)})
    ]
    document = Document(
        info,
        packages=packages,
        annotations=annotations,
        relationships=relationships,
        extracted_licensing_info=[licenses[k] for k in sorted(licenses)],
    )
    messages = validate_full_spdx_document(document)
    if messages:
        raise InputError(
            f"the graph does not make a valid SPDX 2.3 document: "
            f"{one_line(messages[0].validation_message)}"
        )
    data = DocumentConverter().convert(document)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _spdx_ids(graph: ProvenanceGraph) -> dict[str, str]:
    """SPDXRef-<kind>-<name>, made unique with a counter; only [A-Za-z0-9.-]."""
    ids: dict[str, str] = {}
    taken = {DOCUMENT_ID}
    for c in graph.components():
        base = re.sub(r"[^A-Za-z0-9.]+", "-", c.name).strip("-")[:80] or "unnamed"
        candidate, n = f"SPDXRef-{c.kind.value}-{base}", 1
        while candidate in taken:
            n += 1
            candidate = f"SPDXRef-{c.kind.value}-{base}-{n}"
        taken.add(candidate)
        ids[c.ref] = candidate
    return ids


def _actor(org: Organization) -> Actor:
    return Actor(ActorType.ORGANIZATION, org.name, org.email)


def _package(
    graph: ProvenanceGraph,
    c: Component,
    spdx_id: str,
    licenses: dict[str, ExtractedLicensingInfo],
    organization: Organization | None,
    base_url: str | None,
) -> Package:
    url = download_url(c)
    declared = _declared(c, licenses)
    supplier, _ = supplier_of(c, organization)
    pkg = Package(
        spdx_id=spdx_id,
        name=c.name or c.ref,
        download_location=url if url is not None else SpdxNoAssertion(),
        version=version_of(c)[0],
        supplier=_actor(supplier) if supplier is not None else SpdxNoAssertion(),
        originator=_actor(supplier) if supplier is not None else None,
        files_analyzed=False,
        # concluded: what the card declares (aibom has no contrary evidence); not a legal review
        license_concluded=declared,
        license_declared=declared,
        copyright_text=copyright_of(c) or SpdxNoAssertion(),
        description=c.card.description,
        comment=(
            f"aibom {c.kind.value} {c.ref!r}, role {graph.role(c.ref).value}, "
            f"{'present locally' if c.local else 'declared by another component, not present'}"
        ),
    )
    if c.root_digest is not None and _SHA256.fullmatch(c.root_digest):
        pkg.checksums = [Checksum(ChecksumAlgorithm.SHA256, c.root_digest)]
        pkg.comment = f"{pkg.comment}; its SHA256 checksum is the {ROOT_DIGEST_COMMENT}"
    refs = []
    purl, _ = purl_of(c)
    if purl is not None and _PURL.match(purl) and " " not in purl:
        refs.append(ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl))
    for prefix, sig in (("oms-signature", c.signature), ("oms-attestation", c.attestation)):
        if sig is not None:
            refs += _signature_refs(prefix, sig, bundle_url(c, sig, base_url))
    pkg.external_references = refs
    return pkg


def _declared(c: Component, licenses: dict[str, ExtractedLicensingInfo]) -> Any:
    expression, custom = license_expression(c.license)
    if expression is None:
        return SpdxNoAssertion()
    for ref in custom:
        named = ref.removeprefix("LicenseRef-")
        info = licenses.get(ref)
        if info is None:
            info = ExtractedLicensingInfo(
                license_id=ref,
                extracted_text=(
                    f"A license the model or dataset card names {named!r}; its text is not "
                    "part of this document."
                ),
                license_name=named,
            )
            licenses[ref] = info
        if c.license_url and re.fullmatch(r"https?://\S+", c.license_url):
            info.cross_references = sorted({*info.cross_references, c.license_url})
    try:
        return spdx_licensing().parse(expression)
    except ExpressionError:
        raise InputError(f"license {c.license!r} of {c.ref!r} makes no SPDX expression") from None


def _locator(text: str) -> str:
    """An OTHER-category locator has no spaces."""
    return quote(text, safe="/:@!$&'()*+,;=?#%~") if re.search(r"\s", text) else text


def _signature_refs(prefix: str, sig: SignatureEvidence,
                    url: str | None) -> list[ExternalPackageRef]:
    other = ExternalPackageRefCategory.OTHER
    signer = sig.signer
    what = "OMS model signature" if prefix == "oms-signature" else "signed lineage attestation"
    refs = [
        ExternalPackageRef(
            other,
            f"{prefix}-bundle",
            _locator(url or sig.bundle_path),
            f"{what}: Sigstore bundle, {signer.method} signing, predicate {sig.predicate_type}",
        ),
        ExternalPackageRef(
            other,
            f"{prefix}-bundle-sha256",
            _locator(f"sha256:{sig.bundle_sha256}"),
            f"{what}: SHA-256 of the Sigstore bundle",
        ),
    ]
    if signer.certificate_fingerprint is not None:
        refs.append(
            ExternalPackageRef(
                other,
                f"{prefix}-certificate-sha256",
                _locator(f"sha256:{signer.certificate_fingerprint}"),
                f"{what}: SHA-256 fingerprint of the signing certificate (DER)",
            )
        )
    elif signer.public_key_fingerprint is not None:
        refs.append(
            ExternalPackageRef(
                other,
                f"{prefix}-public-key-sha256",
                _locator(f"sha256:{signer.public_key_fingerprint}"),
                f"{what}: SHA-256 of the signing public key (SubjectPublicKeyInfo DER)",
            )
        )
    if signer.identity is not None:
        issuer = f", vouched for by {signer.issuer}" if signer.issuer else ""
        refs.append(
            ExternalPackageRef(
                other,
                f"{prefix}-identity",
                _locator(signer.identity),
                f"{what}: signer identity (certificate subject alternative name){issuer}",
            )
        )
    for entry in sig.log_entries:
        log = KNOWN_LOGS.get(entry.log_id)
        refs.append(
            ExternalPackageRef(
                other,
                f"{prefix}-rekor-entry",
                _locator(entry.entry_uuid or f"{entry.log_id}:{entry.log_index}"),
                f"{what}: Rekor entry, log index {entry.log_index} of "
                f"{log or 'the log ' + entry.log_id}, integrated at {entry.integrated_time}",
            )
        )
        if log is not None:
            refs.append(
                ExternalPackageRef(
                    ExternalPackageRefCategory.SECURITY,
                    "url",
                    entry.search_url,
                    f"{what}: the Rekor entry in the Sigstore search UI",
                )
            )
    return refs


def _annotation(graph: ProvenanceGraph, c: Component) -> str:
    """Everything else aibom knows about the component, one `aibom:<name>: <value>` a line
    (values escaped to one line), in the order and with the names of the SPDX 3 properties."""
    props = component_props(graph, c)
    if c.root_digest is not None:
        props.append((v.P_ROOT_DIGEST, c.root_digest))
    if c.license_url is not None:
        props.append((v.P_LICENSE_URL, c.license_url))
    for prefix, sig in ((v.SIGNATURE, c.signature), (v.ATTESTATION, c.attestation)):
        if sig is not None:
            props += v.signature_props(prefix, sig)
    props += v.card_props(c.card, v.CardFields())
    props.sort(key=lambda p: p[0])
    props += [(v.P_FILE, f"{f.algorithm}:{f.digest} {f.name}") for f in c.files]
    return "\n".join(f"{name}: {_escape_line_breaks(value)}" for name, value in props)


def _escape_line_breaks(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def _relationship(graph: ProvenanceGraph, e: Edge, ids: dict[str, str]) -> Relationship:
    kind, child_first = RELATIONS[e.relation]
    child, parent = ids[e.child], ids[e.parent]
    comment = f"{v.P_EDGE_RELATION}={e.relation.value}; {v.P_EDGE_LEVEL}={e.level.value}"
    if e.evidence:
        comment += f"; {v.P_EDGE_EVIDENCE}={e.evidence}"
    if child_first:
        return Relationship(child, kind, parent, comment)
    return Relationship(parent, kind, child, comment)


def export_with_options(graph: ProvenanceGraph, options: ExportOptions) -> str:
    """The registry's exporter: `export_spdx2` with the common options."""
    return export_spdx2(graph, root_ref=options.root_ref, created=options.timestamp,
                       organization=options.organization, base_url=options.base_url)
