"""Real signatures: model_signing's released test data, and the OMS v1.0 spec test vectors."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import pytest
from support.cli import assert_one_line_failure, run_cli
from support.models import copy_writable, flip_byte
from support.vectors import MT_VECTORS, SIGSTORE_IDENTITY, SIGSTORE_ISSUER, SINGLE_FILE_VECTORS

from aibom.errors import AibomError, InputError, VerificationError
from aibom.oms import verify as verifying
from aibom.oms.bundle import read_bundle
from aibom.oms.model import PREDICATE_LEGACY, PREDICATE_V1

# -- model_signing vectors ---------------------------------------------------------------


def trust_args(name: str, keys: Path) -> list[str]:
    if name.endswith("-elliptic-key"):
        return ["--public-key", str(keys / "signing-key-pub.pem")]
    if name.endswith("-certificate"):
        return ["--certificate-chain", str(keys / "ca-cert.pem")]
    assert name.endswith("-sigstore"), name
    # no --trust-config: the production trusted root embedded in sigstore, offline
    return ["--identity", SIGSTORE_IDENTITY, "--identity-provider", SIGSTORE_ISSUER]


def verify_args(name: str, directory: Path, keys: Path) -> list[str]:
    """`aibom verify` arguments exactly as the vectors' README prescribes."""
    model = directory / "signme-1" if name in SINGLE_FILE_VECTORS else directory
    args = ["verify", str(model), "--signature", str(directory / "model.sig")]
    args += trust_args(name, keys)
    if (directory / "ignore-me").exists():
        args += ["--ignore-paths", str(directory / "ignore-me")]
    return args


def test_vector_list_is_complete(mt_vectors):
    on_disk = sorted(p.name for p in mt_vectors.iterdir() if p.is_dir() and p.name != "keys")
    assert on_disk == sorted(MT_VECTORS)


@pytest.mark.parametrize("name", MT_VECTORS)
def test_mt_vector_verifies(name, mt_vectors, mt_keys):
    run = run_cli(*verify_args(name, mt_vectors / name, mt_keys), "--format", "json")
    assert run.code == 0, run.err or run.out
    assert run.err == ""
    facts = run.json()
    assert facts["verified"] is True
    assert facts["reason"] is None
    assert facts["modified"] == facts["missing"] == facts["extra"] == []
    expected_files = 1 if name in SINGLE_FILE_VECTORS else 2
    assert facts["checked"] == expected_files
    method = {"elliptic-key": "key", "certificate": "certificate", "sigstore": "sigstore"}
    assert facts["signer"]["method"] == method[name.split("-", 1)[1]]
    legacy = name.startswith("v0.2.0")
    assert facts["predicate_type"] == (PREDICATE_LEGACY if legacy else PREDICATE_V1)


@pytest.mark.parametrize("name", MT_VECTORS)
def test_mt_vector_text_output(name, mt_vectors, mt_keys):
    run = run_cli(*verify_args(name, mt_vectors / name, mt_keys))
    assert run.code == 0, run.err
    assert run.out.startswith("verified ")
    if name.endswith("-sigstore"):
        assert f"signed by {SIGSTORE_IDENTITY} ({SIGSTORE_ISSUER})" in run.out


def test_mt_vector_without_ignore_path_fails(mt_vectors, mt_keys, tmp_path):
    """`ignore-me` is not signed: without --ignore-paths it is an unsigned extra file."""
    name = "v1.0.1-elliptic-key"
    args = verify_args(name, mt_vectors / name, mt_keys)
    cut = args.index("--ignore-paths")
    run = run_cli(*args[:cut])
    assert_one_line_failure(run, [1], "unsigned extra files: ignore-me")


@pytest.fixture
def vector_copy(request, mt_vectors, tmp_path) -> tuple[str, Path]:
    name = request.param
    return name, copy_writable(mt_vectors / name, tmp_path / name)


