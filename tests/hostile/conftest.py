"""Fixtures of the hostile-input suite: keys, a signed model, and the usual hygiene
(offline, a private digest cache)."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest
from support import pki
from support.models import small_model

from aibom.oms import sign as signing


@pytest.fixture(autouse=True)
def _private_digest_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    monkeypatch.setenv("AIBOM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "hostile-cache"))


@pytest.fixture(autouse=True)
def _offline(monkeypatch) -> None:
    """Nothing here leaves the machine: only the private Sigstore instance on 127.0.0.1."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise AssertionError(f"test tried to reach {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def keypair(tmp_path_factory: pytest.TempPathFactory) -> pki.KeyPair:
    return pki.write_key_pair(tmp_path_factory.mktemp("hostile-keys"), "signer", "P-256")


@pytest.fixture(scope="session")
def chain(tmp_path_factory: pytest.TempPathFactory) -> pki.Chain:
    return pki.make_chain(tmp_path_factory.mktemp("hostile-pki"), name="good")


@pytest.fixture
def signed(tmp_path: Path, keypair: pki.KeyPair) -> Path:
    """A small model signed with `keypair` (files serialization, sha256)."""
    model = small_model(tmp_path / "model")
    signing.sign_model(
        model, model / "model.sig", signing.KeySigner(keypair.private_path.read_bytes())
    )
    return model
