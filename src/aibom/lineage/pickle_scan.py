"""Find what a pickle would import and call, without ever unpickling it.

Loading a pickle runs code: every GLOBAL / INST / STACK_GLOBAL opcode imports an object
and REDUCE / OBJ / NEWOBJ call it. This module only decodes the opcode stream (with
pickletools' argument readers and its own bounded reads) and keeps a small model of the
unpickler's stack and memo, so that STACK_GLOBAL operands are resolved even when they were
memoised or shuffled around. Nothing here calls pickle.load, torch.load or eval.

Each import is judged by its dotted name:

- "dangerous" (the scan fails): on DANGEROUS, matched by prefix so that a module covers its
  submodules (``os`` covers ``os.path.join`` too: a model never needs it, and a prefix rule
  cannot be dodged by naming a submodule); an attribute path that walks through a module or
  a dunder (``random._os.system``, ``X.__init__.__globals__``); a STACK_GLOBAL whose operands
  are not string literals (a hidden import); BUILD applied to an imported object itself
  (monkey-patching). Python 2 names are mapped first, as the unpickler does
  (``__builtin__.eval`` is ``builtins.eval``).
- not reported: the exact names on SAFE, what PyTorch's weights-only loader and numpy need to
  rebuild tensors and arrays.
- "unknown" for everything else: reported, but it does not make a report unclean.

Files: plain pickles, several pickles back to back (legacy torch.save: the tensor data after
the last pickle is recognised by the next one failing to decode before any import), zip
archives (torch.save since 1.6, numpy .npz; every .pkl and .npy member is read in memory with
capped sizes, never extracted) and .npy files (only object arrays carry a pickle).

What this cannot see: compressed joblib files, members compressed other than by deflate, the
rest of an uncompressed joblib file after its first raw numpy array (joblib writes array bytes
between opcodes) - each with a warning - and anything a loader fetches at run time. A warning
on a file that may carry a pickle means the scan is incomplete; policy code should not treat
it as clean.
"""

from __future__ import annotations

import ast
import os
import pickletools
import struct
import zipfile
import zlib
from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from aibom._internal.files import MiB, human_size, open_inside, real_dir, resolve_inside

SCHEMA = "aibom/pickle-scan/v1"

# .dat is left out on purpose: too many binary formats use it. Any file whose first bytes
# look like a protocol 2+ pickle, a zip or a .npy is scanned whatever its name; protocol 0
# and 1 pickles have no magic and are found by extension only.
PICKLE_SUFFIXES = (
    ".pkl", ".pickle", ".pt", ".pth", ".bin", ".ckpt", ".joblib", ".npy", ".npz",
)  # fmt: skip
PICKLE_MEMBER_SUFFIXES = (".pkl", ".pickle", ".debug_pkl")  # TorchScript has code/*.debug_pkl
ZIP_MAGIC = b"PK\x03\x04"
NPY_MAGIC = b"\x93NUMPY"

MAX_OPCODES = 10_000_000  # per file, all its pickles together
MAX_STRING = 64 * 1024  # a longer str argument is skipped, as if it were not a literal
MAX_LINE = 1 * MiB  # protocol 0 arguments end at a newline
MAX_NPY_HEADER = 64 * 1024  # numpy itself refuses more than 10,000 bytes
MAX_MEMBER = 256 * MiB  # declared size of one archive member
MAX_ARCHIVE = 1024 * MiB  # declared size of all the members read from one archive
MAX_MEMBERS = 4096  # pickle-bearing members read from one archive
MAX_RATIO = 1100  # deflate cannot compress better than about 1032:1
MAX_FILES = 100_000  # files looked at by scan_model

# Dotted prefixes; the value says why. A prefix covers itself and everything below it.
_RUNS_COMMANDS = "runs commands or programs"
_RUNS_CODE = "evaluates, compiles or builds code"
_REACHES = "imports or reaches arbitrary objects"
_FILES = "reads, writes or deletes files"
_NESTED = "loads another pickle or archive that this scan cannot see"
_NETWORK = "opens network connections"
_INSTALLS = "installs or downloads packages or code"
_INTERACTIVE = "starts a debugger or waits for input"


def _rules(reason: str, *prefixes: str) -> dict[str, str]:
    return dict.fromkeys(prefixes, reason)


