"""Model card reader, and the safe-reading rules every reader shares."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from aibom.errors import InputError
from aibom.evidence import read_model_card, read_model_dir

SECRET = "TOP-SECRET-do-not-read-9b1c"

FULL_CARD = """\
---
license: other
license_name: my-license-1.0
license_link: LICENSE
library_name: peft
pipeline_tag: text-generation
language: [en, fr]
base_model:
  - org/base-a
  - org/base-b
base_model_relation: merge
datasets: org/data
tags: [a, b]
model_name: Tiny
metrics: accuracy
model-index:
- name: tiny
  results:
  - task: {type: text-generation, name: Text Generation}
    dataset: {type: org/eval, name: Eval Set, config: default, split: test}
    metrics:
    - {type: accuracy, name: Acc, value: 0.5, verified: true}
    - {type: f1, value: "12%"}
    source: {name: Leaderboard, url: https://example.org}
---
# Tiny

<!-- a comment that is not the description -->
[![badge](https://img.example/b.svg)](https://example.org)

This is the first paragraph,
over two lines.

Second paragraph.
"""


def card(tmp_path: Path, text: str | bytes, name: str = "README.md") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_full_card(tmp_path: Path) -> None:
    result = read_model_card(card(tmp_path, FULL_CARD))
    assert result.warnings == ()
    assert result.has_front_matter
    assert result.base_model == ("org/base-a", "org/base-b")
    assert (result.base_model_relation, result.relation_source) == ("merge", "card")
    assert result.datasets == ("org/data",)
    assert (result.license, result.license_name, result.license_link) == (
        "other",
        "my-license-1.0",
        "LICENSE",
    )
    assert result.library_name == "peft"
    assert result.pipeline_tag == "text-generation"
    assert result.language == ("en", "fr")
    assert result.tags == ("a", "b")
    assert result.model_name == "Tiny"
    assert result.metrics == ("accuracy",)
    assert result.description == "This is the first paragraph, over two lines."
    first, second = result.eval_results
    assert (first.model, first.task_type, first.task_name) == (
        "tiny",
        "text-generation",
        "Text Generation",
    )
    assert (first.dataset_type, first.dataset_name) == ("org/eval", "Eval Set")
    assert (first.dataset_config, first.dataset_split) == ("default", "test")
    assert (first.metric_type, first.metric_name, first.metric_value) == ("accuracy", "Acc", 0.5)
    assert first.verified is True
    assert (first.source_name, first.source_url) == ("Leaderboard", "https://example.org")
    assert (second.metric_type, second.metric_value, second.verified) == ("f1", "12%", None)


def test_base_model_string_becomes_a_tuple(tmp_path: Path) -> None:
    result = read_model_card(card(tmp_path, "---\nbase_model: org/base\n---\n"))
    assert result.base_model == ("org/base",)


def test_wrong_types_warn_and_the_rest_is_kept(tmp_path: Path) -> None:
    text = """\
---
license: [mit, apache-2.0]
base_model: {name: org/base}
datasets: 42
language: [en, 7, null]
pipeline_tag: text-generation
library_name: transformers
tags: true
model-index: {not: a list}
---
"""
    result = read_model_card(card(tmp_path, text))
    assert result.license is None
    assert result.base_model == ()
    assert result.datasets == ()
    assert result.language == ("en",)
    assert result.tags == ()
    assert result.eval_results == ()
    assert result.pipeline_tag == "text-generation"
    assert result.library_name == "transformers"
    warnings = "\n".join(result.warnings)
    assert "README.md: license is a list, expected a string; ignored" in warnings
    assert "base_model is a mapping" in warnings
    assert "datasets is a number" in warnings
    assert "language: 2 item(s) that are not strings ignored" in warnings
    assert "tags is a boolean" in warnings
    assert "model-index is a mapping, expected a list" in warnings


def test_invalid_yaml_warns_and_body_is_still_read(tmp_path: Path) -> None:
    result = read_model_card(card(tmp_path, "---\nlicense: [mit\n---\nThe body.\n"))
    assert result.license is None
    assert result.description == "The body."
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("README.md: front matter is not valid YAML:")


def test_python_tags_are_rejected(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"---\nlicense: !!python/object/apply:os.system ['touch {marker}']\n---\n"
    result = read_model_card(card(tmp_path, text))
    assert not marker.exists()
    assert result.license is None
    assert "could not determine a constructor for the tag" in result.warnings[0]
    text = "---\nx: !!python/object:collections.OrderedDict {}\nlicense: mit\n---\n"
    assert "python/object" in read_model_card(card(tmp_path, text)).warnings[0]


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for i in range(1, levels + 1):
        refs = ",".join([f"*{names[i - 1]}"] * 9)
        lines.append(f"{names[i]}: &{names[i]} [{refs}]")
    return "---\n" + "\n".join(lines) + "\nlicense: mit\n---\n"


def test_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    start = time.perf_counter()
    result = read_model_card(card(tmp_path, billion_laughs()))
    assert time.perf_counter() - start < 1.0
    assert result.license is None
    assert (
        "front matter refused: more than 200000 nodes once aliases are expanded"
        in result.warnings[0]
    )


def test_small_aliases_are_fine(tmp_path: Path) -> None:
    text = "---\nbase: &b org/base\nbase_model: *b\ntags: &t [x, y]\nmetrics: *t\n---\n"
    result = read_model_card(card(tmp_path, text))
    assert result.warnings == ()
    assert result.base_model == ("org/base",)
    assert result.metrics == ("x", "y")


def test_recursive_alias_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    result = read_model_card(card(tmp_path, "---\na: &a [1, *a]\nlicense: mit\n---\n"))
    assert result.license is None
    assert "alias refers to the collection that contains it" in result.warnings[0]
    deep = "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    assert "nested deeper than 64 levels" in read_model_card(card(tmp_path, deep)).warnings[0]


def test_yaml_12_booleans(tmp_path: Path) -> None:
    result = read_model_card(card(tmp_path, "---\nlanguage: [en, no, yes, on]\n---\n"))
    assert result.language == ("en", "no", "yes", "on")


def test_non_utf8_card(tmp_path: Path) -> None:
    text = "---\nlicense: mit\nmodel_name: caf\xe9\n---\nBody caf\xe9.\n".encode("latin-1")
    result = read_model_card(card(tmp_path, text))
    assert result.license == "mit"
    assert result.model_name == "caf\ufffd"
    assert "README.md: not valid UTF-8 (byte 32); undecodable bytes replaced" in result.warnings


def test_bom_and_crlf_and_leading_blank_lines(tmp_path: Path) -> None:
    text = "\ufeff\r\n\r\n---\r\nlicense: mit\r\n---\r\n\r\nHello.\r\n"
    result = read_model_card(card(tmp_path, text))
    assert (result.license, result.description, result.warnings) == ("mit", "Hello.", ())


def test_card_larger_than_the_limit(tmp_path: Path) -> None:
    text = "---\nlicense: mit\n---\n" + "word " * 300_000
    result = read_model_card(card(tmp_path, text))
    assert result.license == "mit"
    assert "README.md: larger than 1 MiB; only the start was read" in result.warnings
    assert len(result.description) == 500


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nlicense: mit\n", "never closed"),
        ("---\n- a\n- b\n---\n", "front matter is a list, expected a mapping"),
        ("---\njust text\n---\n", "front matter is not a mapping"),
        ("---\n? [a, b]\n: x\nlicense: mit\n---\n", "unhashable key"),
    ],
)
def test_front_matter_of_the_wrong_shape(tmp_path: Path, text: str, expected: str) -> None:
    result = read_model_card(card(tmp_path, text))
    assert result.license is None
    assert expected in result.warnings[0]


def test_no_front_matter(tmp_path: Path) -> None:
    result = read_model_card(card(tmp_path, "# Title\n\nJust prose.\n"))
    assert (result.has_front_matter, result.description, result.warnings) == (
        False,
        "Just prose.",
        (),
    )


def test_relations(tmp_path: Path) -> None:
    tagged = "---\nbase_model: org/b\ntags: ['base_model:adapter:org/b', lora]\n---\n"
    result = read_model_card(card(tmp_path, tagged))
    assert (result.base_model_relation, result.relation_source) == ("adapter", "tag")

    bad = "---\nbase_model: org/b\nbase_model_relation: distilled\n---\n"
    result = read_model_card(card(tmp_path, bad))
    assert result.base_model_relation is None
    assert "base_model_relation 'distilled' is not one of" in result.warnings[0]

    two = "---\nbase_model: [a/b, c/d]\nbase_model_relation: quantized\n---\n"
    assert "'quantized' names 2 base models" in read_model_card(card(tmp_path, two)).warnings[0]


def test_local_paths_and_misspelled_licence(tmp_path: Path) -> None:
    text = "---\nbase_model: D:\\models\\base\nlicence: license\n---\n"
    result = read_model_card(card(tmp_path, text))
    assert result.base_model == ("D:\\models\\base",)
    assert result.license is None
    warnings = "\n".join(result.warnings)
    assert "is a local path, not a Hub model id" in warnings
    assert "key 'licence' is not the card field 'license'" in warnings


def test_license_other_without_name(tmp_path: Path) -> None:
    result = read_model_card(card(tmp_path, "---\nlicense: other\n---\n"))
    assert "license is 'other' but no license_name is given" in result.warnings[0]


def test_malformed_model_index_entries_are_skipped(tmp_path: Path) -> None:
    text = """\
---
model-index:
- name: m
  results:
  - task: {type: t}
    metrics: [{type: acc, value: 1}]
  - task: not-a-mapping
    metrics: []
  - metrics: not-a-list
  - 7
- just a string
---
"""
    result = read_model_card(card(tmp_path, text))
    assert [r.metric_type for r in result.eval_results] == ["acc"]
    assert "README.md: model-index: 4 entry(ies) malformed; skipped" in result.warnings


def test_description_skips_non_prose(tmp_path: Path) -> None:
    body = (
        "# T\n\n```\ncode\n```\n\n- item\n1. step\n| a | b |\n<div>\n---\n"
        "[More Information Needed]\n\n1984 was a year.\n"
    )
    result = read_model_card(card(tmp_path, "---\n---\n" + body))
    assert result.description == "1984 was a year."
    unclosed = "<!--" * 50_000 + "\nText"
    start = time.perf_counter()
    assert read_model_card(card(tmp_path, unclosed)).description is None
    assert time.perf_counter() - start < 1.0


# --- safe reading: the rules every reader shares ---


def plant_secret(tmp_path: Path) -> tuple[Path, Path]:
    secret = tmp_path / "secret.md"
    secret.write_text(f"---\nlicense: {SECRET}\n---\n{SECRET}\n")
    model = tmp_path / "model"
    model.mkdir()
    return model, secret


def test_symlinked_readme_outside_the_directory_is_never_read(tmp_path: Path) -> None:
    model, secret = plant_secret(tmp_path)
    (model / "README.md").symlink_to(secret)
    with pytest.raises(InputError) as caught:
        read_model_card(model)
    assert SECRET not in caught.value.one_line()
    assert "resolves outside the directory" in str(caught.value)
    with pytest.raises(InputError) as caught:
        read_model_dir(model)
    assert SECRET not in caught.value.one_line()


def test_symlinked_parent_directory_outside_is_refused(tmp_path: Path) -> None:
    model, _secret = plant_secret(tmp_path)
    (model / "docs").symlink_to(tmp_path)
    with pytest.raises(InputError):
        read_model_card(model, "docs/secret.md")


@pytest.mark.parametrize(
    "name", ["../secret.md", "/etc/passwd", "a/../../secret.md", "x\x00y", "", "a\\b"]
)
def test_unsafe_names_are_refused(tmp_path: Path, name: str) -> None:
    model, _secret = plant_secret(tmp_path)
    with pytest.raises(InputError) as caught:
        read_model_card(model, name)
    assert SECRET not in str(caught.value)


def test_symlink_inside_the_directory_is_followed(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "card.md").write_text("---\nlicense: mit\n---\n")
    (tmp_path / "README.md").symlink_to("docs/card.md")
    assert read_model_card(tmp_path).license == "mit"


def test_hugging_face_cache_snapshot_may_point_into_blobs(tmp_path: Path) -> None:
    repo = tmp_path / "models--org--name"
    (repo / "blobs").mkdir(parents=True)
    (repo / "blobs" / "abc123").write_text("---\nlicense: mit\n---\n")
    snapshot = repo / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    (snapshot / "README.md").symlink_to("../../blobs/abc123")
    assert read_model_card(snapshot).license == "mit"
    assert read_model_dir(snapshot).card.license == "mit"


def test_special_files_missing_files_and_loops_are_warnings(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "README.md")  # opening a FIFO for reading would block forever
    result = read_model_card(tmp_path)
    assert "not a regular file" in result.warnings[0]
    (tmp_path / "loop").symlink_to("loop")
    assert "cannot read" in read_model_card(tmp_path, "loop").warnings[0]
    assert read_model_card(tmp_path, "nothing.md").warnings == ("nothing.md: not found",)
    (tmp_path / "sub").mkdir()
    assert "not a regular file" in read_model_card(tmp_path, "sub").warnings[0]


def test_model_dir_must_exist(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open directory"):
        read_model_dir(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not a directory"):
        read_model_dir(tmp_path / "file")


def test_model_dir_reads_the_card_and_reports_broken_symlinks(tmp_path: Path) -> None:
    card(tmp_path, FULL_CARD)
    (tmp_path / "config.json").symlink_to("../../blobs/gone")
    evidence = read_model_dir(tmp_path)
    assert evidence.card is not None
    assert evidence.card.base_model == ("org/base-a", "org/base-b")
    assert evidence.config is None
    assert "config.json: broken symlink; skipped" in evidence.warnings
