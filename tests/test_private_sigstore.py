"""End-to-end checks of the private, offline Sigstore instance."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sys
from urllib.parse import urlsplit

import model_signing
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, ObjectIdentifier
from sigstore import dsse
from sigstore._internal import merkle as sigstore_merkle
from sigstore._internal.fulcio.client import FulcioClientError
from sigstore._internal.merkle import verify_merkle_inclusion
from sigstore._internal.rekor.checkpoint import SignedCheckpoint, verify_checkpoint
from sigstore._internal.sct import verify_sct
from sigstore._internal.trust import KeyringPurpose
from sigstore.errors import VerificationError
from sigstore.models import Bundle, ClientTrustConfig, TransparencyLogEntry, TrustedRoot
from sigstore.oidc import IdentityToken
from sigstore.sign import SigningContext
from sigstore.verify import Verifier, policy
from sigstore_instance.merkle import MerkleTree

# Provide the session fixture `private_sigstore` unless tests/conftest.py
# already imported it (conftest loads first; registering the module again
# would only trigger an assertion-rewrite warning).
if "sigstore_instance.fixtures" not in sys.modules:
    pytest_plugins = ["sigstore_instance.fixtures"]

EMAIL = "alice@example.com"
EMAIL_ISSUER = "https://issuer.example.com"
WORKFLOW = "https://github.com/example/repo/.github/workflows/release.yml@refs/heads/main"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


def _statement(name: str = "model.bin") -> dsse.Statement:
    return (
        dsse.StatementBuilder()
        .subjects([dsse.Subject(name=name, digest={"sha256": "ab" * 32})])
        .predicate_type("https://example.com/predicate/v1")
        .predicate({"note": "private sigstore"})
        .build()
    )


def _sign_dsse(instance, identity: str, issuer: str) -> Bundle:
    config = ClientTrustConfig.from_json(instance.trust_config_path.read_text())
    context = SigningContext.from_trust_config(config)
    token = IdentityToken(instance.identity_token(identity, issuer))
    with context.signer(token) as signer:
        return signer.sign_dsse(_statement())


def _verifier(instance) -> Verifier:
    return Verifier(trusted_root=TrustedRoot.from_file(str(instance.trusted_root_path)))


@pytest.fixture(scope="module")
def email_bundle(private_sigstore) -> Bundle:
    return _sign_dsse(private_sigstore, EMAIL, EMAIL_ISSUER)


# -- sigstore-python ---------------------------------------------------------


def test_trust_documents_load(private_sigstore):
    raw = private_sigstore.trust_config_path.read_text()
    config = ClientTrustConfig.from_json(raw)
    assert config.signing_config.get_oidc_url() == private_sigstore.oidc_url
    assert config.trusted_root.get_fulcio_certs()
    urls = [
        private_sigstore.fulcio_url,
        private_sigstore.rekor_url,
        private_sigstore.oidc_url,
        *(s["url"] for s in json.loads(raw)["signingConfig"]["rekorTlogUrls"]),
    ]
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in urls)


def test_dsse_sign_and_verify(private_sigstore, email_bundle):
    payload_type, payload = _verifier(private_sigstore).verify_dsse(
        email_bundle, policy.Identity(identity=EMAIL, issuer=EMAIL_ISSUER)
    )
    assert payload_type == "application/vnd.in-toto+json"
    assert json.loads(payload)["subject"][0]["name"] == "model.bin"


def test_bundle_survives_json_round_trip(private_sigstore, email_bundle):
    bundle = Bundle.from_json(email_bundle.to_json())
    _verifier(private_sigstore).verify_dsse(
        bundle, policy.Identity(identity=EMAIL, issuer=EMAIL_ISSUER)
    )


@pytest.mark.parametrize(
    ("identity", "issuer"),
    [
        ("mallory@example.com", EMAIL_ISSUER),
        (EMAIL, "https://other-issuer.example.com"),
        (WORKFLOW, GITHUB_ISSUER),
    ],
)
def test_dsse_wrong_identity_or_issuer_fails(
    private_sigstore,
    email_bundle,
    identity,
    issuer,
):
    with pytest.raises(VerificationError):
        _verifier(private_sigstore).verify_dsse(
            email_bundle, policy.Identity(identity=identity, issuer=issuer)
        )


def test_uri_identity_from_sub_claim(private_sigstore):
    bundle = _sign_dsse(private_sigstore, WORKFLOW, GITHUB_ISSUER)
    san = bundle.signing_certificate.extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    ).value
    assert san.get_values_for_type(x509.UniformResourceIdentifier) == [WORKFLOW]
    _verifier(private_sigstore).verify_dsse(
        bundle, policy.Identity(identity=WORKFLOW, issuer=GITHUB_ISSUER)
    )


def test_artifact_sign_and_verify(private_sigstore):
    config = ClientTrustConfig.from_json(private_sigstore.trust_config_path.read_text())
    token = IdentityToken(private_sigstore.identity_token(EMAIL, EMAIL_ISSUER))
    with SigningContext.from_trust_config(config).signer(token) as signer:
        bundle = signer.sign_artifact(b"artifact bytes")
    identity = policy.Identity(identity=EMAIL, issuer=EMAIL_ISSUER)
    _verifier(private_sigstore).verify_artifact(b"artifact bytes", bundle, identity)
    with pytest.raises(VerificationError):
        _verifier(private_sigstore).verify_artifact(b"other bytes", bundle, identity)


def test_fulcio_prefers_verified_email_over_sub(private_sigstore):
    token = private_sigstore.identity_token(EMAIL, EMAIL_ISSUER, subject="1234567890")
    config = ClientTrustConfig.from_json(private_sigstore.trust_config_path.read_text())
    with SigningContext.from_trust_config(config).signer(IdentityToken(token)) as signer:
        bundle = signer.sign_dsse(_statement())
    _verifier(private_sigstore).verify_dsse(
        bundle, policy.Identity(identity=EMAIL, issuer=EMAIL_ISSUER)
    )
    with pytest.raises(VerificationError):
        _verifier(private_sigstore).verify_dsse(
            bundle, policy.Identity(identity="1234567890", issuer=EMAIL_ISSUER)
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"email_verified": False},
        {"signing_key": ec.generate_private_key(ec.SECP256R1())},
    ],
    ids=["unverified-email", "untrusted-token-key"],
)
def test_fulcio_rejects_bad_tokens(private_sigstore, kwargs):
    token = private_sigstore.identity_token(EMAIL, EMAIL_ISSUER, **kwargs)
    config = ClientTrustConfig.from_json(private_sigstore.trust_config_path.read_text())
    context = SigningContext.from_trust_config(config)
    with pytest.raises(FulcioClientError), context.signer(IdentityToken(token)):
        pass


# -- certificate profile -------------------------------------------------------


def test_leaf_certificate_profile(email_bundle):
    cert = email_bundle.signing_certificate
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == dt.timedelta(minutes=10)
    ext = cert.extensions
    assert ext.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert (
        ExtendedKeyUsageOID.CODE_SIGNING in ext.get_extension_for_class(x509.ExtendedKeyUsage).value
    )
    assert ext.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.RFC822Name
    ) == [EMAIL]
    legacy = ext.get_extension_for_oid(ObjectIdentifier("1.3.6.1.4.1.57264.1.1")).value
    assert legacy.value == EMAIL_ISSUER.encode()
    v2 = ext.get_extension_for_oid(ObjectIdentifier("1.3.6.1.4.1.57264.1.8")).value
    assert v2.value == b"\x0c" + bytes([len(EMAIL_ISSUER)]) + EMAIL_ISSUER.encode()
    scts = ext.get_extension_for_class(x509.PrecertificateSignedCertificateTimestamps)
    assert len(scts.value) == 1


def test_direct_leaf_issuance_and_rogue_sct(private_sigstore):
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    root = TrustedRoot.from_file(str(private_sigstore.trusted_root_path))
    ct_keyring = root.ct_keyring(KeyringPurpose.VERIFY)

    good = private_sigstore.issue_leaf_certificate(key, "bob@example.com", EMAIL_ISSUER)
    verify_sct(good, private_sigstore.ca.chain, ct_keyring)
    good.verify_directly_issued_by(private_sigstore.ca.intermediate_cert)

    rogue = private_sigstore.issue_leaf_certificate(
        key,
        "bob@example.com",
        EMAIL_ISSUER,
        sct_signing_key=ec.generate_private_key(ec.SECP256R1()),
    )
    with pytest.raises(VerificationError):
        verify_sct(rogue, private_sigstore.ca.chain, ct_keyring)


# -- transparency log ------------------------------------------------------------


def test_tlog_entry_inclusion_proof_and_checkpoint(private_sigstore, email_bundle):
    raw = json.loads(email_bundle.to_json())
    (tlog,) = raw["verificationMaterial"]["tlogEntries"]
    required = {"logIndex", "integratedTime", "logId", "inclusionPromise", "inclusionProof"}
    assert required <= set(tlog)
    assert tlog["kindVersion"] == {"kind": "dsse", "version": "0.0.1"}
    proof = tlog["inclusionProof"]
    assert proof["checkpoint"]["envelope"]
    assert int(proof["treeSize"]) > int(proof["logIndex"]) >= 0

    entry = email_bundle.log_entry
    rekor_key = serialization.load_pem_public_key(private_sigstore.rekor_public_key_pem.encode())
    log_id = base64.b64decode(tlog["logId"]["keyId"])
    assert log_id == private_sigstore.rekor.log_id

    # The signed checkpoint, checked by hand and by sigstore.
    checkpoint = SignedCheckpoint.from_text(proof["checkpoint"]["envelope"])
    (signature,) = checkpoint.signed_note.signatures
    assert signature.sig_hash == log_id[:4]
    rekor_key.verify(
        base64.b64decode(signature.signature),
        checkpoint.signed_note.note.encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    assert checkpoint.checkpoint.log_size == int(proof["treeSize"])
    assert checkpoint.checkpoint.log_hash == base64.b64decode(proof["rootHash"]).hex()
    keyring = TrustedRoot.from_file(str(private_sigstore.trusted_root_path)).rekor_keyring(
        KeyringPurpose.VERIFY
    )
    verify_merkle_inclusion(entry)
    verify_checkpoint(keyring, entry)
    entry._verify_set(keyring)

    # The log holds exactly the body the bundle carries.
    stored = private_sigstore.log_entries[int(tlog["logIndex"])]
    assert stored.body == base64.b64decode(tlog["canonicalizedBody"])
    assert stored.integrated_time == int(tlog["integratedTime"])


def test_older_entries_still_verify_after_log_grows(private_sigstore):
    bundles = [_sign_dsse(private_sigstore, EMAIL, EMAIL_ISSUER) for _ in range(3)]
    verifier = _verifier(private_sigstore)
    for bundle in bundles:
        verifier.verify_dsse(bundle, policy.Identity(identity=EMAIL, issuer=EMAIL_ISSUER))
    # Refetch the first entry against today's (larger) tree.
    first = int(bundles[0].log_entry._inner.log_index)
    refreshed = TransparencyLogEntry._from_v1_response(private_sigstore.rekor.entry_response(first))
    assert int(refreshed._inner.inclusion_proof.tree_size) == len(private_sigstore.log_entries)
    verify_merkle_inclusion(refreshed)


def test_tampered_log_entry_is_rejected(private_sigstore, email_bundle):
    raw = json.loads(email_bundle.to_json())
    raw["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = str(
        int(raw["verificationMaterial"]["tlogEntries"][0]["integratedTime"]) + 1
    )
    with pytest.raises(VerificationError):
        _verifier(private_sigstore).verify_dsse(
            Bundle.from_json(json.dumps(raw)),
            policy.Identity(identity=EMAIL, issuer=EMAIL_ISSUER),
        )


def test_merkle_proofs_match_sigstore_math():
    """Every audit path of trees of size 1..17 folds to the root sigstore's way."""
    tree = MerkleTree()
    leaves = [f"leaf-{i}".encode() for i in range(17)]
    for leaf in leaves:
        tree.append(leaf)
    for size in range(1, len(leaves) + 1):
        for index in range(size):
            path = tree.inclusion_proof(index, size)
            inner, border = sigstore_merkle._decomp_inclusion_proof(index, size)
            assert len(path) == inner + border
            seed = sigstore_merkle._chain_inner(
                sigstore_merkle._hash_leaf(leaves[index]), path[:inner], index
            )
            assert sigstore_merkle._chain_border_right(seed, path[inner:]) == tree.root(size)


