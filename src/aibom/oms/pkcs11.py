"""Signing with an EC private key held in a PKCS#11 token (an HSM, a smart card, SoftHSM).

The key never leaves the token: the token signs the DSSE digest with CKM_ECDSA and aibom
turns its raw r||s into the DER signature OMS bundles carry. The public key comes from the
token's public-key object (or certificate) with the same label/id. Needs the optional
binding: `pip install 'aibom[pkcs11]'` (PyKCS11, the binding model_signing uses).
"""

from __future__ import annotations

import glob
import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from aibom.errors import InputError
from aibom.oms.pkcs11_uri import Pkcs11Uri, parse_pkcs11_uri

INSTALL_HINT = "PKCS#11 signing needs the pkcs11 extra: pip install 'aibom[pkcs11]'"
# DER-encoded named-curve OIDs (CKA_EC_PARAMS) of the curves OMS allows.
CURVES: dict[bytes, ec.EllipticCurve] = {
    bytes.fromhex("06082a8648ce3d030107"): ec.SECP256R1(),
    bytes.fromhex("06052b81040022"): ec.SECP384R1(),
    bytes.fromhex("06052b81040023"): ec.SECP521R1(),
}


def module_directories() -> list[str]:
    """Where `module-name=` is looked for (p11-kit's and the distributions' module dirs)."""
    triplet = f"{platform.machine()}-linux-gnu"
    return [
        "/usr/lib64/pkcs11",
        "/usr/lib/pkcs11",
        f"/usr/lib/{triplet}/pkcs11",
        "/usr/local/lib/pkcs11",
        "/usr/lib/softhsm",
        f"/usr/lib/{triplet}/softhsm",
    ]


def find_module(uri: Pkcs11Uri) -> str:
    """The module library: module-path (a file, or a directory to search), or module-name."""
    path, name = uri.query.get("module-path"), uri.query.get("module-name")
    # one real path per library file: loading one module under two names in a process makes
    # two PyKCS11 instances whose initialise/finalise calls reset each other's login state
    if path and os.path.isfile(path):
        return os.path.realpath(path)
    if path and not os.path.isdir(path):
        raise InputError(f"pkcs11 URI: module-path {path} does not exist")
    if not name:
        raise InputError("pkcs11 URI: name the module with module-path=... or module-name=...")
    for directory in [path] if path else module_directories():
        for candidate in sorted(glob.glob(os.path.join(directory, "*"))):
            base = os.path.basename(candidate).lower()
            if base.split(".")[0] in (name.lower(), f"lib{name.lower()}"):
                return os.path.realpath(candidate)
    raise InputError(f"pkcs11 URI: no module named {name!r} in {', '.join(module_directories())}")


class TokenKey:
    """A token-held EC private key with the interface `cryptography` keys have for signing."""

    def __init__(self, session: Any, handle: Any, public: ec.EllipticCurvePublicKey) -> None:
        self._session, self._handle, self._public = session, handle, public

    @property
    def curve(self) -> ec.EllipticCurve:
        return self._public.curve

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public

    def sign(self, data: bytes, algorithm: ec.ECDSA) -> bytes:
        import PyKCS11  # type: ignore[import-untyped]

        digest = hashes.Hash(algorithm.algorithm)  # type: ignore[arg-type]
        digest.update(data)
        try:
            raw = bytes(
                self._session.sign(
                    self._handle, digest.finalize(), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA, None)
                )
            )
        except PyKCS11.PyKCS11Error as exc:
            raise InputError(f"PKCS#11 token refused to sign: {_reason(exc)}") from None
        half = len(raw) // 2
        return encode_dss_signature(
            int.from_bytes(raw[:half], "big"), int.from_bytes(raw[half:], "big")
        )


@contextmanager
def token_private_key(uri_text: str) -> Iterator[TokenKey]:
    """Log in to the token the URI names and yield its private key; logs out afterwards."""
    uri = parse_pkcs11_uri(uri_text)
    if uri.label is None and uri.key_id is None:
        raise InputError("pkcs11 URI: name the key with object=LABEL or id=%XX...")
    try:
        import PyKCS11
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    module = find_module(uri)
    pin = uri.pin()
    lib = PyKCS11.PyKCS11Lib()
    try:
        lib.load(module)
        slot = _select_slot(lib, uri)
        session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
    except PyKCS11.PyKCS11Error as exc:
        raise InputError(f"PKCS#11 module {module}: {_reason(exc)}") from None
    logged_in = False
    try:
        if pin is not None:
            logged_in = _login(session, pin)
        yield _find_key(session, uri)
    finally:
        try:
            if logged_in:
                session.logout()
        except PyKCS11.PyKCS11Error:
            pass
        session.closeSession()


