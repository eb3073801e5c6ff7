"""Everything a verifier must refuse, each with a one-line reason naming the cause; and the
hashing engine checked against hashlib and model_signing."""

from __future__ import annotations

import base64
import builtins
import copy
import datetime as dt
import hashlib
import io
import json
import mmap
import os
import random
from pathlib import Path

import blake3
import model_signing
import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID

from aibom.errors import InputError
from aibom.oms import hashing
from aibom.oms import sign as signing
from aibom.oms.model import Serialization
from aibom.oms.tree import IgnoreSet, ModelTreeError, enumerate_model

from . import pki
from .helpers import (
    assert_one_line_failure,
    flip_byte,
    make_model,
    run_cli,
    small_model,
    statement,
)


@pytest.fixture
def signed(tmp_path, keypair) -> Path:
    model = small_model(tmp_path / "model")
    signing.sign_model(
        model, model / "model.sig", signing.KeySigner(keypair.private_path.read_bytes())
    )
    return model


def verify_key(model: Path, keypair: pki.KeyPair, *extra: object):
    return run_cli("verify", model, "--public-key", keypair.public_path, *extra)


# -- the model changed -------------------------------------------------------------------


def test_untouched_model_verifies(signed, keypair):
    run = verify_key(signed, keypair)
    assert run.code == 0 and run.err == ""
    assert run.out.startswith(f"verified {signed}: 4 resources match")


def test_tampered_byte(signed, keypair):
    flip_byte(signed / "weights.bin", 3075)
    assert_one_line_failure(verify_key(signed, keypair), [1], "modified: weights.bin")


def test_tampered_byte_in_subdirectory(signed, keypair):
    flip_byte(signed / "sub" / "tokenizer.json", 0)
    assert_one_line_failure(verify_key(signed, keypair), [1], "modified: sub/tokenizer.json")


def test_empty_file_gains_a_byte(signed, keypair):
    (signed / "empty.txt").write_bytes(b"\0")
    assert_one_line_failure(verify_key(signed, keypair), [1], "modified: empty.txt")


def test_extra_file(signed, keypair):
    (signed / "sub" / "backdoor.py").write_text("import os")
    line = assert_one_line_failure(
        verify_key(signed, keypair), [1], "unsigned extra files: sub/backdoor.py"
    )
    assert "modified" not in line and "missing" not in line
    assert verify_key(signed, keypair, "--ignore-unsigned-files").code == 0


def test_extra_empty_directory_is_not_a_file(signed, keypair):
    (signed / "newdir").mkdir()
    assert verify_key(signed, keypair).code == 0


def test_missing_file(signed, keypair):
    (signed / "config.json").unlink()
    assert_one_line_failure(verify_key(signed, keypair), [1], "missing: config.json")
    # --ignore-unsigned-files does not excuse a missing file
    assert_one_line_failure(
        verify_key(signed, keypair, "--ignore-unsigned-files"), [1], "missing: config.json"
    )


def test_renamed_file(signed, keypair):
    (signed / "config.json").rename(signed / "config.json.bak")
    assert_one_line_failure(
        verify_key(signed, keypair),
        [1],
        "missing: config.json",
        "unsigned extra files: config.json.bak",
    )


def test_several_problems_in_one_line(signed, keypair):
    flip_byte(signed / "weights.bin")
    (signed / "config.json").unlink()
    (signed / "extra.bin").write_bytes(b"x")
    run = verify_key(signed, keypair, "--format", "json")
    assert run.code == 1
    facts = run.json()
    assert (facts["modified"], facts["missing"], facts["extra"]) == (
        ["weights.bin"],
        ["config.json"],
        ["extra.bin"],
    )
    assert facts["reason"] == (
        "modified: weights.bin; missing: config.json; unsigned extra files: extra.bin"
    )


def test_signature_of_another_model(tmp_path, signed, keypair):
    other = make_model(tmp_path / "other", {"weights.bin": b"other weights", "vocab.txt": b"v"})
    run = run_cli(
        "verify",
        other,
        "--signature",
        signed / "model.sig",
        "--public-key",
        keypair.public_path,
        "--format",
        "json",
    )
    assert run.code == 1
    facts = run.json()
    assert facts["modified"] == ["weights.bin"]
    assert facts["missing"] == ["config.json", "empty.txt", "sub/tokenizer.json"]
    assert facts["extra"] == ["vocab.txt"]


# -- the signer is not the one trusted ---------------------------------------------------


def test_wrong_key(signed, other_keypair):
    assert_one_line_failure(
        verify_key(signed, other_keypair), [1], "another key (public key hint differs)"
    )


