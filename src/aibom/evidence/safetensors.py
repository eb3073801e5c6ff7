"""safetensors files (the JSON header only, never the weights) and sharded-model indexes."""

from __future__ import annotations

import json
import math
import struct
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from aibom._internal.files import MiB, human_size, open_inside, read_json, unsafe_name_reason
from aibom.evidence._fields import Fields
from aibom.evidence.lfs import POINTER_MAX_SIZE, POINTER_PREFIX, LfsPointer, parse_lfs_pointer

HEADER_CAP = 100 * MiB
INDEX_LIMIT = 64 * MiB
MAX_RANK = 16

DTYPE_BITS = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32, "I64": 64, "U64": 64, "F64": 64,
    "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}  # fmt: skip


@dataclass(frozen=True)
class SafetensorsHeader:
    name: str
    file_size: int
    header_size: int | None = None
    tensor_count: int = 0
    parameter_count: int = 0
    dtypes: dict[str, int] = field(default_factory=dict)  # dtype -> number of tensors
    metadata: dict[str, str] = field(default_factory=dict)  # the header's __metadata__
    lfs_pointer: LfsPointer | None = None  # set when the file is a Git LFS pointer, not weights
    warnings: tuple[str, ...] = ()


def read_safetensors_header(root: Path, name: str) -> SafetensorsHeader:
    try:
        with open_inside(root, name) as (handle, size):
            return _read(handle, size, name)
    except FileNotFoundError:
        return SafetensorsHeader(name, 0, warnings=(f"{name}: not found",))
    except OSError as err:
        return SafetensorsHeader(name, 0, warnings=(f"{name}: cannot read: {err.strerror or err}",))


def _read(handle: BinaryIO, size: int, name: str) -> SafetensorsHeader:
    def stop(reason: str, length: int | None = None) -> SafetensorsHeader:
        return SafetensorsHeader(name, size, length, warnings=(f"{name}: {reason}",))

    prefix = handle.read(8)
    if prefix.startswith(POINTER_PREFIX[:8]):
        pointer = parse_lfs_pointer(prefix + handle.read(POINTER_MAX_SIZE))
        if pointer is not None:
            reason = "a Git LFS pointer, not the weights (run git lfs pull)"
            return SafetensorsHeader(
                name, size, lfs_pointer=pointer, warnings=(f"{name}: {reason}",)
            )
    if len(prefix) < 8:
        return stop(f"{size} bytes, too short for a safetensors header")
    (length,) = struct.unpack("<Q", prefix)
    if length > HEADER_CAP:
        return stop(
            f"header length {length} exceeds the {human_size(HEADER_CAP)} cap; not read", length
        )
    if length > size - 8:
        return stop(f"header length {length} is larger than the file ({size} bytes)", length)
    raw = handle.read(length)
    if len(raw) < length:
        return stop("file ended inside the header", length)
    return _parse_header(name, size, length, raw, [])


def _parse_header(
    name: str, size: int, length: int, raw: bytes, warnings: list[str]
) -> SafetensorsHeader:
    def failed(reason: str) -> SafetensorsHeader:
        warnings.append(f"{name}: header {reason}")
        return SafetensorsHeader(name, size, length, warnings=tuple(warnings))

    try:
        header = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return failed("is not UTF-8")
    except RecursionError:
        return failed("is nested too deeply")
    except ValueError as err:
        return failed(f"is not valid JSON: {str(err).splitlines()[0][:200]}")
    if not isinstance(header, dict):
        return failed("is not a JSON object")

    metadata = _metadata(name, header.pop("__metadata__", None), warnings)
    data_len = size - 8 - length
    dtypes: Counter[str] = Counter()
    params = malformed = out_of_bounds = wrong_length = 0
    unknown: set[str] = set()
    for info in header.values():
        numel = _numel(info)
        if numel is None:
            malformed += 1
            continue
        dtype, (begin, end) = info["dtype"], info["data_offsets"]
        dtypes[dtype] += 1
        params += numel
        if end > data_len:
            out_of_bounds += 1
        bits = DTYPE_BITS.get(dtype)
        if bits is None:
            unknown.add(dtype)
        elif end - begin != math.ceil(numel * bits / 8):
            wrong_length += 1
    for count, problem in (
        (malformed, "malformed (need dtype, shape and data_offsets)"),
        (out_of_bounds, "pointing past the end of the file"),
        (wrong_length, "whose byte range does not match dtype and shape"),
    ):
        if count:
            warnings.append(f"{name}: {count} tensor entr{'y' if count == 1 else 'ies'} {problem}")
    if unknown:
        warnings.append(f"{name}: unknown dtype(s): {', '.join(sorted(unknown)[:5])}")
    return SafetensorsHeader(
        name=name,
        file_size=size,
        header_size=length,
        tensor_count=sum(dtypes.values()),
        parameter_count=params,
        dtypes=dict(dtypes),
        metadata=metadata,
        warnings=tuple(warnings),
    )


