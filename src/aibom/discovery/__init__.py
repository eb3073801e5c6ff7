"""Discover the provenance graph from local model and dataset directories. No network.

1. Read each directory: its metadata (evidence readers) and the OMS signature beside it.
2. Name each directory: a Hugging Face cache snapshot by its repository (ORG/NAME, version =
   the revision); any other by its basename, or the Hugging Face id another directory
   declares for it (`base_model: org/tiny-base` names the directory `tiny-base`).
3. Add every declared reference as an edge, resolved to a local component by name or
   OMS root digest; when the graph starts in a hub cache, a reference not given is looked
   up in that cache (refs/main, or the revision the reference names). What cannot be
   resolved stays as an external, declared component.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from aibom.discovery import references
from aibom.discovery.card_facts import dataset_facts, model_facts
from aibom.discovery.copyright import copyright_notice
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
from aibom.sources import (
    DATASET,
    HubReference,
    ModelSource,
    Snapshot,
    find_snapshot,
    is_reference,
    resolve_source,
)
from aibom.sources.reference import MODEL, valid_repo_id

_MAX_CACHED_ADDITIONS = 64  # references followed into the cache, in all


@dataclass(frozen=True)
class Discovery:
    """The graph of a model and its related directories, and what could not be read."""

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
    source: ModelSource | None = None


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
    sources = _unique_sources([model_dir, *_expand_collections(with_dirs)])
    locals_ = [
        _read_local(src, base, signature if i == 0 else None, hash_unsigned)
        for i, src in enumerate(sources)
    ]
    _add_cached_references(locals_, base, hash_unsigned)
    _name_locals(locals_)
    graph = ProvenanceGraph()
    for local in locals_:
        graph.add_component(_component(local))
    warnings = [f"{local.name}: {w}" for local in locals_ for w in local.warnings]
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


def _expand_collections(with_dirs: tuple[Path, ...]) -> list[Path]:
    """`--with models/` names the folder that holds the models, not a model: a plain directory
    with no file of its own (hidden ones aside) stands for its subdirectories, sorted."""
    out: list[Path] = []
    for path in with_dirs:
        if is_reference(os.fspath(path)) or not path.is_dir():
            out.append(path)
            continue
        entries = [e for e in sorted(path.iterdir()) if not e.name.startswith(".")]
        if any(not e.is_dir() for e in entries):
            out.append(path)  # a model or dataset directory of its own
            continue
        members = [e for e in entries if not e.is_symlink()]
        if not members:
            raise InputError(f"{path} holds no model or dataset directory")
        out.extend(members)
    return out


def _unique_sources(paths: list[Path]) -> list[ModelSource]:
    """Paths or hf: references, resolved; the same directory given twice counts once."""
    seen: dict[str, ModelSource] = {}
    for path in paths:
        source = resolve_source(path)
        if not source.path.is_dir():
            raise InputError(f"{path} is not a directory")
        seen.setdefault(os.path.realpath(source.path), source)
    return list(seen.values())


def _add_cached_references(locals_: list[_Local], base: Path, hash_unsigned: bool) -> None:
    """Follow declared references into the hub cache the given snapshots live in, so a
    fine-tune's `base_model: ORG/NAME` reaches the cached base (refs/main, or the revision
    the reference names) without --with. Plain directories never pull from a cache."""
    snapshots = [loc.source.snapshot for loc in locals_ if loc.source and loc.source.snapshot]
    caches = sorted({s.repo.cache_dir for s in snapshots})
    if not caches:
        return
    present = {os.path.realpath(loc.path) for loc in locals_}
    added = 0
    i = 0
    while i < len(locals_) and added < _MAX_CACHED_ADDITIONS:
        for reference in locals_[i].references:
            if _given(reference.target, locals_):
                continue  # what the user gave (--with) wins over the cache
            found = _cached_snapshot(reference, caches)
            if found is None or os.path.realpath(found.path) in present:
                continue
            present.add(os.path.realpath(found.path))
            source = ModelSource(found.reference, found.path, found)
            locals_.append(_read_local(source, base, None, hash_unsigned))
            added += 1
        i += 1


def _given(target: str, locals_: list[_Local]) -> bool:
    """Whether a local directory already answers to this name (as references.resolve matches)."""
    wanted = target.lower()
    for local in locals_:
        name = local.source.name if local.source and local.source.name else local.path.name
        if name.lower() == wanted or name.lower() == wanted.rsplit("/", 1)[-1]:
            return True
    return False


def _cached_snapshot(reference: references.Reference, caches: list[Path]) -> Snapshot | None:
    if not valid_repo_id(reference.target) or "/" not in reference.target:
        return None
    repo_type = DATASET if reference.kind == Kind.DATASET else MODEL
    for cache in caches:
        try:
            wanted = HubReference(repo_type, reference.target, reference.revision)
            return find_snapshot(wanted, cache)
        except InputError:
            continue
    return None


def _read_local(
    source: ModelSource, base: Path, signature: Path | None, hash_unsigned: bool
) -> _Local:
    path = source.path
    warnings: list[str] = []
    read = try_read(signature or find_signature(path, warnings), base, warnings)
    attestation = try_read_lineage(path, base, warnings)
    as_dataset = (
        source.repo_type == DATASET if source.repo_type in (DATASET, MODEL) else None
    )
    if as_dataset if as_dataset is not None else looks_like_dataset(path):
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
    notice = copyright_notice(path)
    if notice is not None:
        facts = replace(facts, properties=tuple(sorted([*facts.properties, ("copyright", notice)])))
    if source.snapshot is not None:
        facts = replace(
            facts,
            properties=tuple(sorted([*facts.properties, *(("hf:ref", r) for r in source.refs)])),
        )
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
        source=source,
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
        snapshot = local.source.snapshot if local.source else None
        if snapshot is not None:
            local.name = snapshot.repo.repo_id
        else:
            base = local.path.resolve().name
            matches = [d for d in declared if d.rsplit("/", 1)[-1].lower() == base.lower()]
            local.name = matches[0] if len(matches) == 1 else base
        ref = f"{local.kind.value}:{local.name}"
        if ref in taken:
            suffix = snapshot.revision if snapshot else local.digest
            ref = f"{ref}@{(suffix or str(len(taken)))[:12]}"
        taken.add(ref)
        local.ref = ref


def _component(local: _Local) -> Component:
    version = local.source.revision if local.source else None
    return Component(
        ref=local.ref,
        kind=local.kind,
        name=local.name,
        version=version,
        purl=references.purl_for(local.name, local.kind, version),
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
