"""An enveloped JSF signature inside a CycloneDX AIBOM (`aibom build --sign-format jsf`), in
the form cdxgen's `cdx-sign` writes and `cdx-verify` / `cdx-validate --public-key` check:
the document without its `signature` member, keys sorted and no whitespace (what JSON.stringify
gives for the text aibom writes), signed with ES256/ES384/ES512 (the EC key's curve), the
signature (IEEE P1363 r||s, base64url) and the public key (JWK) in `signature`.

cdxgen leaves the whole `signature` member out of the signed bytes; JSF proper signs it
without its `value`. aibom follows cdxgen, whose "BOM is signed" check asks for it; the
detached Sigstore bundle (`--sign`) is aibom's own, stronger form.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from aibom.errors import InputError, VerificationError

_CURVES: dict[str, tuple[str, str, hashes.HashAlgorithm, int]] = {
    "secp256r1": ("ES256", "P-256", hashes.SHA256(), 32),
    "secp384r1": ("ES384", "P-384", hashes.SHA384(), 48),
    "secp521r1": ("ES512", "P-521", hashes.SHA512(), 66),
}


def _canonical(document: dict[str, Any]) -> bytes:
    body = {k: v for k, v in document.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_jsf(text: str, private_key_pem: bytes, password: bytes | None = None) -> str:
    """The CycloneDX JSON `text` with an enveloped JSF signature by the EC key."""
    try:
        key = serialization.load_pem_private_key(private_key_pem, password)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InputError("private key is not a usable PEM private key") from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name not in _CURVES:
        raise InputError("a JSF signature needs an EC P-256, P-384 or P-521 private key")
    alg, crv, digest, size = _CURVES[key.curve.name]
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("bomFormat") != "CycloneDX":
        raise InputError("a JSF signature is for CycloneDX AIBOMs (SPDX has none)")
    r, s = decode_dss_signature(key.sign(_canonical(document), ec.ECDSA(digest)))
    numbers = key.public_key().public_numbers()
    document["signature"] = {
        "algorithm": alg,
        "publicKey": {"kty": "EC", "crv": crv,
                      "x": _b64url(numbers.x.to_bytes(size, "big")),
                      "y": _b64url(numbers.y.to_bytes(size, "big"))},
        "value": _b64url(r.to_bytes(size, "big") + s.to_bytes(size, "big")),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def verify_jsf(text: str | bytes, public_key_pem: bytes) -> None:
    """VerificationError unless `text` carries a JSF signature by this public key."""
    document = json.loads(text)
    block = document.get("signature") if isinstance(document, dict) else None
    if not isinstance(block, dict) or not isinstance(block.get("value"), str):
        raise VerificationError("the AIBOM carries no JSF signature")
    key = serialization.load_pem_public_key(public_key_pem)
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name not in _CURVES:
        raise InputError("a JSF signature is checked with an EC public key")
    alg, _, digest, size = _CURVES[key.curve.name]
    if block.get("algorithm") != alg:
        raise VerificationError(f"JSF algorithm {block.get('algorithm')!r} is not {alg}")
    raw = _unb64url(block["value"])
    if len(raw) != 2 * size:
        raise VerificationError("JSF signature value has the wrong length")
    signature = encode_dss_signature(int.from_bytes(raw[:size], "big"),
                                     int.from_bytes(raw[size:], "big"))
    try:
        key.verify(signature, _canonical(document), ec.ECDSA(digest))
    except InvalidSignature:
        raise VerificationError("bad JSF signature: the AIBOM or its signer differs") from None
