"""Declared lineage: what a model's metadata says it derives from, and how to resolve it."""

from __future__ import annotations

from dataclasses import dataclass

from aibom.evidence import ModelEvidence
from aibom.graph import Component, Derivation, Kind, ProvenanceGraph, Relation


@dataclass(frozen=True)
class Reference:
    relation: Relation
    target: str  # a Hugging Face id (org/name) or a plain name
    kind: Kind  # what the target is: a model or a dataset
    evidence: str  # the file and field it came from
    revision: str | None = None
    digest: str | None = None  # an OMS root digest, when a signed statement names one


def declared(ev: ModelEvidence) -> list[Reference]:
    refs: list[Reference] = []
    card = ev.card
    bases = tuple(card.base_model) if card else ()
    relation = _base_relation(ev, bases)
    for base in bases:
        refs.append(Reference(relation, base, Kind.MODEL, "README.md: base_model"))
    adapter = ev.adapter
    if adapter is not None and adapter.base_model_name_or_path:
        target = adapter.base_model_name_or_path
        if adapter.base_model_is_local_path:
            target = target.rstrip("/").rsplit("/", 1)[-1]
        if not any(r.target == target for r in refs):
            refs.append(
                Reference(
                    Relation.ADAPTER_OF,
                    target,
                    Kind.MODEL,
                    "adapter_config.json: base_model_name_or_path",
                    adapter.revision,
                )
            )
    for header in ev.gguf:
        for base in header.base_models:
            target = _gguf_base_name(base.organization, base.name, base.repo_url)
            if target and not any(r.target == target for r in refs):
                refs.append(
                    Reference(
                        Relation.QUANTIZED_FROM,
                        target,
                        Kind.MODEL,
                        f"{header.name}: general.base_model",
                    )
                )
    if card is not None:
        for dataset in card.datasets:
            refs.append(
                Reference(Relation.TRAINED_ON, dataset, Kind.DATASET, "README.md: datasets")
            )
        for result in card.eval_results:
            name = result.dataset_type or result.dataset_name
            if name and not any(
                r.target == name and r.relation == Relation.EVALUATED_ON for r in refs
            ):
                refs.append(
                    Reference(Relation.EVALUATED_ON, name, Kind.DATASET, "README.md: model-index")
                )
    return refs


def _base_relation(ev: ModelEvidence, bases: tuple[str, ...]) -> Relation:
    """base_model_relation when the card states it; otherwise the Hugging Face Hub's own
    inference: an adapter config means adapter, quantization or GGUF means quantized,
    several bases mean a merge, else a fine-tune."""
    stated = Derivation.parse(ev.card.base_model_relation or "") if ev.card else None
    if stated is not None and stated.on_model_cards:
        return stated.relation
    if ev.adapter is not None:
        return Relation.ADAPTER_OF
    if ev.quantization is not None or ev.gguf:
        return Relation.QUANTIZED_FROM
    if len(bases) > 1:
        return Relation.MERGED_FROM
    return Relation.FINETUNED_FROM


def _gguf_base_name(org: str | None, name: str | None, url: str | None) -> str | None:
    if url and "huggingface.co/" in url:
        path = url.split("huggingface.co/", 1)[1].strip("/")
        if path.count("/") >= 1:
            return "/".join(path.split("/")[:2])
    if org and name:
        return f"{org}/{name}"
    return name


def resolve(
    graph: ProvenanceGraph, reference: Reference, *, exclude: str, by_name: bool = True
) -> str:
    """The ref of the component a reference points to; an external one is added if needed.
    A reference that carries a digest (from a signed statement) resolves by digest only."""
    kinds = {Kind.DATASET} if reference.kind == Kind.DATASET else {Kind.MODEL, Kind.ADAPTER}
    candidates = [c for c in graph.components() if c.kind in kinds and c.ref != exclude]
    if reference.digest:
        by_digest = [c for c in candidates if c.root_digest == reference.digest]
        if by_digest:
            return by_digest[0].ref
    if not by_name:
        return _external(graph, reference)
    wanted = reference.target.lower()
    for match in (
        lambda c: c.name.lower() == wanted,
        lambda c: c.local and c.name.rsplit("/", 1)[-1].lower() == wanted.rsplit("/", 1)[-1],
    ):
        found = [c for c in candidates if match(c)]
        if len(found) > 1 and reference.revision:  # two revisions of one repository
            found = [c for c in found if _is_revision(c, reference.revision)]
        if len(found) == 1:
            return found[0].ref
    return _external(graph, reference)


def _is_revision(c: Component, revision: str) -> bool:
    """A cache snapshot answers to its commit (or a prefix of it) and to its refs."""
    return bool(c.version and c.version.startswith(revision)) or (
        ("hf:ref", revision) in c.card.properties
    )


def _external(graph: ProvenanceGraph, reference: Reference) -> str:
    ref = f"{reference.kind.value}:{reference.target}"
    if reference.revision:
        ref += f"@{reference.revision}"
    if reference.digest:
        ref += f"#sha256:{reference.digest[:16]}"
    if ref not in graph:
        graph.add_component(
            Component(
                ref=ref,
                kind=reference.kind,
                name=reference.target,
                version=reference.revision,
                purl=purl_for(reference.target, reference.kind, reference.revision),
                root_digest=reference.digest,
                local=False,
            )
        )
    return ref


def purl_for(name: str, kind: Kind, version: str | None) -> str | None:
    """pkg:huggingface/<org>/<name>[@revision] for Hugging Face models (the purl type covers
    models only); None for plain names and datasets."""
    if kind == Kind.DATASET or name.count("/") != 1 or name.startswith(("/", ".")):
        return None
    from packageurl import PackageURL

    namespace, model = name.split("/")
    if not namespace or not model:
        return None
    return PackageURL(
        type="huggingface", namespace=namespace, name=model, version=version
    ).to_string()
