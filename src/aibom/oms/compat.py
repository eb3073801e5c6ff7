"""Which signatures other verifiers' command lines can check.

model_signing 1.1.1's `verify` commands do not read the serialization recorded in the
signature: they re-hash the model with a fresh default configuration (files, SHA-256) and
compare manifests. So its CLI verifies only files/sha256 signatures; blake2b, blake3 and any
shards signature fail there even though they are valid OMS signatures
(tests/oms/test_model_signing_compat.py measures this against the installed model_signing).
"""

from __future__ import annotations

MODEL_SIGNING_1_1 = "model-signing-1.1"
COMPAT_TARGETS = (MODEL_SIGNING_1_1,)


def model_signing_cli_gaps(hash_type: str, shard_size: int | None) -> list[str]:
    """The chosen options model_signing 1.1.1's CLI cannot verify; empty when it can."""
    gaps = []
    if hash_type != "sha256":
        gaps.append(f"--hash-type {hash_type}")
    if shard_size is not None:
        gaps.append("--shard-size")
    return gaps


def compat_message(gaps: list[str]) -> str:
    return (
        f"model_signing 1.1.1's CLI cannot verify a signature made with {' and '.join(gaps)} "
        "(it re-hashes as files/sha256); aibom and other OMS verifiers can"
    )


__all__ = ["COMPAT_TARGETS", "MODEL_SIGNING_1_1", "compat_message", "model_signing_cli_gaps"]
