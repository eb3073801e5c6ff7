"""OMS signature evidence and card facts <-> CycloneDX fields and `aibom:` properties.

Each pair of functions is one mapping read in both directions; keep them in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aibom.errors import InputError
from aibom.formats import _cdx_common as cc
from aibom.formats._cdx_read import (
    Props,
    as_dict,
    as_list,
    as_str,
    first,
    hashes,
    opt_str,
    refs,
    sub_dict,
)
from aibom.graph import CardFacts, Metric, SignatureEvidence
from aibom.oms.model import LogEntry, Serialization, SignerFacts

_SIGNER_FIELDS = (  # property suffix -> SignerFacts field, single-valued and optional
    ("public-key-hint", "public_key_hint"),
    ("public-key-sha256", "public_key_fingerprint"),
    ("certificate-sha256", "certificate_fingerprint"),
    ("identity", "identity"),
    ("issuer", "issuer"),
    ("not-before", "not_before"),
    ("not-after", "not_after"),
)
_LOG_REQUIRED = ("log-index", "log-id", "integrated-time", "kind", "version", "inclusion-proof")


@dataclass(frozen=True)
class RefSpec:
    """An external reference to write: type, url, comment, SHA-256 of the target or None."""

    type: str
    url: str
    comment: str | None = None
    sha256: str | None = None


# --- OMS signature / lineage attestation ------------------------------------------------


def signature_fact_props(prefix: str, sig: SignatureEvidence) -> list[tuple[str, str]]:
    """What was signed and by whom, as aibom:<prefix>:... pairs: the one vocabulary that the
    CycloneDX and SPDX writers share (each adds the bundle's location its own way)."""
    p = f"{cc.NS}{prefix}:"
    signer, ser = sig.signer, sig.serialization
    props = [
        (f"{p}method", signer.method),
        (f"{p}predicate-type", sig.predicate_type),
        (f"{p}serialization:method", ser.method),
        (f"{p}serialization:hash-type", ser.hash_type),
        (f"{p}serialization:allow-symlinks", cc.bool_text(ser.allow_symlinks)),
    ]
    if ser.shard_size is not None:
        props.append((f"{p}serialization:shard-size", str(ser.shard_size)))
    props += [(f"{p}serialization:ignore-path", x) for x in ser.ignore_paths]
    if sig.root_digest is not None:
        props.append((f"{p}root-digest", sig.root_digest))
    if sig.statement_sha256 is not None:
        props.append((f"{p}statement-sha256", sig.statement_sha256))
    for suffix, attr in _SIGNER_FIELDS:
        if getattr(signer, attr) is not None:
            props.append((f"{p}{suffix}", getattr(signer, attr)))
    props += [(f"{p}chain-sha256", x) for x in signer.chain_fingerprints]
    return props


def log_entry_props(prefix: str, sig: SignatureEvidence) -> list[tuple[str, str]]:
    """Each transparency-log entry as aibom:<prefix>:log:<n>:... pairs."""
    props: list[tuple[str, str]] = []
    for n, entry in enumerate(sig.log_entries):
        q = f"{cc.NS}{prefix}:log:{n}:"
        props += [
            (f"{q}log-index", str(entry.log_index)),
            (f"{q}log-id", entry.log_id),
            (f"{q}integrated-time", str(entry.integrated_time)),
            (f"{q}kind", entry.kind),
            (f"{q}version", entry.version),
            (f"{q}inclusion-proof", cc.bool_text(entry.has_inclusion_proof)),
        ]
        if entry.entry_uuid is not None:
            props.append((f"{q}entry-uuid", entry.entry_uuid))
    return props


def encode_signature(prefix: str, ref_type: str,
                     sig: SignatureEvidence) -> tuple[list[tuple[str, str]], list[RefSpec]]:
    p = f"{cc.NS}{prefix}:"
    props = signature_fact_props(prefix, sig)
    specs = []
    url = cc.iri(sig.bundle_path)
    if url != sig.bundle_path:
        props.append((f"{p}bundle-path", sig.bundle_path))
    hashable = cc.is_sha256_hex(sig.bundle_sha256)
    if not hashable or url is None:
        props.append((f"{p}bundle-sha256", sig.bundle_sha256))
    if url is not None:
        specs.append(RefSpec(ref_type, url, f"OMS {prefix} bundle",
                             sig.bundle_sha256 if hashable else None))
    props += log_entry_props(prefix, sig)
    for entry in sig.log_entries:
        if cc.iri(entry.search_url) == entry.search_url:
            specs.append(RefSpec("log", entry.search_url,
                                 f"transparency log entry {entry.log_index} of the OMS {prefix}"))
    return props, specs


def decode_signature(raw: dict[str, Any], props: Props, prefix: str, ref_type: str,
                     where: str) -> SignatureEvidence | None:
    p = f"{cc.NS}{prefix}:"
    method = props.get(f"{p}method")
    if method is None:
        return None
    if method not in ("key", "certificate", "sigstore"):
        raise InputError(f"{where}: unknown {p}method {method!r}")
    ref = next((r for r in refs(raw, where) if r["type"] == ref_type), None)
    path = first(props.get(f"{p}bundle-path"), ref["url"] if ref else None)
    sha = props.get(f"{p}bundle-sha256")
    if sha is None and ref is not None:
        sha = next((c for a, c in hashes(ref, f"{where} {ref_type} reference")
                    if a == "SHA-256"), None)
    predicate = props.get(f"{p}predicate-type")
    for what, value in (("bundle path", path), ("bundle SHA-256", sha),
                        ("predicate type", predicate)):
        if value is None:
            raise InputError(f"{where}: OMS {prefix} without its {what}")
    ser_method = first(props.get(f"{p}serialization:method"), "files")
    if ser_method not in ("files", "shards"):
        raise InputError(f"{where}: unknown serialization method {ser_method!r}")
    serialization = Serialization(
        method=ser_method,
        hash_type=first(props.get(f"{p}serialization:hash-type"), "sha256"),
        allow_symlinks=props.flag(f"{p}serialization:allow-symlinks", False),
        shard_size=props.integer(f"{p}serialization:shard-size"),
        ignore_paths=props.all(f"{p}serialization:ignore-path"),
    )
    signer = SignerFacts(
        method=method,  # type: ignore[arg-type]
        chain_fingerprints=props.all(f"{p}chain-sha256"),
        **{attr: props.get(f"{p}{suffix}") for suffix, attr in _SIGNER_FIELDS},
    )
    entries = []
    for n, fields in props.indexed(f"{p}log:").items():
        name = f"{p}log:{n}"
        missing = [k for k in _LOG_REQUIRED if k not in fields]
        if missing:
            raise InputError(f"{where}: {name} lacks {', '.join(missing)}")
        entries.append(LogEntry(
            log_index=props.to_int(f"{name}:log-index", fields["log-index"]),
            log_id=fields["log-id"],
            integrated_time=props.to_int(f"{name}:integrated-time", fields["integrated-time"]),
            kind=fields["kind"],
            version=fields["version"],
            entry_uuid=fields.get("entry-uuid"),
            has_inclusion_proof=props.to_bool(f"{name}:inclusion-proof",
                                              fields["inclusion-proof"]),
        ))
    return SignatureEvidence(bundle_path=path, bundle_sha256=sha, predicate_type=predicate,
                             root_digest=props.get(f"{p}root-digest"),
                             serialization=serialization, signer=signer,
                             log_entries=tuple(entries),
                             statement_sha256=props.get(f"{p}statement-sha256"))


# --- card facts -------------------------------------------------------------------------


def encode_card(card: CardFacts, is_model: bool,
                datasets: list[str]) -> tuple[list[tuple[str, str]], dict[str, Any] | None]:
    """Properties and, for models, the modelCard. description and tags are written by the
    caller (component fields); `datasets` are the refs of the datasets the model used."""
    c = cc.P_CARD
    props = [(f"{c}{name}", value) for name, value in (
        ("library", card.library),
        ("dtype", card.dtype),
        ("parameters", None if card.parameters is None else str(card.parameters)),
        ("quantization", card.quantization),
    ) if value is not None]
    props += [(f"{c}language", x) for x in card.languages]
    props += [(f"{cc.P_FACT}{k}", v) for k, v in card.properties]
    if not is_model:  # modelCard is for models only: everything else as properties
        props += [(f"{c}{name}", value) for name, value in (
            ("pipeline-tag", card.pipeline_tag), ("model-type", card.model_type),
        ) if value is not None]
        props += [(f"{c}architecture", x) for x in card.architectures]
        for n, m in enumerate(card.metrics):
            props += _metric_props(n, type=m.type, value=m.value, dataset=m.dataset,
                                   name=m.name, task=m.task)
        return props, None

    params: dict[str, Any] = {}
    if card.pipeline_tag is not None:
        params["task"] = card.pipeline_tag
    if card.model_type is not None:
        params["architectureFamily"] = card.model_type
    if card.architectures:
        params["modelArchitecture"] = card.architectures[0]
        props += [(f"{c}architecture", x) for x in card.architectures[1:]]
    if datasets:
        params["datasets"] = [{"ref": r} for r in datasets]
    io = cc.TASK_IO.get(card.pipeline_tag or "")
    if io is not None:  # derived from the task, as cdxgen does; not read back
        params["inputs"], params["outputs"] = [{"format": io[0]}], [{"format": io[1]}]
    model_card: dict[str, Any] = {"modelParameters": params} if params else {}
    metrics = []
    for n, m in enumerate(card.metrics):
        entry = {"type": m.type, "value": m.value}
        if m.dataset is not None:
            entry["slice"] = m.dataset
        metrics.append(entry)
        props += _metric_props(n, name=m.name, task=m.task)
    if metrics:
        model_card["quantitativeAnalysis"] = {"performanceMetrics": metrics}
    return props, model_card or None


def _metric_props(n: int, **fields: str | None) -> list[tuple[str, str]]:
    return [(f"{cc.P_METRIC}{n}:{k}", v) for k, v in fields.items() if v is not None]


def decode_card(raw: dict[str, Any], props: Props, where: str, is_model: bool) -> CardFacts:
    mc = sub_dict(raw, "modelCard", where) if is_model else {}
    params = sub_dict(mc, "modelParameters", f"{where}.modelCard")
    qa = sub_dict(mc, "quantitativeAnalysis", f"{where}.modelCard")
    w = f"{where}.modelCard.modelParameters"
    c = cc.P_CARD

    architectures = props.all(f"{c}architecture")
    head = opt_str(params, "modelArchitecture", w)
    if head is not None:
        architectures = (head, *architectures)

    metrics = []
    perf = as_list(qa.get("performanceMetrics"),
                   f"{where}.modelCard.quantitativeAnalysis.performanceMetrics")
    extra = props.indexed(cc.P_METRIC)
    for n in range(max([len(perf), *[k + 1 for k in extra]])):
        wn = f"{where}.modelCard.quantitativeAnalysis.performanceMetrics[{n}]"
        pm = as_dict(perf[n], wn) if n < len(perf) else {}
        more = extra.get(n, {})
        type_ = first(more.get("type"), opt_str(pm, "type", wn))
        value = first(more.get("value"), opt_str(pm, "value", wn))
        if type_ is None or value is None:
            continue  # a metric without type or value says nothing
        metrics.append(Metric(type=type_, value=value, name=more.get("name"),
                              dataset=first(more.get("dataset"), opt_str(pm, "slice", wn)),
                              task=more.get("task")))

    # cdxgen's names are read when aibom's are absent (foreign documents)
    card_props = Props(mc.get("properties"), f"{where}.modelCard")
    languages = props.all(f"{c}language") or card_props.all("cdx:huggingface:language") \
        or props.all("cdx:huggingface:language")
    parameters = props.integer(f"{c}parameters")
    count = props.get("cdx:ai:parameterCount")
    if parameters is None and count is not None and count.isdigit() and len(count) < 30:
        parameters = int(count)
    tags = tuple(as_str(t, f"{where}.tags[{i}]")
                 for i, t in enumerate(as_list(raw.get("tags"), f"{where}.tags")))
    return CardFacts(
        description=opt_str(raw, "description", where),
        pipeline_tag=first(props.get(f"{c}pipeline-tag"), opt_str(params, "task", w)),
        library=first(props.get(f"{c}library"), props.get("cdx:huggingface:libraryName")),
        architectures=architectures,
        model_type=first(props.get(f"{c}model-type"), opt_str(params, "architectureFamily", w)),
        dtype=props.get(f"{c}dtype"),
        parameters=parameters,
        quantization=first(props.get(f"{c}quantization"), props.get("cdx:ai:quantization")),
        languages=languages,
        tags=tags,
        metrics=tuple(metrics),
        properties=tuple(props.prefixed(cc.P_FACT)),
    )
