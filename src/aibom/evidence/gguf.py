"""GGUF files (llama.cpp): the header, metadata and tensor table, never the tensor data."""

from __future__ import annotations

import hashlib
import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from aibom._internal.files import MiB, open_inside
from aibom.evidence.lfs import POINTER_MAX_SIZE, POINTER_PREFIX, LfsPointer, parse_lfs_pointer

MAGIC = b"GGUF"
MAX_KV = 65_536  # real files hold tens; a tokenizer is one array, not many keys
MAX_TENSORS = 1_000_000
MAX_STRING = 16 * MiB  # a chat template or a long description fits easily
MAX_DIMS = 8
MAX_ARRAY_DEPTH = 4
READ_BUDGET = 256 * MiB  # bytes actually read (fixed-size arrays are skipped with a seek)
MAX_VALUE_CHARS = 4096  # longer strings are kept shortened

# llama.cpp's llama_ftype, stored as general.file_type.
FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 4: "Q4_1_SOME_F16", 7: "Q8_0", 8: "Q5_0",
    9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S",
    15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS",
    21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S",
    27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
    33: "Q4_0_4_4", 34: "Q4_0_4_8", 35: "Q4_0_8_8", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
}  # fmt: skip

# GGUF value types: id -> struct code; 8 is a string, 9 an array.
_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?",
            10: "Q", 11: "q", 12: "d"}  # fmt: skip
_STRING, _ARRAY = 8, 9


@dataclass(frozen=True)
class GgufBaseModel:
    name: str | None
    organization: str | None
    version: str | None
    repo_url: str | None


@dataclass(frozen=True)
class GgufHeader:
    name: str
    file_size: int
    version: int | None = None
    byte_order: str | None = None  # "little" or "big"
    tensor_count: int | None = None
    metadata_count: int | None = None
    architecture: str | None = None
    model_name: str | None = None
    file_type: int | None = None
    quantization: str | None = None  # name of file_type, e.g. Q4_K_M
    quantization_version: int | None = None
    license: str | None = None
    context_length: int | None = None
    base_models: tuple[GgufBaseModel, ...] = ()
    parameter_count: int | None = None  # from the tensor table, when it was read whole
    chat_template_sha256: str | None = None
    general: dict[str, str | int | float | bool] = field(default_factory=dict)  # general.* scalars
    lfs_pointer: LfsPointer | None = None
    warnings: tuple[str, ...] = ()


class _Stop(Exception):
    """Reading cannot go on; the message is the warning."""


class _Reader:
    def __init__(self, handle: BinaryIO, size: int, order: str) -> None:
        self.handle, self.size, self.order = handle, size, order
        self.budget = READ_BUDGET

    def remaining(self) -> int:
        return self.size - self.handle.tell()

    def read(self, n: int) -> bytes:
        if n > self.remaining():
            raise _Stop("file ends early (truncated)")
        self.budget -= n
        if self.budget < 0:
            raise _Stop(f"metadata larger than {READ_BUDGET // MiB} MiB; stopped")
        return self.handle.read(n)

    def skip(self, n: int) -> None:
        if n > self.remaining():
            raise _Stop("file ends early (truncated)")
        self.handle.seek(n, 1)

    def scalar(self, code: str) -> Any:
        fmt = self.order + code
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]

    def string(self, keep: bool = True) -> str | None:
        length = self.scalar("Q")
        if length > MAX_STRING:
            raise _Stop(f"a string claims {length} bytes; absurd, stopped")
        if not keep:
            self.skip(length)
            return None
        return self.read(length).decode("utf-8", "replace")

    def value(self, vtype: int, keep: bool, depth: int = 0) -> Any:
        if vtype in _SCALARS:
            return self.scalar(_SCALARS[vtype])
        if vtype == _STRING:
            return self.string(keep)
        if vtype != _ARRAY:
            raise _Stop(f"unknown value type {vtype}; stopped")
        if depth >= MAX_ARRAY_DEPTH:
            raise _Stop("arrays nested too deeply; stopped")
        etype, count = self.scalar("I"), self.scalar("Q")
        width = struct.calcsize(self.order + _SCALARS[etype]) if etype in _SCALARS else 8
        if count * width > self.remaining():  # a string or array element takes 8 bytes or more
            raise _Stop(f"an array claims {count} elements, more than the file holds; stopped")
        if etype in _SCALARS:
            self.skip(count * width)
        else:
            for _ in range(count):
                self.value(etype, keep=False, depth=depth + 1)
        return None  # arrays are skipped, not kept


def read_gguf_header(root: Path, name: str) -> GgufHeader:
    try:
        with open_inside(root, name) as (handle, size):
            return _read(handle, size, name)
    except FileNotFoundError:
        return GgufHeader(name, 0, warnings=(f"{name}: not found",))
    except OSError as err:
        return GgufHeader(name, 0, warnings=(f"{name}: cannot read: {err.strerror or err}",))


