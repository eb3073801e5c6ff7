"""`hf:` references: `hf:ORG/NAME[@REV]` for a model, `hf:datasets/ORG/NAME[@REV]` for a dataset.

REV is a ref name (a branch, a tag, `refs/pr/N`) or a full or short commit hash; without it
the reference means `refs/main`. A reference names something in the local Hugging Face cache
only: aibom never downloads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aibom.errors import InputError

PREFIX = "hf:"
MODEL, DATASET = "model", "dataset"
DEFAULT_REVISION = "main"

# huggingface_hub's own repo id rule: one or two parts of word characters, '-' and '.',
# at most 96 characters each, no '--' or '..' anywhere.
_PART = re.compile(r"[\w.-]{1,96}")
_REF_PART = re.compile(r"[A-Za-z0-9._+-]+")


@dataclass(frozen=True)
class HubReference:
    """A repository of the Hugging Face Hub and, optionally, the revision asked for."""

    repo_type: str  # "model" | "dataset"
    repo_id: str  # ORG/NAME (or a legacy NAME)
    revision: str | None = None

    def __str__(self) -> str:
        kind = "datasets/" if self.repo_type == DATASET else ""
        rev = f"@{self.revision}" if self.revision else ""
        return f"{PREFIX}{kind}{self.repo_id}{rev}"


def is_reference(text: object) -> bool:
    """Whether a command-line value is an `hf:` reference rather than a path."""
    return isinstance(text, str) and text.startswith(PREFIX)


def parse_reference(text: str) -> HubReference:
    """Parse `hf:[datasets/]ORG/NAME[@REV]`; InputError naming what is wrong."""
    if not is_reference(text):
        raise InputError(f"{text!r} is not an hf: reference (hf:ORG/NAME[@REV])")
    body = text[len(PREFIX) :]
    repo_type = MODEL
    if body.startswith("datasets/"):
        repo_type, body = DATASET, body[len("datasets/") :]
    elif body.startswith("models/"):
        body = body[len("models/") :]
    repo_id, _, revision = body.partition("@")
    if not valid_repo_id(repo_id):
        raise InputError(
            f"{text}: not a Hugging Face repository id (expected hf:ORG/NAME[@REV] or "
            "hf:datasets/ORG/NAME[@REV])"
        )
    if "@" in body and not valid_revision(revision):
        raise InputError(f"{text}: {revision!r} is not a ref name or commit hash")
    return HubReference(repo_type, repo_id, revision or None)


def valid_repo_id(repo_id: str) -> bool:
    parts = repo_id.split("/")
    if len(parts) not in (1, 2) or "--" in repo_id or ".." in repo_id:
        return False
    return all(_PART.fullmatch(p) and p[0] not in "-." and p[-1] not in "-." for p in parts)


def valid_revision(revision: str) -> bool:
    """A git ref name or hex commit: no empty, '.'-led or '..' components, no absolute path."""
    parts = revision.split("/")
    return bool(revision) and all(
        _REF_PART.fullmatch(p) and not p.startswith(".") and ".." not in p for p in parts
    )
