"""The fault cases of issue 12, one test each: what aibom does when the input, the output
location or the environment is not what it should be. Each is one line on stderr and the
documented exit code (aibom.errors.ExitCode)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from support import pki

from aibom.oms import sign as signing
from aibom.oms.hashing import manifest_resources
from aibom.oms.model import Serialization
from aibom.oms.tree import IgnoreSet, enumerate_model


def test_a_fifo_as_signature_is_refused_at_once(signed: Path, keypair: pki.KeyPair, tmp_path: Path,
                                                cli) -> None:  # type: ignore[no-untyped-def]
    """Nobody writes to the FIFO: a blocking open would hang this test (and aibom) forever."""
    fifo = tmp_path / "sig.fifo"
    os.mkfifo(fifo)
    cli("verify", signed, "--public-key", keypair.public_path, "--signature", fifo).one_line_error(
        2, f"cannot read signature {fifo}: it is a FIFO, not a regular file")


@pytest.mark.parametrize("what", ["--public-key", "--policy"])
def test_a_fifo_as_key_or_policy_is_refused(signed: Path, keypair: pki.KeyPair, tmp_path: Path,
                                            what: str, cli) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "x.fifo"
    os.mkfifo(fifo)
    if what == "--public-key":
        outcome = cli("verify", signed, "--public-key", fifo)
    else:
        outcome = cli("verify-chain", signed, "--policy", fifo)
    outcome.one_line_error(2, "it is a FIFO, not a regular file")


def _sign_statement(model: Path, keypair: pki.KeyPair, statement: bytes, where: Path) -> None:
    bundle = signing.sign_payload(statement, signing.KeySigner(keypair.private_path.read_bytes()))
    where.write_text(json.dumps(bundle))


@pytest.mark.parametrize("ignore_unsigned", [True, False])
def test_a_signature_covering_no_files_fails(model: Path, keypair: pki.KeyPair,
                                             ignore_unsigned: bool, cli) -> None:  # type: ignore[no-untyped-def]
    payload = signing.statement_payload(model, Serialization(), [])
    _sign_statement(model, keypair, payload, model / "model.sig")
    flags = ["--ignore-unsigned-files"] if ignore_unsigned else []
    outcome = cli("verify", model, "--public-key", keypair.public_path, *flags)
    assert outcome.code == 1 and "the signature covers no files" in outcome.err
    assert "verified" not in outcome.out


@pytest.mark.parametrize("change", ["_type", "predicateType"])
def test_a_signed_payload_that_is_not_an_oms_statement_fails_verification(
    model: Path, keypair: pki.KeyPair, change: str, cli  # type: ignore[no-untyped-def]
) -> None:
    """Well-formed and correctly signed, but not an OMS statement: a failed verification
    (exit 1), as the OMS spec's invalid-payload vectors and model_signing have it."""
    files = enumerate_model(model, allow_symlinks=False,
                            ignore=IgnoreSet(model, relative=("model.sig",)))
    resources = manifest_resources(files, Serialization())
    statement = json.loads(signing.statement_payload(model, Serialization(), resources))
    statement[change] = "https://example.com/not-oms/v1"
    _sign_statement(model, keypair, json.dumps(statement).encode(), model / "model.sig")
    cli("verify", model, "--public-key", keypair.public_path).one_line_error(
        1, "verification failed", "not an in-toto Statement v1" if change == "_type"
        else "unsupported predicateType")


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600)])
def test_written_files_honour_the_umask(model: Path, keypair: pki.KeyPair, tmp_path: Path,
                                        umask: int, mode: int, cli) -> None:  # type: ignore[no-untyped-def]
    old = os.umask(umask)
    try:
        assert cli("sign", model, "--private-key", keypair.private_path).code == 0
        assert cli("build", model, "-o", tmp_path / "aibom.cdx.json").code == 0
    finally:
        os.umask(old)
    for written in (model / "model.sig", tmp_path / "aibom.cdx.json"):
        assert stat.S_IMODE(written.stat().st_mode) == mode, written


