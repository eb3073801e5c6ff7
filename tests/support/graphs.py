"""Provenance graphs for format tests: a family with every kind of component, signature
and edge (`family`), and the smallest graph with an edge (`small`)."""

from __future__ import annotations

import hashlib

from aibom.graph import (
    CardFacts,
    Component,
    Edge,
    FileDigest,
    Kind,
    Level,
    Metric,
    ProvenanceGraph,
    Relation,
    ScanResult,
    SignatureEvidence,
)
from aibom.oms.model import PREDICATE_V1, LogEntry, Serialization, SignerFacts

CREATED = "2025-01-02T03:04:05Z"
TOOL = "9.9.9-test"
REKOR = "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"  # production log
H = {c: c * 64 for c in "0123456789abcdef"}  # distinct SHA-256 hex strings

BASE, EXT, FT = "model:acme/base-7b", "model:meta-llama/Llama-2-7b-hf", "model:acme/chat-7b"
LORA, QUANT = "adapter:chat-7b-lora", "model:chat-7b-q4"
DS_TRAIN, DS_EVAL = "dataset:acme/instructions", "dataset:eval-set"


def signature_evidence(
    bundle: str,
    sha: str,
    signer: SignerFacts,
    *,
    root: str | None,
    logs: tuple[LogEntry, ...] = (),
    ser: Serialization | None = None,
) -> SignatureEvidence:
    return SignatureEvidence(
        bundle_path=bundle,
        bundle_sha256=sha,
        predicate_type=PREDICATE_V1,
        root_digest=root,
        serialization=ser or Serialization(),
        signer=signer,
        log_entries=logs,
        statement_sha256=hashlib.sha256(bundle.encode()).hexdigest(),
    )


