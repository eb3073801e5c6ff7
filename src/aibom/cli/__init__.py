"""The `aibom` command line: parse options, call one library function, render its result.

Exit codes (aibom.errors.ExitCode): 0 ok, 1 verification failed, 2 bad input or usage,
3 internal error, 130 interrupted. Every error is one line.

This module stays light: `main` starts the hashing of a `verify` or `sign` first, and only
then imports click and the commands (aibom.cli.app), so the model is read while they load.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aibom.cli.app import COMMANDS, cli, run

__all__ = ["COMMANDS", "cli", "main", "run"]


def main(argv: list[str] | None = None) -> None:
    """Entry point: every error becomes one line on stderr and its exit code (errors.ExitCode)."""
    if argv is None:  # the console script: verify and sign start hashing right away
        from aibom.cli._early import start_early_work

        start_early_work(sys.argv[1:])
    from aibom._internal.interrupt import interrupts_exit

    with interrupts_exit():
        try:
            from aibom.cli.app import run

            code = run(argv)
        finally:
            _cancel_untaken_work()
        if argv is None:
            _skip_final_collection()
        sys.exit(code)


def _skip_final_collection() -> None:
    """Spare the process the garbage collection Python runs while it shuts down: with a
    large model's graph in memory it walks a million objects (0.1 s for 30,000 files) only
    to free memory the exit frees anyway. Exit handlers and thread joins still run."""
    import gc

    gc.freeze()


def _cancel_untaken_work() -> None:
    """Hashing started early that no command took (it stopped at a usage error, say)."""
    if "aibom.oms.pipeline" in sys.modules:
        from aibom.oms.pipeline import cancel_early

        cancel_early()


def __getattr__(name: str) -> Any:
    if name in ("COMMANDS", "cli", "run"):
        from aibom.cli import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
