"""Model card (README.md): the metadata a Hugging Face model repository declares about itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom.evidence._fields import Fields, looks_like_local_path, scalar_text
from aibom.evidence._front_matter import read_front_matter
from aibom.graph import Derivation

# The base_model_relation words Hugging Face model cards use (the table is aibom.graph.Derivation).
RELATIONS = tuple(word.value for word in Derivation.card_words())
DESCRIPTION_LIMIT = 500
MAX_EVAL_RESULTS = 5_000


@dataclass(frozen=True)
class EvalResult:
    """One metric of one result in the card's `model-index`."""

    model: str | None
    task_type: str | None
    task_name: str | None
    dataset_type: str | None
    dataset_name: str | None
    dataset_config: str | None
    dataset_split: str | None
    metric_type: str | None
    metric_name: str | None
    metric_value: int | float | str | None
    verified: bool | None
    source_name: str | None
    source_url: str | None


@dataclass(frozen=True)
class ModelCard:
    name: str
    has_front_matter: bool
    base_model: tuple[str, ...] = ()
    base_model_relation: str | None = None
    # "card" when the key says so, "tag" when only a base_model:<relation>:<id> tag does
    relation_source: str | None = None
    datasets: tuple[str, ...] = ()
    license: str | None = None
    license_name: str | None = None
    license_link: str | None = None
    pipeline_tag: str | None = None
    language: tuple[str, ...] = ()
    library_name: str | None = None
    tags: tuple[str, ...] = ()
    model_name: str | None = None
    metrics: tuple[str, ...] = ()
    eval_results: tuple[EvalResult, ...] = ()
    description: str | None = None
    warnings: tuple[str, ...] = ()


def read_model_card(root: Path, name: str = "README.md") -> ModelCard:
    front = read_front_matter(root, name)
    warnings = list(front.warnings)
    f = Fields(name, front.data, warnings)

    base_model = _base_models(f)
    relation, source = _relation(f, base_model)
    license_ = f.string("license")
    if license_ is None and "licence" in front.data:
        f.warn("key 'licence' is not the card field 'license'; ignored")
    license_name = f.string("license_name")
    if license_ == "other" and license_name is None:
        f.warn("license is 'other' but no license_name is given")

    return ModelCard(
        name=name,
        has_front_matter=front.present,
        base_model=base_model,
        base_model_relation=relation,
        relation_source=source,
        datasets=f.strings("datasets"),
        license=license_,
        license_name=license_name,
        license_link=f.string("license_link"),
        pipeline_tag=f.string("pipeline_tag"),
        language=f.strings("language"),
        library_name=f.string("library_name"),
        tags=f.strings("tags"),
        model_name=f.string("model_name"),
        metrics=f.strings("metrics"),
        eval_results=parse_model_index(f),
        description=first_paragraph(front.body),
        warnings=tuple(warnings),
    )


def _base_models(f: Fields) -> tuple[str, ...]:
    models = f.strings("base_model")
    for model in models:
        if looks_like_local_path(model):
            f.warn(f"base_model {model!r} is a local path, not a Hub model id")
    return models


def _relation(f: Fields, base_model: tuple[str, ...]) -> tuple[str | None, str | None]:
    relation = f.string("base_model_relation")
    source = "card"
    if relation is not None and relation not in RELATIONS:
        f.warn(f"base_model_relation {relation!r} is not one of {', '.join(RELATIONS)}; ignored")
        relation = None
    if relation is None:
        relation, source = _relation_from_tags(f), "tag"
    if relation is None:
        return None, None
    if relation != Derivation.MERGE and len(base_model) > 1:
        f.warn(f"base_model_relation {relation!r} names {len(base_model)} base models")
    return relation, source


def _relation_from_tags(f: Fields) -> str | None:
    tags = f.data.get("tags")
    if not isinstance(tags, list):
        return None
    found = {
        tag.split(":")[1]
        for tag in tags
        if isinstance(tag, str) and tag.startswith("base_model:") and tag.count(":") >= 2
    }
    found &= set(RELATIONS)
    return found.pop() if len(found) == 1 else None


