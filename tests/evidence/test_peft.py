"""PEFT adapter_config.json reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aibom.evidence import read_adapter_config, read_model_dir


def write(tmp_path: Path, data: object) -> Path:
    text = data if isinstance(data, str) else json.dumps(data)
    (tmp_path / "adapter_config.json").write_text(text)
    return tmp_path


LORA = {
    "base_model_name_or_path": "Qwen/Qwen2.5-7B",
    "revision": "main",
    "peft_type": "LORA",
    "peft_version": "0.18.1",
    "task_type": "CAUSAL_LM",
    "r": 16,
    "lora_alpha": 32,
    "lora_dropout": 0.05,
    "target_modules": ["q_proj", "v_proj"],
    "modules_to_save": ["lm_head"],
    "use_dora": False,
    "inference_mode": True,
}


def test_lora_facts(tmp_path: Path) -> None:
    result = read_adapter_config(write(tmp_path, LORA))
    assert result.warnings == ()
    assert result.base_model_name_or_path == "Qwen/Qwen2.5-7B"
    assert result.base_model_is_local_path is False
    assert result.revision == "main"
    assert (result.peft_type, result.peft_version, result.task_type) == (
        "LORA",
        "0.18.1",
        "CAUSAL_LM",
    )
    assert (result.r, result.lora_alpha, result.lora_dropout) == (16, 32, 0.05)
    assert result.target_modules == ("q_proj", "v_proj")
    assert result.target_modules_pattern is None
    assert result.modules_to_save == ("lm_head",)
    assert (result.use_dora, result.inference_mode) == (False, True)


def test_target_modules_as_a_regex_string(tmp_path: Path) -> None:
    result = read_adapter_config(write(tmp_path, {**LORA, "target_modules": r".*\.(q|v)_proj$"}))
    assert result.target_modules == ()
    assert result.target_modules_pattern == r".*\.(q|v)_proj$"


@pytest.mark.parametrize(
    "base",
    [
        "D:\\projects\\nlp\\Mistral-7B",
        "/root/models/base",
        "./base",
        "~/base",
        "models/org/base",
        "C:/m",
    ],
)
def test_local_base_model_paths_are_flagged(tmp_path: Path, base: str) -> None:
    result = read_adapter_config(write(tmp_path, {**LORA, "base_model_name_or_path": base}))
    assert result.base_model_name_or_path == base
    assert result.base_model_is_local_path is True
    assert "is a local path, not a Hub model id" in result.warnings[0]


def test_wrong_types(tmp_path: Path) -> None:
    data = {
        **LORA,
        "r": "16",
        "lora_alpha": [32],
        "base_model_name_or_path": {"id": "x"},
        "target_modules": [1, "q_proj"],
        "revision": None,
        "use_dora": "no",
    }
    result = read_adapter_config(write(tmp_path, data))
    assert (result.r, result.lora_alpha, result.base_model_name_or_path) == (None, None, None)
    assert result.revision is None
    assert result.target_modules == ("q_proj",)
    assert result.use_dora is None
    assert result.peft_type == "LORA"
    warnings = "\n".join(result.warnings)
    assert "r is a string, expected an integer" in warnings
    assert "lora_alpha is a list, expected a number" in warnings
    assert "base_model_name_or_path is a mapping" in warnings
    assert "target_modules: 1 item(s) that are not strings ignored" in warnings
    assert "use_dora is a string, expected true or false" in warnings


def test_rank_zero_is_refused(tmp_path: Path) -> None:
    result = read_adapter_config(write(tmp_path, {**LORA, "r": 0}))
    assert result.r is None
    assert "r is 0, below 1" in result.warnings[0]


@pytest.mark.parametrize(
    ("content", "expected"),
    [("{", "not valid JSON"), ('"LORA"', "top level is not a JSON object"), ("", "not valid JSON")],
)
def test_unreadable_adapter_config(tmp_path: Path, content: str, expected: str) -> None:
    result = read_adapter_config(write(tmp_path, content))
    assert result.peft_type is None
    assert expected in result.warnings[0]


def test_model_dir_picks_up_the_adapter(tmp_path: Path) -> None:
    write(tmp_path, LORA)
    evidence = read_model_dir(tmp_path)
    assert evidence.adapter is not None
    assert evidence.adapter.base_model_name_or_path == "Qwen/Qwen2.5-7B"