DANGEROUS: dict[str, str] = {
    **_rules(_RUNS_COMMANDS, "os", "posix", "nt", "subprocess", "_posixsubprocess", "_winapi",
             "pty", "asyncio", "multiprocessing", "pydoc", "webbrowser", "antigravity"),
    **_rules(_RUNS_CODE, "builtins.eval", "builtins.exec", "builtins.compile", "code", "codeop",
             "marshal", "runpy", "timeit", "profile", "cProfile", "trace", "doctest", "idlelib",
             "logging.config", "types.CodeType", "types.FunctionType", "types.LambdaType",
             "types.MethodType", "dill", "cloudpickle", "yaml", "pandas.eval",
             "numpy.testing", "numpy.f2py", "numpy.distutils", "torch.fx.graph_module",
             "torch.package", "torch.utils.cpp_extension"),
    **_rules(_REACHES, "builtins.__import__", "builtins.getattr", "builtins.setattr",
             "builtins.delattr", "builtins.globals", "builtins.locals", "builtins.vars", "sys",
             "importlib", "imp", "pkgutil", "zipimport", "operator", "_operator", "ctypes",
             "_ctypes", "cffi", "numpy.ctypeslib"),
    **_rules(_FILES, "builtins.open", "io.open", "io.FileIO", "_io.open", "_io.FileIO",
             "codecs.open", "shutil"),
    # torch.storage._load_from_bytes calls torch.load on bytes inside the pickle.
    **_rules(_NESTED, "pickle", "_pickle", "shelve", "joblib.load", "joblib.numpy_pickle.load",
             "numpy.load", "numpy.lib.format", "numpy.lib.npyio", "numpy.lib._npyio_impl",
             "pandas.read_pickle", "pandas.io.pickle", "torch.load", "torch.serialization.load",
             "torch.storage._load_from_bytes", "torch.jit.load"),
    **_rules(_NETWORK, "socket", "_socket", "ssl", "socketserver", "http", "urllib", "urllib3",
             "requests", "httpx", "aiohttp", "ftplib", "smtplib", "telnetlib", "xmlrpc"),
    **_rules(_INSTALLS, "pip", "setuptools", "distutils", "ensurepip", "venv", "torch.hub"),
    **_rules(_INTERACTIVE, "builtins.input", "builtins.breakpoint", "builtins.help", "pdb",
             "bdb"),
}  # fmt: skip

# Exact names an ML pickle needs; none of them runs code on its own (a callable they take,
# like _rebuild_from_type_v2's func, is itself an import and judged on its own).
SAFE = frozenset({
    "collections.OrderedDict", "collections.Counter", "collections.defaultdict",
    "copyreg._reconstructor", "_codecs.encode",
    "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.bytes",
    "builtins.slice", "builtins.complex", "builtins.range", "builtins.dict", "builtins.list",
    "builtins.tuple", "builtins.int", "builtins.float", "builtins.bool", "builtins.str",
    "builtins.object",
    "torch.Size", "torch.Tensor", "torch.device", "torch.nn.parameter.Parameter",
    "torch.serialization._get_layout", "torch._tensor._rebuild_from_type_v2",
    "torch.storage.UntypedStorage", "torch.storage.TypedStorage",
    *(f"torch._utils._rebuild_{kind}" for kind in (
        "tensor", "tensor_v2", "tensor_v3", "parameter", "parameter_with_state", "qtensor",
        "sparse_tensor", "meta_tensor_no_storage", "wrapper_subclass", "nested_tensor",
        "device_tensor_from_numpy", "device_tensor_from_cpu_tensor")),
    *(f"torch.{dtype}" for dtype in (
        "float16", "float32", "float64", "bfloat16", "half", "float", "double",
        "complex32", "complex64", "complex128", "chalf", "cfloat", "cdouble",
        "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
        "short", "int", "long", "bool", "qint8", "quint8", "qint32", "quint4x2", "quint2x4",
        "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
        "per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
        "per_channel_symmetric", "per_channel_affine_float_qparams")),
    *(f"numpy.{core}.multiarray.{name}" for core in ("core", "_core")
      for name in ("_reconstruct", "scalar")),
    "numpy.ndarray", "numpy.dtype",
})  # fmt: skip


