"""DSSE pre-authentication encoding and ECDSA signatures over it."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from aibom.errors import InputError
from aibom.oms.model import INTOTO_PAYLOAD_TYPE


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 PAE: `DSSEv1 <len(type)> <type> <len(payload)> <payload>` (byte lengths)."""
    type_bytes = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(type_bytes), type_bytes, len(payload), payload)


def pae_v02_compat(payload: bytes) -> bytes:
    """What model_signing v0.2 actually signed: a Python f-string with the payload's bytes
    repr in it. Only ever tried as a fallback, for those old bundles."""
    text = f"DSSEV1 {len(INTOTO_PAYLOAD_TYPE)} {INTOTO_PAYLOAD_TYPE} {len(payload)} {payload!r}"
    return text.encode("utf-8")


def curve_hash(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> hashes.HashAlgorithm:
    size = key.curve.key_size
    if size <= 256:
        return hashes.SHA256()
    if size <= 384:
        return hashes.SHA384()
    return hashes.SHA512()


def require_ec(key: object, what: str) -> None:
    if not isinstance(key, ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey):
        raise InputError(f"{what} is not an elliptic-curve key (OMS uses P-256, P-384 or P-521)")
    if key.curve.name not in ("secp256r1", "secp384r1", "secp521r1"):
        raise InputError(f"{what} uses curve {key.curve.name}, not P-256, P-384 or P-521")


def ec_public_key(key: object, what: str) -> ec.EllipticCurvePublicKey:
    """`key` as an OMS verification key: an EC public key on P-256, P-384 or P-521."""
    require_ec(key, what)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise InputError(f"{what} is not a public key")
    return key


def sign(key: ec.EllipticCurvePrivateKey, payload: bytes) -> bytes:
    return key.sign(pae(INTOTO_PAYLOAD_TYPE, payload), ec.ECDSA(curve_hash(key)))


def verify(
    key: ec.EllipticCurvePublicKey,
    signature: bytes,
    payload_type: str,
    payload: bytes,
    *,
    allow_v02: bool = False,
) -> bool:
    """True if the signature holds over the standard PAE (or, for bundles older than
    v1.0 only, over the v0.2 encoding, which also signed with SHA-256 whatever the curve)."""
    attempts = [(pae(payload_type, payload), curve_hash(key))]
    if allow_v02:
        attempts += [
            (pae_v02_compat(payload), curve_hash(key)),
            (pae_v02_compat(payload), hashes.SHA256()),
        ]
    for message, digest in attempts:
        try:
            key.verify(signature, message, ec.ECDSA(digest))
            return True
        except InvalidSignature:
            continue
    return False
