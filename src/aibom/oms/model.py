"""Typed view of an OMS signature: what was signed, how, by whom, and where it was logged.

Pure data, no I/O. Built by `aibom.oms.bundle.parse_bundle`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SigningMethod = Literal["key", "certificate", "sigstore"]
SerializationMethod = Literal["files", "shards"]

PREDICATE_V1 = "https://model_signing/signature/v1.0"
PREDICATE_LEGACY = "https://model_signing/Digests/v0.1"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"

DEFAULT_SHARD_SIZE = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Resource:
    """One signed file (or byte range of a file, for shards)."""

    name: str
    algorithm: str
    digest: str  # lowercase hex

    @property
    def path(self) -> str:
        """The file this resource belongs to (shards carry a `:start:end` suffix)."""
        return split_shard_name(self.name)[0] if ":" in self.name else self.name


@dataclass(frozen=True)
class Serialization:
    method: SerializationMethod = "files"
    hash_type: str = "sha256"
    allow_symlinks: bool = False
    shard_size: int | None = None
    ignore_paths: tuple[str, ...] = ()

    def as_predicate(self) -> dict[str, object]:
        out: dict[str, object] = {
            "method": self.method,
            "hash_type": self.hash_type,
            "allow_symlinks": self.allow_symlinks,
        }
        if self.method == "shards":
            out["shard_size"] = self.shard_size
        if self.ignore_paths:
            out["ignore_paths"] = list(self.ignore_paths)
        return out


@dataclass(frozen=True)
class LogEntry:
    """A transparency-log (Rekor) entry recorded in the bundle."""

    log_index: int
    log_id: str  # hex key id of the log
    integrated_time: int  # unix seconds
    kind: str
    version: str
    entry_uuid: str | None  # RFC 6962 leaf hash of the canonicalized body, hex
    has_inclusion_proof: bool

    @property
    def search_url(self) -> str:
        return f"https://search.sigstore.dev/?logIndex={self.log_index}"


@dataclass(frozen=True)
class SignerFacts:
    """Who signed: a public key, a certificate chain, or a keyless identity."""

    method: SigningMethod
    public_key_hint: str | None = None
    public_key_fingerprint: str | None = None  # SHA-256 of the SubjectPublicKeyInfo DER, hex
    certificate_fingerprint: str | None = None  # SHA-256 of the leaf DER, hex
    identity: str | None = None  # SAN of the leaf
    issuer: str | None = None  # OIDC issuer extension of the leaf
    chain_fingerprints: tuple[
        str, ...
    ] = ()  # SHA-256 of every certificate in the bundle, leaf first
    not_before: str | None = None
    not_after: str | None = None


@dataclass(frozen=True)
class OmsSignature:
    """A parsed, schema-checked OMS bundle. Nothing in it has been verified yet."""

    media_type: str
    bundle_sha256: str
    predicate_type: str
    model_name: str
    root_digest: str | None  # subject sha256; None for the legacy predicate
    resources: tuple[Resource, ...]
    serialization: Serialization
    signer: SignerFacts
    log_entries: tuple[LogEntry, ...] = ()
    signed_timestamps: int = 0  # RFC 3161 timestamps in timestampVerificationData
    notes: tuple[str, ...] = field(default=())  # relaxations applied while reading (older formats)

    @property
    def legacy(self) -> bool:
        return self.predicate_type == PREDICATE_LEGACY


def split_shard_name(name: str) -> tuple[str, int, int]:
    """`path:start:end` -> (path, start, end); the path itself may contain colons."""
    path, _, rest = name.rpartition(":")
    path, _, start = path.rpartition(":")
    if not path or not start.isdigit() or not rest.isdigit():
        raise ValueError(f"not a shard resource name: {name!r}")
    return path, int(start), int(rest)


def shard_name(path: str, start: int, end: int) -> str:
    return f"{path}:{start}:{end}"