def _is_storage(full: str) -> bool:
    """torch.FloatStorage, torch.cuda.HalfStorage, ...: the legacy typed storage classes."""
    module, _, name = full.rpartition(".")
    return module in ("torch", "torch.cuda") and name.endswith("Storage") and name.isalnum()


@dataclass(frozen=True)
class Finding:
    file: str
    member: str | None  # the archive member, None for the file itself
    module: str
    name: str
    severity: str  # "dangerous" | "unknown"
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "member": self.member, "module": self.module,
                "name": self.name, "severity": self.severity, "reason": self.reason}  # fmt: skip


@dataclass(frozen=True)
class FileScan:
    file: str
    kind: str  # "pickle" | "torch-zip" | "numpy" (object arrays) | "not-pickle"
    imports: tuple[tuple[str, str], ...] = ()  # every (module, name), sorted, as written
    findings: tuple[Finding, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "imports": [list(pair) for pair in self.imports],
            "findings": [f.to_dict() for f in self.findings],
            "warnings": sorted(self.warnings),
        }


@dataclass(frozen=True)
class ScanReport:
    files: tuple[FileScan, ...]
    warnings: tuple[str, ...] = ()  # about the directory walk itself

    @property
    def clean(self) -> bool:
        """No dangerous finding. Unknown imports and warnings do not fail by default."""
        return not any(f.severity == "dangerous" for f in self.findings)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for scan in self.files for f in scan.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "clean": self.clean,
            "files": [s.to_dict() for s in sorted(self.files, key=lambda s: s.file)],
            "warnings": sorted(self.warnings),
        }


def pickle_bearing(name: str, head: bytes = b"") -> bool:
    """May `name` carry a pickle? By extension, or by its first bytes when given."""
    return name.lower().endswith(PICKLE_SUFFIXES) or _sniff(head) is not None


def _sniff(head: bytes) -> str | None:
    if head.startswith(ZIP_MAGIC):
        return "zip"
    if head.startswith(NPY_MAGIC):
        return "npy"
    # PROTO 2..5 then a real opcode: a safetensors header length rarely passes the third test.
    if len(head) >= 3 and head[0] == 0x80 and 2 <= head[1] <= 5 and head[2:3] in _OPS:
        return "pickle"
    return None


def classify(module: str, name: str) -> tuple[str, str] | None:
    """(severity, reason) for importing `name` from `module`; None when it is on SAFE."""
    module, name = NAME_MAPPING.get((module, name), (IMPORT_MAPPING.get(module, module), name))
    full = f"{module}.{name}"
    if full in SAFE or _is_storage(full):
        return None
    parts = full.split(".")
    for end in range(len(parts), 0, -1):
        reason = DANGEROUS.get(".".join(parts[:end]))
        if reason:
            return "dangerous", f"{full}: {reason}"
    # Protocol 4 resolves a dotted name attribute by attribute, so `torch.serialization` +
    # `os.system` is os.system. Nested classes (Outer.Inner) are the only honest use.
    attrs = name.split(".")
    if len(attrs) > 1:
        if any(a.startswith("__") and a.endswith("__") for a in attrs):
            return "dangerous", f"{full}: attribute path through a dunder attribute"
        if not all(a[:1].isupper() for a in attrs[:-1]):
            return "dangerous", f"{full}: attribute path through something that is not a class"
    return "unknown", f"{full}: not on the safe list; review before loading"


def scan_file(root: Path, name: str) -> FileScan:
    """Scan one file; `name` is relative to `root`. InputError if it leads outside `root`."""
    base = real_dir(root)
    scan = _Scan(name)
    try:
        with open_inside(base, name) as (handle, size):
            kind = _sniff(handle.read(16))
            handle.seek(0)
            if kind == "zip":
                found = _scan_zip(handle, scan)
            elif kind == "npy":
                found = _scan_npy(handle, size, scan, None)
            else:
                found = _scan_pickles(_Stream(handle, size), scan, None, pickle_bearing(name))
    except FileNotFoundError:
        scan.warn(f"{name}: not found")
        found = "not-pickle"
    except OSError as err:
        scan.warn(f"{name}: cannot read: {err.strerror or err}")
        found = "not-pickle"
    return scan.result(found)


