"""Ctrl-C ends aibom at once: one line on stderr, exit status 130, no traceback.

Python turns SIGINT into KeyboardInterrupt in the main thread only, and an interpreter that
is exiting still waits for its worker threads: a verify hashing a 100 GB model on eight
threads would go on hashing. So the handler ends the process itself (os._exit). That is safe
because every file aibom writes is written the crash-safe way (see atomic.py), and every
database change is one transaction: an interrupt leaves what a crash would, nothing half done.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from aibom.errors import ExitCode

MESSAGE = b"aibom: interrupted\n"


def _exit_now(signum: int, frame: FrameType | None) -> None:
    os.write(2, MESSAGE)
    os._exit(ExitCode.INTERRUPTED)


@contextmanager
def interrupts_exit() -> Iterator[None]:
    """Within the block, SIGINT ends the process with 130 (only installed in the main thread,
    and the previous handler comes back afterwards)."""
    installed = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _exit_now) if installed else None
    try:
        yield
    except KeyboardInterrupt:  # raised by other means than the signal (a test, a prompt)
        os.write(2, MESSAGE)
        sys.exit(ExitCode.INTERRUPTED)
    finally:
        if installed:
            signal.signal(signal.SIGINT, previous)
