"""A Rekor-v1-like transparency log (dsse and hashedrekord 0.0.1 entries)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from ._der import public_pem, spki_der
from .merkle import MerkleTree

TREE_ID = 1234567890123456789
NOTE_NAME = "private-sigstore.rekor"
ORIGIN = f"{NOTE_NAME} - {TREE_ID}"


class EntryRejected(Exception):
    """The proposed entry is malformed or its signature does not verify."""


@dataclass(frozen=True)
class LogEntry:
    index: int
    uuid: str
    kind: str
    body: bytes  # canonicalized JSON, the Merkle leaf
    integrated_time: int


def _pae(payload_type: str, payload: bytes) -> bytes:
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def _verifier_key(b64_pem: str):
    """Public key from a base64 PEM certificate (or PEM public key)."""
    try:
        pem = base64.b64decode(b64_pem, validate=True)
        if b"CERTIFICATE" in pem:
            return x509.load_pem_x509_certificate(pem).public_key()
        return load_pem_public_key(pem)
    except Exception as exc:
        raise EntryRejected(f"unparseable verifier: {exc}") from exc


def _verify_ecdsa(key, signature: bytes, data: bytes, prehashed: bool = False) -> None:
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise EntryRejected("only ECDSA verifiers are supported")
    algorithm = utils.Prehashed(hashes.SHA256()) if prehashed else hashes.SHA256()
    try:
        key.verify(signature, data, ec.ECDSA(algorithm))
    except InvalidSignature as exc:
        raise EntryRejected("signature does not verify") from exc


def canonical_dsse_body(proposed: dict[str, Any]) -> dict[str, Any]:
    """Turn a proposed dsse entry into the stored form Rekor would log."""
    content = proposed["spec"]["proposedContent"]
    envelope = json.loads(content["envelope"])
    verifiers = content["verifiers"]
    payload = base64.b64decode(envelope["payload"])
    pae = _pae(envelope["payloadType"], payload)
    keys = [_verifier_key(v) for v in verifiers]

    signatures = []
    for sig in envelope["signatures"]:
        raw = base64.b64decode(sig["sig"])
        for b64_pem, key in zip(verifiers, keys, strict=True):
            try:
                _verify_ecdsa(key, raw, pae)
            except EntryRejected:
                continue
            signatures.append({"signature": sig["sig"], "verifier": b64_pem})
            break
        else:
            raise EntryRejected("dsse signature not verified by any verifier")
    signatures.sort(key=lambda s: s["signature"])

    return {
        "apiVersion": "0.0.1",
        "kind": "dsse",
        "spec": {
            "envelopeHash": {
                "algorithm": "sha256",
                "value": hashlib.sha256(rfc8785.dumps(envelope)).hexdigest(),
            },
            "payloadHash": {
                "algorithm": "sha256",
                "value": hashlib.sha256(payload).hexdigest(),
            },
            "signatures": signatures,
        },
    }


def canonical_hashedrekord_body(proposed: dict[str, Any]) -> dict[str, Any]:
    spec = proposed["spec"]
    digest_hex = spec["data"]["hash"]["value"]
    if spec["data"]["hash"]["algorithm"] != "sha256":
        raise EntryRejected("only sha256 hashedrekord entries are supported")
    key = _verifier_key(spec["signature"]["publicKey"]["content"])
    _verify_ecdsa(
        key,
        base64.b64decode(spec["signature"]["content"]),
        bytes.fromhex(digest_hex),
        prehashed=True,
    )
    return {
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": digest_hex}},
            "signature": {
                "content": spec["signature"]["content"],
                "publicKey": {"content": spec["signature"]["publicKey"]["content"]},
            },
        },
    }


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


class RekorLog:
    """Log state, signing key and the v1 API response shapes."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.public_key = self.private_key.public_key()
        self.public_key_der = spki_der(self.public_key)
        self.public_key_pem = public_pem(self.public_key)
        self.log_id = hashlib.sha256(self.public_key_der).digest()
        self.tree = MerkleTree()
        self.entries: list[LogEntry] = []
        self._lock = threading.Lock()

    # -- writing -----------------------------------------------------------
    def submit(self, proposed: dict[str, Any]) -> dict[str, Any]:
        """POST /api/v1/log/entries: validate, log, return the v1 response."""
        try:
            if proposed.get("apiVersion") != "0.0.1":
                raise EntryRejected("unsupported apiVersion")
            kind = proposed.get("kind")
            if kind == "dsse":
                body = canonical_dsse_body(proposed)
            elif kind == "hashedrekord":
                body = canonical_hashedrekord_body(proposed)
            else:
                raise EntryRejected(f"unsupported kind {kind!r}")
        except (KeyError, TypeError, ValueError) as exc:
            raise EntryRejected(f"malformed entry: {exc}") from exc
        entry = self.append_body(rfc8785.dumps(body))
        return self.entry_response(entry.index)

    def append_body(self, body: bytes, integrated_time: int | None = None) -> LogEntry:
        """Log raw canonical bytes without validation (for attack tests)."""
        with self._lock:
            index = self.tree.append(body)
            entry = LogEntry(
                index=index,
                uuid=f"{TREE_ID:016x}" + self.tree.leaf_hash(index).hex(),
                kind=json.loads(body).get("kind", ""),
                body=body,
                integrated_time=int(time.time()) if integrated_time is None else integrated_time,
            )
            self.entries.append(entry)
            return entry

    def rewrite(self, index: int, body: bytes) -> LogEntry:
        """Replace entry `index` with other bytes (a log rewriting its history)."""
        with self._lock:
            self.tree.replace(index, body)
            old = self.entries[index]
            entry = LogEntry(index, f"{TREE_ID:016x}" + self.tree.leaf_hash(index).hex(),
                             json.loads(body).get("kind", ""), body, old.integrated_time)
            self.entries[index] = entry
            return entry

    # -- signing -----------------------------------------------------------
    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data, ec.ECDSA(hashes.SHA256()))

    def signed_entry_timestamp(self, entry: LogEntry) -> bytes:
        payload = {
            "body": base64.b64encode(entry.body).decode(),
            "integratedTime": entry.integrated_time,
            "logID": self.log_id.hex(),
            "logIndex": entry.index,
        }
        return self.sign(rfc8785.dumps(payload))

    def checkpoint(self, size: int | None = None) -> str:
        """Signed note: origin, size, root; signature line keyed by logID[:4]."""
        size = len(self.tree) if size is None else size
        root = base64.b64encode(self.tree.root(size)).decode()
        note = f"{ORIGIN}\n{size}\n{root}\n"
        signature = base64.b64encode(self.log_id[:4] + self.sign(note.encode())).decode()
        return f"{note}\n\u2014 {NOTE_NAME} {signature}\n"

    # -- reading -----------------------------------------------------------
    def entry_response(self, index: int, tree_size: int | None = None) -> dict[str, Any]:
        """The `{uuid: LogEntry}` object Rekor v1 returns for an entry."""
        with self._lock:
            entry = self.entries[index]
            size = len(self.tree) if tree_size is None else tree_size
            proof = {
                "logIndex": entry.index,
                "rootHash": self.tree.root(size).hex(),
                "treeSize": size,
                "hashes": [h.hex() for h in self.tree.inclusion_proof(entry.index, size)],
                "checkpoint": self.checkpoint(size),
            }
        return {
            entry.uuid: {
                "body": base64.b64encode(entry.body).decode(),
                "integratedTime": entry.integrated_time,
                "logID": self.log_id.hex(),
                "logIndex": entry.index,
                "verification": {
                    "inclusionProof": proof,
                    "signedEntryTimestamp": base64.b64encode(
                        self.signed_entry_timestamp(entry)
                    ).decode(),
                },
            }
        }

    def find_uuid(self, uuid: str) -> int | None:
        for entry in self.entries:
            # Rekor accepts the bare 64-hex leaf hash or the 80-hex entry ID.
            if uuid in (entry.uuid, entry.uuid[16:]):
                return entry.index
        return None

    def find_body(self, body: dict[str, Any]) -> int | None:
        wanted = rfc8785.dumps(_drop_nulls(body))
        for entry in self.entries:
            if entry.body == wanted:
                return entry.index
        return None

    def consistency(self, first_size: int, last_size: int) -> dict[str, Any]:
        """GET /api/v1/log/proof: the v1 ConsistencyProof object."""
        with self._lock:
            return {
                "rootHash": self.tree.root(last_size).hex(),
                "hashes": [h.hex() for h in self.tree.consistency_proof(first_size, last_size)],
            }

    def log_info(self) -> dict[str, Any]:
        with self._lock:
            size = len(self.tree)
            return {
                "rootHash": self.tree.root(size).hex(),
                "treeSize": size,
                "signedTreeHead": self.checkpoint(size),
                "treeID": str(TREE_ID),
                "inactiveShards": [],
            }
