"""Pytest fixture for the private Sigstore instance.

Import into conftest.py (pytest puts tests/ on sys.path):
    from sigstore_instance.fixtures import private_sigstore  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import PrivateSigstore, start_private_sigstore


@pytest.fixture(scope="session")
def private_sigstore(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateSigstore]:
    instance = start_private_sigstore(tmp_path_factory.mktemp("private-sigstore"))
    try:
        yield instance
    finally:
        instance.close()