def _numel(info: object) -> int | None:
    """Element count of a well-formed tensor entry, else None."""
    if not isinstance(info, dict) or not isinstance(info.get("dtype"), str):
        return None
    shape, offsets = info.get("shape"), info.get("data_offsets")
    if not isinstance(shape, list) or len(shape) > MAX_RANK or not _all_counts(shape):
        return None
    if not isinstance(offsets, list) or len(offsets) != 2 or not _all_counts(offsets):
        return None
    if offsets[0] > offsets[1]:
        return None
    return math.prod(shape)


def _all_counts(values: list[Any]) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values)


def _metadata(name: str, raw: object, warnings: list[str]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        warnings.append(f"{name}: __metadata__ is not a JSON object; ignored")
        return {}
    kept = {k: v for k, v in raw.items() if isinstance(v, str)}
    if len(kept) < len(raw):
        warnings.append(
            f"{name}: {len(raw) - len(kept)} __metadata__ value(s) are not strings; ignored"
        )
    return kept


def _short_scalar(value: object) -> bool:
    return isinstance(value, int | float | bool) or (isinstance(value, str) and len(value) <= 2000)


@dataclass(frozen=True)
class Shard:
    name: str
    tensor_count: int


@dataclass(frozen=True)
class SafetensorsIndex:
    name: str
    total_size: int | None = None  # bytes of tensor data over all shards
    total_parameters: int | None = None  # present in indexes written by newer transformers
    metadata: dict[str, str | int | float | bool] = field(default_factory=dict)
    tensor_count: int = 0
    shards: tuple[Shard, ...] = ()  # only names that stay inside the directory
    warnings: tuple[str, ...] = ()


def read_safetensors_index(
    root: Path, name: str = "model.safetensors.index.json"
) -> SafetensorsIndex:
    data, warnings = read_json(root, name, INDEX_LIMIT)
    if not isinstance(data, dict):
        if data is not None:
            warnings.append(f"{name}: top level is not a JSON object; ignored")
        return SafetensorsIndex(name, warnings=tuple(warnings))
    f = Fields(name, data, warnings)
    meta = f.mapping("metadata") or {}
    mf = Fields(f"{name}: metadata", meta, warnings)
    weight_map = f.mapping("weight_map")
    if weight_map is None:
        f.warn("no weight_map")
        weight_map = {}

    per_shard: Counter[str] = Counter()
    refused: dict[str, str] = {}
    not_strings = 0
    for shard in weight_map.values():
        if not isinstance(shard, str):
            not_strings += 1
        elif reason := unsafe_name_reason(shard):
            refused[shard] = reason
        else:
            per_shard[shard] += 1
    if not_strings:
        f.warn(f"weight_map: {not_strings} value(s) are not file names; ignored")
    for shard, reason in list(refused.items())[:10]:
        f.warn(f"weight_map names shard {shard!r} that {reason}; not used")
    if len(refused) > 10:
        f.warn(f"weight_map: {len(refused) - 10} more unsafe shard names")

    return SafetensorsIndex(
        name=name,
        total_size=mf.integer("total_size"),
        total_parameters=mf.integer("total_parameters"),
        metadata={k: v for k, v in meta.items() if _short_scalar(k) and _short_scalar(v)},
        tensor_count=len(weight_map),
        shards=tuple(Shard(shard, count) for shard, count in sorted(per_shard.items())),
        warnings=tuple(warnings),
    )
