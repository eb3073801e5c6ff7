"""aibom: link OMS signatures, lineage and datasets of AI models into one verifiable graph.

The public API is small and stable; everything else may change:

- `verify_model(model, ...)`: verify an OMS signature before loading weights; `verified_path`
  does the same and returns the folder to load (a Hugging Face cache snapshot for `hf:`).
- `sign_model`, `discover`, `build_document`: sign, build the graph, emit an AIBOM.
- `AibomError`, `InputError` (exit 2), `VerificationError` (exit 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aibom.errors import AibomError, InputError, VerificationError

__version__ = "0.1.0"

__all__ = [
    "AibomError",
    "InputError",
    "VerificationError",
    "__version__",
    "build_document",
    "discover",
    "sign_model",
    "verified_path",
    "verify_model",
]

_LAZY = {
    "verify_model": "aibom.loading",
    "verified_path": "aibom.loading",
    "sign_model": "aibom.oms.sign",
    "discover": "aibom.discovery",
    "build_document": "aibom.build",
}

if TYPE_CHECKING:
    from aibom.build import build_document
    from aibom.discovery import discover
    from aibom.loading import verified_path, verify_model
    from aibom.oms.sign import sign_model


def __getattr__(name: str) -> Any:
    """Import the heavy parts only when they are used: `import aibom` stays cheap."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'aibom' has no attribute {name!r}")
