"""What auditors ask of every component and document, derived once for every format: the
organisation producing the AIBOM, each component's supplier, version, purl and hashes, the
creation time, and where a signature bundle can be fetched.

Nothing here reads files: every fact comes from the graph and the export options, and each
derived value says where it came from (docs/mapping-cyclonedx.md, docs/mapping-spdx.md).
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from urllib.parse import quote

from aibom.errors import InputError
from aibom.graph import Component, Kind, SignatureEvidence

HF_BASE = "https://huggingface.co"
NOASSERTION = "NOASSERTION"
_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
_URL = re.compile(r"https?://[^\s<>]+")
_ORG = re.compile(r"\s*(?P<name>[^<>]*?)\s*<\s*(?P<contact>[^<>]+?)\s*>\s*")
_HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CREATED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class Organization:
    """A named organisation with an email address or a web address (at least one)."""

    name: str
    email: str | None = None
    url: str | None = None

    def contact(self) -> str:
        """The email or URL, as written in "NAME <contact>"."""
        return self.email or self.url or ""

    def __str__(self) -> str:
        return f"{self.name} <{self.contact()}>"


def parse_organization(text: str) -> Organization:
    """`NAME <email-or-url>` -> Organization; InputError for anything else."""
    match = _ORG.fullmatch(text)
    if match is None or not match["name"]:
        raise InputError(f"organization {text!r} is not NAME <email-or-url>")
    contact = match["contact"]
    if _EMAIL.fullmatch(contact):
        return Organization(match["name"], email=contact)
    if _URL.fullmatch(contact):
        return Organization(match["name"], url=contact)
    raise InputError(f"organization {text!r}: {contact!r} is neither an email nor an http(s) URL")


class Source(StrEnum):
    """Where a derived fact came from (written as aibom:<fact>-source)."""

    GRAPH = "graph"  # the component's own (hub revision, card, purl)
    ROOT_DIGEST = "oms-root-digest"
    HUB = "hub"
    SIGNER = "signer"
    ORGANIZATION = "organization"


def creation_time(given: str | None) -> datetime:
    """The document's creation time: `given` (RFC 3339 with a zone), else SOURCE_DATE_EPOCH
    (seconds since 1970, for reproducible builds), else now; UTC, whole seconds."""
    if given is not None:
        if not isinstance(given, str) or not _CREATED.fullmatch(given):
            raise InputError(f"created {given!r} is not an RFC 3339 date-time with a time zone")
        try:
            value = datetime.fromisoformat(given.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"created {given!r} is not a valid date-time") from None
        return value.astimezone(UTC).replace(microsecond=0)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.strip():
        if not epoch.strip().isdigit() or len(epoch.strip()) > 12:
            raise InputError(f"SOURCE_DATE_EPOCH {epoch!r} is not a number of seconds")
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def rfc3339(when: datetime) -> str:
    """`when` as written in every format: 2026-01-02T03:04:05Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def copyright_of(c: Component) -> str | None:
    """The copyright notices the component's own card or licence files state (discovery's
    `copyright` fact), else None: never invented."""
    return next((value for key, value in c.card.properties if key == "copyright"), None)


def version_of(c: Component) -> tuple[str | None, Source | None]:
    """(version, source): the graph's (hub revision or card version), else the OMS root
    digest as `sha256:<hex>`; (None, None) when neither is known."""
    if c.version is not None:
        return c.version, Source.GRAPH
    if c.root_digest is not None:
        return f"sha256:{c.root_digest}", Source.ROOT_DIGEST
    return None, None


def hub_id(c: Component) -> tuple[str, str] | None:
    """(organisation, name) on the Hugging Face Hub: from a pkg:huggingface purl, or from a
    component named `org/name` (what model and dataset cards call each other)."""
    if c.purl is not None:
        if not c.purl.startswith("pkg:huggingface/"):
            return None
        parts = c.purl.removeprefix("pkg:huggingface/").split("?")[0].split("#")[0]
        parts = parts.split("@")[0]
        org, _, name = parts.partition("/")
        return (org, name) if _HUB_ID.fullmatch(org) and _HUB_ID.fullmatch(name) else None
    org, _, name = c.name.partition("/")
    if _HUB_ID.fullmatch(org) and _HUB_ID.fullmatch(name):
        return org, name
    return None


