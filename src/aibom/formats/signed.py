"""Signed AIBOMs: a Sigstore bundle holding a DSSE envelope over an in-toto statement whose
subject is the AIBOM document (its SHA-256) and whose predicate is the document itself, with
the CycloneDX or SPDX predicate type. The same signers as model signatures (key,
certificate, keyless); the same verifier steps (`oms.verify.verify_signature`), then:

1. the statement is an in-toto v1 statement with exactly one subject;
2. its predicate type is the one of the document's format;
3. the subject's SHA-256 is the SHA-256 of the document bytes (a tampered AIBOM fails here);
4. the predicate is the document itself.

sigstore-python verifies these bundles too (`Verifier.verify_dsse`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from aibom.errors import InputError, VerificationError
from aibom.formats.registry import Format
from aibom.oms.model import STATEMENT_TYPE

BUNDLE_SUFFIX = ".sigstore.json"  # the bundle beside the AIBOM: aibom.cdx.json.sigstore.json
PREDICATE_TYPES = {
    Format.CYCLONEDX: "https://cyclonedx.org/bom",
    Format.SPDX3: "https://spdx.dev/Document",
    Format.SPDX2: "https://spdx.dev/Document",
}


@dataclass(frozen=True)
class SignedDocument:
    """What a verified AIBOM signature says."""

    sha256: str
    predicate_type: str
    signer: Any  # oms.model.SignerFacts


def document_statement(document: bytes, fmt: Format, name: str) -> bytes:
    """The in-toto statement over `document`, serialized once (these bytes are signed)."""
    try:
        predicate = json.loads(document)
    except ValueError:
        raise InputError(f"{name}: the AIBOM is not JSON") from None
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": hashlib.sha256(document).hexdigest()}}],
        "predicateType": PREDICATE_TYPES[fmt],
        "predicate": predicate,
    }
    return json.dumps(statement, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def sign_document(document: bytes, fmt: Format, name: str, signer: Any) -> bytes:
    """A Sigstore bundle (JSON bytes) signing `document` with `signer` (oms.sign.Signer)."""
    from aibom.oms.sign import sign_payload

    bundle = sign_payload(document_statement(document, fmt, name), signer)
    return json.dumps(bundle, indent=2, sort_keys=True).encode() + b"\n"


def verify_document(document: bytes, bundle: bytes, trust: Any, *,
                    source: str = "AIBOM signature") -> SignedDocument:
    """Verify `bundle` over `document` with `trust` (oms.verify.Trust); VerificationError
    when the signature or the document does not hold, InputError for a malformed bundle."""
    from aibom.oms.bundle import parse_signed_statement
    from aibom.oms.verify import verify_signature

    parsed = parse_signed_statement(bundle, source=source)
    verify_signature(parsed, trust)
    statement = parsed.statement
    subjects = statement.get("subject")
    if statement.get("_type") != STATEMENT_TYPE or not isinstance(subjects, list) \
            or len(subjects) != 1 or not isinstance(subjects[0], dict):
        raise VerificationError(f"{source}: not an in-toto statement with one subject")
    predicate_type = statement.get("predicateType")
    if not isinstance(predicate_type, str) or predicate_type not in PREDICATE_TYPES.values():
        raise VerificationError(f"{source}: predicate type {predicate_type!r} is no AIBOM's")
    digest = subjects[0].get("digest")
    want = digest.get("sha256") if isinstance(digest, dict) else None
    actual = hashlib.sha256(document).hexdigest()
    if want != actual:
        raise VerificationError(
            f"{source}: the AIBOM was changed after signing (SHA-256 {actual}, signed {want})"
        )
    try:
        same = json.loads(document) == statement.get("predicate")
    except ValueError:
        same = False
    if not same:
        raise VerificationError(f"{source}: the signed predicate is not this AIBOM")
    return SignedDocument(actual, predicate_type, parsed.signer)
