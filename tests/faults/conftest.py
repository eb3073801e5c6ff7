"""Fixtures for the fault tests: a small key-signed model and an in-process CLI runner."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from aibom.cli import run


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    def one_line_error(self, code: int, *needles: str) -> None:
        """Exit `code`, nothing on stdout, exactly one line on stderr holding every needle,
        no traceback and no temporary file name."""
        assert self.code == code, (self.code, self.out, self.err)
        assert self.err.count("\n") == 1 and self.err.startswith("aibom: "), self.err
        assert "Traceback" not in self.err and ".aibom-partial" not in self.err
        for needle in needles:
            assert needle in self.err, (needle, self.err)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    def invoke(*argv: object) -> Outcome:
        code = run([str(a) for a in argv])
        out, err = capsys.readouterr()
        return Outcome(int(code), out, err)

    return invoke


@dataclass(frozen=True)
class Keys:
    private: Path
    public: Path


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    folder = tmp_path_factory.mktemp("fault-keys")
    key = ec.generate_private_key(ec.SECP256R1())
    private = folder / "key.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public = folder / "key.pub"
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return Keys(private, public)


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
def signed(model: Path, keys: Keys, cli) -> Path:  # type: ignore[no-untyped-def]
    outcome = cli("sign", model, "--private-key", keys.private)
    assert outcome.code == 0, outcome
    return model


def aibom_command() -> list[str]:
    """`aibom` as a subprocess, with this checkout's code."""
    return [sys.executable, "-c", "from aibom.cli import main; main()"]


def subprocess_env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
