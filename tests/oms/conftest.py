"""Fixtures of the OMS tests: test keys and certificate chains made at test time."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import pki
from support.models import small_model
from support.vectors import MT_KEYS


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


@pytest.fixture(scope="session")
def mt_keys(mt_vectors: Path) -> Path:
    keys = mt_vectors / "keys"
    for name in MT_KEYS:
        assert (keys / name).is_file(), f"missing {keys / name}"
    return keys
