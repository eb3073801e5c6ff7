"""Keras: a model's config can name code to run at load time.

A ``Lambda`` layer carries marshalled Python bytecode (Keras 2 .h5, and .keras files loaded
with safe_mode=False) that runs on load; a config entry naming a ``module`` outside Keras
imports it (Keras 3 serialises functions as module + name, so ``os`` + ``system`` is a
gadget). The .keras config is ``config.json`` in the zip; in .h5 files it is the
``model_config`` attribute. HDF5 never filters (compresses) attributes, so the JSON is in the
file verbatim and is found by a bounded byte search instead of a full HDF5 reader.
"""

from __future__ import annotations

import json
import re
from typing import Any, BinaryIO

from aibom.scan import policy
from aibom.scan._collect import Collector
from aibom.scan.result import Severity

H5_MAGIC = b"\x89HDF\r\n\x1a\n"
MAX_CONFIG = 64 * (1 << 20)
# Where a serialised Keras object starts (Keras 2 puts class_name first, Keras 3 module).
_MARK = re.compile(rb'\{\s*"(class_name|module|registered_name)"')
_KERAS_MODULES = ("keras", "tf_keras", "tensorflow.keras", "keras_nlp", "keras_hub", "keras_cv")
_CODE_LAYERS = {
    "Lambda": "a Lambda layer runs marshalled Python bytecode when loaded",
    "TFOpLambda": "a TFOpLambda layer calls a TensorFlow function named in the file",
}


def check_config(config: Any, member: str | None, scan: Collector) -> None:
    """Report Lambda layers and imports outside Keras anywhere in a parsed model config."""
    stack, seen = [config], 0
    while stack:
        node = stack.pop()
        seen += 1
        if seen > 1_000_000:
            scan.warn(member, "Keras config too large to check completely")
            return
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        cls = node.get("class_name")
        if isinstance(cls, str) and cls in _CODE_LAYERS:
            layer = (
                node.get("config", {}).get("name", "")
                if isinstance(node.get("config"), dict)
                else ""
            )
            scan.finding(
                member,
                "keras",
                f"{cls}:{layer}" if layer else cls,
                Severity.DANGEROUS,
                _CODE_LAYERS[cls],
            )
        module = node.get("module")
        if isinstance(module, str) and module and not module.startswith(_KERAS_MODULES):
            name = node.get("config") if cls == "function" else cls
            name = name if isinstance(name, str) else str(cls)
            verdict = policy.judge(module, name)
            severity = verdict[0] if verdict else Severity.NOT_ALLOWED
            scan.finding(
                member,
                module,
                name,
                severity,
                (verdict[1] if verdict else f"{module}.{name}: not part of Keras")
                + " (imported when the Keras model loads)",
            )


def check_keras_json(data: bytes, member: str, scan: Collector) -> None:
    """config.json of a .keras archive."""
    try:
        config = json.loads(data)
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        scan.warn(member, f"Keras config is not JSON: {type(err).__name__}")
        return
    check_config(config, member, scan)


def check_h5(handle: BinaryIO, size: int, scan: Collector) -> bool:
    """Find each Keras config JSON in an HDF5 file and check it; False if there is none."""
    found = named = False
    chunk = 8 << 20
    offset = skip_until = 0
    tail = b""
    while offset < size:
        handle.seek(offset)
        block = tail + handle.read(chunk)
        start = offset - len(tail)
        named = named or b"model_config" in block
        for match in _MARK.finditer(block):
            at = match.start()
            if start + at >= skip_until:
                config, length = _decode_at(handle, start + at)
                if config is not None:
                    found = True
                    skip_until = start + at + length  # its nested layers are inside it
                    check_config(config, "model_config", scan)
        tail = block[-64:]
        offset += chunk
    if named and not found:
        scan.warn(None, "has a model_config attribute that this scanner cannot decode")
    return found or named


def _decode_at(handle: BinaryIO, position: int) -> tuple[Any, int]:
    """The JSON value starting at `position` and its length in bytes (latin-1 keeps one
    character per byte; non-ASCII names decode wrongly but the structure does not)."""
    handle.seek(position)
    text = handle.read(MAX_CONFIG).decode("latin-1")
    try:
        return json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        return None, 0
