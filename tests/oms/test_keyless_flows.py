"""Keyless signing's token flows against the private Sigstore instance and its OIDC issuer:
an explicit token, ambient CI credentials (GitHub Actions' token endpoint), the browser
OAuth flow, its out-of-band variant with a confidential client; and every way to fail is one
line, exit 2."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from model_signing import _cli as ms_cli

from .helpers import assert_one_line_failure, run_cli, run_subprocess, small_model

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"

FAKE_BROWSER = """#!{python}
# Stands in for a browser: follows the OAuth redirects (local server -> issuer -> back).
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=30).read()
"""


def verified_by_model_signing(model: Path, sig: Path, identity: str, issuer: str, trust: Path):
    result = CliRunner().invoke(
        ms_cli.main,
        [
            "verify",
            "sigstore",
            str(model),
            "--signature",
            str(sig),
            "--identity",
            identity,
            "--identity_provider",
            issuer,
            "--trust_config",
            str(trust),
        ],
    )
    return result.exit_code == 0


@pytest.fixture
def github_actions(private_sigstore, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", f"{private_sigstore.oidc_url}/actions/token")
    monkeypatch.setenv(
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN", private_sigstore.oauth.actions_request_token
    )
    return private_sigstore.oauth.workload_identity


def test_ambient_credentials(tmp_path, private_sigstore, github_actions):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "model.sig"
    trust = private_sigstore.trust_config_path
    run = run_cli(
        "sign",
        "sigstore",
        model,
        "--signature",
        sig,
        "--use_ambient_credentials",
        "--trust_config",
        trust,
    )
    assert run.code == 0, run.err
    assert verified_by_model_signing(model, sig, github_actions, GITHUB_ISSUER, trust)
    run = run_cli(
        "verify",
        model,
        "--signature",
        sig,
        "--identity",
        github_actions,
        "--identity-provider",
        GITHUB_ISSUER,
        "--trust-config",
        trust,
    )
    assert run.code == 0, run.err


def test_ambient_credentials_refused(tmp_path, private_sigstore, github_actions, monkeypatch):
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong")
    model = small_model(tmp_path / "model")
    run = run_cli(
        "sign",
        model,
        "--use_ambient_credentials",
        "--trust_config",
        private_sigstore.trust_config_path,
    )
    assert_one_line_failure(run, [2], "ambient credential detection failed")


def test_no_ambient_credentials_and_no_terminal(tmp_path, monkeypatch):
    for name in ("GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "CIRCLECI", "SIGSTORE_ID_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BROWSER", "")
    model = small_model(tmp_path / "model")
    run = run_cli("sign", model, "--use_ambient_credentials", "--oauth_force_oob")
    assert_one_line_failure(run, [2], "no ambient credential found", "--identity-token")


@pytest.mark.parametrize("token", ["not-a-jwt", ""])
def test_bad_explicit_token(token, tmp_path, private_sigstore, monkeypatch):
    monkeypatch.delenv("SIGSTORE_ID_TOKEN", raising=False)
    model = small_model(tmp_path / "model")
    trust = ["--trust_config", private_sigstore.trust_config_path]
    run = run_cli("sign", model, "--identity_token", token, "--oauth_force_oob", *trust)
    assert_one_line_failure(run, [2], "identity token")


def test_expired_token(tmp_path, private_sigstore):
    model = small_model(tmp_path / "model")
    token = private_sigstore.identity_token("a@example.com", issued_at=1_600_000_000)
    run = run_cli(
        "sign",
        model,
        "--identity_token",
        token,
        "--trust_config",
        private_sigstore.trust_config_path,
    )
    assert_one_line_failure(run, [2], "identity token rejected")


def _browser(tmp_path: Path) -> Path:
    path = tmp_path / "fake-browser"
    path.write_text(FAKE_BROWSER.format(python=sys.executable))
    path.chmod(0o755)
    return path


def test_browser_flow(tmp_path, private_sigstore):
    model = small_model(tmp_path / "model")
    trust = private_sigstore.trust_config_path
    private_sigstore.oauth.signed_in = "desk@example.com"
    env = {"BROWSER": str(_browser(tmp_path)), "SIGSTORE_ID_TOKEN": ""}
    run = _subprocess_env(env, "sign", model, "--trust_config", trust, cwd=tmp_path)
    assert run.code == 0, run.err
    assert verified_by_model_signing(
        model, tmp_path / "model.sig", "desk@example.com", private_sigstore.oidc_url, trust
    )


def test_oob_flow_with_a_confidential_client(tmp_path, private_sigstore):
    oauth = private_sigstore.oauth
    oauth.register_client("aibom-ci", "s3cret")
    oauth.signed_in = "oob@example.com"
    model = small_model(tmp_path / "model")
    trust = private_sigstore.trust_config_path
    args = [
        "sign",
        "sigstore",
        str(model),
        "--trust_config",
        str(trust),
        "--oauth_force_oob",
        "--client_id",
        "aibom-ci",
        "--client_secret",
        "s3cret",
    ]
    code, err = _run_with_terminal(args, tmp_path)
    assert code == 0, err
    assert verified_by_model_signing(
        model, tmp_path / "model.sig", "oob@example.com", private_sigstore.oidc_url, trust
    )
    # the same flow with a wrong secret: the issuer refuses the code exchange
    args[-1] = "wrong"
    code, err = _run_with_terminal(args, tmp_path)
    lines = [line for line in err.splitlines() if line.startswith("aibom:")]
    assert code == 2 and len(lines) == 1 and "OAuth flow" in lines[0], err
    assert "Traceback" not in err


def _subprocess_env(env: dict[str, str], *args: object, cwd: Path):
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        return run_subprocess(*args, cwd=cwd)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run_with_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run aibom with a terminal as stdin: open the printed link as the user would, read the
    code the issuer shows, type it."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("SIGSTORE_ID_TOKEN", "BROWSER")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aibom.cli", *args],
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        text=True,
    )
    os.close(slave)
    assert proc.stderr is not None
    seen = []
    try:
        for line in proc.stderr:
            seen.append(line)
            if line.strip().startswith("http://"):
                code = urllib.request.urlopen(line.strip(), timeout=30).read().decode()
                os.write(master, code.encode() + b"\n")
                break
        _, err = proc.communicate(timeout=120)
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, "".join(seen) + err
