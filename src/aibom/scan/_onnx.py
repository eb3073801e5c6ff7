"""ONNX: initializers stored as external data name a file that the runtime opens.

A location that is absolute, climbs out with ``..`` or resolves (through symlinks) outside
the model's directory makes onnxruntime or onnx.load read an arbitrary file into the weights
(and, in some versions, mmap it). The protobuf is walked minimally: only the fields that
lead to TensorProto.external_data are followed; everything else is skipped by wire type.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator
from pathlib import Path

from aibom.scan._collect import Collector
from aibom.scan.result import Severity

MAX_DEPTH = 64
# message name -> {field number: message name it holds}; what leads to a TensorProto.
_FOLLOW: dict[str, dict[int, str]] = {
    "model": {7: "graph", 25: "function"},
    "function": {7: "node"},
    "graph": {1: "node", 5: "tensor", 15: "sparse"},
    "node": {5: "attribute"},
    "attribute": {5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse"},
    "sparse": {1: "tensor", 2: "tensor"},
    "tensor": {},
}
_TENSOR_NAME, _TENSOR_EXTERNAL, _TENSOR_LOCATION = 8, 13, 14


class _Bad(ValueError):
    pass


def check_onnx(data: bytes | mmap.mmap, path: Path, root: Path, scan: Collector) -> None:
    """Report external-data locations that leave `root` (the model's directory)."""
    try:
        view = memoryview(data)
        try:
            entries = list(_external(view, "model", 0))
        finally:
            view.release()
    except (_Bad, IndexError) as err:
        scan.warn(None, f"ONNX protobuf cannot be read: {err}")
        return
    base = path.parent
    for tensor, location in sorted(set(entries)):
        problem = _leaves(base, root, location)
        if problem:
            scan.finding(
                None,
                "onnx",
                tensor or "<unnamed tensor>",
                Severity.DANGEROUS,
                f"external data {location!r} {problem}",
            )


def _leaves(base: Path, root: Path, location: str) -> str | None:
    if not location or "\0" in location:
        return "is not a file name"
    if os.path.isabs(location) or location.startswith(("\\", "/")) or ":" in location:
        return "is an absolute path"
    if ".." in location.replace("\\", "/").split("/"):
        return "climbs out of the model directory"
    target = os.path.realpath(base / location)
    if os.path.commonpath([target, os.path.realpath(root)]) != os.path.realpath(root):
        return "resolves outside the model directory"
    return None


def _fields(buf: memoryview) -> Iterator[tuple[int, int, memoryview | int]]:
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, wire, value
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        elif wire == 2:
            length, pos = _varint(buf, pos)
            if pos + length > len(buf):
                raise _Bad("a field runs past the end")
            yield number, wire, buf[pos : pos + length]
            pos += length
        else:
            raise _Bad(f"wire type {wire} is not valid here")
        if pos > len(buf):
            raise _Bad("a field runs past the end")


def _varint(buf: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise _Bad("a varint runs past the end")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _external(buf: memoryview, kind: str, depth: int) -> Iterator[tuple[str, str]]:
    if depth > MAX_DEPTH:
        raise _Bad("nested too deeply")
    if kind == "tensor":
        yield from _tensor_locations(buf)
        return
    follow = _FOLLOW[kind]
    for number, wire, value in _fields(buf):
        inner = follow.get(number)
        if inner and wire == 2 and isinstance(value, memoryview):
            yield from _external(value, inner, depth + 1)


def _tensor_locations(buf: memoryview) -> Iterator[tuple[str, str]]:
    name = ""
    locations = []
    for number, _wire, value in _fields(buf):
        if number == _TENSOR_NAME and isinstance(value, memoryview):
            name = bytes(value).decode("utf-8", "replace")
        elif number == _TENSOR_EXTERNAL and isinstance(value, memoryview):
            key = val = ""
            for n, _, v in _fields(value):
                if isinstance(v, memoryview):
                    text = bytes(v).decode("utf-8", "replace")
                    key, val = (text, val) if n == 1 else (key, text if n == 2 else val)
            if key == "location":
                locations.append(val)
    for location in locations:
        yield name, location