def test_wrong_key_with_forged_hint(signed, keypair, other_keypair):
    """The hint is not trusted: a bundle signed by another key but carrying the trusted
    key's hint fails on the signature itself."""
    bundle = json.loads((signed / "model.sig").read_text())
    payload = base64.b64decode(bundle["dsseEnvelope"]["payload"])
    forged = signing.sign_payload(
        payload, signing.KeySigner(other_keypair.private_path.read_bytes())
    )
    forged["verificationMaterial"]["publicKey"]["hint"] = bundle["verificationMaterial"][
        "publicKey"
    ]["hint"]
    (signed / "model.sig").write_text(json.dumps(forged))
    assert_one_line_failure(verify_key(signed, keypair), [1], "bad signature")


def test_payload_changed_after_signing(signed, keypair):
    """Edit the signed manifest to match a tampered file: the DSSE signature breaks."""
    flip_byte(signed / "weights.bin")
    bundle = json.loads((signed / "model.sig").read_text())
    st = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    for r in st["predicate"]["resources"]:
        if r["name"] == "weights.bin":
            r["digest"] = hashlib.sha256((signed / "weights.bin").read_bytes()).hexdigest()
    raw = b"".join(bytes.fromhex(r["digest"]) for r in st["predicate"]["resources"])
    st["subject"][0]["digest"]["sha256"] = hashlib.sha256(raw).hexdigest()
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
    (signed / "model.sig").write_text(json.dumps(bundle))
    assert_one_line_failure(verify_key(signed, keypair), [1], "bad signature")


def test_root_digest_mismatch(signed, keypair):
    bundle = json.loads((signed / "model.sig").read_text())
    st = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    st["subject"][0]["digest"]["sha256"] = "0" * 64
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(st).encode()).decode()
    (signed / "model.sig").write_text(json.dumps(bundle))
    assert_one_line_failure(
        verify_key(signed, keypair), [1], "root digest does not match the listed resources"
    )


def test_chain_to_another_root(tmp_path, chain, other_chain):
    model = small_model(tmp_path / "model")
    signing.sign_model(
        model,
        model / "model.sig",
        signing.CertificateSigner(
            chain.leaf_key_path.read_bytes(),
            chain.leaf_path.read_bytes(),
            (chain.intermediate_path.read_bytes(),),
        ),
    )
    assert run_cli("verify", model, "--certificate-chain", chain.root_path).code == 0
    run = run_cli("verify", model, "--certificate-chain", other_chain.root_path)
    assert_one_line_failure(run, [1], "does not lead to a trusted root")


def test_chain_missing_intermediate(tmp_path, chain):
    """Signed without the intermediate in the bundle: the root alone cannot reach the leaf."""
    model = small_model(tmp_path / "model")
    signing.sign_model(
        model,
        model / "model.sig",
        signing.CertificateSigner(chain.leaf_key_path.read_bytes(), chain.leaf_path.read_bytes()),
    )
    run = run_cli("verify", model, "--certificate-chain", chain.root_path)
    assert_one_line_failure(run, [1], "does not lead to a trusted root")
    # given the intermediate as well, the path is complete
    run = run_cli(
        "verify",
        model,
        "--certificate-chain",
        chain.root_path,
        "--certificate-chain",
        chain.intermediate_path,
    )
    assert run.code == 0, run.err


def test_wrong_signing_method_for_trust(signed, chain):
    run = run_cli("verify", signed, "--certificate-chain", chain.root_path)
    assert_one_line_failure(run, [1], "made with a key, not a certificate")