def _login(session: Any, pin: str) -> bool:
    """Log in; False when this process is logged in to the token already (login state is
    per application, shared by its sessions), so the caller must not log it out."""
    import PyKCS11

    try:
        session.login(pin)
    except PyKCS11.PyKCS11Error as exc:
        if exc.value == PyKCS11.CKR_USER_ALREADY_LOGGED_IN:
            return False
        raise InputError(f"PKCS#11 login failed: {_reason(exc)}") from None
    return True


def _select_slot(lib: Any, uri: Pkcs11Uri) -> Any:
    slots = lib.getSlotList(tokenPresent=True)
    if uri.slot_id is not None:
        if uri.slot_id not in slots:
            raise InputError(f"pkcs11 URI: no token in slot {uri.slot_id}")
        slots = [uri.slot_id]
    wanted = uri.token_filter()
    fields = {"token": "label", "manufacturer": "manufacturerID", "serial": "serialNumber"}
    fields["model"] = "model"
    matches = []
    for slot in slots:
        info = lib.getTokenInfo(slot)
        if all(getattr(info, fields[k]).strip() == v for k, v in wanted.items()):
            matches.append(slot)
    if not matches:
        named = ", ".join(f"{k}={v}" for k, v in wanted.items()) or "any"
        raise InputError(f"pkcs11 URI: no token matches {named}")
    if len(matches) > 1:
        raise InputError("pkcs11 URI: several tokens match; add token=... or slot-id=...")
    return matches[0]


def _find_key(session: Any, uri: Pkcs11Uri) -> TokenKey:
    import PyKCS11

    def find(kind: int) -> list[Any]:
        template: list[tuple[int, Any]] = [(PyKCS11.CKA_CLASS, kind)]
        if uri.label is not None:
            template.append((PyKCS11.CKA_LABEL, uri.label))
        if uri.key_id is not None:
            template.append((PyKCS11.CKA_ID, tuple(uri.key_id)))
        return list(session.findObjects(template))

    names = []
    if uri.label is not None:
        names.append(f"label {uri.label!r}")
    if uri.key_id is not None:
        names.append(f"id {uri.key_id.hex()}")
    what = " and ".join(names)
    private = find(PyKCS11.CKO_PRIVATE_KEY)
    if len(private) != 1:
        state = "no" if not private else "more than one"
        hint = "" if private else " (a PIN may be needed to see it: pin-value or pin-source)"
        raise InputError(f"PKCS#11 token has {state} private key with {what}{hint}")
    (key_type,) = session.getAttributeValue(private[0], [PyKCS11.CKA_KEY_TYPE])
    if key_type != PyKCS11.CKK_EC:
        raise InputError("PKCS#11 key is not an elliptic-curve key (OMS uses P-256/384/521)")
    return TokenKey(session, private[0], _public_key(session, find, what))


def _public_key(session: Any, find: Any, what: str) -> ec.EllipticCurvePublicKey:
    import PyKCS11
    from cryptography import x509

    public = find(PyKCS11.CKO_PUBLIC_KEY)
    if public:
        params, point = session.getAttributeValue(
            public[0], [PyKCS11.CKA_EC_PARAMS, PyKCS11.CKA_EC_POINT]
        )
        curve = CURVES.get(bytes(params))
        if curve is None:
            raise InputError("PKCS#11 key uses a curve other than P-256, P-384 or P-521")
        return ec.EllipticCurvePublicKey.from_encoded_point(curve, _unwrap_point(curve, point))
    certificates = find(PyKCS11.CKO_CERTIFICATE)
    if certificates:
        (der,) = session.getAttributeValue(certificates[0], [PyKCS11.CKA_VALUE])
        key = x509.load_der_x509_certificate(bytes(der)).public_key()
        if isinstance(key, ec.EllipticCurvePublicKey):
            return key
    raise InputError(f"PKCS#11 token has no public key or certificate with {what}")


def _unwrap_point(curve: ec.EllipticCurve, point: Any) -> bytes:
    """CKA_EC_POINT is a DER OCTET STRING around the point (some modules give it bare)."""
    data = bytes(point)
    raw_length = 1 + 2 * ((curve.key_size + 7) // 8)
    if len(data) == raw_length and data[0] == 0x04:
        return data
    if len(data) > 2 and data[0] == 0x04:
        offset = 2 if data[1] < 0x80 else 2 + (data[1] & 0x7F)
        return data[offset:]
    raise InputError("PKCS#11 public key has a malformed CKA_EC_POINT")


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200]


__all__ = ["INSTALL_HINT", "TokenKey", "find_module", "token_private_key"]
