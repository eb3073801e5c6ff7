"""Find and read the OMS signature and lineage attestation that live beside a model."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from aibom._internal.files import resolve_inside
from aibom.errors import InputError
from aibom.graph import FileDigest, SignatureEvidence
from aibom.layout import LINEAGE_ATTESTATION, MODEL_SIGNATURE, SIGNATURE_SUFFIXES
from aibom.lineage.attest import PREDICATE_LINEAGE, Lineage, read_lineage
from aibom.oms.bundle import ParsedBundle, read_bundle
from aibom.oms.model import Serialization


def inside(directory: Path, name: str, warnings: list[str]) -> Path | None:
    """The evidence file `name` of a directory, if it is one and stays inside it (a symlink
    out of the model must not make aibom read, and then echo, a file elsewhere)."""
    if not os.path.lexists(directory / name):
        return None
    try:
        path = resolve_inside(directory, name)
    except (InputError, OSError) as exc:
        reason = exc.one_line() if isinstance(exc, InputError) else str(exc)
        warnings.append(f"{name}: ignored: {reason}")
        return None
    # the name as found (in a cache snapshot, the link, not the blob it stands for)
    return directory / name if path.is_file() else None


def find_signature(directory: Path, warnings: list[str]) -> Path | None:
    """`model.sig`, else the only other *.sig / *.sigstore.json at the top of the directory."""
    if os.path.lexists(directory / MODEL_SIGNATURE):
        return inside(directory, MODEL_SIGNATURE, warnings)
    try:
        names = sorted(
            e.name
            for e in os.scandir(directory)
            if e.is_file(follow_symlinks=False)
            and e.name.endswith(SIGNATURE_SUFFIXES)
            and e.name != LINEAGE_ATTESTATION
        )
    except OSError:
        return None
    return inside(directory, names[0], warnings) if len(names) == 1 else None


def read_evidence(bundle: Path, relative_to: Path) -> tuple[SignatureEvidence, ParsedBundle]:
    """Parse a bundle (never trusting it: nothing here is verified) into graph evidence."""
    parsed = read_bundle(bundle)
    sig = parsed.signature
    evidence = SignatureEvidence(
        bundle_path=portable_path(bundle, relative_to),
        bundle_sha256=sig.bundle_sha256,
        predicate_type=sig.predicate_type,
        root_digest=sig.root_digest,
        serialization=sig.serialization,
        signer=sig.signer,
        log_entries=sig.log_entries,
        statement_sha256=hashlib.sha256(parsed.envelope.payload).hexdigest(),
    )
    return evidence, parsed


def file_digests(parsed: ParsedBundle) -> tuple[FileDigest, ...]:
    return tuple(FileDigest(r.name, r.algorithm, r.digest) for r in parsed.signature.resources)


def try_read(
    bundle: Path | None, relative_to: Path, warnings: list[str]
) -> tuple[SignatureEvidence, ParsedBundle] | None:
    if bundle is None:
        return None
    try:
        return read_evidence(bundle, relative_to)
    except InputError as exc:
        warnings.append(f"{bundle.name}: unreadable signature ignored: {exc.one_line()}")
        return None


def portable_path(path: Path, relative_to: Path) -> str:
    """POSIX path relative to the document that will carry it, so AIBOMs move with their
    models; `hf:ORG/NAME@COMMIT[/FILE]` for a snapshot of the configured hub cache."""
    from aibom.sources import location_of

    return location_of(path, relative_to)


def try_read_lineage(
    directory: Path, relative_to: Path, warnings: list[str]
) -> tuple[SignatureEvidence, Lineage] | None:
    """The lineage attestation beside a model, as evidence (read, not verified)."""
    bundle = inside(directory, LINEAGE_ATTESTATION, warnings)
    if bundle is None:
        return None
    try:
        lineage = read_lineage(bundle)
    except InputError as exc:
        warnings.append(f"{bundle.name}: unreadable lineage attestation ignored: {exc.one_line()}")
        return None
    signed = lineage.signed
    evidence = SignatureEvidence(
        bundle_path=portable_path(bundle, relative_to),
        bundle_sha256=signed.bundle_sha256,
        predicate_type=PREDICATE_LINEAGE,
        root_digest=lineage.subject.root_digest,
        serialization=Serialization(),
        signer=signed.signer,
        log_entries=signed.log_entries,
        statement_sha256=hashlib.sha256(signed.envelope.payload).hexdigest(),
    )
    return evidence, lineage
