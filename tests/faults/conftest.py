"""Fixtures for the fault tests: a small key-signed model (with a card) and the CLI in
process. Keys come from tests/conftest.py (`keypair`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from support import pki
from support.cli import Run, run_cli


@pytest.fixture
def cli() -> Callable[..., Run]:
    """`aibom ARGS...` in this process: exit code, out, err."""
    return run_cli


def make_model(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "config.json").write_text('{"model_type": "llama"}')
    (root / "weights.bin").write_bytes(os.urandom(4096))
    (root / "README.md").write_text("---\nlicense: mit\n---\n# tiny\n")
    return root


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return make_model(tmp_path / "model")


@pytest.fixture
def signed(model: Path, keypair: pki.KeyPair) -> Path:
    """`model`, signed with `keypair` through the CLI."""
    outcome = run_cli("sign", model, "--private-key", keypair.private_path)
    assert outcome.code == 0, outcome
    return model
