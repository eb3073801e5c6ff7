"""The shape of a Hugging Face cache repository folder, for the cache reader and the
containment rule alike (kept apart so the tree walk loads no more than it needs)."""

from __future__ import annotations

import os
import re
from pathlib import Path

REPO_FOLDER = re.compile(r"(models|datasets|spaces|kernels)--(.+)")


def enclosing_repo_folder(path: Path | str) -> Path | None:
    """The cache repository folder (models--ORG--NAME) that `path` lies in, if any."""
    real = Path(os.path.realpath(path))
    for folder in (real, *real.parents):
        if folder.parent.name == "snapshots" and REPO_FOLDER.fullmatch(folder.parent.parent.name):
            return folder.parent.parent
    return None