def _read(handle: BinaryIO, size: int, name: str) -> GgufHeader:
    head = handle.read(8)
    if head.startswith(POINTER_PREFIX[:8]):
        pointer = parse_lfs_pointer(head + handle.read(POINTER_MAX_SIZE))
        if pointer is not None:
            warning = f"{name}: a Git LFS pointer, not the model (run git lfs pull)"
            return GgufHeader(name, size, lfs_pointer=pointer, warnings=(warning,))
    if len(head) < 8 or head[:4] != MAGIC:
        return GgufHeader(name, size, warnings=(f"{name}: not a GGUF file (no GGUF magic)",))
    order, version = "<", struct.unpack("<I", head[4:])[0]
    if version not in (2, 3) and struct.unpack(">I", head[4:])[0] in (2, 3):
        order, version = ">", struct.unpack(">I", head[4:])[0]
    byte_order = "little" if order == "<" else "big"
    if version not in (2, 3):
        warning = f"{name}: GGUF version {version} is not supported (only 2 and 3)"
        return GgufHeader(name, size, version, byte_order, warnings=(warning,))

    reader = _Reader(handle, size, order)
    warnings: list[str] = []
    values: dict[str, Any] = {}
    template_digest = None
    tensor_count = kv_count = params = None
    try:
        tensor_count, kv_count = reader.scalar("Q"), reader.scalar("Q")
        if kv_count > MAX_KV:
            raise _Stop(f"claims {kv_count} metadata entries; absurd, not read")
        for _ in range(kv_count):
            key = reader.string() or ""
            vtype = reader.scalar("I")
            keep = key == "tokenizer.chat_template" or (
                (vtype != _ARRAY and key.startswith("general.")) or key.endswith(".context_length")
            )
            value = reader.value(vtype, keep)
            if key == "tokenizer.chat_template" and isinstance(value, str):
                template_digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
            elif keep and value is not None:
                values[key] = _shorten(value)
        if tensor_count > MAX_TENSORS:
            raise _Stop(f"claims {tensor_count} tensors; absurd, tensor table not read")
        params = _tensor_params(reader, tensor_count)
    except _Stop as stop:
        warnings.append(f"{name}: {stop}")
    except struct.error:  # cannot happen after the length checks; kept as a last guard
        warnings.append(f"{name}: file ends early (truncated)")
    return _header(name, size, version, byte_order, tensor_count, kv_count, values, params,
                   template_digest, warnings)  # fmt: skip


def _tensor_params(reader: _Reader, count: int) -> int:
    total = 0
    for _ in range(count):
        reader.string(keep=False)
        n_dims = reader.scalar("I")
        if n_dims > MAX_DIMS:
            raise _Stop(f"a tensor claims {n_dims} dimensions; stopped")
        total += math.prod(reader.scalar("Q") for _ in range(n_dims))
        reader.skip(4 + 8)  # ggml type and data offset
    return total


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[: MAX_VALUE_CHARS - 1] + "…"
    return value


def _header(
    name: str,
    size: int,
    version: int,
    byte_order: str,
    tensor_count: int | None,
    kv_count: int | None,
    values: dict[str, Any],
    params: int | None,
    template_digest: str | None,
    warnings: list[str],
) -> GgufHeader:
    def text(key: str) -> str | None:
        value = values.get(key)
        return value if isinstance(value, str) and value else None

    def number(key: str) -> int | None:
        value = values.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    architecture = text("general.architecture")
    file_type = number("general.file_type")
    quantization = None
    if file_type is not None:
        quantization = FILE_TYPES.get(file_type)
        if quantization is None:
            warnings.append(f"{name}: general.file_type {file_type} is not a known quantization")
    count = number("general.base_model.count") or 0
    base_models = tuple(
        GgufBaseModel(
            text(f"general.base_model.{i}.name"),
            text(f"general.base_model.{i}.organization"),
            text(f"general.base_model.{i}.version"),
            text(f"general.base_model.{i}.repo_url"),
        )
        for i in range(min(count, 64))
    )
    return GgufHeader(
        name=name,
        file_size=size,
        version=version,
        byte_order=byte_order,
        tensor_count=tensor_count,
        metadata_count=kv_count,
        architecture=architecture,
        model_name=text("general.name"),
        file_type=file_type,
        quantization=quantization,
        quantization_version=number("general.quantization_version"),
        license=text("general.license"),
        context_length=number(f"{architecture}.context_length") if architecture else None,
        base_models=base_models,
        parameter_count=params,
        chat_template_sha256=template_digest,
        general={k: v for k, v in values.items() if k.startswith("general.")},
        warnings=tuple(warnings),
    )
