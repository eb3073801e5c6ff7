"""One-line text for messages, and sizes people can read."""

from __future__ import annotations

KiB = 1024
MiB = 1024 * KiB


def one_line(text: str, limit: int = 300) -> str:
    """`text` with every run of whitespace (newlines included) collapsed to one space, cut to
    `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def human_size(n: int) -> str:
    """`n` bytes as `N MiB`, `N KiB` or `N bytes`, whichever is exact."""
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= KiB and n % KiB == 0:
        return f"{n // KiB} KiB"
    return f"{n} bytes"
