"""`aibom sign` and `aibom verify`: OMS signatures, a drop-in for model_signing's CLI.

Two forms of each. aibom's flag form picks the method from the options given
(`aibom sign MODEL --private-key K`, `aibom verify MODEL --public-key P`). model_signing's
forms name the method as a subcommand (`aibom sign key MODEL --private_key K`) or name none,
which means Sigstore (`aibom sign MODEL`); they keep model_signing's defaults.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from aibom.cli import oms_options as o
from aibom.cli.options import emit_json, format_option, paths, quiet_option, read_file
from aibom.cli.spelling import FlagFormCommand, MethodGroup, option
from aibom.layout import MODEL_SIGNATURE

MODEL_SIGNING_SIGNATURE = Path(MODEL_SIGNATURE)  # model_signing's default, in the working directory


def default_signature(model: str) -> Path:
    """MODEL/model.sig (or MODEL.sig beside a one-file model; for an hf: reference, the
    signature committed in the snapshot); a default that is a symlink out of the model is
    refused rather than followed."""
    from aibom.sources import resolve_source

    return resolve_source(model).default_signature()


def _command(
    name: str,
    options: o.Options,
    callback: Callable[..., None],
    help_text: str,
    cls: type[click.Command] = click.Command,
) -> click.Command:
    def run(**kwargs: Any) -> None:
        callback(**kwargs)

    run.__doc__ = help_text
    func = o.apply([click.argument("model", type=click.Path(), metavar="MODEL_PATH"), *options])(
        run
    )
    return click.command(name, cls=cls)(func)


# -- sign ----------------------------------------------------------------------------------

_SIGN_METHOD_OPTIONS: dict[str, o.Options] = {
    "key": o.private_key(required=True),
    "certificate": [
        *o.private_key(required=True),
        *o.signing_certificate(required=True),
        *o.certificate_chain("Intermediate/root certificates (PEM) to embed. Repeatable."),
    ],
    "sigstore": o.sigstore_signing(with_sigstore_flag=False),
    "pkcs11-key": o.pkcs11_uri(required=True),
    "pkcs11-certificate": [
        *o.pkcs11_uri(required=True),
        *o.signing_certificate(required=True),
        *o.certificate_chain("Intermediate/root certificates (PEM) to embed. Repeatable."),
    ],
}
_SIGN_HELP = {
    "key": "Sign MODEL_PATH with an EC private key (PEM).",
    "certificate": "Sign MODEL_PATH with a private key and its certificate (chain embedded).",
    "sigstore": "Sign MODEL_PATH keyless through Sigstore (model_signing's default method).",
    "pkcs11-key": "Sign MODEL_PATH with a key held in a PKCS#11 token (`pkcs11:` URI).",
    "pkcs11-certificate": "Sign MODEL_PATH with a token-held key and its certificate.",
}


def _sign_common() -> o.Options:
    return [
        o.signature_option("write"),
        *o.model_paths(verify=False),
        *o.serialization(),
        format_option,
        quiet_option,
    ]


def _sign_flag_form() -> click.Command:
    options = [
        *_sign_common(),
        *o.private_key(required=False),
        *o.signing_certificate(required=False),
        *o.certificate_chain("Intermediate/root certificates (PEM) to embed. Repeatable."),
        *o.pkcs11_uri(required=False),
        *o.sigstore_signing(with_sigstore_flag=True),
    ]
    return _command(
        "sign",
        options,
        lambda **kw: _run_sign(None, **kw),
        "Sign MODEL_PATH (a directory or a file) into an OMS v1.0 bundle.\n\n"
        "The method follows the options: --private-key (with --signing-certificate: "
        "certificate), --pkcs11-uri, or --sigstore; with none of them, Sigstore, as in "
        "model_signing.",
        cls=FlagFormCommand,
    )


def _run_sign(method: str | None, model: str, **kw: Any) -> None:
    from aibom.cli.progress import ProgressLine, wanted
    from aibom.cli.signers import choose_sign_method, make_signer
    from aibom.oms.compat import compat_message, model_signing_cli_gaps
    from aibom.oms.sign import sign_model

    aibom_form = method is None and any(
        kw.get(k) for k in ("private_key", "pkcs11_uri", "use_sigstore")
    )
    method = method or choose_sign_method(kw)
    gaps = model_signing_cli_gaps(kw["hash_type"], kw["shard_size"])
    if gaps and kw["compat"]:
        raise click.UsageError(f"--compat {kw['compat']}: {compat_message(gaps)}")
    signer = make_signer(method, kw)
    if kw["signature"]:
        out = Path(kw["signature"])
    else:
        out = default_signature(model) if aibom_form else MODEL_SIGNING_SIGNATURE
    with ProgressLine("hashing", enabled=wanted(kw["quiet"], kw["output_format"])) as line:
        parsed = sign_model(
            Path(model),
            out,
            signer,
            hash_type=kw["hash_type"],
            shard_size=kw["shard_size"],
            ignore_paths=paths(kw["ignore_paths"]),
            allow_symlinks=kw["allow_symlinks"],
            ignore_git_paths=kw["ignore_git_paths"],
            tick=line.tick if line.enabled else None,
        )
    if gaps:
        click.echo(f"aibom: warning: {compat_message(gaps)}", err=True)
    sig = parsed.signature
    if kw["output_format"] == "json":
        from aibom.oms.facts import signature_facts

        emit_json({"signature": str(out), **signature_facts(sig)})
    else:
        click.echo(
            f"signed {model}: {len(sig.resources)} resources, "
            f"root sha256:{sig.root_digest} -> {out}"
        )


sign = MethodGroup(
    "sign",
    flag_form=_sign_flag_form(),
    subcommand_metavar="[METHOD]",
    help="Sign a model into an OMS v1.0 bundle.",
)
for _method in o.SIGN_METHODS:
    sign.add_command(
        _command(
            _method,
            [*_sign_common(), *_SIGN_METHOD_OPTIONS[_method]],
            lambda _m=_method, **kw: _run_sign(_m, **kw),
            _SIGN_HELP[_method]
            + " Defaults as in model_signing: --signature model.sig in the working directory.",
        )
    )


# -- verify --------------------------------------------------------------------------------


def _verify_common() -> o.Options:
    return [
        o.signature_option("verify"),
        *o.model_paths(verify=True),
        option(
            "--only",
            multiple=True,
            metavar="PATTERN",
            help="Check only signed files matching this glob (e.g. the shards about to be "
            "loaded); the rest are reported as not checked. Repeatable.",
        ),
        option("--no-cache", is_flag=True, help="Hash every file; do not use the digest cache."),
        format_option,
        quiet_option,
    ]


_VERIFY_HELP = {
    "key": "Verify MODEL_PATH with an EC public key.",
    "certificate": "Verify MODEL_PATH's certificate chain up to the given roots.",
    "sigstore": "Verify MODEL_PATH's keyless Sigstore signature offline (identity + issuer).",
}


def _verify_flag_form() -> click.Command:
    trust = o.verify_trust(required=False)
    return _command(
        "verify",
        [*_verify_common(), *trust["key"], *trust["certificate"], *trust["sigstore"]],
        lambda **kw: _run_verify(None, **kw),
        "Verify MODEL_PATH against its OMS signature. Exit 0 verified, 1 failed, 2 bad input.\n\n"
        "Trust: --public-key, --certificate-chain, or --identity with --identity-provider.",
        cls=FlagFormCommand,
    )


def _run_verify(method: str | None, model: str, **kw: Any) -> None:
    from aibom.cli.progress import ProgressLine, wanted
    from aibom.cli.signers import make_trust
    from aibom.oms.cache import DigestCache
    from aibom.oms.facts import verification_facts
    from aibom.oms.verify import check_signed_model

    if kw["signature"]:
        sig_path = Path(kw["signature"])
    else:
        sig_path = MODEL_SIGNING_SIGNATURE if method else default_signature(model)
    trust = make_trust(method, kw)
    with ProgressLine("verifying", enabled=wanted(kw["quiet"], kw["output_format"])) as line:
        result = check_signed_model(
            Path(model),
            sig_path,
            trust,
            ignore_paths=paths(kw["ignore_paths"]),
            ignore_unsigned_files=kw["ignore_unsigned_files"],
            allow_symlinks=kw["allow_symlinks"],
            ignore_git_paths=kw["ignore_git_paths"],
            only=kw["only"] or None,
            cache=None if kw["no_cache"] else DigestCache(),
            tick=line.tick if line.enabled else None,
        )
    if kw.get("log_fingerprints"):
        for fingerprint_line in _fingerprints(sig_path):
            click.echo(fingerprint_line, err=True)
    if kw["output_format"] == "json":
        emit_json(verification_facts(result, model, str(sig_path)))
    elif not result.ok:
        click.echo(f"FAILED {model}: {result.reason()}", err=True)
    elif result.partial:
        click.echo(
            f"partially verified {model}: {result.checked} resources match, "
            f"{len(result.not_checked)} files not checked, {_who(result.signature)}"
        )
    else:
        click.echo(f"verified {model}: {result.checked} resources match, {_who(result.signature)}")
    sys.exit(0 if result.ok else 1)


def _fingerprints(sig_path: Path) -> list[str]:
    """model_signing's --log_fingerprints: the SHA-256 of each certificate in the bundle."""
    import hashlib

    from aibom.oms.bundle import parse_bundle

    parsed = parse_bundle(read_file(str(sig_path), "signature"), source=str(sig_path))
    return [
        f"certificate {i}: sha256:{hashlib.sha256(der).hexdigest()}"
        for i, der in enumerate(parsed.certificates)
    ]


def _who(sig: Any) -> str:
    signer = sig.signer
    if signer.method == "sigstore":
        return f"signed by {signer.identity} ({signer.issuer})"
    if signer.method == "certificate":
        return f"signed by certificate sha256:{signer.certificate_fingerprint}"
    return "signed by the given key"


verify = MethodGroup(
    "verify",
    flag_form=_verify_flag_form(),
    subcommand_metavar="[METHOD]",
    help="Verify a model against its OMS signature.",
)
for _method in o.VERIFY_METHODS:
    verify.add_command(
        _command(
            _method,
            [*_verify_common(), *o.verify_trust(required=True)[_method]],
            lambda _m=_method, **kw: _run_verify(_m, **kw),
            _VERIFY_HELP[_method]
            + " Exit 0 verified, 1 failed, 2 bad input. Default --signature: model.sig in "
            "the working directory, as in model_signing.",
        )
    )
