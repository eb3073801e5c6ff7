"""Fixtures of the monitor tests: a fresh private Sigstore log per test (tests rewrite it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sigstore_instance import start_private_sigstore
from support.cli import run_cli

from .helpers import POLICY, Run, World


@pytest.fixture
def cli() -> Callable[..., Run]:
    """Run `aibom ARGS...` in this process: exit code, out, err."""

    def run(*args: object) -> Run:
        result = run_cli(*args)
        assert "Traceback" not in result.err
        return Run(result.code, result.out, result.err)

    return run


@pytest.fixture
def world(tmp_path: Path, cli: Callable[..., Run]) -> Iterator[World]:
    """A fresh, empty log, the policy written, no inventory yet."""
    instance = start_private_sigstore(tmp_path / "sigstore")
    try:
        w = World(instance, tmp_path, cli)
        w.policy.write_text(POLICY)
        yield w
    finally:
        instance.close()
