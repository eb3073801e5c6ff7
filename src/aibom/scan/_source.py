"""Bytes read forward only, within a budget, from a file, an archive member or a decompressor.

Every reader of untrusted lengths goes through Source: a length field that lies costs a
failed read, never memory or a read past what the container declared.
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable
from typing import Protocol

CHUNK = 1 << 16


class Malformed(ValueError):
    """The bytes stop being what they claim to be here."""


class OverBudget(Malformed):
    """A read would pass the budget of a stream whose real end is unknown (decompressed data)."""


class _Decompressor(Protocol):
    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


class Source:
    """A forward-only byte stream of at most `limit` bytes with a small look-ahead buffer."""

    def __init__(
        self,
        read: Callable[[int], bytes],
        limit: int,
        budget: bool = False,
        seek_ahead: Callable[[int], None] | None = None,
    ) -> None:
        """`limit` is the stream's size, or with `budget` only how much of it may be read.
        `seek_ahead(n)` skips n bytes without reading them (files; `limit` is then exact)."""
        self._read = read
        self._seek_ahead = seek_ahead
        self.budget = budget
        self._buf = b""
        self._off = 0
        self.pos = 0
        self.limit = limit
        self.exhausted = False  # the underlying stream ended (as opposed to the budget)

    def _fill(self, n: int) -> None:
        have = len(self._buf) - self._off
        if have >= n or self.exhausted:
            return
        parts = [self._buf[self._off :]]
        while have < n:
            chunk = self._read(max(n - have, CHUNK))
            if not chunk:
                self.exhausted = True
                break
            parts.append(chunk)
            have += len(chunk)
        self._buf = b"".join(parts)
        self._off = 0

    def peek(self, n: int) -> bytes:
        n = min(n, self.limit - self.pos)
        self._fill(n)
        return self._buf[self._off : self._off + n]

    def read(self, n: int) -> bytes:
        n = max(0, min(n, self.limit - self.pos))
        self._fill(n)
        data = self._buf[self._off : self._off + n]
        self._off += len(data)
        self.pos += len(data)
        return data

    def read_exact(self, n: int, what: str) -> bytes:
        data = self.read(n)
        if len(data) < n:
            if self.budget and self.pos >= self.limit:
                raise OverBudget(f"{what} passes the scan budget of {self.limit} bytes")
            raise Malformed(f"ended inside {what} at byte {self.pos}")
        return data

    def readline(self, maxlen: int = 1 << 20) -> bytes:
        """Up to and including the next newline, at most `maxlen` bytes."""
        size = 64
        while True:
            window = self.peek(min(size, maxlen))
            end = window.find(b"\n")
            if end >= 0:
                return self.read(end + 1)
            if len(window) < min(size, maxlen) or size >= maxlen:
                return self.read(len(window))
            size *= 4

    def skip(self, n: int, what: str) -> None:
        if n > self.limit - self.pos:
            if self.budget:
                raise OverBudget(f"{what} of {n} bytes passes the scan budget")
            raise Malformed(f"{what} of {n} bytes runs past the end")
        buffered = min(n, len(self._buf) - self._off)
        self._off += buffered
        self.pos += buffered
        left = n - buffered
        if left and self._seek_ahead is not None:
            self._seek_ahead(left)  # within limit, checked above: the file has these bytes
            self.pos += left
            return
        while left:
            chunk = self._read(min(left, CHUNK * 16))
            if not chunk:
                self.exhausted = True
                raise Malformed(f"{what} of {n} bytes runs past the end")
            left -= len(chunk)
            self.pos += len(chunk)

    def at_end(self) -> bool:
        return not self.peek(1)

    @property
    def over_budget(self) -> bool:
        """Stopped by the budget while the underlying stream still had bytes."""
        return self.pos >= self.limit and not self.exhausted and bool(self._probe())

    def _probe(self) -> bytes:
        if len(self._buf) > self._off:
            return b"x"
        chunk = self._read(1)
        if chunk:
            self._buf, self._off = self._buf[self._off :] + chunk, 0
        return chunk


def decompressing(read: Callable[[int], bytes], method: str) -> Callable[[int], bytes]:
    """A read function yielding the decompressed bytes of a zlib/gzip/bz2/lzma/xz stream.

    Output is produced at most `n` bytes at a time, so a bomb costs time bounded by the
    caller's budget, never memory. Like Python's own readers (which joblib and pandas use),
    concatenated streams continue and trailing bytes that do not decompress end the data.
    """
    state: dict[str, _Decompressor | None] = {"d": _new(method)}
    pending = [b""]

    def next_bytes(n: int) -> bytes:
        while True:
            d = state["d"]
            if d is None:
                return b""
            if _finished(d):
                rest = getattr(d, "unused_data", b"") or read(CHUNK)
                state["d"] = _new(method) if rest else None
                pending[0] = rest
                continue
            restarted = bool(pending[0])
            tail: bytes = getattr(d, "unconsumed_tail", b"")  # zlib keeps unread input here
            if pending[0]:
                data, pending[0] = pending[0], b""
            elif tail:
                data = tail
            elif _needs_input(d):
                data = read(CHUNK)
                if not data:
                    out = d.decompress(b"", n)
                    if out:
                        return out
                    raise Malformed(f"the {method} stream is truncated")
            else:
                data = b""
            try:
                out = d.decompress(data, n)
            except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as err:
                if restarted:  # trailing bytes after a complete stream
                    state["d"] = None
                    return b""
                raise Malformed(f"the {method} stream is corrupt: {err}") from None
            if out:
                return out

    return next_bytes


def _new(method: str) -> _Decompressor:
    if method == "zlib":
        return zlib.decompressobj()
    if method == "deflate":  # raw, as in a zip member
        return zlib.decompressobj(wbits=-15)
    if method == "gzip":
        return zlib.decompressobj(wbits=31)
    if method == "bz2":
        return bz2.BZ2Decompressor()
    if method in ("lzma", "xz"):
        return lzma.LZMADecompressor()
    raise ValueError(f"unknown compression {method}")


def _needs_input(d: _Decompressor) -> bool:
    flag = getattr(d, "needs_input", None)
    if flag is not None:
        return bool(flag)
    return not getattr(d, "unconsumed_tail", b"")


def _finished(d: _Decompressor) -> bool:
    return bool(getattr(d, "eof", False))
