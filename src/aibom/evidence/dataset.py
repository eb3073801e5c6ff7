"""Dataset metadata: the dataset card (README.md) and dataset_info.json in its two meanings.

A file named dataset_info.json is either a Hugging Face `datasets` DatasetInfo (features,
splits, sizes) or a LLaMA-Factory registry mapping dataset names to files; the content
decides which. dataset_infos.json (plural, legacy) maps config names to DatasetInfos.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom._internal.files import MiB, read_json
from aibom.evidence._fields import MAX_ITEMS, Fields, describe, scalar_text
from aibom.evidence._front_matter import read_front_matter
from aibom.evidence.model_card import first_paragraph

INFO_LIMIT = 16 * MiB

_HF_INFO_KEYS = frozenset(
    {"description", "citation", "homepage", "license", "features", "splits", "builder_name",
     "config_name", "dataset_size", "download_size", "download_checksums", "version",
     "size_in_bytes", "post_processed", "supervised_keys", "task_templates", "dataset_name"}
)  # fmt: skip
_LLAMAFACTORY_KEYS = frozenset(
    {"file_name", "hf_hub_url", "ms_hub_url", "om_hub_url", "script_url", "cloud_file_name"}
)


@dataclass(frozen=True)
class DatasetSplit:
    name: str
    num_examples: int | None
    num_bytes: int | None


@dataclass(frozen=True)
class DatasetInfo:
    """One config of a dataset, from a card's dataset_info or a dataset_info(s).json."""

    config_name: str | None = None
    features: tuple[str, ...] = ()  # top-level feature (column) names
    splits: tuple[DatasetSplit, ...] = ()
    download_size: int | None = None
    dataset_size: int | None = None
    description: str | None = None
    citation: str | None = None
    homepage: str | None = None
    license: str | None = None
    version: str | None = None


@dataclass(frozen=True)
class DataFiles:
    split: str | None
    paths: tuple[str, ...]


@dataclass(frozen=True)
class DatasetConfig:
    """An entry of the card's `configs` (old cards list bare config names)."""

    name: str
    data_files: tuple[DataFiles, ...] = ()
    data_dir: str | None = None


@dataclass(frozen=True)
class DatasetCard:
    name: str
    has_front_matter: bool
    pretty_name: str | None = None
    license: tuple[str, ...] = ()  # dataset cards may list several
    license_name: str | None = None
    license_link: str | None = None
    language: tuple[str, ...] = ()
    task_categories: tuple[str, ...] = ()
    task_ids: tuple[str, ...] = ()
    size_categories: tuple[str, ...] = ()
    source_datasets: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    paperswithcode_id: str | None = None
    configs: tuple[DatasetConfig, ...] = ()
    dataset_info: tuple[DatasetInfo, ...] = ()
    description: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class LlamaFactoryDataset:
    name: str
    file_name: str | None = None
    hf_hub_url: str | None = None
    ms_hub_url: str | None = None
    script_url: str | None = None
    formatting: str | None = None
    columns: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DatasetInfoFile:
    name: str
    kind: str  # "hf" (datasets DatasetInfo), "llamafactory" (registry) or "unknown"
    configs: tuple[DatasetInfo, ...] = ()
    llamafactory: tuple[LlamaFactoryDataset, ...] = ()
    warnings: tuple[str, ...] = ()


def read_dataset_card(root: Path, name: str = "README.md") -> DatasetCard:
    front = read_front_matter(root, name)
    warnings = list(front.warnings)
    f = Fields(name, front.data, warnings)
    licenses = _legacy(f, "license", "licenses")
    license_name = f.string("license_name")
    if "other" in licenses and license_name is None:
        f.warn("license is 'other' but no license_name is given")
    return DatasetCard(
        name=name,
        has_front_matter=front.present,
        pretty_name=f.string("pretty_name"),
        license=licenses,
        license_name=license_name,
        license_link=f.string("license_link"),
        language=_legacy(f, "language", "languages"),
        task_categories=f.strings("task_categories"),
        task_ids=f.strings("task_ids"),
        size_categories=f.strings("size_categories"),
        source_datasets=f.strings("source_datasets"),
        tags=f.strings("tags"),
        paperswithcode_id=f.string("paperswithcode_id"),
        configs=_configs(f),
        dataset_info=_card_infos(f),
        description=first_paragraph(front.body),
        warnings=tuple(warnings),
    )


def _legacy(f: Fields, key: str, old_key: str) -> tuple[str, ...]:
    values = f.strings(key)
    if not values and f.data.get(old_key) is not None:
        f.warn(f"legacy key {old_key!r} used instead of {key!r}")
        values = f.strings(old_key)
    return values


def _configs(f: Fields) -> tuple[DatasetConfig, ...]:
    raw = f.data.get("configs")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        f.wrong_type("configs", raw, "a list")
        return ()
    configs = []
    bad = 0
    for entry in raw[:MAX_ITEMS]:
        if isinstance(entry, str):
            configs.append(DatasetConfig(entry))
        elif isinstance(entry, Mapping) and isinstance(entry.get("config_name"), str):
            configs.append(
                DatasetConfig(
                    entry["config_name"],
                    _data_files(entry.get("data_files")),
                    scalar_text(entry.get("data_dir")),
                )
            )
        else:
            bad += 1
    if bad:
        f.warn(f"configs: {bad} entry(ies) without a config_name; skipped")
    return tuple(configs)


