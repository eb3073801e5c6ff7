"""Plain-dict views of signatures and verdicts, for JSON output (sorted, stable)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aibom.oms.model import OmsSignature
    from aibom.oms.verify import Verification


def signature_facts(sig: OmsSignature) -> dict[str, Any]:
    signer = {k: v for k, v in asdict(sig.signer).items() if v not in (None, ())}
    return {
        "predicate_type": sig.predicate_type,
        "bundle_media_type": sig.media_type,
        "bundle_sha256": sig.bundle_sha256,
        "model_name": sig.model_name,
        "root_digest": sig.root_digest,
        "serialization": sig.serialization.as_predicate(),
        "resources": len(sig.resources),
        "signer": signer,
        "transparency_log": [{**asdict(e), "search_url": e.search_url} for e in sig.log_entries],
        "signed_timestamps": sig.signed_timestamps,
        "notes": list(sig.notes),
    }


def verification_facts(result: Verification, model: str, signature: str) -> dict[str, Any]:
    return {
        "verified": result.ok,
        "model": model,
        "signature": signature,
        "reason": result.reason() or None,
        "checked": result.checked,
        "modified": list(result.modified),
        "missing": list(result.missing),
        "extra": list(result.extra),
        "not_checked": list(result.not_checked),
        **signature_facts(result.signature),
    }
