"""A log that rewrites history, forges its checkpoint, lies about entries, or cannot be
reached: the monitor says so, never saves such a state, and never scans what it cannot trust."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sigstore_instance.server import LoopbackServer, Request, Response, rekor_app

from .helpers import ALICE, BOB, World


@pytest.fixture
def signed(world: World) -> World:
    """Two entries in the log, our model in the inventory, one clean run saved."""
    model = world.model("chat", b"chat " * 64)
    world.sign(model, ALICE)
    world.inventory(model)
    world.sign(world.model("vendor-x", b"x" * 64), BOB)
    run = world.monitor()
    assert run.code == 0, run.err
    return world


def _proxy(world: World, rewrite: Callable[[Request, Response], Response]) -> Iterator[str]:
    inner = rekor_app(world.sigstore.rekor)
    server = LoopbackServer(lambda request: rewrite(request, inner(request)), "proxy")
    try:
        yield server.url
    finally:
        server.close()


def test_rewritten_log_of_the_same_size(signed: World) -> None:
    saved = signed.state.read_bytes()
    log = signed.sigstore.rekor
    log.rewrite(1, log.entries[0].body)
    run = signed.monitor()
    assert run.code == 1
    report = run.json()
    assert run.kinds() == [("inconsistent-log", None)]
    assert "rewritten" in report["findings"][0]["message"]
    assert report["entries"]["read"] == 0 and not report["stateWritten"]
    assert signed.state.read_bytes() == saved


def test_rewritten_and_appended_log_fails_the_consistency_proof(signed: World) -> None:
    saved = signed.state.read_bytes()
    log = signed.sigstore.rekor
    log.rewrite(0, log.entries[1].body)
    signed.sign(signed.model("later", b"later " * 64), ALICE)
    run = signed.monitor("--format", "text")
    assert run.code == 1
    assert run.out.startswith("log index -: inconsistent-log: the tree of 3 entries does not "
                              "extend the tree of 2")
    assert "NOT consistent" in run.out and "state not written" in run.out
    assert signed.state.read_bytes() == saved


def test_shrunk_log_is_inconsistent(signed: World) -> None:
    signed.state.write_text(json.dumps({"treeSize": 5, "rootHash": "ab" * 32}))
    run = signed.monitor()
    assert run.code == 1 and run.kinds() == [("inconsistent-log", None)]
    assert "shrank from 5 to 2" in run.json()["findings"][0]["message"]


def _forged_note(world: World, size: int, root: bytes, key: Any) -> str:
    log = world.sigstore.rekor
    note = f"private-sigstore.rekor - 1\n{size}\n{base64.b64encode(root).decode()}\n"
    signature = key.sign(note.encode(), ec.ECDSA(hashes.SHA256()))
    blob = base64.b64encode(log.log_id[:4] + signature).decode()
    return f"{note}\n\u2014 private-sigstore.rekor {blob}\n"


@pytest.mark.parametrize("forgery", ["other-key", "other-root", "other-size", "unsigned"])
def test_forged_checkpoint(signed: World, forgery: str) -> None:
    """A checkpoint under the log's key hint but another key, or the log's genuine signature
    over another tree head than the one it reports: exit 1, nothing scanned, state kept."""
    saved = signed.state.read_bytes()
    log = signed.sigstore.rekor
    signed.sign(signed.model("later", b"later " * 64), ALICE)

    def forge(request: Request, response: Response) -> Response:
        if request.path != "/api/v1/log":
            return response
        info = dict(response.payload)
        size, root = info["treeSize"], bytes.fromhex(info["rootHash"])
        if forgery == "other-key":
            info["signedTreeHead"] = _forged_note(signed, size, root,
                                                  ec.generate_private_key(ec.SECP256R1()))
        elif forgery == "other-root":
            info["signedTreeHead"] = log.checkpoint(size - 1)
            info["treeSize"] = size
        elif forgery == "other-size":
            info["treeSize"] = size + 1
        else:
            info["signedTreeHead"] = info["signedTreeHead"].split("\n\n")[0] + "\n\n"
        return Response(200, info)

    for url in _proxy(signed, forge):
        run = signed.monitor(url=url)
        assert run.code == 1 and run.out == ""
        assert run.err.startswith("aibom: verification failed: the log's")
        assert "checkpoint" in run.err
    assert signed.state.read_bytes() == saved


def test_checkpoint_needs_the_trust_configs_key(signed: World, tmp_path: Path) -> None:
    other = json.loads(signed.sigstore.trusted_root_path.read_text())
    other["tlogs"] = other["ctlogs"]  # another log's key
    path = tmp_path / "other_root.json"
    path.write_text(json.dumps(other))
    run = signed.monitor(trust=path)
    assert run.code == 1 and "not signed by a log key of the trust config" in run.err


def test_client_trust_config_is_accepted(signed: World) -> None:
    run = signed.monitor(trust=signed.sigstore.trust_config_path)
    assert run.code == 0, run.err


@pytest.mark.parametrize("lie", ["other-body", "bad-proof", "other-index", "other-log-id",
                                 "other-root"])
def test_entry_outside_the_signed_tree_is_an_inconsistent_log(world: World, lie: str) -> None:
    world.sign(world.model("chat", b"chat " * 64), ALICE)
    world.sign(world.model("vendor-x", b"x" * 64), BOB)
    log = world.sigstore.rekor

    def tamper(request: Request, response: Response) -> Response:
        if request.path != "/api/v1/log/entries":
            return response
        (uuid, entry), = response.payload.items()
        entry = json.loads(json.dumps(entry))
        proof = entry["verification"]["inclusionProof"]
        if lie == "other-body":
            entry["body"] = base64.b64encode(log.entries[0].body + b" ").decode()
        elif lie == "bad-proof":
            proof["hashes"] = [h[::-1] for h in proof["hashes"]]
        elif lie == "other-index":
            entry["logIndex"] += 1
        elif lie == "other-log-id":
            entry["logID"] = "00" * 32
        else:
            proof["rootHash"] = "00" * 32
        return Response(200, {uuid: entry})

    for url in _proxy(world, tamper):
        run = world.monitor(url=url)
        assert run.code == 1, run.err
        assert run.kinds() == [("inconsistent-log", 0)]
        assert not world.state.exists()


def test_malformed_state_is_exit_2_and_left_untouched(world: World) -> None:
    world.sign(world.model("chat", b"chat " * 64), ALICE)
    for text in ("not json", "[]", '{"treeSize": 1}', '{"treeSize": -1, "rootHash": "' +
                 "ab" * 32 + '"}', '{"treeSize": 1, "rootHash": "xyz"}',
                 '{"treeSize": true, "rootHash": "' + "ab" * 32 + '"}'):
        world.state.write_text(text)
        run = world.monitor()
        assert run.code == 2 and run.out == "", text
        assert run.err.startswith("aibom: error: state file") and run.err.count("\n") == 1
        assert world.state.read_text() == text
    served = world.sigstore.rekor_server.requests
    assert ("GET", "/api/v1/log") not in served  # refused before asking the log


def test_unreachable_log_is_exit_2(world: World) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = world.monitor("--timeout", "2", url=f"http://127.0.0.1:{port}")
    assert run.code == 2 and "unreachable" in run.err and not world.state.exists()


def test_redirects_are_not_followed(world: World) -> None:
    def redirect(request: Request, response: Response) -> Response:
        return Response(302, {}, headers={"Location": "http://127.0.0.1:9/api/v1/log"})

    for url in _proxy(world, redirect):
        run = world.monitor(url=url)
        assert run.code == 2 and "redirects are not followed" in run.err


def test_request_budget(world: World) -> None:
    for n in range(3):
        world.sign(world.model(f"m{n}", b"m%d" % n * 64), ALICE)
    run = world.monitor("--max-requests", "3")
    assert run.code == 2 and "request budget of 3 requests" in run.err
    assert not world.state.exists()
    assert world.monitor("--max-requests", "4").code == 1  # ours, unknown: 3 findings


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/", "http://127.0.0.1/?q=1", "not a url"])
def test_bad_url_is_exit_2(world: World, url: str) -> None:
    run = world.monitor(url=url)
    assert run.code == 2 and "--rekor-url" in run.err
