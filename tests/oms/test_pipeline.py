"""Hashing overlaps signature verification, and nothing it computes is trusted on its own."""

from __future__ import annotations

import base64
import json
import threading
from pathlib import Path
from typing import TypeVar

import pytest
from support import pki
from support.models import flip_byte, make_model, sha256_hex, statement

from aibom.cli._early import start_verification
from aibom.oms import hashing, pipeline, verify
from aibom.oms.sign import KeySigner, sign_model

T = TypeVar("T")


def _signed(tmp_path: Path, keypair: pki.KeyPair) -> tuple[Path, Path]:
    model = make_model(tmp_path / "model", {f"f{i}.bin": bytes([i]) * 100 for i in range(20)})
    signature = tmp_path / "model.sig"
    sign_model(model, signature, KeySigner(keypair.private_path.read_bytes()))
    return model, signature


def _instances(monkeypatch: pytest.MonkeyPatch, cls: type[T]) -> list[T]:
    """Every instance of `cls` made from now on, in order."""
    made: list[T] = []
    real_init = cls.__init__

    def spy_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(self)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__init__", spy_init)
    return made


def _trust(keypair: pki.KeyPair) -> verify.KeyTrust:
    return verify.KeyTrust(keypair.public_path.read_bytes())


def _bundle(payload: bytes, key: object) -> bytes:
    from aibom.oms import dsse
    from aibom.oms.keys import public_key_hint

    sig = dsse.sign(key, payload)  # type: ignore[arg-type]
    document = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "publicKey": {"hint": public_key_hint(key.public_key())},  # type: ignore[attr-defined]
            "tlogEntries": [],
        },
        "dsseEnvelope": {
            "payload": base64.b64encode(payload).decode(),
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": base64.b64encode(sig).decode()}],
        },
    }
    return json.dumps(document).encode()