# -- model_signing ---------------------------------------------------------------


@pytest.fixture
def model_dir(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(bytes(range(256)) * 4)
    (model / "config.json").write_text('{"layers": 2}')
    return model


def _model_verifier(instance, identity: str, issuer: str):
    return model_signing.verifying.Config().use_sigstore_verifier(
        identity=identity, oidc_issuer=issuer, trust_config=instance.trust_config_path
    )


def test_model_signing_keyless_round_trip(private_sigstore, model_dir, tmp_path):
    signature = tmp_path / "model.sig"
    token = private_sigstore.identity_token(EMAIL, EMAIL_ISSUER)
    model_signing.signing.Config().use_sigstore_signer(
        identity_token=token, trust_config=private_sigstore.trust_config_path
    ).sign(model_dir, signature)

    bundle = Bundle.from_json(signature.read_text())
    assert bundle.log_entry._inner.inclusion_proof.checkpoint.envelope

    _model_verifier(private_sigstore, EMAIL, EMAIL_ISSUER).verify(model_dir, signature)

    with pytest.raises(VerificationError, match="SANs do not match"):
        _model_verifier(private_sigstore, "mallory@example.com", EMAIL_ISSUER).verify(
            model_dir, signature
        )

    (model_dir / "weights.bin").write_bytes(b"tampered")
    with pytest.raises(ValueError, match="mismatch"):
        _model_verifier(private_sigstore, EMAIL, EMAIL_ISSUER).verify(model_dir, signature)
