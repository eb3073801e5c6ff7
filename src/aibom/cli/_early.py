"""Start a verification's (or a signature's) hashing before click and the rest are imported.

`aibom verify` spends its first tens of milliseconds importing; the model could be hashing
meanwhile. This reads the command line the way the `verify` command will (only the plain
spellings of its options: anything else starts nothing), and starts the bundle reading and
hashing thread (aibom.oms.pipeline). The command later asks for the work with the request it
built from click's parse; the work is used only if both requests are equal, so a misread
command line costs time, never a wrong verdict.
"""

from __future__ import annotations

import os

from aibom.layout import MODEL_SIGNATURE  # no imports of its own: cheap here
from aibom.oms import survey  # light: what it needs is imported after the fork

# the method words of model_signing's form, as aibom.cli.oms_options declares them (that
# module loads click; tests/oms/test_pipeline.py checks the two agree)
SIGN_METHODS = ("key", "certificate", "sigstore", "pkcs11-key", "pkcs11-certificate")
VERIFY_METHODS = ("key", "certificate", "sigstore")

_VALUE_OPTIONS: dict[str, str | None] = {
    "--signature": "signature",
    "--public-key": None,
    "--public_key": None,
    "--certificate-chain": None,
    "--certificate_chain": None,
    "--identity": None,
    "--identity-provider": None,
    "--identity_provider": None,
    "--trust-config": None,
    "--trust_config": None,
    "--ignore-paths": "ignore_paths",
    "--ignore_paths": "ignore_paths",
    "--only": "only",
    "--format": None,
}
_SIGN_VALUE_OPTIONS: dict[str, str | None] = {
    "--signature": "signature",
    "--private-key": "aibom_form",
    "--private_key": "aibom_form",
    "--pkcs11-uri": "aibom_form",
    "--pkcs11_uri": "aibom_form",
    "--password": None,
    "--signing-certificate": None,
    "--signing_certificate": None,
    "--certificate-chain": None,
    "--certificate_chain": None,
    "--identity-token": None,
    "--identity_token": None,
    "--trust-config": None,
    "--trust_config": None,
    "--hash-type": "hash_type",
    "--hash_type": "hash_type",
    "--shard-size": "shard_size",
    "--shard_size": "shard_size",
    "--ignore-paths": "ignore_paths",
    "--ignore_paths": "ignore_paths",
    "--format": None,
}
_SIGN_FLAGS = {
    "--quiet": "",
    "--no-ignore-git-paths": "no_git",
    "--ignore-git-paths": "",
    "--sigstore": "aibom_form",
    "--allow-symlinks": "allow_symlinks",
    "--allow_symlinks": "allow_symlinks",
}
_FLAGS: dict[str, str] = {
    "--ignore-unsigned-files": "ignore_unsigned_files",
    "--ignore_unsigned_files": "ignore_unsigned_files",
    "--allow-symlinks": "allow_symlinks",
    "--allow_symlinks": "allow_symlinks",
    "--no-ignore-unsigned-files": "",
    "--no-ignore-git-paths": "no_git",
    "--ignore-git-paths": "",
    "--log-fingerprints": "",
    "--log_fingerprints": "",
    "--no-cache": "no_cache",
    "--quiet": "",
}


def start_early_work(argv: list[str]) -> None:
    """Start the hashing of a plain `verify MODEL ...` or `sign MODEL ...` on a thread (not
    for an `hf:` reference, which needs the cache looked up first)."""
    if len(argv) > 1 and argv[1].startswith("hf:"):
        return
    if argv[:1] == ["verify"]:
        start_verification(argv)
    elif argv[:1] == ["sign"]:
        start_signing(argv)


def start_signing(argv: list[str]) -> None:
    """If `argv` is a plain `sign [METHOD] MODEL [options]`, start its hashing on a thread."""
    read = _read(argv, "sign", SIGN_METHODS, _SIGN_VALUE_OPTIONS, _SIGN_FLAGS,
                 ("signature", "hash_type", "shard_size"))
    if read is None:
        return
    method_form, model, values, flags = read
    if "signature" in values:
        signature: str | None = values["signature"][0]
    elif not method_form and ("aibom_form" in values or "aibom_form" in flags):
        signature = _default_signature(model)
    else:  # model_signing's form: model.sig in the working directory
        signature = MODEL_SIGNATURE
    shard = values.get("shard_size", [None])[0]
    if signature is None or (shard is not None and not shard.isdigit()):
        return
    hash_type = values.get("hash_type", ["sha256"])[0]
    ignore_paths = tuple(os.path.abspath(p) for p in values.get("ignore_paths", []))
    model, signature = os.path.abspath(model), os.path.abspath(signature)
    git, links = "no_git" not in flags, "allow_symlinks" in flags
    helper = None
    if hash_type == survey.HASH_TYPE:  # forked before click and the rest, while they load
        from aibom.layout import EVIDENCE_FILES

        helper = survey.start(
            survey.SurveyRequest(model, EVIDENCE_FILES, (*ignore_paths, signature), git, links)
        )
    from aibom.oms import pipeline

    request = pipeline.SignRequest(
        model,
        signature,
        hash_type,
        int(shard) if shard is not None else None,
        ignore_paths,
        links,
        git,
        None,
    )
    pipeline.start_early_signing(request, helper)


