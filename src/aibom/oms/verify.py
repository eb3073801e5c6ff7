"""Verify an OMS signature and the model it signs.

The sequence, each step marked below:
 1. Read and parse the bundle (schema, envelope, statement); never trust it yet.
 2. Verify the DSSE signature with the trust the caller chose: a public key, certificate
    roots, or a keyless identity + issuer through Sigstore (with its transparency log).
 3. Only then use the statement: enumerate the model with the recorded serialization,
    ignore paths and symlink policy, hash the files the manifest names, and compare.
 4. Report every modified, missing and unsigned extra file by name.

Steps 1 and 3 run on a thread (aibom.oms.pipeline) while step 2 runs here, so hashing overlaps
start-up; the comparison of step 3 is taken only once step 2 has passed.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from aibom.errors import InputError, VerificationError
from aibom.oms.hashing import Progress, hash_jobs, plan_jobs
from aibom.oms.model import OmsSignature, split_shard_name
from aibom.oms.pipeline import HashProgress, ModelWork, VerifyRequest, take
from aibom.oms.tree import SINGLE_FILE_NAME, IgnoreSet, ModelTreeError, enumerate_model

if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography.hazmat.primitives.asymmetric import ec

    from aibom.oms.bundle import SignedStatement
    from aibom.oms.cache import DigestCache
    from aibom.oms.survey import Survey


@dataclass(frozen=True)
class KeyTrust:
    """Trust one public key (PEM)."""

    public_key_pem: bytes


@dataclass(frozen=True)
class CertificateTrust:
    """Trust certificates that chain to one of these roots (PEM; intermediates may be
    given too)."""

    roots_pem: tuple[bytes, ...]


@dataclass(frozen=True)
class KeylessTrust:
    """Trust a Sigstore keyless signature by this identity, issued via this OIDC issuer."""

    identity: str
    issuer: str
    trust_config: Path | None = None  # ClientTrustConfig JSON; None = Sigstore production
    staging: bool = False  # Sigstore staging's embedded trusted root (without trust_config)


Trust = KeyTrust | CertificateTrust | KeylessTrust


@dataclass(frozen=True)
class Verification:
    """The verdict and everything learned on the way to it."""

    signature: OmsSignature
    failures: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()
    checked: int = 0
    not_checked: tuple[str, ...] = field(default=())

    @property
    def partial(self) -> bool:
        """Whether some signed files were left unchecked (`only` selected others)."""
        return bool(self.not_checked)

    @property
    def ok(self) -> bool:
        """Whether the signature verified and every checked file matches."""
        return not (self.failures or self.modified or self.missing or self.extra)

    def reason(self) -> str:
        """One line naming the cause."""
        parts = list(self.failures)
        for label, names in (
            ("modified", self.modified),
            ("missing", self.missing),
            ("unsigned extra files", self.extra),
        ):
            if names:
                parts.append(f"{label}: " + ", ".join(shown(n) for n in names))
        return "; ".join(parts)


def check_signed_model(
    model: Path,
    signature: Path,
    trust: Trust,
    *,
    ignore_paths: Iterable[Path] = (),
    ignore_unsigned_files: bool = False,
    allow_symlinks: bool = False,
    ignore_git_paths: bool = True,
    only: Iterable[str] | None = None,
    cache: DigestCache | None = None,
    workers: int | None = None,
    tick: Callable[[HashProgress], None] | None = None,
) -> Verification:
    """Check `signature` over the model at `model` (a path or an `hf:` reference) and return
    the verdict: a failed verification is returned (ok is False) with its reasons, never
    raised; unreadable input raises InputError. `aibom.verify_model` is the raising form.
    `tick` is called about ten times a second while hashing is still under way once the
    signature has verified."""
    if os.fspath(model).startswith("hf:"):  # a Hugging Face cache reference (aibom.sources)
        from aibom.sources import resolve_source

        model = resolve_source(model).path
    request = VerifyRequest.of(
        model,
        signature,
        ignore_paths=list(ignore_paths),
        ignore_unsigned_files=ignore_unsigned_files,
        allow_symlinks=allow_symlinks,
        ignore_git_paths=ignore_git_paths,
        only=list(only) if only is not None else None,
        cache=cache,
        workers=workers,
    )
    work = take(request) or ModelWork(request, cache)  # steps 1 and 3 start on their thread
    try:
        parsed = work.parsed()
    except BaseException:
        work.cancel()
        raise
    sig = parsed.signature
    try:
        verify_signature(parsed, trust, allow_v02=accepts_v02_encoding(sig))  # step 2
    except VerificationError as exc:
        work.cancel()
        return Verification(sig, failures=(exc.one_line(),))
    except BaseException:
        work.cancel()
        raise
    del parsed
    work.trust()
    return work.result(tick)  # steps 3 and 4, now that the signature holds


def accepts_v02_encoding(sig: OmsSignature) -> bool:
    """Only model_signing v0.2 bundles (the legacy predicate) carry its malformed PAE."""
    return sig.legacy


def verify_signature(parsed: SignedStatement, trust: Trust, *, allow_v02: bool = False) -> None:
    """Step 2. Raises VerificationError unless the envelope is signed by the trusted party."""
    signer = parsed.signer
    if isinstance(trust, KeylessTrust):
        from aibom.oms.keyless import verify_keyless

        verify_keyless(
            parsed, trust.identity, trust.issuer, trust.trust_config, staging=trust.staging
        )
        return
    if signer.method == "sigstore":
        raise VerificationError(
            "signature is keyless (Sigstore); verify it with --identity and --identity-provider"
        )
    if isinstance(trust, KeyTrust):
        key = _load_public_key(trust.public_key_pem)
        if signer.method != "key":
            raise VerificationError(f"signature was made with a {signer.method}, not a bare key")
        _check_key_hint(parsed, key)
    else:
        if signer.method != "certificate":
            raise VerificationError(f"signature was made with a {signer.method}, not a certificate")
        key = _verified_leaf_key(parsed, trust)
    from aibom.oms import dsse

    envelope = parsed.envelope
    if not dsse.verify(
        key, envelope.signatures[0], envelope.payload_type, envelope.payload, allow_v02=allow_v02
    ):
        raise VerificationError("bad signature: the DSSE envelope was not signed by this key")


def _load_public_key(pem: bytes) -> ec.EllipticCurvePublicKey:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    from aibom.oms import dsse

    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InputError("public key is not a valid PEM public key") from None
    return dsse.ec_public_key(key, "public key")


def _check_key_hint(parsed: SignedStatement, key: object) -> None:
    from cryptography.hazmat.primitives import serialization

    from aibom.oms import keys

    hint = parsed.signer.public_key_hint
    if hint and hint.lower() not in (keys.public_key_hint(key), keys.public_key_fingerprint(key)):
        raise VerificationError("signature was made with another key (public key hint differs)")
    if parsed.public_key_der is not None:
        der = key.public_bytes(  # type: ignore[attr-defined]
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        if der != parsed.public_key_der:
            raise VerificationError("signature was made with another key (embedded key differs)")


def _verified_leaf_key(
    parsed: SignedStatement, trust: CertificateTrust
) -> ec.EllipticCurvePublicKey:
    from aibom.oms import certs, dsse

    roots = []
    for i, pem in enumerate(trust.roots_pem):
        roots += certs.load_pem_file_certificates(pem, f"certificate chain file {i + 1}")
    if not roots:
        raise InputError("no trusted certificates given")
    chain = [certs.load_der(d, "bundle certificate") for d in parsed.certificates]
    certs.validate_chain(chain[0], chain[1:], roots)
    return dsse.ec_public_key(chain[0].public_key(), "signing certificate key")


def check_model(
    model: Path,
    sig: OmsSignature,
    *,
    extra_ignores: Sequence[Path] = (),
    ignore_unsigned_files: bool = False,
    allow_symlinks: bool = False,
    ignore_git_paths: bool = True,
    only: Iterable[str] | None = None,
    cache: DigestCache | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    admit: Callable[[int], None] | None = None,
    survey: Survey | None = None,
) -> Verification:
    """Steps 3 and 4: compare the model on disk with a signature (verified by the caller,
    before it uses the result). `admit` hears how many ranges are about to be hashed before
    any is, and may wait or raise; `progress` hears of every one hashed."""
    if not os.path.lexists(model):
        raise InputError(f"cannot read model {model}: it does not exist")
    if not sig.resources:  # verifying nothing must never read as "verified"
        return Verification(sig, failures=("the signature covers no files",))
    ser = sig.serialization
    ignore = IgnoreSet(model, ser.ignore_paths, extra_ignores, git=ignore_git_paths)
    try:
        files = survey.files(ignore) if survey is not None else None
        if files is None:
            files = enumerate_model(
                model,
                allow_symlinks=ser.allow_symlinks or allow_symlinks,
                ignore=ignore,
                links_refused="the signature does not allow symlinks",
            )
    except ModelTreeError as exc:
        return Verification(sig, failures=(exc.one_line(),))
    files = _name_single_file(files, sig, model)
    if admit is not None:
        admit(_job_count(files, ser.method, ser.shard_size))
    expected = {r.name: r.digest for r in sig.resources}
    jobs = plan_jobs(files, ser)
    on_disk = {job.name for job in jobs}
    extra = sorted(on_disk - expected.keys()) if not ignore_unsigned_files else []
    missing = sorted(expected.keys() - on_disk)
    wanted = [job for job in jobs if job.name in expected]
    not_checked: list[str] = []
    if only is not None:
        patterns = list(only)
        chosen = _selector(patterns)
        signed = sorted({_file_of(n, ser.method) for n in expected})
        if not any(chosen(f) for f in signed):
            raise InputError(f"--only {' '.join(patterns)} matches no signed file")
        not_checked = [f for f in signed if not chosen(f)]
        wanted = [j for j in wanted if chosen(j.file.name)]
        missing = [m for m in missing if chosen(_file_of(m, ser.method))]
        extra = [e for e in extra if chosen(_file_of(e, ser.method))]
    if isinstance(progress, HashProgress):
        progress.plan(len(wanted), sum(j.end - j.start for j in wanted))
    try:
        actual = hash_jobs(
            wanted,
            ser.hash_type,
            workers=workers,
            cache=cache,
            progress=progress,
            prehashed=survey,
        )
    except ModelTreeError as exc:
        return Verification(sig, failures=(exc.one_line(),))
    modified = sorted(n for n, d in actual.items() if d != expected[n])
    shards = ser.method == "shards"
    shown = os.path.basename(os.path.abspath(model))  # a single-file model is "." in manifests
    return Verification(
        sig,
        modified=_file_names(modified, shards, shown),
        missing=_file_names(missing, shards, shown),
        extra=_file_names(extra, shards, shown),
        checked=len(actual),
        not_checked=tuple(not_checked),
    )


def _job_count(files: Sequence[object], method: str, shard_size: int | None) -> int:
    if method != "shards" or not shard_size or shard_size <= 0:
        return len(files)
    return sum(-(-f.size // shard_size) for f in files)  # type: ignore[attr-defined]


def _name_single_file(files, sig: OmsSignature, model: Path):  # type: ignore[no-untyped-def]
    """A single-file model is '.' for model_signing and its basename for the OMS spec."""
    if len(files) == 1 and files[0].name == SINGLE_FILE_NAME:
        names = {r.path for r in sig.resources}
        base = os.path.basename(os.path.abspath(model))
        if SINGLE_FILE_NAME not in names and base in names:
            return [replace(files[0], name=base)]
    return files


def _file_names(resource_names: Iterable[str], shards: bool, single: str) -> tuple[str, ...]:
    """Shard resources collapse to their file (one entry per file, not per shard), and the
    single-file model's "." becomes its name."""
    files = (split_shard_name(n)[0] if shards else n for n in resource_names)
    return tuple(dict.fromkeys(single if f == SINGLE_FILE_NAME else f for f in files))


def _file_of(resource_name: str, method: str) -> str:
    return split_shard_name(resource_name)[0] if method == "shards" else resource_name


def shown(name: str) -> str:
    """A file name as it may be printed: a name with a newline or other control character
    must not be able to forge a line of output, so such names are quoted."""
    return name if name.isprintable() else repr(name)


def _selector(patterns: list[str]):  # type: ignore[no-untyped-def]
    """Glob patterns over resource file names (`*` crosses directories, as in fnmatch)."""

    def chosen(name: str) -> bool:
        return any(fnmatch.fnmatchcase(name, p) for p in patterns)

    return chosen
