"""SPDX 3.0.1 elements around a package: the aibom: extension, signature evidence
(bundles, signers, log entries), the files of the OMS manifest and the declared licence."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from spdx_python_model import v3_0_1 as spdx

from aibom.formats import vocabulary as v
from aibom.formats._common import distinct_ids
from aibom.formats._spdx_common import KNOWN_LOGS, license_expression, slug, what
from aibom.formats.identity import Organization
from aibom.graph import Component, FileDigest, SignatureEvidence

SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle+json"
# OMS hash type -> SPDX 3 HashAlgorithm (anything else: `other` + aibom:file:algorithm)
HASHES = {"sha256": "sha256", "blake2b": "blake2b512", "blake3": "blake3"}
HASHES_BACK = {h: k for k, h in HASHES.items()}


@dataclass
class Doc:
    ns: str
    info: Any  # the one CreationInfo
    elements: list[Any] = field(default_factory=list)
    licenses: dict[str, Any] = field(default_factory=dict)
    agents: dict[str, Any] = field(default_factory=dict)  # Organization elements by text
    # software_File elements as JSON-LD, written directly (`creationInfo` is filled in once
    # the serializer has named the CreationInfo node): thousands of library objects are slow
    files: list[dict[str, Any]] = field(default_factory=list)

    def add(self, element: Any) -> Any:
        self.elements.append(element)
        return element


def component_id(ns: str, c: Component) -> str:
    prefix = f"{c.kind.value}:"
    if c.ref.startswith(prefix):
        return f"{ns}{c.kind.value}/{slug(c.ref[len(prefix) :])}"
    return f"{ns}ref/{slug(c.ref)}"


def set_props(element: Any, props: Iterable[tuple[str, str]]) -> None:
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


def bundle_ref(prefix: str, sig: SignatureEvidence, url: str | None = None) -> Any:
    """The bundle as an external reference: at `url` when it is published (the local path
    stays in aibom:<prefix>:bundle-path), else at its path relative to the document."""
    return spdx.ExternalRef(
        externalRefType=spdx.ExternalRefType.securityOther,
        locator=[url or sig.bundle_path],
        contentType=SIGSTORE_BUNDLE,
        comment=(
            f"{what(prefix)}: Sigstore bundle sha256:{sig.bundle_sha256}, "
            f"{sig.signer.method} signing, predicate {sig.predicate_type}"
        ),
    )


def signer_ids(prefix: str, sig: SignatureEvidence) -> list[Any]:
    signer, label = sig.signer, what(prefix)
    ids = []
    if signer.certificate_fingerprint is not None:
        ids.append(
            spdx.ExternalIdentifier(
                externalIdentifierType=spdx.ExternalIdentifierType.securityOther,
                identifier=f"sha256:{signer.certificate_fingerprint}",
                comment=f"{label}: SHA-256 fingerprint of the signing certificate (DER)",
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
            comment=f"{label}: signer identity (subject alternative name of the certificate)",
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
                    f"{label}: SHA-256 of the signing public key (SubjectPublicKeyInfo DER)"
                    if signer.public_key_fingerprint is not None
                    else f"{label}: public key hint of the signing key"
                ),
            )
        )
    return ids


def log_ids(prefix: str, sig: SignatureEvidence) -> list[Any]:
    ids = []
    for entry in sig.log_entries:
        log = KNOWN_LOGS.get(entry.log_id)
        when = datetime.fromtimestamp(entry.integrated_time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        identifier = spdx.ExternalIdentifier(
            externalIdentifierType=spdx.ExternalIdentifierType.securityOther,
            identifier=entry.entry_uuid or f"{entry.log_id}:{entry.log_index}",
            issuingAuthority=log or f"Rekor transparency log {entry.log_id}",
            comment=(
                f"{what(prefix)}: Rekor entry, log index {entry.log_index}, "
                f"{entry.kind} {entry.version}, integrated {when}"
            ),
        )
        if log is not None:
            identifier.identifierLocator = [entry.search_url]
        ids.append(identifier)
    return ids



def files(c: Component, pkg: Any, doc: Doc) -> None:
    """Each file of the OMS manifest as a software_File with its digest; the package
    `contains` them, in manifest order. The relationships name the files by IRI."""
    if not c.files:
        return
    ids = distinct_ids((f"{pkg._id}/file/{slug(f.name)}" for f in c.files), "/")
    doc.files += map(_file, ids, c.files)
    doc.add(
        spdx.Relationship(
            _id=f"{pkg._id}/contains",
            creationInfo=doc.info,
            from_=pkg,
            to=ids,
            relationshipType=spdx.RelationshipType.contains,
            comment="the files of the component's OMS manifest",
        )
    )
    artifacts = [fid for fid, f in zip(ids, c.files, strict=True) if f.sha512]
    if artifacts:  # BSI TR-03183-2: the deployable files, each with its SHA-512
        rel = spdx.Relationship(
            _id=f"{pkg._id}/hasDistributionArtifact",
            creationInfo=doc.info,
            from_=pkg,
            to=artifacts,
            relationshipType=spdx.RelationshipType.hasDistributionArtifact,
            comment="the files the component is distributed as, with their SHA-512",
        )
        set_props(rel, [(v.P_DERIVED, "true")])
        doc.add(rel)


_METADATA_SUFFIXES = (".md", ".txt", ".json", ".yaml", ".yml", ".py", ".cfg", ".toml",
                      ".sig", ".model", ".tiktoken")  # cards, configs, tokenizers, code


def is_payload(name: str) -> bool:
    """Whether a file is what the component carries (weights, data) rather than its card,
    configuration or tokenizer."""
    return not name.lower().endswith(_METADATA_SUFFIXES)


def _file(fid: str, f: FileDigest) -> dict[str, Any]:
    """A software_File as the library's JSON-LD serializer writes it (compact names)."""
    known = HASHES.get(f.algorithm)
    hashes = [{"algorithm": known or "other", "hashValue": f.digest, "type": "Hash"}]
    element: dict[str, Any] = {"name": f.name, "spdxId": fid, "type": "software_File",
                               "verifiedUsing": hashes}
    if f.sha512 is not None:
        hashes.append({"algorithm": "sha512", "hashValue": f.sha512, "type": "Hash"})
        if is_payload(f.name):  # weights, data shards: structured containers (BSI)
            element["software_additionalPurpose"] = ["container"]
    if known is None:
        element["extension"] = [{
            "extension_cdxProperty": [{"extension_cdxPropName": v.P_FILE_ALG,
                                       "extension_cdxPropValue": f.algorithm,
                                       "type": "extension_CdxPropertyEntry"}],
            "type": "extension_CdxPropertiesExtension",
        }]
    return element


