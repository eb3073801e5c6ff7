"""SPDX 3.0.1 AI and Dataset profile fields of a component: card facts, hyperparameters,
metrics, dataset types, and how each aibom relation is written as a relationship."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spdx_python_model import v3_0_1 as spdx

from aibom.formats import vocabulary as v
from aibom.graph import CardFacts, Component, ProvenanceGraph, Relation

# CardFacts.properties written as ai_hyperparameter (the rest as aibom:fact:<key>)
HYPERPARAMETERS = frozenset(
    {
        "hf:config:hidden_size",
        "hf:config:num_hidden_layers",
        "hf:config:vocab_size",
        "hf:config:max_position_embeddings",
        "peft:r",
        "peft:lora_alpha",
        "peft:lora_dropout",
        "peft:target_modules",
        "peft:use_dora",
    }
)


@dataclass(frozen=True)
class RelationMap:
    """How one aibom relation is written as an SPDX 3 relationship."""

    type: str  # RelationshipType name
    child_is_from: bool  # False: `from` is the parent, `to` the child
    scope: str | None  # LifecycleScopeType, for a LifecycleScopedRelationship
    phrase: str  # for the human comment: "<child> <phrase> <parent>"


RELATIONS: dict[Relation, RelationMap] = {
    Relation.FINETUNED_FROM: RelationMap("descendantOf", True, None, "is fine-tuned from"),
    Relation.MERGED_FROM: RelationMap("descendantOf", True, None, "is merged from"),
    Relation.DISTILLED_FROM: RelationMap("descendantOf", True, None, "is distilled from"),
    Relation.QUANTIZED_FROM: RelationMap("hasVariant", False, None, "is a quantized variant of"),
    Relation.ADAPTER_OF: RelationMap(
        "dependsOn", True, "runtime", "is an adapter applied at run time to"
    ),
    Relation.TRAINED_ON: RelationMap("trainedOn", True, None, "is trained on"),
    Relation.EVALUATED_ON: RelationMap("testedOn", True, None, "is evaluated on"),
}

# Hugging Face task category / modality -> SPDX 3 DatasetType (derived, never read back)
_DATASET_TYPES = {
    "text": "text",
    "image": "image",
    "audio": "audio",
    "video": "video",
    "tabular": "structured",
    "timeseries": "timeseries",
    "time-series": "timeseries",
    "graph": "graph",
    "3d": "other",
    "geospatial": "other",
}
_TASK_PREFIXES = (
    ("text", "text"),
    ("token-", "text"),
    ("translation", "text"),
    ("summarization", "text"),
    ("question-answering", "text"),
    ("fill-mask", "text"),
    ("sentence-similarity", "text"),
    ("zero-shot-classification", "text"),
    ("table-", "structured"),
    ("tabular-", "structured"),
    ("image", "image"),
    ("object-detection", "image"),
    ("depth-estimation", "image"),
    ("mask-generation", "image"),
    ("visual-question-answering", "image"),
    ("audio", "audio"),
    ("automatic-speech-recognition", "audio"),
    ("voice-activity-detection", "audio"),
    ("video", "video"),
    ("time-series", "timeseries"),
    ("graph-ml", "graph"),
)

# what each SPDX 3 package type writes in its own fields (the rest: aibom: pairs)
AI_CARD = v.CardFields(pipeline_tag=True, model_type=True, metric_values=True,
                       facts=HYPERPARAMETERS)
DATASET_CARD = v.CardFields()


def dataset_types(card: CardFacts) -> list[str]:
    """SPDX 3 dataset types read from a card's modality tags and task categories;
    ["noAssertion"] when nothing tells."""
    found: list[str] = []
    candidates = [t.split(":", 1)[1] for t in card.tags if t.startswith("modality:")]
    tasks = [v for k, v in card.properties if k == "hf:dataset:task_categories"]
    tasks += [t.split(":", 1)[1] for t in card.tags if t.startswith("task_categories:")]
    for modality in candidates:
        kind = _DATASET_TYPES.get(modality.strip().lower())
        if kind and kind not in found:
            found.append(kind)
    for value in tasks:
        for task in (t.strip().lower() for t in value.split(",")):
            kind = next((k for p, k in _TASK_PREFIXES if task.startswith(p)), None)
            if kind and kind not in found:
                found.append(kind)
    return sorted(found) or ["noAssertion"]



def card_fields(
    graph: ProvenanceGraph, c: Component, pkg: Any, is_model: bool
) -> list[tuple[str, str]]:
    """Write the card facts an AI or Dataset package has fields for; the rest as pairs."""
    card = c.card
    if not is_model:
        pkg.dataset_datasetType = [
            getattr(spdx.dataset_DatasetType, t) for t in dataset_types(card)
        ]
        return v.card_props(card, DATASET_CARD)
    if card.pipeline_tag is not None:
        pkg.ai_domain = [card.pipeline_tag]
    if card.model_type is not None:
        pkg.ai_typeOfModel = [card.model_type]
    hyper = [(k, v) for k, v in card.properties if k in HYPERPARAMETERS]
    if hyper:
        pkg.ai_hyperparameter = [spdx.DictionaryEntry(key=k, value=v) for k, v in hyper]
    if card.metrics:
        pkg.ai_metric = [spdx.DictionaryEntry(key=m.type, value=m.value) for m in card.metrics]
    training = _training(graph, c)
    if training:
        pkg.ai_informationAboutTraining = training
    return v.card_props(card, AI_CARD)



def _training(graph: ProvenanceGraph, c: Component) -> str | None:
    """What the graph says about how the model was made, in words (never read back)."""
    parts = []
    for e in graph.parents(c.ref):
        parent = graph.component(e.parent)
        how = RELATIONS[e.relation].phrase.removeprefix("is ")
        source = f", {e.evidence}" if e.evidence else ""
        parts.append(f"{how} {parent.name} ({e.level.value}{source})")
    return "; ".join(parts) if parts else None


