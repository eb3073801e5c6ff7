"""A Fulcio-like CA: self-signed root, one intermediate, short-lived leaves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from ._der import der_utf8_string
from .ctlog import CTLog, sct_list_extension_value

OIDC_ISSUER_V1_OID = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
OIDC_ISSUER_V2_OID = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
SCT_LIST_OID = ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
LEAF_LIFETIME = dt.timedelta(minutes=10)


def _now() -> dt.datetime:
    # Certificates carry whole seconds; truncate so notBefore never lies
    # after a Rekor integratedTime taken in the same second.
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "private-sigstore.test"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def san_for_identity(identity: str) -> x509.GeneralName:
    """Email SAN for e-mail identities, URI SAN for everything else."""
    if "@" in identity and "://" not in identity:
        return x509.RFC822Name(identity)
    return x509.UniformResourceIdentifier(identity)


def _ca_certificate(
    subject: x509.Name,
    public_key,
    issuer_name: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    path_length: int | None,
    not_before: dt.datetime,
    not_after: dt.datetime,
    extra_ekus: Sequence[ObjectIdentifier] = (),
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    if extra_ekus:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(extra_ekus)), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


class CertificateAuthority:
    """Root -> intermediate -> leaf, leaves carrying an embedded SCT."""

    def __init__(self, ct_log: CTLog) -> None:
        self.ct_log = ct_log
        start = _now() - dt.timedelta(days=1)
        end = start + dt.timedelta(days=3650)

        self.root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = _name("private-sigstore root")
        self.root_cert = _ca_certificate(
            root_name,
            self.root_key.public_key(),
            root_name,
            self.root_key,
            None,
            start,
            end,
        )

        self.intermediate_key = ec.generate_private_key(ec.SECP256R1())
        self.intermediate_cert = _ca_certificate(
            _name("private-sigstore intermediate"),
            self.intermediate_key.public_key(),
            root_name,
            self.root_key,
            0,
            start,
            end,
            extra_ekus=(ExtendedKeyUsageOID.CODE_SIGNING,),
        )
        self.valid_from = start

    @property
    def chain(self) -> list[x509.Certificate]:
        """Issuer chain of every leaf: [intermediate, root]."""
        return [self.intermediate_cert, self.root_cert]

    def chain_pem(self) -> list[str]:
        return [c.public_bytes(serialization.Encoding.PEM).decode() for c in self.chain]

    def issue_leaf(
        self,
        public_key,
        identity: str | x509.GeneralName,
        issuer: str,
        *,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
        ekus: Sequence[ObjectIdentifier] | None = (ExtendedKeyUsageOID.CODE_SIGNING,),
        digital_signature: bool = True,
        embed_sct: bool = True,
        sct_timestamp_ms: int | None = None,
        sct_signing_key: ec.EllipticCurvePrivateKey | None = None,
        signing_key: ec.EllipticCurvePrivateKey | None = None,
        issuer_cert: x509.Certificate | None = None,
    ) -> x509.Certificate:
        """Issue a Fulcio-profile leaf for `public_key`, without any HTTP.

        Every knob defaults to what the real Fulcio would do; attack tests
        override them (e.g. `ekus=None` drops the EKU extension, `signing_key`
        plus `issuer_cert` issue from a CA that is not in the trust root).
        """
        not_before = not_before or _now()
        not_after = not_after or not_before + LEAF_LIFETIME
        signing_key = signing_key or self.intermediate_key
        issuer_cert = issuer_cert or self.intermediate_cert
        san = identity if isinstance(identity, x509.GeneralName) else san_for_identity(identity)

        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(issuer_cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=digital_signature,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        )
        if ekus is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage(list(ekus)), critical=False)
        builder = (
            builder.add_extension(
                x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()),
                critical=False,
            )
            # Empty subject, so the SAN must be critical (RFC 5280 4.2.1.6).
            .add_extension(x509.SubjectAlternativeName([san]), critical=True)
            .add_extension(
                x509.UnrecognizedExtension(OIDC_ISSUER_V1_OID, issuer.encode()),
                critical=False,
            )
            .add_extension(
                x509.UnrecognizedExtension(OIDC_ISSUER_V2_OID, der_utf8_string(issuer)),
                critical=False,
            )
        )
        if not embed_sct:
            return builder.sign(signing_key, hashes.SHA256())

        # Precertificate flow: the CT log signs the TBS without the SCT list;
        # appending the SCT extension last leaves the rest of the TBS
        # byte-identical, which is what verifiers reconstruct.
        without_sct = builder.sign(signing_key, hashes.SHA256())
        sct = self.ct_log.sign_precertificate(
            without_sct.tbs_certificate_bytes,
            issuer_cert.public_key(),
            sct_timestamp_ms,
            signing_key=sct_signing_key,
        )
        cert = builder.add_extension(
            x509.UnrecognizedExtension(SCT_LIST_OID, sct_list_extension_value([sct])),
            critical=False,
        ).sign(signing_key, hashes.SHA256())
        assert cert.tbs_precertificate_bytes == without_sct.tbs_certificate_bytes
        return cert
