"""Scan files and model directories: dispatch each file to the reader for what it is.

What a file is comes from its first bytes (zip, .npy, HDF5, GGUF, safetensors, pickle magic,
compressed streams), never only from its name: torch.load and joblib.load ignore names. ONNX
has no magic and is recognised by its extension. Files are opened inside the root only.
"""

from __future__ import annotations

import io
import mmap
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from aibom._internal.files import open_inside, real_dir, resolve_inside
from aibom.errors import InputError
from aibom.scan._collect import Collector
from aibom.scan._containers import ZIP_MAGIC, scan_stream, scan_zip
from aibom.scan._gguf import MAGIC as GGUF_MAGIC
from aibom.scan._gguf import check_gguf
from aibom.scan._keras import H5_MAGIC, check_h5, check_keras_json
from aibom.scan._onnx import check_onnx
from aibom.scan._safetensors import check_safetensors, looks_like_safetensors
from aibom.scan._source import Malformed, Source
from aibom.scan.result import FileScan, ScanReport

MAX_FILES = 100_000  # files looked at in one walk
MAX_NESTED_ZIP = 256 << 20  # an archive inside an archive is read into memory up to this
MAX_KERAS_CONFIG = 64 << 20
MAX_ONNX = 2 << 30  # protobuf's own limit


def scan_file(root: Path, name: str) -> FileScan:
    """Scan one file; `name` is relative to `root`. InputError if it leads outside `root`."""
    base = real_dir(root)
    scan = Collector(name)
    try:
        with open_inside(base, name) as (handle, size):
            kind = _scan_handle(handle, size, name, base, scan)
    except FileNotFoundError:
        scan.warn(None, "not found")
        kind = "other"
    except OSError as err:
        scan.warn(None, f"cannot read: {err.strerror or err}")
        kind = "other"
    except Malformed as err:
        scan.warn(None, f"cannot be read: {err}")
        kind = "other"
    return scan.result(kind)


def scan_model(root: Path, names: Iterable[str] | None = None) -> ScanReport:
    """Scan `names` under `root`, or every file below it.

    The walk skips .git, does not follow symlinked directories that stay inside `root` (their
    files are reached through their real place) and raises InputError for a symlink that
    leads outside it.
    """
    base = real_dir(root)
    warnings: list[str] = []
    chosen = _walk(base, warnings) if names is None else sorted(set(names))
    return ScanReport(tuple(scan_file(base, n) for n in chosen), tuple(warnings))


def scan_paths(paths: Iterable[Path]) -> ScanReport:
    """Scan files and directories given on a command line; a file is scanned inside its own
    directory, a directory as a model directory. InputError for a path that does not exist."""
    files: list[FileScan] = []
    warnings: list[str] = []
    for path in paths:
        if path.is_dir():
            report = scan_model(path)
            prefix = "" if str(path) == "." else f"{path.as_posix().rstrip('/')}/"
            files += [_renamed(f, prefix) for f in report.files]
            warnings += [f"{prefix}{w}" for w in report.warnings]
        elif path.is_file():
            scan = scan_file(path.parent, path.name)
            files.append(
                _renamed(scan, f"{path.parent.as_posix()}/" if str(path.parent) != "." else "")
            )
        elif path.exists():
            raise InputError(f"cannot scan {path}: it is not a regular file or a directory")
        else:
            raise InputError(f"{path}: no such file or directory")
    return ScanReport(tuple(files), tuple(warnings))


def _renamed(scan: FileScan, prefix: str) -> FileScan:
    if not prefix:
        return scan

    def fix(text: str) -> str:
        return prefix + text if text.startswith(scan.file) else text

    findings = tuple(
        f.__class__(prefix + f.file, f.member, f.module, f.name, f.severity, f.reason)
        for f in scan.findings
    )
    return FileScan(
        prefix + scan.file, scan.kind, scan.imports, findings, tuple(fix(w) for w in scan.warnings)
    )


def _walk(root: Path, warnings: list[str]) -> list[str]:
    found: list[str] = []
    for folder, dirs, files in os.walk(root, onerror=lambda e: warnings.append(f"{e}")):
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for d in dirs:
            if os.path.islink(os.path.join(folder, d)):
                resolve_inside(root, prefix + d)  # InputError when it leads outside
        for file in sorted(files):
            if len(found) >= MAX_FILES:
                warnings.append(f"more than {MAX_FILES} files; the rest were not scanned")
                return found
            found.append(prefix + file)
    return found


def _scan_handle(handle: BinaryIO, size: int, name: str, root: Path, scan: Collector) -> str:
    head = handle.read(16)
    handle.seek(0)
    lower = name.lower()
    if head.startswith(ZIP_MAGIC):
        kind = scan_zip(handle, size, scan, "", 0, _scan_member)
        if lower.endswith(".keras"):
            _keras_zip(handle, scan)
            return "keras"
        return kind
    if head.startswith(H5_MAGIC):
        return "keras-h5" if check_h5(handle, size, scan) else "hdf5"
    if head.startswith(GGUF_MAGIC):
        check_gguf(handle, scan)
        return "gguf"
    if lower.endswith(".onnx"):
        _onnx(handle, size, name, root, scan)
        return "onnx"
    if lower.endswith(".safetensors") or looks_like_safetensors(head):
        check_safetensors(handle, size, scan)
        return "safetensors"

    def seek_ahead(n: int) -> None:
        handle.seek(n, os.SEEK_CUR)

    return scan_stream(Source(handle.read, size, seek_ahead=seek_ahead), scan, None, name, 0)


def _scan_member(src: Source, scan: Collector, member: str | None, name: str, depth: int) -> str:
    if not src.peek(4).startswith(ZIP_MAGIC):
        return scan_stream(src, scan, member, name, depth)
    data = src.read(MAX_NESTED_ZIP)
    if not src.at_end():
        scan.warn(member, "an archive inside the archive is too large to read")
        return "zip"
    if depth >= 3:
        scan.warn(member, "archives nested too deeply")
        return "zip"
    return scan_zip(io.BytesIO(data), len(data), scan, f"{member}!", depth, _scan_member)


def _keras_zip(handle: BinaryIO, scan: Collector) -> None:
    try:
        with zipfile.ZipFile(handle) as archive:
            info = archive.getinfo("config.json")
            if info.file_size > MAX_KERAS_CONFIG:
                scan.warn("config.json", "too large to check")
                return
            with archive.open(info) as member:
                data = member.read(MAX_KERAS_CONFIG + 1)
    except KeyError:
        scan.warn(None, "a .keras archive without config.json")
        return
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError) as err:
        scan.warn("config.json", f"cannot be read: {err}")
        return
    check_keras_json(data, "config.json", scan)


def _onnx(handle: BinaryIO, size: int, name: str, root: Path, scan: Collector) -> None:
    if size > MAX_ONNX:
        scan.warn(None, "larger than protobuf's 2 GiB limit; not an ONNX model this reads")
        return
    if size == 0:
        scan.warn(None, "empty")
        return
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
        check_onnx(view, root / name, root, scan)
