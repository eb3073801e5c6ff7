"""One error root; each subclass maps to one documented exit code, listed here only.

Exit codes:
    0    ok
    1    verification failed: the evidence was read and does not hold
    2    bad input or usage: a flag, path, file or document the caller got wrong, including
         outputs that cannot be written (missing directory, full disk, read-only)
    3    internal error: a bug in aibom (please report it)
    130  interrupted (SIGINT / Ctrl-C)
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The process exit status of every `aibom` command."""

    OK = 0
    FAILED = 1
    USAGE = 2
    INTERNAL = 3
    INTERRUPTED = 130


class AibomError(Exception):
    """Root of every error aibom raises on purpose. The message is one line for the user."""

    exit_code: int = ExitCode.USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def one_line(self) -> str:
        """The message (and hint) on one line."""
        text = " ".join(str(self).split())
        return f"{text} ({self.hint})" if self.hint else text


class InputError(AibomError):
    """Input could not be read or is malformed: a usage problem, not a verdict. Exit 2."""

    exit_code = ExitCode.USAGE


class OutputError(InputError):
    """An output could not be written (missing directory, full disk, read-only...). Exit 2."""


class VerificationError(AibomError):
    """The evidence was read and does not hold: tampering, wrong signer, bad signature. Exit 1."""

    exit_code = ExitCode.FAILED
