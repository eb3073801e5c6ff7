"""Build Hugging Face hub cache layouts the way huggingface_hub writes them (test helper).

Blob names: the SHA-256 of the content for files stored with Git LFS, the git blob SHA-1
(`blob <size>\\0` + content) for the others. Snapshot entries are relative symlinks into
../../blobs (one more ../ per directory level). Refs hold the bare 40-hex commit.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

LFS_SUFFIXES = (".safetensors", ".bin", ".gguf", ".pt", ".parquet")


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def blob_name(path: str, data: bytes) -> str:
    if path.endswith(LFS_SUFFIXES):
        return hashlib.sha256(data).hexdigest()
    return git_blob_sha1(data)


def commit_for(files: dict[str, bytes], salt: str = "") -> str:
    h = hashlib.sha1(salt.encode())
    for name in sorted(files):
        h.update(name.encode() + b"\0" + blob_name(name, files[name]).encode())
    return h.hexdigest()


def add_revision(
    cache: Path,
    repo_id: str,
    files: dict[str, bytes],
    *,
    repo_type: str = "model",
    refs: tuple[str, ...] = ("main",),
    commit: str | None = None,
) -> Path:
    """Write one revision of a repository into the cache; returns its snapshot folder."""
    repo = cache / "--".join([f"{repo_type}s", *repo_id.split("/")])
    commit = commit or commit_for(files, repo_id)
    snapshot = repo / "snapshots" / commit
    for name, data in sorted(files.items()):
        blob = repo / "blobs" / blob_name(name, data)
        blob.parent.mkdir(parents=True, exist_ok=True)
        if not blob.exists():
            blob.write_bytes(data)
        link = snapshot / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    snapshot.mkdir(parents=True, exist_ok=True)
    for ref in refs:
        ref_file = repo / "refs" / ref
        ref_file.parent.mkdir(parents=True, exist_ok=True)
        ref_file.write_text(commit)
    return snapshot


def weights(seed: int, rows: int = 16) -> bytes:
    """A small, valid safetensors file (made by the safetensors library itself)."""
    import numpy as np
    from safetensors.numpy import save

    rng = np.random.default_rng(seed)
    return save({"w": rng.standard_normal((rows, 8)).astype(np.float32),
                 "b": np.arange(8, dtype=np.float32) + seed})
