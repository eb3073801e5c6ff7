"""Follow a pickle's opcodes without running them: what it imports and how it uses them.

A small model of the unpickler's stack and memo keeps literal values (strings, ints, tuples,
dicts up to a size) so that STACK_GLOBAL operands are resolved even when memoised or
shuffled, and so that joblib's raw numpy buffers, written between opcodes, can be stepped
over exactly as joblib.load reads them. Nothing here unpickles, imports or calls anything.
"""

from __future__ import annotations

import pickletools
import struct
from typing import Any

from aibom.scan._collect import EXTENSION, HIDDEN, Collector, Global, OverBudget
from aibom.scan._source import Malformed, Source
from aibom.scan._source import OverBudget as _Budget

MAX_STRING = 64 * 1024  # a longer str argument is skipped, as if it were not a literal
MAX_LINE = 1 << 20  # protocol 0 arguments end at a newline
MAX_DICT = 256  # dict entries modelled; a larger dict's content is not needed here
MAX_NESTING = 8  # joblib object arrays carry a pickle inside the pickle


class _Unknown:
    """Any value whose content does not matter here."""


UNKNOWN = _Unknown()
_MARK = object()
_NOT_LITERAL = object()  # a str argument too long to keep


class Obj:
    """An object the unpickler would build: its class or function, arguments and state."""

    __slots__ = ("args", "func", "state")

    def __init__(self, func: object, args: object) -> None:
        self.func = func
        self.args = args
        self.state: object = None


_OPS = {op.code.encode("latin-1"): op for op in pickletools.opcodes}
_LENGTHS = {
    pickletools.TAKEN_FROM_ARGUMENT1: "<B",
    pickletools.TAKEN_FROM_ARGUMENT4: "<i",
    pickletools.TAKEN_FROM_ARGUMENT4U: "<I",
    pickletools.TAKEN_FROM_ARGUMENT8U: "<Q",
}
_UNICODE = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8"}
_TEXT = {*_UNICODE, "SHORT_BINSTRING", "BINSTRING", "STRING", "UNICODE"}
_INTS = {"BININT", "BININT1", "BININT2", "INT", "LONG"}
_LONGS = {"LONG1", "LONG4"}
_GETS = {"GET", "BINGET", "LONG_BINGET"}
_PUTS = {"PUT", "BINPUT", "LONG_BINPUT"}
_MODELLED = {
    *_TEXT, *_INTS, *_LONGS, *_GETS, *_PUTS, "MEMOIZE", "GLOBAL", "INST", "STACK_GLOBAL",
    "EXT1", "EXT2", "EXT4", "REDUCE", "NEWOBJ", "NEWOBJ_EX", "OBJ", "BUILD", "MARK", "DUP",
    "POP", "STOP", "NONE", "NEWTRUE", "NEWFALSE", "EMPTY_TUPLE", "TUPLE", "TUPLE1", "TUPLE2",
    "TUPLE3", "EMPTY_DICT", "DICT", "SETITEM", "SETITEMS",
}  # fmt: skip
_CONSTANTS = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False, "EMPTY_TUPLE": ()}


def _effect(op: pickletools.OpcodeInfo) -> tuple[bool, int, int]:
    before = op.stack_before
    if pickletools.markobject in before:
        return True, before.index(pickletools.markobject), len(op.stack_after)
    return False, len(before), len(op.stack_after)


# What every opcode that is not modelled one by one pops and pushes (never more than one).
_EFFECTS = {op.name: _effect(op) for op in pickletools.opcodes if op.name not in _MODELLED}


def looks_like_pickle(head: bytes) -> bool:
    """PROTO 2..5 then a real opcode: how protocol 2+ pickles start, whatever their name."""
    return len(head) >= 3 and head[0] == 0x80 and 2 <= head[1] <= 5 and head[2:3] in _OPS


def _line(src: Source) -> str:
    data = src.readline(MAX_LINE)
    if not data.endswith(b"\n"):
        raise Malformed("no newline after a GLOBAL/INST argument")
    return data[:-1].decode("utf-8")  # what the unpickler does; pickletools would unescape


