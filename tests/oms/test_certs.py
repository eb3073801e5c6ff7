"""Certificate chains checked by cryptography's verifier with aibom's code-signing policy."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from aibom.errors import VerificationError
from aibom.oms.certs import validate_chain

from . import pki


@pytest.fixture
def good(tmp_path):
    return pki.make_chain(tmp_path / "good", name="good")


def _issue(subject, issuer_cert, issuer_key, extensions):
    key = pki.ec_key()
    t = pki.now()
    cert = pki._build(
        subject, key.public_key(), issuer_cert.subject, issuer_key, t - 10 * pki.DAY,
        t + 10 * pki.DAY, extensions,
    )
    return cert, key


def test_valid_chain_is_returned_leaf_first(good):
    path = validate_chain(good.leaf, [good.intermediate], [good.root])
    assert path == [good.leaf, good.intermediate, good.root]


def test_other_root_names_the_leaf(good, tmp_path):
    other = pki.make_chain(tmp_path / "other", name="other")
    with pytest.raises(VerificationError, match="no valid issuer for CN=good signer"):
        validate_chain(good.leaf, [good.intermediate], [other.root])


def test_path_length_of_an_issuer_is_enforced(good):
    """The intermediate has pathLenConstraint 0: it may not issue another CA."""
    ca = [(x509.BasicConstraints(ca=True, path_length=None), True), (pki._ca_key_usage(), True)]
    sub, sub_key = _issue("sub CA", good.intermediate, good.intermediate_key, ca)
    eku = [(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False)]
    leaf, _ = _issue("deep leaf", sub, sub_key, eku)
    with pytest.raises(VerificationError, match="path length exceeded"):
        validate_chain(leaf, [sub, good.intermediate], [good.root])


def test_leaf_without_key_usage_or_eku_is_refused(good):
    leaf, _ = _issue("bare leaf", good.intermediate, good.intermediate_key, [])
    with pytest.raises(VerificationError, match="neither keyUsage nor extendedKeyUsage"):
        validate_chain(leaf, [good.intermediate], [good.root])


def test_leaf_with_ca_true_is_tolerated(good):
    """model_signing's own certificate vectors sign with a leaf that asserts CA:TRUE."""
    extensions = [
        (x509.BasicConstraints(ca=True, path_length=None), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False),
    ]
    leaf, _ = _issue("ca leaf", good.intermediate, good.intermediate_key, extensions)
    assert validate_chain(leaf, [good.intermediate], [good.root])[0] == leaf


def test_no_roots_trusts_nothing(good):
    with pytest.raises(VerificationError, match="does not lead to a trusted root"):
        validate_chain(good.leaf, [good.intermediate], [])
