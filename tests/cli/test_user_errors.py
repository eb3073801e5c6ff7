"""What a user sees for the common mistakes: one line that names the real problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import pki
from support.cli import assert_one_line_failure, run_cli, run_subprocess, subprocess_env
from support.models import small_model


def test_sign_refuses_a_link_and_names_the_option(tmp_path: Path, keypair: pki.KeyPair) -> None:
    model = small_model(tmp_path / "model")
    (model / "evil").symlink_to("/etc/passwd")
    run = run_cli("sign", model, "--private-key", keypair.private_path)
    line = assert_one_line_failure(run, 2, "evil is a symbolic link", "--allow-symlinks")
    assert "the signature" not in line  # there is no signature yet when signing
    assert not (model / "model.sig").exists()


def test_scan_of_a_fifo_says_what_it_is(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    run = run_cli("scan", fifo)
    line = assert_one_line_failure(run, 2, "not a regular file or a directory")
    assert "no such file" not in line


def test_python_dash_m_aibom_runs_the_cli(tmp_path: Path, keypair: pki.KeyPair) -> None:
    model = small_model(tmp_path / "model")
    assert run_cli("sign", model, "--private-key", keypair.private_path).code == 0
    proc = subprocess.run(
        [sys.executable, "-m", "aibom", "verify", str(model), "--public-key",
         str(keypair.public_path)],
        capture_output=True, text=True, env=subprocess_env(), timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("verified ")
    assert run_subprocess("verify", model, "--public-key", keypair.public_path).code == 0
