"""X.509 facts and chain validation for the `certificate` signing method.

Path building and the core checks are cryptography's (`cryptography.x509.verification`);
aibom adds, as extension policies, what code signing needs: digitalSignature and
codeSigning on the leaf, keyCertSign on every issuer. It is deliberately tolerant of one
quirk seen in real OMS signatures (a code-signing leaf that also carries CA:TRUE).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import verification
from cryptography.x509.oid import ExtendedKeyUsageOID

from aibom.errors import InputError, VerificationError

OIDC_ISSUER_V2 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
OIDC_ISSUER_V1 = x509.ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
MAX_CHAIN = 8
_E = TypeVar("_E", bound=x509.ExtensionType)


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
    2. The leaf has keyUsage digitalSignature and EKU codeSigning (when a keyUsage/EKU
       extension is present it must allow this; one of the two must be present).
    3. `cryptography.x509.verification` builds the path to a certificate among `roots` (at
       most MAX_CHAIN deep): names chain, each issuer signed its child, every certificate is
       valid at that time, each issuer asserts basicConstraints CA:TRUE within its path
       length. aibom's extension policies add keyUsage keyCertSign on issuers (when
       keyUsage is present) and step 2 on the leaf, and tolerate a leaf with CA:TRUE.
    4. A failure is explained in aibom's words (which certificate, which property).
    """
    when = at or leaf.not_valid_before_utc
    if _extension(leaf, x509.KeyUsage) is None and _extension(leaf, x509.ExtendedKeyUsage) is None:
        raise VerificationError("signing certificate has neither keyUsage nor extendedKeyUsage")
    if not roots:
        raise VerificationError("certificate chain does not lead to a trusted root (no roots)")
    builder = (
        verification.PolicyBuilder()
        .store(verification.Store(list(roots)))
        .time(when)
        .max_chain_depth(MAX_CHAIN)
        .extension_policies(ca_policy=_CA_POLICY, ee_policy=_LEAF_POLICY)
    )
    try:
        verified = builder.build_client_verifier().verify(leaf, list(intermediates))
    except verification.VerificationError as exc:
        raise VerificationError(_explain(str(exc), leaf, [*intermediates, *roots], when)) from None
    return list(verified.chain)


class _Refused(ValueError):
    """Raised by aibom's extension validators; its text is the reason the user reads."""


def _leaf_key_usage(_: object, cert: x509.Certificate, ku: x509.KeyUsage | None) -> None:
    if ku is not None and not ku.digital_signature:
        raise _Refused("signing certificate keyUsage lacks digitalSignature")


def _leaf_eku(_: object, cert: x509.Certificate, eku: x509.ExtendedKeyUsage | None) -> None:
    if eku is not None and ExtendedKeyUsageOID.CODE_SIGNING not in eku:
        raise _Refused("signing certificate extendedKeyUsage lacks codeSigning")


def _issuer_is_ca(_: object, cert: x509.Certificate, bc: x509.BasicConstraints) -> None:
    if not bc.ca:
        raise _Refused(_not_a_ca(cert))


def _not_a_ca(cert: x509.Certificate) -> str:
    return f"issuer {cert.subject.rfc4514_string()} is not a CA (basicConstraints CA:TRUE missing)"


def _issuer_key_usage(_: object, cert: x509.Certificate, ku: x509.KeyUsage | None) -> None:
    if ku is not None and not ku.key_cert_sign:
        raise _Refused(f"issuer {cert.subject.rfc4514_string()} may not sign certificates")


_ANY = verification.Criticality.AGNOSTIC
# permit_all, not the Web PKI defaults: code-signing leaves carry no serverAuth/clientAuth,
# may lack a SAN and (in model_signing's own vectors) assert CA:TRUE.
_LEAF_POLICY = (
    verification.ExtensionPolicy.permit_all()
    .may_be_present(x509.KeyUsage, _ANY, _leaf_key_usage)
    .may_be_present(x509.ExtendedKeyUsage, _ANY, _leaf_eku)
)
_CA_POLICY = (
    verification.ExtensionPolicy.permit_all()
    .require_present(x509.BasicConstraints, _ANY, _issuer_is_ca)
    .may_be_present(x509.KeyUsage, _ANY, _issuer_key_usage)
)
_OWN_REASON = re.compile(r"validator failed: _Refused: (.*?)(?: \(encountered processing .*)?$")


def _explain(
    message: str, leaf: x509.Certificate, pool: Sequence[x509.Certificate], when: dt.datetime
) -> str:
    """cryptography's reason, in aibom's words: which certificate, which property."""
    own = _OWN_REASON.search(message)
    if own:
        return own.group(1)
    if "not valid at validation time" in message:
        candidates = [(leaf, "signing certificate")] + [(c, "issuing certificate") for c in pool]
        for cert, what in candidates:
            problem = _validity_problem(cert, when, what)
            if problem and (cert is leaf or _may_issue_in_path(cert, leaf, pool)):
                return problem
    if "basicConstraints" in message:
        for cert in pool:
            bc = _extension(cert, x509.BasicConstraints)
            if _may_issue_in_path(cert, leaf, pool) and (bc is None or not bc.ca):
                return _not_a_ca(cert)
    if "path length" in message.lower() or "pathlen" in message.lower():
        return f"untrusted certificate chain: issuer path length exceeded ({_tail(message)})"
    subject = leaf.subject.rfc4514_string() or "the leaf"
    if "no interior errors" in message:
        return f"certificate chain does not lead to a trusted root (no valid issuer for {subject})"
    return f"certificate chain does not lead to a trusted root ({subject}: {_tail(message)})"


def _tail(message: str) -> str:
    return message.removeprefix("validation failed: ").removeprefix("candidates exhausted: ")


def _may_issue_in_path(
    cert: x509.Certificate, leaf: x509.Certificate, pool: Sequence[x509.Certificate]
) -> bool:
    """Whether `cert` names-chains up from the leaf (the candidates cryptography tried)."""
    wanted, seen = {leaf.issuer}, set()
    while wanted - seen:
        name = (wanted - seen).pop()
        seen.add(name)
        if cert.subject == name:
            return True
        wanted |= {c.issuer for c in pool if c.subject == name}
    return False


def _validity_problem(cert: x509.Certificate, when: dt.datetime, what: str) -> str | None:
    if when < cert.not_valid_before_utc:
        return f"{what} is not yet valid at {when.isoformat()}"
    if when > cert.not_valid_after_utc:
        return f"{what} expired before {when.isoformat()}"
    return None


def _extension(cert: x509.Certificate, kind: type[_E]) -> _E | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:
        raise VerificationError("certificate has a malformed extension") from None
