"""Fixtures of the monitor tests: a fresh private Sigstore log per test (tests rewrite it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sigstore_instance import start_private_sigstore

from .helpers import POLICY, Run, World


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run `aibom ARGS...` in this process: exit code, out, err."""
    from aibom.cli import main

    def run(*args: object) -> Run:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        return Run(code, captured.out, captured.err)

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