def scan_model(root: Path, names: Iterable[str] | None = None) -> ScanReport:
    """Scan `names` under `root`, or every file there that may carry a pickle.

    The walk skips .git, does not follow symlinked directories that stay inside `root` (their
    files are reached through their real place) and raises InputError for a symlink that
    leads outside it.
    """
    base = real_dir(root)
    warnings: list[str] = []
    chosen = _walk(base, warnings) if names is None else sorted(set(names))
    return ScanReport(tuple(scan_file(base, n) for n in chosen), tuple(warnings))


def _walk(root: Path, warnings: list[str]) -> list[str]:
    found: list[str] = []
    seen = 0
    for folder, dirs, files in os.walk(root, onerror=lambda e: warnings.append(f"{e}")):
        rel = Path(folder).relative_to(root).as_posix()
        prefix = "" if rel == "." else rel + "/"
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for d in dirs:
            if os.path.islink(os.path.join(folder, d)):
                try:
                    resolve_inside(root, prefix + d)  # InputError when it leads outside
                except OSError as err:
                    warnings.append(f"{prefix + d}: {err}")
        for file in sorted(files):
            seen += 1
            if seen > MAX_FILES:
                warnings.append(f"more than {MAX_FILES} files; the rest were not scanned")
                return found
            name = prefix + file
            if pickle_bearing(name) or _starts_like_pickle(root, name, warnings):
                found.append(name)
    return found


def _starts_like_pickle(root: Path, name: str, warnings: list[str]) -> bool:
    try:
        with open_inside(root, name) as (handle, _):
            return pickle_bearing(name, handle.read(16))
    except OSError as err:
        warnings.append(f"{name}: cannot read: {err.strerror or err}")
        return False


class _Malformed(ValueError):
    """The bytes stop being a valid pickle here."""


class _OverBudget(Exception):
    pass


