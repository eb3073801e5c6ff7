"""A cache snapshot is a model: links into its own repository's blobs are the files they stand
for; every other link is refused by name. Both ways with model_signing 1.1.1, and the cache
is never written to (huggingface_hub's own scanner is the judge)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from oms.helpers import assert_one_line_failure, make_model, run_cli

from aibom.errors import InputError
from aibom.sources.containment import Containment

from .hub import add_revision, blob_name, weights

FILES = {
    ".gitattributes": b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n",
    "config.json": b'{"model_type": "llama", "hidden_size": 8}',
    "model.safetensors": weights(seed=1),
    "tokenizer/deep/vocab.json": b'{"a": 0, "b": 1}',
}


def cache_state(hub: Path) -> list[tuple[str, str]]:
    """Every entry of the cache, with what it is: to prove nothing was added or changed."""
    out = []
    for path in sorted(hub.rglob("*")):
        kind = "link:" + os.readlink(path) if path.is_symlink() else (
            "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest())
        out.append((str(path.relative_to(hub)), kind))
    return out


def assert_cache_intact(hub: Path) -> None:
    from huggingface_hub import scan_cache_dir

    info = scan_cache_dir(hub)
    assert info.warnings == [], info.warnings


def ms_cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "model_signing", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def published(hub: Path, tmp_path: Path, keypair, *, signer: str = "aibom") -> Path:
    """The publisher signs its repository on disk (no links: allow_symlinks false) and
    commits model.sig; the user's cache then holds it as one more blob."""
    repo = make_model(tmp_path / "publisher-repo", FILES)
    if signer == "aibom":
        assert run_cli("sign", repo, "--private-key", keypair.private_path).code == 0
    else:
        done = ms_cli("sign", "key", repo, "--signature", repo / "model.sig",
                      "--private_key", keypair.private_path)
        assert done.returncode == 0, done.stderr
    return add_revision(hub, "org/m", {**FILES, "model.sig": (repo / "model.sig").read_bytes()})


@pytest.mark.parametrize("signer", ["aibom", "model_signing"])
def test_committed_signature_verifies_with_or_without_allow_symlinks(
    hub: Path, tmp_path: Path, keypair, signer: str
) -> None:
    snap = published(hub, tmp_path, keypair, signer=signer)
    before = cache_state(hub)
    for extra in ((), ("--allow-symlinks",)):
        run = run_cli("verify", "hf:org/m", "--public-key", keypair.public_path, *extra)
        assert run.code == 0, run.err
        assert run.out.startswith("verified hf:org/m: 3 resources match")
        run = run_cli("verify", snap, "--public-key", keypair.public_path, *extra)
        assert run.code == 0, run.err
    # and model_signing agrees on the same snapshot
    done = ms_cli("verify", "key", snap, "--signature", snap / "model.sig",
                  "--public_key", keypair.public_path, "--allow_symlinks")
    assert done.returncode == 0, done.stderr + done.stdout
    assert cache_state(hub) == before
    assert_cache_intact(hub)


def test_tampered_blob_fails_by_name(hub: Path, tmp_path: Path, keypair) -> None:
    snap = published(hub, tmp_path, keypair)
    blob = hub / "models--org--m" / "blobs" / blob_name("config.json", FILES["config.json"])
    blob.write_bytes(b'{"model_type": "evil", "hidden_size": 8}')
    run = run_cli("verify", "hf:org/m", "--public-key", keypair.public_path)
    assert_one_line_failure(run, [1], "modified: config.json")
    assert run_cli("verify", snap, "--public-key", keypair.public_path).code == 1


def test_aibom_signs_a_snapshot_model_signing_verifies(hub: Path, tmp_path: Path,
                                                         keypair) -> None:
    add_revision(hub, "org/m", FILES)
    before = cache_state(hub)
    sig = tmp_path / "out" / "m.sig"
    sig.parent.mkdir()
    run = run_cli("sign", "hf:org/m", "--private-key", keypair.private_path, "--signature", sig)
    assert run.code == 0, run.err
    snap = next((hub / "models--org--m" / "snapshots").iterdir())
    done = ms_cli("verify", "key", snap, "--signature", sig, "--public_key",
                  keypair.public_path, "--allow_symlinks")
    assert done.returncode == 0, done.stderr + done.stdout
    assert run_cli("verify", "hf:org/m", "--public-key", keypair.public_path,
                   "--signature", sig).code == 0
    assert cache_state(hub) == before
    assert_cache_intact(hub)


