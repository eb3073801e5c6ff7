"""A private certificate-transparency log that only issues SCTs (RFC 6962)."""

from __future__ import annotations

import hashlib
import struct
import time

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from ._der import der_octet_string, public_pem, spki_der, u16_prefixed, u24_prefixed

_SCT_V1 = 0
_SIGNATURE_TYPE_CERTIFICATE_TIMESTAMP = 0
_ENTRY_TYPE_PRECERT = 1
_HASH_SHA256 = 4
_SIG_ECDSA = 3


class CTLog:
    """Holds the CT log key; signs precertificate SCTs for the CA."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.public_key = self.private_key.public_key()
        self.public_key_der = spki_der(self.public_key)
        self.public_key_pem = public_pem(self.public_key)
        self.log_id = hashlib.sha256(self.public_key_der).digest()
        self.issued: list[bytes] = []

    def sign_precertificate(
        self,
        tbs_der: bytes,
        issuer_public_key,
        timestamp_ms: int | None = None,
        *,
        signing_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> bytes:
        """Return a serialized SCT over a precertificate TBS.

        `tbs_der` is the TBSCertificate without the SCT-list (and poison)
        extension, which is what verifiers reconstruct from the final cert.
        `signing_key` lets attack tests sign with a key the trust root lacks.
        """
        if timestamp_ms is None:
            timestamp_ms = int(time.time() * 1000)
        issuer_key_hash = hashlib.sha256(spki_der(issuer_public_key)).digest()
        extensions = b""
        signed = (
            struct.pack(
                "!BBQH",
                _SCT_V1,
                _SIGNATURE_TYPE_CERTIFICATE_TIMESTAMP,
                timestamp_ms,
                _ENTRY_TYPE_PRECERT,
            )
            + issuer_key_hash
            + u24_prefixed(tbs_der)
            + u16_prefixed(extensions)
        )
        signature = (signing_key or self.private_key).sign(signed, ec.ECDSA(hashes.SHA256()))
        sct = (
            bytes([_SCT_V1])
            + self.log_id
            + struct.pack("!Q", timestamp_ms)
            + u16_prefixed(extensions)
            + bytes([_HASH_SHA256, _SIG_ECDSA])
            + u16_prefixed(signature)
        )
        self.issued.append(sct)
        return sct


def sct_list_extension_value(scts: list[bytes]) -> bytes:
    """extnValue content for OID 1.3.6.1.4.1.11129.2.4.2.

    The extension holds an OCTET STRING wrapping the TLS-encoded
    SignedCertificateTimestampList (RFC 6962 section 3.3).
    """
    serialized = b"".join(u16_prefixed(sct) for sct in scts)
    return der_octet_string(u16_prefixed(serialized))
