"""A progress line for people: files and bytes done, throughput and time left, on stderr.

Shown only when stderr is a terminal, never with --quiet or --format json, and only once the
work looks like it will take more than about a second; cleared when the work ends (or fails),
so the terminal keeps only the command's own output. Uses the terminal handling click has.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

import click

SHOW_AFTER = 0.25  # seconds: early enough to judge the pace, late enough for quick work
SHOW_IF_LONGER_THAN = 1.0  # seconds of predicted total
REDRAW_EVERY = 0.1


def wanted(quiet: bool, output_format: str = "text", stream: TextIO | None = None) -> bool:
    """Progress is for a person at a terminal: not piped, not --quiet, not JSON output."""
    stream = stream if stream is not None else sys.stderr
    if quiet or output_format == "json" or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class ProgressLine:
    """One self-rewriting status line; `close` (or leaving the `with`) clears it."""

    def __init__(
        self,
        action: str,
        unit: str = "files",
        *,
        enabled: bool,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.action = action
        self.unit = unit
        self.enabled = enabled
        self._stream = stream if stream is not None else sys.stderr
        self._clock = clock
        self._started = clock()
        self._last_draw = 0.0
        self._shown = False
        self._source: object = None
        self._lock = threading.Lock()

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, done: int, total: int, nbytes: int = 0, total_bytes: int = 0) -> None:
        """Report `done` of `total` items (and bytes, when they are known)."""
        if not self.enabled:
            return
        with self._lock:
            self._update(done, total, nbytes, total_bytes)

    def _update(self, done: int, total: int, nbytes: int, total_bytes: int) -> None:
        now = self._clock()
        elapsed = now - self._started
        if not self._shown:
            if elapsed < SHOW_AFTER:
                return
            fraction = _fraction(done, total, nbytes, total_bytes)
            predicted = elapsed / fraction if fraction > 0 else float("inf")
            if predicted < SHOW_IF_LONGER_THAN:
                return
        elif now - self._last_draw < REDRAW_EVERY:
            return
        self._last_draw = now
        self._draw(self._text(done, total, nbytes, total_bytes, elapsed))

    def tick(self, progress: Any) -> None:
        """Adapter for the hashing engine's counters (aibom.oms.pipeline.HashProgress); a new
        counter (the next step of a command that hashes twice) restarts the pace."""
        if progress is not self._source:
            self._source, self._started = progress, self._clock()
        self.update(progress.files, progress.total_files, progress.bytes, progress.total_bytes)

    def _text(self, done: int, total: int, nbytes: int, total_bytes: int, elapsed: float) -> str:
        parts = [f"{self.action} {done:,}/{total:,} {self.unit}"]
        if total_bytes:
            parts.append(f"{_size(nbytes)}/{_size(total_bytes)}")
            rate = nbytes / elapsed if elapsed > 0 else 0.0
            parts.append(f"{_size(rate)}/s")
            left = (total_bytes - nbytes) / rate if rate > 0 else None
        else:
            rate = done / elapsed if elapsed > 0 else 0.0
            parts.append(f"{rate:,.0f} {self.unit}/s")
            left = (total - done) / rate if rate > 0 else None
        if left is not None:
            parts.append(f"{_duration(left)} left")
        return "  ".join(parts)

    def _draw(self, text: str) -> None:
        width = max(20, _terminal_width() - 1)
        click.echo("\r\x1b[2K" + text[:width], file=self._stream, nl=False)
        self._stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            click.echo("\r\x1b[2K", file=self._stream, nl=False)
            self._stream.flush()
            self._shown = False


def _fraction(done: int, total: int, nbytes: int, total_bytes: int) -> float:
    if total_bytes:
        return nbytes / total_bytes
    return done / total if total else 0.0


def _terminal_width() -> int:
    try:
        columns = os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = 0
    return columns if columns > 0 else 80  # a terminal that does not say its size


def _size(value: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:,.0f} {unit}" if unit == "B" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} TiB"  # pragma: no cover - the loop returns at GiB


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
