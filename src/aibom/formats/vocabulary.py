"""The `aibom:` vocabulary: every property name aibom writes into CycloneDX properties, SPDX 3
`extension_CdxPropertiesExtension` entries and SPDX 2.3 annotations, with its encoders and
decoders. One place, three formats: a fact a format has no field for is written here, under
the same name in every format, and read back by the same decoder.

    Props(pairs, where)                       one element's pairs, read with one rule: a
                                              single-valued name given twice is refused
    signature_props / decode_signature        SignatureEvidence <-> aibom:<prefix>:...
    card_props / decode_card                  CardFacts <-> aibom:card:... and aibom:fact:...
    component_props                           the component facts no format has a field for

The names are listed with their meaning in docs/mapping-cyclonedx.md and docs/mapping-spdx.md.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from aibom.errors import InputError
from aibom.graph import (
    CardFacts,
    Component,
    Metric,
    ProvenanceGraph,
    ScanResult,
    SignatureEvidence,
)
from aibom.oms.model import LogEntry, Serialization, SignerFacts

NS = "aibom:"
P_KIND = "aibom:kind"
P_ROLE = "aibom:role"  # derived from the graph, not read back
P_LOCAL = "aibom:local"
P_LOCATION = "aibom:location"  # the component's directory, relative to the document
P_WARNING = "aibom:warning"
P_ROOT_DIGEST = "aibom:oms:root-digest"
P_LICENSE = "aibom:license"  # only when the written license differs from the graph's text
P_LICENSE_URL = "aibom:license-url"  # only when the URL cannot be written as an IRI as is
P_REF = "aibom:ref"  # the component's graph ref (CycloneDX: on pedigree ancestors)
P_FILE_ALG = "aibom:file:algorithm"  # on files whose digest the format has no hash for
P_FILE_DIGEST = "aibom:file:digest"
P_FILE = "aibom:file"  # SPDX 2.3 annotations: "<algorithm>:<digest> <name>"
P_EDGE = "aibom:edge:"  # CycloneDX: aibom:edge:<n>:relation|parent|level|evidence
P_EDGE_RELATION = "aibom:edge:relation"  # SPDX: on the relationship itself
P_EDGE_LEVEL = "aibom:edge:level"
P_EDGE_EVIDENCE = "aibom:edge:evidence"
P_CARD = "aibom:card:"  # aibom:card:library|dtype|parameters|quantization|language|...
P_TAG = "aibom:card:tag"
P_METRIC = "aibom:card:metric:"  # aibom:card:metric:<n>:type|value|dataset|name|task
P_FACT = "aibom:fact:"  # aibom:fact:<key> = value, CardFacts.properties
P_VERSION_SOURCE = "aibom:version-source"  # where an exported version came from (identity.Source)
P_PURL_SOURCE = "aibom:purl-source"  # where an exported purl came from; not graph: not read back
P_SUPPLIER_SOURCE = "aibom:supplier-source"  # derived, never read back
P_DERIVED = "aibom:derived"  # "true" on an element restating graph facts for other tools
P_SCAN = "aibom:scan:"  # aibom:scan:scanner|version|verdict, aibom:scan:finding (repeated)
SCAN_VERDICTS = ("clean", "dangerous", "incomplete")
SIGNATURE = "signature"  # aibom:signature:... the OMS model signature
ATTESTATION = "attestation"  # aibom:attestation:... the signed lineage attestation

_METRIC_KEYS = ("type", "value", "dataset", "name", "task")
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
_INT = re.compile(r"-?[0-9]{1,30}")


def bool_text(value: bool) -> str:
    """A boolean as the vocabulary writes it."""
    return "true" if value else "false"


def sort_pairs(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """By name only, stable: values of a repeated name keep their order (it carries meaning)."""
    return sorted(pairs, key=lambda p: p[0])


class Props:
    """The name/value pairs of one element, in document order.

    One rule for every format: a name read with `get` (single-valued) must not be given
    twice; names read with `all` are lists and keep their order."""

    def __init__(self, items: Iterable[tuple[str, str]], where: str) -> None:
        self.where = where
        self.items: list[tuple[str, str]] = list(items)
        self._by_name: dict[str, list[str]] | None = None  # built on the first lookup
        self._indexed_items = -1
        self._names: list[tuple[str, int]] | None = None  # by name, built on first use

    def get(self, name: str) -> str | None:
        """The one value of `name`, or None; InputError when it is given more than once."""
        values = self._index().get(name)
        if values is None:
            return None
        if len(values) > 1:
            raise InputError(f"{self.where}: {name} is given {len(values)} times")
        return values[0]

    def need(self, name: str) -> str:
        """The one value of `name`; InputError when it is missing."""
        value = self.get(name)
        if value is None:
            raise InputError(f"{self.where}: {name} is missing")
        return value

    def all(self, name: str) -> tuple[str, ...]:
        """Every value of `name`, in document order."""
        return tuple(self._index().get(name, ()))

    def _index(self) -> dict[str, list[str]]:
        """name -> values: one pass for all lookups, so a component with many properties
        is read in linear time, not one scan per name asked for."""
        if self._by_name is None or self._indexed_items != len(self.items):
            by_name: dict[str, list[str]] = {}
            for n, v in self.items:
                by_name.setdefault(n, []).append(v)
            self._by_name, self._indexed_items = by_name, len(self.items)
        return self._by_name

    def has_prefix(self, prefix: str) -> bool:
        """Whether any name starts with `prefix`."""
        names = self._sorted()
        at = bisect_left(names, (prefix,))
        return at < len(names) and names[at][0].startswith(prefix)

    def prefixed(self, prefix: str) -> list[tuple[str, str]]:
        """(rest of the name, value) of every name starting with `prefix`, in order."""
        names = self._sorted()
        at, positions = bisect_left(names, (prefix,)), []
        while at < len(names) and names[at][0].startswith(prefix):
            positions.append(names[at][1])
            at += 1
        positions.sort()
        return [(self.items[i][0][len(prefix) :], self.items[i][1]) for i in positions]

    def _sorted(self) -> list[tuple[str, int]]:
        """(name, position) by name: the names under a prefix are one run of this list,
        found by bisection (decoding asks about a dozen prefixes of every element)."""
        if self._names is None or len(self._names) != len(self.items):
            self._names = sorted((n, i) for i, (n, _) in enumerate(self.items))
        return self._names

    def indexed(self, prefix: str) -> dict[int, dict[str, str]]:
        """`<prefix><n>:<key>` -> {n: {key: value}}, by n; a key given twice is refused."""
        out: dict[int, dict[str, str]] = {}
        for rest, value in self.prefixed(prefix):
            index, sep, key = rest.partition(":")
            if not sep or not re.fullmatch(r"[0-9]{1,6}", index):
                raise InputError(f"{self.where}: malformed property name {prefix}{rest!r}")
            slot = out.setdefault(int(index), {})
            if key in slot:
                raise InputError(f"{self.where}: {prefix}{rest} is given twice")
            slot[key] = value
        return dict(sorted(out.items()))

    def flag(self, name: str, default: bool) -> bool:
        """A true/false property; `default` when absent."""
        return self.to_bool(name, self.get(name), default)

    def to_bool(self, name: str, value: str | None, default: bool = False) -> bool:
        """`value` (of property `name`) as a boolean."""
        if value is None:
            return default
        if value not in ("true", "false"):
            raise InputError(f"{self.where}: {name} must be true or false, not {value!r}")
        return value == "true"

    def integer(self, name: str) -> int | None:
        """An integer property, or None when absent."""
        value = self.get(name)
        return None if value is None else self.to_int(name, value)

    def to_int(self, name: str, value: str) -> int:
        """`value` (of property `name`) as a decimal integer."""
        if not _INT.fullmatch(value):
            raise InputError(f"{self.where}: {name} must be an integer, not {value!r}")
        return int(value)


# --- the component ----------------------------------------------------------------------


def component_props(graph: ProvenanceGraph, c: Component, *,
                    with_ref: bool = True) -> list[tuple[str, str]]:
    """The component facts no format has a field for (not card, signature or license)."""
    props = [(P_REF, c.ref)] if with_ref else []
    props += [
        (P_KIND, c.kind.value),
        (P_ROLE, graph.role(c.ref).value),
        (P_LOCAL, bool_text(c.local)),
    ]
    props += [(P_WARNING, w) for w in c.warnings]
    if c.location is not None:
        props.append((P_LOCATION, c.location))
    return props + scan_props(c.scan)


def scan_props(scan: ScanResult | None) -> list[tuple[str, str]]:
    """A recorded `aibom scan` result as aibom:scan:... pairs (none when not scanned)."""
    if scan is None:
        return []
    props = [(f"{P_SCAN}scanner", scan.scanner), (f"{P_SCAN}version", scan.version),
             (f"{P_SCAN}verdict", scan.verdict)]  # fmt: skip
    return props + [(f"{P_SCAN}finding", name) for name in scan.findings]


def decode_scan(props: Props) -> ScanResult | None:
    """The aibom:scan:... pairs back into a ScanResult; None when the component has none."""
    if not props.has_prefix(P_SCAN):
        return None
    verdict = props.need(f"{P_SCAN}verdict")
    if verdict not in SCAN_VERDICTS:
        raise InputError(f"{props.where}: unknown {P_SCAN}verdict {verdict!r}")
    return ScanResult(
        scanner=props.need(f"{P_SCAN}scanner"),
        version=props.need(f"{P_SCAN}version"),
        verdict=verdict,
        findings=props.all(f"{P_SCAN}finding"),
    )


# --- OMS signature / lineage attestation ------------------------------------------------


def signature_props(prefix: str, sig: SignatureEvidence, *, location: bool = True,
                    bundle_path: bool = True, bundle_sha256: bool = True,
                    ) -> list[tuple[str, str]]:
    """Every fact of a SignatureEvidence as aibom:<prefix>:... pairs. A format that writes the
    bundle's path or SHA-256 in a field of its own leaves that pair out."""
    p = f"{NS}{prefix}:"
    signer, ser = sig.signer, sig.serialization
    props: list[tuple[str, str]] = []
    if location and bundle_path:
        props.append((f"{p}bundle-path", sig.bundle_path))
    if location and bundle_sha256:
        props.append((f"{p}bundle-sha256", sig.bundle_sha256))
    props += [
        (f"{p}method", signer.method),
        (f"{p}predicate-type", sig.predicate_type),
        (f"{p}serialization:method", ser.method),
        (f"{p}serialization:hash-type", ser.hash_type),
        (f"{p}serialization:allow-symlinks", bool_text(ser.allow_symlinks)),
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
    for n, entry in enumerate(sig.log_entries):
        q = f"{p}log:{n}:"
        props += [
            (f"{q}log-index", str(entry.log_index)),
            (f"{q}log-id", entry.log_id),
            (f"{q}integrated-time", str(entry.integrated_time)),
            (f"{q}kind", entry.kind),
            (f"{q}version", entry.version),
            (f"{q}inclusion-proof", bool_text(entry.has_inclusion_proof)),
        ]
        if entry.entry_uuid is not None:
            props.append((f"{q}entry-uuid", entry.entry_uuid))
    return props


def decode_signature(props: Props, prefix: str, *, bundle_path: str | None = None,
                     bundle_sha256: str | None = None) -> SignatureEvidence | None:
    """The SignatureEvidence of aibom:<prefix>:... pairs (None when there are none); the
    format passes the bundle's path and SHA-256 it read from its own fields, if any."""
    p = f"{NS}{prefix}:"
    if not props.has_prefix(p):
        return None
    where = props.where
    method = props.need(f"{p}method")
    if method not in ("key", "certificate", "sigstore"):
        raise InputError(f"{where}: {p}method {method!r} is not key, certificate or sigstore")
    path = props.get(f"{p}bundle-path") or bundle_path
    sha = props.get(f"{p}bundle-sha256") or bundle_sha256
    predicate = props.get(f"{p}predicate-type")
    for what, value in (("bundle path", path), ("bundle SHA-256", sha),
                        ("predicate type", predicate)):
        if value is None:
            raise InputError(f"{where}: OMS {prefix} without its {what}")
    ser_method = props.get(f"{p}serialization:method") or "files"
    if ser_method not in ("files", "shards"):
        raise InputError(f"{where}: {p}serialization:method {ser_method!r} is unknown")
    serialization = Serialization(
        method=ser_method,  # type: ignore[arg-type]
        hash_type=props.get(f"{p}serialization:hash-type") or "sha256",
        allow_symlinks=props.flag(f"{p}serialization:allow-symlinks", False),
        shard_size=props.integer(f"{p}serialization:shard-size"),
        ignore_paths=props.all(f"{p}serialization:ignore-path"),
    )
    signer = SignerFacts(
        method=method,  # type: ignore[arg-type]
        chain_fingerprints=props.all(f"{p}chain-sha256"),
        **{attr: props.get(f"{p}{suffix}") for suffix, attr in _SIGNER_FIELDS},
    )
    return SignatureEvidence(bundle_path=path, bundle_sha256=sha,  # type: ignore[arg-type]
                             predicate_type=predicate,  # type: ignore[arg-type]
                             root_digest=props.get(f"{p}root-digest"),
                             serialization=serialization, signer=signer,
                             log_entries=_log_entries(props, f"{p}log:"),
                             statement_sha256=props.get(f"{p}statement-sha256"))


def _log_entries(props: Props, prefix: str) -> tuple[LogEntry, ...]:
    entries: list[LogEntry] = []
    for n, fields in props.indexed(prefix).items():
        name = f"{prefix}{n}"
        if n != len(entries):
            raise InputError(f"{props.where}: {name} is not the next log entry")
        missing = [k for k in _LOG_REQUIRED if k not in fields]
        if missing:
            raise InputError(f"{props.where}: {name} lacks {', '.join(missing)}")
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
    return tuple(entries)


# --- card facts -------------------------------------------------------------------------


@dataclass(frozen=True)
class CardFields:
    """Which card facts a format writes into fields of its own (the rest become aibom:
    pairs): the format's layout for one kind of element."""

    pipeline_tag: bool = False
    model_type: bool = False
    first_architecture: bool = False
    metric_values: bool = False  # a metric's type and value
    metric_dataset: bool = False
    tags: bool = False
    facts: frozenset[str] = field(default_factory=frozenset)  # CardFacts.properties keys


def card_props(card: CardFacts, fields: CardFields) -> list[tuple[str, str]]:
    """The aibom:card / aibom:fact pairs of a card, leaving out what `fields` names."""
    props = [(f"{P_CARD}{name}", value) for name, value in (
        ("library", card.library),
        ("dtype", card.dtype),
        ("parameters", None if card.parameters is None else str(card.parameters)),
        ("quantization", card.quantization),
        ("pipeline-tag", None if fields.pipeline_tag else card.pipeline_tag),
        ("model-type", None if fields.model_type else card.model_type),
    ) if value is not None]
    architectures = card.architectures[1:] if fields.first_architecture else card.architectures
    props += [(f"{P_CARD}architecture", x) for x in architectures]
    props += [(f"{P_CARD}language", x) for x in card.languages]
    if not fields.tags:
        props += [(P_TAG, x) for x in card.tags]
    for n, m in enumerate(card.metrics):
        values = {"type": m.type, "value": m.value, "dataset": m.dataset, "name": m.name,
                  "task": m.task}
        if fields.metric_values:
            del values["type"], values["value"]
        if fields.metric_dataset:
            del values["dataset"]
        props += [(f"{P_METRIC}{n}:{k}", v) for k, v in values.items() if v is not None]
    props += [(f"{P_FACT}{k}", v) for k, v in card.properties if k not in fields.facts]
    return props


MetricFields = tuple[str | None, str | None, str | None]  # type, value, dataset


def decode_card(props: Props, written: CardFacts,
                metrics: Sequence[MetricFields] = ()) -> CardFacts:
    """A card from aibom: pairs completing what the format read from its own fields
    (`written`, whose first architecture heads the list, and the metrics' type, value and
    dataset). An aibom: pair wins over a field."""
    c = P_CARD
    architectures = props.all(f"{c}architecture")
    if written.architectures:
        architectures = (written.architectures[0], *architectures)
    facts = [*props.prefixed(P_FACT), *written.properties]
    parameters = props.integer(f"{c}parameters")
    return CardFacts(
        description=written.description,
        pipeline_tag=_first(props.get(f"{c}pipeline-tag"), written.pipeline_tag),
        library=_first(props.get(f"{c}library"), written.library),
        architectures=architectures,
        model_type=_first(props.get(f"{c}model-type"), written.model_type),
        dtype=_first(props.get(f"{c}dtype"), written.dtype),
        parameters=parameters if parameters is not None else written.parameters,
        quantization=_first(props.get(f"{c}quantization"), written.quantization),
        languages=props.all(f"{c}language") or written.languages,
        tags=props.all(P_TAG) or written.tags,
        metrics=_metrics(props, metrics),
        properties=tuple(sorted(facts, key=lambda kv: kv[0])),
    )


def _first(*values: str | None) -> str | None:
    return next((v for v in values if v is not None), None)


def _metrics(props: Props, base: Sequence[MetricFields]) -> tuple[Metric, ...]:
    """The format's metrics completed by aibom:card:metric:<n>:*, or built from them; a
    metric without type or value says nothing and is left out."""
    extra = props.indexed(P_METRIC)
    for n, fields in extra.items():
        unknown = sorted(set(fields) - set(_METRIC_KEYS))
        if unknown:
            raise InputError(f"{props.where}: unknown property {P_METRIC}{n}:{unknown[0]}")
    out = []
    for n in range(max([len(base), *[k + 1 for k in extra]])):
        had = base[n] if n < len(base) else (None, None, None)
        more = extra.get(n, {})
        type_ = _first(more.get("type"), had[0])
        value = _first(more.get("value"), had[1])
        if type_ is None or value is None:
            continue
        out.append(Metric(type=type_, value=value, name=more.get("name"),
                          dataset=_first(more.get("dataset"), had[2]),
                          task=more.get("task")))
    return tuple(out)