def declared_license(c: Component, pkg: Any, doc: Doc) -> None:
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
    # aibom concludes what the card declares (it has no contrary evidence); not a legal review
    concluded = spdx.Relationship(
        _id=f"{pkg._id}/hasConcludedLicense",
        creationInfo=doc.info,
        from_=pkg,
        to=[lic],
        relationshipType=spdx.RelationshipType.hasConcludedLicense,
        comment="concluded from the declared license of the card; not a legal review",
    )
    set_props(concluded, [(v.P_DERIVED, "true")])
    doc.add(concluded)


def organization(org: Organization, doc: Doc) -> Any:
    """The Organization element of `org` (one per name and contact), with its email or URL
    as an external identifier."""
    key = str(org)
    element = doc.agents.get(key)
    if element is None:
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        element = spdx.Organization(_id=f"{doc.ns}organization/{digest}", name=org.name,
                                    creationInfo=doc.info)
        if org.email is not None:
            element.externalIdentifier = [spdx.ExternalIdentifier(
                externalIdentifierType=spdx.ExternalIdentifierType.email,
                identifier=org.email)]
        elif org.url is not None:
            element.externalIdentifier = [spdx.ExternalIdentifier(
                externalIdentifierType=spdx.ExternalIdentifierType.urlScheme,
                identifier=org.url)]
        doc.agents[key] = element
    return element