class _Scan:
    """What one file's pickles import, and how each import is used."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.uses: dict[tuple[str | None, str, str], set[str]] = {}
        self.warnings: list[str] = []
        self.opcodes = 0
        self.import_ops = 0

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def where(self, member: str | None) -> str:
        return f"{self.file}:{member}" if member else self.file

    def imported(self, member: str | None, module: str, name: str, use: str = "") -> _Global:
        self.import_ops += 1
        self.uses.setdefault((member, module, name), set()).update([use] if use else [])
        return _Global(member, module, name)

    def used(self, value: object, use: str) -> None:
        if isinstance(value, _Global):
            self.uses[(value.member, value.module, value.name)].add(use)

    def tick(self) -> None:
        self.opcodes += 1
        if self.opcodes > MAX_OPCODES:
            raise _OverBudget

    def result(self, kind: str) -> FileScan:
        findings = []
        for (member, module, name), uses in sorted(self.uses.items(), key=_member_order):
            verdict = _verdict(module, name, uses)
            if verdict:
                findings.append(Finding(self.file, member, module, name, *verdict))
        imports = tuple(sorted({(m, n) for _, m, n in self.uses}))
        return FileScan(self.file, kind, imports, tuple(findings), tuple(self.warnings))


def _member_order(item: tuple[tuple[str | None, str, str], set[str]]) -> tuple[str, str, str]:
    member, module, name = item[0]
    return member or "", module, name


def _verdict(module: str, name: str, uses: set[str]) -> tuple[str, str] | None:
    if "hidden" in uses:
        return "dangerous", "STACK_GLOBAL operands are not string literals: a hidden import"
    if "patched" in uses:
        return "dangerous", f"{module}.{name}: BUILD sets attributes on the imported object"
    if module == _EXT:
        return "unknown", f"extension code {name}: resolved from copyreg's registry at load"
    verdict = classify(module, name)
    if verdict and "called" in uses:
        return verdict[0], verdict[1] + " (called while loading)"
    return verdict


@dataclass(frozen=True)
class _Global:
    """An imported object on the modelled stack."""

    member: str | None
    module: str
    name: str


_MARK = object()  # a MARK on the modelled stack
_UNKNOWN = None  # any value whose content does not matter here
_NOT_LITERAL = object()  # a str argument too long to keep
_EXT = "<extension>"

_OPS = {op.code.encode("latin-1"): op for op in pickletools.opcodes}
_LENGTHS = {
    pickletools.TAKEN_FROM_ARGUMENT1: "<B",
    pickletools.TAKEN_FROM_ARGUMENT4: "<i",
    pickletools.TAKEN_FROM_ARGUMENT4U: "<I",
    pickletools.TAKEN_FROM_ARGUMENT8U: "<Q",
}
_UNICODE = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8"}
_TEXT = {*_UNICODE, "SHORT_BINSTRING", "BINSTRING", "STRING", "UNICODE"}
_GETS = {"GET", "BINGET", "LONG_BINGET"}
_PUTS = {"PUT", "BINPUT", "LONG_BINPUT"}
_MODELLED = {
    *_TEXT, *_GETS, *_PUTS, "MEMOIZE", "GLOBAL", "INST", "STACK_GLOBAL", "EXT1", "EXT2", "EXT4",
    "REDUCE", "NEWOBJ", "NEWOBJ_EX", "OBJ", "BUILD", "MARK", "DUP", "POP", "STOP",
}  # fmt: skip


def _effect(op: pickletools.OpcodeInfo) -> tuple[bool, int, int]:
    """(pops to a MARK first, items popped, items pushed) for an opcode _scan_pickle does not
    model one by one: what it pushes never matters here."""
    before = op.stack_before
    if pickletools.markobject in before:
        return True, before.index(pickletools.markobject), len(op.stack_after)
    return False, len(before), len(op.stack_after)


# No opcode outside _MODELLED pushes more than one value.
_EFFECTS = {op.name: _effect(op) for op in pickletools.opcodes if op.name not in _MODELLED}


class _Stream:
    """A pickle's bytes, read without trusting its lengths: never past `size` bytes and never
    a line longer than MAX_LINE, so a lying length costs no memory."""

    def __init__(self, handle: BinaryIO, size: int, pos: int = 0) -> None:
        self._handle = handle
        self.left = size - pos
        self.pos = pos
        self.head = b""  # the first bytes read, to tell a damaged pickle from other data

    def read(self, n: int) -> bytes:
        data = self._handle.read(n if n < self.left else self.left)
        if len(self.head) < 3:
            self.head += data[: 3 - len(self.head)]
        self.left -= len(data)
        self.pos += len(data)
        return data

    def readline(self) -> bytes:
        data = self._handle.readline(max(0, min(MAX_LINE, self.left)))
        self.left -= len(data)
        self.pos += len(data)
        return data

    def skip(self, n: int) -> None:
        if n > self.left:
            raise _Malformed(f"an argument of {n} bytes runs past the end")
        self._handle.seek(n, os.SEEK_CUR)  # a zip member seeks by decompressing in chunks
        self.left -= n
        self.pos += n


def _line(stream: _Stream) -> str:
    data = stream.readline()
    if not data.endswith(b"\n"):
        raise _Malformed("no newline after a GLOBAL/INST argument")
    return data[:-1].decode("utf-8")  # what the unpickler does; pickletools would unescape


def _next_op(stream: _Stream) -> tuple[pickletools.OpcodeInfo, Any, int]:
    pos = stream.pos
    code = stream.read(1)
    if not code:
        raise _Malformed(f"ended at byte {pos} before STOP")
    op = _OPS.get(code)
    if op is None:
        raise _Malformed(f"unknown opcode 0x{code[0]:02x} at byte {pos}")
    if op.arg is None:
        return op, None, pos
    if op.name in ("GLOBAL", "INST"):
        return op, (_line(stream), _line(stream)), pos
    fmt = _LENGTHS.get(op.arg.n)
    if fmt is None:  # fixed size, or up to a newline (bounded by _Stream.readline)
        return op, op.arg.reader(stream), pos
    raw = stream.read(struct.calcsize(fmt))
    if len(raw) < struct.calcsize(fmt):
        raise _Malformed(f"ended inside {op.name} at byte {pos}")
    (length,) = struct.unpack(fmt, raw)
    if length < 0:
        raise _Malformed(f"negative length in {op.name} at byte {pos}")
    if op.name in _TEXT and length <= MAX_STRING:
        data = stream.read(length)
        if len(data) < length:
            raise _Malformed(f"ended inside {op.name} at byte {pos}")
        if op.name in _UNICODE:
            return op, data.decode("utf-8", "surrogatepass"), pos
        return op, data.decode("latin-1"), pos
    stream.skip(length)  # bytes, big ints and oversized strings: their content is never needed
    return op, _NOT_LITERAL if op.name in _TEXT else _UNKNOWN, pos


def _scan_pickle(stream: _Stream, scan: _Scan, member: str | None) -> None:
    """Follow one pickle up to its STOP, recording imports and how they are used."""
    stack: list[object] = []
    memo: dict[int, object] = {}

    def pop(n: int = 1) -> list[object]:
        items = stack[-n:]
        if len(items) < n or _MARK in items:
            raise _Malformed(f"stack underflow at byte {pos}")
        del stack[-n:]
        return items

    def pop_mark() -> list[object]:
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is _MARK:
                items = stack[i + 1 :]
                del stack[i:]
                return items
        raise _Malformed(f"no MARK for {op.name} at byte {pos}")

    while True:
        scan.tick()
        op, arg, pos = _next_op(stream)
        name = op.name
        effect = _EFFECTS.get(name)
        if effect is not None:
            to_mark, pops, pushes = effect
            if to_mark:
                pop_mark()
            if pops:
                pop(pops)
            if pushes:
                stack.append(_UNKNOWN)
        elif name in _TEXT:
            stack.append(arg)
        elif name == "GLOBAL":
            stack.append(scan.imported(member, *arg))
        elif name == "INST":
            pop_mark()
            stack.append(scan.imported(member, *arg, use="called"))
        elif name == "STACK_GLOBAL":
            module, attr = pop(2)
            if isinstance(module, str) and isinstance(attr, str):
                stack.append(scan.imported(member, module, attr))
            else:
                texts = [v if isinstance(v, str) else "<not a literal>" for v in (module, attr)]
                stack.append(scan.imported(member, *texts, use="hidden"))
        elif name in ("EXT1", "EXT2", "EXT4"):
            stack.append(scan.imported(member, _EXT, str(arg)))
        elif name in _GETS:
            if arg not in memo:
                raise _Malformed(f"memo key {arg} missing at byte {pos}")
            stack.append(memo[arg])
        elif name in _PUTS or name == "MEMOIZE":
            if not stack or stack[-1] is _MARK:
                raise _Malformed(f"nothing to memoise at byte {pos}")
            memo[len(memo) if name == "MEMOIZE" else arg] = stack[-1]
        elif name == "REDUCE":
            func, _ = pop(2)
            scan.used(func, "called")
            stack.append(_UNKNOWN)
        elif name == "NEWOBJ":
            cls, _ = pop(2)
            scan.used(cls, "called")
            stack.append(_UNKNOWN)
        elif name == "NEWOBJ_EX":
            cls, _, _ = pop(3)
            scan.used(cls, "called")
            stack.append(_UNKNOWN)
        elif name == "OBJ":
            items = pop_mark()
            if not items:
                raise _Malformed(f"OBJ without a class at byte {pos}")
            scan.used(items[0], "called")
            stack.append(_UNKNOWN)
        elif name == "BUILD":
            target, _ = pop(2)
            scan.used(target, "patched")
            stack.append(target)
        elif name == "MARK":
            stack.append(_MARK)
        elif name == "DUP":
            stack.extend(pop() * 2)
        elif name == "POP":
            if stack and stack[-1] is _MARK:
                stack.pop()  # the unpickler lets POP drop a bare MARK
            else:
                pop()
        else:  # STOP
            pop()
            return


def _scan_pickles(stream: _Stream, scan: _Scan, member: str | None, expected: bool) -> str:
    """Scan pickles back to back until the stream ends or stops being pickles; the kind found.

    The first pickle failing is a malformed file and gets a warning (unless the bytes never
    looked like a pickle and nothing said they should). A later one failing before it imported
    anything is the data that follows the pickles (legacy torch.save): no warning.
    """
    where = scan.where(member)
    complete = 0
    while stream.left > 0:
        before = scan.import_ops
        try:
            _scan_pickle(stream, scan, member)
        except _OverBudget:
            scan.warn(f"{where}: more than {MAX_OPCODES} opcodes; the rest was not scanned")
            return "pickle"
        except (ValueError, struct.error, OverflowError) as err:  # _Malformed is a ValueError
            imported = scan.import_ops > before
            if complete == 0 and not imported and _sniff(stream.head) != "pickle":
                if expected:
                    scan.warn(f"{where}: does not decode as a pickle: {err}")
                return "not-pickle"
            if complete == 0 or imported:
                scan.warn(f"{where}: truncated or malformed pickle: {err}")
            return "pickle"
        complete += 1
    if complete == 0:
        if expected:
            scan.warn(f"{where}: empty")
        return "not-pickle"
    return "pickle"


def _scan_zip(handle: BinaryIO, scan: _Scan) -> str:
    """Every .pkl / .npy member, read in memory within declared, capped sizes."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, struct.error) as err:  # fmt: skip
        scan.warn(f"{scan.file}: starts like a zip but cannot be read as one: {err}")
        return "not-pickle"
    kinds: set[str] = set()
    total = 0
    with archive:
        members = [i for i in archive.infolist() if _member_kind(i.filename)]
        if len(members) > MAX_MEMBERS:
            scan.warn(f"{scan.file}: {len(members)} pickle members; only {MAX_MEMBERS} scanned")
            members = members[:MAX_MEMBERS]
        for info in members:
            if scan.opcodes > MAX_OPCODES:
                break  # already warned about
            where = scan.where(info.filename)
            problem = _member_problem(info, total)
            if problem:
                scan.warn(f"{where}: {problem}; not scanned")
                continue
            total += info.file_size
            try:
                with archive.open(info) as member:
                    if _member_kind(info.filename) == "npy":
                        kinds.add(_scan_npy(member, info.file_size, scan, info.filename))
                    else:
                        stream = _Stream(member, info.file_size)
                        found = _scan_pickles(stream, scan, info.filename, expected=True)
                        kinds.add("torch-zip" if found == "pickle" else found)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError,
                    NotImplementedError, ValueError) as err:  # fmt: skip
                scan.warn(f"{where}: cannot read the member: {err}")
    return next((k for k in ("torch-zip", "numpy") if k in kinds), "not-pickle")


