"""Evidence read from a directory -> the normalised CardFacts the graph carries."""

from __future__ import annotations

from aibom.evidence import DatasetEvidence, ModelEvidence
from aibom.graph import CardFacts, Metric


def model_facts(ev: ModelEvidence) -> CardFacts:
    card, config, adapter = ev.card, ev.config, ev.adapter
    props: dict[str, str] = {}
    if config is not None:
        for key in ("hidden_size", "num_hidden_layers", "vocab_size", "max_position_embeddings"):
            value = getattr(config, key)
            if value is not None:
                props[f"hf:config:{key}"] = str(value)
        for name, model_type in config.sub_configs:
            props[f"hf:config:{name}"] = model_type
        if config.auto_map:
            props["hf:config:auto_map"] = ", ".join(f"{k}={v}" for k, v in config.auto_map)
    if adapter is not None:
        for key in ("peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "use_dora"):
            value = getattr(adapter, key)
            if value is not None:
                props[f"peft:{key}"] = str(value)
        if adapter.target_modules:
            props["peft:target_modules"] = ", ".join(adapter.target_modules)
        elif adapter.target_modules_pattern:
            props["peft:target_modules"] = adapter.target_modules_pattern
    tensors = sum(h.tensor_count for h in ev.safetensors)
    if tensors:
        props["safetensors:tensors"] = str(tensors)
        dtypes: dict[str, int] = {}
        for header in ev.safetensors:
            for dtype, count in header.dtypes.items():
                dtypes[dtype] = dtypes.get(dtype, 0) + count
        props["safetensors:dtypes"] = ", ".join(f"{d}={n}" for d, n in sorted(dtypes.items()))
    for gguf in ev.gguf:
        if gguf.architecture:
            props["gguf:architecture"] = gguf.architecture
        if gguf.context_length:
            props["gguf:context_length"] = str(gguf.context_length)
    if card is not None and card.license_name:
        props["hf:card:license_name"] = card.license_name
    return CardFacts(
        description=card.description if card else None,
        pipeline_tag=card.pipeline_tag if card else None,
        library=card.library_name if card else None,
        architectures=config.architectures if config else (),
        model_type=(config.model_type if config else None) or _gguf_arch(ev),
        dtype=config.torch_dtype if config else None,
        parameters=_parameters(ev),
        quantization=_quantization(ev),
        languages=card.language if card else (),
        tags=tuple(sorted(set(card.tags))) if card else (),
        metrics=tuple(_metrics(ev)),
        properties=tuple(sorted(props.items())),
    )


def dataset_facts(ev: DatasetEvidence) -> CardFacts:
    card = ev.card
    props: dict[str, str] = {}
    if card is not None:
        for key in ("task_categories", "task_ids", "size_categories", "source_datasets"):
            values = getattr(card, key)
            if values:
                props[f"hf:dataset:{key}"] = ", ".join(values)
        if card.pretty_name:
            props["hf:dataset:pretty_name"] = card.pretty_name
    splits: dict[str, int] = {}
    infos = [i for f in ev.info_files for i in f.configs] + list(card.dataset_info if card else ())
    for info in infos:
        for split in info.splits:
            if split.num_examples is not None:
                splits[split.name] = splits.get(split.name, 0) + split.num_examples
        if info.features and "hf:dataset:features" not in props:
            props["hf:dataset:features"] = ", ".join(info.features)
    for name, count in splits.items():
        props[f"hf:dataset:split:{name}"] = str(count)
    if ev.data_files:
        props["hf:dataset:data_files"] = ", ".join(ev.data_files)
    description = (card.description if card else None) or next(
        (i.description for i in infos if i.description), None
    )
    return CardFacts(
        description=description,
        languages=card.language if card else (),
        tags=tuple(sorted(set(card.tags))) if card else (),
        properties=tuple(sorted(props.items())),
    )


def _gguf_arch(ev: ModelEvidence) -> str | None:
    return next((h.architecture for h in ev.gguf if h.architecture), None)


def _parameters(ev: ModelEvidence) -> int | None:
    count = sum(h.parameter_count for h in ev.safetensors)
    if count:
        return count
    index_total = next(
        (i.total_parameters for i in ev.safetensors_indexes if i.total_parameters), None
    )
    if index_total:
        return index_total
    return next((h.parameter_count for h in ev.gguf if h.parameter_count), None)


def _quantization(ev: ModelEvidence) -> str | None:
    q = ev.quantization
    if q is not None and (q.method or q.bits):
        return " ".join(p for p in (q.method, f"{q.bits}-bit" if q.bits else None) if p)
    return next((h.quantization for h in ev.gguf if h.quantization), None)


def _metrics(ev: ModelEvidence) -> list[Metric]:
    if ev.card is None:
        return []
    out = []
    for r in ev.card.eval_results:
        if r.metric_type is None or r.metric_value is None:
            continue
        out.append(
            Metric(
                type=r.metric_type,
                value=str(r.metric_value),
                name=r.metric_name,
                dataset=r.dataset_name or r.dataset_type,
                task=r.task_type,
            )
        )
    return sorted(out, key=lambda m: (m.type, m.name or "", m.dataset or "", m.value))
