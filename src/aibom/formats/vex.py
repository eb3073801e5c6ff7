"""VEX for incident response: the components an inventory query found affected by a cause
(a dataset, a base model, a signer...), each with the path back to the cause, as OpenVEX
0.2.0 or CycloneDX VEX.

    vex_document(hits, cause, fmt, vulnerability=..., author=..., aibom=...) -> str

Every affected component gets one statement: status `affected` (CycloneDX: `exploitable`),
the path in words (`tiny-chat-q8 -quantized_from-> tiny-chat -trained_on-> tiny-instruct`)
as its notes, and the component identified by purl and OMS root digest. Given the AIBOM the
statements are about (`aibom`), products are also named inside it: OpenVEX `@id`
`<serialNumber>#<bom-ref>`, CycloneDX `affects` by BOM-Link (`urn:cdx:<uuid>/<version>#<ref>`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import aibom
from aibom.errors import InputError
from aibom.formats.identity import Organization, creation_time, purl_of, rfc3339

OPENVEX_CONTEXT = "https://openvex.dev/ns/v0.2.0"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_UUID = re.compile(r"urn:uuid:[0-9a-f-]{36}")


class VexFormat(StrEnum):
    """The VEX formats `aibom query --format` writes."""

    OPENVEX = "openvex"
    CYCLONEDX_VEX = "cyclonedx-vex"


class AffectedComponent(Protocol):
    """What a query hit tells about one affected component (aibom.store.Hit)."""

    @property
    def key(self) -> str: ...
    @property
    def ref(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str | None: ...
    @property
    def purl(self) -> str | None: ...
    @property
    def root_digest(self) -> str | None: ...
    @property
    def depth(self) -> int: ...
    @property
    def path(self) -> tuple[str, ...]: ...
    @property
    def relations(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Subject:
    """The AIBOM the statements are about: its serial number, version and bom-refs."""

    serial: str
    version: int
    refs: frozenset[str]

    @classmethod
    def of(cls, raw: bytes, source: str) -> Subject:
        """From a CycloneDX AIBOM's bytes; InputError for anything else."""
        from aibom._internal.jsonio import load_json

        document = load_json(raw, source)
        if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
            raise InputError(f"{source}: VEX statements bind to a CycloneDX AIBOM")
        serial, version = document.get("serialNumber"), document.get("version", 1)
        if not isinstance(serial, str) or not _UUID.fullmatch(serial) \
                or not isinstance(version, int) or isinstance(version, bool):
            raise InputError(f"{source}: the AIBOM has no urn:uuid serialNumber and version")
        refs: set[str] = set()
        stack: list[Any] = [document.get("metadata", {}).get("component"),
                            *(document.get("components") or [])]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if isinstance(node.get("bom-ref"), str):
                    refs.add(node["bom-ref"])
                stack.extend(node.get("components") or [])
        return cls(serial, version, frozenset(refs))


def path_text(hit: AffectedComponent) -> str:
    """`a -relation-> b -relation-> cause`: why the component is affected."""
    if hit.depth == 0:
        return f"{hit.ref} is the cause"
    chain = hit.path[0]
    for relation, ref in zip(hit.relations, hit.path[1:], strict=True):
        chain += f" -{relation}-> {ref}"
    return chain


def vex_document(
    hits: Sequence[AffectedComponent],
    cause: str,
    fmt: VexFormat | str,
    *,
    vulnerability: str | None = None,
    author: Organization | None = None,
    aibom_document: bytes | None = None,
    source: str = "AIBOM",
    timestamp: str | None = None,
) -> str:
    """The hits as a VEX document (JSON text). `cause` is the query in words (`--dataset
    X`); `vulnerability` names the incident (default: `aibom:` + the cause);
    `aibom_document` the bytes of the CycloneDX AIBOM the statements are about."""
    when = rfc3339(creation_time(timestamp))
    name = vulnerability or "aibom:" + cause.lstrip("-").replace(" ", ":", 1)
    subject = Subject.of(aibom_document, source) if aibom_document is not None else None
    if VexFormat(fmt) == VexFormat.OPENVEX:
        doc = _openvex(hits, cause, name, author, subject, when)
    else:
        doc = _cyclonedx(hits, cause, name, author, subject, when)
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _identity(hit: AffectedComponent) -> tuple[str | None, str | None]:
    """(purl, root digest) of a hit, the purl as the AIBOM exporters write it (its own, the
    Hub's, or one pinned to the OMS root digest)."""
    from aibom.graph import Component, Kind

    digest = hit.root_digest if hit.root_digest and _SHA256.fullmatch(hit.root_digest) else None
    try:
        kind = Kind(hit.kind)
    except ValueError:
        kind = Kind.MODEL
    component = Component(ref=hit.ref, kind=kind, name=hit.name, version=hit.version,
                          purl=hit.purl, root_digest=digest)
    return purl_of(component)[0], digest


