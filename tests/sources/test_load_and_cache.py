"""Verify at load with the real safetensors loader, and the digest cache keyed on blobs: a
second revision re-hashes only the blobs it does not share with the first."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load, load_file
from support.cli import run_cli
from support.models import make_model

import aibom
from aibom.oms import hashing
from aibom.oms.cache import RACY_WINDOW_NS

from .hub import add_revision, blob_name, weights

BIG = 2 << 20  # over the cache's 1 MiB threshold


def big(seed: int) -> bytes:
    return bytes((seed + i) % 251 for i in range(256)) * (BIG // 256)


def test_verified_path_then_safetensors(hub: Path, tmp_path: Path, keypair,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"config.json": b'{"model_type": "mlp"}', "model.safetensors": weights(seed=7)}
    repo = make_model(tmp_path / "publisher", files)
    assert run_cli("sign", repo, "--private-key", keypair.private_path).code == 0
    add_revision(hub, "org/mlp", {**files, "model.sig": (repo / "model.sig").read_bytes()})
    snapshot = aibom.verified_path("hf:org/mlp", public_key=keypair.public_path)
    tensors = load_file(snapshot / "model.safetensors")
    assert np.array_equal(tensors["b"], np.arange(8, dtype=np.float32) + 7)
    expected = load(files["model.safetensors"])
    assert sorted(tensors) == ["b", "w"]
    assert all(np.array_equal(tensors[k], v) for k, v in expected.items())

    # one byte of the weights' blob changes: the helper raises, the loader never runs
    blob = (hub / "models--org--mlp" / "blobs"
            / blob_name("model.safetensors", files["model.safetensors"]))
    data = bytearray(blob.read_bytes())
    data[-3] ^= 0x40
    blob.write_bytes(bytes(data))
    opened: list[str] = []
    monkeypatch.setattr("safetensors.numpy.load_file",
                        lambda *a, **k: opened.append(str(a)) or {})
    from safetensors import numpy as st_numpy

    with pytest.raises(aibom.VerificationError, match=r"modified: model\.safetensors"):
        st_numpy.load_file(aibom.verified_path("hf:org/mlp", public_key=keypair.public_path)
                           / "model.safetensors")
    assert opened == []


def test_verified_path_inputs(hub: Path, tmp_path: Path, keypair, other_keypair) -> None:
    snap = add_revision(hub, "org/mlp", {"model.safetensors": weights(seed=1)})
    with pytest.raises(aibom.InputError, match="exactly one"):
        aibom.verified_path("hf:org/mlp")
    with pytest.raises(aibom.InputError, match="not in the Hugging Face cache"):
        aibom.verified_path("hf:org/none", public_key=keypair.public_path)
    sig = tmp_path / "mlp.sig"
    assert run_cli("sign", snap, "--private-key", keypair.private_path,
                   "--signature", sig).code == 0
    # a snapshot path works as the hf: reference does
    assert aibom.verified_path(snap, sig, public_key=keypair.public_path) == snap
    with pytest.raises(aibom.VerificationError, match="another key"):
        aibom.verified_path("hf:org/mlp", sig, public_key=other_keypair.public_path)


def test_second_revision_rehashes_only_changed_blobs(hub: Path, tmp_path: Path, keypair,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    shared = {"a.safetensors": big(1), "b.safetensors": big(2), "config.json": b"{}"}
    v1 = add_revision(hub, "org/m", shared, refs=("v1",))
    v2 = add_revision(hub, "org/m", {**shared, "b.safetensors": big(3)}, refs=("v2",))
    sigs = {}
    for rev in ("v1", "v2"):
        sigs[rev] = tmp_path / f"{rev}.sig"
        assert run_cli("sign", f"hf:org/m@{rev}", "--private-key", keypair.private_path,
                       "--signature", sigs[rev]).code == 0
    time.sleep(RACY_WINDOW_NS / 1e9)  # blobs this fresh are never cached (racily clean)
    hashed: list[str] = []
    real = hashing._hash_job

    def counting(job, factory, *rest):  # type: ignore[no-untyped-def]
        hashed.append(job.file.name)
        return real(job, factory, *rest)

    monkeypatch.setattr(hashing, "_hash_job", counting)

    def verify(rev: str) -> list[str]:
        hashed.clear()
        run = run_cli("verify", f"hf:org/m@{rev}", "--public-key", keypair.public_path,
                      "--signature", sigs[rev])
        assert run.code == 0, run.err
        return sorted(hashed)

    assert verify("v1") == ["a.safetensors", "b.safetensors", "config.json"]
    # a.safetensors is the same blob in both revisions: it is not hashed again
    assert verify("v2") == ["b.safetensors", "config.json"]
    assert verify("v2") == ["config.json"]  # small files are cheaper to hash than to look up
    assert v1 != v2
