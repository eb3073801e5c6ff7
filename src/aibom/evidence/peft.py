"""PEFT adapter configuration (adapter_config.json): which base model an adapter is for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aibom._internal.files import MiB, read_json
from aibom.evidence._fields import Fields, looks_like_local_path

ADAPTER_CONFIG_LIMIT = 4 * MiB


@dataclass(frozen=True)
class AdapterConfig:
    name: str
    base_model_name_or_path: str | None = None
    base_model_is_local_path: bool = False
    revision: str | None = None
    peft_type: str | None = None
    peft_version: str | None = None
    task_type: str | None = None
    r: int | None = None
    lora_alpha: int | float | None = None
    lora_dropout: float | None = None
    target_modules: tuple[str, ...] = ()
    # PEFT reads a string target_modules as a regular expression ("all-linear" is a keyword).
    target_modules_pattern: str | None = None
    modules_to_save: tuple[str, ...] = ()
    use_dora: bool | None = None
    inference_mode: bool | None = None
    warnings: tuple[str, ...] = ()


def read_adapter_config(root: Path, name: str = "adapter_config.json") -> AdapterConfig:
    data, warnings = read_json(root, name, ADAPTER_CONFIG_LIMIT)
    if not isinstance(data, dict):
        if data is not None:
            warnings.append(f"{name}: top level is not a JSON object; ignored")
        return AdapterConfig(name=name, warnings=tuple(warnings))
    f = Fields(name, data, warnings)

    base = f.string("base_model_name_or_path")
    is_local = base is not None and looks_like_local_path(base)
    if is_local:
        f.warn(f"base_model_name_or_path {base!r} is a local path, not a Hub model id")

    modules: tuple[str, ...] = ()
    pattern = None
    raw_modules = data.get("target_modules")
    if isinstance(raw_modules, str):
        pattern = f.string("target_modules")
    else:
        modules = f.strings("target_modules")

    dropout = f.number("lora_dropout")
    return AdapterConfig(
        name=name,
        base_model_name_or_path=base,
        base_model_is_local_path=is_local,
        revision=f.string("revision"),
        peft_type=f.string("peft_type"),
        peft_version=f.string("peft_version"),
        task_type=f.string("task_type"),
        r=f.integer("r", minimum=1),
        lora_alpha=f.number("lora_alpha"),
        lora_dropout=None if dropout is None else float(dropout),
        target_modules=modules,
        target_modules_pattern=pattern,
        modules_to_save=f.strings("modules_to_save"),
        use_dora=f.boolean("use_dora"),
        inference_mode=f.boolean("inference_mode"),
        warnings=tuple(warnings),
    )
