"""`aibom adopt`: pin, verify the upstream signature, scan for dangerous pickles, and only
then re-sign as the organisation, keeping the upstream signature and recording it all."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import jsonschema
import pytest

from aibom.lineage.adopt import adopt
from aibom.lineage.attest import content_root_digest, describe, read_lineage
from aibom.oms.bundle import read_bundle
from aibom.oms.sign import sign_model
from aibom.oms.verify import CertificateTrust, KeyTrust, check_signed_model, verify_signature

from .conftest import REPO, VENDOR_IDENTITY, VENDOR_ISSUER, one_line_error

SCHEMA = json.loads((REPO / "schemas" / "lineage.schema.json").read_text())
SOURCE = "https://huggingface.co/community/tiny-chat"
SYSTEM_MODULE = os.system.__module__  # "posix" on Linux: what pickle.dumps(os.system) names


class Exploit:
    """Unpickling this runs a shell command. It is only ever pickled here, never loaded."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


EXPLOIT = pickle.dumps(Exploit())  # made before any test patches os.system
# protocol 0, written by hand: GLOBAL 'os system', the argument tuple, REDUCE
OS_SYSTEM_PROTOCOL_0 = b"cos\nsystem\n(S'echo pwned'\ntR."


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def unsigned_upstream(good_chain, tmp_path) -> Path:
    out = tmp_path / "tiny-chat"
    shutil.copytree(good_chain / "models/tiny-chat", out, ignore=shutil.ignore_patterns("*.sig"))
    return out


@pytest.fixture
def upstream(unsigned_upstream, good_chain) -> Path:
    """The community's fine-tune, signed with the community's key."""
    sign_model(
        unsigned_upstream, unsigned_upstream / "model.sig", good_chain.keys.community_signer()
    )
    return unsigned_upstream


@pytest.fixture
def org(good_chain) -> list[object]:
    """Signing options: the organisation's certificate chain."""
    keys = good_chain.keys
    return [
        "--private-key", keys / "acme-leaf-key.pem",
        "--signing-certificate", keys / "acme-leaf.pem",
        "--certificate-chain", keys / "acme-intermediate.pem",
    ]  # fmt: skip


@pytest.fixture
def community_trust(good_chain) -> list[object]:
    return ["--upstream-public-key", good_chain.keys / "community-pub.pem"]


@pytest.fixture
def no_unpickling(monkeypatch):
    """Fail loudly if anything loads a pickle or reaches os.system during the test."""
    calls: list[object] = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("a pickle was loaded")

    for name in ("load", "loads", "Unpickler", "_load", "_loads", "_Unpickler"):
        if hasattr(pickle, name):
            monkeypatch.setattr(pickle, name, refuse)
    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(f"{SYSTEM_MODULE}.system", refuse)
    yield calls
    assert calls == []


# -- a successful adoption -----------------------------------------------------------------------


def test_adopt_records_source_pin_upstream_signature_and_scan(
    good_chain, upstream, org, community_trust, cli
):
    original_sig = (upstream / "model.sig").read_bytes()
    pin = content_root_digest(upstream)
    run = cli(
        "adopt", upstream, "--pin", pin, "--source", SOURCE, *community_trust,
        "--parent", good_chain / "models/tiny-base", "--relation", "finetune",
        "--dataset", good_chain / "datasets/tiny-instruct", *org,
    )  # fmt: skip
    assert run.code == 0, run.err
    assert run.err == ""
    assert run.out.strip() == (
        f"adopted {upstream}: pin ok, 4 files scanned clean, "
        f"re-signed (root sha256:{pin})"
    )

    # the upstream signature is kept, byte for byte, and still verifies
    assert (upstream / "upstream.sig").read_bytes() == original_sig
    community = KeyTrust((good_chain.keys / "community-pub.pem").read_bytes())
    assert check_signed_model(upstream, upstream / "upstream.sig", community).ok
    # model.sig is now the organisation's, over the same content
    org_trust = CertificateTrust(((good_chain.keys / "acme-root.pem").read_bytes(),))
    result = check_signed_model(upstream, upstream / "model.sig", org_trust)
    assert result.ok, result.reason()
    assert result.signature.root_digest == pin

    lineage = read_lineage(upstream / "lineage.sig")
    verify_signature(lineage.signed, org_trust)
    assert lineage.subject.root_digest == pin
    assert lineage.relation == "finetune"
    assert [p.root_digest for p in lineage.parents] == [
        describe(good_chain / "models/tiny-base").root_digest
    ]
    assert [d.name for d in lineage.datasets] == ["tiny-instruct"]
    upstream_facts = read_bundle(upstream / "upstream.sig").signature.signer
    assert lineage.adoption == {
        "source": SOURCE,
        "pin": {"rootDigest": {"sha256": pin}},
        "upstreamSignature": {
            "sha256": sha256(upstream / "upstream.sig"),
            "method": "key",
            "identity": None,
            "issuer": None,
            "certificateFingerprint": None,
            "publicKeyHint": upstream_facts.public_key_hint,
        },
        "scan": {"tool": "aibom-scan", "version": "2", "result": "clean", "scannedFiles": 4,
                 "findings": []},
    }
    jsonschema.validate(lineage.signed.statement["predicate"], SCHEMA)


