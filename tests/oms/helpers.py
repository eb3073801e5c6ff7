"""Shared helpers for the OMS tests: run the CLI, build models and statements, copy vectors."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom.cli import main

MT_KEYS = ("ca-cert.pem", "int-ca-cert.pem", "signing-key-cert.pem", "signing-key-pub.pem")
SIGSTORE_IDENTITY = "stefanb@us.ibm.com"
SIGSTORE_ISSUER = "https://sigstore.verify.ibm.com/oauth2"
# model_signing's own test data; the README says how each one verifies.
MT_VECTORS = (
    "v0.2.0-certificate",
    "v0.3.1-certificate",
    "v0.3.1-elliptic-key",
    "v0.3.1-sigstore",
    "v1.0.0-certificate",
    "v1.0.0-elliptic-key",
    "v1.0.0-sigstore",
    "v1.0.1-certificate",
    "v1.0.1-elliptic-key",
    "v1.0.1-sigstore",
    "v1.1.0-certificate",
    "v1.1.0-elliptic-key",
    "v1.1.0-sigstore",
)
SINGLE_FILE_VECTORS = ("v0.3.1-elliptic-key", "v1.0.0-elliptic-key")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.out)


def _code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 2


def run_cli(*args: object) -> Run:
    """`aibom ARGS` in this process through `aibom.cli.main` (the console entry point)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = _code(exc)
    return Run(code, out.getvalue(), err.getvalue())


def run_subprocess(*args: object, cwd: Path | None = None) -> Run:
    """`python -m aibom.cli ARGS` in a fresh interpreter: the real exit code and stderr."""
    env = {k: v for k, v in os.environ.items() if k != "AIBOM_DEBUG"}
    proc = subprocess.run(
        [sys.executable, "-m", "aibom.cli", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_one_line_failure(run: Run, codes: Sequence[int], *needles: str) -> str:
    """The run failed with one of `codes`, wrote exactly one line on stderr, no traceback, no
    internal error, and that line names every needle. Returns the line."""
    assert run.code in codes, f"exit {run.code}, expected {codes}; stderr={run.err!r}"
    lines = run.err.splitlines()
    assert len(lines) == 1, f"stderr is not one line: {run.err!r}"
    line = lines[0]
    assert "Traceback" not in run.err
    assert "internal error" not in line, line
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    return line


def copy_writable(src: Path, dst: Path) -> Path:
    """Copy a read-only vector directory and make the copy writable."""
    shutil.copytree(src, dst)
    for path in [dst, *dst.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR | (stat.S_IXUSR if path.is_dir() else 0))
    return dst


def flip_byte(path: Path, offset: int = 0) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def make_model(root: Path, files: dict[str, bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def small_model(root: Path) -> Path:
    """A few KB of files, one of them empty, one in a subdirectory."""
    return make_model(
        root,
        {
            "weights.bin": bytes(range(256)) * 12 + b"tail",  # 3076 bytes
            "config.json": b'{"layers": 2, "hidden": 64}',
            "empty.txt": b"",
            "sub/tokenizer.json": b'{"vocab": ["a", "b", "c"]}' * 50,
        },
    )


def bundle_payload(sig_path: Path) -> dict[str, Any]:
    """The in-toto statement inside a bundle file (not verified)."""
    bundle = json.loads(sig_path.read_text())
    return json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))


def statement(
    resources: list[dict[str, str]],
    *,
    serialization: dict[str, Any] | None = None,
    name: str = "model",
) -> dict[str, Any]:
    """An OMS v1.0 statement over `resources` with a correct root digest (listed order)."""
    root = hashlib.sha256(b"".join(bytes.fromhex(r["digest"]) for r in resources)).hexdigest()
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": root}}],
        "predicateType": "https://model_signing/signature/v1.0",
        "predicate": {
            "serialization": serialization
            or {"method": "files", "hash_type": "sha256", "allow_symlinks": False},
            "resources": resources,
        },
    }


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
