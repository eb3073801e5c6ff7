"""Graphs for inventory tests: components with deterministic digests, and random estates
(many models, adapters and datasets with lineage, signatures and licences)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from aibom.graph import (
    Component,
    Edge,
    FileDigest,
    Kind,
    Level,
    ProvenanceGraph,
    Relation,
    SignatureEvidence,
)
from aibom.oms.model import PREDICATE_V1, LogEntry, Serialization, SignerFacts


def hexd(seed: object) -> str:
    import hashlib

    return hashlib.sha256(str(seed).encode()).hexdigest()


def component(ref: str, *, kind: Kind | None = None, digest: bool = True, signer: int = 0,
              license_id: str = "apache-2.0", files: tuple[FileDigest, ...] = (),
              local: bool = True, purl: str | None = None, version: str | None = None,
              log_index: int | None = None) -> Component:
    kind = kind or Kind(ref.split(":", 1)[0])
    name = ref.split(":", 1)[1]
    sig = SignatureEvidence(
        bundle_path="model.sig", bundle_sha256=hexd(("bundle", ref)),
        predicate_type=PREDICATE_V1, root_digest=hexd(("root", ref)) if digest else None,
        serialization=Serialization(),
        signer=SignerFacts(
            method="sigstore", identity=f"signer-{signer}@example.com",
            issuer="https://issuer.example", certificate_fingerprint=hexd(("cert", signer)),
            public_key_fingerprint=hexd(("key", signer)),
            chain_fingerprints=(hexd(("cert", signer)), hexd(("ca", signer % 2))),
        ),
        log_entries=(LogEntry(log_index, hexd("log"), 1_700_000_000, "dsse", "0.0.1", None,
                              True),) if log_index is not None else (),
    )
    return Component(
        ref=ref, kind=kind, name=name, version=version, purl=purl, license=license_id,
        root_digest=hexd(("root", ref)) if digest else None, files=files,
        signature=sig if signer >= 0 else None, local=local,
    )


@dataclass
class Estate:
    """A random DAG (sometimes with a cycle) of components, cut into AIBOMs."""

    components: dict[str, Component] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    documents: list[ProvenanceGraph] = field(default_factory=list)

    def parents(self, ref: str) -> list[Edge]:
        return [e for e in self.edges if e.child == ref]

    def document(self, refs: set[str]) -> ProvenanceGraph:
        """An AIBOM of `refs` and all their ancestors."""
        keep, todo = set(), list(refs)
        while todo:
            r = todo.pop()
            if r not in keep:
                keep.add(r)
                todo += [e.parent for e in self.parents(r)]
        g = ProvenanceGraph()
        for r in sorted(keep):
            g.add_component(self.components[r])
        for e in self.edges:
            if e.child in keep:
                g.add_edge(e)
        return g


LICENSES = ("apache-2.0", "mit", "llama3", "cc-by-4.0")


def random_estate(seed: int, *, models: int = 60, datasets: int = 12, cycle: bool = False
                  ) -> Estate:
    rnd = random.Random(seed)
    est = Estate()
    shared = [FileDigest("tokenizer.json", "sha256", hexd(("tok", i))) for i in range(4)]

    def add(ref: str, **kw: object) -> None:
        files = (FileDigest("config.json", "sha256", hexd(("cfg", ref))),
                 *rnd.sample(shared, rnd.randint(0, 2)))
        est.components[ref] = component(
            ref, signer=rnd.randrange(-1, 5), license_id=rnd.choice(LICENSES), files=files,
            log_index=rnd.randrange(40) if rnd.random() < 0.5 else None, **kw)  # type: ignore

    for d in range(datasets):
        add(f"dataset:org/ds-{d}")
    refs: list[str] = []
    for m in range(models):
        kind = Kind.ADAPTER if rnd.random() < 0.15 else Kind.MODEL
        ref = f"{kind.value}:org/m-{m}"
        add(ref, kind=kind, digest=rnd.random() < 0.8)
        if refs and rnd.random() < 0.85:
            for parent in rnd.sample(refs, 1 if rnd.random() < 0.8 else min(2, len(refs))):
                relation = rnd.choice([r for r in Relation if r.is_lineage])
                est.edges.append(Edge(relation, ref, parent, rnd.choice(list(Level))))
        for ds in rnd.sample(range(datasets), rnd.randint(0, 2)):
            relation = rnd.choice([Relation.TRAINED_ON, Relation.EVALUATED_ON])
            est.edges.append(Edge(relation, ref, f"dataset:org/ds-{ds}", Level.DECLARED))
        refs.append(ref)
    if cycle:  # an untrusted AIBOM may say anything: m-0 and m-1 derive from each other
        est.edges += [Edge(Relation.FINETUNED_FROM, refs[1], refs[0], Level.DECLARED),
                      Edge(Relation.MERGED_FROM, refs[0], refs[1], Level.DECLARED)]
    est.edges = sorted(set(est.edges), key=lambda e: (e.child, e.relation.value, e.parent))
    for _ in range(models // 3):
        est.documents.append(est.document(set(rnd.sample(refs, rnd.randint(1, 3)))))
    return est
