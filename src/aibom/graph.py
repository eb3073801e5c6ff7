"""The provenance graph: components of AI models and how they derive from each other.

Pure data over networkx; no I/O. Edges point from the derived component to what it derives
from (child -> parent), so ancestors are successors and descendants are predecessors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import networkx as nx

from aibom.errors import AibomError
from aibom.oms.model import LogEntry, Serialization, SignerFacts


class Kind(StrEnum):
    """What a component is: a full model, an adapter (LoRA and the like), or a dataset."""

    MODEL = "model"
    ADAPTER = "adapter"
    DATASET = "dataset"


class Relation(StrEnum):
    """How an edge's child relates to its parent: derived from a model, or used a dataset."""

    FINETUNED_FROM = "finetuned_from"
    ADAPTER_OF = "adapter_of"
    QUANTIZED_FROM = "quantized_from"
    MERGED_FROM = "merged_from"
    DISTILLED_FROM = "distilled_from"
    TRAINED_ON = "trained_on"
    EVALUATED_ON = "evaluated_on"

    @property
    def is_lineage(self) -> bool:
        """Model-to-model derivation (as opposed to model-to-dataset use)."""
        return self not in (Relation.TRAINED_ON, Relation.EVALUATED_ON)

    @property
    def derivation(self) -> Derivation | None:
        """The word a model card or lineage attestation uses for it (None for dataset use)."""
        for word, relation in _DERIVATIONS.items():
            if relation is self:
                return word
        return None


class Derivation(StrEnum):
    """How a model derives from its parent, in the words of model cards and attestations.

    The one table of relation words: Hugging Face's `base_model_relation` values (all but
    `distill`), the `relation` of an aibom lineage attestation (all), and the graph relation
    each stands for.
    """

    FINETUNE = "finetune"
    ADAPTER = "adapter"
    QUANTIZED = "quantized"
    MERGE = "merge"
    DISTILL = "distill"

    @property
    def relation(self) -> Relation:
        """The graph relation this word stands for."""
        return _DERIVATIONS[self]

    @property
    def on_model_cards(self) -> bool:
        """Whether Hugging Face model cards use the word (`base_model_relation`, tags)."""
        return self is not Derivation.DISTILL

    @classmethod
    def card_words(cls) -> tuple[Derivation, ...]:
        """The words a model card may state, in the Hub's order of precedence."""
        return (cls.ADAPTER, cls.MERGE, cls.QUANTIZED, cls.FINETUNE)

    @classmethod
    def parse(cls, word: str) -> Derivation | None:
        """The derivation a (case-insensitive) word names, or None."""
        try:
            return cls(word.lower())
        except ValueError:
            return None


_DERIVATIONS: dict[Derivation, Relation] = {
    Derivation.FINETUNE: Relation.FINETUNED_FROM,
    Derivation.ADAPTER: Relation.ADAPTER_OF,
    Derivation.QUANTIZED: Relation.QUANTIZED_FROM,
    Derivation.MERGE: Relation.MERGED_FROM,
    Derivation.DISTILL: Relation.DISTILLED_FROM,
}


class Level(StrEnum):
    """How strongly an edge is backed."""

    DECLARED = "declared"  # from metadata only: a claim anyone can write
    ATTESTED = "attested"  # backed by a signed lineage statement


class Role(StrEnum):
    """A component's place in its lineage, derived from its kind and its parent edges."""

    BASE = "base"
    FINE_TUNE = "fine-tune"
    ADAPTER = "adapter"
    QUANTIZED = "quantized"
    MERGED = "merged"
    DISTILLED = "distilled"
    DATASET = "dataset"


@dataclass(frozen=True)
class FileDigest:
    """One file of a component: its name in the directory and its digest."""

    name: str
    algorithm: str
    digest: str
    # SHA-512 of the file as distributed (BSI TR-03183-2), when `build --sha512` read it
    sha512: str | None = None


