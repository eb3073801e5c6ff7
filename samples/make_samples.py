"""Regenerate the sample models under samples/models (deterministic, no network).

    python samples/make_samples.py
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent / "models"


def safetensors(tensors: dict[str, tuple[str, list[int]]], seed: int) -> bytes:
    """A tiny, valid safetensors file: 8-byte header length, JSON header, then the data."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    sizes = {"F32": 4, "F16": 2, "I8": 1}
    for name, (dtype, shape) in sorted(tensors.items()):
        count = 1
        for dim in shape:
            count *= dim
        length = count * sizes[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + length]}
        offset += length
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    data = bytes((seed * 31 + i * 7) % 251 for i in range(offset))
    return struct.pack("<Q", len(raw)) + raw + data


def write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)


def tiny_base() -> None:
    root = HERE / "tiny-base"
    write(root / "README.md", """---
license: apache-2.0
pipeline_tag: text-generation
language: [en]
tags: [aibom-sample, tiny]
datasets: [aibom-samples/tiny-corpus]
---

# tiny-base

A deliberately tiny decoder-only language model used by aibom's samples and tests.
Its weights are synthetic; it predicts nothing useful.
""")
    write(root / "config.json", json.dumps({
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 16,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "vocab_size": 64,
        "torch_dtype": "float32",
    }, indent=2, sort_keys=True) + "\n")
    write(root / "model.safetensors", safetensors({
        "model.embed_tokens.weight": ("F32", [64, 16]),
        "model.layers.0.mlp.up_proj.weight": ("F32", [32, 16]),
        "model.layers.1.mlp.up_proj.weight": ("F32", [32, 16]),
        "lm_head.weight": ("F32", [64, 16]),
    }, seed=1))


if __name__ == "__main__":
    tiny_base()
