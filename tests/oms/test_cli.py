"""The `aibom sign` / `aibom verify` command line: JSON facts, flag spellings, usage errors,
exit codes (0 ok, 1 verification failed, 2 bad input or usage)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from support.cli import assert_one_line_failure, run_cli, run_subprocess
from support.models import bundle_payload, flip_byte, small_model
from support.vectors import MT_VECTORS, SIGSTORE_IDENTITY, SIGSTORE_ISSUER

from aibom.oms import sign as signing

PRODUCTION_REKOR_LOG_ID = "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"


def pem_hint(public_pem_path: Path) -> str:
    key = serialization.load_pem_public_key(public_pem_path.read_bytes())
    pem = key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(pem).hexdigest()


# -- --format json -----------------------------------------------------------------------


def test_json_key_verified(signed, keypair):
    run = run_cli("verify", signed, "--public-key", keypair.public_path, "--format", "json")
    assert run.code == 0 and run.err == ""
    facts = run.json()
    assert facts["verified"] is True
    assert facts["reason"] is None
    assert facts["modified"] == facts["missing"] == facts["extra"] == []
    assert facts["checked"] == 4
    assert facts["model"] == str(signed)
    assert facts["signature"] == str(signed / "model.sig")
    assert facts["signer"] == {"method": "key", "public_key_hint": pem_hint(keypair.public_path)}
    assert facts["transparency_log"] == []
    payload = bundle_payload(signed / "model.sig")
    assert facts["root_digest"] == payload["subject"][0]["digest"]["sha256"]
    digests = b"".join(bytes.fromhex(r["digest"]) for r in payload["predicate"]["resources"])
    assert facts["root_digest"] == hashlib.sha256(digests).hexdigest()
    assert facts["bundle_sha256"] == hashlib.sha256((signed / "model.sig").read_bytes()).hexdigest()
    assert facts["model_name"] == "model"
    assert facts["resources"] == 4
    assert facts["serialization"]["method"] == "files"


def test_json_failure(signed, keypair):
    flip_byte(signed / "config.json")
    (signed / "weights.bin").unlink()
    (signed / "new.txt").write_text("new")
    run = run_cli("verify", signed, "--public-key", keypair.public_path, "--format", "json")
    assert run.code == 1
    assert len(run.err.splitlines()) <= 1 and "Traceback" not in run.err
    facts = run.json()
    assert facts["verified"] is False
    assert facts["modified"] == ["config.json"]
    assert facts["missing"] == ["weights.bin"]
    assert facts["extra"] == ["new.txt"]
    assert facts["reason"] == (
        "modified: config.json; missing: weights.bin; unsigned extra files: new.txt"
    )


def test_json_signature_failure_reason(signed, other_keypair):
    run = run_cli("verify", signed, "--public-key", other_keypair.public_path, "--format", "json")
    assert run.code == 1
    facts = run.json()
    assert facts["verified"] is False
    assert "another key" in facts["reason"]
    assert facts["checked"] == 0  # the model is not looked at before the signature holds


def test_json_certificate_facts(tmp_path, chain):
    model = small_model(tmp_path / "model")
    assert (
        run_cli(
            "sign",
            model,
            "--private-key",
            chain.leaf_key_path,
            "--signing-certificate",
            chain.leaf_path,
            "--certificate-chain",
            chain.intermediate_path,
        ).code
        == 0
    )
    run = run_cli("verify", model, "--certificate-chain", chain.root_path, "--format", "json")
    assert run.code == 0, run.out
    signer = run.json()["signer"]
    leaf_der = chain.leaf.public_bytes(serialization.Encoding.DER)
    inter_der = chain.intermediate.public_bytes(serialization.Encoding.DER)
    assert signer["method"] == "certificate"
    assert signer["certificate_fingerprint"] == hashlib.sha256(leaf_der).hexdigest()
    assert signer["chain_fingerprints"] == [
        hashlib.sha256(leaf_der).hexdigest(),
        hashlib.sha256(inter_der).hexdigest(),
    ]
    assert signer["identity"] == "signer@example.com"
    spki = chain.leaf_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert signer["public_key_fingerprint"] == hashlib.sha256(spki).hexdigest()
    assert signer["not_before"] == chain.leaf.not_valid_before_utc.isoformat()
    assert signer["not_after"] == chain.leaf.not_valid_after_utc.isoformat()


SIGSTORE_VECTORS = [v for v in MT_VECTORS if v.endswith("-sigstore")]


@pytest.mark.parametrize("name", SIGSTORE_VECTORS)
def test_json_production_sigstore_facts(name, mt_vectors):
    directory = mt_vectors / name
    args = [
        "verify",
        directory,
        "--identity",
        SIGSTORE_IDENTITY,
        "--identity-provider",
        SIGSTORE_ISSUER,
        "--format",
        "json",
    ]
    if (directory / "ignore-me").exists():
        args += ["--ignore-paths", directory / "ignore-me"]
    run = run_cli(*args)
    assert run.code == 0, run.out
    facts = run.json()
    bundle = json.loads((directory / "model.sig").read_text())
    cert_der = base64.b64decode(bundle["verificationMaterial"]["certificate"]["rawBytes"])
    signer = facts["signer"]
    assert signer["method"] == "sigstore"
    assert signer["identity"] == SIGSTORE_IDENTITY
    assert signer["issuer"] == SIGSTORE_ISSUER
    assert signer["certificate_fingerprint"] == hashlib.sha256(cert_der).hexdigest()
    cert = x509.load_der_x509_certificate(cert_der)
    assert signer["not_before"] == cert.not_valid_before_utc.isoformat()

    (entry,) = bundle["verificationMaterial"]["tlogEntries"]
    (logged,) = facts["transparency_log"]
    index = int(entry["logIndex"])
    assert logged["log_index"] == index
    assert logged["log_id"] == base64.b64decode(entry["logId"]["keyId"]).hex()
    assert logged["log_id"] == PRODUCTION_REKOR_LOG_ID
    assert logged["integrated_time"] == int(entry["integratedTime"])
    assert int(entry["integratedTime"]) > 1_700_000_000
    body = base64.b64decode(entry["canonicalizedBody"])
    assert logged["entry_uuid"] == hashlib.sha256(b"\x00" + body).hexdigest()
    assert logged["search_url"] == f"https://search.sigstore.dev/?logIndex={index}"
    assert logged["kind"] == entry["kindVersion"]["kind"]
    assert logged["has_inclusion_proof"] is True


def test_json_sign_output(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    run = run_cli("sign", model, "--private-key", keypair.private_path, "--format", "json")
    assert run.code == 0, run.err
    facts = run.json()
    assert facts["signature"] == str(model / "model.sig")
    assert facts["signer"]["public_key_hint"] == pem_hint(keypair.public_path)
    assert (
        facts["root_digest"]
        == bundle_payload(model / "model.sig")["subject"][0]["digest"]["sha256"]
    )
    assert facts["resources"] == 4


# -- flag spellings ----------------------------------------------------------------------


def test_underscore_public_key_and_ignore_unsigned(signed, keypair):
    (signed / "extra.bin").write_bytes(b"x")
    assert_one_line_failure(
        run_cli("verify", signed, "--public_key", keypair.public_path),
        [1],
        "unsigned extra files: extra.bin",
    )
    run = run_cli("verify", signed, "--public_key", keypair.public_path, "--ignore_unsigned_files")
    assert run.code == 0, run.err
    run = run_cli("verify", signed, "--public-key", keypair.public_path, "--ignore-unsigned-files")
    assert run.code == 0, run.err


def test_underscore_ignore_paths(signed, keypair):
    (signed / "notes.txt").write_text("later")
    run = run_cli(
        "verify",
        signed,
        "--public_key",
        keypair.public_path,
        "--ignore_paths",
        signed / "notes.txt",
    )
    assert run.code == 0, run.err


def test_underscore_allow_symlinks(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    (model / "alias.json").symlink_to("config.json")
    # signing refuses the link unless allowed, in either spelling
    assert_one_line_failure(
        run_cli("sign", model, "--private_key", keypair.private_path),
        [2],
        "alias.json is a symbolic link",
    )
    run = run_cli("sign", model, "--private_key", keypair.private_path, "--allow_symlinks")
    assert run.code == 0, run.err
    assert bundle_payload(model / "model.sig")["predicate"]["serialization"]["allow_symlinks"]
    assert run_cli("verify", model, "--public_key", keypair.public_path).code == 0

    # a signature without symlinks, verified with --allow_symlinks: the link is then an
    # unsigned extra file
    (model / "alias.json").unlink()
    assert run_cli("sign", model, "--private_key", keypair.private_path).code == 0
    (model / "alias.json").symlink_to("config.json")
    assert_one_line_failure(
        run_cli("verify", model, "--public_key", keypair.public_path),
        [1],
        "alias.json is a symbolic link",
    )
    assert_one_line_failure(
        run_cli("verify", model, "--public_key", keypair.public_path, "--allow_symlinks"),
        [1],
        "unsigned extra files: alias.json",
    )
    run = run_cli(
        "verify",
        model,
        "--public_key",
        keypair.public_path,
        "--allow_symlinks",
        "--ignore_unsigned_files",
    )
    assert run.code == 0, run.err


def test_underscore_certificate_chain(tmp_path, chain):
    model = small_model(tmp_path / "model")
    run = run_cli(
        "sign",
        model,
        "--private_key",
        chain.leaf_key_path,
        "--signing_certificate",
        chain.leaf_path,
        "--certificate_chain",
        chain.intermediate_path,
    )
    assert run.code == 0, run.err
    assert run_cli("verify", model, "--certificate_chain", chain.root_path).code == 0


def test_underscore_keyless_flags(tmp_path, private_sigstore):
    model = small_model(tmp_path / "model")
    identity, issuer = "carol@example.com", "https://issuer.example.org"
    run = run_cli(
        "sign",
        model,
        "--sigstore",
        "--trust_config",
        private_sigstore.trust_config_path,
        "--identity_token",
        private_sigstore.identity_token(identity, issuer),
    )
    assert run.code == 0, run.err
    run = run_cli(
        "verify",
        model,
        "--identity",
        identity,
        "--identity_provider",
        issuer,
        "--trust_config",
        private_sigstore.trust_config_path,
        "--format",
        "json",
    )
    assert run.code == 0, run.out
    facts = run.json()
    assert facts["signer"]["identity"] == identity
    assert facts["signer"]["issuer"] == issuer
    (entry,) = facts["transparency_log"]
    assert entry["log_index"] >= 0 and entry["has_inclusion_proof"] is True
    assert entry["search_url"].endswith(f"logIndex={entry['log_index']}")


def test_underscore_hash_type_and_shard_size(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    run = run_cli(
        "sign",
        model,
        "--private_key",
        keypair.private_path,
        "--hash_type",
        "blake2b",
        "--shard_size",
        "1024",
    )
    assert run.code == 0, run.err
    ser = bundle_payload(model / "model.sig")["predicate"]["serialization"]
    assert (ser["method"], ser["hash_type"], ser["shard_size"]) == ("shards", "blake2b", 1024)
    assert run_cli("verify", model, "--public_key", keypair.public_path).code == 0


# -- usage errors ------------------------------------------------------------------------


def test_no_trust_option(signed):
    assert_one_line_failure(run_cli("verify", signed), [2], "choose exactly one of")


@pytest.mark.parametrize("which", ["key+chain", "key+identity", "chain+identity"])
def test_two_trust_options(which, signed, keypair, chain):
    options = {
        "key": ["--public-key", keypair.public_path],
        "chain": ["--certificate-chain", chain.root_path],
        "identity": ["--identity", "a@example.com", "--identity-provider", "https://i.example"],
    }
    args = [a for part in which.split("+") for a in options[part]]
    assert_one_line_failure(run_cli("verify", signed, *args), [2], "choose exactly one of")


@pytest.mark.parametrize("flag", ["--identity", "--identity-provider"])
def test_keyless_half_given(flag, signed):
    assert_one_line_failure(
        run_cli("verify", signed, flag, "x"), [2], "needs both --identity and --identity-provider"
    )


def test_sign_usage_errors(signed, keypair, chain, monkeypatch):
    monkeypatch.delenv("SIGSTORE_ID_TOKEN", raising=False)
    # no method flag means Sigstore, as in model_signing; no token, browser or terminal here
    assert_one_line_failure(run_cli("sign", signed), [2], "needs an identity token")
    assert_one_line_failure(run_cli("sign", signed, "--sigstore"), [2], "--identity-token")
    assert_one_line_failure(
        run_cli("sign", signed, "--sigstore", "--private-key", keypair.private_path),
        [2],
        "exclude each other",
    )
    assert_one_line_failure(
        run_cli(
            "sign",
            signed,
            "--private-key",
            keypair.private_path,
            "--certificate-chain",
            chain.root_path,
        ),
        [2],
        "--certificate-chain needs --signing-certificate",
    )
    assert_one_line_failure(
        run_cli("sign", signed, "--private-key", keypair.private_path, "--hash-type", "md5"),
        [2],
        "md5",
    )


def test_unknown_option_and_bad_format(signed, keypair):
    assert_one_line_failure(
        run_cli("verify", signed, "--publickey", keypair.public_path), [2], "--publickey"
    )
    assert_one_line_failure(
        run_cli("verify", signed, "--public-key", keypair.public_path, "--format", "xml"),
        [2],
        "xml",
    )


def test_private_key_is_not_a_key(tmp_path):
    model = small_model(tmp_path / "model")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    assert_one_line_failure(
        run_cli("sign", model, "--private-key", junk), [2], "not a valid PEM private key"
    )
    assert_one_line_failure(
        run_cli("sign", model, "--private-key", tmp_path / "missing.pem"),
        [2],
        "cannot read private key",
    )


def test_model_does_not_exist(tmp_path, signed, keypair):
    missing = tmp_path / "nope"
    run = run_cli(
        "verify", missing, "--signature", signed / "model.sig", "--public-key", keypair.public_path
    )
    assert_one_line_failure(run, [1, 2], "cannot read model", str(missing))
    run = run_cli("verify", missing, "--public-key", keypair.public_path)  # the model, not nope.sig
    line = assert_one_line_failure(run, [2], "cannot read model", str(missing), "does not exist")
    assert "signature" not in line
    run = run_cli("sign", missing, "--private-key", keypair.private_path)
    assert_one_line_failure(run, [2], "cannot read model", str(missing))


def test_default_signature_paths(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    assert run_cli("sign", model, "--private-key", keypair.private_path).code == 0
    assert (model / "model.sig").is_file()
    single = model / "weights.bin"
    assert run_cli("sign", single, "--private-key", keypair.private_path).code == 0
    assert (model / "weights.bin.sig").is_file()
    assert run_cli("verify", single, "--public-key", keypair.public_path).code == 0
    # the single-file signature beside the file is now an unsigned extra file of the model
    assert_one_line_failure(
        run_cli("verify", model, "--public-key", keypair.public_path),
        [1],
        "unsigned extra files: weights.bin.sig",
    )


def test_sign_overwrites_atomically(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    assert run_cli("sign", model, "--private-key", keypair.private_path).code == 0
    first = (model / "model.sig").read_bytes()
    (model / "config.json").write_text("{}")
    assert run_cli("sign", model, "--private-key", keypair.private_path).code == 0
    assert (model / "model.sig").read_bytes() != first
    assert sorted(p.name for p in model.iterdir() if p.name.startswith(".")) == []
    assert run_cli("verify", model, "--public-key", keypair.public_path).code == 0


def test_api_sign_model_returns_parsed_bundle(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    parsed = signing.sign_model(
        model, model / "model.sig", signing.KeySigner(keypair.private_path.read_bytes())
    )
    assert parsed.signature.signer.public_key_hint == pem_hint(keypair.public_path)
    assert [r.name for r in parsed.signature.resources] == [
        "config.json",
        "empty.txt",
        "sub/tokenizer.json",
        "weights.bin",
    ]


# -- a real process: exit codes and stderr -----------------------------------------------


def test_subprocess_exit_codes(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    run = run_subprocess("sign", model, "--private-key", keypair.private_path)
    assert run.code == 0, run.err
    run = run_subprocess("verify", model, "--public_key", keypair.public_path)
    assert run.code == 0, run.err
    assert run.out.startswith(f"verified {model}: 4 resources match")
    flip_byte(model / "weights.bin")
    run = run_subprocess("verify", model, "--public-key", keypair.public_path)
    assert_one_line_failure(run, [1], "modified: weights.bin")
    run = run_subprocess("verify", model)
    assert_one_line_failure(run, [2], "choose exactly one of")
    (model / "model.sig").write_text("{")
    run = run_subprocess("verify", model, "--public-key", keypair.public_path)
    assert_one_line_failure(run, [2], "not valid JSON")