@dataclass(frozen=True)
class SignatureEvidence:
    """An OMS signature tied to a component (read, not necessarily verified)."""

    bundle_path: str  # as found: relative to the component directory or the document
    bundle_sha256: str
    predicate_type: str
    root_digest: str | None
    serialization: Serialization
    signer: SignerFacts
    log_entries: tuple[LogEntry, ...] = ()
    # SHA-256 of the signed in-toto statement (the DSSE payload): what a Rekor dsse entry
    # records as its payloadHash, so the transparency log can be searched for the component
    statement_sha256: str | None = None


@dataclass(frozen=True)
class ScanResult:
    """What `aibom scan` found in a component's files, as recorded in the AIBOM."""

    scanner: str
    version: str
    verdict: str  # clean | dangerous | incomplete
    findings: tuple[str, ...] = ()  # the dangerous / not-allowed names, sorted


@dataclass(frozen=True)
class Metric:
    """An evaluation result a card reports (model-index), as text."""

    type: str
    value: str
    name: str | None = None
    dataset: str | None = None
    task: str | None = None


@dataclass(frozen=True)
class CardFacts:
    """What a model or dataset card and its config files say, normalised."""

    description: str | None = None
    pipeline_tag: str | None = None
    library: str | None = None
    architectures: tuple[str, ...] = ()
    model_type: str | None = None
    dtype: str | None = None
    parameters: int | None = None
    quantization: str | None = None
    languages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    properties: tuple[tuple[str, str], ...] = ()  # further facts, sorted (key, value)


@dataclass(frozen=True)
class Component:
    """One model, adapter or dataset: identity, licence, files, signatures and card facts."""

    ref: str
    kind: Kind
    name: str
    version: str | None = None
    purl: str | None = None
    license: str | None = None
    license_url: str | None = None
    root_digest: str | None = None  # OMS root digest: the component's content identity
    files: tuple[FileDigest, ...] = ()
    signature: SignatureEvidence | None = None
    attestation: SignatureEvidence | None = None  # its signed lineage statement, if any
    card: CardFacts = field(default_factory=CardFacts)
    local: bool = True  # False: only declared by another component, not present
    location: str | None = None  # its directory, relative to the AIBOM that carries it
    warnings: tuple[str, ...] = ()
    scan: ScanResult | None = None  # recorded by `aibom build --scan`


@dataclass(frozen=True)
class Edge:
    """`child` derives from (or used) `parent`; `evidence` says which file and field said so."""

    relation: Relation
    child: str
    parent: str
    level: Level = Level.DECLARED
    evidence: str = ""


class GraphError(AibomError, ValueError):
    """The graph was asked to hold something inconsistent (unknown ref, duplicate). Exit 2."""