def _action(hit: AffectedComponent, cause: str) -> str:
    if hit.depth == 0:
        return f"Withdraw or replace this component: it is what {cause} names."
    return (f"Stop deploying this component and rebuild it without what {cause} names "
            "(or confirm that the cause is fixed), then sign and verify the chain again.")


def _openvex(hits: Sequence[AffectedComponent], cause: str, name: str,
             author: Organization | None, subject: Subject | None,
             when: str) -> dict[str, Any]:
    statements = []
    for hit in hits:
        purl, digest = _identity(hit)
        product: dict[str, Any] = {}
        if subject is not None and hit.ref in subject.refs:
            product["@id"] = f"{subject.serial}#{hit.ref}"
        elif purl is not None:
            product["@id"] = purl
        else:
            product["@id"] = f"urn:aibom:component:{hashlib.sha256(hit.key.encode()).hexdigest()}"
        if purl is not None:
            product["identifiers"] = {"purl": purl}
        if digest is not None:
            product["hashes"] = {"sha-256": digest}
        statements.append({
            "vulnerability": {"name": name, "description": f"aibom query {cause}"},
            "products": [product],
            "status": "affected",
            "status_notes": f"{hit.kind} {hit.name}: {path_text(hit)}",
            "action_statement": _action(hit, cause),
            "timestamp": when,
        })
    if not statements:
        raise InputError(f"no component matches {cause}: a VEX document needs a statement")
    body = {
        "@context": OPENVEX_CONTEXT,
        "author": str(author) if author is not None else "aibom",
        "timestamp": when,
        "version": 1,
        "tooling": f"aibom {aibom.__version__}",
        "statements": statements,
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return {**body, "@id": f"https://aibom.dev/vex/{digest}"}


def _cyclonedx(hits: Sequence[AffectedComponent], cause: str, name: str,
               author: Organization | None, subject: Subject | None,
               when: str) -> dict[str, Any]:
    import uuid

    components, vulnerabilities = [], []
    for n, hit in enumerate(hits):
        purl, digest = _identity(hit)
        if subject is not None and hit.ref in subject.refs:
            serial = subject.serial.removeprefix("urn:uuid:")
            ref = f"urn:cdx:{serial}/{subject.version}#{hit.ref}"
        else:
            ref = f"component-{n}"
            entry: dict[str, Any] = {"bom-ref": ref, "name": hit.name,
                                     "type": "data" if hit.kind == "dataset"
                                     else "machine-learning-model"}
            if hit.version:
                entry["version"] = hit.version
            if purl:
                entry["purl"] = purl
            if digest:
                entry["hashes"] = [{"alg": "SHA-256", "content": digest}]
            components.append(entry)
        vulnerabilities.append({
            "bom-ref": f"vulnerability-{n}",
            "id": name,
            "description": f"aibom query {cause}",
            "analysis": {"state": "exploitable", "detail": f"{hit.kind} {hit.name}: "
                                                          f"{path_text(hit)}",
                         "response": ["workaround_available"] if hit.depth else ["update"]},
            "recommendation": _action(hit, cause),
            "affects": [{"ref": ref}],
        })
    if not vulnerabilities:
        raise InputError(f"no component matches {cause}: a VEX document needs a statement")
    metadata: dict[str, Any] = {
        "timestamp": when,
        "tools": {"components": [{"type": "application", "name": "aibom",
                                  "version": aibom.__version__}]},
    }
    if author is not None:
        metadata["manufacturer"] = {"name": author.name, **(
            {"contact": [{"email": author.email}]} if author.email else {"url": [author.url]})}
    doc: dict[str, Any] = {"bomFormat": "CycloneDX", "specVersion": "1.7", "version": 1,
                           "metadata": metadata, "vulnerabilities": vulnerabilities}
    if components:
        doc["components"] = components
    canonical = json.dumps({**doc, "metadata": {}}, sort_keys=True).encode()
    derived = uuid.UUID(bytes=hashlib.sha256(canonical).digest()[:16], version=5)
    doc["serialNumber"] = f"urn:uuid:{derived}"
    return doc
