"""`aibom monitor` against a loopback Rekor v1 log holding real OMS signatures."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

from .helpers import ALICE, BOB, MALLORY, World


def statement_sha256(bundle: Path) -> str:
    payload = json.loads(bundle.read_text())["dsseEnvelope"]["payload"]
    return hashlib.sha256(base64.b64decode(payload)).hexdigest()


def components(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [document["metadata"]["component"], *document.get("components", [])]


def outside(world: World, name: str) -> Path:
    """Where a bundle goes when it must not become part of the model it signs."""
    return world.root / f"{name}.sig"


@pytest.fixture
def chat(world: World) -> Path:
    """Our model, signed by us and in the inventory: log entry 0."""
    model = world.model("chat", b"chat weights " * 64)
    world.sign(model, ALICE, outside(world, "chat-alice"))
    (model / "model.sig").write_bytes(outside(world, "chat-alice").read_bytes())
    world.inventory(model)
    return model


def test_first_run_scans_everything_and_saves_the_checkpoint(world: World, chat: Path) -> None:
    run = world.monitor()
    assert run.code == 0, run.err
    report = run.json()
    assert report["findings"] == []
    assert report["log"]["consistent"] and report["log"]["previousTreeSize"] is None
    assert report["entries"] == {"read": 1, "judged": 1, "skipped": 0, "unreadable": 0,
                                 "recordedChecked": 1}
    log = world.sigstore.rekor
    assert json.loads(world.state.read_text()) == {"treeSize": 1,
                                                   "rootHash": log.tree.root().hex()}
    assert report["log"]["logId"] == log.log_id.hex()
    # the inventory knows the model by the SHA-256 of its signed statement
    assert statement_sha256(chat / "model.sig") in (world.root / "models" / "chat.cdx.json"
                                                    ).read_text()


def test_appended_log_is_scanned_incrementally(world: World, chat: Path) -> None:
    assert world.monitor().code == 0
    other = world.model("notes", b"notes " * 64)
    for n in range(3):
        world.sign(other, BOB, outside(world, f"notes-{n}"))
    before = len(world.sigstore.rekor_server.requests)
    run = world.monitor()
    assert run.code == 0, run.err
    report = run.json()
    assert report["log"]["previousTreeSize"] == 1 and report["log"]["treeSize"] == 4
    # the three new entries and the recorded one; nothing older
    assert report["entries"]["read"] == 4 and report["entries"]["recordedChecked"] == 1
    served = world.sigstore.rekor_server.requests[before:]
    assert served.count(("GET", "/api/v1/log/proof")) == 1
    assert served.count(("GET", "/api/v1/log/entries")) == 4
    assert json.loads(world.state.read_text())["treeSize"] == 4
    assert world.monitor().json()["entries"]["read"] == 1  # only the recorded entry again


def test_someone_else_signing_our_model_is_an_unexpected_signer(world: World,
                                                                  chat: Path) -> None:
    world.sign(chat, MALLORY, outside(world, "chat-mallory"))
    # the same files give the same statement: Rekor's payloadHash finds our component
    assert statement_sha256(outside(world, "chat-mallory")) == statement_sha256(
        chat / "model.sig")
    run = world.monitor()
    assert run.code == 1
    (finding,) = run.json()["findings"]
    assert finding["kind"] == "unexpected-signer" and finding["log_index"] == 1
    assert finding["identity"] == MALLORY and finding["component"] == "chat"
    assert finding["digest"] == statement_sha256(chat / "model.sig")
    assert json.loads(world.state.read_text())["treeSize"] == 2  # findings still save state
    text = world.monitor("--format", "text")  # the entry is not new any more: no finding
    assert text.code == 0 and text.out.splitlines()[-1].startswith("monitor: tree size 2")


def test_our_signature_on_an_unknown_artifact_and_text_output(world: World,
                                                                chat: Path) -> None:
    stray = world.model("stray", b"never inventoried " * 64)
    world.sign(stray, ALICE, outside(world, "stray"))
    world.sign(stray, BOB, outside(world, "stray-bob"))  # not ours: not our business
    run = world.monitor()
    assert run.code == 1
    (finding,) = run.json()["findings"]
    assert finding["kind"] == "unknown-artifact" and finding["log_index"] == 1
    assert finding["identity"] == ALICE and finding["component"] is None
    assert finding["digest"] == statement_sha256(outside(world, "stray"))
    world.state.unlink()
    text = world.monitor("--format", "text")
    assert text.code == 1
    lines = text.out.splitlines()
    assert lines[0].startswith("log index 1: unknown-artifact: dsse entry signed by our "
                               "publisher acme")
    assert len(lines) == 2 and "3 entries read" in lines[1]


def _hashedrekord(key: ec.EllipticCurvePrivateKey, digest_hex: str) -> dict[str, Any]:
    pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    signature = key.sign(bytes.fromhex(digest_hex), ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    return {"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
        "data": {"hash": {"algorithm": "sha256", "value": digest_hex}},
        "signature": {"content": base64.b64encode(signature).decode(),
                      "publicKey": {"content": base64.b64encode(pem).decode()}}}}


def test_hashedrekord_by_public_key(world: World, chat: Path) -> None:
    """A key publisher: its hashedrekord over our root digest is fine, a stranger's is not;
    a hashedrekord over an unknown digest by our key publisher is an unknown artifact."""
    ours = ec.generate_private_key(ec.SECP256R1())
    pem = world.root / "release.pub"
    pem.write_bytes(ours.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    world.policy.write_text(world.policy.read_text().replace(
        "rules:", "  - name: release-key\n    public_key: release.pub\n    ours: true\nrules:"
    ).replace("publishers: [acme]", "publishers: [acme, release-key]"))
    root = json.loads((world.root / "models" / "chat.cdx.json").read_text())
    root_digest = next(p["value"] for c in components(root) for p in c.get("properties", [])
                       if p["name"] == "aibom:signature:root-digest")
    log = world.sigstore.rekor
    log.submit(_hashedrekord(ours, root_digest))  # 1: allowed
    log.submit(_hashedrekord(ec.generate_private_key(ec.SECP256R1()), root_digest))  # 2
    log.submit(_hashedrekord(ours, "ab" * 32))  # 3: ours, unknown
    log.append_body(rfc8785.dumps({"apiVersion": "0.0.1", "kind": "intoto", "spec": {}}))
    log.append_body(b'{"kind": "hashedrekord", "apiVersion": "0.0.1", "spec": {}}')
    run = world.monitor()
    assert run.code == 1, run.err
    report = run.json()
    assert run.kinds() == [("unexpected-signer", 2), ("unknown-artifact", 3)]
    stranger = report["findings"][0]
    assert stranger["identity"].startswith("public key sha256:")
    assert stranger["digest"] == root_digest and stranger["component"] == "chat"
    assert report["entries"] == {"read": 6, "judged": 4, "skipped": 1, "unreadable": 1,
                                 "recordedChecked": 1}


def test_recorded_entry_the_log_does_not_hold(world: World) -> None:
    chat = world.model("chat", b"chat weights " * 64)
    world.sign(chat, ALICE, outside(world, "chat"))
    (chat / "model.sig").write_bytes(outside(world, "chat").read_bytes())
    other = world.model("vendor-base", b"vendor " * 64)
    world.sign(other, BOB, outside(world, "vendor"))
    (other / "model.sig").write_bytes(outside(world, "vendor").read_bytes())

    def beyond(document: dict[str, Any]) -> None:
        for c in components(document):
            for p in c.get("properties", []):
                if p["name"].endswith(":log:0:log-index"):
                    p["value"] = "7"

    def other_log(document: dict[str, Any]) -> None:
        for c in components(document):
            for p in c.get("properties", []):
                if p["name"].endswith(":log:0:log-id"):
                    p["value"] = "00" * 32

    world.inventory(chat, beyond)
    world.inventory(other, other_log)  # recorded for another log: ignored
    log = world.sigstore.rekor
    log.rewrite(0, log.entries[1].body)  # index 0 now holds another leaf
    filler = world.model("filler", b"f" * 64)
    world.sign(filler, ALICE, outside(world, "filler"))
    (filler / "model.sig").write_bytes(outside(world, "filler").read_bytes())
    world.inventory(filler)  # index 2, as recorded: fine
    # a log that holds another entry at a recorded index
    log.rewrite(2, log.entries[0].body)
    run = world.monitor()
    assert run.code == 1, run.err
    found = {(f["kind"], f["log_index"], f["component"]) for f in run.json()["findings"]}
    assert ("entry-mismatch", 7, "chat") in found
    assert ("entry-mismatch", 2, "filler") in found
    assert not any(f[2] == "vendor-base" for f in found if f[0] == "entry-mismatch")