def parse_model_index(f: Fields) -> tuple[EvalResult, ...]:
    index = f.data.get("model-index")
    if index is None:
        return ()
    if not isinstance(index, list):
        f.wrong_type("model-index", index, "a list")
        return ()
    results: list[EvalResult] = []
    skipped = 0
    for entry in index:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("results", []), list):
            skipped += 1
            continue
        model = scalar_text(entry.get("name"))
        for result in entry.get("results") or []:
            rows = _result_rows(model, result)
            if rows is None:
                skipped += 1
                continue
            results.extend(rows)
            if len(results) >= MAX_EVAL_RESULTS:
                f.warn(f"model-index has more than {MAX_EVAL_RESULTS} metrics; the rest ignored")
                return tuple(results[:MAX_EVAL_RESULTS])
    if skipped:
        f.warn(f"model-index: {skipped} entry(ies) malformed; skipped")
    return tuple(results)


def _result_rows(model: str | None, result: Any) -> list[EvalResult] | None:
    if not isinstance(result, Mapping):
        return None
    task = _sub(result, "task")
    dataset = _sub(result, "dataset")
    source = _sub(result, "source")
    metrics = result.get("metrics")
    if task is None or dataset is None or source is None or not isinstance(metrics, list):
        return None
    rows = []
    for metric in metrics:
        if not isinstance(metric, Mapping):
            return None
        verified = metric.get("verified")
        rows.append(
            EvalResult(
                model=model,
                task_type=scalar_text(task.get("type")),
                task_name=scalar_text(task.get("name")),
                dataset_type=scalar_text(dataset.get("type")),
                dataset_name=scalar_text(dataset.get("name")),
                dataset_config=scalar_text(dataset.get("config")),
                dataset_split=scalar_text(dataset.get("split")),
                metric_type=scalar_text(metric.get("type")),
                metric_name=scalar_text(metric.get("name")),
                metric_value=_metric_value(metric.get("value")),
                verified=verified if isinstance(verified, bool) else None,
                source_name=scalar_text(source.get("name")),
                source_url=scalar_text(source.get("url")),
            )
        )
    return rows


def _sub(result: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
    """A nested mapping of a result; absent is an empty mapping, a wrong type is None."""
    value = result.get(key)
    if value is None:
        return {}
    return value if isinstance(value, Mapping) else None


def _metric_value(value: object) -> int | float | str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return value
    return scalar_text(value, 200)


def first_paragraph(body: str, limit: int = DESCRIPTION_LIMIT) -> str | None:
    """First prose paragraph of a markdown body (no headings, lists, tables, code, HTML, badges)."""
    lines: list[str] = []
    in_fence = False
    for raw in _without_html_comments(body).split("\n")[:5000]:
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
            if lines:
                break
            continue
        if in_fence or not line or _not_prose(line):
            if lines:
                break
            continue
        lines.append(line)
    text = " ".join(" ".join(lines).split())
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_NOT_PROSE = ("#", "|", "<", "!", "[!", ">", "- ", "* ", "+ ", "===", "---", "***", "___")


def _not_prose(line: str) -> bool:
    if line.startswith(_NOT_PROSE):
        return True
    marker = line.partition(" ")[0]
    if len(marker) > 1 and marker[-1] in ".)" and marker[:-1].isdigit():
        return True
    return line.lower() in {"[more information needed]", "more information needed"}


def _without_html_comments(text: str) -> str:
    # Hand-rolled rather than a regex: many unclosed "<!--" must not make this quadratic.
    out: list[str] = []
    pos = 0
    while True:
        start = text.find("<!--", pos)
        if start < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:start])
        end = text.find("-->", start + 4)
        if end < 0:
            return "".join(out)
        pos = end + 3


__all__ = ["RELATIONS", "EvalResult", "ModelCard", "first_paragraph", "read_model_card"]