class ProvenanceGraph:
    """Components and the edges between them; every list it returns is sorted."""

    def __init__(self) -> None:
        """An empty graph."""
        self._g: nx.MultiDiGraph[str] = nx.MultiDiGraph()

    def add_component(self, component: Component) -> None:
        """Add a component; its ref must be new."""
        if component.ref in self._g:
            raise GraphError(f"component {component.ref!r} is already in the graph")
        self._g.add_node(component.ref, component=component)

    def replace_component(self, component: Component) -> None:
        """Replace the component with the same ref (its edges stay)."""
        if component.ref not in self._g:
            raise GraphError(f"unknown component {component.ref!r}")
        self._g.nodes[component.ref]["component"] = component

    def add_edge(self, edge: Edge) -> None:
        """Add an edge between known components; of two with the same relation between the
        same pair, the attested one is kept."""
        for ref in (edge.child, edge.parent):
            if ref not in self._g:
                raise GraphError(f"edge names unknown component {ref!r}")
        key = edge.relation.value
        if self._g.has_edge(edge.child, edge.parent, key):
            current: Edge = self._g.edges[edge.child, edge.parent, key]["edge"]
            if current.level == Level.ATTESTED or edge.level == Level.DECLARED:
                return  # keep the stronger evidence
        self._g.add_edge(edge.child, edge.parent, key=key, edge=edge)

    def __contains__(self, ref: object) -> bool:
        return ref in self._g

    def __len__(self) -> int:
        return int(self._g.number_of_nodes())

    def component(self, ref: str) -> Component:
        """The component with this ref (GraphError if there is none)."""
        try:
            return self._g.nodes[ref]["component"]  # type: ignore[no-any-return]
        except KeyError:
            raise GraphError(f"unknown component {ref!r}") from None

    def components(self) -> list[Component]:
        """Every component, by ref."""
        return [self._g.nodes[r]["component"] for r in sorted(self._g.nodes)]

    def edges(self) -> list[Edge]:
        """Every edge, by child, relation and parent."""
        found = [data["edge"] for _, _, data in self._g.edges(data=True)]
        return sorted(found, key=lambda e: (e.child, e.relation.value, e.parent))

    def parents(self, ref: str, *, relations: Iterable[Relation] | None = None) -> list[Edge]:
        """The edges from `ref` to what it derives from or used (only `relations`, if given)."""
        wanted = set(relations) if relations is not None else None
        return sorted(
            (
                d["edge"]
                for _, _, d in self._g.out_edges(ref, data=True)
                if wanted is None or d["edge"].relation in wanted
            ),
            key=lambda e: (e.relation.value, e.parent),
        )

    def children(self, ref: str) -> list[Edge]:
        """The edges from the components that derive from or used `ref`."""
        return sorted(
            (d["edge"] for _, _, d in self._g.in_edges(ref, data=True)),
            key=lambda e: (e.relation.value, e.child),
        )

    def ancestors(self, ref: str) -> set[str]:
        """Refs `ref` derives from or used, transitively."""
        return set(nx.descendants(self._g, ref))

    def descendants(self, ref: str) -> set[str]:
        """Refs that derive from or used `ref`, transitively."""
        return set(nx.ancestors(self._g, ref))

    def cycles(self) -> list[list[str]]:
        """Every cycle (a lineage must have none), each as its sorted refs."""
        return sorted(sorted(c) for c in nx.simple_cycles(nx.DiGraph(self._g)))

    def role(self, ref: str) -> Role:
        """The component's role: by kind, else by its most specific parent relation."""
        component = self.component(ref)
        if component.kind == Kind.DATASET:
            return Role.DATASET
        if component.kind == Kind.ADAPTER:
            return Role.ADAPTER
        relations = {e.relation for e in self.parents(ref)}
        for relation, role in (
            (Relation.ADAPTER_OF, Role.ADAPTER),
            (Relation.QUANTIZED_FROM, Role.QUANTIZED),
            (Relation.MERGED_FROM, Role.MERGED),
            (Relation.DISTILLED_FROM, Role.DISTILLED),
            (Relation.FINETUNED_FROM, Role.FINE_TUNE),
        ):
            if relation in relations:
                return role
        return Role.BASE

    def find(self, *, name: str | None = None, root_digest: str | None = None) -> list[Component]:
        """Components with this name (case-insensitive) or this OMS root digest."""
        out = []
        for c in self.components():
            if (root_digest is not None and c.root_digest == root_digest) or (
                name is not None and c.name.lower() == name.lower()
            ):
                out.append(c)
        return out

    def lineage_around(self, roots: Iterable[str]) -> ProvenanceGraph:
        """The subgraph around `roots`: their ancestors, their descendants, and the direct
        parents (inputs such as datasets) of the roots and their descendants."""
        roots = set(roots)
        for ref in roots:
            self.component(ref)  # an unknown ref is a GraphError
        down = set().union(*(self.descendants(r) | {r} for r in roots))
        keep = down | set().union(*(self.ancestors(r) for r in roots))
        keep |= {e.parent for r in down for e in self.parents(r)}
        out = ProvenanceGraph()
        for c in self.components():
            if c.ref in keep:
                out.add_component(c)
        for e in self.edges():
            if e.child in keep and e.parent in keep:
                out.add_edge(e)
        return out

    def __iter__(self) -> Iterator[Component]:
        return iter(self.components())

    def same_as(self, other: ProvenanceGraph) -> bool:
        """Whether both graphs hold equal components and edges."""
        return self.components() == other.components() and self.edges() == other.edges()
