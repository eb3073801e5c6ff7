"""Containers that carry pickles: zip archives (torch.save, .npz), .npy files, and the
zlib/gzip/bz2/lzma/xz streams joblib and pandas compress pickles into.

Archive members are read straight from their local headers within capped sizes, never
extracted, and whatever their flags say (torch's reader ignores the encryption bit and CRCs,
so a scanner that trusts them misses what torch.load runs).
"""

from __future__ import annotations

import ast
import re
import struct
import zipfile
from collections.abc import Callable
from typing import Any, BinaryIO

from aibom.scan._collect import Collector
from aibom.scan._pickle import looks_like_pickle, scan_pickles
from aibom.scan._source import Malformed, Source, decompressing

MiB = 1 << 20
ZIP_MAGIC = b"PK\x03\x04"
NPY_MAGIC = b"\x93NUMPY"
MAX_MEMBERS = 4096  # members read from one archive
MAX_MEMBER = 1024 * MiB  # decompressed bytes followed in one member or stream
MAX_RATIO = 1100  # deflate cannot compress better than about 1032:1
MAX_NPY_HEADER = 64 * 1024  # numpy itself refuses more than 10,000 bytes
MAX_DEPTH = 3  # archives in archives, compressed streams in archives

PICKLE_SUFFIXES = (
    ".pkl", ".pickle", ".pt", ".pth", ".bin", ".ckpt", ".joblib", ".npy", ".npz", ".sav",
    ".model", ".pck", ".pcl", ".p", ".data", ".dat", ".debug_pkl",
)  # fmt: skip

_COMPRESSED = (  # magic, method
    (b"\x1f\x8b", "gzip"), (b"BZh", "bz2"), (b"\xfd7zXZ\x00", "xz"), (b"\x5d\x00\x00", "lzma"),
    (b"ZF", "zlib-joblib0"),  # joblib < 0.10: "ZF" + 4 hex digits of length, then zlib
)  # fmt: skip
_ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")
_UNREAD_MAGIC = ((b"\x04\x22\x4d\x18", "lz4"), (b"\x28\xb5\x2f\xfd", "zstd"),
                 (b"7z\xbc\xaf\x27\x1c", "7z"), (b"Rar!", "rar"))  # fmt: skip

# How a stream is scanned once its kind is known: (source, collector, member, name, depth).
Scanner = Callable[[Source, Collector, str | None, str, int], str]


def compression(head: bytes) -> str | None:
    """The compression a stream starts with, if any (zlib only by its two-byte header)."""
    for magic, method in _COMPRESSED:
        if head.startswith(magic):
            return method
    return "zlib" if head[:2] in _ZLIB_HEADERS else None


def unread_format(head: bytes) -> str | None:
    """A compression or archive format that may hold a pickle but that this scan cannot read."""
    return next((name for magic, name in _UNREAD_MAGIC if head.startswith(magic)), None)


def scan_stream(src: Source, scan: Collector, member: str | None, name: str, depth: int) -> str:
    """Scan one byte stream by what it starts with; the kind found."""
    head = src.peek(16)
    if head.startswith(NPY_MAGIC):
        return scan_npy(src, scan, member)
    if looks_like_pickle(head):
        return "pickle" if scan_pickles(src, scan, member) else "other"
    method = compression(head)
    if method and depth < MAX_DEPTH:
        if method == "zlib-joblib0" and not re.fullmatch(rb"ZF[0-9a-fA-F]{4}", src.peek(6)):
            return "other"  # not joblib's header after all
        inner = _decompressed(src, method)
        if inner is None:
            scan.warn(member, f"starts like {method} data but does not decompress")
            return "other"
        kind = scan_stream(inner, scan, member, name, depth + 1)
        if inner.over_budget:
            scan.warn(
                member,
                f"decompresses to more than {MAX_MEMBER // MiB} MiB; the rest was not scanned",
            )
        return kind if kind == "other" else f"{method.removesuffix('-joblib0')}-compressed {kind}"
    unread = unread_format(head)
    if unread:
        scan.warn(member, f"{unread} data is not read by this scanner (it may hold a pickle)")
        return "other"
    if not may_be_pickle(name):
        return "other"  # only protocol 0/1 pickles have no magic, and no loader opens these
    return "pickle" if scan_pickles(src, scan, member) else "other"


