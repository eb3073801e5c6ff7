"""Fixtures of the hub-cache tests: a private cache (HF_HUB_CACHE) and a signing key."""

from __future__ import annotations

from pathlib import Path

import pytest
from oms import pki


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty hub cache that every `hf:` reference resolves in."""
    cache = tmp_path / "hf-home" / "hub"
    cache.mkdir(parents=True)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    return cache


@pytest.fixture(scope="session")
def keypair(tmp_path_factory: pytest.TempPathFactory) -> pki.KeyPair:
    return pki.write_key_pair(tmp_path_factory.mktemp("hub-keys"), "publisher", "P-256")


@pytest.fixture(scope="session")
def other_keypair(tmp_path_factory: pytest.TempPathFactory) -> pki.KeyPair:
    return pki.write_key_pair(tmp_path_factory.mktemp("hub-other-keys"), "other", "P-256")