def _data_files(raw: object) -> tuple[DataFiles, ...]:
    if isinstance(raw, str | list) and all(isinstance(p, str) for p in _as_list(raw)):
        return (DataFiles(None, tuple(_as_list(raw))),)
    if isinstance(raw, Mapping):  # {split: path or [paths]}
        raw = [{"split": k, "path": v} for k, v in raw.items()]
    files = []
    if isinstance(raw, list):
        for item in raw[:MAX_ITEMS]:
            if isinstance(item, Mapping):
                paths = tuple(p for p in _as_list(item.get("path")) if isinstance(p, str))
                files.append(DataFiles(scalar_text(item.get("split")), paths))
    return tuple(files)


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value[:MAX_ITEMS] if isinstance(value, list) else [value]


def _card_infos(f: Fields) -> tuple[DatasetInfo, ...]:
    raw = f.data.get("dataset_info")
    if raw is None:
        return ()
    entries = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(e, Mapping) for e in entries):
        f.warn(f"dataset_info is {describe(raw)} with entries that are not mappings; ignored")
        return ()
    return tuple(
        _info(Fields(f"{f.where}: dataset_info", e, f.warnings)) for e in entries[:MAX_ITEMS]
    )


def _info(f: Fields, config_name: str | None = None) -> DatasetInfo:
    version = f.data.get("version")
    if isinstance(version, Mapping):  # {"version_str": "1.0.0", "major": 1, ...}
        version = version.get("version_str")
    return DatasetInfo(
        config_name=f.string("config_name") or config_name,
        features=_feature_names(f),
        splits=_splits(f),
        download_size=f.integer("download_size"),
        dataset_size=f.integer("dataset_size"),
        description=_short(f.data.get("description")),
        citation=_short(f.data.get("citation")),
        homepage=f.string("homepage"),
        license=f.string("license"),
        version=scalar_text(version),
    )


def _short(value: object) -> str | None:
    return scalar_text(value, 2000) if isinstance(value, str) else None


def _feature_names(f: Fields) -> tuple[str, ...]:
    raw = f.data.get("features")
    if raw is None:
        return ()
    if isinstance(raw, Mapping):  # dataset_info.json: {name: {"dtype": ...}}
        return tuple(str(k) for k in list(raw)[:MAX_ITEMS])
    if isinstance(raw, list):  # card: [{"name": ..., "dtype": ...}]
        names = [item.get("name") for item in raw[:MAX_ITEMS] if isinstance(item, Mapping)]
        return tuple(n for n in names if isinstance(n, str))
    f.wrong_type("features", raw, "a list or a mapping")
    return ()


def _splits(f: Fields) -> tuple[DatasetSplit, ...]:
    raw = f.data.get("splits")
    if raw is None:
        return ()
    if isinstance(raw, Mapping):  # dataset_info.json: {name: {...}}
        raw = [{"name": k, **v} if isinstance(v, Mapping) else None for k, v in raw.items()]
    if not isinstance(raw, list):
        f.wrong_type("splits", raw, "a list or a mapping")
        return ()
    splits = []
    for item in raw[:MAX_ITEMS]:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            f.warn("splits: an entry without a name; skipped")
            continue
        sf = Fields(f"{f.where}: split {item['name']!r}", item, f.warnings)
        splits.append(
            DatasetSplit(item["name"], sf.integer("num_examples"), sf.integer("num_bytes"))
        )
    return tuple(splits)


def read_dataset_info(root: Path, name: str = "dataset_info.json") -> DatasetInfoFile:
    """dataset_info.json or dataset_infos.json, whichever format the content is in."""
    data, warnings = read_json(root, name, INFO_LIMIT)
    if not isinstance(data, dict):
        if data is not None:
            warnings.append(f"{name}: top level is not a JSON object; ignored")
        return DatasetInfoFile(name, "unknown", warnings=tuple(warnings))
    if data.keys() & {"features", "splits", "builder_name", "dataset_size", "description"}:
        return DatasetInfoFile(
            name, "hf", (_info(Fields(name, data, warnings)),), warnings=tuple(warnings)
        )
    entries = {k: v for k, v in data.items() if isinstance(v, Mapping)}
    if entries and any(v.keys() & _LLAMAFACTORY_KEYS for v in entries.values()):
        return _llamafactory(name, data, warnings)
    if entries and all(v.keys() & _HF_INFO_KEYS for v in entries.values()):
        configs = tuple(
            _info(Fields(f"{name}: {config!r}", info, warnings), config)
            for config, info in list(entries.items())[:MAX_ITEMS]
        )
        return DatasetInfoFile(name, "hf", configs, warnings=tuple(warnings))
    warnings.append(f"{name}: neither a datasets DatasetInfo nor a LLaMA-Factory registry")
    return DatasetInfoFile(name, "unknown", warnings=tuple(warnings))


def _llamafactory(name: str, data: dict[str, Any], warnings: list[str]) -> DatasetInfoFile:
    datasets = []
    for key, entry in list(data.items())[:MAX_ITEMS]:
        if not isinstance(entry, Mapping):
            warnings.append(f"{name}: entry {key!r} is {describe(entry)}, not a mapping; skipped")
            continue
        f = Fields(f"{name}: {key!r}", entry, warnings)
        columns = f.mapping("columns") or {}
        datasets.append(
            LlamaFactoryDataset(
                name=key,
                file_name=f.string("file_name"),
                hf_hub_url=f.string("hf_hub_url"),
                ms_hub_url=f.string("ms_hub_url"),
                script_url=f.string("script_url"),
                formatting=f.string("formatting"),
                columns=tuple((str(k), v) for k, v in columns.items() if isinstance(v, str)),
            )
        )
    return DatasetInfoFile(
        name, "llamafactory", llamafactory=tuple(datasets), warnings=tuple(warnings)
    )
