"""Which aibom signatures model_signing 1.1.1's CLI can verify, measured against it; the
warning `aibom sign` prints and the refusal of `--compat model-signing-1.1` follow it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from model_signing import _cli as ms_cli

from aibom.oms.compat import model_signing_cli_gaps

from .helpers import assert_one_line_failure, run_cli, small_model

SERIALIZATIONS = [
    (hash_type, shard_size)
    for hash_type in ("sha256", "blake2b", "blake3")
    for shard_size in (None, 1_000_000_000, 1000)
]


def _options(hash_type: str, shard_size: int | None) -> list[str]:
    return ["--hash-type", hash_type] + (["--shard-size", str(shard_size)] if shard_size else [])


@pytest.mark.parametrize(("hash_type", "shard_size"), SERIALIZATIONS)
def test_warning_matches_what_model_signing_verifies(hash_type, shard_size, tmp_path, keypair):
    model = small_model(tmp_path / "model")
    sig = tmp_path / "model.sig"
    options = _options(hash_type, shard_size)
    run = run_cli(
        "sign", model, "--private-key", keypair.private_path, "--signature", sig, *options
    )
    assert run.code == 0, run.err
    assert (
        run_cli("verify", model, "--signature", sig, "--public-key", keypair.public_path).code == 0
    )
    verified = CliRunner().invoke(
        ms_cli.main,
        [
            "verify",
            "key",
            str(model),
            "--signature",
            str(sig),
            "--public_key",
            str(keypair.public_path),
        ],
    )
    gaps = model_signing_cli_gaps(hash_type, shard_size)
    assert (verified.exit_code == 0) is (not gaps), verified.output
    warnings = [line for line in run.err.splitlines() if line.startswith("aibom: warning:")]
    assert len(run.err.splitlines()) == len(warnings) == (1 if gaps else 0)
    refused = run_cli(
        "sign",
        model,
        "--private-key",
        keypair.private_path,
        "--signature",
        tmp_path / "strict.sig",
        "--compat",
        "model-signing-1.1",
        *options,
    )
    if gaps:
        assert_one_line_failure(refused, [2], "--compat model-signing-1.1", gaps[0])
        assert not (tmp_path / "strict.sig").exists()
    else:
        assert refused.code == 0 and refused.err == ""


def test_unknown_compat_target(tmp_path, keypair):
    model = small_model(tmp_path / "model")
    run = run_cli("sign", model, "--private-key", keypair.private_path, "--compat", "cosign")
    assert_one_line_failure(run, [2], "cosign")