def may_be_pickle(name: str) -> bool:
    """Named like something torch.load / joblib.load / pickle.load is pointed at, or with no
    extension at all (loaders ignore names). Used for protocol 0/1 pickles, which have no
    magic; anything starting like a pickle, archive or compressed stream is read anyway."""
    base = name.rsplit("/", 1)[-1].lower()
    return base.endswith(PICKLE_SUFFIXES) or "." not in base


def _decompressed(src: Source, method: str) -> Source | None:
    if method == "zlib-joblib0":
        src.read(6)  # joblib 0.9 wrote "ZF" and the hex length, then a zlib stream
        method = "zlib"
    try:
        probe = decompressing(src.read, method)
        first = probe(16)
    except Malformed:
        return None  # does not decompress: it only started like compressed data
    pending = [first]

    def read(n: int) -> bytes:
        if pending[0]:
            data, pending[0] = pending[0], b""
            return data
        return probe(n)

    return Source(read, MAX_MEMBER, budget=True)


# --- zip ------------------------------------------------------------------------------------


def scan_zip(
    handle: BinaryIO, size: int, scan: Collector, prefix: str, depth: int, scan_member: Scanner
) -> str:
    """Every member that may carry a pickle, read from its local header."""
    try:
        archive = zipfile.ZipFile(handle)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, struct.error) as err:  # fmt: skip
        scan.warn(prefix or None, f"starts like a zip but cannot be read as one: {err}")
        return "other"
    names = {i.filename for i in infos}
    torch_roots = {n[: -len("data.pkl")] for n in names if n.endswith("data.pkl")}
    if len(infos) > MAX_MEMBERS:
        scan.warn(prefix or None, f"{len(infos)} members; only {MAX_MEMBERS} scanned")
        infos = infos[:MAX_MEMBERS]
    kinds = set()
    for info in infos:
        member = prefix + info.filename
        if info.is_dir() or _torch_storage(info.filename, torch_roots):
            continue
        try:
            src = _member_source(handle, size, info)
        except Malformed as err:
            scan.warn(member, f"cannot read the member: {err}")
            continue
        if src is None:
            scan.warn(member, f"compression method {info.compress_type} is not read")
            continue
        head = src.peek(16)
        if not (_carrier(info.filename, head) or (head.startswith(ZIP_MAGIC))):
            continue
        if info.flag_bits & 0x1 and not _plain(head):
            scan.warn(member, "encrypted; its content cannot be scanned")
            continue
        try:
            kinds.add(scan_member(src, scan, member, info.filename, depth + 1))
        except Malformed as err:
            scan.warn(member, f"cannot read the member: {err}")
        if src.over_budget and not any("budget" in w for w in scan.warnings):
            scan.warn(member, "larger than the scan budget (a zip bomb?); the rest was not read")
    if torch_roots and "pickle" in kinds:
        return "torch-zip"
    return next((k for k in sorted(kinds) if k != "other"), "zip")


def _torch_storage(name: str, roots: set[str]) -> bool:
    """torch.save's raw tensor bytes (<root>/data/<key>): torch never unpickles them."""
    head, _, key = name.rpartition("/data/")
    return bool(key) and "/" not in key and head + "/" in roots


def _carrier(name: str, head: bytes) -> bool:
    return (
        name.lower().endswith(PICKLE_SUFFIXES)
        or looks_like_pickle(head)
        or head.startswith(NPY_MAGIC)
        or compression(head) is not None
        or unread_format(head) is not None
    )


def _plain(head: bytes) -> bool:
    return (
        looks_like_pickle(head)
        or head.startswith((NPY_MAGIC, ZIP_MAGIC))
        or compression(head) is not None
    )