def supplier_of(c: Component, organization: Organization | None,
                ) -> tuple[Organization | None, Source | None]:
    """(supplier, source): the Hub organisation, the signer's identity, else `organization`."""
    hub = hub_id(c)
    if hub is not None:
        return Organization(hub[0], url=f"{HF_BASE}/{hub[0]}"), Source.HUB
    for sig in (c.signature, c.attestation):
        identity = sig.signer.identity if sig is not None else None
        if identity is not None and _EMAIL.fullmatch(identity):
            return Organization(identity, email=identity), Source.SIGNER
        if identity is not None and _URL.fullmatch(identity):
            return Organization(identity, url=identity), Source.SIGNER
    if organization is not None:
        return organization, Source.ORGANIZATION
    return None, None


def purl_of(c: Component) -> tuple[str | None, Source | None]:
    """(purl, source): the graph's, else pkg:huggingface for a model known by its Hub id (the
    purl type covers models only), else a pkg:generic purl pinned to the OMS root digest
    (`checksum` qualifier); (None, None) otherwise."""
    if c.purl is not None:
        return c.purl, Source.GRAPH
    version, _ = version_of(c)
    hub = hub_id(c)
    if hub is not None and c.kind != Kind.DATASET:
        at = f"@{quote(c.version, safe='')}" if c.version is not None else ""
        return f"pkg:huggingface/{hub[0]}/{hub[1]}{at}", Source.HUB
    if c.root_digest is not None and re.fullmatch(r"[0-9a-f]{64}", c.root_digest):
        name = quote(c.name.split("/")[-1] or c.ref, safe="")
        return (f"pkg:generic/{name}@{quote(version or '', safe='')}"
                f"?checksum=sha256:{c.root_digest}"), Source.ROOT_DIGEST
    return None, None


def bundle_url(c: Component, sig: SignatureEvidence, base_url: str | None) -> str | None:
    """An absolute URL where the signature bundle can be fetched: under `base_url` (each
    component directory published under its own name), or on the Hub for a Hub component.
    None when neither is known or the bundle is not inside the component's directory (the
    document then keeps its relative path)."""
    inside = _inside(c, sig)
    if inside is None:
        return None
    path = "/".join(quote(p, safe="") for p in inside)
    if base_url is not None:
        folder = (c.location or "").replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        if folder in ("", ".", ".."):
            return None
        return f"{base_url.rstrip('/')}/{quote(folder, safe='')}/{path}"
    hub = hub_id(c)
    if hub is not None and c.purl is not None:
        datasets = "datasets/" if c.kind == Kind.DATASET else ""
        revision = quote(c.version or "main", safe="")
        return f"{HF_BASE}/{datasets}{hub[0]}/{hub[1]}/resolve/{revision}/{path}"
    return None


def _inside(c: Component, sig: SignatureEvidence) -> list[str] | None:
    """The bundle's path inside the component's directory, as segments; None outside it."""
    bundle = posixpath.normpath(sig.bundle_path.replace("\\", "/"))
    location = posixpath.normpath((c.location or ".").replace("\\", "/"))
    rest = posixpath.relpath(bundle, location) if not posixpath.isabs(bundle) \
        or posixpath.isabs(location) else bundle
    parts = rest.split("/")
    if not parts or any(p in ("", ".", "..") for p in parts) or posixpath.isabs(rest):
        return None
    return parts


def check_base_url(url: str) -> str:
    """`url` if it is an absolute http(s) URL; InputError otherwise."""
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[^\s]*)?", url):
        raise InputError(f"--base-url {url!r} is not an absolute http(s) URL")
    return url
