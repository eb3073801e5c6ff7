"""`hf:` references resolved in the local cache: refs, commits, short commits, what is cached."""

from __future__ import annotations

from pathlib import Path

import pytest
from oms.helpers import assert_one_line_failure, run_cli

from aibom.errors import InputError
from aibom.sources import (
    hub_cache_dir,
    parse_reference,
    refuse_cache_write,
    resolve_source,
    snapshot_at,
)

from .hub import add_revision

V1 = {"config.json": b'{"v": 1}', "model.safetensors": b"one" * 100}
V2 = {"config.json": b'{"v": 2}', "model.safetensors": b"one" * 100}
V3 = {"config.json": b'{"v": 3}', "model.safetensors": b"three" * 100}


def test_parse_references() -> None:
    ref = parse_reference("hf:org/name")
    assert (ref.repo_type, ref.repo_id, ref.revision) == ("model", "org/name", None)
    ref = parse_reference("hf:datasets/org/data@refs/pr/3")
    assert (ref.repo_type, ref.repo_id, ref.revision) == ("dataset", "org/data", "refs/pr/3")
    assert str(ref) == "hf:datasets/org/data@refs/pr/3"
    assert parse_reference("hf:gpt2@v1.0").repo_id == "gpt2"  # a legacy id without org
    for bad in ("hf:", "hf:org/", "hf:a/b/c", "hf:org/na--me", "hf:../x", "hf:org/x@",
                "hf:org/x@../main", "hf:org/x@/abs", "hf:-org/x", "hf:org/x y"):
        with pytest.raises(InputError):
            parse_reference(bad)


def test_cache_dir_follows_huggingface_hub_variables(tmp_path: Path) -> None:
    home = Path("~").expanduser()
    assert hub_cache_dir({}) == home / ".cache" / "huggingface" / "hub"
    assert hub_cache_dir({"XDG_CACHE_HOME": "/x"}) == Path("/x/huggingface/hub")
    assert hub_cache_dir({"HF_HOME": "/h", "XDG_CACHE_HOME": "/x"}) == Path("/h/hub")
    env = {"HF_HUB_CACHE": str(tmp_path), "HF_HOME": "/h"}
    assert hub_cache_dir(env) == tmp_path
    assert hub_cache_dir({"HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HOME": "/h"}) == Path("/legacy")


def test_revisions_refs_and_short_commits(hub: Path) -> None:
    one = add_revision(hub, "org/m", V1, refs=("v1.0",))
    two = add_revision(hub, "org/m", V2, refs=("main", "refs/pr/1"))
    assert resolve_source("hf:org/m").path == two  # refs/main by default
    assert resolve_source("hf:models/org/m@main").path == two
    assert resolve_source("hf:org/m@refs/heads/main").path == two
    assert resolve_source("hf:org/m@refs/pr/1").path == two
    assert resolve_source("hf:org/m@v1.0").path == one
    assert resolve_source(f"hf:org/m@{one.name}").path == one
    short = resolve_source(f"hf:org/m@{one.name[:7]}")
    assert short.path == one and short.revision == one.name
    assert resolve_source("hf:org/m").refs == ("main", "refs/pr/1")
    assert resolve_source("hf:org/m").name == "org/m"


def test_ambiguous_short_commit(hub: Path) -> None:
    add_revision(hub, "org/m", V1, commit="abcd" + "1" * 36, refs=())
    add_revision(hub, "org/m", V2, commit="abcd" + "2" * 36, refs=())
    with pytest.raises(InputError, match="ambiguous"):
        resolve_source("hf:org/m@abcd")
    assert resolve_source("hf:org/m@abcd2").revision == "abcd" + "2" * 36


def test_never_the_newest_snapshot(hub: Path) -> None:
    """Without refs/main, a reference without @REV is refused, naming what is cached."""
    one = add_revision(hub, "org/m", V1, refs=("v1",))
    with pytest.raises(InputError) as caught:
        resolve_source("hf:org/m")
    assert "revision main is not in the Hugging Face cache" in str(caught.value)
    assert f"{one.name[:12]} (v1)" in str(caught.value)


def test_a_ref_to_a_commit_not_cached(hub: Path) -> None:
    add_revision(hub, "org/m", V1)
    (hub / "models--org--m" / "refs" / "main").write_text("f" * 40)
    with pytest.raises(InputError, match="points at ffffffffffff, which is not in the cache"):
        resolve_source("hf:org/m")


def test_not_cached_is_exit_2_naming_what_is_cached(hub: Path, keypair) -> None:
    add_revision(hub, "org/present", V1)
    add_revision(hub, "org/data", V1, repo_type="dataset")
    run = run_cli("verify", "hf:org/absent", "--public-key", keypair.public_path)
    assert_one_line_failure(run, [2], "hf:org/absent is not in the Hugging Face cache",
                            "cached models: org/present")
    run = run_cli("build", "hf:datasets/org/absent")
    assert_one_line_failure(run, [2], "cached datasets: org/data")
    run = run_cli("verify", "hf:org/present@v9", "--public-key", keypair.public_path)
    assert_one_line_failure(run, [2], "revision v9 is not in the Hugging Face cache")


def test_snapshot_paths_are_recognised(hub: Path, tmp_path: Path) -> None:
    snap = add_revision(hub, "org/m", V1, refs=("main",))
    found = snapshot_at(snap)
    assert found is not None and found.repo.repo_id == "org/m" and found.refs == ("main",)
    assert resolve_source(snap).name == "org/m"
    data = add_revision(hub, "org/d", V1, repo_type="dataset")
    assert resolve_source(data).repo_type == "dataset"
    plain = tmp_path / "plain"
    plain.mkdir()
    assert snapshot_at(plain) is None and resolve_source(plain).snapshot is None


def test_nothing_is_written_into_a_cache(hub: Path, tmp_path: Path) -> None:
    snap = add_revision(hub, "org/m", V1)
    for target in (snap / "model.sig", snap.parent / "x.sig", hub / "x.sig",
                   hub / "models--org--m" / "blobs" / "x"):
        with pytest.raises(InputError, match="never"):
            refuse_cache_write(target)
    refuse_cache_write(tmp_path / "outside.sig")  # anywhere else is fine