def test_adopt_a_keyless_upstream(good_chain, tmp_path, org, cli):
    base = tmp_path / "tiny-base"
    shutil.copytree(good_chain / "models/tiny-base", base)
    run = cli(
        "adopt", base, "--pin", content_root_digest(base),
        "--upstream-identity", VENDOR_IDENTITY,
        "--upstream-identity-provider", VENDOR_ISSUER,
        "--upstream-trust-config", good_chain.vendor.trust_config,
        *org,
    )  # fmt: skip
    assert run.code == 0, run.err
    record = read_lineage(base / "lineage.sig").adoption
    assert record is not None
    assert record["source"] == "tiny-base"  # the directory name when --source is not given
    assert record["upstreamSignature"]["method"] == "sigstore"
    assert record["upstreamSignature"]["identity"] == VENDOR_IDENTITY
    assert record["upstreamSignature"]["issuer"] == VENDOR_ISSUER
    assert record["upstreamSignature"]["sha256"] == sha256(base / "upstream.sig")


def test_adopt_an_unsigned_upstream(unsigned_upstream, good_chain):
    result = adopt(
        unsigned_upstream,
        pin=content_root_digest(unsigned_upstream),
        signer=good_chain.keys.key_signer(),
    )
    assert not (unsigned_upstream / "upstream.sig").exists()
    assert result.root_digest == content_root_digest(unsigned_upstream)
    assert result.lineage.adoption is not None
    assert result.lineage.adoption["upstreamSignature"] is None
    assert result.lineage.relation is None and result.lineage.parents == ()
    jsonschema.validate(result.lineage.signed.statement["predicate"], SCHEMA)


@pytest.mark.parametrize("form", ["sha256:", "upper"])
def test_adopt_pin_spellings(unsigned_upstream, good_chain, form):
    digest = content_root_digest(unsigned_upstream)
    pin = f"sha256:{digest}" if form == "sha256:" else digest.upper()
    result = adopt(unsigned_upstream, pin=pin, signer=good_chain.keys.key_signer())
    assert result.lineage.adoption["pin"] == {"rootDigest": {"sha256": digest}}


# -- pins ----------------------------------------------------------------------------------------


def test_adopt_with_a_wrong_pin(upstream, org, community_trust, cli):
    before = snapshot(upstream)
    wrong = "0" * 64
    line = one_line_error(cli("adopt", upstream, "--pin", wrong, *community_trust, *org), 1)
    assert line.startswith("aibom: verification failed: pin mismatch:")
    assert content_root_digest(upstream) in line and wrong in line
    assert snapshot(upstream) == before  # nothing signed, nothing renamed


def _manifest(upstream: Path, form: str, tmp_path: Path) -> Path:
    files = {p.name: sha256(p) for p in sorted(upstream.iterdir()) if not p.name.endswith(".sig")}
    path = tmp_path / f"manifest-{form}"
    if form == "json":
        path.write_text(json.dumps(files))
    elif form == "json-files":
        path.write_text(json.dumps({"files": {k: f"sha256:{v}" for k, v in files.items()}}))
    elif form == "sha256sum":
        path.write_text("".join(f"{d}  {n}\n" for n, d in files.items()))
    elif form == "sha256sum-binary":
        path.write_text("".join(f"{d.upper()} *./{n}\n" for n, d in files.items()) + "\n")
    return path


