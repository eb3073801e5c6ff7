"""The OMS v1.0 bundle and statement JSON schemas, as hand-written checks.

Verification must not wait for jsonschema: importing it and building the validators costs
more than hashing a small model, and it walks every resource through a $ref. These checks
hold a document to the same rules as schemas/oms/{bundle,envelope,statement,predicate}
.schema.json (tests/oms/test_shape.py compares both on the OMS vectors and on broken
documents), in one linear pass. One deliberate difference: a hex digest must be hex to its
end; the schema's `^[0-9a-f]+$`, matched the way jsonschema does (re.search), would also
let a digest end in a newline.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aibom.errors import InputError
from aibom.oms.model import INTOTO_PAYLOAD_TYPE, PREDICATE_V1, STATEMENT_TYPE

HASH_TYPES = ("sha256", "blake2b", "blake3")  # a tuple: `in` must not hash untrusted values
_HEX = frozenset("0123456789abcdef")
_HEX_STRING = re.compile("[0-9a-f]*")


class ShapeError(Exception):
    """Where (a JSON path) and what went wrong; turned into an InputError by the callers."""

    def __init__(self, where: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


Path = tuple[str | int, ...]


def check_bundle(document: Any, source: str) -> None:
    """bundle.schema.json (with envelope.schema.json); InputError at the first violation."""
    _raising(_bundle, document, source, "OMS bundle")


def check_statement(statement: Any, source: str) -> None:
    """statement.schema.json (with predicate.schema.json); InputError at the first violation."""
    _raising(_statement, statement, source, "OMS statement")


def _raising(check: Callable[[Any, Path], None], node: Any, source: str, label: str) -> None:
    try:
        check(node, ())
    except ShapeError as exc:
        where = "/".join(str(p) for p in exc.where) or "(top level)"
        raise InputError(
            f"{source} does not match the {label} schema at {where}: {exc.message}"
        ) from None


# -- JSON types, as jsonschema sees them ------------------------------------------------


def _object(node: Any, at: Path, required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise ShapeError(at, "is not of type 'object'")
    for name in required:
        if name not in node:
            raise ShapeError(at, f"{name!r} is a required property")
    return node


def _only(node: dict[str, Any], at: Path, allowed: tuple[str, ...]) -> None:
    extra = sorted(k for k in node if k not in allowed)
    if extra:
        raise ShapeError(at, f"additional properties are not allowed ({', '.join(extra)})")


def _string(node: Any, at: Path, min_length: int = 0) -> str:
    if not isinstance(node, str):
        raise ShapeError(at, "is not of type 'string'")
    if len(node) < min_length:
        raise ShapeError(at, "should be non-empty")
    return node


def _optional_string(node: dict[str, Any], name: str, at: Path) -> None:
    if name in node:
        _string(node[name], (*at, name))


def _array(node: Any, at: Path, min_items: int = 0, max_items: int | None = None) -> list[Any]:
    if not isinstance(node, list):
        raise ShapeError(at, "is not of type 'array'")
    if len(node) < min_items:
        raise ShapeError(at, "should be non-empty" if min_items == 1 else "has too few items")
    if max_items is not None and len(node) > max_items:
        raise ShapeError(at, "has too many items")
    return node


def _hex(node: Any, at: Path) -> None:
    if not isinstance(node, str):
        raise ShapeError(at, "is not of type 'string'")
    if not node or not _HEX.issuperset(node):
        raise ShapeError(at, "is not a lowercase hex string")


def _const(node: Any, at: Path, value: str) -> None:
    _string(node, at)
    if node != value:
        raise ShapeError(at, f"{value!r} was expected")


def _enum(node: Any, at: Path, values: tuple[str, ...]) -> None:
    if not (isinstance(node, str) and node in values):
        raise ShapeError(at, f"is not one of {list(values)}")


# -- bundle.schema.json -------------------------------------------------------------------


def _bundle(node: Any, at: Path) -> None:
    bundle = _object(node, at, ("mediaType", "verificationMaterial", "dsseEnvelope"))
    _only(bundle, at, ("mediaType", "verificationMaterial", "dsseEnvelope"))
    media_type = _string(bundle["mediaType"], ("mediaType",))
    if not media_type.startswith("application/vnd.dev.sigstore.bundle"):
        raise ShapeError(("mediaType",), "is not a Sigstore bundle media type")
    _verification_material(bundle["verificationMaterial"], ("verificationMaterial",))
    _envelope(bundle["dsseEnvelope"], ("dsseEnvelope",))


def _verification_material(node: Any, at: Path) -> None:
    """anyOf: a public key, a certificate chain, or a certificate with tlog entries."""
    material = _object(node, at)
    branches: tuple[tuple[str, Callable[[Any, Path], None], tuple[str, ...]], ...] = (
        ("publicKey", _public_key_identifier, ()),
        ("x509CertificateChain", _certificate_chain, ()),
        ("certificate", _certificate, ("tlogEntries",)),
    )
    first_error: ShapeError | None = None
    for name, check, also_required in branches:
        try:
            _object(material, at, (name, *also_required))
            check(material[name], (*at, name))
            if "tlogEntries" in material:
                _tlog_entries(material["tlogEntries"], (*at, "tlogEntries"))
            tvd = "timestampVerificationData"
            if tvd in material:
                _timestamps(material[tvd], (*at, tvd))
            return
        except ShapeError as exc:
            if first_error is None or name in material:
                first_error = exc  # report the branch the document meant, when there is one
    assert first_error is not None
    raise first_error


def _public_key_identifier(node: Any, at: Path) -> None:
    key = _object(node, at)
    if "hint" not in key and "rawBytes" not in key:
        raise ShapeError(at, "needs 'hint' or 'rawBytes'")
    _optional_string(key, "hint", at)
    _optional_string(key, "rawBytes", at)


def _certificate(node: Any, at: Path) -> None:
    certificate = _object(node, at, ("rawBytes",))
    _string(certificate["rawBytes"], (*at, "rawBytes"), min_length=1)


def _certificate_chain(node: Any, at: Path) -> None:
    chain = _object(node, at, ("certificates",))
    items = _array(chain["certificates"], (*at, "certificates"), min_items=1)
    for index, item in enumerate(items):
        _certificate(item, (*at, "certificates", index))


def _tlog_entries(node: Any, at: Path) -> None:
    for index, item in enumerate(_array(node, at)):
        where = (*at, index)
        entry = _object(item, where)
        for name in ("logIndex", "integratedTime", "canonicalizedBody"):
            _optional_string(entry, name, where)
        _string_fields(entry, "logId", where, ("keyId",))
        _string_fields(entry, "kindVersion", where, ("kind", "version"))
        _string_fields(entry, "inclusionPromise", where, ("signedEntryTimestamp",))
        if "inclusionProof" in entry:
            proof_at = (*where, "inclusionProof")
            proof = _object(entry["inclusionProof"], proof_at)
            for name in ("logIndex", "rootHash", "treeSize"):
                _optional_string(proof, name, proof_at)
            if "hashes" in proof:
                for i, h in enumerate(_array(proof["hashes"], (*proof_at, "hashes"))):
                    _string(h, (*proof_at, "hashes", i))
            _string_fields(proof, "checkpoint", proof_at, ("envelope",))


def _string_fields(parent: dict[str, Any], name: str, at: Path, fields: tuple[str, ...]) -> None:
    """An optional object member whose listed members, when present, are strings."""
    if name in parent:
        node = _object(parent[name], (*at, name))
        for field in fields:
            _optional_string(node, field, (*at, name))


def _timestamps(node: Any, at: Path) -> None:
    data = _object(node, at)
    if "rfc3161Timestamps" in data:
        where = (*at, "rfc3161Timestamps")
        for index, item in enumerate(_array(data["rfc3161Timestamps"], where)):
            _optional_string(_object(item, (*where, index)), "signedTimestamp", (*where, index))


# -- envelope.schema.json -----------------------------------------------------------------


def _envelope(node: Any, at: Path) -> None:
    envelope = _object(node, at, ("payload", "payloadType", "signatures"))
    _only(envelope, at, ("payload", "payloadType", "signatures"))
    _string(envelope["payload"], (*at, "payload"), min_length=1)
    _const(envelope["payloadType"], (*at, "payloadType"), INTOTO_PAYLOAD_TYPE)
    signatures = _array(envelope["signatures"], (*at, "signatures"), min_items=1)
    for index, item in enumerate(signatures):
        where = (*at, "signatures", index)
        signature = _object(item, where, ("sig",))
        _only(signature, where, ("sig", "keyid"))
        _string(signature["sig"], (*where, "sig"), min_length=1)
        if "keyid" in signature and signature["keyid"] is not None:
            _string(signature["keyid"], (*where, "keyid"))


# -- statement.schema.json and predicate.schema.json --------------------------------------


def _statement(node: Any, at: Path) -> None:
    statement = _object(node, at, ("_type", "subject", "predicateType", "predicate"))
    _only(statement, at, ("_type", "subject", "predicateType", "predicate"))
    _const(statement["_type"], ("_type",), STATEMENT_TYPE)
    subjects = _array(statement["subject"], ("subject",), min_items=1, max_items=1)
    for index, item in enumerate(subjects):
        where: Path = ("subject", index)
        subject = _object(item, where, ("name", "digest"))
        _string(subject["name"], (*where, "name"), min_length=1)
        digests = _object(subject["digest"], (*where, "digest"))
        if not digests:
            raise ShapeError((*where, "digest"), "should be non-empty")
        for algorithm, value in digests.items():
            _hex(value, (*where, "digest", algorithm))
    _const(statement["predicateType"], ("predicateType",), PREDICATE_V1)
    _predicate(statement["predicate"], ("predicate",))


def _predicate(node: Any, at: Path) -> None:
    predicate = _object(node, at, ("resources", "serialization"))
    _only(predicate, at, ("resources", "serialization"))
    resources = _array(predicate["resources"], (*at, "resources"))
    for index, item in enumerate(() if _plain_resources(resources) else resources):
        if (  # the common case in one expression; anything else gets the detailed checks
            type(item) is dict
            and type(name := item.get("name")) is str
            and name
            and type(digest := item.get("digest")) is str
            and digest
            and _HEX.issuperset(digest)
            and type(algorithm := item.get("algorithm")) is str
            and algorithm in HASH_TYPES
        ):
            continue
        where = (*at, "resources", index)
        resource = _object(item, where, ("name", "digest", "algorithm"))
        _string(resource["name"], (*where, "name"), min_length=1)
        _hex(resource["digest"], (*where, "digest"))
        _enum(resource["algorithm"], (*where, "algorithm"), HASH_TYPES)
    _serialization(predicate["serialization"], (*at, "serialization"))


def _plain_resources(items: list[Any]) -> bool:
    """True when every item passes the per-item checks: objects whose name, digest and
    algorithm are non-empty strings, the digest hex and the algorithm known. Found with a
    few passes over all items (a manifest may list 100,000); False sends them one by one."""
    if not items or set(map(type, items)) != {dict}:
        return False
    try:
        names = [item["name"] for item in items]
        digests = [item["digest"] for item in items]
        algorithms = [item["algorithm"] for item in items]
    except KeyError:
        return False
    if {*map(type, names), *map(type, digests), *map(type, algorithms)} != {str}:
        return False  # checked first: what follows hashes and joins the values
    if "" in names or "" in digests or not set(algorithms).issubset(HASH_TYPES):
        return False
    return _HEX_STRING.fullmatch("".join(digests)) is not None


def _serialization(node: Any, at: Path) -> None:
    ser = _object(node, at, ("method", "hash_type", "allow_symlinks"))
    _only(ser, at, ("method", "hash_type", "shard_size", "allow_symlinks", "ignore_paths"))
    _enum(ser["method"], (*at, "method"), ("files", "shards"))
    _enum(ser["hash_type"], (*at, "hash_type"), HASH_TYPES)
    if not isinstance(ser["allow_symlinks"], bool):
        raise ShapeError((*at, "allow_symlinks"), "is not of type 'boolean'")
    if "shard_size" in ser:
        size = ser["shard_size"]
        is_integer = isinstance(size, int) or (isinstance(size, float) and size.is_integer())
        if isinstance(size, bool) or not is_integer:
            raise ShapeError((*at, "shard_size"), "is not of type 'integer'")
        if size <= 0:
            raise ShapeError((*at, "shard_size"), "should be greater than 0")
    elif ser["method"] == "shards":
        raise ShapeError(at, "'shard_size' is a required property")
    if "ignore_paths" in ser:
        for index, item in enumerate(_array(ser["ignore_paths"], (*at, "ignore_paths"))):
            _string(item, (*at, "ignore_paths", index), min_length=1)