def family() -> ProvenanceGraph:
    """A keyless-signed base with a Rekor entry, a certificate-signed fine-tune (with a
    key-signed lineage attestation), a key-signed LoRA adapter, a quantized variant, two
    datasets and an external base declared by a card but not present."""
    rekor = LogEntry(598151086, REKOR, 1760062340, "dsse", "0.0.1", H["e"], True)
    base = Component(
        ref=BASE,
        kind=Kind.MODEL,
        name="acme/base-7b",
        version="main",
        purl="pkg:huggingface/acme/base-7b@main",
        license="apache-2.0",
        license_url="https://www.apache.org/licenses/LICENSE-2.0",
        root_digest=H["1"],
        files=(
            FileDigest("config.json", "sha256", H["2"]),
            FileDigest("model.safetensors", "sha256", H["3"]),
        ),
        signature=signature_evidence(
            "base/model.sig",
            H["4"],
            SignerFacts(
                method="sigstore",
                public_key_fingerprint=H["6"],
                certificate_fingerprint=H["5"],
                identity="alice@example.com",
                issuer="https://accounts.google.com",
                chain_fingerprints=(H["5"],),
                not_before="2025-10-10T02:12:19+00:00",
                not_after="2025-10-10T02:22:19+00:00",
            ),
            root=H["1"],
            logs=(rekor,),
        ),
        card=CardFacts(
            description='A base model.\nSecond line, with "quotes" and ünïcode.',
            pipeline_tag="text-generation",
            library="transformers",
            architectures=("LlamaForCausalLM",),
            model_type="llama",
            dtype="bfloat16",
            parameters=7_000_000_000,
            languages=("en", "fr"),
            tags=("llama", "text-generation"),
            metrics=(
                Metric("accuracy", "0.71", name="Acc", dataset="acme/eval", task="text-generation"),
            ),
            properties=(
                ("hf:config:hidden_size", "4096"),
                ("hf:config:num_hidden_layers", "32"),
                ("safetensors:tensors", "291"),
            ),
        ),
        location="base",
    )
    external = Component(
        ref=EXT,
        kind=Kind.MODEL,
        name="meta-llama/Llama-2-7b-hf",
        purl="pkg:huggingface/meta-llama/Llama-2-7b-hf",
        local=False,
    )
    fine_tune = Component(
        ref=FT,
        kind=Kind.MODEL,
        name="acme/chat-7b",
        license="llama2",
        root_digest=H["7"],
        files=(FileDigest("model.safetensors", "blake2b", "ab" * 64),),
        signature=signature_evidence(
            "chat/model.sig",
            H["8"],
            SignerFacts(
                method="certificate",
                public_key_fingerprint=H["9"],
                certificate_fingerprint=H["a"],
                chain_fingerprints=(H["a"], H["b"]),
                not_before="2025-05-02T23:36:28+00:00",
                not_after="2035-04-30T23:36:28+00:00",
            ),
            root=H["7"],
            ser=Serialization(hash_type="blake2b", ignore_paths=("README.md", "notes")),
        ),
        attestation=signature_evidence(
            "chat/lineage.sig",
            H["c"],
            SignerFacts(method="key", public_key_hint=H["d"]),
            root=H["7"],
        ),
        warnings=("README.md: odd front matter",),
        scan=ScanResult("aibom-scan", "2", "dangerous", ("builtins.eval", "os.system")),
    )
    lora = Component(
        ref=LORA,
        kind=Kind.ADAPTER,
        name="chat-7b-lora",
        root_digest=H["f"],
        files=(
            FileDigest("adapter_model.safetensors:0:100", "blake3", H["0"]),
            FileDigest("adapter_config.json", "sha512-custom", "12ab"),
        ),
        signature=signature_evidence(
            "lora/model.sig",
            H["2"],
            SignerFacts(method="key", public_key_hint=H["3"]),
            root=H["f"],
            ser=Serialization(
                method="shards", hash_type="blake3", shard_size=100, allow_symlinks=True
            ),
        ),
        card=CardFacts(
            properties=(
                ("peft:lora_alpha", "16"),
                ("peft:r", "8"),
                ("peft:target_modules", "q_proj, v_proj"),
            )
        ),
    )
    quantized = Component(
        ref=QUANT,
        kind=Kind.MODEL,
        name="chat-7b-q4",
        card=CardFacts(quantization="gguf Q4_K_M", model_type="llama"),
    )
    train = Component(
        ref=DS_TRAIN,
        kind=Kind.DATASET,
        name="acme/instructions",
        license="mit, cc-by-4.0",
        card=CardFacts(
            description="Instructions.",
            languages=("en",),
            tags=("modality:text",),
            properties=(
                ("hf:dataset:split:train", "1000"),
                ("hf:dataset:task_categories", "text-generation"),
            ),
        ),
    )
    evaluation = Component(
        ref=DS_EVAL,
        kind=Kind.DATASET,
        name="eval-set",
        card=CardFacts(pipeline_tag="odd", metrics=(Metric("f1", "0.5"),)),
    )
    graph = ProvenanceGraph()
    for c in (base, external, fine_tune, lora, quantized, train, evaluation):
        graph.add_component(c)
    attested = f"chat/lineage.sig sha256:{H['c']}"
    for edge in (
        Edge(Relation.FINETUNED_FROM, BASE, EXT, evidence="README.md: base_model"),
        Edge(Relation.FINETUNED_FROM, FT, BASE, Level.ATTESTED, attested),
        Edge(Relation.TRAINED_ON, FT, DS_TRAIN, Level.ATTESTED, attested),
        Edge(Relation.EVALUATED_ON, FT, DS_EVAL, evidence="README.md: model-index"),
        Edge(
            Relation.ADAPTER_OF, LORA, FT, evidence="adapter_config.json: base_model_name_or_path"
        ),
        Edge(Relation.QUANTIZED_FROM, QUANT, FT),
    ):
        graph.add_edge(edge)
    return graph


def small() -> ProvenanceGraph:
    graph = ProvenanceGraph()
    graph.add_component(Component(ref="model:m", kind=Kind.MODEL, name="m"))
    graph.add_component(Component(ref="dataset:d", kind=Kind.DATASET, name="d"))
    graph.add_edge(Edge(Relation.TRAINED_ON, "model:m", "dataset:d"))
    return graph
