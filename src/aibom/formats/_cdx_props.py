"""OMS signature evidence and card facts <-> CycloneDX fields; what CycloneDX has no field
for is written with the shared `vocabulary`. Each pair of functions is one mapping read in
both directions; keep them in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aibom.formats import _common as cc
from aibom.formats import vocabulary as v
from aibom.formats._cdx_read import (
    as_dict,
    as_list,
    as_str,
    hashes,
    opt_str,
    properties,
    refs,
    sub_dict,
)
from aibom.graph import CardFacts, SignatureEvidence


@dataclass(frozen=True)
class RefSpec:
    """An external reference to write: type, url, comment, SHA-256 of the target or None."""

    type: str
    url: str
    comment: str | None = None
    sha256: str | None = None


# --- OMS signature / lineage attestation ------------------------------------------------


def encode_signature(prefix: str, ref_type: str, sig: SignatureEvidence,
                     absolute: str | None = None,
                     ) -> tuple[list[tuple[str, str]], list[RefSpec]]:
    """Properties and references of a signature; `absolute` is where the bundle is published
    (the reference then names it, and the local path stays in a property)."""
    p = f"{v.NS}{prefix}:"
    props = v.signature_props(prefix, sig, location=False)
    specs = []
    url = cc.iri(absolute if absolute is not None else sig.bundle_path)
    if url != sig.bundle_path:  # the reference cannot, or does not, hold the local path
        props.append((f"{p}bundle-path", sig.bundle_path))
    hashable = cc.is_sha256_hex(sig.bundle_sha256)
    if not hashable or url is None:
        props.append((f"{p}bundle-sha256", sig.bundle_sha256))
    if url is not None:
        specs.append(RefSpec(ref_type, url, f"OMS {prefix} bundle",
                             sig.bundle_sha256 if hashable else None))
    for entry in sig.log_entries:
        if cc.iri(entry.search_url) == entry.search_url:
            specs.append(RefSpec("log", entry.search_url,
                                 f"transparency log entry {entry.log_index} of the OMS {prefix}"))
    return props, specs


def decode_signature(raw: dict[str, Any], props: v.Props, prefix: str, ref_type: str,
                     where: str) -> SignatureEvidence | None:
    ref = next((r for r in refs(raw, where) if r["type"] == ref_type), None)
    sha = None
    if ref is not None:
        sha = next((c for a, c in hashes(ref, f"{where} {ref_type} reference")
                    if a == "SHA-256"), None)
    return v.decode_signature(props, prefix, bundle_path=ref["url"] if ref else None,
                              bundle_sha256=sha)


# --- card facts -------------------------------------------------------------------------


MODEL_CARD = v.CardFields(pipeline_tag=True, model_type=True, first_architecture=True,
                          metric_values=True, metric_dataset=True, tags=True)
OTHER_CARD = v.CardFields(tags=True)


def encode_card(card: CardFacts, is_model: bool,
                datasets: list[str]) -> tuple[list[tuple[str, str]], dict[str, Any] | None]:
    """Properties and, for models, the modelCard. description and tags are written by the
    caller (component fields); `datasets` are the refs of the datasets the model used."""
    if not is_model:  # modelCard is for models only: everything else as properties
        return v.card_props(card, OTHER_CARD), None
    props = v.card_props(card, MODEL_CARD)
    params: dict[str, Any] = {}
    if card.pipeline_tag is not None:
        params["task"] = card.pipeline_tag
    if card.model_type is not None:
        params["architectureFamily"] = card.model_type
    if card.architectures:
        params["modelArchitecture"] = card.architectures[0]
    if datasets:
        params["datasets"] = [{"ref": r} for r in datasets]
    io = cc.TASK_IO.get(card.pipeline_tag or "")
    if io is not None:  # derived from the task, as cdxgen does; not read back
        params["inputs"], params["outputs"] = [{"format": io[0]}], [{"format": io[1]}]
    model_card: dict[str, Any] = {"modelParameters": params} if params else {}
    metrics = []
    for m in card.metrics:
        entry = {"type": m.type, "value": m.value}
        if m.dataset is not None:
            entry["slice"] = m.dataset
        metrics.append(entry)
    if metrics:
        model_card["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    return props, model_card or None


def decode_card(raw: dict[str, Any], props: v.Props, where: str, is_model: bool) -> CardFacts:
    mc = sub_dict(raw, "modelCard", where) if is_model else {}
    params = sub_dict(mc, "modelParameters", f"{where}.modelCard")
    qa = sub_dict(mc, "quantitativeAnalysis", f"{where}.modelCard")
    w = f"{where}.modelCard.modelParameters"
    head = opt_str(params, "modelArchitecture", w)

    metrics = []
    perf = as_list(qa.get("performanceMetrics"),
                   f"{where}.modelCard.quantitativeAnalysis.performanceMetrics")
    for n, pm in enumerate(perf):
        wn = f"{where}.modelCard.quantitativeAnalysis.performanceMetrics[{n}]"
        pm = as_dict(pm, wn)
        metrics.append((opt_str(pm, "type", wn), opt_str(pm, "value", wn),
                        opt_str(pm, "slice", wn)))

    # cdxgen's names are read when aibom's are absent (foreign documents)
    card_props = properties(mc.get("properties"), f"{where}.modelCard")
    count = props.get("cdx:ai:parameterCount")
    tags = tuple(as_str(t, f"{where}.tags[{i}]")
                 for i, t in enumerate(as_list(raw.get("tags"), f"{where}.tags")))
    written = CardFacts(
        description=opt_str(raw, "description", where),
        pipeline_tag=opt_str(params, "task", w),
        library=props.get("cdx:huggingface:libraryName"),
        architectures=(head,) if head is not None else (),
        model_type=opt_str(params, "architectureFamily", w),
        parameters=int(count) if count is not None and count.isdigit() and len(count) < 30
        else None,
        quantization=props.get("cdx:ai:quantization"),
        languages=card_props.all("cdx:huggingface:language")
        or props.all("cdx:huggingface:language"),
        tags=tags,
    )
    return v.decode_card(props, written, metrics)