@pytest.mark.parametrize("command", ["build", "graph", "sign", "attest"])
def test_writing_into_a_missing_directory(signed: Path, keypair: pki.KeyPair, tmp_path: Path,
                                          command: str, cli) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "missing" / "out.json"
    argv = {
        "build": ["build", signed, "-o", target],
        "graph": ["graph", "--db", tmp_path / "db.sqlite", "-o", target],
        "sign": ["sign", signed, "--private-key", keypair.private_path, "--signature", target],
        "attest": ["attest", signed, "--relation", "finetune", "--parent", signed,
                   "--private-key", keypair.private_path, "--signature", target],
    }[command]
    if command == "graph":
        assert cli("build", signed, "-o", tmp_path / "a.cdx.json").code == 0
        assert cli("ingest", tmp_path / "a.cdx.json", "--db", tmp_path / "db.sqlite").code == 0
    outcome = cli(*argv)
    outcome.one_line_error(
        2, f"cannot write {target}: the directory {target.parent} does not exist")
    assert not target.parent.exists()


def test_a_fifo_at_the_output_path_is_refused(signed: Path, tmp_path: Path,
                                              cli) -> None:  # type: ignore[no-untyped-def]
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    cli("build", signed, "-o", fifo).one_line_error(2, "it is a FIFO, not a regular file")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_an_internal_bug_exits_3(monkeypatch: pytest.MonkeyPatch,
                                 cli) -> None:  # type: ignore[no-untyped-def]
    import aibom.cli

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(aibom.cli.cli, "main", broken)
    monkeypatch.delenv("AIBOM_DEBUG", raising=False)
    run = cli("--version")  # the one-line check refuses "internal error"; this test wants it
    assert run.code == 3 and len(run.err.splitlines()) == 1 and "Traceback" not in run.err
    assert "internal error (a bug in aibom" in run.err and "ZeroDivisionError" in run.err


def test_keyless_token_is_checked_before_any_network_call(
    model: Path, monkeypatch: pytest.MonkeyPatch, cli  # type: ignore[no-untyped-def]
) -> None:
    from sigstore.models import ClientTrustConfig

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was used before the token was checked")

    monkeypatch.setattr(ClientTrustConfig, "production", no_network)
    cli("sign", model, "--sigstore", "--identity-token", "not-a-jwt").one_line_error(
        2, "identity token rejected")


def test_keyless_without_network_is_one_clear_line(model: Path, monkeypatch: pytest.MonkeyPatch,
                                                   cli) -> None:  # type: ignore[no-untyped-def]
    """What sigstore raises when its TUF refresh cannot reach the network."""
    from sigstore.errors import TUFError
    from sigstore.models import ClientTrustConfig

    from tests.sigstore_instance.oidc import OIDCProvider

    def offline(*args: object, **kwargs: object) -> None:
        raise TUFError("Failed to refresh TUF metadata")

    monkeypatch.setattr(ClientTrustConfig, "production", offline)
    token = OIDCProvider().mint("someone@example.com", "https://issuer.example")
    cli("sign", model, "--sigstore", "--identity-token", token).one_line_error(
        2, "keyless signing cannot fetch the Sigstore trust configuration",
        "needs network access")


@pytest.mark.parametrize("errno_", [28, 30])  # ENOSPC, EROFS wherever they surface
def test_out_of_space_anywhere_is_a_user_error(errno_: int, monkeypatch: pytest.MonkeyPatch,
                                               cli) -> None:  # type: ignore[no-untyped-def]
    import aibom.cli

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno_, os.strerror(errno_), "/somewhere/file")

    monkeypatch.setattr(aibom.cli.cli, "main", full)
    cli("--version").one_line_error(2, f"aibom: error: /somewhere/file: {os.strerror(errno_)}")