def test_model_signing_signs_a_snapshot_aibom_verifies(hub: Path, tmp_path: Path,
                                                         keypair, other_keypair) -> None:
    snap = add_revision(hub, "org/m", FILES)
    sig = tmp_path / "ms.sig"
    done = ms_cli("sign", "key", snap, "--signature", sig, "--private_key",
                  keypair.private_path, "--allow_symlinks")
    assert done.returncode == 0, done.stderr
    for extra in ((), ("--allow-symlinks",)):
        run = run_cli("verify", "hf:org/m", "--signature", sig, "--public-key",
                      keypair.public_path, *extra)
        assert run.code == 0, run.err
        assert "3 resources match" in run.out
    run = run_cli("verify", "hf:org/m", "--signature", sig, "--public-key",
                  other_keypair.public_path)
    assert_one_line_failure(run, [1], "another key")
    assert_cache_intact(hub)


def test_signing_into_the_cache_is_refused(hub: Path, keypair) -> None:
    add_revision(hub, "org/m", FILES)
    before = cache_state(hub)
    run = run_cli("sign", "hf:org/m", "--private-key", keypair.private_path)
    assert_one_line_failure(run, [2], "would be written into the Hugging Face cache")
    run = run_cli("build", "hf:org/m", "-o", hub / "aibom.json")
    assert_one_line_failure(run, [2], "would be written into the Hugging Face cache")
    assert cache_state(hub) == before


def _relink(link: Path, target: str | Path) -> None:
    link.unlink()
    link.symlink_to(target)


@pytest.mark.parametrize("where", ["other-repo", "outside-copy", "absolute"])
def test_links_out_of_the_repository_are_refused(hub: Path, tmp_path: Path, keypair,
                                                 where: str) -> None:
    snap = published(hub, tmp_path, keypair)
    data = FILES["config.json"]
    if where == "other-repo":  # byte-identical, but another repository's blob
        other = add_revision(hub, "org/other", {"config.json": data})
        target: str | Path = os.path.relpath(
            (other / "config.json").resolve(), snap)
    elif where == "outside-copy":
        copy = tmp_path / "copy.json"
        copy.write_bytes(data)
        target = copy
    else:
        target = "/etc/hostname"
    _relink(snap / "config.json", target)
    for extra in ((), ("--allow-symlinks",)):
        run = run_cli("verify", "hf:org/m", "--public-key", keypair.public_path, *extra)
        assert_one_line_failure(run, [1], "config.json")
        assert "symbolic link" in run.err
        out = tmp_path / "new.sig"
        run = run_cli("sign", "hf:org/m", "--private-key", keypair.private_path,
                      "--signature", out, *extra)
        assert_one_line_failure(run, [2], "config.json", "symbolic link")
        assert not out.exists()


def test_evidence_readers_share_the_rule(hub: Path, tmp_path: Path) -> None:
    from aibom.evidence import read_model_dir

    snap = add_revision(hub, "org/m", {"README.md": b"---\nlicense: mit\n---\n", **FILES})
    assert read_model_dir(snap).card.license == "mit"
    other = add_revision(hub, "org/other", {"README.md": b"---\nlicense: gpl-3.0\n---\n"})
    _relink(snap / "README.md", os.path.relpath((other / "README.md").resolve(), snap))
    with pytest.raises(InputError, match=r"README\.md: resolves outside the directory"):
        read_model_dir(snap)


def test_refs_and_no_exist_are_not_blobs(hub: Path) -> None:
    snap = add_revision(hub, "org/m", FILES)
    rule = Containment(snap)
    assert rule.cache_blob(str(snap / "config.json")) is not None
    _relink(snap / "config.json", "../../refs/main")
    assert rule.cache_blob(str(snap / "config.json")) is None
    nested = snap / "tokenizer" / "deep" / "vocab.json"  # ../../../../blobs/<sha1>
    assert os.readlink(nested).startswith("../../../../blobs/")
    assert rule.cache_blob(str(nested)) is not None


def test_shared_blob_store_hop(hub: Path, tmp_path: Path, keypair) -> None:
    """huggingface_hub may make a repository blob a link into the cache-wide store of Xet
    payloads; the hop is followed only into a store carrying its marker."""
    published(hub, tmp_path, keypair)
    data = FILES["model.safetensors"]
    repo_blob = hub / "models--org--m" / "blobs" / blob_name("model.safetensors", data)
    xet = hashlib.sha256(b"xet:" + data).hexdigest()
    stored = hub / "blobs" / xet[:2] / xet
    stored.parent.mkdir(parents=True)
    stored.write_bytes(data)
    _relink(repo_blob, os.path.relpath(stored, repo_blob.parent))
    run = run_cli("verify", "hf:org/m", "--public-key", keypair.public_path)
    assert_one_line_failure(run, [1], "model.safetensors")  # no marker: not a store
    (hub / "blobs" / ".huggingface-shared-blobs").write_text("1\n")
    run = run_cli("verify", "hf:org/m", "--public-key", keypair.public_path)
    assert run.code == 0, run.err
    assert_cache_intact(hub)
