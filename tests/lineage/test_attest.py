"""Signed lineage attestations: the statement (schema, subject, parents by digest), signing
with each kind of signer, and `aibom attest` on the command line."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from support.chains import REPO, VENDOR_IDENTITY, VENDOR_ISSUER
from support.cli import assert_one_line_failure as one_line_error

from aibom.errors import InputError, VerificationError
from aibom.lineage.attest import (
    PREDICATE_LINEAGE,
    Artifact,
    attest,
    content_root_digest,
    describe,
    parse_lineage,
    read_lineage,
    statement,
)
from aibom.oms.model import STATEMENT_TYPE
from aibom.oms.sign import sign_model
from aibom.oms.verify import CertificateTrust, KeylessTrust, KeyTrust, verify_signature

SCHEMA = json.loads((REPO / "schemas" / "lineage.schema.json").read_text())


def payload_of(bundle: Path) -> dict:
    envelope = json.loads(bundle.read_bytes())["dsseEnvelope"]
    return json.loads(base64.b64decode(envelope["payload"]))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def lora(good_chain, tmp_path) -> Path:
    """A copy of the signed adapter, without its attestation."""
    out = tmp_path / "tiny-chat-lora"
    shutil.copytree(good_chain / "models/tiny-chat-lora", out)
    (out / "lineage.sig").unlink()
    return out


# -- the statement -----------------------------------------------------------------------


def test_statement_names_child_parents_and_datasets_by_digest(good_chain, lora):
    chat, instruct = good_chain / "models/tiny-chat", good_chain / "datasets/tiny-instruct"
    lineage = attest(
        lora,
        parents=[chat],
        relation="adapter",
        datasets=[instruct],
        signer=good_chain.keys.key_signer(),
    )
    statement_ = payload_of(lora / "lineage.sig")
    assert statement_["_type"] == STATEMENT_TYPE
    assert statement_["predicateType"] == PREDICATE_LINEAGE == "https://aibom.dev/lineage/v1"
    jsonschema.validate(statement_["predicate"], SCHEMA)

    child = read_lineage(lora / "lineage.sig")
    assert (
        child.signed.bundle_sha256 == lineage.signed.bundle_sha256 == sha256(lora / "lineage.sig")
    )
    # the subject is the child's OMS root digest, the one its model.sig carries
    assert statement_["subject"] == [
        {"name": "tiny-chat-lora", "digest": {"sha256": describe(lora).root_digest}}
    ]
    assert describe(lora).root_digest == content_root_digest(lora)
    predicate = statement_["predicate"]
    assert predicate["relation"] == "adapter"
    assert predicate["parents"] == [
        {
            "name": "tiny-chat",
            "rootDigest": {"sha256": describe(chat).root_digest},
            "signature": {"sha256": sha256(chat / "model.sig"), "method": "certificate"},
        }
    ]
    assert predicate["datasets"] == [
        {
            "name": "tiny-instruct",
            "rootDigest": {"sha256": describe(instruct).root_digest},
            "signature": {"sha256": sha256(instruct / "model.sig"), "method": "key"},
            "use": "training",
        }
    ]
    assert predicate["tool"]["name"] == "aibom"
    assert "adoption" not in predicate
    assert lineage.relation == "adapter" and lineage.adoption is None
    assert [p.root_digest for p in lineage.parents] == [describe(chat).root_digest]


def test_unsigned_parent_is_named_by_its_content_digest(good_chain, lora, tmp_path):
    corpus = tmp_path / "tiny-corpus"
    shutil.copytree(good_chain / "datasets/tiny-corpus", corpus)
    (corpus / "model.sig").unlink()
    lineage = attest(
        lora, parents=[], relation=None, datasets=[corpus], signer=good_chain.keys.key_signer()
    )
    (dataset,) = lineage.datasets
    assert dataset.root_digest == content_root_digest(corpus)
    assert dataset.root_digest == describe(good_chain / "datasets/tiny-corpus").root_digest
    assert dataset.signature_sha256 is None
    assert "signature" not in payload_of(lora / "lineage.sig")["predicate"]["datasets"][0]


def test_parent_given_as_its_bundle(good_chain, lora, tmp_path):
    bundle = tmp_path / "chat.sig"
    shutil.copy(good_chain / "models/tiny-chat/model.sig", bundle)
    lineage = attest(
        lora, parents=[bundle], relation="adapter", signer=good_chain.keys.key_signer()
    )
    assert lineage.parents[0].root_digest == describe(good_chain / "models/tiny-chat").root_digest
    assert lineage.parents[0].signature_sha256 == sha256(bundle)


def test_lineage_sig_does_not_change_the_root_digest(good_chain, lora):
    before = content_root_digest(lora)
    attest(
        lora,
        parents=[good_chain / "models/tiny-chat"],
        relation="adapter",
        signer=good_chain.keys.key_signer(),
    )
    assert content_root_digest(lora) == before == describe(lora).root_digest


@pytest.mark.parametrize(
    ("relation", "parents", "message"),
    [
        ("finetune", [], "needs at least one --parent"),
        ("retrain", [Artifact("p", "a" * 64)], "unknown relation 'retrain'"),
        # The CLI documents --relation as "Required with --parent": an attestation with
        # parents but no relation would be signed, then silently ignored by discovery.
        (None, [Artifact("p", "a" * 64)], "--relation"),
    ],
)
def test_statement_refuses_inconsistent_lineage(relation, parents, message):
    with pytest.raises(InputError, match=message):
        statement(Artifact("child", "b" * 64), relation, parents, [])


def test_statement_refuses_a_digest_that_is_not_sha256_hex():
    with pytest.raises(InputError):
        statement(Artifact("child", "b" * 64), "finetune", [Artifact("p", "NOT-HEX")], [])


# -- reading -----------------------------------------------------------------------------


def test_an_oms_signature_is_not_a_lineage_attestation(good_chain):
    with pytest.raises(InputError, match="not an aibom lineage attestation"):
        read_lineage(good_chain / "models/tiny-chat-lora/model.sig")


def test_unreadable_attestations(tmp_path):
    with pytest.raises(InputError):
        read_lineage(tmp_path / "absent.sig")
    with pytest.raises(InputError):
        parse_lineage(b"{not json")
    with pytest.raises(InputError):
        parse_lineage(b"[]")


def test_attestation_with_a_predicate_outside_the_schema(good_chain, tmp_path):
    from aibom.oms.sign import sign_payload

    document = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": "x", "digest": {"sha256": "c" * 64}}],
        "predicateType": PREDICATE_LINEAGE,
        "predicate": {"relation": "finetune", "parents": [], "datasets": [], "extra": 1},
    }
    raw = json.dumps(sign_payload(json.dumps(document).encode(), good_chain.keys.key_signer()))
    with pytest.raises(InputError):
        parse_lineage(raw.encode())


# -- signing and verifying ---------------------------------------------------------------


def test_keyless_attestation_verifies_with_the_vendor_identity_only(good_chain):
    lineage = read_lineage(good_chain / "models/tiny-base/lineage.sig")
    assert lineage.signed.signer.method == "sigstore"
    assert lineage.signed.signer.identity == VENDOR_IDENTITY
    config = good_chain.vendor.trust_config
    verify_signature(lineage.signed, KeylessTrust(VENDOR_IDENTITY, VENDOR_ISSUER, config))
    with pytest.raises(VerificationError, match="wrong identity"):
        verify_signature(lineage.signed, KeylessTrust("x@vendor.example", VENDOR_ISSUER, config))
    with pytest.raises(VerificationError, match="wrong issuer"):
        verify_signature(lineage.signed, KeylessTrust(VENDOR_IDENTITY, "https://evil", config))
    assert lineage.relation is None
    assert [d.name for d in lineage.datasets] == ["tiny-corpus"]


def test_certificate_and_key_attestations_verify_with_their_trust(good_chain):
    keys = good_chain.keys
    adopted = read_lineage(good_chain / "models/tiny-chat/lineage.sig").signed
    verify_signature(adopted, CertificateTrust(((keys / "acme-root.pem").read_bytes(),)))
    with pytest.raises(VerificationError):
        verify_signature(
            adopted, CertificateTrust(((good_chain.rogue / "acme-root.pem").read_bytes(),))
        )
    keyed = read_lineage(good_chain / "models/tiny-chat-q8/lineage.sig").signed
    verify_signature(keyed, KeyTrust((keys / "acme-pub.pem").read_bytes()))
    with pytest.raises(VerificationError):
        verify_signature(keyed, KeyTrust((good_chain.rogue / "acme-pub.pem").read_bytes()))


# -- `aibom attest` --------------------------------------------------------------------------


def test_cli_attest_writes_lineage_sig_beside_the_model(good_chain, lora, cli):
    keys = good_chain.keys
    run = cli(
        "attest", lora,
        "--parent", good_chain / "models/tiny-chat",
        "--relation", "adapter",
        "--private-key", keys / "acme-key.pem",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.strip() == f"attested {lora} (adapter: tiny-chat) -> {lora / 'lineage.sig'}"
    lineage = read_lineage(lora / "lineage.sig")
    assert lineage.relation == "adapter"
    assert lineage.subject.root_digest == describe(lora).root_digest
    verify_signature(lineage.signed, KeyTrust((keys / "acme-pub.pem").read_bytes()))


def test_cli_attest_with_a_dataset_and_an_explicit_output(good_chain, lora, cli, tmp_path):
    out = tmp_path / "elsewhere.sig"
    run = cli(
        "attest", lora,
        "--parent", good_chain / "models/tiny-chat",
        "--relation", "adapter",
        "--dataset", good_chain / "datasets/tiny-instruct",
        "--signature", out,
        "--private-key", good_chain.keys / "acme-leaf-key.pem",
        "--signing-certificate", good_chain.keys / "acme-leaf.pem",
        "--certificate-chain", good_chain.keys / "acme-intermediate.pem",
    )  # fmt: skip
    assert run.code == 0, run.err
    assert not (lora / "lineage.sig").exists()
    lineage = read_lineage(out)
    assert lineage.signed.signer.method == "certificate"
    assert [d.name for d in lineage.datasets] == ["tiny-instruct"]


@pytest.mark.parametrize(
    ("args", "keyword"),
    [
        (["--parent", "{chat}", "--relation", "retrain"], "retrain"),
        (["--parent", "{missing}", "--relation", "adapter"], "missing"),
        (["--relation", "adapter"], "--parent"),
        (["--parent", "{chat}"], "--relation"),
    ],
)
def test_cli_attest_bad_input_exits_2(good_chain, lora, cli, tmp_path, args, keyword):
    values = {"chat": good_chain / "models/tiny-chat", "missing": tmp_path / "missing"}
    args = [a.format(**values) for a in args]
    run = cli("attest", lora, *args, "--private-key", good_chain.keys / "acme-key.pem")
    assert keyword in one_line_error(run)
    assert not (lora / "lineage.sig").exists()


def test_cli_attest_without_a_signing_method_exits_2(good_chain, lora, cli):
    run = cli("attest", lora, "--parent", good_chain / "models/tiny-chat", "--relation", "adapter")
    assert "signing method" in one_line_error(run)


# -- lineage.sig and the model's own signature -----------------------------------------------


@pytest.mark.parametrize("order", ["sign-then-attest", "attest-then-sign"])
def test_model_signing_still_verifies_with_lineage_sig_beside(good_chain, tmp_path, cli, order):
    """A lineage attestation added beside a model breaks neither `aibom verify` nor
    model_signing 1.1.1's own verification."""
    model_signing = pytest.importorskip("model_signing")
    keys = good_chain.keys
    model = tmp_path / "model"
    shutil.copytree(
        good_chain / "models/tiny-chat-lora", model, ignore=shutil.ignore_patterns("*.sig")
    )
    sign = ["sign", model, "--private-key", keys / "acme-key.pem"]
    attest_ = ["attest", model, "--parent", good_chain / "models/tiny-chat",
               "--relation", "adapter", "--private-key", keys / "acme-key.pem"]  # fmt: skip
    for args in (sign, attest_) if order == "sign-then-attest" else (attest_, sign):
        run = cli(*args)
        assert run.code == 0, run.err
    assert (model / "lineage.sig").is_file() and (model / "model.sig").is_file()

    run = cli("verify", model, "--public-key", keys / "acme-pub.pem")
    assert run.code == 0, run.err
    model_signing.verifying.Config().use_elliptic_key_verifier(
        public_key=keys / "acme-pub.pem"
    ).verify(model, model / "model.sig")

    # and model_signing still notices a change to the model itself
    (model / "README.md").write_text("changed\n")
    with pytest.raises(ValueError):
        model_signing.verifying.Config().use_elliptic_key_verifier(
            public_key=keys / "acme-pub.pem"
        ).verify(model, model / "model.sig")


def test_resigning_after_attestation_keeps_the_attested_subject(good_chain, lora):
    """model.sig is re-written (another key): the attestation's subject still holds."""
    lineage = attest(
        lora,
        parents=[good_chain / "models/tiny-chat"],
        relation="adapter",
        signer=good_chain.keys.key_signer(),
    )
    sign_model(lora, lora / "model.sig", good_chain.keys.cert_signer())
    assert describe(lora).root_digest == lineage.subject.root_digest
