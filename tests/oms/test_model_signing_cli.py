"""model_signing 1.1.1's command lines, run unchanged with `aibom` as the program name.

The surface is read from model_signing's own click command tree, not listed by hand: every
command (with the method named, and bare `sign`/`verify` meaning Sigstore) and every spelling
of every option must parse in aibom to the same value model_signing parses. Then the
main flows run end to end with both programs, each verifying what the other signed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from model_signing import _cli as ms_cli

from aibom.cli import cli as aibom_cli

from .helpers import assert_one_line_failure, bundle_payload, flip_byte, run_cli, small_model

ID, ISSUER = "ci@example.com", "https://issuer.example.com"


def ms_commands() -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """(command path, command) for every leaf of model_signing's CLI, plus the bare group
    forms, which model_signing resolves to its `sigstore` subcommand."""
    for group_name, group in sorted(ms_cli.main.commands.items()):
        assert isinstance(group, click.Group)
        for name, command in sorted(group.commands.items()):
            yield (group_name, name), command
        yield (group_name,), group.commands["sigstore"]


def sample(param: click.Option) -> list[str]:
    if param.is_flag:
        return []
    if isinstance(param.type, click.Choice):
        return [str(param.type.choices[-1])]
    return ["x.pem" if "key" in (param.name or "") else "some-value"]


def required_args(command: click.Command, skip: click.Option) -> list[str]:
    args: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option) and param.required and param is not skip:
            args += [param.opts[0], *sample(param)]
    return args


def ms_option_lines() -> Iterator[tuple[tuple[str, ...], list[str], str]]:
    """(path, argv after the path, the model_signing parameter set) for every spelling."""
    for path, command in ms_commands():
        for param in command.params:
            if not isinstance(param, click.Option) or param.name == "help":
                continue
            for spelling in (*param.opts, *param.secondary_opts):
                argv = ["MODEL", spelling, *sample(param), *required_args(command, param)]
                yield path, argv, str(param.name)


def normalized(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return tuple(normalized(v) for v in value)
    if isinstance(value, Path):
        return str(value)
    return value


def parse_ms(path: tuple[str, ...], argv: list[str]) -> dict[str, Any]:
    group = ms_cli.main.commands[path[0]]
    assert isinstance(group, click.Group)
    command = group.commands[path[1] if len(path) > 1 else "sigstore"]
    with command.make_context(path[-1], list(argv)) as ctx:
        return dict(ctx.params)


def parse_aibom(path: tuple[str, ...], argv: list[str]) -> dict[str, Any]:
    parent = click.Context(aibom_cli, info_name="aibom")
    group = aibom_cli.get_command(parent, path[0])  # commands are loaded on demand
    assert isinstance(group, click.Group)
    name, command, args = group.resolve_command(
        click.Context(group, parent=parent), [*path[1:], *argv]
    )
    assert command is not None and name is not None
    with command.make_context(name, list(args)) as ctx:
        return dict(ctx.params)


OPTION_LINES = list(ms_option_lines())


def test_the_surface_is_all_of_model_signing():
    commands = list(ms_commands())
    assert {p for p, _ in commands} == {
        ("sign",),
        ("verify",),
        *(("sign", m) for m in ("key", "certificate", "sigstore", "pkcs11-key")),
        ("sign", "pkcs11-certificate"),
        *(("verify", m) for m in ("key", "certificate", "sigstore")),
    }
    assert len(OPTION_LINES) > 80  # every spelling of every option of every form


@pytest.mark.parametrize(
    ("path", "argv", "name"), OPTION_LINES, ids=[" ".join((*p, a[1])) for p, a, _ in OPTION_LINES]
)
def test_every_option_parses_to_the_same_value(path, argv, name):
    expected = parse_ms(path, argv)
    got = parse_aibom(path, argv)
    assert normalized(got["model"]) == normalized(expected["model_path"])
    assert normalized(got[name]) == normalized(expected[name]), name


def test_group_options():
    with aibom_cli.make_context("aibom", ["--log-level", "debug", "verify"]) as ctx:
        assert ctx.params["log_level"] == "DEBUG"
    root = {p.name for p in ms_cli.main.params} - {"help"}
    assert root <= {p.name for p in aibom_cli.params}
    assert run_cli("--version").code == 0
    assert_one_line_failure(run_cli("--log-level", "LOUD", "verify"), [2], "LOUD")


# -- end to end: the same command line with both programs ---------------------------------


def ms(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(ms_cli.main, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture
def in_tmp(tmp_path: Path) -> Iterator[Path]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def test_key_lines(in_tmp, keypair):
    model = small_model(in_tmp / "model")
    line = ["sign", "key", "model", "--private_key", keypair.private_path]
    assert run_cli(*line).code == 0
    assert (in_tmp / "model.sig").is_file()  # model_signing's default: the working directory
    verify = ["verify", "key", "model", "--signature", "model.sig"]
    assert ms(*verify, "--public_key", keypair.public_path)[0] == 0
    assert run_cli(*verify, "--public_key", keypair.public_path).code == 0
    assert ms(*line, "--signature", "ms.sig")[0] == 0
    assert (
        run_cli(
            "verify", "key", "model", "--signature", "ms.sig", "--public_key", keypair.public_path
        ).code
        == 0
    )
    flip_byte(model / "weights.bin")
    assert ms(*verify, "--public_key", keypair.public_path)[0] == 1
    assert_one_line_failure(
        run_cli(*verify, "--public_key", keypair.public_path), [1], "weights.bin"
    )


def test_certificate_lines(in_tmp, chain):
    small_model(in_tmp / "model")
    sign = ["sign", "certificate", "model", "--private_key", chain.leaf_key_path]
    sign += [
        "--signing_certificate",
        chain.leaf_path,
        "--certificate_chain",
        chain.intermediate_path,
    ]
    verify = ["verify", "certificate", "model", "--certificate_chain", chain.root_path]
    assert run_cli(*sign, "--signature", "a.sig").code == 0
    assert ms(*verify, "--signature", "a.sig")[0] == 0
    assert ms(*sign, "--signature", "m.sig")[0] == 0
    run = run_cli(*verify, "--signature", "m.sig", "--log_fingerprints")
    assert run.code == 0
    assert run.err.count("certificate ") == 2 and "sha256:" in run.err


def test_sigstore_lines(in_tmp, private_sigstore):
    small_model(in_tmp / "model")
    token = private_sigstore.identity_token(ID, ISSUER)
    trust = ["--trust_config", private_sigstore.trust_config_path]
    verify = ["--identity", ID, "--identity_provider", ISSUER, *trust]
    # bare `sign` means sigstore; the signature lands in the working directory
    assert run_cli("sign", "model", "--identity_token", token, *trust).code == 0
    assert (in_tmp / "model.sig").is_file() and not (in_tmp / "model" / "model.sig").exists()
    assert ms("verify", "model", "--signature", "model.sig", *verify)[0] == 0
    assert (
        ms("sign", "sigstore", "model", "--signature", "ms.sig", "--identity_token", token, *trust)[
            0
        ]
        == 0
    )
    assert run_cli("verify", "model", "--signature", "ms.sig", *verify).code == 0
    assert run_cli("verify", "sigstore", "model", "--signature", "ms.sig", *verify).code == 0
    run = run_cli(
        "verify",
        "sigstore",
        "model",
        "--signature",
        "ms.sig",
        *verify[2:],
        "--identity",
        "mallory@example.com",
    )
    assert_one_line_failure(run, [1], "wrong identity")


def test_use_staging_verifies_against_the_staging_root(mt_vectors):
    model = mt_vectors / "v1.1.0-sigstore"
    args = ["--signature", model / "model.sig"]
    facts = bundle_payload(model / "model.sig")
    assert facts["predicate"]["resources"]
    production = run_cli(
        "verify",
        "sigstore",
        model,
        *args,
        "--identity",
        "stefanb@us.ibm.com",
        "--identity_provider",
        "https://sigstore.verify.ibm.com/oauth2",
    )
    assert production.code == 0, production.err
    staging = run_cli(
        "verify",
        "sigstore",
        model,
        *args,
        "--identity",
        "stefanb@us.ibm.com",
        "--identity_provider",
        "https://sigstore.verify.ibm.com/oauth2",
        "--use_staging",
    )
    assert_one_line_failure(staging, [1], "Sigstore verification failed")


def test_git_paths(in_tmp, keypair):
    model = small_model(in_tmp / "model")
    (model / ".git").mkdir()
    (model / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (model / ".gitattributes").write_text("*.bin filter=lfs\n")
    for flag in ("--ignore-git-paths", "--no-ignore-git-paths"):
        key = ["--private_key", keypair.private_path]
        assert run_cli("sign", "key", "model", "--signature", "a.sig", flag, *key).code == 0
        assert ms("sign", "key", "model", "--signature", "m.sig", flag, *key)[0] == 0
        ours, theirs = bundle_payload(in_tmp / "a.sig"), bundle_payload(in_tmp / "m.sig")
        assert ours["predicate"]["resources"] == theirs["predicate"]["resources"]
        ours_ignored = set(ours["predicate"]["serialization"].get("ignore_paths", []))
        theirs_ignored = set(theirs["predicate"]["serialization"].get("ignore_paths", []))
        assert (
            ours_ignored - {"model.sig", "lineage.sig", "upstream.sig", "upstream-lineage.sig"}
            == theirs_ignored
        )
        names = {r["name"] for r in ours["predicate"]["resources"]}
        assert (".git/HEAD" in names) is (flag == "--no-ignore-git-paths")
        verify = ["verify", "key", "model", "--signature", "m.sig", flag]
        assert run_cli(*verify, "--public_key", keypair.public_path).code == 0


def test_ignore_paths_and_exit_codes(in_tmp, keypair):
    model = small_model(in_tmp / "model")
    line = [
        "sign",
        "key",
        "model",
        "--private_key",
        keypair.private_path,
        "--ignore-paths",
        "model/sub",
    ]
    assert run_cli(*line).code == 0
    assert "sub/tokenizer.json" not in json.dumps(bundle_payload(in_tmp / "model.sig"))
    (model / "sub" / "tokenizer.json").write_text("changed")
    verify = [
        "verify",
        "key",
        "model",
        "--signature",
        "model.sig",
        "--public_key",
        keypair.public_path,
    ]
    assert ms(*verify)[0] == run_cli(*verify).code == 0
    (model / "extra.txt").write_text("new")
    assert ms(*verify)[0] == run_cli(*verify).code == 1
    assert ms(*verify, "--ignore_unsigned_files")[0] == 0
    assert run_cli(*verify, "--ignore_unsigned_files").code == 0
    # a missing required option is a usage error in both
    assert ms("sign", "key", "model")[0] == run_cli("sign", "key", "model").code == 2


def test_staging_trust_config_is_embedded():
    """--use_staging needs no TUF refresh: the staging documents ship inside sigstore (the
    conftest guard fails any connection off the loopback interface)."""
    from aibom.oms.keyless import signing_trust_config, trust_root_for

    staging = signing_trust_config(None, True)
    assert staging.signing_config.get_oidc_url() == "https://oauth2.sigstage.dev/auth"
    staging_ca = staging.trusted_root.get_fulcio_certs()
    production_ca = trust_root_for(None, False).get_fulcio_certs()
    assert staging_ca and not set(staging_ca) & set(production_ca)
    assert trust_root_for(None, True).get_fulcio_certs() == staging_ca