@pytest.mark.parametrize("form", ["json", "json-files", "sha256sum", "sha256sum-binary"])
def test_adopt_with_a_manifest_pin(upstream, org, community_trust, cli, tmp_path, form):
    manifest = _manifest(upstream, form, tmp_path)
    run = cli("adopt", upstream, "--pin", manifest, *community_trust, *org)
    assert run.code == 0, run.err
    record = read_lineage(upstream / "lineage.sig").adoption
    assert record["pin"] == {"manifestSha256": sha256(manifest)}


@pytest.mark.parametrize("change", ["modified", "missing", "extra"])
def test_adopt_with_a_manifest_that_differs(upstream, org, community_trust, cli, tmp_path, change):
    files = {p.name: sha256(p) for p in upstream.iterdir() if not p.name.endswith(".sig")}
    if change == "modified":
        files["model.safetensors"] = "1" * 64
        named = "model.safetensors"
    elif change == "missing":
        del files["config.json"]
        named = "config.json"
    else:
        files["tokenizer.json"] = "2" * 64
        named = "tokenizer.json"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(files))
    before = snapshot(upstream)
    line = one_line_error(cli("adopt", upstream, "--pin", manifest, *community_trust, *org), 1)
    assert "pin mismatch" in line and named in line
    assert snapshot(upstream) == before


@pytest.mark.parametrize(
    ("content", "keyword"),
    [
        (None, "neither a SHA-256 digest nor a readable manifest"),
        ("hello world\n", "no valid name/SHA-256 entries"),
        ('{"files": ["a"]}', "'files' is not a mapping"),
        ('{"model.safetensors": "abc"}', "no valid name/SHA-256 entries"),
    ],
)
def test_adopt_with_an_unusable_pin(
    upstream, org, community_trust, cli, tmp_path, content, keyword
):
    manifest = tmp_path / "pin.txt"
    if content is not None:
        manifest.write_text(content)
    line = one_line_error(cli("adopt", upstream, "--pin", manifest, *community_trust, *org), 2)
    assert keyword in line


# -- the upstream signature ------------------------------------------------------------------------


def test_adopt_a_signed_upstream_without_upstream_trust(upstream, org, cli):
    before = snapshot(upstream)
    line = one_line_error(cli("adopt", upstream, "--pin", content_root_digest(upstream), *org), 2)
    assert "carries an upstream signature" in line
    assert "--upstream-public-key" in line
    assert snapshot(upstream) == before


def test_adopt_with_the_wrong_upstream_key(upstream, good_chain, org, cli):
    before = snapshot(upstream)
    run = cli(
        "adopt", upstream, "--pin", content_root_digest(upstream),
        "--upstream-public-key", good_chain.rogue / "community-pub.pem", *org,
    )  # fmt: skip
    line = one_line_error(run, 1)
    assert "upstream signature does not verify" in line
    assert snapshot(upstream) == before


def test_adopt_a_keyless_upstream_with_the_wrong_identity(good_chain, tmp_path, org, cli):
    base = tmp_path / "tiny-base"
    shutil.copytree(good_chain / "models/tiny-base", base)
    run = cli(
        "adopt", base, "--pin", content_root_digest(base),
        "--upstream-identity", "someone@vendor.example",
        "--upstream-identity-provider", VENDOR_ISSUER,
        "--upstream-trust-config", good_chain.vendor.trust_config,
        *org,
    )  # fmt: skip
    line = one_line_error(run, 1)
    assert "upstream signature does not verify" in line and "wrong identity" in line


def test_adopt_a_tampered_signed_upstream(upstream, org, community_trust, cli):
    """The content was changed after the community signed it, and the pin follows the
    change: the upstream signature catches it."""
    (upstream / "config.json").write_text("{}\n")
    line = one_line_error(
        cli("adopt", upstream, "--pin", content_root_digest(upstream), *community_trust, *org), 1
    )
    assert "upstream signature does not verify" in line and "config.json" in line


def test_upstream_signature_options_exclude_each_other(upstream, good_chain, org, cli):
    run = cli(
        "adopt", upstream, "--pin", content_root_digest(upstream),
        "--upstream-public-key", good_chain.keys / "community-pub.pem",
        "--upstream-certificate-chain", good_chain.keys / "acme-root.pem", *org,
    )  # fmt: skip
    assert "exactly one" in one_line_error(run, 2)


