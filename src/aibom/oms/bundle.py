"""Read an OMS bundle: Sigstore bundle -> DSSE envelope -> in-toto statement -> OMS predicate.

Parsing validates structure (OMS v1.0 JSON schemas plus the relaxations the spec allows for
older bundles) and keeps the exact signed bytes; it verifies nothing cryptographic.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from operator import itemgetter
from pathlib import Path
from typing import Any

from aibom._internal.files import read_capped
from aibom._internal.jsonio import load_json
from aibom.errors import InputError, VerificationError
from aibom.oms import _shape
from aibom.oms.hashing import root_digest
from aibom.oms.model import (
    INTOTO_PAYLOAD_TYPE,
    PREDICATE_LEGACY,
    PREDICATE_V1,
    STATEMENT_TYPE,
    LogEntry,
    OmsSignature,
    Resource,
    Serialization,
    SignerFacts,
    split_shard_name,
)

MAX_BUNDLE_BYTES = 64 << 20
MEDIA_TYPES = (
    "application/vnd.dev.sigstore.bundle+json;version=0.1",
    "application/vnd.dev.sigstore.bundle+json;version=0.2",
    "application/vnd.dev.sigstore.bundle+json;version=0.3",
    "application/vnd.dev.sigstore.bundle.v0.3+json",
)
DIGEST_HEX_LENGTHS = {"sha256": 64, "blake2b": 128, "blake3": 64}


@dataclass(frozen=True)
class Envelope:
    payload: bytes  # the exact signed bytes
    payload_type: str
    signatures: tuple[bytes, ...]


@dataclass(frozen=True)
class SignedStatement:
    """A Sigstore bundle holding a DSSE-signed in-toto statement, parsed but not verified."""

    raw: bytes
    document: dict[str, Any]
    envelope: Envelope
    statement: dict[str, Any]
    media_type: str
    bundle_sha256: str
    signer: SignerFacts
    log_entries: tuple[LogEntry, ...]
    signed_timestamps: int
    certificates: tuple[bytes, ...]  # DER, leaf first
    public_key_der: bytes | None


@dataclass(frozen=True)
class ParsedBundle(SignedStatement):
    """An OMS bundle: the signed statement and its OMS predicate, read."""

    signature: OmsSignature


def read_raw(path: Path, what: str = "signature") -> bytes:
    return read_capped(path, MAX_BUNDLE_BYTES, what)


def read_bundle(path: Path) -> ParsedBundle:
    return parse_bundle(read_raw(path), source=str(path))


def parse_signed_statement(
    raw: bytes, *, source: str = "signature", statement: dict[str, Any] | None = None
) -> SignedStatement:
    """1. size, 2. JSON, 3. media type and schema, 4. envelope, 5. statement, 6. signer.
    `statement`: the dict the payload was serialized from, by a caller that just made it
    (its JSON is not parsed again)."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise InputError(f"{source} is larger than {MAX_BUNDLE_BYTES >> 20} MiB")
    document = load_json(raw, source)
    if not isinstance(document, dict):
        raise InputError(f"{source} is not a Sigstore bundle (not a JSON object)")
    media_type = document.get("mediaType")
    if media_type not in MEDIA_TYPES:
        raise InputError(f"{source} has an unsupported bundle mediaType {media_type!r}")
    material = document.get("verificationMaterial")
    if isinstance(material, dict) and "certificate" in material and not material.get("tlogEntries"):
        raise InputError(f"{source}: a keyless (sigstore) bundle must carry a tlog entry")
    _shape.check_bundle(document, source)
    envelope = _envelope(document["dsseEnvelope"], source)
    if statement is None:
        statement = load_json(envelope.payload, f"{source} payload")
    if not isinstance(statement, dict):
        raise InputError(f"{source} payload is not an in-toto statement")
    material = document["verificationMaterial"]
    signer, chain, key_der = _signer(material, source)
    timestamps = (material.get("timestampVerificationData") or {}).get("rfc3161Timestamps")
    return SignedStatement(
        raw=raw,
        document=document,
        envelope=envelope,
        statement=statement,
        media_type=media_type,
        bundle_sha256=hashlib.sha256(raw).hexdigest(),
        signer=signer,
        log_entries=_log_entries(material.get("tlogEntries") or [], source),
        signed_timestamps=len(timestamps or []),
        certificates=chain,
        public_key_der=key_der,
    )