def _dotted(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


def _next_op(src: Source) -> tuple[pickletools.OpcodeInfo, Any, int]:
    pos = src.pos
    code = src.read(1)
    if not code:
        raise Malformed(f"ended at byte {pos} before STOP")
    op = _OPS.get(code)
    if op is None:
        raise Malformed(f"unknown opcode 0x{code[0]:02x} at byte {pos}")
    if op.arg is None:
        return op, None, pos
    if op.name in ("GLOBAL", "INST"):
        module, name = _line(src), _line(src)
        if not (_dotted(module) and _dotted(name)):
            raise Malformed(f"{op.name} names no importable object at byte {pos}")
        return op, (module, name), pos
    fmt = _LENGTHS.get(op.arg.n)
    if fmt is None:  # fixed size, or up to a newline (bounded by Source.readline)
        return op, op.arg.reader(src), pos  # type: ignore[arg-type]  # read/readline suffice
    (length,) = struct.unpack(fmt, src.read_exact(struct.calcsize(fmt), op.name))
    if length < 0:
        raise Malformed(f"negative length in {op.name} at byte {pos}")
    if op.name in _TEXT and length <= MAX_STRING:
        data = src.read_exact(length, op.name)
        if op.name in _UNICODE:
            return op, data.decode("utf-8", "surrogatepass"), pos
        return op, data.decode("latin-1"), pos
    if op.name in _LONGS and length <= 8:
        return op, int.from_bytes(src.read_exact(length, op.name), "little", signed=True), pos
    src.skip(length, op.name)  # bytes and oversized strings: their content is never needed
    return op, _NOT_LITERAL if op.name in _TEXT else UNKNOWN, pos


def scan_pickle(src: Source, scan: Collector, member: str | None, depth: int = 0) -> None:
    """Follow one pickle up to its STOP, recording imports and how they are used."""
    stack: list[object] = []
    memo: dict[int, object] = {}
    pos = src.pos

    def pop(n: int = 1) -> list[object]:
        items = stack[-n:] if n else []
        if len(items) < n or any(i is _MARK for i in items):
            raise Malformed(f"stack underflow at byte {pos}")
        del stack[len(stack) - n :]
        return items

    def pop_mark() -> list[object]:
        for i in range(len(stack) - 1, -1, -1):
            if stack[i] is _MARK:
                items = stack[i + 1 :]
                del stack[i:]
                return items
        raise Malformed(f"no MARK at byte {pos}")

    def call(func: object, args: object) -> None:
        scan.used(func, "called")
        stack.append(Obj(func, args))

    while True:
        scan.tick()
        op, arg, pos = _next_op(src)
        name = op.name
        effect = _EFFECTS.get(name)
        if effect is not None:
            to_mark, pops, pushes = effect
            if to_mark:
                pop_mark()
            pop(pops)
            if pushes:
                stack.append(UNKNOWN)
        elif name in _TEXT or name in _INTS or name in _LONGS:
            stack.append(arg)
        elif name in _CONSTANTS:
            stack.append(_CONSTANTS[name])
        elif name == "GLOBAL":
            stack.append(scan.imported(member, *arg))
        elif name == "INST":
            inst_args = tuple(pop_mark())
            module, attr = arg
            stack.append(Obj(scan.imported(member, module, attr, use="called"), inst_args))
        elif name == "STACK_GLOBAL":
            module, attr = pop(2)
            if isinstance(module, str) and isinstance(attr, str):
                if not (_dotted(module) and _dotted(attr)):
                    raise Malformed(f"STACK_GLOBAL names no importable object at byte {pos}")
                stack.append(scan.imported(member, module, attr))
            else:
                shown = [v if isinstance(v, str) else HIDDEN for v in (module, attr)]
                stack.append(scan.imported(member, shown[0], shown[1], use="hidden"))
        elif name in ("EXT1", "EXT2", "EXT4"):
            stack.append(scan.imported(member, EXTENSION, str(arg)))
        elif name in _GETS:
            if arg not in memo:
                raise Malformed(f"memo key {arg} missing at byte {pos}")
            stack.append(memo[arg])
        elif name in _PUTS or name == "MEMOIZE":
            if not stack or stack[-1] is _MARK:
                raise Malformed(f"nothing to memoise at byte {pos}")
            memo[len(memo) if name == "MEMOIZE" else arg] = stack[-1]
        elif name == "TUPLE":
            stack.append(tuple(pop_mark()))
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            stack.append(tuple(pop(int(name[-1]))))
        elif name == "EMPTY_DICT":
            stack.append({})
        elif name == "DICT":
            stack.append(_fill({}, pop_mark()))
        elif name == "SETITEM":
            key, value = pop(2)
            _fill(_top(stack, pos), [key, value])
        elif name == "SETITEMS":
            items = pop_mark()
            _fill(_top(stack, pos), items)
        elif name == "REDUCE":
            func, func_args = pop(2)
            call(func, func_args)
        elif name == "NEWOBJ":
            cls, cls_args = pop(2)
            call(cls, cls_args)
        elif name == "NEWOBJ_EX":
            cls, cls_args, _ = pop(3)
            call(cls, cls_args)
        elif name == "OBJ":
            items = pop_mark()
            if not items:
                raise Malformed(f"OBJ without a class at byte {pos}")
            call(items[0], tuple(items[1:]))
        elif name == "BUILD":
            (state,) = pop()
            target = _top(stack, pos)
            scan.used(target, "patched")
            if isinstance(target, Obj):
                target.state = state
                if _is_joblib_array(target.func):
                    _joblib_array(src, scan, member, state, depth)
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


def _top(stack: list[object], pos: int) -> object:
    if not stack or stack[-1] is _MARK:
        raise Malformed(f"stack underflow at byte {pos}")
    return stack[-1]


def _fill(target: object, items: list[object]) -> object:
    if len(items) % 2:
        raise Malformed("SETITEMS with an odd number of items")
    if isinstance(target, dict):
        for key, value in zip(items[::2], items[1::2], strict=True):
            if isinstance(key, str | int) and (key in target or len(target) < MAX_DICT):
                target[key] = value
    return target


def _is_joblib_array(func: object) -> bool:
    return (
        isinstance(func, Global)
        and func.name == "NumpyArrayWrapper"
        and func.module in ("joblib.numpy_pickle", "sklearn.externals.joblib.numpy_pickle")
    )


def _joblib_array(
    src: Source, scan: Collector, member: str | None, state: object, depth: int
) -> None:
    """Step over the array joblib.load reads right after a NumpyArrayWrapper's BUILD: raw
    bytes (after an alignment pad), or for object arrays a whole pickle of its own."""
    if not isinstance(state, dict):
        raise _Unreadable("a joblib array wrapper without a readable state")
    shape, dtype = state.get("shape"), state.get("dtype")
    if not isinstance(shape, tuple) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise _Unreadable("a joblib array whose shape is not literal")
    itemsize, has_object = _dtype_size(dtype)
    if has_object:
        if depth >= MAX_NESTING:
            raise _Unreadable("joblib object arrays nested too deeply")
        scan_pickle(src, scan, member, depth + 1)
        return
    if state.get("numpy_array_alignment_bytes") is not None:
        pad = src.read_exact(1, "a joblib alignment pad")[0]
        src.skip(pad, "a joblib alignment pad")
    count = 1
    for d in shape:
        count *= d
    src.skip(count * itemsize, "a joblib raw array")


class _Unreadable(Malformed):
    """Well-formed, but not something this scanner can follow to the end."""


_SIZED = {"b": 1, "i": 0, "u": 0, "f": 0, "c": 0, "m": 0, "M": 0, "S": 0, "U": 0, "V": 0}


def _dtype_size(dtype: object) -> tuple[int, bool]:
    """(itemsize, has objects) of a pickled numpy.dtype: REDUCE(numpy.dtype, (code, ...)) then
    BUILD with (version, byteorder, subarray, names, fields, elsize, alignment, flags)."""
    if not (
        isinstance(dtype, Obj)
        and isinstance(dtype.func, Global)
        and dtype.func.name == "dtype"
        and dtype.func.module in ("numpy", "numpy.core", "numpy._core")
    ):
        raise _Unreadable("a joblib array whose dtype is not a literal numpy.dtype")
    args, state = dtype.args, dtype.state
    if not (isinstance(args, tuple) and args and isinstance(args[0], str)):
        raise _Unreadable("a joblib array whose dtype code is not literal")
    code = args[0]
    if code.startswith("O"):
        return 8, True
    if not (isinstance(state, tuple) and len(state) >= 8):
        raise _Unreadable(f"a joblib array of dtype {code!r} without its dtype state")
    subarray, elsize, flags = state[2], state[5], state[7]
    if subarray is not None or not isinstance(elsize, int) or not isinstance(flags, int):
        raise _Unreadable(f"a joblib array of dtype {code!r} that this scanner cannot size")
    if flags & 1:  # NPY_ITEM_HASOBJECT: a record with object fields
        return 8, True
    if elsize > 0:
        return elsize, False
    kind, digits = code[:1], code[1:]
    if kind in _SIZED and digits.isdigit() and int(digits) > 0:
        return int(digits), False
    if kind == "?" or code == "b1":
        return 1, False
    raise _Unreadable(f"a joblib array of dtype {code!r} that this scanner cannot size")


def scan_pickles(src: Source, scan: Collector, member: str | None) -> bool:
    """Scan pickles back to back until the stream ends or stops being pickles.

    True if at least one pickle was found. Bytes that fail to decode before importing
    anything are not a pickle a loader could act on (the unpickler would raise before
    reaching any code), so they end the scan without a warning: that is also how the tensor
    data after legacy torch.save pickles ends. A pickle failing after it imported something
    is reported as malformed: its imports are judged, and the scan is incomplete.
    """
    complete = 0
    while not src.at_end():
        before = scan.import_ops
        try:
            scan_pickle(src, scan, member)
        except OverBudget:
            scan.warn(member, "too many opcodes or imports; the rest was not scanned")
            return True
        except _Unreadable as err:
            scan.warn(member, f"{err}; the rest was not scanned")
            return True
        except _Budget as err:
            scan.warn(member, f"larger than the scan budget ({err}); the rest was not scanned")
            return True
        except (ValueError, struct.error, OverflowError, UnicodeDecodeError) as err:
            if scan.import_ops > before:
                scan.warn(member, f"truncated or malformed pickle: {err}")
                return True
            return complete > 0
        complete += 1
    if src.over_budget:
        scan.warn(member, "larger than the scan budget; the rest was not scanned")
    return complete > 0
