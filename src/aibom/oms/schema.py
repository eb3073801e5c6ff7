"""The OMS v1.0 JSON schemas shipped in schemas/oms (Apache-2.0, see schemas/oms/LICENSE)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from aibom._internal.schema import format_checker, import_jsonschema
from aibom.errors import InputError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


def schema_path(*parts: str) -> Path:
    return SCHEMA_DIR.joinpath(*parts)


@cache
def _registry() -> Any:
    from referencing import Registry, Resource

    import_jsonschema()
    schemas = [
        json.loads(schema_path("oms", f"{name}.schema.json").read_text())
        for name in ("bundle", "envelope", "statement", "predicate")
    ]
    return Registry().with_resources((s["$id"], Resource.from_contents(s)) for s in schemas)


@cache
def validator_for(relative_path: str) -> Any:
    """A Draft 2020-12 validator for a schema under schemas/ (OMS references resolve)."""
    jsonschema = import_jsonschema()
    schema = json.loads(schema_path(*relative_path.split("/")).read_text())
    return jsonschema.Draft202012Validator(
        schema, registry=_registry(), format_checker=format_checker()
    )


def check_against(relative_path: str, document: Any, source: str, label: str) -> None:
    """Raise InputError naming the first violation (the closest branch of a oneOf/anyOf)."""
    validator = validator_for(relative_path)  # imports jsonschema first, the light way
    from jsonschema.exceptions import best_match

    try:
        err = best_match(validator.iter_errors(document))
    except RecursionError:  # jsonschema recurses (and repr()s) along the document's depth
        raise InputError(f"{source} is nested too deeply") from None
    if err is None:
        return
    while err.context:
        err = best_match(err.context)
    where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
    message = err.message if len(err.message) <= 160 else f"fails its '{err.validator}' rule"
    raise InputError(f"{source} does not match the {label} schema at {where}: {message}")


def check(kind: str, document: Any, source: str) -> None:
    check_against(f"oms/{kind}.schema.json", document, source, f"OMS {kind}")