def parse_bundle(
    raw: bytes, *, source: str = "signature", statement: dict[str, Any] | None = None
) -> ParsedBundle:
    """An OMS bundle: the signed statement, then 7. the OMS predicate. `statement` as for
    `parse_signed_statement`."""
    signed = parse_signed_statement(raw, source=source, statement=statement)
    sig = replace(
        _oms_signature(signed.statement, source),
        media_type=signed.media_type,
        bundle_sha256=signed.bundle_sha256,
        signer=signed.signer,
        log_entries=signed.log_entries,
        signed_timestamps=signed.signed_timestamps,
    )
    fields = {f: getattr(signed, f) for f in SignedStatement.__dataclass_fields__}
    return ParsedBundle(**fields, signature=sig)


def b64decode(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise InputError(f"{what} is not a base64 string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{what} is not valid base64") from None


def _envelope(node: dict[str, Any], source: str) -> Envelope:
    payload = b64decode(node.get("payload"), f"{source} DSSE payload")
    payload_type = node.get("payloadType")
    if payload_type != INTOTO_PAYLOAD_TYPE:
        raise VerificationError(  # what was signed is not an OMS statement: not verified
            f"{source}: DSSE payloadType is {payload_type!r}, not in-toto JSON"
        )
    signatures = tuple(
        b64decode(s.get("sig"), f"{source} DSSE signature") for s in node.get("signatures") or []
    )
    if len(signatures) != 1:
        raise InputError(f"{source}: expected exactly one DSSE signature, found {len(signatures)}")
    return Envelope(payload, payload_type, signatures)


def _signer(
    material: dict[str, Any], source: str
) -> tuple[SignerFacts, tuple[bytes, ...], bytes | None]:
    if "publicKey" in material:
        node = material["publicKey"] or {}
        key_der = _spki_der(node["rawBytes"], source) if "rawBytes" in node else None
        fp = hashlib.sha256(key_der).hexdigest() if key_der is not None else None
        return (
            SignerFacts("key", public_key_hint=node.get("hint"), public_key_fingerprint=fp),
            (),
            key_der,
        )
    if "x509CertificateChain" in material:
        ders = tuple(
            b64decode(c.get("rawBytes"), f"{source} certificate")
            for c in material["x509CertificateChain"].get("certificates") or []
        )
        if not ders:
            raise InputError(f"{source}: certificate chain is empty")
        return _cert_facts("certificate", ders, source), ders, None
    if "certificate" in material:
        der = b64decode(material["certificate"].get("rawBytes"), f"{source} certificate")
        return _cert_facts("sigstore", (der,), source), (der,), None
    raise InputError(f"{source}: verificationMaterial names no key or certificate")


def _spki_der(value: Any, source: str) -> bytes:
    """Pre-v1.1.0 bundles embed the key itself; model_signing wrote it as PEM, not DER."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    raw = b64decode(value, f"{source} public key")
    try:
        if raw.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(raw)
        else:
            key = serialization.load_der_public_key(raw)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InputError(f"{source}: embedded public key is not a valid key") from None
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _cert_facts(method: str, ders: tuple[bytes, ...], source: str) -> SignerFacts:
    from aibom.oms import certs  # X.509 is imported only for certificate bundles

    leaf = certs.load_der(ders[0], f"{source} signing certificate")
    return SignerFacts(
        method,  # type: ignore[arg-type]
        certificate_fingerprint=hashlib.sha256(ders[0]).hexdigest(),
        public_key_fingerprint=_safe_key_fp(leaf),
        identity=certs.identity_of(leaf),
        issuer=certs.oidc_issuer_of(leaf),
        chain_fingerprints=tuple(hashlib.sha256(d).hexdigest() for d in ders),
        not_before=leaf.not_valid_before_utc.isoformat(),
        not_after=leaf.not_valid_after_utc.isoformat(),
    )


def _safe_key_fp(cert: Any) -> str | None:
    from aibom.oms import keys

    try:
        return keys.public_key_fingerprint(cert.public_key())
    except (ValueError, TypeError):
        return None


def _log_entries(nodes: list[Any], source: str) -> tuple[LogEntry, ...]:
    entries = []
    for node in nodes:
        try:
            body = node.get("canonicalizedBody")
            uuid = None
            if body:
                leaf = b64decode(body, f"{source} tlog body")
                uuid = hashlib.sha256(b"\x00" + leaf).hexdigest()
            entries.append(
                LogEntry(
                    log_index=int(node["logIndex"]),
                    log_id=b64decode(node["logId"]["keyId"], f"{source} log id").hex(),
                    integrated_time=int(node.get("integratedTime") or 0),
                    kind=str(node.get("kindVersion", {}).get("kind", "")),
                    version=str(node.get("kindVersion", {}).get("version", "")),
                    entry_uuid=uuid,
                    has_inclusion_proof="inclusionProof" in node,
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InputError(f"{source}: malformed transparency log entry") from None
    return tuple(entries)


def _oms_signature(statement: dict[str, Any], source: str) -> OmsSignature:
    if statement.get("_type") != STATEMENT_TYPE:
        raise VerificationError(f"{source}: payload is not an in-toto Statement v1")
    predicate_type = statement.get("predicateType")
    if predicate_type == PREDICATE_LEGACY:
        return _legacy_signature(statement, source)
    if predicate_type != PREDICATE_V1:
        raise VerificationError(f"{source}: unsupported predicateType {predicate_type!r}")
    notes: list[str] = []
    normalized = _normalize_shard_algorithms(statement, notes)
    _shape.check_statement(normalized, f"{source} statement")
    predicate = normalized["predicate"]
    ser = predicate["serialization"]
    serialization = Serialization(
        method=ser["method"],
        hash_type=ser["hash_type"],
        allow_symlinks=ser["allow_symlinks"],
        shard_size=ser.get("shard_size"),
        ignore_paths=tuple(ser.get("ignore_paths") or ()),
    )
    if "ignore_paths" not in ser:
        notes.append("pre-v1.1.0 bundle: no ignore_paths recorded")
    raw_resources = statement["predicate"]["resources"]
    resources = _resources(raw_resources)
    _check_resources(resources, serialization, source)
    subject = normalized["subject"]
    if len(subject) != 1 or "sha256" not in subject[0].get("digest", {}):
        raise InputError(
            f"{source}: OMS statement must have exactly one subject with a sha256 digest"
        )
    claimed = subject[0]["digest"]["sha256"]
    if root_digest(r.digest for r in resources) != claimed:
        raise VerificationError(
            f"{source}: subject root digest does not match the listed resources"
        )
    return OmsSignature(
        media_type="",
        bundle_sha256="",
        predicate_type=PREDICATE_V1,
        model_name=str(subject[0].get("name", "")),
        root_digest=claimed,
        resources=resources,
        serialization=serialization,
        signer=SignerFacts("key"),
        notes=tuple(notes),
    )


def _normalize_shard_algorithms(statement: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """What model_signing's shard mode really writes, mapped onto the OMS schema: the resource
    algorithm `<hash>-sharded-<size>` becomes the bare hash type (after checking the size
    matches), and shard_size written as a JSON float (protobuf Struct numbers are doubles,
    so 1000 becomes 1000.0) becomes the integer it stands for."""
    predicate = statement.get("predicate")
    if not isinstance(predicate, dict) or not isinstance(predicate.get("resources"), list):
        return statement
    ser = predicate.get("serialization")
    size = ser.get("shard_size") if isinstance(ser, dict) else None
    if isinstance(ser, dict) and isinstance(size, float) and size.is_integer() and size > 0:
        size = int(size)
        ser = {**ser, "shard_size": size}
        predicate = {**predicate, "serialization": ser}
        notes.append("shard_size written as a JSON float")
    if not _any_sharded_name(predicate["resources"]):
        return statement if predicate is statement.get("predicate") else {
            **statement,
            "predicate": predicate,
        }
    changed = []
    for r in predicate["resources"]:
        algorithm = r.get("algorithm") if isinstance(r, dict) else None
        if isinstance(algorithm, str) and "-sharded-" in algorithm:
            base, _, n = algorithm.partition("-sharded-")
            if n != str(size):
                raise InputError(
                    f"resource algorithm {algorithm!r} disagrees with shard_size {size!r}"
                )
            r = {**r, "algorithm": base}
        changed.append(r)
    if changed != predicate["resources"]:
        notes.append("model_signing shard algorithm names (<hash>-sharded-<size>)")
    return {**statement, "predicate": {**predicate, "resources": changed}}


def _resources(raw: list[dict[str, Any]]) -> tuple[Resource, ...]:
    """Resource objects of a statement checked against the schema; one string for each of
    the few algorithm names, not one per resource."""
    names = map(itemgetter("name"), raw)
    algorithms = map(sys.intern, map(itemgetter("algorithm"), raw))
    return tuple(map(Resource, names, algorithms, map(itemgetter("digest"), raw)))


def _any_sharded_name(resources: list[Any]) -> bool:
    algorithms: Iterable[Any]
    try:
        algorithms = set(map(itemgetter("algorithm"), resources))
    except (TypeError, KeyError):  # not all objects with a plain algorithm: one by one
        algorithms = [r.get("algorithm") for r in resources if isinstance(r, dict)]
    return any(isinstance(a, str) and "-sharded-" in a for a in algorithms)


def _check_resources(resources: tuple[Resource, ...], ser: Serialization, source: str) -> None:
    if ser.method == "files" and _plain_files(resources, ser):
        return  # the common case, checked in bulk; anything else gets the detailed checks
    seen: set[str] = set()
    expected_len = DIGEST_HEX_LENGTHS.get(ser.hash_type)
    for r in resources:
        base = r.algorithm.partition("-sharded-")[0]
        if base != ser.hash_type:
            raise InputError(
                f"{source}: resource {r.name!r} uses {r.algorithm}, not {ser.hash_type}"
            )
        if expected_len and len(r.digest) != expected_len:
            raise InputError(f"{source}: resource {r.name!r} digest has the wrong length")
        path = r.name
        if ser.method == "shards":
            try:
                path, start, end = split_shard_name(r.name)
            except ValueError:
                raise InputError(f"{source}: malformed shard resource name {r.name!r}") from None
            if end <= start or (ser.shard_size and end - start > ser.shard_size):
                raise InputError(f"{source}: shard resource {r.name!r} has an invalid byte range")
        check_resource_path(path, source)
        if r.name in seen:
            raise InputError(f"{source}: resource {r.name!r} is listed twice")
        seen.add(r.name)


# What a name breaks the path rules with, seen in all names joined by newlines (a name that
# holds a newline itself goes the detailed way)
_BAD_IN_JOINED = ("\x00", "\\", "\n/", "//", "/\n", "/./", "/.\n", "\n./", "/../", "/..\n", "\n../")
_BAD_NAMES = ("", ".", "..")


def _plain_files(resources: tuple[Resource, ...], ser: Serialization) -> bool:
    """True when every resource passes the per-resource checks below, found with a few
    passes over all of them instead of many per resource (a manifest may list 100,000)."""
    names = [r.name for r in resources]
    if len(set(names)) != len(names) or {r.algorithm for r in resources} != {ser.hash_type}:
        return False
    expected_len = DIGEST_HEX_LENGTHS.get(ser.hash_type)
    if expected_len and {len(r.digest) for r in resources} != {expected_len}:
        return False
    if names == ["."]:
        return True
    joined = "\n" + "\n".join(names) + "\n"
    if joined.count("\n") != len(names) + 1 or any(bad in joined for bad in _BAD_IN_JOINED):
        return False
    return not any(f"\n{bad}\n" in joined for bad in _BAD_NAMES)


def check_resource_path(name: str, source: str) -> None:
    """Names must be canonical relative POSIX paths inside the model (or '.')."""
    if name == ".":
        return
    reason = None
    if "\x00" in name:
        reason = "contains NUL"
    elif "\\" in name:
        reason = "contains a backslash"
    elif name.startswith("/"):
        reason = "is absolute"
    elif any(part in ("", ".", "..") for part in name.split("/")):
        reason = "is not a canonical relative path (empty, '.' or '..' component)"
    if reason:
        raise InputError(f"{source}: resource name {name!r} {reason}")


def _legacy_signature(statement: dict[str, Any], source: str) -> OmsSignature:
    """v0.2.0 (`Digests/v0.1`): each subject is a file with its sha256; no serialization."""
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not subjects:
        raise InputError(f"{source}: legacy statement has no subjects")
    resources = []
    for s in subjects:
        if not isinstance(s, dict) or not isinstance(s.get("name"), str):
            raise InputError(f"{source}: malformed legacy subject")
        digest = (s.get("digest") or {}).get("sha256")
        if not isinstance(digest, str) or len(digest) != 64:
            raise InputError(f"{source}: legacy subject {s['name']!r} lacks a sha256 digest")
        resources.append(Resource(s["name"], "sha256", digest.lower()))
    resources.sort(key=lambda r: r.name)
    serialization = Serialization("files", "sha256", False)
    _check_resources(tuple(resources), serialization, source)
    return OmsSignature(
        media_type="",
        bundle_sha256="",
        predicate_type=PREDICATE_LEGACY,
        model_name="",
        root_digest=root_digest(r.digest for r in resources),
        resources=tuple(resources),
        serialization=serialization,
        signer=SignerFacts("key"),
        notes=("legacy predicate Digests/v0.1: root digest computed by aibom",),
    )
