"""Incremental verification (the digest cache), partial verification and verify-at-load."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from support.models import flip_byte

import aibom
from aibom.oms import hashing
from aibom.oms.cache import MIN_CACHED_BYTES, RACY_WINDOW_NS, DigestCache
from aibom.oms.sign import KeySigner, sign_model
from aibom.oms.verify import KeyTrust, check_signed_model

SIZE = MIN_CACHED_BYTES + 4096  # large enough to be cached


@pytest.fixture
def keys(tmp_path: Path) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture
def model(tmp_path: Path, keys: tuple[bytes, bytes]) -> Path:
    root = tmp_path / "model"
    root.mkdir()
    for i in range(3):
        (root / f"shard-{i}.bin").write_bytes(os.urandom(SIZE))
    (root / "config.json").write_text("{}")
    sign_model(root, root / "model.sig", KeySigner(keys[0]))
    time.sleep(RACY_WINDOW_NS / 1e9)  # files this fresh are never cached (racily clean)
    return root


def verify(model: Path, keys: tuple[bytes, bytes], cache: DigestCache | None, **kw: object):  # type: ignore[no-untyped-def]
    return check_signed_model(model, model / "model.sig", KeyTrust(keys[1]), cache=cache, **kw)  # type: ignore[arg-type]


def count_hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every job the engine really hashes."""
    hashed: list[str] = []
    real = hashing._hash_job

    def spy(job, factory, *rest):  # type: ignore[no-untyped-def]
        hashed.append(job.name)
        return real(job, factory, *rest)

    monkeypatch.setattr(hashing, "_hash_job", spy)
    return hashed


def test_warm_verification_hashes_nothing_large(
    model: Path, keys: tuple[bytes, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = DigestCache(tmp_path / "cache.sqlite")
    assert verify(model, keys, cache).ok
    hashed = count_hashed(monkeypatch)
    assert verify(model, keys, cache).ok
    assert hashed == ["config.json"]  # the three large shards came from the cache


def test_changed_file_with_restored_size_and_mtime_is_caught(
    model: Path, keys: tuple[bytes, bytes], tmp_path: Path
) -> None:
    cache = DigestCache(tmp_path / "cache.sqlite")
    assert verify(model, keys, cache).ok
    target = model / "shard-1.bin"
    before = os.stat(target)
    flip_byte(target, 100)  # in place: same inode and size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(target)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    result = verify(model, keys, cache)
    assert not result.ok and result.modified == ("shard-1.bin",)


def test_racily_clean_digest_is_not_stored(tmp_path: Path) -> None:
    """A file changed again within the kernel's timestamp tick keeps its ctime, so a digest
    is remembered only once the clock has moved past the file's last change."""
    cache = DigestCache(tmp_path / "cache.sqlite")
    now = time.time_ns()
    fresh = (1, 1, SIZE, now - 10**9, now, "sha256", 0, SIZE)  # ctime: just now
    future = (1, 2, SIZE, now + 10**9, now - 10**9, "sha256", 0, SIZE)  # mtime set ahead
    settled = (1, 3, SIZE, now - 10**9, now - 10**9, "sha256", 0, SIZE)
    cache.store({fresh: "aa", future: "bb", settled: "cc"})
    assert cache.lookup([fresh, future, settled]) == {settled: "cc"}


def test_replaced_file_with_same_metadata_is_caught_by_inode(
    model: Path, keys: tuple[bytes, bytes], tmp_path: Path
) -> None:
    cache = DigestCache(tmp_path / "cache.sqlite")
    assert verify(model, keys, cache).ok
    target = model / "shard-2.bin"
    before = os.stat(target)
    replacement = model / "replacement"
    replacement.write_bytes(os.urandom(SIZE))
    os.replace(replacement, target)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert not verify(model, keys, cache).ok


def test_corrupt_cache_is_ignored(model: Path, keys: tuple[bytes, bytes], tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    os.chmod(path, 0o600)
    assert verify(model, keys, DigestCache(path)).ok


def test_poisoned_cache_of_another_owner_is_ignored(
    model: Path, keys: tuple[bytes, bytes], tmp_path: Path
) -> None:
    """A cache file someone else owns (or can write) may hold forged digests: never used."""
    path = tmp_path / "cache.sqlite"
    cache = DigestCache(path)
    assert verify(model, keys, cache).ok
    cache.close()
    target = model / "shard-0.bin"
    with open(target, "r+b") as handle:
        handle.write(b"tampered")
    st = os.stat(target)
    with sqlite3.connect(path) as db:  # forge the cache entry for the tampered file
        db.execute(
            "UPDATE digest SET mtime=?, ctime=? WHERE ino=?",
            (st.st_mtime_ns, st.st_ctime_ns, st.st_ino),
        )
    os.chmod(path, 0o666)  # writable by others: not trusted
    assert not verify(model, keys, DigestCache(path)).ok
    if os.geteuid() == 0:
        os.chmod(path, 0o600)
        os.chown(path, 65534, 65534)  # owned by nobody: not trusted either
        assert not verify(model, keys, DigestCache(path)).ok


def test_partial_verification_reports_unselected_tampering_as_not_checked(
    model: Path, keys: tuple[bytes, bytes]
) -> None:
    with open(model / "shard-2.bin", "r+b") as handle:
        handle.write(b"tampered")
    partial = verify(model, keys, None, only=["shard-0.bin"])
    assert partial.ok and partial.partial
    assert partial.checked == 1
    assert "shard-2.bin" in partial.not_checked
    assert not verify(model, keys, None, only=["shard-*"]).ok


def test_partial_verification_of_a_tampered_selected_file_fails(
    model: Path, keys: tuple[bytes, bytes]
) -> None:
    with open(model / "shard-1.bin", "r+b") as handle:
        handle.write(b"tampered")
    result = verify(model, keys, None, only=["shard-1.bin"])
    assert not result.ok and result.modified == ("shard-1.bin",)


def test_verify_at_load_api(model: Path, keys: tuple[bytes, bytes], tmp_path: Path) -> None:
    public = tmp_path / "pub.pem"
    public.write_bytes(keys[1])
    result = aibom.verify_model(model, public_key=public, only=["shard-0.bin"], use_cache=False)
    assert result.ok and result.partial
    (model / "shard-0.bin").write_bytes(b"swapped weights")
    with pytest.raises(aibom.VerificationError, match=r"shard-0\.bin"):
        aibom.verify_model(model, public_key=public, use_cache=False)
    with pytest.raises(aibom.InputError):
        aibom.verify_model(model, public_key=public, identity="x", issuer="y")
