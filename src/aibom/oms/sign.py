"""Produce OMS v1.0 bundles: key, certificate or keyless.

model_signing 1.1.1 verifies them, for files and shards serialization with sha256 and
blake2b and for files with blake3; it has no blake3 shards (it hashes blake3 by whole file),
so a blake3 shards bundle verifies with aibom and other OMS verifiers only.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization

from aibom._internal.atomic import write_atomic
from aibom.errors import InputError
from aibom.oms import dsse, keys
from aibom.oms.bundle import MEDIA_TYPES, ParsedBundle, parse_bundle
from aibom.oms.hashing import root_digest
from aibom.oms.model import (
    DEFAULT_SHARD_SIZE,
    INTOTO_PAYLOAD_TYPE,
    PREDICATE_V1,
    STATEMENT_TYPE,
    Resource,
    Serialization,
)
from aibom.oms.pipeline import (
    HashProgress,
    SignRequest,
    SignWork,
    take_signing,
)

BUNDLE_MEDIA_TYPE = MEDIA_TYPES[-1]


@dataclass(frozen=True)
class KeySigner:
    """An EC private key (PEM, optionally encrypted with `password`)."""

    private_key_pem: bytes
    password: bytes | None = None


@dataclass(frozen=True)
class CertificateSigner:
    """A private key with its signing certificate and the chain to embed (all PEM)."""

    private_key_pem: bytes
    signing_certificate_pem: bytes
    chain_pem: tuple[bytes, ...] = ()
    password: bytes | None = None


@dataclass(frozen=True)
class KeylessSigner:
    """Sigstore keyless signing with an OIDC identity token (Fulcio, Rekor)."""

    identity_token: str
    trust_config: Path | None = None
    staging: bool = False  # Sigstore's staging instance (ignored when trust_config is given)
    client_id: str = "sigstore"  # the token's expected audience


@dataclass(frozen=True)
class Pkcs11KeySigner:
    """A private key held in a PKCS#11 token, named by an RFC 7512 `pkcs11:` URI."""

    uri: str


@dataclass(frozen=True)
class Pkcs11CertificateSigner:
    """A token-held private key (`pkcs11:` URI) with its certificate and chain (PEM)."""

    uri: str
    signing_certificate_pem: bytes
    chain_pem: tuple[bytes, ...] = ()


Signer = KeySigner | CertificateSigner | KeylessSigner | Pkcs11KeySigner | Pkcs11CertificateSigner


def statement_payload(
    model: Path, serialization_: Serialization, resources: Sequence[Resource]
) -> bytes:
    """The in-toto statement, serialized once; these bytes are what gets signed."""
    return _serialized(oms_statement(model, serialization_, resources))


def _serialized(statement: dict[str, Any]) -> bytes:
    return json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()


def oms_statement(
    model: Path, serialization_: Serialization, resources: Sequence[Resource]
) -> dict[str, Any]:
    """The in-toto statement of an OMS signature over `resources`."""
    name = os.path.basename(os.path.abspath(model)) or "model"
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": root_digest(r.digest for r in resources)}}],
        "predicateType": PREDICATE_V1,
        "predicate": {
            "serialization": serialization_.as_predicate(),
            "resources": [
                {"name": r.name, "algorithm": r.algorithm, "digest": r.digest} for r in resources
            ],
        },
    }
    return statement


def sign_model(
    model: Path,
    signature: Path,
    signer: Signer,
    *,
    hash_type: str = "sha256",
    shard_size: int | None = None,
    ignore_paths: Iterable[Path] = (),
    allow_symlinks: bool = False,
    ignore_git_paths: bool = True,
    workers: int | None = None,
    tick: Callable[[HashProgress], None] | None = None,
) -> ParsedBundle:
    """Hash the model (a path or an `hf:` reference), sign the manifest and write the bundle
    to `signature` atomically. `tick` is called about ten times a second while hashing."""
    from aibom.sources import refuse_cache_write, resolve_source

    model = resolve_source(model).path
    refuse_cache_write(signature, "signature")
    request = SignRequest(
        os.path.abspath(model),
        os.path.abspath(signature),
        hash_type,
        shard_size,
        tuple(os.path.abspath(p) for p in ignore_paths),
        allow_symlinks,
        ignore_git_paths,
        workers,
    )
    work = take_signing(request) or SignWork(request)  # maybe started before the imports
    # a key file is read and checked while the model hashes: a wrong password fails at once
    try:
        key = _local_key(signer)
    except BaseException:
        work.cancel()
        raise
    ser, resources = work.result(tick)
    del work  # it holds the resources too
    statement = oms_statement(model, ser, resources)
    del resources  # the statement has them; a 100,000-file model's are tens of MB
    payload = _serialized(statement)
    bundle = sign_payload(payload, signer, key=key)
    del payload
    raw = json.dumps(bundle, indent=2, sort_keys=True).encode() + b"\n"
    del bundle
    # read back as any bundle is (the payload's JSON is the statement just serialized)
    parsed = parse_bundle(raw, source="new signature", statement=statement)
    write_atomic(signature, raw)
    return parsed