# -- dangerous pickles -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "imported"),
    [
        (EXPLOIT, f"{SYSTEM_MODULE}.system"),
        (OS_SYSTEM_PROTOCOL_0, "os.system"),
    ],
    ids=["pickle.dumps", "protocol-0-os.system"],
)
def test_adopt_refuses_a_pickle_that_imports_os_system(
    unsigned_upstream, org, cli, no_unpickling, payload, imported
):
    (unsigned_upstream / "evil.pkl").write_bytes(payload)
    before = snapshot(unsigned_upstream)
    pin = content_root_digest(unsigned_upstream)  # the pin holds: the scan is what refuses
    run = cli("adopt", unsigned_upstream, "--pin", pin, *org)
    line = one_line_error(run, 1)
    assert line.startswith(
        f"aibom: verification failed: refusing to adopt tiny-chat: evil.pkl: {imported}: "
    )
    assert "pwned" not in run.out + run.err
    assert snapshot(unsigned_upstream) == before


def test_adopt_refuses_a_signed_upstream_with_a_dangerous_pickle(
    unsigned_upstream, good_chain, org, community_trust, cli, no_unpickling
):
    """Pin and upstream signature both hold: the scan still refuses, and model.sig is not
    moved aside."""
    (unsigned_upstream / "weights").mkdir()
    (unsigned_upstream / "weights" / "pytorch_model.bin").write_bytes(EXPLOIT)
    sign_model(
        unsigned_upstream, unsigned_upstream / "model.sig", good_chain.keys.community_signer()
    )
    before = snapshot(unsigned_upstream)
    run = cli(
        "adopt", unsigned_upstream, "--pin", content_root_digest(unsigned_upstream),
        *community_trust, *org,
    )  # fmt: skip
    line = one_line_error(run, 1)
    assert "weights/pytorch_model.bin" in line and ".system" in line
    assert snapshot(unsigned_upstream) == before
    assert not (unsigned_upstream / "upstream.sig").exists()


def test_adopt_scans_and_accepts_a_harmless_pickle(unsigned_upstream, good_chain, no_unpickling):
    (unsigned_upstream / "training_args.bin").write_bytes(pickle.dumps({"lr": 0.001, "steps": 3}))
    result = adopt(
        unsigned_upstream,
        pin=content_root_digest(unsigned_upstream),
        signer=good_chain.keys.key_signer(),
    )
    assert result.scanned_files == 4  # every file is scanned, whatever its name
    scan = result.lineage.adoption["scan"]
    assert scan["result"] == "clean" and scan["scannedFiles"] == 4


def test_adopt_a_directory_that_does_not_exist(tmp_path, org, cli):
    line = one_line_error(cli("adopt", tmp_path / "absent", "--pin", "0" * 64, *org), 2)
    assert "absent" in line


def test_adopting_keeps_the_upstream_lineage_attestation(tmp_path: Path) -> None:
    """The vendor's own lineage.sig survives adoption as upstream-lineage.sig, byte for byte."""
    import shutil

    from aibom.layout import UPSTREAM_LINEAGE
    from aibom.lineage.adopt import adopt
    from aibom.lineage.attest import content_root_digest, read_lineage
    from aibom.oms.sign import KeySigner
    from aibom.oms.verify import KeylessTrust

    samples = Path(__file__).resolve().parents[2] / "samples"
    base = tmp_path / "tiny-base"
    shutil.copytree(samples / "models" / "tiny-base", base)
    vendor_lineage = (base / "lineage.sig").read_bytes()
    trust = KeylessTrust(
        "release@vendor.example",
        "https://accounts.vendor.example",
        samples / "keys" / "vendor-trust-config.json",
    )
    adopt(
        base,
        pin=content_root_digest(base),
        signer=KeySigner((samples / "keys" / "acme-key.pem").read_bytes()),
        upstream_trust=trust,
    )
    assert (base / UPSTREAM_LINEAGE).read_bytes() == vendor_lineage
    assert read_lineage(base / "lineage.sig").adoption is not None
    assert (base / "upstream.sig").is_file()


def test_adopt_reports_hashing_progress(unsigned_upstream, good_chain):
    """Each step that hashes the model (the pin, the new signature) reports to `tick`."""
    seen = []
    adopt(
        unsigned_upstream,
        pin=content_root_digest(unsigned_upstream),
        signer=good_chain.keys.key_signer(),
        tick=lambda p: seen.append((id(p), p.files, p.total_files)),
    )
    counters = list(dict.fromkeys(i for i, _, _ in seen))
    assert len(counters) == 2  # the pin's hashing, then the signing's
    last = {i: (files, total) for i, files, total in seen}
    assert all(files == total > 0 for files, total in last.values())
