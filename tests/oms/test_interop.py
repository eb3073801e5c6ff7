"""Both ways with model_signing 1.1.1, the reference implementation.

model_signing signs -> aibom verifies; aibom signs (CLI and `sign_model`) -> model_signing
verifies: key, certificate chain, keyless against the private Sigstore instance, shards and
the other hash types.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from pathlib import Path

import model_signing
import pytest

from aibom.oms import sign as signing
from aibom.oms import verify as verifying

from .helpers import (
    assert_one_line_failure,
    bundle_payload,
    make_model,
    run_cli,
    small_model,
)

ID = "alice@example.com"
ISSUER = "https://issuer.example.com"


def ms_key_verifier(public_key: Path):
    return model_signing.verifying.Config().use_elliptic_key_verifier(public_key=public_key)


def ms_sign_key(model: Path, signature: Path, private_key: Path, hashing=None) -> None:
    config = model_signing.signing.Config().use_elliptic_key_signer(private_key=private_key)
    if hashing is not None:
        config = config.set_hashing_config(hashing)
    config.sign(model, signature)


def tricky_model(root: Path) -> Path:
    """Names whose order differs between code-point sort and model_signing's path sort,
    and a file of more than ten 1000-byte shards."""
    return make_model(
        root,
        {
            "a/b": b"in a directory",
            "a-c": b"dash",
            "a.txt": b"dot",
            "big.bin": os.urandom(12_345),
            "empty": b"",
        },
    )


# -- model_signing signs, aibom verifies -------------------------------------------------


@pytest.mark.parametrize("maker", [small_model, tricky_model])
def test_model_signing_key_to_aibom(maker, tmp_path, keypair, other_keypair):
    model = maker(tmp_path / "model")
    sig = tmp_path / "ms.sig"
    ms_sign_key(model, sig, keypair.private_path)
    run = run_cli("verify", model, "--signature", sig, "--public-key", keypair.public_path)
    assert run.code == 0, run.err
    result = verifying.check_signed_model(
        model, sig, verifying.KeyTrust(keypair.public_path.read_bytes())
    )
    assert result.ok and result.checked == len([p for p in model.rglob("*") if p.is_file()])
    run = run_cli("verify", model, "--signature", sig, "--public-key", other_keypair.public_path)
    assert_one_line_failure(run, [1], "another key")


def test_model_signing_key_signature_inside_model(tmp_path, keypair):
    """model_signing's API does not record the signature; aibom still skips the bundle it
    is verifying, wherever it lies."""
    model = small_model(tmp_path / "model")
    staged = tmp_path / "staged.sig"
    ms_sign_key(model, staged, keypair.private_path)
    shutil.move(staged, model / "model.sig")
    run = run_cli("verify", model, "--public-key", keypair.public_path)
    assert run.code == 0, run.err


def test_model_signing_p384_key_to_aibom(tmp_path, keypair_p384):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "ms.sig"
    ms_sign_key(model, sig, keypair_p384.private_path)
    run = run_cli("verify", model, "--signature", sig, "--public-key", keypair_p384.public_path)
    assert run.code == 0, run.err


def test_model_signing_certificate_to_aibom(tmp_path, chain, other_chain):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "ms.sig"
    model_signing.signing.Config().use_certificate_signer(
        private_key=chain.leaf_key_path,
        signing_certificate=chain.leaf_path,
        certificate_chain=[chain.intermediate_path],
    ).sign(model, sig)
    run = run_cli(
        "verify",
        model,
        "--signature",
        sig,
        "--certificate-chain",
        chain.root_path,
        "--format",
        "json",
    )
    assert run.code == 0, run.out
    facts = run.json()
    assert facts["signer"]["method"] == "certificate"
    assert facts["signer"]["identity"] == "signer@example.com"
    assert len(facts["signer"]["chain_fingerprints"]) == 2  # leaf and intermediate
    run = run_cli("verify", model, "--signature", sig, "--certificate-chain", other_chain.root_path)
    assert_one_line_failure(run, [1], "trusted root")


def test_model_signing_keyless_to_aibom(tmp_path, private_sigstore):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "ms.sig"
    model_signing.signing.Config().use_sigstore_signer(
        identity_token=private_sigstore.identity_token(ID, ISSUER),
        trust_config=private_sigstore.trust_config_path,
    ).sign(model, sig)
    trust = ["--trust-config", private_sigstore.trust_config_path]
    run = run_cli(
        "verify",
        model,
        "--signature",
        sig,
        "--identity",
        ID,
        "--identity-provider",
        ISSUER,
        *trust,
        "--format",
        "json",
    )
    assert run.code == 0, run.out
    facts = run.json()
    assert facts["signer"]["identity"] == ID and facts["signer"]["issuer"] == ISSUER
    assert facts["transparency_log"] and facts["transparency_log"][0]["has_inclusion_proof"]
    run = run_cli(
        "verify",
        model,
        "--signature",
        sig,
        "--identity",
        "bob@example.com",
        "--identity-provider",
        ISSUER,
        *trust,
    )
    assert_one_line_failure(run, [1], "wrong identity", "bob@example.com")
    # the private instance's signature does not verify against Sigstore production
    run = run_cli(
        "verify", model, "--signature", sig, "--identity", ID, "--identity-provider", ISSUER
    )
    assert_one_line_failure(run, [1], "Sigstore verification failed")


def test_model_signing_blake2_files_to_aibom(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "ms.sig"
    ms_sign_key(
        model,
        sig,
        keypair.private_path,
        model_signing.hashing.Config().use_file_serialization(hashing_algorithm="blake2"),
    )
    assert bundle_payload(sig)["predicate"]["serialization"]["hash_type"] == "blake2b"
    run = run_cli("verify", model, "--signature", sig, "--public-key", keypair.public_path)
    assert run.code == 0, run.err
    (model / "weights.bin").write_bytes(b"changed")
    run = run_cli("verify", model, "--signature", sig, "--public-key", keypair.public_path)
    assert_one_line_failure(run, [1], "modified: weights.bin")


def test_model_signing_blake3_files_to_aibom(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "ms.sig"
    ms_sign_key(
        model,
        sig,
        keypair.private_path,
        model_signing.hashing.Config().use_file_serialization(hashing_algorithm="blake3"),
    )
    run = run_cli("verify", model, "--signature", sig, "--public-key", keypair.public_path)
    assert run.code == 0, run.err


@pytest.mark.parametrize("algorithm", ["sha256", "blake2"])
def test_model_signing_shards_to_aibom(algorithm, tmp_path, keypair):
    model = tricky_model(tmp_path / "model")
    sig = tmp_path / "ms.sig"
    ms_sign_key(
        model,
        sig,
        keypair.private_path,
        model_signing.hashing.Config().use_shard_serialization(
            hashing_algorithm=algorithm, shard_size=1000
        ),
    )
    run = run_cli(
        "verify", model, "--signature", sig, "--public-key", keypair.public_path, "--format", "json"
    )
    assert run.code == 0, run.out
    facts = run.json()
    assert facts["serialization"]["shard_size"] == 1000
    assert isinstance(facts["serialization"]["shard_size"], int)
    assert facts["checked"] == 13 + 3  # big.bin in 13 shards, three small files, empty none
    (model / "big.bin").write_bytes(b"x" * 12_345)
    run = run_cli("verify", model, "--signature", sig, "--public-key", keypair.public_path)
    assert_one_line_failure(run, [1], "modified: big.bin")


def test_model_signing_shard_size_is_a_float(tmp_path, keypair):
    """Why the test above matters: model_signing 1.1.1 writes `1000.0` (a protobuf Struct
    number), which a verifier must read as the integer 1000."""
    model = small_model(tmp_path / "model")
    sig = tmp_path / "ms.sig"
    ms_sign_key(
        model,
        sig,
        keypair.private_path,
        model_signing.hashing.Config().use_shard_serialization(shard_size=1000),
    )
    assert bundle_payload(sig)["predicate"]["serialization"]["shard_size"] == 1000.0
    assert b'"shard_size": 1000.0' in base64.b64decode(
        json.loads(sig.read_text())["dsseEnvelope"]["payload"]
    )


# -- aibom signs, model_signing verifies -------------------------------------------------


def test_aibom_cli_key_to_model_signing(tmp_path, keypair):
    model = tricky_model(tmp_path / "model")
    run = run_cli("sign", model, "--private-key", keypair.private_path)
    assert run.code == 0, run.err
    assert run.out.startswith(f"signed {model}: 5 resources, root sha256:")
    ms_key_verifier(keypair.public_path).verify(model, model / "model.sig")
    assert run_cli("verify", model, "--public-key", keypair.public_path).code == 0
    (model / "a-c").write_bytes(b"changed")
    with pytest.raises(ValueError, match="a-c"):
        ms_key_verifier(keypair.public_path).verify(model, model / "model.sig")


def test_aibom_api_p384_to_model_signing(tmp_path, keypair_p384):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "out" / "model.sig"
    sig.parent.mkdir()
    parsed = signing.sign_model(
        model, sig, signing.KeySigner(keypair_p384.private_path.read_bytes())
    )
    assert sig.read_bytes() == parsed.raw
    ms_key_verifier(keypair_p384.public_path).verify(model, sig)


def test_aibom_encrypted_key_to_model_signing(tmp_path):
    from . import pki

    key = pki.ec_key("P-256")
    private = tmp_path / "enc.pem"
    private.write_bytes(pki.private_pem(key, b"s3cret"))
    public = tmp_path / "enc.pub.pem"
    public.write_bytes(pki.public_pem(key))
    model = small_model(tmp_path / "model")
    run = run_cli("sign", model, "--private-key", private)
    assert_one_line_failure(run, [2], "encrypted")
    run = run_cli("sign", model, "--private-key", private, "--password", "wrong")
    assert_one_line_failure(run, [2], "password")
    assert run_cli("sign", model, "--private-key", private, "--password", "s3cret").code == 0
    ms_key_verifier(public).verify(model, model / "model.sig")


def test_aibom_cli_certificate_to_model_signing(tmp_path, chain):
    model = small_model(tmp_path / "model")
    run = run_cli(
        "sign",
        model,
        "--private-key",
        chain.leaf_key_path,
        "--signing-certificate",
        chain.leaf_path,
        "--certificate-chain",
        chain.intermediate_path,
    )
    assert run.code == 0, run.err
    model_signing.verifying.Config().use_certificate_verifier(
        certificate_chain=[chain.root_path]
    ).verify(model, model / "model.sig")
    run = run_cli("verify", model, "--certificate-chain", chain.root_path)
    assert run.code == 0, run.err


def test_aibom_certificate_of_another_key_is_refused(tmp_path, chain, keypair):
    model = small_model(tmp_path / "model")
    run = run_cli(
        "sign",
        model,
        "--private-key",
        keypair.private_path,
        "--signing-certificate",
        chain.leaf_path,
    )
    assert_one_line_failure(run, [2], "does not belong to the private key")
    assert not (model / "model.sig").exists()


def test_aibom_cli_keyless_to_model_signing(tmp_path, private_sigstore):
    model = small_model(tmp_path / "model")
    token = private_sigstore.identity_token(ID, ISSUER)
    trust = ["--trust-config", private_sigstore.trust_config_path]
    run = run_cli("sign", model, "--sigstore", *trust, "--identity-token", token)
    assert run.code == 0, run.err
    model_signing.verifying.Config().use_sigstore_verifier(
        identity=ID, oidc_issuer=ISSUER, trust_config=private_sigstore.trust_config_path
    ).verify(model, model / "model.sig")
    run = run_cli("verify", model, "--identity", ID, "--identity-provider", ISSUER, *trust)
    assert run.code == 0, run.err
    assert f"signed by {ID} ({ISSUER})" in run.out
    run = run_cli(
        "verify",
        model,
        "--identity",
        ID,
        "--identity-provider",
        "https://other.example.com",
        *trust,
    )
    assert_one_line_failure(run, [1], "wrong issuer", "https://other.example.com")


def test_aibom_api_keyless_to_model_signing(tmp_path, private_sigstore):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "keyless.sig"
    signer = signing.KeylessSigner(
        private_sigstore.identity_token(ID, ISSUER), private_sigstore.trust_config_path
    )
    parsed = signing.sign_model(model, sig, signer)
    assert parsed.signature.signer.method == "sigstore"
    assert parsed.signature.log_entries and parsed.signature.log_entries[0].has_inclusion_proof
    model_signing.verifying.Config().use_sigstore_verifier(
        identity=ID, oidc_issuer=ISSUER, trust_config=private_sigstore.trust_config_path
    ).verify(model, sig)


def test_aibom_keyless_rejects_bad_token(tmp_path, private_sigstore):
    model = small_model(tmp_path / "model")
    run = run_cli(
        "sign",
        model,
        "--sigstore",
        "--trust-config",
        private_sigstore.trust_config_path,
        "--identity-token",
        "not-a-jwt",
    )
    assert_one_line_failure(run, [1, 2], "identity token")
    assert not (model / "model.sig").exists()


@pytest.mark.parametrize("hash_type", ["sha256", "blake2b"])
def test_aibom_shards_to_model_signing(hash_type, tmp_path, keypair):
    model = tricky_model(tmp_path / "model")
    run = run_cli(
        "sign",
        model,
        "--private-key",
        keypair.private_path,
        "--shard-size",
        "1000",
        "--hash-type",
        hash_type,
    )
    assert run.code == 0, run.err
    payload = bundle_payload(model / "model.sig")
    ser = payload["predicate"]["serialization"]
    assert ser["method"] == "shards" and ser["shard_size"] == 1000
    names = [r["name"] for r in payload["predicate"]["resources"]]
    assert names == sorted(names)  # OMS: code-point order
    big = [n for n in names if n.startswith("big.bin:")]
    assert len(big) == 13 and "big.bin:12000:12345" in big
    assert not any(n.startswith("empty") for n in names)  # an empty file has no shard
    assert {r["algorithm"] for r in payload["predicate"]["resources"]} == {
        f"{hash_type}-sharded-1000"
    }
    ms_algorithm = "blake2" if hash_type == "blake2b" else "sha256"
    hashing = model_signing.hashing.Config().use_shard_serialization(
        hashing_algorithm=ms_algorithm, shard_size=1000
    )
    if hash_type == "sha256":
        ms_key_verifier(keypair.public_path).verify(model, model / "model.sig")
    # model_signing 1.1.1 cannot guess blake2 from its own bundles ("blake2b" is not one of
    # its names), so it is told the hashing configuration
    ms_key_verifier(keypair.public_path).set_hashing_config(hashing).verify(
        model, model / "model.sig"
    )
    assert run_cli("verify", model, "--public-key", keypair.public_path).code == 0
    data = bytearray((model / "big.bin").read_bytes())
    data[5500] ^= 1
    (model / "big.bin").write_bytes(bytes(data))
    run = run_cli("verify", model, "--public-key", keypair.public_path, "--format", "json")
    assert run.code == 1 and run.json()["modified"] == ["big.bin"]
    with pytest.raises(ValueError, match=r"big\.bin:5000:6000"):
        ms_key_verifier(keypair.public_path).set_hashing_config(hashing).verify(
            model, model / "model.sig"
        )


def test_aibom_blake2b_files_to_model_signing(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    parsed = signing.sign_model(
        model,
        model / "model.sig",
        signing.KeySigner(keypair.private_path.read_bytes()),
        hash_type="blake2b",
    )
    assert {len(r.digest) for r in parsed.signature.resources} == {128}
    ms_key_verifier(keypair.public_path).set_hashing_config(
        model_signing.hashing.Config().use_file_serialization(hashing_algorithm="blake2")
    ).verify(model, model / "model.sig")


def test_aibom_blake3_roundtrip(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    run = run_cli("sign", model, "--private-key", keypair.private_path, "--hash-type", "blake3")
    assert run.code == 0, run.err
    assert (
        bundle_payload(model / "model.sig")["predicate"]["serialization"]["hash_type"] == "blake3"
    )
    assert run_cli("verify", model, "--public-key", keypair.public_path).code == 0
    ms_key_verifier(keypair.public_path).verify(model, model / "model.sig")  # files: also ok
    (model / "config.json").write_bytes(b"{}")
    run = run_cli("verify", model, "--public-key", keypair.public_path)
    assert_one_line_failure(run, [1], "modified: config.json")


def test_aibom_blake3_shards_roundtrip(tmp_path, keypair):
    """aibom-only: model_signing treats blake3 shards as files."""
    model = small_model(tmp_path / "model")
    run = run_cli(
        "sign",
        model,
        "--private-key",
        keypair.private_path,
        "--hash-type",
        "blake3",
        "--shard-size",
        "1000",
    )
    assert run.code == 0, run.err
    assert run_cli("verify", model, "--public-key", keypair.public_path).code == 0
    (model / "weights.bin").write_bytes(b"short")
    run = run_cli("verify", model, "--public-key", keypair.public_path)
    assert_one_line_failure(run, [1], "weights.bin")


def test_same_manifest_as_model_signing(tmp_path, keypair):
    """For one model, aibom and model_signing list the same resources and serialization."""
    model = tricky_model(tmp_path / "model")
    for shard_size in (None, 1000):
        ms_sig = tmp_path / "ms.sig"
        hashing = (
            model_signing.hashing.Config().use_shard_serialization(shard_size=shard_size)
            if shard_size
            else model_signing.hashing.Config().use_file_serialization()
        )
        ms_sign_key(model, ms_sig, keypair.private_path, hashing)
        aibom_sig = tmp_path / "aibom.sig"
        signing.sign_model(
            model,
            aibom_sig,
            signing.KeySigner(keypair.private_path.read_bytes()),
            shard_size=shard_size,
        )
        ours, theirs = bundle_payload(aibom_sig), bundle_payload(ms_sig)
        key = lambda r: (r["name"], r["algorithm"], r["digest"])  # noqa: E731
        assert sorted(map(key, ours["predicate"]["resources"])) == sorted(
            map(key, theirs["predicate"]["resources"])
        )
        for field in ("method", "hash_type", "allow_symlinks"):
            assert (
                ours["predicate"]["serialization"][field]
                == theirs["predicate"]["serialization"][field]
            )
        assert ours["subject"][0]["name"] == theirs["subject"][0]["name"] == "model"


# -- ignore paths and evidence files -----------------------------------------------------


def test_signature_records_evidence_ignores(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    (model / ".git").mkdir()
    (model / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (model / "notes.md").write_text("skip me")
    run = run_cli(
        "sign",
        model,
        "--private-key",
        keypair.private_path,
        "--ignore-paths",
        model / "notes.md",
        "--format",
        "json",
    )
    assert run.code == 0, run.err
    ignores = bundle_payload(model / "model.sig")["predicate"]["serialization"]["ignore_paths"]
    assert ignores == sorted(ignores)
    assert {
        "model.sig",
        "lineage.sig",
        "notes.md",
        ".git",
        ".gitattributes",
        ".github",
        ".gitignore",
    } <= set(ignores)
    assert run.json()["serialization"]["ignore_paths"] == ignores
    names = {r["name"] for r in bundle_payload(model / "model.sig")["predicate"]["resources"]}
    assert names == {"weights.bin", "config.json", "empty.txt", "sub/tokenizer.json"}


@pytest.mark.parametrize("method", ["key", "certificate"])
def test_lineage_sig_added_after_signing(method, tmp_path, keypair, chain):
    model = small_model(tmp_path / "model")
    if method == "key":
        sign = ["--private-key", keypair.private_path]
        trust = ["--public-key", keypair.public_path]
        ms = ms_key_verifier(keypair.public_path)
    else:
        sign = [
            "--private-key",
            chain.leaf_key_path,
            "--signing-certificate",
            chain.leaf_path,
            "--certificate-chain",
            chain.intermediate_path,
        ]
        trust = ["--certificate-chain", chain.root_path]
        ms = model_signing.verifying.Config().use_certificate_verifier(
            certificate_chain=[chain.root_path]
        )
    assert run_cli("sign", model, *sign).code == 0
    (model / "lineage.sig").write_text('{"lineage": "attestation added later"}')
    assert run_cli("verify", model, *trust).code == 0
    ms.verify(model, model / "model.sig")
    # any other file added after signing still breaks both
    (model / "README.md").write_text("added")
    assert_one_line_failure(
        run_cli("verify", model, *trust), [1], "unsigned extra files: README.md"
    )
    with pytest.raises(ValueError, match=r"README\.md"):
        ms.verify(model, model / "model.sig")


def test_signature_written_elsewhere_still_records_evidence(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "detached.sig"
    assert (
        run_cli("sign", model, "--private-key", keypair.private_path, "--signature", sig).code == 0
    )
    ignores = bundle_payload(sig)["predicate"]["serialization"]["ignore_paths"]
    assert "model.sig" in ignores and "lineage.sig" in ignores
    (model / "model.sig").write_text("{}")  # a stale signature beside the model is not signed
    (model / "lineage.sig").write_text("{}")
    assert (
        run_cli("verify", model, "--signature", sig, "--public-key", keypair.public_path).code == 0
    )
    ms_key_verifier(keypair.public_path).verify(model, sig)