def test_bad_signature_wins_over_digests(
    tmp_path: Path, keypair: pki.KeyPair, other_keypair: pki.KeyPair,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The model is also tampered: the verdict names the signature, never the digests; the
    hashing is cancelled and has ended when the verdict is returned."""
    model, signature = _signed(tmp_path, keypair)
    flip_byte(model / "f3.bin")
    works = _instances(monkeypatch, pipeline.ModelWork)
    result = verify.check_signed_model(model, signature, _trust(other_keypair))
    assert not result.ok
    assert result.modified == () and "another key" in result.reason()
    assert len(works) == 1 and works[0].progress.cancelled
    assert not any(t.name == "aibom-verify" and t.is_alive() for t in threading.enumerate())


def test_digests_are_taken_only_after_the_signature_verified(
    tmp_path: Path, keypair: pki.KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, signature = _signed(tmp_path, keypair)
    events: list[str] = []
    real_verify, real_result = verify.verify_signature, pipeline.ModelWork.result

    def spy_verify(*args, **kwargs):  # type: ignore[no-untyped-def]
        real_verify(*args, **kwargs)
        events.append("signature verified")

    def spy_result(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        events.append("digests taken")
        return real_result(self, *args, **kwargs)

    monkeypatch.setattr(verify, "verify_signature", spy_verify)
    monkeypatch.setattr(pipeline.ModelWork, "result", spy_result)
    assert verify.check_signed_model(model, signature, _trust(keypair)).ok
    assert events == ["signature verified", "digests taken"]


def test_untrusted_bundle_cannot_make_unbounded_work(
    tmp_path: Path, keypair: pki.KeyPair, other_keypair: pki.KeyPair,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A bundle asking for one-byte shards of a 4 MiB file (4 million ranges, listing one) is
    not planned before its signature verifies; here it does not verify, so never."""
    model = make_model(tmp_path / "model", {"big.bin": b"\0" * (4 << 20)})
    resources = [{"name": "big.bin:0:1", "algorithm": "sha256", "digest": sha256_hex(b"\0")}]
    ser = {"method": "shards", "hash_type": "sha256", "allow_symlinks": False, "shard_size": 1}
    payload = json.dumps(statement(resources, serialization=ser)).encode()
    signature = tmp_path / "model.sig"
    signature.write_bytes(_bundle(payload, other_keypair.key))
    planned: list[int] = []
    admitted: list[int] = []
    reached_gate = threading.Event()
    real_admit, real_verify = pipeline.ModelWork._admit, verify.verify_signature

    def spy_admit(self, jobs):  # type: ignore[no-untyped-def]
        admitted.append(jobs)
        reached_gate.set()
        real_admit(self, jobs)

    def late_verify(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert reached_gate.wait(30)  # the thread got as far as it may before the verdict
        real_verify(*args, **kwargs)

    monkeypatch.setattr(pipeline.ModelWork, "_admit", spy_admit)
    monkeypatch.setattr(verify, "verify_signature", late_verify)
    monkeypatch.setattr(hashing, "plan_jobs", lambda *a: planned.append(1) or [])
    monkeypatch.setattr(verify, "plan_jobs", lambda *a: planned.append(1) or [])
    result = verify.check_signed_model(model, signature, _trust(keypair))
    assert not result.ok and "another key" in result.reason()
    assert admitted == [4 << 20] and planned == []


def test_progress_counts_every_file_and_byte(tmp_path: Path, keypair: pki.KeyPair) -> None:
    model, signature = _signed(tmp_path, keypair)
    seen: list[tuple[int, int]] = []
    request = pipeline.VerifyRequest.of(model, signature)
    work = pipeline.ModelWork(request)
    work.parsed()
    work.trust()
    assert work.result(lambda p: seen.append((p.files, p.bytes))).ok
    assert (work.progress.files, work.progress.bytes) == (20, 2000)
    assert (work.progress.total_files, work.progress.total_bytes) == (20, 2000)


def test_early_start_is_used_for_the_same_request_only(
    tmp_path: Path, keypair: pki.KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, signature = _signed(tmp_path, keypair)
    started = _instances(monkeypatch, pipeline.ModelWork)
    argv = ["verify", str(model), "--signature", str(signature), "--no-cache",
            "--public-key", str(keypair.public_path)]
    start_verification(argv)
    assert len(started) == 1
    assert verify.check_signed_model(model, signature, _trust(keypair)).ok
    assert len(started) == 1  # the early work was taken

    start_verification([*argv, "--ignore-unsigned-files"])  # not what is then asked for
    assert verify.check_signed_model(model, signature, _trust(keypair)).ok
    assert len(started) == 3  # the early work was dropped, a new one made
    assert started[1].progress.cancelled


@pytest.mark.parametrize(
    "argv",
    [
        ["sign", "m"],
        ["verify"],
        ["verify", "m", "--help"],
        ["verify", "m", "n"],
        ["verify", "m", "--unknown"],
        ["verify", "m", "--signature"],
        ["verify", "m", "-s", "x"],
    ],
)
def test_early_start_leaves_other_command_lines_alone(argv: list[str]) -> None:
    start_verification(argv)
    assert pipeline.take(pipeline.VerifyRequest("m", "m.sig")) is None


def test_early_signing_is_used_for_the_same_request_only(
    tmp_path: Path, keypair: pki.KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aibom.cli._early import start_signing

    model = make_model(tmp_path / "model", {f"f{i}.bin": bytes([i]) * 100 for i in range(5)})
    out = tmp_path / "model.sig"
    started = _instances(monkeypatch, pipeline.SignWork)
    argv = ["sign", str(model), "--signature", str(out), "--private-key",
            str(keypair.private_path)]
    start_signing(argv)
    signer = KeySigner(keypair.private_path.read_bytes())
    first = sign_model(model, out, signer)
    assert len(started) == 1  # the early work was taken
    start_signing([*argv, "--hash-type", "blake2b"])  # not what is then asked for
    second = sign_model(model, out, signer)
    assert len(started) == 3 and started[1].progress.cancelled
    assert first.signature.root_digest == second.signature.root_digest
    assert verify.check_signed_model(model, out, _trust(keypair)).ok


def test_a_key_that_cannot_be_loaded_stops_the_hashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key is loaded while the model hashes; when it fails, the hashing is cancelled."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from aibom.errors import InputError

    encrypted = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    model = make_model(tmp_path / "model", {f"f{i}.bin": bytes([i]) * 100 for i in range(5)})
    started = _instances(monkeypatch, pipeline.SignWork)
    with pytest.raises(InputError, match="encrypted"):
        sign_model(model, tmp_path / "model.sig", KeySigner(encrypted))
    assert len(started) == 1 and started[0].progress.cancelled
    assert not (tmp_path / "model.sig").exists()


def test_early_start_knows_model_signings_method_words() -> None:
    from aibom.cli import _early, oms_options

    assert _early.SIGN_METHODS == oms_options.SIGN_METHODS
    assert _early.VERIFY_METHODS == oms_options.VERIFY_METHODS


def test_early_start_in_model_signings_form(
    tmp_path: Path, keypair: pki.KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`verify key MODEL --signature S --public_key K`, as model_signing spells it, starts
    early and is taken by the command; its default signature is model.sig where it runs."""
    from support.cli import run_cli

    model, signature = _signed(tmp_path, keypair)
    started = _instances(monkeypatch, pipeline.ModelWork)
    argv = ["verify", "key", str(model), "--signature", str(signature), "--public_key",
            str(keypair.public_path)]
    start_verification(argv)
    assert len(started) == 1 and started[0].request.signature == str(signature)
    assert run_cli(*argv).code == 0
    assert len(started) == 1 and not started[0].progress.cancelled  # taken, not redone

    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.sig").write_bytes(signature.read_bytes())
    start_verification(["verify", "key", str(model), "--public_key", str(keypair.public_path)])
    assert started[-1].request.signature == str(tmp_path / "model.sig")
    assert run_cli("verify", "key", str(model), "--public_key", keypair.public_path).code == 0
    assert len(started) == 2


def test_early_signing_in_model_signings_form(
    tmp_path: Path, keypair: pki.KeyPair, monkeypatch: pytest.MonkeyPatch
) -> None:
    from support.cli import run_cli

    from aibom.cli._early import start_signing

    model = make_model(tmp_path / "model", {f"f{i}.bin": bytes([i]) * 100 for i in range(5)})
    started = _instances(monkeypatch, pipeline.SignWork)
    monkeypatch.chdir(tmp_path)
    argv = ["sign", "key", str(model), "--private_key", str(keypair.private_path)]
    start_signing(argv)
    assert len(started) == 1 and started[0].request.signature == str(tmp_path / "model.sig")
    assert run_cli(*argv).code == 0
    assert len(started) == 1 and not started[0].progress.cancelled
    assert verify.check_signed_model(model, tmp_path / "model.sig", _trust(keypair)).ok
