"""X.509 facts and chain validation for the `certificate` signing method.

The chain check is written out as numbered steps so it can be audited. It is deliberately
tolerant of one quirk seen in real OMS signatures (a code-signing leaf that also carries
CA:TRUE) and strict on everything that matters: signatures up to a given root, validity at
the signing time, CA:TRUE and keyCertSign on every issuer, path length, digitalSignature
and codeSigning on the leaf.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from aibom.errors import InputError, VerificationError

OIDC_ISSUER_V2 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
OIDC_ISSUER_V1 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
MAX_CHAIN = 8


def fingerprint(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()


def load_der(der: bytes, what: str) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(der)
    except ValueError:
        raise InputError(f"{what} is not a valid DER X.509 certificate") from None


def load_pem_file_certificates(data: bytes, what: str) -> list[x509.Certificate]:
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise InputError(f"{what} holds no valid PEM certificate") from None
    return certs


def identity_of(cert: x509.Certificate) -> str | None:
    """The SAN identity: the first email, URI or otherName value."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return None
    for kind in (x509.RFC822Name, x509.UniformResourceIdentifier, x509.DNSName):
        values = san.get_values_for_type(kind)
        if values:
            return str(values[0])
    others = san.get_values_for_type(x509.OtherName)
    if others:
        return _der_string(others[0].value)
    return None


def oidc_issuer_of(cert: x509.Certificate) -> str | None:
    for ext in cert.extensions:
        if ext.oid == OIDC_ISSUER_V2 and isinstance(ext.value, x509.UnrecognizedExtension):
            return _der_string(ext.value.value)
    for ext in cert.extensions:
        if ext.oid == OIDC_ISSUER_V1 and isinstance(ext.value, x509.UnrecognizedExtension):
            return ext.value.value.decode("utf-8", "replace")
    return None


def _der_string(der: bytes) -> str | None:
    """Decode a DER UTF8String / IA5String / PrintableString (short or long form length)."""
    if len(der) < 2 or der[0] not in (0x0C, 0x16, 0x13):
        return None
    length, offset = der[1], 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or len(der) < 2 + count:
            return None
        length, offset = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    body = der[offset : offset + length]
    return body.decode("utf-8", "replace") if len(body) == length else None


def validate_chain(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    roots: Sequence[x509.Certificate],
    at: dt.datetime | None = None,
) -> list[x509.Certificate]:
    """Build and check a path leaf -> intermediates -> one of `roots`; return it.

    1. The time checked is `at`, else the leaf's notBefore (the moment of signing, as in
       model_signing: the leaf may since have expired, the signature stays valid).
    2. The leaf is valid at that time, has keyUsage digitalSignature and EKU codeSigning
       (when a keyUsage/EKU extension is present it must allow this; one of the two must
       be present).
    3. Each step up: the issuer's subject is the child's issuer, the issuer signed the
       child, the issuer is valid at that time, has basicConstraints CA:TRUE, keyUsage
       keyCertSign when keyUsage is present, and its pathLenConstraint is respected.
    4. The path ends at a certificate byte-equal to one of the given roots.
    """
    when = at or leaf.not_valid_before_utc
    _check_leaf(leaf, when)
    pool = list(intermediates) + list(roots)
    root_ders = {fingerprint(r) for r in roots}
    path = [leaf]
    current = leaf
    while True:
        if fingerprint(current) in root_ders:
            return path
        if len(path) > MAX_CHAIN:
            raise VerificationError("certificate chain is too long or loops")
        issuer = _find_issuer(current, pool, when, len(path) - 1)
        if issuer is None:
            raise VerificationError(
                f"certificate chain does not lead to a trusted root "
                f"(no valid issuer for {current.subject.rfc4514_string() or 'the leaf'})"
            )
        path.append(issuer)
        current = issuer


def _check_leaf(leaf: x509.Certificate, when: dt.datetime) -> None:
    _check_validity(leaf, when, "signing certificate")
    ku = _extension(leaf, x509.KeyUsage)
    eku = _extension(leaf, x509.ExtendedKeyUsage)
    if ku is None and eku is None:
        raise VerificationError("signing certificate has neither keyUsage nor extendedKeyUsage")
    if ku is not None and not ku.digital_signature:
        raise VerificationError("signing certificate keyUsage lacks digitalSignature")
    if eku is not None and ExtendedKeyUsageOID.CODE_SIGNING not in eku:
        raise VerificationError("signing certificate extendedKeyUsage lacks codeSigning")


def _find_issuer(
    child: x509.Certificate, pool: Sequence[x509.Certificate], when: dt.datetime, below: int
) -> x509.Certificate | None:
    reasons = []
    for candidate in pool:
        if candidate.subject != child.issuer or candidate is child:
            continue
        try:
            child.verify_directly_issued_by(candidate)
            _check_validity(candidate, when, "issuing certificate")
            _check_ca(candidate, below)
        except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm) as exc:
            reasons.append(str(exc))
            continue
        except VerificationError as exc:
            reasons.append(str(exc))
            continue
        return candidate
    if reasons:
        raise VerificationError(f"untrusted certificate chain: {reasons[0]}")
    return None


def _check_ca(cert: x509.Certificate, below: int) -> None:
    bc = _extension(cert, x509.BasicConstraints)
    if bc is None or not bc.ca:
        raise VerificationError(
            f"issuer {cert.subject.rfc4514_string()} is not a CA (basicConstraints CA:TRUE missing)"
        )
    if bc.path_length is not None and below > bc.path_length:
        raise VerificationError(f"issuer {cert.subject.rfc4514_string()} path length exceeded")
    ku = _extension(cert, x509.KeyUsage)
    if ku is not None and not ku.key_cert_sign:
        raise VerificationError(f"issuer {cert.subject.rfc4514_string()} may not sign certificates")


def _check_validity(cert: x509.Certificate, when: dt.datetime, what: str) -> None:
    if when < cert.not_valid_before_utc:
        raise VerificationError(f"{what} is not yet valid at {when.isoformat()}")
    if when > cert.not_valid_after_utc:
        raise VerificationError(f"{what} expired before {when.isoformat()}")


def _extension(cert: x509.Certificate, kind: type) -> object | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:
        raise VerificationError("certificate has a malformed extension") from None
