"""Adopt an upstream model: pin it, verify its signature, scan it, then re-sign it as ours.

The order matters and is the point of the command:
 1. The upstream OMS signature, when there is one, must verify with the trust given for it.
 2. The content must match the pin (a root digest, or a per-file SHA-256 manifest).
 3. Every file must scan clean (aibom.scan: static, nothing is loaded; fail closed).
 4. Only then is the model signed with the organisation's identity (model.sig, the upstream
    signature kept as upstream.sig) and the adoption recorded in a signed attestation
    (lineage.sig; an upstream lineage attestation is kept as upstream-lineage.sig).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom._internal.files import read_capped
from aibom.errors import InputError, VerificationError
from aibom.layout import (
    EVIDENCE_FILES,
    LINEAGE_ATTESTATION,
    MODEL_SIGNATURE,
    UPSTREAM_LINEAGE,
    UPSTREAM_SIGNATURE,
)
from aibom.lineage.attest import Lineage, attest, content_root_digest
from aibom.oms.bundle import read_bundle
from aibom.oms.hashing import manifest_resources
from aibom.oms.model import Serialization
from aibom.oms.pipeline import HashProgress
from aibom.oms.sign import Signer, sign_model
from aibom.oms.tree import IgnoreSet, enumerate_model
from aibom.oms.verify import Trust, check_signed_model
from aibom.scan import SCANNER, SCANNER_VERSION, ScanReport, scan_model

MAX_MANIFEST_BYTES = 64 << 20  # a per-file SHA-256 manifest of a very large model
_HEX64 = re.compile(r"^(?:sha256:)?([0-9a-fA-F]{64})$")


@dataclass(frozen=True)
class Adoption:
    """An adopted model: its directory, new root digest, files scanned, and attestation."""

    model: Path
    root_digest: str
    scanned_files: int
    lineage: Lineage


def adopt(
    upstream: Path,
    *,
    pin: str,
    signer: Signer,
    source: str | None = None,
    upstream_trust: Trust | None = None,
    upstream_signature: Path | None = None,
    parents: list[Path] = (),  # type: ignore[assignment]
    relation: str | None = None,
    datasets: list[Path] = (),  # type: ignore[assignment]
    signature: Path | None = None,
    attestation: Path | None = None,
    tick: Callable[[HashProgress], None] | None = None,
) -> Adoption:
    """Adopt `upstream` in the order the module describes (verify, pin, scan, re-sign,
    attest); raise VerificationError before anything is written when a step fails. `tick`
    hears of the hashing progress of each step that hashes the model."""
    from aibom.sources import refuse_cache_write, resolve_source

    upstream = resolve_source(upstream).path  # a path or an hf: reference
    if not upstream.is_dir():
        raise InputError(f"{upstream} is not a model directory")
    # adoption re-signs in place by default; a cache snapshot is never written to
    refuse_cache_write(signature or upstream / MODEL_SIGNATURE, "signature")
    refuse_cache_write(attestation or upstream / LINEAGE_ATTESTATION, "attestation")
    upstream_facts = _verify_upstream(upstream, upstream_signature, upstream_trust, tick)  # 1
    pin_record = _check_pin(upstream, pin, HashProgress(tick) if tick else None)  # step 2
    scan = scan_model(upstream)  # step 3
    if scan.findings:
        first = scan.findings[0]
        where = f"{first.file}:{first.member}" if first.member else first.file
        raise VerificationError(
            f"refusing to adopt {upstream.name}: {where}: {first.reason}"
            f" ({len(scan.findings)} finding(s))"
        )
    if scan.incomplete:  # what the scanner could not read, an attacker could hide a payload in
        raise VerificationError(
            f"refusing to adopt {upstream.name}: scan incomplete: {scan.incomplete[0]}"
        )
    out = signature or upstream / MODEL_SIGNATURE  # step 4
    if upstream_facts and (upstream / MODEL_SIGNATURE).resolve() == out.resolve():
        os.replace(upstream / MODEL_SIGNATURE, upstream / UPSTREAM_SIGNATURE)
    parsed = sign_model(upstream, out, signer, tick=tick)
    record = {
        "source": source or upstream.name,
        "pin": pin_record,
        "upstreamSignature": upstream_facts,
        "scan": {"tool": SCANNER, "version": SCANNER_VERSION, **_scan_summary(scan)},
    }
    if attestation is None and (upstream / LINEAGE_ATTESTATION).is_file():
        os.replace(upstream / LINEAGE_ATTESTATION, upstream / UPSTREAM_LINEAGE)  # kept as evidence
    lineage = attest(
        upstream,
        parents=list(parents),
        relation=relation,
        datasets=list(datasets),
        signer=signer,
        output=attestation,
        adoption=record,
    )
    root = parsed.signature.root_digest or ""
    return Adoption(upstream, root, len(scan.files), lineage)


def _verify_upstream(
    upstream: Path,
    given: Path | None,
    trust: Trust | None,
    tick: Callable[[HashProgress], None] | None = None,
) -> dict[str, Any] | None:
    bundle = given or upstream / MODEL_SIGNATURE
    if not bundle.is_file():
        if given is not None:
            raise InputError(f"upstream signature {given} not found")
        return None
    if trust is None:
        raise InputError(
            f"{upstream.name} carries an upstream signature: give the trust to verify it "
            "(--upstream-public-key, --upstream-certificate-chain or --upstream-identity)"
        )
    kept = [upstream / UPSTREAM_SIGNATURE]
    result = check_signed_model(upstream, bundle, trust, ignore_paths=kept, tick=tick)
    if not result.ok:
        raise VerificationError(f"upstream signature does not verify: {result.reason()}")
    s = read_bundle(bundle).signature
    return {
        "sha256": s.bundle_sha256,
        "method": s.signer.method,
        "identity": s.signer.identity,
        "issuer": s.signer.issuer,
        "certificateFingerprint": s.signer.certificate_fingerprint,
        "publicKeyHint": s.signer.public_key_hint,
    }


def _check_pin(upstream: Path, pin: str, progress: HashProgress | None = None) -> dict[str, Any]:
    match = _HEX64.match(pin.strip())
    if match:
        expected = match.group(1).lower()
        actual = content_root_digest(upstream, progress)
        if actual != expected:
            raise VerificationError(
                f"pin mismatch: {upstream.name} has root digest {actual}, pinned {expected}"
            )
        return {"rootDigest": {"sha256": expected}}
    manifest = Path(pin)
    try:
        raw = read_capped(manifest, MAX_MANIFEST_BYTES)
    except InputError as exc:
        raise InputError(
            f"--pin is neither a SHA-256 digest nor a readable manifest: {exc}"
        ) from None
    expected_files = _parse_manifest(raw, manifest)
    ignore = IgnoreSet(upstream, (*EVIDENCE_FILES, UPSTREAM_SIGNATURE))
    files = enumerate_model(upstream, allow_symlinks=False, ignore=ignore)
    if progress is not None:
        progress.plan(len(files), sum(f.size for f in files))
    resources = manifest_resources(files, Serialization(), progress=progress)
    actual_files = {r.name: r.digest for r in resources}
    differences = sorted(
        name
        for name in expected_files.keys() | actual_files.keys()
        if expected_files.get(name) != actual_files.get(name)
    )
    if differences:
        listed = ", ".join(differences[:5])
        raise VerificationError(f"pin mismatch: {listed} differ from the manifest")
    return {"manifestSha256": hashlib.sha256(raw).hexdigest()}


def _parse_manifest(raw: bytes, path: Path) -> dict[str, str]:
    """JSON {name: sha256} (optionally under "files"), or `sha256sum` lines."""
    text = raw.decode("utf-8", "replace")
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    entries: dict[str, str] = {}
    if isinstance(document, dict):
        document = document.get("files", document)
        if not isinstance(document, dict):
            raise InputError(f"manifest {path}: 'files' is not a mapping")
        for name, digest in document.items():
            entries[str(name)] = str(digest).removeprefix("sha256:").lower()
    else:
        for line in text.splitlines():
            if not line.strip():
                continue
            digest, _, name = line.strip().partition(" ")
            entries[name.strip().lstrip("*").removeprefix("./")] = digest.lower()
    if not entries or not all(_HEX64.match(d) for d in entries.values()):
        raise InputError(f"manifest {path} holds no valid name/SHA-256 entries")
    return entries


def _scan_summary(scan: ScanReport) -> dict[str, Any]:
    return {
        "result": str(scan.verdict),
        "scannedFiles": len(scan.files),
        "findings": [
            {"file": f.file, "module": f.module, "name": f.name, "severity": f.severity}
            for f in scan.findings
        ],
    }
