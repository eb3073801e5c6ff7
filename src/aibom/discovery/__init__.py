"""Discover the provenance graph from local model and dataset directories. No network.

1. Read each directory: its metadata (evidence readers) and the OMS signature beside it.
2. Name each directory: its basename, or the Hugging Face id another directory declares
   for it (`base_model: org/tiny-base` names the directory `tiny-base`).
3. Add every declared reference as an edge, resolved to a local component by name or
   OMS root digest; what cannot be resolved stays as an external, declared component.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from aibom.discovery import references
from aibom.discovery.card_facts import dataset_facts, model_facts
from aibom.discovery.signatures import (
    file_digests,
    find_signature,
    portable_path,
    try_read,
    try_read_lineage,
)
from aibom.errors import InputError
from aibom.evidence import looks_like_dataset, read_dataset_dir, read_model_dir
from aibom.graph import (
    CardFacts,
    Component,
    Derivation,
    Edge,
    FileDigest,
    Kind,
    Level,
    ProvenanceGraph,
    Relation,
    SignatureEvidence,
)
from aibom.layout import EVIDENCE_FILES
from aibom.lineage.attest import Lineage
from aibom.oms.hashing import manifest_resources, root_digest
from aibom.oms.model import Serialization
from aibom.oms.tree import IgnoreSet, ModelTreeError, enumerate_model


@dataclass(frozen=True)
class Discovery:
    graph: ProvenanceGraph
    root: str  # ref of the component that was asked about
    warnings: tuple[str, ...] = ()


@dataclass
class _Local:
    path: Path
    kind: Kind
    facts: CardFacts
    license: str | None
    license_url: str | None
    references: list[references.Reference]
    signature: SignatureEvidence | None
    files: tuple[FileDigest, ...]
    digest: str | None
    location: str
    attestation: tuple[SignatureEvidence, Lineage] | None = None
    warnings: list[str] = field(default_factory=list)
    name: str = ""
    ref: str = ""


def discover(
    model_dir: Path,
    *,
    with_dirs: tuple[Path, ...] = (),
    signature: Path | None = None,
    relative_to: Path | None = None,
    hash_unsigned: bool = True,
) -> Discovery:
    """Build the graph of `model_dir` and the related directories given with it."""
    base = relative_to or Path.cwd()
    dirs = _unique_dirs([model_dir, *with_dirs])
    locals_ = [
        _read_local(d, base, signature if i == 0 else None, hash_unsigned)
        for i, d in enumerate(dirs)
    ]
    _name_locals(locals_)
    graph = ProvenanceGraph()
    for local in locals_:
        graph.add_component(_component(local))
    warnings = [f"{local.path.name}: {w}" for local in locals_ for w in local.warnings]
    for local in locals_:
        for reference in local.references:
            parent = references.resolve(graph, reference, exclude=local.ref)
            graph.add_edge(Edge(reference.relation, local.ref, parent, evidence=reference.evidence))
    for local in locals_:
        if local.attestation is not None:
            _add_attested(graph, local, *local.attestation)
    return Discovery(graph, locals_[0].ref, tuple(warnings))


def _add_attested(
    graph: ProvenanceGraph, local: _Local, evidence: SignatureEvidence, lineage: Lineage
) -> None:
    """Edges a signed lineage statement names, resolved by root digest: they are attested
    (whether the attestation holds is for verify-chain to decide)."""
    proof = f"{evidence.bundle_path} sha256:{evidence.bundle_sha256}"
    named = (
        [(Derivation(lineage.relation).relation, p) for p in lineage.parents]
        if lineage.relation
        else []
    )
    named += [
        (Relation.EVALUATED_ON if d.use == "evaluation" else Relation.TRAINED_ON, d)
        for d in lineage.datasets
    ]
    for relation, artifact in named:
        kind = (
            Kind.DATASET if relation in (Relation.TRAINED_ON, Relation.EVALUATED_ON) else Kind.MODEL
        )
        reference = references.Reference(
            relation, artifact.name, kind, proof, digest=artifact.root_digest
        )
        parent = references.resolve(graph, reference, exclude=local.ref, by_name=False)
        graph.add_edge(Edge(relation, local.ref, parent, Level.ATTESTED, proof))


def _unique_dirs(paths: list[Path]) -> list[Path]:
    seen: dict[str, Path] = {}
    for path in paths:
        if not path.is_dir():
            raise InputError(f"{path} is not a directory")
        seen.setdefault(os.path.realpath(path), path)
    return list(seen.values())


def _read_local(path: Path, base: Path, signature: Path | None, hash_unsigned: bool) -> _Local:
    warnings: list[str] = []
    read = try_read(signature or find_signature(path, warnings), base, warnings)
    attestation = try_read_lineage(path, base, warnings)
    if looks_like_dataset(path):
        dev = read_dataset_dir(path)
        warnings += dev.warnings
        card = dev.card
        kind, facts = Kind.DATASET, dataset_facts(dev)
        license_ = ", ".join(card.license) if card and card.license else None
        license_url = card.license_link if card else None
        refs: list[references.Reference] = []
    else:
        mev = read_model_dir(path)
        warnings += mev.warnings
        kind = Kind.ADAPTER if mev.adapter is not None else Kind.MODEL
        facts = model_facts(mev)
        license_ = mev.card.license if mev.card else None
        license_url = mev.card.license_link if mev.card else None
        refs = references.declared(mev)
    if read is not None:
        evidence, parsed = read
        files, digest = file_digests(parsed), evidence.root_digest
    else:
        evidence = None
        files, digest = _hash_unsigned(path, warnings) if hash_unsigned else ((), None)
    location = portable_path(path, base)
    return _Local(
        path,
        kind,
        facts,
        license_,
        license_url,
        refs,
        evidence,
        files,
        digest,
        location,
        attestation,
        warnings,
    )


def _hash_unsigned(path: Path, warnings: list[str]) -> tuple[tuple[FileDigest, ...], str | None]:
    """Content identity of an unsigned directory, computed the way OMS would sign it."""
    ser = Serialization()
    try:
        files = enumerate_model(
            path, allow_symlinks=False, ignore=IgnoreSet(path, relative=EVIDENCE_FILES)
        )
        resources = manifest_resources(files, ser)
    except ModelTreeError as exc:
        warnings.append(f"not hashed: {exc.one_line()}")
        return (), None
    if not resources:
        return (), None
    digests = tuple(FileDigest(r.name, r.algorithm, r.digest) for r in resources)
    return digests, root_digest(r.digest for r in resources)


def _name_locals(locals_: list[_Local]) -> None:
    """A directory takes the id others declare for it, else its basename; refs are unique."""
    declared = sorted({r.target for local in locals_ for r in local.references})
    taken: set[str] = set()
    for local in locals_:
        base = local.path.resolve().name
        matches = [d for d in declared if d.rsplit("/", 1)[-1].lower() == base.lower()]
        local.name = matches[0] if len(matches) == 1 else base
        ref = f"{local.kind.value}:{local.name}"
        if ref in taken:
            ref = f"{ref}@{(local.digest or str(len(taken)))[:12]}"
        taken.add(ref)
        local.ref = ref


def _component(local: _Local) -> Component:
    return Component(
        ref=local.ref,
        kind=local.kind,
        name=local.name,
        purl=references.purl_for(local.name, local.kind, None),
        license=local.license,
        license_url=local.license_url,
        root_digest=local.digest,
        files=local.files,
        signature=local.signature,
        attestation=local.attestation[0] if local.attestation else None,
        card=local.facts,
        local=True,
        location=local.location,
        warnings=tuple(local.warnings),
    )
