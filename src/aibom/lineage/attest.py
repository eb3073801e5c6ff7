"""Signed lineage attestations: which parents and datasets a model derives from, by digest.

An attestation is an in-toto Statement v1 in a DSSE envelope in a Sigstore bundle, exactly
like an OMS signature, so the same keys, certificates and keyless identities sign it. Its
subject is the child's OMS root digest; its predicate (schemas/lineage.schema.json) names
every parent and dataset by OMS root digest and by the SHA-256 of its signature bundle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aibom import __version__
from aibom._internal.atomic import write_atomic
from aibom.errors import InputError
from aibom.layout import EVIDENCE_FILES, LINEAGE_ATTESTATION, MODEL_SIGNATURE
from aibom.lineage import RELATIONS
from aibom.oms.bundle import SignedStatement, parse_signed_statement, read_raw
from aibom.oms.hashing import manifest_resources, root_digest
from aibom.oms.model import STATEMENT_TYPE, Serialization
from aibom.oms.pipeline import HashProgress
from aibom.oms.schema import check_against
from aibom.oms.tree import IgnoreSet, enumerate_model

if TYPE_CHECKING:  # signing (and cryptography) loads only when an attestation is written
    from aibom.oms.sign import Signer

PREDICATE_LINEAGE = "https://aibom.dev/lineage/v1"


@dataclass(frozen=True)
class Artifact:
    """A parent, dataset or child as a lineage statement names it."""

    name: str
    root_digest: str
    signature_sha256: str | None = None
    method: str | None = None
    use: str | None = None  # datasets: training | evaluation

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "rootDigest": {"sha256": self.root_digest}}
        if self.signature_sha256:
            out["signature"] = {"sha256": self.signature_sha256}
            if self.method:
                out["signature"]["method"] = self.method
        if self.use:
            out["use"] = self.use
        return out


@dataclass(frozen=True)
class Lineage:
    """A parsed lineage attestation (its signature not yet verified)."""

    signed: SignedStatement
    subject: Artifact
    relation: str | None
    parents: tuple[Artifact, ...]
    datasets: tuple[Artifact, ...]
    adoption: dict[str, Any] | None


def describe(path: Path, *, use: str | None = None) -> Artifact:
    """A directory (its model.sig, or its content if unsigned) or an OMS bundle, as an
    Artifact: name, OMS root digest, and the SHA-256 of its signature bundle."""
    from aibom.oms.bundle import read_bundle
    from aibom.sources import resolve_source

    source = resolve_source(path)  # a path or an hf: reference
    path = source.path
    dir_name = source.name or path.name  # a cache snapshot is named ORG/NAME
    bundle = path if path.is_file() else path / MODEL_SIGNATURE
    if bundle.is_file():
        parsed = read_bundle(bundle)
        sig = parsed.signature
        if sig.root_digest is None:
            raise InputError(f"{bundle}: signature names no root digest")
        name = dir_name if path.is_dir() else (sig.model_name or path.stem)
        return Artifact(name, sig.root_digest, sig.bundle_sha256, sig.signer.method, use)
    if not path.is_dir():
        raise InputError(f"{path} is neither a model directory nor an OMS bundle")
    return Artifact(dir_name, content_root_digest(path), None, None, use)


def content_root_digest(path: Path, progress: HashProgress | None = None) -> str:
    """The OMS root digest an unsigned directory would get (files, sha256, default ignores)."""
    files = enumerate_model(path, allow_symlinks=False, ignore=IgnoreSet(path, EVIDENCE_FILES))
    if not files:
        raise InputError(f"{path} has no files")
    if progress is not None:
        progress.plan(len(files), sum(f.size for f in files))
    resources = manifest_resources(files, Serialization(), progress=progress)
    return root_digest(r.digest for r in resources)


def statement(
    child: Artifact,
    relation: str | None,
    parents: list[Artifact],
    datasets: list[Artifact],
    adoption: dict[str, Any] | None = None,
) -> bytes:
    if relation is not None and relation not in RELATIONS:
        raise InputError(f"unknown relation {relation!r} (one of {', '.join(RELATIONS)})")
    if relation is not None and not parents:
        raise InputError("a lineage attestation with a relation needs at least one --parent")
    if relation is None and parents:
        raise InputError(f"--parent needs --relation (one of {', '.join(RELATIONS)})")
    predicate: dict[str, Any] = {
        "relation": relation,
        "parents": [p.to_json() for p in parents],
        "datasets": [d.to_json() for d in datasets],
        "tool": {"name": "aibom", "version": __version__},
    }
    if adoption is not None:
        predicate["adoption"] = adoption
    document = {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": child.name, "digest": {"sha256": child.root_digest}}],
        "predicateType": PREDICATE_LINEAGE,
        "predicate": predicate,
    }
    _check_predicate(predicate, "new attestation")
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def attest(
    model: Path,
    *,
    parents: list[Path],
    relation: str | None,
    datasets: list[Path] = (),  # type: ignore[assignment]
    signer: Signer,
    output: Path | None = None,
    adoption: dict[str, Any] | None = None,
) -> Lineage:
    """Write a signed lineage attestation for `model` (a path or an `hf:` reference; default
    output MODEL/lineage.sig, never inside a Hugging Face cache)."""
    from aibom.oms.sign import sign_payload
    from aibom.sources import refuse_cache_write, resolve_source

    model = resolve_source(model).path
    output = output or model / LINEAGE_ATTESTATION
    refuse_cache_write(output, "attestation")
    child = describe(model)
    payload = statement(
        child,
        relation,
        [describe(p) for p in parents],
        [describe(d, use="training") for d in datasets],
        adoption,
    )
    raw = json.dumps(sign_payload(payload, signer), indent=2, sort_keys=True).encode() + b"\n"
    lineage = parse_lineage(raw, source="new attestation")
    write_atomic(output, raw)
    return lineage


def read_lineage(path: Path) -> Lineage:
    return parse_lineage(read_raw(path, "attestation"), source=str(path))


def parse_lineage(raw: bytes, *, source: str = "attestation") -> Lineage:
    signed = parse_signed_statement(raw, source=source)
    st = signed.statement
    if st.get("_type") != STATEMENT_TYPE or st.get("predicateType") != PREDICATE_LINEAGE:
        raise InputError(f"{source} is not an aibom lineage attestation")
    subject = st.get("subject")
    if not isinstance(subject, list) or len(subject) != 1 or not isinstance(subject[0], dict):
        raise InputError(f"{source}: a lineage attestation has exactly one subject")
    predicate = _check_predicate(st.get("predicate"), source)
    digest = (d if isinstance(d := subject[0].get("digest"), dict) else {}).get("sha256")
    if not isinstance(digest, str) or len(digest) != 64:
        raise InputError(f"{source}: subject lacks a sha256 root digest")
    return Lineage(
        signed=signed,
        subject=Artifact(str(subject[0].get("name", "")), digest),
        relation=predicate["relation"],
        parents=tuple(_artifact(p) for p in predicate["parents"]),
        datasets=tuple(_artifact(d) for d in predicate["datasets"]),
        adoption=predicate.get("adoption"),
    )


def _artifact(node: dict[str, Any]) -> Artifact:
    sig = node.get("signature") or {}
    return Artifact(
        node["name"],
        node["rootDigest"]["sha256"],
        sig.get("sha256"),
        sig.get("method"),
        node.get("use"),
    )


def _check_predicate(predicate: Any, source: str) -> dict[str, Any]:
    """The predicate, once it matches the lineage schema (an object, by the schema)."""
    check_against("lineage.schema.json", predicate, source, "lineage predicate")
    if not isinstance(predicate, dict):  # the schema says object; never index anything else
        raise InputError(f"{source}: the lineage predicate is not an object")
    return predicate
