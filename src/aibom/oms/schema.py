"""The OMS v1.0 JSON schemas shipped in schemas/oms (Apache-2.0, see schemas/oms/LICENSE)."""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from aibom.errors import InputError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"


def schema_path(*parts: str) -> Path:
    return SCHEMA_DIR.joinpath(*parts)


# Optional modules jsonschema imports only to check "format" keywords. The OMS schemas use
# none, and one of them (rfc3987_syntax) compiles a grammar at import: about 3 s here.
_FORMAT_MODULES = (
    "rfc3987_syntax",
    "rfc3987",
    "rfc3986_validator",
    "rfc3339_validator",
    "fqdn",
    "idna",
    "uri_template",
    "isoduration",
    "jsonpointer",
    "webcolors",
)


def _import_jsonschema() -> Any:
    """Import jsonschema without its format-checking extras (if it is not imported yet)."""
    blocked = [m for m in _FORMAT_MODULES if m not in sys.modules]
    if "jsonschema" in sys.modules:
        blocked = []
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import jsonschema
    finally:
        for name in blocked:
            del sys.modules[name]
    return jsonschema


@cache
def _validators() -> dict[str, Any]:
    jsonschema = _import_jsonschema()
    from referencing import Registry, Resource

    schemas = {}
    for name in ("bundle", "envelope", "statement", "predicate"):
        schemas[name] = json.loads(schema_path("oms", f"{name}.schema.json").read_text())
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    return {
        name: jsonschema.Draft202012Validator(s, registry=registry) for name, s in schemas.items()
    }


def check(kind: str, document: Any, source: str) -> None:
    """Raise InputError naming the first schema violation (deepest path first)."""
    validator = _validators()[kind]  # imports jsonschema first, the light way
    from jsonschema.exceptions import best_match

    err = best_match(validator.iter_errors(document))
    if err is None:
        return
    while err.context:  # oneOf/anyOf: name the branch that came closest
        err = best_match(err.context)
    where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
    message = err.message if len(err.message) <= 160 else f"fails its '{err.validator}' rule"
    raise InputError(f"{source} does not match the OMS {kind} schema at {where}: {message}")
