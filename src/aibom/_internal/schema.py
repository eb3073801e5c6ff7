"""JSON Schema checking whose verdicts never depend on which optional packages are installed.

jsonschema checks a `format` keyword only when a helper package happens to be importable
(date-time needs rfc3339-validator, iri-reference rfc3987-syntax...); without it the check
silently passes. format_checker() registers every format aibom's schemas use with a checker of our
own or of a declared dependency, and tests/internal/test_schema.py fails when a schema gains
a format that is not covered.
"""

from __future__ import annotations

import copy
import re
import sys
from datetime import date
from functools import cache, lru_cache
from typing import Any

__all__ = [
    "format_checker",
    "import_jsonschema",
    "is_date_time", "is_iri_reference", "is_uri"]

# Optional modules jsonschema imports at start-up only to check "format" keywords; one of
# them (rfc3987_syntax) compiles a grammar at import: about 3 s. FORMATS does not need them.
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


def import_jsonschema() -> Any:
    """Import jsonschema without its format-checking extras (if it is not imported yet)."""
    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    blocked = [m for m in _FORMAT_MODULES if m not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        import jsonschema
    finally:
        for name in blocked:
            del sys.modules[name]
    return jsonschema


# RFC 3339 section 5.6 date-time (JSON Schema's "date-time"): full-date "T" full-time.
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?"
    r"(?:[Zz]|[+-](\d{2}):(\d{2}))",
    re.ASCII,
)


def is_date_time(instance: object) -> bool:
    """RFC 3339 date-time: real calendar date, hours 00-23, leap second 60 allowed."""
    if not isinstance(instance, str):
        return True
    match = _DATE_TIME.fullmatch(instance)
    if match is None:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        date(year, month, day)
    except ValueError:
        return False
    off_h, off_m = (int(g) if g else 0 for g in match.groups()[6:])
    return hour <= 23 and minute <= 59 and second <= 60 and off_h <= 23 and off_m <= 59


# A strict subset of RFC 3987 IRI-references: http(s) URLs with a plain host, and relative
# paths, made of unreserved and sub-delim characters and valid percent escapes. Whatever
# matches is valid; whatever does not goes to the full (slow, Earley-parsed) check.
_PCT = r"%[0-9A-Fa-f]{2}"
_CH = r"[A-Za-z0-9._~!$&'()*+,;=-]"
_SEG = rf"(?:{_CH}|[:@]|{_PCT})*"
_QF = rf"(?:{_CH}|[:@/?]|{_PCT})*"
PLAIN_IRI = re.compile(
    rf"(?:https?://[A-Za-z0-9.-]+(?::[0-9]{{1,5}})?(?:/{_SEG})*"
    rf"|(?:{_CH}|@|{_PCT})+(?:/{_SEG})*)"
    rf"(?:\?{_QF})?(?:#{_QF})?"
)


@lru_cache(maxsize=1 << 16)
def _rfc3987(rule: str, instance: str) -> bool:
    from rfc3987_syntax import is_valid_syntax  # type: ignore[import-untyped]  # declared

    return bool(is_valid_syntax(rule, instance))


def is_iri_reference(instance: object) -> bool:
    """RFC 3987 IRI-reference (a fast pattern settles the common cases)."""
    if not isinstance(instance, str) or PLAIN_IRI.fullmatch(instance):
        return True
    return _rfc3987("iri_reference", instance)


def is_uri(instance: object) -> bool:
    """RFC 3986 URI: an absolute IRI made of ASCII characters only."""
    if not isinstance(instance, str):
        return True
    return instance.isascii() and _rfc3987("iri", instance)


@cache
def format_checker() -> Any:
    """jsonschema's Draft 7 checker (its built-in checks need no extra package) with
    date-time, iri-reference, iri and uri always checked."""
    jsonschema = import_jsonschema()
    checker = copy.copy(jsonschema.Draft7Validator.FORMAT_CHECKER)
    checker.checkers = dict(checker.checkers)
    checker.checkers["date-time"] = (is_date_time, ())
    checker.checkers["iri-reference"] = (is_iri_reference, ())
    checker.checkers["iri"] = (lambda v: not isinstance(v, str) or _rfc3987("iri", v), ())
    checker.checkers["uri"] = (is_uri, ())
    return checker
