"""One error root; each subclass maps to one documented exit code.

Exit codes: 0 ok, 1 verification failed, 2 bad input or usage.
"""

from __future__ import annotations


class AibomError(Exception):
    """Root of every error aibom raises on purpose. The message is one line for the user."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint

    def one_line(self) -> str:
        """The message (and hint) on one line."""
        text = " ".join(str(self).split())
        return f"{text} ({self.hint})" if self.hint else text


class InputError(AibomError):
    """Input could not be read or is malformed: a usage problem, not a verdict. Exit 2."""

    exit_code = 2


class VerificationError(AibomError):
    """The evidence was read and does not hold: tampering, wrong signer, bad signature. Exit 1."""

    exit_code = 1
