"""Fixtures of the lineage tests: the sample chain (tests/support/chains.py says what it
holds), built from scratch once per session; every test that mutates it works on a copy
(the `chain` fixture); and the CLI, in process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.chains import (
    TARGET,
    WITH,
    Chain,
    ChainRun,
    KeySet,
    Vendor,
    build_chain,
    load_make_samples,
    write_policy,
)
from support.cli import Run, run_cli


@pytest.fixture(scope="session")
def make_samples() -> Any:
    return load_make_samples()


@pytest.fixture(scope="session")
def good_chain(
    tmp_path_factory: pytest.TempPathFactory, private_sigstore: Any, make_samples: Any
) -> Chain:
    """The whole chain, signed once per session. Read it; copy it (`chain`) to change it."""
    root = tmp_path_factory.mktemp("good-chain")
    alt_root = tmp_path_factory.mktemp("alt-base")
    rogue = tmp_path_factory.mktemp("rogue-keys")
    vendor = Vendor(private_sigstore, Path(private_sigstore.trust_config_path))
    build_chain(root, alt_root, vendor, make_samples)
    make_samples.KEYS = rogue  # the same generator again: another organisation's PKI
    make_samples.make_keys()
    return Chain(root, KeySet(root / "keys"), KeySet(rogue), vendor, alt_root / "tiny-base")


@pytest.fixture
def chain(good_chain: Chain, tmp_path: Path) -> Chain:
    """A private copy of the good chain, to mutate."""
    return good_chain.copy(tmp_path / "chain")


# -- running the command line in process ---------------------------------------------------


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run `aibom ARGS...` in this process (from `cwd` when given, which stays the working
    directory afterwards): exit code, out, err."""

    def run(*args: object, cwd: Path | None = None) -> Run:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        result = run_cli(*args)
        assert "Traceback" not in result.err
        return result

    return run


@pytest.fixture
def verify_chain(cli: Callable[..., Run]) -> Callable[..., ChainRun]:
    """verify-chain on a chain directory, from its root, with the usual --with list."""

    def run(
        chain: Chain,
        *extra: str,
        policy: Path | str = "policy.yaml",
        target: str = TARGET,
        with_dirs: tuple[str, ...] = WITH,
    ) -> ChainRun:
        if isinstance(policy, str) and not (chain.root / policy).exists():
            write_policy(chain.root, name=policy)
        args: list[object] = ["verify-chain", target, "--policy", policy, "--format", "json"]
        for folder in with_dirs:
            args += ["--with", folder]
        result = cli(*args, *extra, cwd=chain.root)
        assert result.code in (0, 1), result.err
        assert result.err == "", result.err
        data = result.json()
        assert data["verified"] is (result.code == 0)
        return ChainRun(result.code, data["checks"], result.err, data["verified"])

    return run