def _member_kind(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".npy"):
        return "npy"
    return "pickle" if lower.endswith(PICKLE_MEMBER_SUFFIXES) else None


def _member_problem(info: zipfile.ZipInfo, total: int) -> str | None:
    size = info.file_size
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return f"compression method {info.compress_type} is not read (only stored and deflate)"
    if size > MAX_MEMBER:
        return f"declares {size} bytes, over the {human_size(MAX_MEMBER)} cap (zip bomb?)"
    if size > MiB and size > MAX_RATIO * max(info.compress_size, 1):
        return f"declares {size} bytes from {info.compress_size} compressed: a zip bomb"
    if total + size > MAX_ARCHIVE:
        return f"members together exceed {human_size(MAX_ARCHIVE)}"
    return None


def _scan_npy(handle: BinaryIO, size: int, scan: _Scan, member: str | None) -> str:
    """A .npy holds a pickle only for object arrays (np.load needs allow_pickle=True)."""
    where = scan.where(member)
    stream = _Stream(handle, size)
    descr, problem = _npy_descr(stream)
    if problem:
        scan.warn(f"{where}: {problem}")
        return "not-pickle"
    if not _has_object(descr):
        return "not-pickle"
    _scan_pickles(_Stream(handle, size, stream.pos), scan, member, expected=True)
    return "numpy"


def _npy_descr(stream: _Stream) -> tuple[Any, str | None]:
    """The dtype description from a .npy header, or (None, why not)."""
    prefix = stream.read(8)
    if len(prefix) < 8 or not prefix.startswith(NPY_MAGIC) or prefix[6] not in (1, 2, 3):
        return None, "not a readable .npy header"
    fmt = "<H" if prefix[6] == 1 else "<I"
    raw = stream.read(struct.calcsize(fmt))
    if len(raw) < struct.calcsize(fmt):
        return None, "ended inside the .npy header"
    (length,) = struct.unpack(fmt, raw)
    if length > MAX_NPY_HEADER:
        return None, f".npy header of {length} bytes is over the {MAX_NPY_HEADER} cap"
    text = stream.read(length)
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


def _has_object(descr: Any, depth: int = 0) -> bool:
    """Does a numpy dtype description contain an object field ('|O', or inside a record)?"""
    if isinstance(descr, str):
        return descr.lstrip("<>|=").startswith("O")
    if isinstance(descr, list | tuple) and depth < 32:
        return any(
            isinstance(field, list | tuple) and len(field) >= 2 and _has_object(field[1], depth + 1)
            for field in descr
        )
    return False
