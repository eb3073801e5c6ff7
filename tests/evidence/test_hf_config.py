"""config.json, quantize_config.json, generation_config.json and tokenizer_config.json."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from aibom.evidence import (
    read_config,
    read_generation_config,
    read_model_dir,
    read_quantize_config,
    read_tokenizer_config,
)


def write(tmp_path: Path, name: str, data: object) -> Path:
    text = data if isinstance(data, str | bytes) else json.dumps(data)
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return tmp_path


def test_config_facts(tmp_path: Path) -> None:
    config = {
        "_name_or_path": "org/base",
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "torch_dtype": "bfloat16",
        "hidden_size": 4096,
        "num_hidden_layers": 32,
        "vocab_size": 32000,
        "max_position_embeddings": 4096,
        "transformers_version": "4.44.2",
        "quantization_config": {
            "quant_method": "gptq",
            "bits": 4,
            "group_size": 128,
            "_private": 1,
        },
        "auto_map": {"AutoModel": "org/code--modeling.M", "AutoTokenizer": ["tok.Slow", None]},
    }
    result = read_config(write(tmp_path, "config.json", config))
    assert result.warnings == ()
    assert result.architectures == ("LlamaForCausalLM",)
    assert (result.model_type, result.torch_dtype, result.name_or_path) == (
        "llama",
        "bfloat16",
        "org/base",
    )
    assert (result.hidden_size, result.num_hidden_layers) == (4096, 32)
    assert (result.vocab_size, result.max_position_embeddings) == (32000, 4096)
    assert result.transformers_version == "4.44.2"
    quant = result.quantization
    assert (quant.method, quant.bits, quant.source) == ("gptq", 4, "config.json")
    assert quant.details == {"group_size": 128}
    assert result.auto_map == (("AutoModel", "org/code--modeling.M"), ("AutoTokenizer", "tok.Slow"))


def test_new_dtype_key_and_legacy_size_names(tmp_path: Path) -> None:
    config = {
        "dtype": "float32",
        "n_embd": 768,
        "n_layer": 12,
        "n_positions": 1024,
        "model_type": "gpt2",
    }
    result = read_config(write(tmp_path, "config.json", config))
    assert result.torch_dtype == "float32"
    assert (result.hidden_size, result.num_hidden_layers, result.max_position_embeddings) == (
        768,
        12,
        1024,
    )


def test_dtype_disagreement_warns(tmp_path: Path) -> None:
    result = read_config(
        write(tmp_path, "config.json", {"torch_dtype": "float16", "dtype": "bfloat16"})
    )
    assert result.torch_dtype == "bfloat16"
    assert "disagree" in result.warnings[0]


def test_multimodal_sub_configs_and_size_fallback(tmp_path: Path) -> None:
    config = {
        "model_type": "gemma3",
        "text_config": {"model_type": "gemma3_text", "hidden_size": 5376, "num_hidden_layers": 62},
        "vision_config": {"model_type": "siglip_vision_model", "hidden_size": 1152},
        "audio_config": {"no_type": True},
    }
    result = read_config(write(tmp_path, "config.json", config))
    assert result.sub_configs == (
        ("text_config", "gemma3_text"),
        ("vision_config", "siglip_vision_model"),
    )
    assert (result.hidden_size, result.num_hidden_layers) == (5376, 62)


def test_bitsandbytes_bits_come_from_load_in_4bit(tmp_path: Path) -> None:
    config = {"quantization_config": {"quant_method": "bitsandbytes", "load_in_4bit": True}}
    quant = read_config(write(tmp_path, "config.json", config)).quantization
    assert (quant.method, quant.bits) == ("bitsandbytes", 4)


def test_wrong_types_are_skipped_with_warnings(tmp_path: Path) -> None:
    config = {
        "architectures": "LlamaForCausalLM",
        "model_type": ["llama"],
        "hidden_size": "4096",
        "num_hidden_layers": True,
        "vocab_size": -5,
        "torch_dtype": {"a": 1},
        "quantization_config": "gptq",
        "auto_map": [1],
        "max_position_embeddings": 2048,
    }
    result = read_config(write(tmp_path, "config.json", config))
    assert result.architectures == ("LlamaForCausalLM",)  # a lone string is still usable
    assert result.model_type is None
    assert result.hidden_size is None
    assert result.num_hidden_layers is None
    assert result.vocab_size is None
    assert result.torch_dtype is None
    assert result.quantization is None
    assert result.auto_map == ()
    assert result.max_position_embeddings == 2048
    warnings = "\n".join(result.warnings)
    for expected in (
        "model_type is a list, expected a string",
        "hidden_size is a string, expected an integer",
        "num_hidden_layers is a boolean, expected an integer",
        "vocab_size is -5, below 0",
        "torch_dtype is a mapping",
        "quantization_config is a string, expected a mapping",
        "auto_map is a list, expected a mapping",
    ):
        assert f"config.json: {expected}" in warnings


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "<html>not json</html>",
            "config.json: not valid JSON: Expecting value (line 1, column 1)",
        ),
        ("[1, 2]", "config.json: top level is not a JSON object; ignored"),
        ("[" * 100_000 + "]" * 100_000, "config.json is nested too deeply"),
        ('{"vocab_size": ' + "9" * 5000 + "}", "config.json: not valid JSON: Exceeds the limit"),
        (b'{"model_type": "caf\xe9"}', "config.json: not valid UTF-8"),
    ],
)
def test_unreadable_configs_warn(tmp_path: Path, content: str | bytes, expected: str) -> None:
    result = read_config(write(tmp_path, "config.json", content))
    assert result.architectures == ()
    assert any(w.startswith(expected) for w in result.warnings), result.warnings


def test_oversized_config_is_not_parsed(tmp_path: Path) -> None:
    big = '{"model_type": "llama", "pad": "' + "x" * (5 * 1024 * 1024) + '"}'
    result = read_config(write(tmp_path, "config.json", big))
    assert result.model_type is None
    assert result.warnings == ("config.json: larger than 4 MiB; not parsed",)


def test_legacy_gptq_quantize_config(tmp_path: Path) -> None:
    data = {
        "bits": 4,
        "group_size": 128,
        "desc_act": False,
        "damp_percent": 0.01,
        "model_name_or_path": None,
    }
    result = read_quantize_config(write(tmp_path, "quantize_config.json", data))
    assert result.warnings == ()
    assert (result.quantization.method, result.quantization.bits) == ("gptq", 4)
    assert result.quantization.details["group_size"] == 128
    broken = read_quantize_config(write(tmp_path, "quantize_config.json", "{"))
    assert broken.quantization is None
    assert "not valid JSON" in broken.warnings[0]


def test_model_dir_quantization_prefers_config_json(tmp_path: Path) -> None:
    write(tmp_path, "config.json", {"model_type": "gpt_bigcode"})
    write(tmp_path, "quantize_config.json", {"bits": 8, "desc_act": True})
    assert read_model_dir(tmp_path).quantization.bits == 8
    write(tmp_path, "config.json", {"quantization_config": {"quant_method": "awq", "bits": 4}})
    assert read_model_dir(tmp_path).quantization.method == "awq"


def test_generation_config(tmp_path: Path) -> None:
    data = {
        "transformers_version": "4.54.0.dev0",
        "do_sample": True,
        "temperature": 1,
        "top_p": 0.9,
        "top_k": 50,
        "max_new_tokens": 512,
        "eos_token_id": [1, 106, "x"],
    }
    result = read_generation_config(write(tmp_path, "generation_config.json", data))
    assert result.warnings == ()
    assert (result.do_sample, result.temperature, result.top_p, result.top_k) == (
        True,
        1.0,
        0.9,
        50,
    )
    assert result.max_new_tokens == 512
    assert result.eos_token_ids == (1, 106)
    single = read_generation_config(write(tmp_path, "generation_config.json", {"eos_token_id": 2}))
    assert single.eos_token_ids == (2,)
    bad = read_generation_config(write(tmp_path, "generation_config.json", {"temperature": "hot"}))
    assert bad.temperature is None
    assert "temperature is a string, expected a number" in bad.warnings[0]


def test_tokenizer_config(tmp_path: Path) -> None:
    template = "{% for m in messages %}{{ m['content'] }}{% endfor %}"
    data = {
        "tokenizer_class": "Qwen2Tokenizer",
        "model_max_length": 131072,
        "added_tokens_decoder": {
            "151643": {"content": "<|endoftext|>"},
            "151644": {"content": "x"},
        },
        "chat_template": template,
    }
    result = read_tokenizer_config(write(tmp_path, "tokenizer_config.json", data))
    assert result.warnings == ()
    assert (result.tokenizer_class, result.model_max_length, result.added_tokens) == (
        "Qwen2Tokenizer",
        131072,
        2,
    )
    assert result.chat_template_sha256 == hashlib.sha256(template.encode()).hexdigest()

    named = {
        "chat_template": [
            {"name": "default", "template": "A"},
            {"name": "tool_use", "template": "B"},
        ]
    }
    result = read_tokenizer_config(write(tmp_path, "tokenizer_config.json", named))
    assert result.chat_template_sha256 == hashlib.sha256(b"A\nB").hexdigest()

    wrong = read_tokenizer_config(write(tmp_path, "tokenizer_config.json", {"chat_template": 3}))
    assert wrong.chat_template_sha256 is None
    assert "chat_template is a number" in wrong.warnings[0]