def test_rsa_public_key_is_refused(signed, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "rsa.pub.pem"
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    run = run_cli("verify", signed, "--public-key", path)
    assert_one_line_failure(run, [2], "not an elliptic-curve key")


def test_public_key_file_is_not_a_key(signed, tmp_path):
    path = tmp_path / "junk.pem"
    path.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    assert_one_line_failure(
        run_cli("verify", signed, "--public-key", path), [2], "not a valid PEM public key"
    )
    assert_one_line_failure(
        run_cli("verify", signed, "--public-key", tmp_path / "nope.pem"),
        [2],
        "cannot read public key",
        "nope.pem",
    )


@pytest.fixture(scope="module")
def keyless_model(tmp_path_factory, private_sigstore):
    model = small_model(tmp_path_factory.mktemp("keyless") / "model")
    token = private_sigstore.identity_token("alice@example.com", "https://issuer.example.com")
    signing.sign_model(
        model, model / "model.sig", signing.KeylessSigner(token, private_sigstore.trust_config_path)
    )
    return model


def keyless_args(
    private_sigstore, identity="alice@example.com", issuer="https://issuer.example.com"
) -> list[object]:
    return [
        "--identity",
        identity,
        "--identity-provider",
        issuer,
        "--trust-config",
        private_sigstore.trust_config_path,
    ]


def test_keyless_ok(keyless_model, private_sigstore):
    assert run_cli("verify", keyless_model, *keyless_args(private_sigstore)).code == 0


def test_keyless_wrong_identity(keyless_model, private_sigstore):
    run = run_cli(
        "verify", keyless_model, *keyless_args(private_sigstore, identity="eve@example.com")
    )
    assert_one_line_failure(run, [1], "wrong identity", "'alice@example.com'", "'eve@example.com'")


def test_keyless_wrong_issuer(keyless_model, private_sigstore):
    run = run_cli(
        "verify",
        keyless_model,
        *keyless_args(private_sigstore, issuer="https://accounts.google.com"),
    )
    assert_one_line_failure(
        run, [1], "wrong issuer", "'https://issuer.example.com'", "'https://accounts.google.com'"
    )


def test_keyless_needs_keyless_trust(keyless_model, keypair, chain):
    assert_one_line_failure(
        verify_key(keyless_model, keypair), [1], "keyless (Sigstore)", "--identity"
    )
    run = run_cli("verify", keyless_model, "--certificate-chain", chain.root_path)
    assert_one_line_failure(run, [1], "keyless (Sigstore)")


def test_keyless_without_tlog_entry(keyless_model, private_sigstore, tmp_path):
    bundle = json.loads((keyless_model / "model.sig").read_text())
    bundle["verificationMaterial"]["tlogEntries"] = []
    sig = tmp_path / "no-tlog.sig"
    sig.write_text(json.dumps(bundle))
    run = run_cli("verify", keyless_model, "--signature", sig, *keyless_args(private_sigstore))
    assert_one_line_failure(run, [2], "must carry a tlog entry")


def test_keyless_tampered_model(keyless_model, private_sigstore, tmp_path):
    import shutil

    copy_dir = tmp_path / "model"
    shutil.copytree(keyless_model, copy_dir)
    flip_byte(copy_dir / "config.json")
    run = run_cli("verify", copy_dir, *keyless_args(private_sigstore))
    assert_one_line_failure(run, [1], "modified: config.json")


def test_keyless_bad_trust_config(keyless_model, tmp_path):
    bad = tmp_path / "trust.json"
    bad.write_text('{"not": "a trust config"}')
    run = run_cli(
        "verify",
        keyless_model,
        "--identity",
        "alice@example.com",
        "--identity-provider",
        "https://issuer.example.com",
        "--trust-config",
        bad,
    )
    assert_one_line_failure(run, [2], "not a Sigstore ClientTrustConfig")


# -- malformed bundles -------------------------------------------------------------------


def _good_bundle(signed: Path) -> dict:
    return json.loads((signed / "model.sig").read_text())


def _mutate(signed: Path, how: str) -> None:
    sig = signed / "model.sig"
    raw = sig.read_bytes()
    doc = _good_bundle(signed)
    if how == "not-json":
        sig.write_bytes(b"this is not a bundle\n")
        return
    if how == "truncated":
        sig.write_bytes(raw[: len(raw) // 2])
        return
    if how == "empty":
        sig.write_bytes(b"")
        return
    if how == "json-array":
        sig.write_text("[]")
        return
    if how == "media-type":
        doc["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=9.9"
    elif how == "two-signatures":
        doc["dsseEnvelope"]["signatures"].append(
            copy.deepcopy(doc["dsseEnvelope"]["signatures"][0])
        )
    elif how == "payload-type":
        doc["dsseEnvelope"]["payloadType"] = "application/json"
    elif how == "payload-not-base64":
        doc["dsseEnvelope"]["payload"] = "%%% not base64 %%%"
    elif how == "duplicate-key":
        sig.write_bytes(raw.replace(b'"mediaType"', b'"mediaType": "x", "mediaType"', 1))
        return
    else:  # pragma: no cover
        raise AssertionError(how)
    sig.write_text(json.dumps(doc))


MALFORMED = {
    "not-json": "not valid JSON",
    "truncated": "not valid JSON",
    "empty": "not valid JSON",
    "json-array": "not a Sigstore bundle",
    "media-type": "unsupported bundle mediaType",
    "two-signatures": "expected exactly one DSSE signature, found 2",
    "payload-type": "payloadType",
    "payload-not-base64": "not valid base64",
    "duplicate-key": "duplicate key 'mediaType'",
}


@pytest.mark.parametrize("how", sorted(MALFORMED))
def test_malformed_bundle(how, signed, keypair):
    _mutate(signed, how)
    line = assert_one_line_failure(verify_key(signed, keypair), [2], MALFORMED[how])
    assert str(signed / "model.sig") in line


def test_missing_signature_file(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    assert_one_line_failure(verify_key(model, keypair), [2], "cannot read signature", "model.sig")


def test_oversized_bundle(signed, keypair):
    from aibom.oms.bundle import MAX_BUNDLE_BYTES

    with open(signed / "model.sig", "r+b") as handle:
        handle.truncate(MAX_BUNDLE_BYTES + 1)
    assert_one_line_failure(verify_key(signed, keypair), [2], "larger than")


# -- resource names that point outside the model -----------------------------------------


class OpenSpy:
    """Records every path opened through os.open / open / io.open while active."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self._patch = pytest.MonkeyPatch()

    def __enter__(self) -> OpenSpy:
        real_os_open, real_open = os.open, builtins.open

        def os_open(path, *args, **kwargs):
            self._note(path)
            return real_os_open(path, *args, **kwargs)

        def any_open(file, *args, **kwargs):
            if not isinstance(file, int):
                self._note(file)
            return real_open(file, *args, **kwargs)

        self._patch.setattr(os, "open", os_open)
        self._patch.setattr(builtins, "open", any_open)
        self._patch.setattr(io, "open", any_open)
        return self

    def __exit__(self, *exc_info) -> None:
        self._patch.undo()

    def _note(self, path) -> None:
        try:
            self.paths.append(os.path.realpath(os.fspath(path)))
        except (TypeError, ValueError):
            self.paths.append(repr(path))

    def opened(self, target: Path) -> bool:
        return os.path.realpath(target) in self.paths


TRAVERSAL = {
    "../secret": "not a canonical relative path",
    "/etc/passwd": "is absolute",
    "a/../../secret": "not a canonical relative path",
    "sub/../../secret": "not a canonical relative path",
    "secret\x00": "contains NUL",
    "..\\secret": "contains a backslash",
    "./weights.bin": "not a canonical relative path",
}


@pytest.mark.parametrize("name", sorted(TRAVERSAL), ids=repr)
@pytest.mark.parametrize("method", ["files", "shards"])
def test_traversal_resource_name(name, method, tmp_path, keypair):
    secret = tmp_path / "secret"
    secret.write_bytes(b"the secret next to the model")
    model = make_model(tmp_path / "model", {"weights.bin": b"w"})
    (model / "a").mkdir()
    target = Path("/etc/passwd") if name.startswith("/") else secret
    data = target.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if method == "files":
        resources = [{"name": name, "algorithm": "sha256", "digest": digest}]
        ser = {"method": "files", "hash_type": "sha256", "allow_symlinks": True}
    else:
        resources = [{"name": f"{name}:0:{len(data)}", "algorithm": "sha256", "digest": digest}]
        ser = {
            "method": "shards",
            "hash_type": "sha256",
            "allow_symlinks": True,
            "shard_size": 1 << 20,
        }
    payload = json.dumps(statement(resources, serialization=ser)).encode()
    bundle = signing.sign_payload(payload, signing.KeySigner(keypair.private_path.read_bytes()))
    (model / "model.sig").write_text(json.dumps(bundle))

    with OpenSpy() as spy:
        run = verify_key(model, keypair, "--allow-symlinks", "--ignore-unsigned-files")
    assert_one_line_failure(run, [1, 2], "resource name", TRAVERSAL[name])
    assert not spy.opened(secret)
    assert not spy.opened(Path("/etc/passwd"))
    assert spy.opened(model / "model.sig")  # the spy does see what is read


def test_duplicate_resource_name(tmp_path, keypair):
    model = make_model(tmp_path / "model", {"w": b"w"})
    digest = hashlib.sha256(b"w").hexdigest()
    resources = [{"name": "w", "algorithm": "sha256", "digest": digest}] * 2
    bundle = signing.sign_payload(
        json.dumps(statement(resources)).encode(),
        signing.KeySigner(keypair.private_path.read_bytes()),
    )
    (model / "model.sig").write_text(json.dumps(bundle))
    assert_one_line_failure(verify_key(model, keypair), [2], "listed twice")


# -- symbolic links ----------------------------------------------------------------------


def test_symlink_escape(signed, keypair, tmp_path):
    secret = tmp_path / "secret"
    secret.write_bytes(b"outside the model")
    (signed / "link").symlink_to(os.path.relpath(secret, signed))
    with OpenSpy() as spy:
        plain = verify_key(signed, keypair)
        allowed = verify_key(signed, keypair, "--allow-symlinks")
        unsigned_ok = verify_key(signed, keypair, "--allow-symlinks", "--ignore-unsigned-files")
    assert_one_line_failure(plain, [1], "link is a symbolic link", "does not allow symlinks")
    assert_one_line_failure(allowed, [1], "link is a symbolic link that escapes the model")
    assert_one_line_failure(unsigned_ok, [1], "escapes the model")
    assert not spy.opened(secret)


def test_symlink_escape_absolute_target(signed, keypair, tmp_path):
    (signed / "passwd").symlink_to("/etc/passwd")
    assert_one_line_failure(
        verify_key(signed, keypair, "--allow-symlinks"),
        [1],
        "passwd is a symbolic link that escapes the model",
    )


def test_symlinked_directory_escape(signed, keypair, tmp_path):
    outside = make_model(tmp_path / "outside", {"secret.bin": b"s"})
    (signed / "sub" / "more").symlink_to(outside, target_is_directory=True)
    assert_one_line_failure(
        verify_key(signed, keypair, "--allow-symlinks"),
        [1],
        "sub/more is a symbolic link that escapes the model",
    )


def test_symlink_retargeted_outside_after_signing(tmp_path, keypair):
    """Signed with allow_symlinks and a link inside the model; then the link is pointed at a
    file outside with the same content. Still refused."""
    model = make_model(tmp_path / "model", {"weights.bin": b"weights"})
    (model / "alias.bin").symlink_to("weights.bin")
    run = run_cli("sign", model, "--private-key", keypair.private_path, "--allow-symlinks")
    assert run.code == 0, run.err
    assert verify_key(model, keypair).code == 0  # the signature allows symlinks
    secret = tmp_path / "copy.bin"
    secret.write_bytes(b"weights")
    (model / "alias.bin").unlink()
    (model / "alias.bin").symlink_to(secret)
    with OpenSpy() as spy:
        run = verify_key(model, keypair)
    assert_one_line_failure(run, [1], "alias.bin is a symbolic link that escapes the model")
    assert not spy.opened(secret)


def test_sign_refuses_symlink_escape(tmp_path, keypair):
    model = make_model(tmp_path / "model", {"weights.bin": b"w"})
    (tmp_path / "secret").write_bytes(b"s")
    (model / "link").symlink_to("../secret")
    for extra in ([], ["--allow-symlinks"]):
        run = run_cli("sign", model, "--private-key", keypair.private_path, *extra)
        assert_one_line_failure(run, [2], "link is a symbolic link")
        assert not (model / "model.sig").exists()


def test_symlink_loop_to_model_root(signed, keypair):
    (signed / "sub" / "loop").symlink_to("..", target_is_directory=True)
    assert_one_line_failure(
        verify_key(signed, keypair, "--allow-symlinks"), [1], "symlink loop at sub/loop"
    )


def test_symlink_cycle_between_links(signed, keypair):
    (signed / "a").symlink_to("b")
    (signed / "b").symlink_to("a")
    assert_one_line_failure(
        verify_key(signed, keypair, "--allow-symlinks"),
        [1],
        "a is a broken or looping symbolic link",
    )


def test_dangling_symlink(signed, keypair):
    (signed / "gone").symlink_to("does-not-exist")
    assert_one_line_failure(
        verify_key(signed, keypair, "--allow-symlinks"),
        [1],
        "gone is a broken or looping symbolic link",
    )


def test_fifo_in_model(signed, keypair):
    os.mkfifo(signed / "pipe")
    assert_one_line_failure(
        verify_key(signed, keypair), [1], "pipe is not a regular file or directory"
    )


# -- certificate chains that must not be trusted -----------------------------------------

NOW = pki.now()


@pytest.mark.parametrize(
    ("knobs", "reason"),
    [
        ({"leaf_eku": (ExtendedKeyUsageOID.SERVER_AUTH,)}, "extendedKeyUsage lacks codeSigning"),
        ({"leaf_digital_signature": False}, "keyUsage lacks digitalSignature"),
        ({"intermediate_ca": False}, "is not a CA (basicConstraints CA:TRUE missing)"),
        ({"intermediate_key_cert_sign": False}, "may not sign certificates"),
        (
            {
                "intermediate_not_before": NOW - 3 * 365 * pki.DAY,
                "intermediate_not_after": NOW - 2 * 365 * pki.DAY,
            },
            "issuing certificate expired before",
        ),
        (
            {
                "intermediate_not_before": NOW + 365 * pki.DAY,
                "intermediate_not_after": NOW + 2 * 365 * pki.DAY,
            },
            "issuing certificate is not yet valid",
        ),
    ],
    ids=[
        "wrong-eku",
        "no-digital-signature",
        "intermediate-not-ca",
        "intermediate-no-keycertsign",
        "expired-intermediate",
        "future-intermediate",
    ],
)
def test_bad_certificate_chain(knobs, reason, tmp_path):
    bad = pki.make_chain(tmp_path / "pki", name="bad", **knobs)
    model = small_model(tmp_path / "model")
    run = run_cli(
        "sign",
        model,
        "--private-key",
        bad.leaf_key_path,
        "--signing-certificate",
        bad.leaf_path,
        "--certificate-chain",
        bad.intermediate_path,
    )
    assert run.code == 0, run.err  # signing does not judge the chain; verifying does
    run = run_cli("verify", model, "--certificate-chain", bad.root_path)
    assert_one_line_failure(run, [1], reason)


def test_expired_leaf_valid_at_signing_time_is_accepted(tmp_path):
    """As in model_signing, the chain is checked at the leaf's notBefore (signing time):
    a short-lived leaf that has since expired still verifies, with both verifiers."""
    old = pki.make_chain(
        tmp_path / "pki",
        name="old",
        leaf_not_before=NOW - 30 * pki.DAY,
        leaf_not_after=NOW - 29 * pki.DAY,
    )
    model = small_model(tmp_path / "model")
    assert (
        run_cli(
            "sign",
            model,
            "--private-key",
            old.leaf_key_path,
            "--signing-certificate",
            old.leaf_path,
            "--certificate-chain",
            old.intermediate_path,
        ).code
        == 0
    )
    assert run_cli("verify", model, "--certificate-chain", old.root_path).code == 0
    model_signing.verifying.Config().use_certificate_verifier(
        certificate_chain=[old.root_path]
    ).verify(model, model / "model.sig")


def test_leaf_outside_intermediate_validity(tmp_path):
    """A leaf issued before its intermediate existed."""
    bad = pki.make_chain(
        tmp_path / "pki",
        name="early",
        intermediate_not_before=NOW - 10 * pki.DAY,
        leaf_not_before=NOW - 20 * pki.DAY,
    )
    model = small_model(tmp_path / "model")
    assert (
        run_cli(
            "sign",
            model,
            "--private-key",
            bad.leaf_key_path,
            "--signing-certificate",
            bad.leaf_path,
            "--certificate-chain",
            bad.intermediate_path,
        ).code
        == 0
    )
    assert_one_line_failure(
        run_cli("verify", model, "--certificate-chain", bad.root_path),
        [1],
        "issuing certificate is not yet valid",
    )


def test_p384_chain_roundtrip(tmp_path):
    good = pki.make_chain(tmp_path / "pki", name="p384", curve="P-384")
    model = small_model(tmp_path / "model")
    assert (
        run_cli(
            "sign",
            model,
            "--private-key",
            good.leaf_key_path,
            "--signing-certificate",
            good.leaf_path,
            "--certificate-chain",
            good.intermediate_path,
        ).code
        == 0
    )
    assert run_cli("verify", model, "--certificate-chain", good.root_path).code == 0


# -- the hashing engine ------------------------------------------------------------------

G = mmap.ALLOCATIONGRANULARITY
HASHERS = {
    "sha256": hashlib.sha256,
    "blake2b": hashlib.blake2b,
    "blake3": lambda: blake3.blake3(),
}


def reference(path: Path, start: int, end: int, hash_type: str) -> str:
    h = HASHERS[hash_type]()
    with open(path, "rb") as handle:
        handle.seek(start)
        h.update(handle.read(end - start))
    return h.hexdigest()


def files_of(model: Path):
    return enumerate_model(model, allow_symlinks=False, ignore=IgnoreSet(model))


def expected_shards(model: Path, shard_size: int, hash_type: str) -> dict[str, str]:
    out = {}
    for path in sorted(p for p in model.rglob("*") if p.is_file()):
        name = path.relative_to(model).as_posix()
        size = path.stat().st_size
        for start in range(0, size, shard_size):
            end = min(start + shard_size, size)
            out[f"{name}:{start}:{end}"] = reference(path, start, end, hash_type)
    return out


def sized_model(root: Path, sizes: dict[str, int]) -> Path:
    rng = random.Random(1234)
    return make_model(root, {name: rng.randbytes(size) for name, size in sizes.items()})


@pytest.mark.parametrize("hash_type", sorted(HASHERS))
def test_hash_files_equal_hashlib(hash_type, tmp_path):
    model = sized_model(
        tmp_path / "m", {"zero": 0, "one": 1, "page": G, "odd": 3 * G + 17, "d/nested": 1000}
    )
    files = files_of(model)
    ser = Serialization("files", hash_type)
    got = hashing.hash_jobs(hashing.plan_jobs(files, ser), hash_type)
    assert got == {f.name: reference(Path(f.path), 0, f.size, hash_type) for f in files}
    assert set(got) == {"zero", "one", "page", "odd", "d/nested"}


@pytest.mark.parametrize("hash_type", sorted(HASHERS))
@pytest.mark.parametrize("workers", [1, 4])
def test_hash_shards_through_mmap_windows(hash_type, workers, tmp_path, monkeypatch):
    """Small thresholds put every range through the mmap path: shard starts that are not
    multiples of the mmap granularity, windows that are not either, files of exactly one
    shard, one byte past it, and empty files."""
    monkeypatch.setattr(hashing, "_SMALL", 100)
    monkeypatch.setattr(hashing, "_WINDOW", 3 * G + 5)
    shard = 2 * G + 777
    model = sized_model(
        tmp_path / "m",
        {
            "empty": 0,
            "tiny": 7,
            "exact": shard,
            "exact+1": shard + 1,
            "twice": 2 * shard,
            "long": 7 * G + 123,
            "granule": G,
        },
    )
    files = files_of(model)
    ser = Serialization("shards", hash_type, shard_size=shard)
    jobs = hashing.plan_jobs(files, ser)
    got = hashing.hash_jobs(jobs, hash_type, workers=workers)
    assert got == expected_shards(model, shard, hash_type)
    assert f"exact:0:{shard}" in got and f"exact+1:{shard}:{shard + 1}" in got
    assert not any(n.startswith("empty:") for n in got)


def test_hash_real_window_and_unaligned_shards(tmp_path):
    """Real thresholds: a file larger than one 16 MiB window, and 1.5 MB shards."""
    big = hashing._WINDOW + 3 * G + 11
    model = sized_model(tmp_path / "m", {"big.bin": big})
    files = files_of(model)
    got = hashing.hash_jobs(hashing.plan_jobs(files, Serialization("files", "sha256")), "sha256")
    assert got == {"big.bin": reference(model / "big.bin", 0, big, "sha256")}
    shard = 1_500_007
    ser = Serialization("shards", "sha256", shard_size=shard)
    got = hashing.hash_jobs(hashing.plan_jobs(files, ser), "sha256")
    assert got == expected_shards(model, shard, "sha256")


def test_hash_detects_file_shrinking(tmp_path):
    model = sized_model(tmp_path / "m", {"w": 5000})
    files = files_of(model)
    (model / "w").write_bytes(b"short")
    with pytest.raises(ModelTreeError, match="w changed while it was being hashed"):
        hashing.hash_jobs(hashing.plan_jobs(files, Serialization("files", "sha256")), "sha256")


def test_hash_unknown_type():
    with pytest.raises(InputError, match="unsupported hash type 'md5'"):
        hashing.hash_jobs([], "md5")


@pytest.mark.parametrize("size", ["0", "-5"])
def test_shards_need_positive_size(size, tmp_path, keypair):
    model = sized_model(tmp_path / "m", {"w": 10})
    with pytest.raises(InputError, match="positive shard_size"):
        hashing.plan_jobs(files_of(model), Serialization("shards", "sha256", shard_size=int(size)))
    run = run_cli("sign", model, "--private-key", keypair.private_path, "--shard-size", size)
    assert_one_line_failure(run, [2], "--shard-size must be a positive number of bytes")
    assert not (model / "model.sig").exists()


def ms_manifest(model: Path, shard_size: int | None = None, algorithm: str = "sha256"):
    config = model_signing.hashing.Config()
    if shard_size:
        config = config.use_shard_serialization(hashing_algorithm=algorithm, shard_size=shard_size)
    else:
        config = config.use_file_serialization(hashing_algorithm=algorithm)
    return [
        (rd.identifier, rd.digest.digest_hex) for rd in config.hash(model).resource_descriptors()
    ]


def aibom_manifest(model: Path, shard_size: int | None = None, hash_type: str = "sha256"):
    ser = Serialization("shards" if shard_size else "files", hash_type, shard_size=shard_size)
    return hashing.manifest_resources(files_of(model), ser)


def root_of(digests) -> str:
    return hashing.root_digest(digests)


def test_root_digest_equals_model_signing(tmp_path):
    model = sized_model(
        tmp_path / "model",
        {
            "config.json": 300,
            "weights.bin": 3 * G + 5,
            "empty": 0,
            "tokenizer/vocab.txt": 2000,
            "tokenizer/merges.txt": 999,
            "z": 1,
        },
    )
    ours = aibom_manifest(model)
    theirs = ms_manifest(model)
    assert [(r.name, r.digest) for r in ours] == theirs
    assert root_of(r.digest for r in ours) == root_of(d for _, d in theirs)


@pytest.mark.parametrize("shard_size", [1000, G + 1, 3 * G + 5])
def test_shard_digests_equal_model_signing(shard_size, tmp_path):
    model = sized_model(
        tmp_path / "model",
        {
            "config.json": 300,
            "weights.bin": 3 * G + 5,
            "empty": 0,
            "exact": shard_size,
            "tokenizer/vocab.txt": 2000,
        },
    )
    ours = aibom_manifest(model, shard_size)
    theirs = ms_manifest(model, shard_size)
    assert sorted((r.name, r.digest) for r in ours) == sorted(theirs)
    assert [r.name for r in ours] == sorted(n for n, _ in theirs)  # code-point order (OMS)


def test_blake2b_digests_equal_model_signing(tmp_path):
    model = sized_model(tmp_path / "model", {"a": 100, "b/c": 5000, "e": 0})
    ours = aibom_manifest(model, None, "blake2b")
    assert [(r.name, r.digest) for r in ours] == ms_manifest(model, None, "blake2")
    assert {r.algorithm for r in ours} == {"blake2b"}


def test_blake3_digests_equal_model_signing(tmp_path):
    model = sized_model(tmp_path / "model", {"a": 100, "b/c": 70_000, "e": 0})
    ours = aibom_manifest(model, None, "blake3")
    assert [(r.name, r.digest) for r in ours] == ms_manifest(model, None, "blake3")


def test_resource_order_is_code_point_order(tmp_path):
    """OMS v1.0 sorts resources by name in code-point order; model_signing sorts by path
    components and shards by numeric offset. Same resources, so the same digests, but for
    these names the order - and so the root digest - differs from model_signing's."""
    model = sized_model(tmp_path / "model", {"a/b": 10, "a-c": 10, "a.txt": 10, "big": 12_000})
    ours = aibom_manifest(model, 1000)
    theirs = ms_manifest(model, 1000)
    names = [r.name for r in ours]
    assert names == sorted(names)
    assert sorted((r.name, r.digest) for r in ours) == sorted(theirs)
    assert [n for n, _ in theirs][:3] == ["a/b:0:10", "a-c:0:10", "a.txt:0:10"]
    assert names[:3] == ["a-c:0:10", "a.txt:0:10", "a/b:0:10"]
    spec_order = [d for _, d in sorted(theirs)]
    assert root_of(r.digest for r in ours) == root_of(spec_order)


def test_single_file_model(tmp_path, keypair):
    path = tmp_path / "weights.bin"
    path.write_bytes(b"single file model")
    files = enumerate_model(path, allow_symlinks=False, ignore=IgnoreSet(path))
    assert [(f.name, f.size) for f in files] == [(".", 17)]
    assert ms_manifest(path) == [(".", hashlib.sha256(b"single file model").hexdigest())]
    run = run_cli("sign", path, "--private-key", keypair.private_path)
    assert run.code == 0, run.err
    assert (tmp_path / "weights.bin.sig").is_file()
    assert run_cli("verify", path, "--public-key", keypair.public_path).code == 0
    model_signing.verifying.Config().use_elliptic_key_verifier(
        public_key=keypair.public_path
    ).verify(path, tmp_path / "weights.bin.sig")
    path.write_bytes(b"single file modeL")
    assert_one_line_failure(
        run_cli("verify", path, "--public-key", keypair.public_path), [1], "weights.bin"
    )


def test_sign_empty_model_is_refused(tmp_path, keypair):
    model = tmp_path / "empty"
    model.mkdir()
    assert_one_line_failure(
        run_cli("sign", model, "--private-key", keypair.private_path), [2], "has no files to sign"
    )


def test_pki_knobs(tmp_path):
    """pki sanity: the knobs really produce what the tests above rely on."""
    from cryptography import x509

    chain = pki.make_chain(
        tmp_path,
        name="sanity",
        intermediate_ca=False,
        leaf_digital_signature=False,
        leaf_eku=(ExtendedKeyUsageOID.SERVER_AUTH,),
    )
    bc = chain.intermediate.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert bc.ca is False
    ku = chain.leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature is False
    eku = chain.leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    assert chain.leaf.not_valid_before_utc <= dt.datetime.now(dt.UTC)
    chain.leaf.verify_directly_issued_by(chain.intermediate)
    chain.intermediate.verify_directly_issued_by(chain.root)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sanity-intermediate.pem",
        "sanity-leaf-key.pem",
        "sanity-leaf-key.pub.pem",
        "sanity-leaf.pem",
        "sanity-root.pem",
    ]
