"""safetensors: a JSON header that must describe exactly the bytes after it.

A header that lies (offsets past the end, overlapping or uncovered ranges, a size that does
not match dtype x shape) makes readers disagree about the weights, or read out of bounds in
implementations that trust it. Nothing here is executable; a lie is reported as dangerous
because a reader can be steered by it.
"""

from __future__ import annotations

import json
import struct
from typing import BinaryIO

from aibom.scan._collect import Collector
from aibom.scan.result import Severity

MAX_HEADER = 100 * (1 << 20)  # the safetensors library's own limit
_DTYPE_BITS = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16,
    "U16": 16, "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "I64": 64, "U64": 64,
    "F64": 64, "C64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}  # fmt: skip


def looks_like_safetensors(head: bytes) -> bool:
    """An 8-byte little-endian header length, then a JSON object."""
    return len(head) >= 10 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] > 1


def check_safetensors(handle: BinaryIO, size: int, scan: Collector) -> None:
    """Report a header that does not describe the file's data exactly."""

    def lie(text: str) -> None:
        scan.finding(None, "safetensors", "header", Severity.DANGEROUS, text)

    raw = handle.read(8)
    if len(raw) < 8:
        scan.warn(None, "too short for a safetensors header")
        return
    (length,) = struct.unpack("<Q", raw)
    if length > MAX_HEADER or 8 + length > size:
        lie(f"header length {length} runs past the end of the file ({size} bytes)")
        return
    try:
        header = json.loads(handle.read(length))
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        scan.warn(None, f"safetensors header is not JSON: {type(err).__name__}")
        return
    if not isinstance(header, dict):
        lie("the header is not a JSON object")
        return
    data = size - 8 - length
    ranges = []
    for name, entry in sorted(header.items()):
        if name == "__metadata__":
            if not isinstance(entry, dict) or not all(isinstance(v, str) for v in entry.values()):
                lie("__metadata__ is not a map of strings")
            continue
        problem, span = _tensor(entry, data)
        if problem:
            lie(f"tensor {name!r}: {problem}")
        elif span:
            ranges.append((*span, name))
    ranges.sort()
    end = 0
    for begin, stop, name in ranges:
        if begin < end:
            lie(f"tensor {name!r} overlaps the tensor before it")
        elif begin > end:
            lie(f"bytes {end}..{begin} of the data belong to no tensor")
        end = max(end, stop)
    if end != data and not any(f.module == "safetensors" for f in scan.extra):
        lie(f"the data section has {data} bytes but the tensors cover {end}")


def _tensor(entry: object, data: int) -> tuple[str | None, tuple[int, int] | None]:
    if not isinstance(entry, dict):
        return "not an object", None
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in _DTYPE_BITS:
        return f"unknown dtype {dtype!r}", None
    if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
        return "shape is not a list of sizes", None
    if not (
        isinstance(offsets, list)
        and len(offsets) == 2
        and all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
    ):
        return "data_offsets is not [begin, end]", None
    begin, end = offsets
    if not 0 <= begin <= end <= data:
        return f"data_offsets {offsets} lie outside the {data}-byte data section", None
    count = 1
    for d in shape:
        count *= d
    bits = count * _DTYPE_BITS[str(dtype)]
    if (bits + 7) // 8 != end - begin:
        return (
            f"{dtype}{shape} needs {(bits + 7) // 8} bytes but data_offsets give {end - begin}",
            None,
        )
    return None, (begin, end)
