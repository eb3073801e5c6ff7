"""Where the shared test data is (read-only, never copied into the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# CI clones the project with shared/ beside it; locally it is ../shared as well.
SHARED = Path(os.environ.get("AIBOM_SHARED", REPO.parent / "shared"))
VECTORS = SHARED / "vectors"


def shared_path(*parts: str) -> Path:
    """A file or folder of the shared test data; the test is skipped, saying so, without it."""
    path = VECTORS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not found at {path} (set AIBOM_SHARED)")
    return path
