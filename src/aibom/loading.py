"""Verify at load: one call a loader makes before it opens any weights.

    import aibom
    shard = "model-00001-of-00008.safetensors"
    aibom.verify_model("models/llama", public_key="acme.pub", only=[shard])
    weights = safetensors.torch.load_file(f"models/llama/{shard}")

It raises `aibom.VerificationError` unless the signature verifies and every selected file
matches; unchanged files are not re-hashed (the digest cache), so this is cheap to run on
every load.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from aibom._internal.files import SMALL_FILE_LIMIT, read_capped
from aibom.errors import InputError, VerificationError
from aibom.oms.cache import DigestCache
from aibom.oms.verify import CertificateTrust, KeylessTrust, KeyTrust, Trust, Verification
from aibom.oms.verify import verify_model as _verify

PathLike = str | os.PathLike[str]


def verify_model(
    model: PathLike,
    signature: PathLike | None = None,
    *,
    public_key: PathLike | None = None,
    certificate_chain: Iterable[PathLike] = (),
    identity: str | None = None,
    issuer: str | None = None,
    trust_config: PathLike | None = None,
    only: Iterable[str] | None = None,
    ignore_unsigned_files: bool = False,
    use_cache: bool = True,
) -> Verification:
    """Verify `model` against its OMS signature (default `model/model.sig`); raise
    VerificationError (with the reason) unless it holds, InputError on unusable input."""
    model_path = Path(model)
    sig = Path(signature) if signature else model_path / "model.sig"
    result = _verify(
        model_path,
        sig,
        _trust(public_key, tuple(certificate_chain), identity, issuer, trust_config),
        only=list(only) if only is not None else None,
        ignore_unsigned_files=ignore_unsigned_files,
        cache=DigestCache() if use_cache else None,
    )
    if not result.ok:
        raise VerificationError(f"{model_path}: {result.reason()}")
    return result


def _trust(
    public_key: PathLike | None,
    chain: tuple[PathLike, ...],
    identity: str | None,
    issuer: str | None,
    trust_config: PathLike | None,
) -> Trust:
    chosen = [public_key is not None, bool(chain), identity is not None or issuer is not None]
    if sum(chosen) != 1:
        raise InputError("give exactly one of public_key, certificate_chain, identity+issuer")
    if public_key is not None:
        return KeyTrust(_read(public_key))
    if chain:
        return CertificateTrust(tuple(_read(c) for c in chain))
    if not identity or not issuer:
        raise InputError("keyless verification needs both identity and issuer")
    return KeylessTrust(identity, issuer, Path(trust_config) if trust_config else None)


def _read(path: PathLike) -> bytes:
    return read_capped(path, SMALL_FILE_LIMIT)