def _local_key(signer: Signer) -> Any:
    """The private key of a key or certificate signer, loaded; None for the other kinds."""
    if isinstance(signer, KeySigner | CertificateSigner):
        key = _load_private_key(signer.private_key_pem, signer.password)
        # what signing does next, once now: cryptography loads its signing backend on first
        # use, and that is better done while the model hashes than after
        keys.public_key_hint(key.public_key())
        dsse.sign(key, b"")
        return key
    return None


def sign_payload(payload: bytes, signer: Signer, *, key: Any = None) -> dict[str, Any]:
    """Wrap an in-toto payload in a signed DSSE envelope inside a Sigstore bundle. `key`: the
    signer's private key when the caller has already loaded it."""
    if isinstance(signer, KeylessSigner):
        from aibom.oms.keyless import sign_keyless

        return sign_keyless(
            payload,
            signer.identity_token,
            signer.trust_config,
            staging=signer.staging,
            client_id=signer.client_id,
        )
    if isinstance(signer, Pkcs11KeySigner | Pkcs11CertificateSigner):
        from aibom.oms.pkcs11 import token_private_key

        with token_private_key(signer.uri) as token_key:
            return _signed_bundle(payload, signer, token_key)
    if key is None:
        key = _load_private_key(signer.private_key_pem, signer.password)
    return _signed_bundle(payload, signer, key)


def _signed_bundle(
    payload: bytes,
    signer: KeySigner | CertificateSigner | Pkcs11KeySigner | Pkcs11CertificateSigner,
    key: Any,
) -> dict[str, Any]:
    if isinstance(signer, KeySigner | Pkcs11KeySigner):
        material: dict[str, Any] = {
            "publicKey": {"hint": keys.public_key_hint(key.public_key())},
            "tlogEntries": [],
        }
    else:
        material = {
            "x509CertificateChain": {"certificates": _chain(signer, key)},
            "tlogEntries": [],
        }
    envelope = {
        "payload": _b64(payload),
        "payloadType": INTOTO_PAYLOAD_TYPE,
        "signatures": [{"sig": _b64(dsse.sign(key, payload))}],
    }
    return {
        "mediaType": BUNDLE_MEDIA_TYPE,
        "verificationMaterial": material,
        "dsseEnvelope": envelope,
    }


def _chain(signer: CertificateSigner | Pkcs11CertificateSigner, key: Any) -> list[dict[str, str]]:
    from aibom.oms import certs  # X.509 only for certificate signing

    leaf = certs.load_pem_file_certificates(signer.signing_certificate_pem, "signing certificate")[
        0
    ]
    if keys.public_key_fingerprint(leaf.public_key()) != keys.public_key_fingerprint(
        key.public_key()
    ):
        raise InputError("the signing certificate does not belong to the private key")
    chain: list[Any] = [leaf]
    for i, pem in enumerate(signer.chain_pem):
        chain += certs.load_pem_file_certificates(pem, f"certificate chain file {i + 1}")
    der = [c.public_bytes(serialization.Encoding.DER) for c in chain]
    return [{"rawBytes": _b64(d)} for d in dict.fromkeys(der)]


def _load_private_key(pem: bytes, password: bytes | None) -> Any:
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except TypeError:
        raise InputError("private key is encrypted: give its password") from None
    except (ValueError, UnsupportedAlgorithm):
        raise InputError(
            "private key is not a valid PEM private key (or the password is wrong)"
        ) from None
    dsse.require_ec(key, "private key")
    return key


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


__all__ = [
    "DEFAULT_SHARD_SIZE",
    "CertificateSigner",
    "KeySigner",
    "KeylessSigner",
    "Pkcs11CertificateSigner",
    "Pkcs11KeySigner",
    "sign_model",
    "sign_payload",
]
