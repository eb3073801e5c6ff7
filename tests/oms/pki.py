"""Test PKI built at test time: EC keys and a root CA -> intermediate -> code-signing leaf.

Nothing here is committed to disk: `make_chain(tmp_path, ...)` writes PEM files into the
directory it is given. The knobs produce the broken chains a verifier must refuse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}
DAY = dt.timedelta(days=1)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def ec_key(curve: str = "P-256") -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(CURVES[curve]())


def private_pem(key: ec.EllipticCurvePrivateKey, password: bytes | None = None) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_pem(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def cert_pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


@dataclass(frozen=True)
class KeyPair:
    key: ec.EllipticCurvePrivateKey
    private_path: Path
    public_path: Path


def write_key_pair(directory: Path, name: str = "key", curve: str = "P-256") -> KeyPair:
    directory.mkdir(parents=True, exist_ok=True)
    key = ec_key(curve)
    private_path = directory / f"{name}.pem"
    public_path = directory / f"{name}.pub.pem"
    private_path.write_bytes(private_pem(key))
    public_path.write_bytes(public_pem(key))
    return KeyPair(key, private_path, public_path)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "aibom tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_key_usage(key_cert_sign: bool = True) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_key_usage(digital_signature: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=not digital_signature,  # keep the extension non-empty
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )


def _build(
    subject: str,
    public_key: ec.EllipticCurvePublicKey,
    issuer_name: x509.Name,
    issuer_key: ec.EllipticCurvePrivateKey,
    not_before: dt.datetime,
    not_after: dt.datetime,
    extensions: list[tuple[x509.ExtensionType, bool]],
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    if issuer_key.public_key() != public_key:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    digest = hashes.SHA384() if issuer_key.curve.key_size > 256 else hashes.SHA256()
    return builder.sign(issuer_key, digest)


@dataclass(frozen=True)
class Chain:
    """A root -> intermediate -> leaf chain and the PEM files written for it."""

    root_key: ec.EllipticCurvePrivateKey
    root: x509.Certificate
    intermediate_key: ec.EllipticCurvePrivateKey
    intermediate: x509.Certificate
    leaf_key: ec.EllipticCurvePrivateKey
    leaf: x509.Certificate
    root_path: Path  # the trust anchor given to a verifier
    intermediate_path: Path  # given to a signer as --certificate-chain
    leaf_path: Path  # --signing-certificate
    leaf_key_path: Path  # --private-key
    leaf_public_path: Path


def make_chain(
    directory: Path,
    *,
    name: str = "test",
    curve: str = "P-256",
    leaf_eku: tuple[x509.ObjectIdentifier, ...] | None = (ExtendedKeyUsageOID.CODE_SIGNING,),
    leaf_digital_signature: bool = True,
    leaf_not_before: dt.datetime | None = None,
    leaf_not_after: dt.datetime | None = None,
    intermediate_ca: bool = True,
    intermediate_key_cert_sign: bool = True,
    intermediate_not_before: dt.datetime | None = None,
    intermediate_not_after: dt.datetime | None = None,
    leaf_email: str | None = "signer@example.com",
) -> Chain:
    """Build and write a chain. Defaults give a valid code-signing chain; each knob breaks
    one property: `leaf_eku=(SERVER_AUTH,)` (wrong EKU), `leaf_digital_signature=False`,
    validity windows in the past or future, `intermediate_ca=False` (no CA:TRUE)."""
    directory.mkdir(parents=True, exist_ok=True)
    t = now()
    root_key = ec_key(curve)
    root_name = _name(f"{name} root CA")
    root = _build(
        f"{name} root CA",
        root_key.public_key(),
        root_name,
        root_key,
        t - 3650 * DAY,
        t + 3650 * DAY,
        [
            (x509.BasicConstraints(ca=True, path_length=None), True),
            (_ca_key_usage(), True),
        ],
    )
    inter_key = ec_key(curve)
    intermediate = _build(
        f"{name} intermediate CA",
        inter_key.public_key(),
        root.subject,
        root_key,
        intermediate_not_before or t - 365 * DAY,
        intermediate_not_after or t + 365 * DAY,
        [
            (
                x509.BasicConstraints(
                    ca=intermediate_ca, path_length=0 if intermediate_ca else None
                ),
                True,
            ),
            (_ca_key_usage(intermediate_key_cert_sign), True),
        ],
    )
    leaf_key = ec_key(curve)
    leaf_extensions: list[tuple[x509.ExtensionType, bool]] = [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (_leaf_key_usage(leaf_digital_signature), True),
    ]
    if leaf_eku is not None:
        leaf_extensions.append((x509.ExtendedKeyUsage(list(leaf_eku)), False))
    if leaf_email:
        leaf_extensions.append((x509.SubjectAlternativeName([x509.RFC822Name(leaf_email)]), False))
    leaf = _build(
        f"{name} signer",
        leaf_key.public_key(),
        intermediate.subject,
        inter_key,
        leaf_not_before or t - DAY,
        leaf_not_after or t + 30 * DAY,
        leaf_extensions,
    )
    paths = {
        "root": directory / f"{name}-root.pem",
        "intermediate": directory / f"{name}-intermediate.pem",
        "leaf": directory / f"{name}-leaf.pem",
        "leaf_key": directory / f"{name}-leaf-key.pem",
        "leaf_public": directory / f"{name}-leaf-key.pub.pem",
    }
    paths["root"].write_bytes(cert_pem(root))
    paths["intermediate"].write_bytes(cert_pem(intermediate))
    paths["leaf"].write_bytes(cert_pem(leaf))
    paths["leaf_key"].write_bytes(private_pem(leaf_key))
    paths["leaf_public"].write_bytes(public_pem(leaf_key))
    return Chain(
        root_key,
        root,
        inter_key,
        intermediate,
        leaf_key,
        leaf,
        paths["root"],
        paths["intermediate"],
        paths["leaf"],
        paths["leaf_key"],
        paths["leaf_public"],
    )


def issue_leaf(chain: Chain, public_key: ec.EllipticCurvePublicKey, path: Path) -> Path:
    """A code-signing leaf under `chain`'s intermediate for a key held elsewhere (a token)."""
    t = now()
    leaf = _build(
        "token signer",
        public_key,
        chain.intermediate.subject,
        chain.intermediate_key,
        t - DAY,
        t + 30 * DAY,
        [
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (_leaf_key_usage(True), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False),
            (x509.SubjectAlternativeName([x509.RFC822Name("token@example.com")]), False),
        ],
    )
    path.write_bytes(cert_pem(leaf))
    return path
