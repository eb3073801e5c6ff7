"""Dataset card, dataset_info(s).json in both meanings, and dataset directories."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from aibom.errors import InputError
from aibom.evidence import (
    looks_like_dataset,
    read_dataset_card,
    read_dataset_dir,
    read_dataset_info,
)

SECRET = "TOP-SECRET-do-not-read-41d0"

CARD = """\
---
pretty_name: Tiny Set
license: cc-by-4.0
language: [en, de]
task_categories: [text-classification]
task_ids: [sentiment-classification]
size_categories: 1K<n<10K
source_datasets: [original]
tags: [demo]
paperswithcode_id: tiny
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*.parquet
  - split: test
    path: [data/test-0.parquet, data/test-1.parquet]
- config_name: raw
  data_dir: raw
  data_files: raw/all.jsonl
dataset_info:
  config_name: default
  features:
  - name: text
    dtype: string
  - name: label
    class_label:
      names: {0: neg, 1: pos}
  splits:
  - name: train
    num_bytes: 1000
    num_examples: 10
  - name: test
    num_examples: 2
  download_size: 500
  dataset_size: 1200
---
# Tiny Set

A tiny dataset for tests.
"""


def write(tmp_path: Path, name: str, content: object) -> Path:
    text = content if isinstance(content, str | bytes) else json.dumps(content)
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return tmp_path


def test_dataset_card(tmp_path: Path) -> None:
    result = read_dataset_card(write(tmp_path, "README.md", CARD))
    assert result.warnings == ()
    assert result.pretty_name == "Tiny Set"
    assert result.license == ("cc-by-4.0",)
    assert result.language == ("en", "de")
    assert result.task_categories == ("text-classification",)
    assert result.task_ids == ("sentiment-classification",)
    assert result.size_categories == ("1K<n<10K",)
    assert result.source_datasets == ("original",)
    assert result.tags == ("demo",)
    assert result.paperswithcode_id == "tiny"
    assert result.description == "A tiny dataset for tests."
    default, raw = result.configs
    assert default.name == "default"
    assert [(f.split, f.paths) for f in default.data_files] == [
        ("train", ("data/train-*.parquet",)),
        ("test", ("data/test-0.parquet", "data/test-1.parquet")),
    ]
    assert (raw.name, raw.data_dir, raw.data_files[0].paths) == ("raw", "raw", ("raw/all.jsonl",))
    (info,) = result.dataset_info
    assert info.config_name == "default"
    assert info.features == ("text", "label")
    assert [(s.name, s.num_examples, s.num_bytes) for s in info.splits] == [
        ("train", 10, 1000),
        ("test", 2, None),
    ]
    assert (info.download_size, info.dataset_size) == (500, 1200)


def test_legacy_card_keys_and_old_configs(tmp_path: Path) -> None:
    text = "---\nlicenses: [mit]\nlanguages: [id]\nconfigs: [a, b]\nlicense: []\n---\n"
    result = read_dataset_card(write(tmp_path, "README.md", text))
    assert result.license == ("mit",)
    assert result.language == ("id",)
    assert [c.name for c in result.configs] == ["a", "b"]
    assert "legacy key 'licenses' used instead of 'license'" in result.warnings[0]


def test_multi_config_dataset_info_and_data_files_mapping(tmp_path: Path) -> None:
    text = """\
---
configs:
- config_name: x
  data_files: {train: a.csv, test: [b.csv, c.csv]}
dataset_info:
- config_name: x
  features: [{name: a, dtype: int32}]
  splits: [{name: train, num_examples: 3}]
- config_name: y
  splits: {not: a list}
---
"""
    result = read_dataset_card(write(tmp_path, "README.md", text))
    assert [(f.split, f.paths) for f in result.configs[0].data_files] == [
        ("train", ("a.csv",)),
        ("test", ("b.csv", "c.csv")),
    ]
    assert [i.config_name for i in result.dataset_info] == ["x", "y"]
    assert result.dataset_info[1].splits == ()
    assert any("splits: an entry without a name" in w for w in result.warnings)


def test_card_wrong_types(tmp_path: Path) -> None:
    text = """\
