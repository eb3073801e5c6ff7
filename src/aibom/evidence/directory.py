"""Run the applicable readers over a model or dataset directory."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aibom._internal.files import real_dir, resolve_inside
from aibom.evidence._front_matter import read_front_matter
from aibom.evidence.dataset import (
    DatasetCard,
    DatasetInfoFile,
    read_dataset_card,
    read_dataset_info,
)
from aibom.evidence.gguf import GgufHeader, read_gguf_header
from aibom.evidence.hf_config import (
    GenerationConfig,
    HfConfig,
    Quantization,
    QuantizeConfig,
    TokenizerConfig,
    read_config,
    read_generation_config,
    read_quantize_config,
    read_tokenizer_config,
)
from aibom.evidence.model_card import ModelCard, read_model_card
from aibom.evidence.peft import AdapterConfig, read_adapter_config
from aibom.evidence.safetensors import (
    SafetensorsHeader,
    SafetensorsIndex,
    read_safetensors_header,
    read_safetensors_index,
)

MAX_ENTRIES = 10_000
MAX_SAFETENSORS = 1_024
MAX_GGUF = 64
CARD = "README.md"
DATASET_INFO_FILES = ("dataset_info.json", "dataset_infos.json")
DATA_SUFFIXES = (".parquet", ".arrow", ".jsonl", ".csv", ".tsv", ".json", ".jsonl.gz", ".json.gz")
# Files that belong to a model (weights, configs, tokenizers), never to a dataset's data.
MODEL_SUFFIXES = (
    ".safetensors", ".gguf", ".onnx", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".bin",
    "config.json", ".index.json", "tokenizer.json", "tokenizer.model", "vocab.json",
    "special_tokens_map.json", "added_tokens.json", "model_index.json", "params.json",
)  # fmt: skip
DATASET_CARD_KEYS = frozenset(
    {"task_categories", "task_ids", "size_categories", "dataset_info", "source_datasets",
     "annotations_creators", "language_creators", "multilinguality"}
)  # fmt: skip


@dataclass(frozen=True)
class ModelEvidence:
    root: str
    files: tuple[str, ...] = ()  # regular files at the top of the directory
    card: ModelCard | None = None
    config: HfConfig | None = None
    quantize_config: QuantizeConfig | None = None
    generation_config: GenerationConfig | None = None
    tokenizer_config: TokenizerConfig | None = None
    adapter: AdapterConfig | None = None
    safetensors: tuple[SafetensorsHeader, ...] = ()
    safetensors_indexes: tuple[SafetensorsIndex, ...] = ()
    gguf: tuple[GgufHeader, ...] = ()
    warnings: tuple[str, ...] = ()  # every reader's warnings, then the directory's own

    @property
    def quantization(self) -> Quantization | None:
        if self.config is not None and self.config.quantization is not None:
            return self.config.quantization
        return self.quantize_config.quantization if self.quantize_config else None


@dataclass(frozen=True)
class DatasetEvidence:
    root: str
    files: tuple[str, ...] = ()
    card: DatasetCard | None = None
    info_files: tuple[DatasetInfoFile, ...] = ()
    data_files: tuple[str, ...] = ()  # data files at the top and in data/
    warnings: tuple[str, ...] = ()


def _list_files(root: Path, warnings: list[str], prefix: str = "") -> list[str]:
    """Names of regular files directly in `root`; symlinks are listed, and reading one that
    leads outside the directory raises InputError."""
    names: list[str] = []
    try:
        with os.scandir(root) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_ENTRIES:
                    warnings.append(
                        f"{prefix or '.'}: more than {MAX_ENTRIES} entries; the rest ignored"
                    )
                    break
                if entry.name.startswith("."):
                    continue
                if entry.is_symlink() and not os.path.exists(entry.path):
                    warnings.append(f"{prefix}{entry.name}: broken symlink; skipped")
                elif entry.is_file():
                    names.append(prefix + entry.name)
    except OSError as err:
        warnings.append(f"{prefix or '.'}: cannot list: {err.strerror or err}")
    return sorted(names)


def read_model_dir(path: Path | str) -> ModelEvidence:
    """Read every known metadata file of a model directory.

    Raises InputError if the directory does not exist or a file in it resolves outside it;
    everything else ends up as a warning.
    """
    root = real_dir(path)
    own: list[str] = []
    files = _list_files(root, own)
    present = set(files)

    indexes = tuple(
        read_safetensors_index(root, n) for n in files if n.endswith(".safetensors.index.json")
    )
    for index in indexes:
        for shard in index.shards:
            if shard.name not in present and not resolve_inside(root, shard.name).is_file():
                own.append(f"{index.name}: shard {shard.name} is not in the directory")
    weights = [n for n in files if n.endswith(".safetensors")]
    ggufs = [n for n in files if n.lower().endswith(".gguf")]
    for kind, names, cap in (("safetensors", weights, MAX_SAFETENSORS), ("GGUF", ggufs, MAX_GGUF)):
        if len(names) > cap:
            own.append(f"{len(names)} {kind} files; only the first {cap} read")

    card = read_model_card(root, CARD) if CARD in present else None
    config = read_config(root) if "config.json" in present else None
    quantize = read_quantize_config(root) if "quantize_config.json" in present else None
    generation = read_generation_config(root) if "generation_config.json" in present else None
    tokenizer = read_tokenizer_config(root) if "tokenizer_config.json" in present else None
    adapter = read_adapter_config(root) if "adapter_config.json" in present else None
    headers = tuple(read_safetensors_header(root, n) for n in weights[:MAX_SAFETENSORS])
    gguf = tuple(read_gguf_header(root, n) for n in ggufs[:MAX_GGUF])

    parts = [card, config, quantize, generation, tokenizer, adapter, *headers, *indexes, *gguf]
    warnings = [w for part in parts if part is not None for w in part.warnings]
    return ModelEvidence(
        root=str(root),
        files=tuple(files),
        card=card,
        config=config,
        quantize_config=quantize,
        generation_config=generation,
        tokenizer_config=tokenizer,
        adapter=adapter,
        safetensors=headers,
        safetensors_indexes=indexes,
        gguf=gguf,
        warnings=(*warnings, *own),
    )


def read_dataset_dir(path: Path | str) -> DatasetEvidence:
    """Read the dataset card and dataset_info files of a dataset directory."""
    root = real_dir(path)
    own: list[str] = []
    files = _list_files(root, own)
    data_dir = root / "data"
    nested = _list_files(resolve_inside(root, "data"), own, "data/") if data_dir.is_dir() else []
    card = read_dataset_card(root, CARD) if CARD in files else None
    infos = tuple(read_dataset_info(root, n) for n in DATASET_INFO_FILES if n in files)
    data_files = tuple(n for n in files + nested if _is_data_file(n))
    warnings = [*(card.warnings if card else ()), *(w for i in infos for w in i.warnings), *own]
    return DatasetEvidence(str(root), tuple(files), card, infos, data_files, tuple(warnings))


def _is_model_file(name: str) -> bool:
    return name.lower().endswith(MODEL_SUFFIXES)


def _is_data_file(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    if base in DATASET_INFO_FILES or _is_model_file(base):
        return False
    return base.lower().endswith(DATA_SUFFIXES)


def looks_like_dataset(path: Path | str) -> bool:
    """True when a directory holds a dataset rather than a model.

    Model files (weights, *config.json, tokenizer files) win; otherwise dataset_info files,
    dataset-only card keys or data files make it a dataset.
    """
    root = real_dir(path)
    files = _list_files(root, [])
    if any(_is_model_file(n) for n in files):
        return False
    if any(n in DATASET_INFO_FILES for n in files):
        return True
    if CARD in files and read_front_matter(root, CARD).data.keys() & DATASET_CARD_KEYS:
        return True
    return any(_is_data_file(n) for n in files) or (root / "data").is_dir()