@pytest.mark.parametrize("vector_copy", MT_VECTORS, indirect=True)
def test_mt_vector_copy_detects_tampering(vector_copy, mt_keys):
    name, directory = vector_copy
    args = verify_args(name, directory, mt_keys)
    assert run_cli(*args).code == 0  # the copy itself still verifies

    original = (directory / "signme-1").read_bytes()
    flip_byte(directory / "signme-1", len(original) // 2)
    run = run_cli(*args, "--format", "json")
    assert run.code == 1
    facts = run.json()
    assert facts["verified"] is False
    if name in SINGLE_FILE_VECTORS:
        assert facts["modified"] == ["signme-1"]  # the manifest says "."; users see the name
        line = assert_one_line_failure(run_cli(*args), [1], "signme-1", "modified")
        assert line.startswith(f"FAILED {directory / 'signme-1'}: ")
    else:
        assert facts["modified"] == ["signme-1"]
        assert facts["missing"] == facts["extra"] == []
        assert_one_line_failure(run_cli(*args), [1], "modified: signme-1")
    (directory / "signme-1").write_bytes(original)
    assert run_cli(*args).code == 0


@pytest.mark.parametrize(
    "vector_copy", [v for v in MT_VECTORS if v not in SINGLE_FILE_VECTORS], indirect=True
)
def test_mt_vector_copy_detects_added_and_removed_files(vector_copy, mt_keys):
    name, directory = vector_copy
    args = verify_args(name, directory, mt_keys)

    (directory / "added.bin").write_bytes(b"not signed")
    run = run_cli(*args, "--format", "json")
    assert run.code == 1
    assert run.json()["extra"] == ["added.bin"]
    assert_one_line_failure(run_cli(*args), [1], "unsigned extra files: added.bin")
    (directory / "added.bin").unlink()

    (directory / "signme-2").unlink()
    run = run_cli(*args, "--format", "json")
    assert run.code == 1
    assert run.json()["missing"] == ["signme-2"]
    assert_one_line_failure(run_cli(*args), [1], "missing: signme-2")


@pytest.mark.parametrize("vector_copy", SINGLE_FILE_VECTORS, indirect=True)
def test_mt_single_file_vector_removed(vector_copy, mt_keys):
    name, directory = vector_copy
    args = verify_args(name, directory, mt_keys)
    (directory / "signme-1").unlink()
    assert_one_line_failure(run_cli(*args), [1, 2], "signme-1")


def test_mt_single_file_vector_as_directory_fails(mt_vectors, mt_keys):
    """The single-file signature does not cover the directory around the file."""
    name = "v1.0.0-elliptic-key"
    directory = mt_vectors / name
    run = run_cli(
        "verify", directory, "--signature", directory / "model.sig", *trust_args(name, mt_keys)
    )
    assert_one_line_failure(run, [1], "signme-1")


def test_mt_sigstore_vector_wrong_identity_and_issuer(mt_vectors):
    directory = mt_vectors / "v1.1.0-sigstore"
    common = ["verify", directory, "--ignore-paths", directory / "ignore-me"]
    run = run_cli(
        *common, "--identity", "mallory@example.com", "--identity-provider", SIGSTORE_ISSUER
    )
    assert_one_line_failure(run, [1], "wrong identity", "mallory@example.com", SIGSTORE_IDENTITY)
    run = run_cli(
        *common,
        "--identity",
        SIGSTORE_IDENTITY,
        "--identity-provider",
        "https://accounts.google.com",
    )
    assert_one_line_failure(run, [1], "wrong issuer", "https://accounts.google.com")


def test_mt_certificate_vector_rejects_key_trust(mt_vectors, mt_keys):
    directory = mt_vectors / "v1.1.0-certificate"
    run = run_cli(
        "verify",
        directory,
        "--ignore-paths",
        directory / "ignore-me",
        "--public-key",
        mt_keys / "signing-key-pub.pem",
    )
    assert_one_line_failure(run, [1], "certificate, not a bare key")


def test_mt_key_vector_rejects_certificate_trust(mt_vectors, mt_keys):
    directory = mt_vectors / "v1.1.0-elliptic-key"
    run = run_cli(
        "verify",
        directory,
        "--ignore-paths",
        directory / "ignore-me",
        "--certificate-chain",
        mt_keys / "ca-cert.pem",
    )
    assert_one_line_failure(run, [1], "key, not a certificate")


# -- OMS v1.0 spec vectors ---------------------------------------------------------------

INVALID_KEYWORDS = {
    "invalid/empty.bundle.json": "not valid JSON",
    "invalid/missing-envelope.bundle.json": "'dsseEnvelope' is a required property",
    "invalid/missing-tlog-entries.bundle.json": "must carry a tlog entry",
    "invalid/missing-verification-material.bundle.json": (
        "'verificationMaterial' is a required property"
    ),
    "invalid-payload/wrong-predicate.bundle.json": "unsupported predicateType",
}
VALID = ("certificate", "key", "sigstore")


def test_oms_vector_list_is_complete(oms_vectors):
    found = {str(p.relative_to(oms_vectors)) for p in oms_vectors.rglob("*.json") if p.is_file()}
    expected = set(INVALID_KEYWORDS) | {f"valid/{n}.bundle.json" for n in VALID}
    assert found == expected


@pytest.mark.parametrize("method", VALID)
def test_oms_valid_vector_accepted(method, oms_vectors, mt_keys):
    path = oms_vectors / "valid" / f"{method}.bundle.json"
    parsed = read_bundle(path)
    sig = parsed.signature
    assert sig.signer.method == method
    assert sig.predicate_type == PREDICATE_V1
    assert [r.name for r in sig.resources] == ["signme-1", "signme-2"]
    assert sig.serialization.method == "files"
    assert sig.serialization.hash_type == "sha256"
    # the root digest is SHA-256 over the raw resource digests, in order
    raw = b"".join(bytes.fromhex(r.digest) for r in sig.resources)
    assert sig.root_digest == hashlib.sha256(raw).hexdigest()
    assert sig.bundle_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    # and the envelope is really signed by the model_signing test keys
    if method == "key":
        trust = verifying.KeyTrust((mt_keys / "signing-key-pub.pem").read_bytes())
    elif method == "certificate":
        trust = verifying.CertificateTrust(((mt_keys / "ca-cert.pem").read_bytes(),))
    else:
        trust = verifying.KeylessTrust(SIGSTORE_IDENTITY, SIGSTORE_ISSUER)
    verifying.verify_signature(parsed, trust)


def test_oms_valid_vector_tampered_payload_is_rejected(oms_vectors, mt_keys, tmp_path):
    """Swapping one digest (and fixing the root so parsing passes) breaks the signature."""
    document = json.loads((oms_vectors / "valid" / "key.bundle.json").read_text())
    payload = json.loads(base64.b64decode(document["dsseEnvelope"]["payload"]))
    resources = payload["predicate"]["resources"]
    resources[0]["digest"] = "0" * 64
    raw = b"".join(bytes.fromhex(r["digest"]) for r in resources)
    payload["subject"][0]["digest"]["sha256"] = hashlib.sha256(raw).hexdigest()
    document["dsseEnvelope"]["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(document))
    parsed = read_bundle(path)
    with pytest.raises(AibomError, match="bad signature") as info:
        verifying.verify_signature(
            parsed, verifying.KeyTrust((mt_keys / "signing-key-pub.pem").read_bytes())
        )
    assert info.value.exit_code == 1


@pytest.mark.parametrize("relative", sorted(INVALID_KEYWORDS))
def test_oms_invalid_vector_rejected(relative, oms_vectors):
    """invalid/: a malformed bundle, the caller's input error (exit 2). invalid-payload/: a
    well-formed, signed bundle that is not an OMS statement: a failed verification (exit 1),
    as the spec and model_signing treat it."""
    path = oms_vectors / relative
    expected = VerificationError if relative.startswith("invalid-payload/") else InputError
    with pytest.raises(AibomError) as info:
        read_bundle(path)
    assert type(info.value) is expected
    message = info.value.one_line()
    assert INVALID_KEYWORDS[relative] in message
    assert str(path) in message  # names the file it could not read
    assert "\n" not in str(info.value)
