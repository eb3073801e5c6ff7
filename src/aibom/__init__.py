"""aibom: link OMS signatures, lineage and datasets of AI models into one verifiable graph."""

from aibom.errors import AibomError, InputError, VerificationError

__version__ = "0.1.0"

__all__ = ["AibomError", "InputError", "VerificationError", "__version__"]