---
pretty_name: [not, a, string]
license: {id: mit}
task_categories: 3
configs: {default: x}
dataset_info: [1, 2]
size_categories: [1K<n<10K]
---
"""
    result = read_dataset_card(write(tmp_path, "README.md", text))
    assert (result.pretty_name, result.license, result.task_categories) == (None, (), ())
    assert (result.configs, result.dataset_info) == ((), ())
    assert result.size_categories == ("1K<n<10K",)
    warnings = "\n".join(result.warnings)
    assert "pretty_name is a list, expected a string" in warnings
    assert "license is a mapping" in warnings
    assert "task_categories is a number" in warnings
    assert "configs is a mapping, expected a list" in warnings
    assert "dataset_info is a list with entries that are not mappings" in warnings


def test_bad_yaml_and_bombs_in_dataset_cards(tmp_path: Path) -> None:
    result = read_dataset_card(write(tmp_path, "README.md", "---\npretty_name: [x\n---\nBody.\n"))
    assert result.pretty_name is None
    assert "front matter is not valid YAML" in result.warnings[0]
    assert result.description == "Body."

    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefghij"):
        previous = "abcdefghij"[i]
        bomb += f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]\n"
    bomb += "pretty_name: boom\n---\n"
    start = time.perf_counter()
    result = read_dataset_card(write(tmp_path, "README.md", bomb))
    assert time.perf_counter() - start < 1.0
    assert result.pretty_name is None
    assert "front matter refused" in result.warnings[0]

    evil = "---\npretty_name: !!python/object/new:os.system [echo hi]\n---\n"
    result = read_dataset_card(write(tmp_path, "README.md", evil))
    assert result.pretty_name is None
    assert "python/object/new" in result.warnings[0]


def test_hf_dataset_info_json(tmp_path: Path) -> None:
    info = {
        "description": "Desc.\n",
        "citation": "@misc{x}",
        "homepage": "https://example.org",
        "license": "apache-2.0",
        "features": {"text": {"dtype": "string", "_type": "Value"}, "label": {"dtype": "int64"}},
        "splits": {"train": {"name": "train", "num_examples": 5, "num_bytes": 50}},
        "download_size": 10,
        "dataset_size": 50,
        "version": {"version_str": "1.0.0", "major": 1},
    }
    result = read_dataset_info(write(tmp_path, "dataset_info.json", info))
    assert (result.kind, result.warnings) == ("hf", ())
    (config,) = result.configs
    assert config.features == ("text", "label")
    assert [(s.name, s.num_examples, s.num_bytes) for s in config.splits] == [("train", 5, 50)]
    assert (config.description, config.citation, config.license) == (
        "Desc.",
        "@misc{x}",
        "apache-2.0",
    )
    assert (config.homepage, config.version) == ("https://example.org", "1.0.0")
    assert (config.download_size, config.dataset_size) == (10, 50)


def test_legacy_dataset_infos_json_keyed_by_config(tmp_path: Path) -> None:
    infos = {
        "plain": {"features": {"a": {"dtype": "string"}}, "splits": {"train": {"num_examples": 1}}},
        "other": {"config_name": "other", "license": ""},
    }
    result = read_dataset_info(write(tmp_path, "dataset_infos.json", infos), "dataset_infos.json")
    assert result.kind == "hf"
    assert [c.config_name for c in result.configs] == ["plain", "other"]
    assert result.configs[0].splits[0].num_examples == 1
    assert result.configs[1].license is None  # an empty string is no license


def test_llamafactory_registry_is_told_apart(tmp_path: Path) -> None:
    registry = {
        "my_sft": {
            "file_name": "train.jsonl",
            "formatting": "sharegpt",
            "columns": {"messages": "conversations", "bad": 3},
        },
        "hub_set": {"hf_hub_url": "org/data", "split": "train"},
        "junk": [1],
    }
    result = read_dataset_info(write(tmp_path, "dataset_info.json", registry))
    assert result.kind == "llamafactory"
    assert result.configs == ()
    first, second = result.llamafactory
    assert (first.name, first.file_name, first.formatting) == ("my_sft", "train.jsonl", "sharegpt")
    assert first.columns == (("messages", "conversations"),)
    assert (second.name, second.hf_hub_url) == ("hub_set", "org/data")
    assert "entry 'junk' is a list, not a mapping; skipped" in result.warnings[0]


@pytest.mark.parametrize(
    ("content", "kind", "expected"),
    [
        ({"a": 1}, "unknown", "neither a datasets DatasetInfo nor a LLaMA-Factory registry"),
        ([], "unknown", "top level is not a JSON object"),
        ("{oops", "unknown", "not valid JSON"),
        ({"features": 5, "splits": [{"num_examples": 1}]}, "hf", "features is a number"),
    ],
)
def test_odd_dataset_info(tmp_path: Path, content: object, kind: str, expected: str) -> None:
    result = read_dataset_info(write(tmp_path, "dataset_info.json", content))
    assert result.kind == kind
    assert any(expected in w for w in result.warnings), result.warnings


def test_read_dataset_dir(tmp_path: Path) -> None:
    write(tmp_path, "README.md", CARD)
    write(tmp_path, "dataset_info.json", {"features": {"text": {}}, "splits": {}})
    write(tmp_path, "dataset_infos.json", "{broken")
    write(tmp_path, "data/train-00000.parquet", b"PAR1")
    write(tmp_path, "extra.jsonl", "{}\n")
    evidence = read_dataset_dir(tmp_path)
    assert evidence.card.pretty_name == "Tiny Set"
    assert [i.name for i in evidence.info_files] == ["dataset_info.json", "dataset_infos.json"]
    assert evidence.info_files[0].configs[0].features == ("text",)
    assert evidence.data_files == ("extra.jsonl", "data/train-00000.parquet")
    assert any(w.startswith("dataset_infos.json: not valid JSON") for w in evidence.warnings)


def test_dataset_dir_symlink_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text(f"---\npretty_name: {SECRET}\n---\n")
    data = tmp_path / "data-set"
    data.mkdir()
    (data / "README.md").symlink_to(tmp_path / "secret.md")
    with pytest.raises(InputError) as caught:
        read_dataset_dir(data)
    assert SECRET not in caught.value.one_line()


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"dataset_info.json": "{}"}, True),
        ({"README.md": "---\ntask_categories: [translation]\n---\n"}, True),
        ({"README.md": "---\nlicense: mit\n---\n"}, False),
        ({"train.csv": "a,b\n"}, True),
        ({"data/train.parquet": "x"}, True),
        ({"dataset_info.json": "{}", "config.json": "{}"}, False),
        ({"train.jsonl": "{}", "model.safetensors": "x"}, False),
        ({"tokenizer_config.json": "{}", "generation_config.json": "{}"}, False),
        ({"model.safetensors.index.json": "{}"}, False),
        ({}, False),
    ],
)
def test_looks_like_dataset(tmp_path: Path, files: dict[str, str], expected: bool) -> None:
    for name, content in files.items():
        write(tmp_path, name, content)
    assert looks_like_dataset(tmp_path) is expected
