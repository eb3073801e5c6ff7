"""Verify at load: one call a loader makes before it opens any weights.

    import aibom
    shard = "model-00001-of-00008.safetensors"
    aibom.verify_model("models/llama", public_key="acme.pub", only=[shard])
    weights = safetensors.torch.load_file(f"models/llama/{shard}")

    # or straight from the Hugging Face cache: the path comes back only once verified
    snapshot = aibom.verified_path("hf:acme/llama@v1.0", public_key="acme.pub")
    weights = safetensors.torch.load_file(snapshot / "model.safetensors")

They raise `aibom.VerificationError` unless the signature verifies and every selected file
matches; unchanged files (and blobs a cached revision shares with one verified before) are
not re-hashed (the digest cache), so this is cheap to run on every load.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from aibom.errors import InputError, VerificationError
from aibom.oms.cache import DigestCache
from aibom.oms.trust import build_trust
from aibom.oms.verify import Trust, Verification, check_signed_model
from aibom.sources import resolve_source

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
    """Verify `model` (a directory, a file, or an `hf:ORG/NAME[@REV]` reference to the local
    Hugging Face cache) against its OMS signature (default `model/model.sig`, for a cache
    snapshot the signature committed in the repository); raise VerificationError (with the
    reason) unless it holds, InputError on unusable input."""
    source = resolve_source(model)
    model_path = source.path
    sig = Path(signature) if signature else source.default_signature()
    result = check_signed_model(
        model_path,
        sig,
        _trust(public_key, tuple(certificate_chain), identity, issuer, trust_config),
        only=list(only) if only is not None else None,
        ignore_unsigned_files=ignore_unsigned_files,
        cache=DigestCache() if use_cache else None,
    )
    if not result.ok:
        raise VerificationError(f"{source.given}: {result.reason()}")
    return result


def verified_path(
    model: PathLike,
    signature: PathLike | None = None,
    *,
    public_key: PathLike | None = None,
    certificate_chain: Iterable[PathLike] = (),
    identity: str | None = None,
    issuer: str | None = None,
    trust_config: PathLike | None = None,
    only: Iterable[str] | None = None,
    use_cache: bool = True,
) -> Path:
    """Resolve `model` (a path or an `hf:` reference), verify it under exactly one trust (a
    public key, a certificate chain, or a keyless identity + issuer) and only then return
    the path a loader should open: for `hf:` the snapshot folder. Raises like verify_model,
    before the caller has read a byte of the weights. Unsigned extra files fail it.

    The path is verified at the time of the call: whoever can write the model directory (or
    the cache) afterwards can still change it, so keep both writable by the loading user only.
    """
    verify_model(
        model,
        signature,
        public_key=public_key,
        certificate_chain=certificate_chain,
        identity=identity,
        issuer=issuer,
        trust_config=trust_config,
        only=only,
        use_cache=use_cache,
    )
    return resolve_source(model).path


def _trust(
    public_key: PathLike | None,
    chain: tuple[PathLike, ...],
    identity: str | None,
    issuer: str | None,
    trust_config: PathLike | None,
) -> Trust:
    trust = build_trust(
        public_key=Path(public_key) if public_key is not None else None,
        certificate_chain=[Path(c) for c in chain],
        identity=identity,
        issuer=issuer,
        trust_config=Path(trust_config) if trust_config else None,
    )
    if trust is None:
        raise InputError(
            "choose exactly one of public_key, certificate_chain, or identity with issuer"
        )
    return trust
