"""Fixtures of the OMS tests: test keys and certificate chains made at test time."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.vectors import MT_KEYS


@pytest.fixture(scope="session")
def mt_keys(mt_vectors: Path) -> Path:
    keys = mt_vectors / "keys"
    for name in MT_KEYS:
        assert (keys / name).is_file(), f"missing {keys / name}"
    return keys
