"""Fixtures of the hub-cache tests: a private cache (HF_HUB_CACHE) and a signing key."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty hub cache that every `hf:` reference resolves in."""
    cache = tmp_path / "hf-home" / "hub"
    cache.mkdir(parents=True)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    return cache
