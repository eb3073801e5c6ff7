"""The evidence files aibom keeps beside a model's own files: one name each, here only.

None of them is part of what a model signature covers, so adding a lineage attestation (or
keeping an upstream signature) after signing breaks no verification.
"""

from __future__ import annotations

MODEL_SIGNATURE = "model.sig"
"""The OMS signature of the directory (model_signing's default name)."""

LINEAGE_ATTESTATION = "lineage.sig"
"""The signed lineage statement: which parents and datasets the model derives from."""

UPSTREAM_SIGNATURE = "upstream.sig"
"""An adopted model's original signature, kept when aibom re-signs it in place."""

UPSTREAM_LINEAGE = "upstream-lineage.sig"
"""An adopted model's original lineage attestation, kept as evidence."""

EVIDENCE_FILES: tuple[str, ...] = (
    MODEL_SIGNATURE,
    LINEAGE_ATTESTATION,
    UPSTREAM_SIGNATURE,
    UPSTREAM_LINEAGE,
)
"""Every name above: ignored when a directory is hashed for signing or verification."""

SIGNATURE_SUFFIXES = (".sig", ".sigstore.json", ".sigstore")
"""Endings of a file that may hold a signature bundle, when it is not `model.sig`."""
