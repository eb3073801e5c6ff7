"""samples/hub: a faithful, deterministic hub cache made by samples/make_samples.py."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from oms.helpers import run_cli

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def tree(root: Path) -> list[tuple[str, str]]:
    return [
        (p.relative_to(root).as_posix(),
         "->" + os.readlink(p) if p.is_symlink() else p.read_bytes().hex() if p.is_file() else "")
        for p in sorted(root.rglob("*"))
    ]


def test_samples_hub_is_regenerated_identically(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_samples_hub", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.HUB = tmp_path / "hub"
    module.write_hub_cache()
    assert tree(tmp_path / "hub") == tree(SAMPLES / "hub")


def test_samples_hub_is_a_valid_cache_and_verifies(monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import scan_cache_dir

    info = scan_cache_dir(SAMPLES / "hub")
    assert info.warnings == []
    chat = next(r for r in info.repos if r.repo_id == "aibom-samples/tiny-chat")
    assert sorted(tuple(r.refs) for r in chat.revisions) == [("main",), ("v0.9",)]
    shared = set.intersection(*({f.blob_path for f in r.files if f.file_name.endswith(
        ".safetensors")} for r in chat.revisions))
    assert len(shared) == 1  # the two revisions share the weights blob
    monkeypatch.setenv("HF_HUB_CACHE", str(SAMPLES / "hub"))
    run = run_cli("verify", "hf:aibom-samples/tiny-chat", "--certificate-chain",
                  SAMPLES / "keys" / "acme-root.pem")
    assert run.code == 0, run.err
