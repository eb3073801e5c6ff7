"""Transformers configuration files: config.json, quantize_config.json, generation_config.json,
tokenizer_config.json."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom._internal.files import MiB, read_json
from aibom.evidence._fields import Fields

CONFIG_LIMIT = 4 * MiB
TOKENIZER_CONFIG_LIMIT = 16 * MiB

# Older and model-specific spellings of the same size facts (transformers' attribute_map).
_ALIASES = {
    "hidden_size": ("hidden_size", "n_embd", "d_model"),
    "num_hidden_layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "max_position_embeddings": ("max_position_embeddings", "n_positions"),
    "vocab_size": ("vocab_size",),
}


@dataclass(frozen=True)
class Quantization:
    method: str | None  # quant_method: bitsandbytes, gptq, awq, fp8, ...
    bits: int | None
    source: str  # the file it came from
    details: dict[str, str | int | float | bool]  # scalar settings such as group_size


@dataclass(frozen=True)
class HfConfig:
    name: str
    architectures: tuple[str, ...] = ()
    model_type: str | None = None
    torch_dtype: str | None = None
    name_or_path: str | None = None  # `_name_or_path`: often the model it was loaded from
    transformers_version: str | None = None
    hidden_size: int | None = None
    num_hidden_layers: int | None = None
    vocab_size: int | None = None
    max_position_embeddings: int | None = None
    quantization: Quantization | None = None
    sub_configs: tuple[tuple[str, str], ...] = ()  # ("text_config", "gemma3_text"), ...
    auto_map: tuple[tuple[str, str], ...] = ()  # custom code the model asks to run
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuantizeConfig:
    name: str
    quantization: Quantization | None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class GenerationConfig:
    name: str
    transformers_version: str | None = None
    do_sample: bool | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    max_new_tokens: int | None = None
    eos_token_ids: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class TokenizerConfig:
    name: str
    tokenizer_class: str | None = None
    model_max_length: int | None = None
    added_tokens: int = 0
    chat_template_sha256: str | None = None  # a template is code run on every prompt
    warnings: tuple[str, ...] = ()


def _load_mapping(root: Path, name: str, limit: int) -> tuple[Mapping[str, Any], list[str]]:
    data, warnings = read_json(root, name, limit)
    if data is None:
        return {}, warnings
    if not isinstance(data, dict):
        warnings.append(f"{name}: top level is not a JSON object; ignored")
        return {}, warnings
    return data, warnings


def read_config(root: Path, name: str = "config.json") -> HfConfig:
    data, warnings = _load_mapping(root, name, CONFIG_LIMIT)
    f = Fields(name, data, warnings)
    dtype = f.string("torch_dtype")
    new_dtype = f.string("dtype")
    if dtype and new_dtype and dtype != new_dtype:
        f.warn(f"torch_dtype {dtype!r} and dtype {new_dtype!r} disagree; using dtype")
    quant = f.mapping("quantization_config")
    text_config = data.get("text_config")
    sizes = {key: _size(f, text_config, aliases) for key, aliases in _ALIASES.items()}
    return HfConfig(
        name=name,
        architectures=f.strings("architectures"),
        model_type=f.string("model_type"),
        torch_dtype=new_dtype or dtype,
        name_or_path=f.string("_name_or_path"),
        transformers_version=f.string("transformers_version"),
        quantization=_quantization(Fields(f"{name}: quantization_config", quant, warnings), name)
        if quant is not None
        else None,
        sub_configs=_sub_configs(data),
        auto_map=_auto_map(f),
        warnings=tuple(warnings),
        **sizes,
    )


def _size(f: Fields, text_config: object, aliases: tuple[str, ...]) -> int | None:
    for key in aliases:
        if f.data.get(key) is not None:
            return f.integer(key)
    # Multimodal configs keep the language model's sizes under text_config.
    if isinstance(text_config, Mapping):
        nested = Fields(f"{f.where}: text_config", text_config, f.warnings)
        for key in aliases:
            if text_config.get(key) is not None:
                return nested.integer(key)
    return None


def _sub_configs(data: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    found = []
    for key, value in data.items():
        if key.endswith("_config") and isinstance(value, Mapping):
            model_type = value.get("model_type")
            if isinstance(model_type, str) and model_type:
                found.append((key, model_type))
    return tuple(found)


def _auto_map(f: Fields) -> tuple[tuple[str, str], ...]:
    auto_map = f.mapping("auto_map")
    if not auto_map:
        return ()
    pairs = []
    for key, value in auto_map.items():
        # Tokenizer entries are [slow, fast] pairs, either of which may be null.
        for target in value if isinstance(value, list) else [value]:
            if isinstance(target, str) and target:
                pairs.append((str(key), target))
    return tuple(pairs)


def _quantization(f: Fields, source: str) -> Quantization:
    method = f.string("quant_method")
    bits = f.integer("bits") if "bits" in f.data else f.integer("w_bit")
    if bits is None and f.data.get("load_in_4bit") is True:
        bits = 4
    elif bits is None and f.data.get("load_in_8bit") is True:
        bits = 8
    details = {
        key: value
        for key, value in f.data.items()
        if isinstance(key, str)
        and not key.startswith("_")
        and key not in ("quant_method", "bits")
        and isinstance(value, str | int | float | bool)
        and not (isinstance(value, str) and len(value) > 200)
    }
    return Quantization(method=method, bits=bits, source=source, details=details)


def read_quantize_config(root: Path, name: str = "quantize_config.json") -> QuantizeConfig:
    """Legacy AutoGPTQ quantize_config.json, which some GPTQ models have instead of
    a quantization_config in config.json."""
    data, warnings = _load_mapping(root, name, CONFIG_LIMIT)
    if not data:
        return QuantizeConfig(name, None, tuple(warnings))
    quant = _quantization(Fields(name, data, warnings), name)
    if quant.method is None and {"desc_act", "damp_percent"} & data.keys():
        quant = Quantization("gptq", quant.bits, name, quant.details)
    return QuantizeConfig(name, quant, tuple(warnings))


def read_generation_config(root: Path, name: str = "generation_config.json") -> GenerationConfig:
    data, warnings = _load_mapping(root, name, CONFIG_LIMIT)
    f = Fields(name, data, warnings)
    eos = data.get("eos_token_id")
    eos_list = eos if isinstance(eos, list) else [eos]
    temperature = f.number("temperature")
    top_p = f.number("top_p")
    return GenerationConfig(
        name=name,
        transformers_version=f.string("transformers_version"),
        do_sample=f.boolean("do_sample"),
        temperature=None if temperature is None else float(temperature),
        top_p=None if top_p is None else float(top_p),
        top_k=f.integer("top_k"),
        max_new_tokens=f.integer("max_new_tokens"),
        eos_token_ids=tuple(i for i in eos_list if isinstance(i, int) and not isinstance(i, bool)),
        warnings=tuple(warnings),
    )


def read_tokenizer_config(root: Path, name: str = "tokenizer_config.json") -> TokenizerConfig:
    data, warnings = _load_mapping(root, name, TOKENIZER_CONFIG_LIMIT)
    f = Fields(name, data, warnings)
    template = data.get("chat_template")
    if isinstance(template, list):  # named templates: [{"name": ..., "template": ...}]
        template = "\n".join(
            str(t.get("template")) for t in template if isinstance(t, Mapping) and t.get("template")
        )
    digest = None
    if isinstance(template, str) and template:
        digest = hashlib.sha256(template.encode("utf-8", "surrogatepass")).hexdigest()
    elif template is not None:
        f.wrong_type("chat_template", template, "a string")
    added = data.get("added_tokens_decoder")
    return TokenizerConfig(
        name=name,
        tokenizer_class=f.string("tokenizer_class"),
        model_max_length=f.integer("model_max_length"),
        added_tokens=len(added) if isinstance(added, Mapping) else 0,
        chat_template_sha256=digest,
        warnings=tuple(warnings),
    )
