"""Shared fixtures: where ../shared is, a private Sigstore instance, keys and certificates."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest
from sigstore_instance.fixtures import private_sigstore  # noqa: F401
from support import pki
from support.models import small_model
from support.shared import SHARED, VECTORS, shared_path  # noqa: F401  (the one way to ../shared)

from aibom.oms.sign import KeySigner, sign_model


@pytest.fixture(scope="session")
def mt_vectors() -> Path:
    """Real signatures from released model_signing versions."""
    return shared_path("model-transparency")


@pytest.fixture(scope="session")
def merkle_vectors() -> Path:
    """RFC 6962 proof vectors of transparency-dev/merkle."""
    return shared_path("merkle")


@pytest.fixture(scope="session")
def spdx_schemas() -> Path:
    """The files SPDX publishes for 3.0.1: JSON schema, JSON-LD context, model with SHACL."""
    return shared_path("spdx-3.0.1")


@pytest.fixture(scope="session")
def oms_vectors() -> Path:
    return shared_path("oms-spec-v1.0", "test-vectors", "v1.0")


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test leaves the machine: only servers the tests start on the loopback interface."""
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> object:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]  # type: ignore[index]
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = host == "localhost"
            if not loopback:
                raise AssertionError(f"test tried to reach {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def _private_digest_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep aibom's digest cache out of the user's cache directory."""
    monkeypatch.setenv("AIBOM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "aibom-cache"))


# AIBOMs record their creation time; the tests pin it the way reproducible builds do (set
# here, not in a fixture, so that module- and session-scoped fixtures see it too).
os.environ["SOURCE_DATE_EPOCH"] = "1767225600"  # 2026-01-01T00:00:00Z
os.environ.pop("AIBOM_ORGANIZATION", None)


# --- keys, certificate chains and signed models, made at test time ------------------------


@pytest.fixture(scope="session")
def keypair(tmp_path_factory: pytest.TempPathFactory) -> pki.KeyPair:
    return pki.write_key_pair(tmp_path_factory.mktemp("keys"), "signer", "P-256")


@pytest.fixture(scope="session")
def keypair_p384(tmp_path_factory: pytest.TempPathFactory) -> pki.KeyPair:
    return pki.write_key_pair(tmp_path_factory.mktemp("keys384"), "signer384", "P-384")


@pytest.fixture(scope="session")
def other_keypair(tmp_path_factory: pytest.TempPathFactory) -> pki.KeyPair:
    return pki.write_key_pair(tmp_path_factory.mktemp("other-keys"), "other", "P-256")


@pytest.fixture(scope="session")
def chain(tmp_path_factory: pytest.TempPathFactory) -> pki.Chain:
    return pki.make_chain(tmp_path_factory.mktemp("pki"), name="good")


@pytest.fixture(scope="session")
def other_chain(tmp_path_factory: pytest.TempPathFactory) -> pki.Chain:
    return pki.make_chain(tmp_path_factory.mktemp("pki-other"), name="other")


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    return small_model(tmp_path / "model")


@pytest.fixture
def signed(tmp_path: Path, keypair: pki.KeyPair) -> Path:
    """A small model signed with `keypair` (files serialization, sha256)."""
    model = small_model(tmp_path / "model")
    sign_model(model, model / "model.sig", KeySigner(keypair.private_path.read_bytes()))
    return model
