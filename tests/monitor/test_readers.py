"""The monitor's readers on malformed input: entry bodies, checkpoints, trust configs and
state files each fail in their one documented way."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from aibom.errors import InputError, VerificationError
from aibom.monitor import LogKey, TreeHead, load_log_keys, read_state, verify_checkpoint
from aibom.monitor.entries import UnreadableEntry, decode_body
from aibom.monitor.state import write_state


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _key_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return _b64(key.public_bytes(serialization.Encoding.PEM,
                                 serialization.PublicFormat.SubjectPublicKeyInfo))


def _hashedrekord(value: object, algorithm: str = "sha256", key: object = None) -> bytes:
    return json.dumps({"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
        "data": {"hash": {"algorithm": algorithm, "value": value}},
        "signature": {"content": "", "publicKey": {"content": key or _key_pem()}}}}).encode()


def test_entry_bodies() -> None:
    entry = decode_body(_hashedrekord("AB" * 32))
    assert entry is not None and entry.kind == "hashedrekord" and entry.digest == "ab" * 32
    (signer,) = entry.signers
    assert signer.certificate is None and signer.describe().startswith("public key sha256:")
    assert decode_body(_hashedrekord("ab" * 32, algorithm="sha512")) is None
    assert decode_body(b'{"kind": "intoto", "apiVersion": "0.0.2"}') is None
    assert decode_body(b'{"kind": "dsse", "apiVersion": "0.0.2", "spec": {}}') is None
    for body in (b"not json", b"[]", b'{"kind": "dsse", "apiVersion": "0.0.1"}',
                 b'{"kind": "dsse", "apiVersion": "0.0.1", "spec": {"payloadHash": '
                 b'{"algorithm": "sha256", "value": "' + b"ab" * 32 + b'"}, "signatures": []}}',
                 _hashedrekord("xyz"), _hashedrekord(7), _hashedrekord("ab" * 32, key="%%%"),
                 _hashedrekord("ab" * 32, key=_b64(b"-----BEGIN CERTIFICATE-----\nxx\n")),
                 b"[" * 100_000):
        with pytest.raises(UnreadableEntry):
            decode_body(body)


def _note(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey, log_id: bytes,
          body: str) -> str:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(body.encode(), ec.ECDSA(hashes.SHA256()))
    else:
        signature = key.sign(body.encode())
    return f"{body}\n\u2014 test.log {_b64(log_id[:4] + signature)}\n"


@pytest.mark.parametrize("kind", ["ecdsa", "ed25519"])
def test_checkpoints(kind: str) -> None:
    private = (ec.generate_private_key(ec.SECP256R1()) if kind == "ecdsa"
               else ed25519.Ed25519PrivateKey.generate())
    log_id = bytes(range(32))
    keys = (LogKey(log_id, private.public_key(), ""),)
    root = _b64(b"\x01" * 32)
    body = f"test.log - 1\n42\n{root}\nTimestamp: 1\n"
    checkpoint = verify_checkpoint(_note(private, log_id, body), keys)
    assert (checkpoint.size, checkpoint.root, checkpoint.log_id) == (42, b"\x01" * 32, log_id)
    good = _note(private, log_id, body)
    for bad in (good.replace("\n42\n", "\n43\n"), good.replace("\n\n", "\n"), "",
                _note(private, b"\xff" * 32, body), good.replace("\u2014", "-"),
                _note(private, log_id, f"test.log\n042\n{root}\n"),
                _note(private, log_id, f"test.log\n-1\n{root}\n"),
                _note(private, log_id, "test.log\n1\n%%%\n"), "x" * 70_000):
        with pytest.raises(VerificationError):
            verify_checkpoint(bad, keys)


def test_trust_configs(tmp_path: Path) -> None:
    path = tmp_path / "trust.json"
    for text, message in (("nope", "not valid JSON"), ("[]", "not a JSON object"),
                          ('{"tlogs": []}', "names no transparency log"),
                          ('{"tlogs": [{"publicKey": {"rawBytes": "AAAA"}}]}', "no usable key")):
        path.write_text(text)
        with pytest.raises(InputError, match=message):
            load_log_keys(path)
    with pytest.raises(InputError, match="cannot read"):
        load_log_keys(tmp_path / "missing.json")


def test_state_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    assert read_state(path) is None
    write_state(path, TreeHead(7, b"\xab" * 32))
    assert json.loads(path.read_text()) == {"treeSize": 7, "rootHash": "ab" * 32}
    assert read_state(path) == TreeHead(7, b"\xab" * 32)
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary left
    path.write_text('{"treeSize": 7, "rootHash": "' + "ab" * 32 + '", "more": 1}')
    with pytest.raises(InputError, match="exactly treeSize and rootHash"):
        read_state(path)
    with pytest.raises(InputError, match="cannot write"):
        write_state(tmp_path / "missing" / "state.json", TreeHead(0, b"\0" * 32))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400),
                 st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                              lambda kids: st.lists(kids, max_size=4)
                              | st.dictionaries(st.sampled_from(
                                  ["kind", "apiVersion", "spec", "data", "hash", "algorithm",
                                   "value", "signature", "publicKey", "content", "payloadHash",
                                   "signatures", "verifier"]), kids, max_size=5),
                              max_leaves=20).map(lambda d: json.dumps(d).encode())))
def test_any_entry_body_is_read_or_unreadable(body: bytes) -> None:
    try:
        entry = decode_body(body)
    except UnreadableEntry:
        return
    assert entry is None or (len(entry.digest) == 64 and entry.signers)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("\n \u2014abcAB=+/019-"), max_size=300))
def test_any_checkpoint_text_verifies_or_fails(note: str) -> None:
    keys = (LogKey(b"\0" * 32, ec.generate_private_key(ec.SECP256R1()).public_key(), ""),)
    with pytest.raises(VerificationError):
        verify_checkpoint(note, keys)
