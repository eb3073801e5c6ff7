"""Model directories and OMS statements built at test time."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import stat
from pathlib import Path
from typing import Any


def copy_writable(src: Path, dst: Path) -> Path:
    """Copy a read-only vector directory and make the copy writable."""
    shutil.copytree(src, dst)
    for path in [dst, *dst.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR | (stat.S_IXUSR if path.is_dir() else 0))
    return dst


def flip_byte(path: Path, offset: int = 0) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def make_model(root: Path, files: dict[str, bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def small_model(root: Path) -> Path:
    """A few KB of files, one of them empty, one in a subdirectory."""
    return make_model(
        root,
        {
            "weights.bin": bytes(range(256)) * 12 + b"tail",  # 3076 bytes
            "config.json": b'{"layers": 2, "hidden": 64}',
            "empty.txt": b"",
            "sub/tokenizer.json": b'{"vocab": ["a", "b", "c"]}' * 50,
        },
    )


def bundle_payload(sig_path: Path) -> dict[str, Any]:
    """The in-toto statement inside a bundle file (not verified)."""
    bundle = json.loads(sig_path.read_text())
    return json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))


def statement(
    resources: list[dict[str, str]],
    *,
    serialization: dict[str, Any] | None = None,
    name: str = "model",
) -> dict[str, Any]:
    """An OMS v1.0 statement over `resources` with a correct root digest (listed order)."""
    root = hashlib.sha256(b"".join(bytes.fromhex(r["digest"]) for r in resources)).hexdigest()
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": root}}],
        "predicateType": "https://model_signing/signature/v1.0",
        "predicate": {
            "serialization": serialization
            or {"method": "files", "hash_type": "sha256", "allow_symlinks": False},
            "resources": resources,
        },
    }


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