def start_verification(argv: list[str]) -> None:
    """If `argv` is a plain `verify [METHOD] MODEL [options]`, start its work on a thread."""
    read = _read(argv, "verify", VERIFY_METHODS, _VALUE_OPTIONS, _FLAGS, ("signature",))
    if read is None:
        return
    method_form, model, values, flags = read
    signature: str | None
    if "signature" in values:
        signature = values["signature"][0]
    else:  # model_signing's form: model.sig in the working directory
        signature = MODEL_SIGNATURE if method_form else _default_signature(model)
    if signature is None:
        return
    ignore_paths = tuple(os.path.abspath(p) for p in values.get("ignore_paths", []))
    model, signature = os.path.abspath(model), os.path.abspath(signature)
    git, links = "no_git" not in flags, "allow_symlinks" in flags
    only = values.get("only")
    helper = None
    if not only:  # forked before click and the rest, while they load
        helper = survey.start(
            survey.SurveyRequest(model, (), (*ignore_paths, signature), git, links)
        )
    from aibom.oms import pipeline

    cache_path = None
    if "no_cache" not in flags:
        from aibom.oms.cache import default_path

        cache_path = str(default_path())
    request = pipeline.VerifyRequest(
        model,
        signature,
        ignore_paths,
        "ignore_unsigned_files" in flags,
        links,
        git,
        tuple(only) if only else None,
        cache_path,
        None,
    )
    pipeline.start_early(request, helper)


def _read(
    argv: list[str],
    verb: str,
    methods: tuple[str, ...],
    value_options: dict[str, str | None],
    flag_options: dict[str, str],
    singles: tuple[str, ...],
) -> tuple[bool, str, dict[str, list[str]], set[str]] | None:
    """`VERB [METHOD] MODEL [options]` as (method form?, model, values, flags); None for any
    other command line, or one giving an option in `singles` twice. model_signing's form
    names the method first (`verify key MODEL ...`)."""
    if len(argv) < 2 or argv[0] != verb:
        return None
    args = argv[1:]
    method_form = len(args) > 1 and args[0] in methods
    parsed = _parse(args[1:] if method_form else args, value_options, flag_options)
    if parsed is None:
        return None
    models, values, flags = parsed
    if len(models) != 1 or any(len(values.get(k, [])) > 1 for k in singles):
        return None
    return method_form, models[0], values, flags


def _parse(
    args: list[str], value_options: dict[str, str | None], flag_options: dict[str, str]
) -> tuple[list[str], dict[str, list[str]], set[str]] | None:
    positional: list[str] = []
    values: dict[str, list[str]] = {}
    flags: set[str] = set()
    items = iter(args)
    for arg in items:
        if arg == "--":
            positional.extend(items)
            break
        if arg.startswith("-"):
            name, eq, inline = arg.partition("=")
            if name in value_options and not eq:
                value = next(items, None)
                if value is None:
                    return None
            elif name in value_options:
                value = inline
            elif name in flag_options and not eq:
                if flag_options[name]:
                    flags.add(flag_options[name])
                continue
            else:
                return None  # --help, a short option, or one this reader does not know
            key = value_options[name]
            if key:
                values.setdefault(key, []).append(value)
            continue
        positional.append(arg)
    return positional, values, flags


def _default_signature(model: str) -> str | None:
    """What the verify command defaults to; None where it would need more care (a link, or
    a model that is not there: the command itself says so)."""
    if not os.path.exists(model):
        return None
    if not os.path.isdir(model):
        return os.path.join(os.path.dirname(model), os.path.basename(model) + ".sig")
    candidate = os.path.join(model, MODEL_SIGNATURE)
    return None if os.path.islink(candidate) else candidate