def _member_source(handle: BinaryIO, size: int, info: zipfile.ZipInfo) -> Source | None:
    handle.seek(info.header_offset)
    local = handle.read(30)
    if len(local) < 30 or not local.startswith(ZIP_MAGIC):
        raise Malformed("no local header where the central directory points")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    stored = min(info.compress_size, max(0, size - start))
    left = [stored]
    position = [start]

    def raw(n: int) -> bytes:
        n = min(n, left[0])
        if n <= 0:
            return b""
        handle.seek(position[0])
        data = handle.read(n)
        left[0] -= len(data)
        position[0] += len(data)
        return data

    budget = min(MAX_MEMBER, MAX_RATIO * stored + MiB)
    if info.compress_type == zipfile.ZIP_STORED:
        return Source(raw, stored)
    methods = {zipfile.ZIP_DEFLATED: "deflate", zipfile.ZIP_BZIP2: "bz2"}
    method = methods.get(info.compress_type)
    if method is None:
        return None
    return Source(decompressing(raw, method), budget, budget=True)


# --- .npy -------------------------------------------------------------------------------------


def scan_npy(src: Source, scan: Collector, member: str | None) -> str:
    """A .npy holds a pickle only for object arrays (np.load needs allow_pickle=True)."""
    descr, problem = _npy_descr(src)
    if problem:
        scan.warn(member, problem)
        return "other"
    objects = has_object(descr)
    if objects is None:
        scan.warn(member, f".npy dtype {descr!r} is not understood; it may hold objects")
        return "numpy"
    if objects and not scan_pickles(src, scan, member):
        scan.warn(member, "an object array whose pickle does not decode")
    return "numpy"


def _npy_descr(src: Source) -> tuple[Any, str | None]:
    prefix = src.read(8)
    if len(prefix) < 8 or not prefix.startswith(NPY_MAGIC) or prefix[6] not in (1, 2, 3):
        return None, "not a readable .npy header"
    fmt = "<H" if prefix[6] == 1 else "<I"
    raw = src.read(struct.calcsize(fmt))
    if len(raw) < struct.calcsize(fmt):
        return None, "ended inside the .npy header"
    (length,) = struct.unpack(fmt, raw)
    if length > MAX_NPY_HEADER:
        return None, f".npy header of {length} bytes is over the {MAX_NPY_HEADER} cap"
    text = src.read(length)
    if len(text) < length:
        return None, "ended inside the .npy header"
    try:
        # literal_eval accepts literals only; it is what numpy uses for this header.
        header = ast.literal_eval(text.decode("utf-8" if prefix[6] == 3 else "latin-1"))
    except (ValueError, SyntaxError, RecursionError, TypeError, MemoryError) as err:
        return None, f".npy header is not a Python literal: {type(err).__name__}"
    if not isinstance(header, dict) or "descr" not in header:
        return None, ".npy header has no descr"
    return header["descr"], None


_OBJECT = re.compile(r"[<>|=]?(O\d*|object_?)")
_PLAIN = re.compile(
    r"[<>|=]?([?bBhHiIlLqQpPefdgFDGSaUVc]|[biufcSUVa]\d+|[mM]\d*(\[\w+\])?"
    r"|bool_?|u?int(8|16|32|64)?|float(16|32|64|128)?|complex(64|128|256)?|str_?|bytes_?"
    r"|void|datetime64(\[\w+\])?|timedelta64(\[\w+\])?|half|single|double|longdouble)"
)


def has_object(descr: Any, depth: int = 0) -> bool | None:
    """Does a .npy dtype description contain objects in any spelling numpy accepts (a string,
    a (base, shape) sub-array, a record list, a names/formats dict)? None: cannot tell."""
    if depth > 32:
        return None
    if isinstance(descr, str):
        if _OBJECT.fullmatch(descr):
            return True
        return False if _PLAIN.fullmatch(descr) else None
    if isinstance(descr, tuple) and len(descr) == 2:
        return has_object(descr[0], depth + 1)
    if isinstance(descr, list):
        parts = [
            has_object(f[1], depth + 1) if isinstance(f, tuple) and len(f) >= 2 else None
            for f in descr
        ]
        return _any(parts)
    if isinstance(descr, dict) and isinstance(descr.get("formats"), list):
        return _any([has_object(f, depth + 1) for f in descr["formats"]])
    return None


def _any(parts: list[bool | None]) -> bool | None:
    if any(p is True for p in parts):
        return True
    return None if any(p is None for p in parts) else False
