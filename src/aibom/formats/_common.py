"""Plumbing every format shares: reading untrusted JSON (one size cap, one depth limit),
CycloneDX hashes and IRIs, Hugging Face URLs. The `aibom:` names are in `vocabulary`."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from aibom.errors import InputError
from aibom.jsontext import has_lone_surrogate

SPEC_VERSIONS = ("1.6", "1.7")
MAX_BYTES = 64 * 1024 * 1024  # untrusted documents larger than this are refused
MAX_DEPTH = 64  # JSON nesting, every format: real AIBOMs stay far below

ML_TYPE = "machine-learning-model"
DATA_TYPE = "data"
FILE_TYPE = "file"

# OMS hash type -> (CycloneDX hash alg, hex length of the digest)
HASH_ALGS = {"sha256": ("SHA-256", 64), "blake2b": ("BLAKE2b-512", 128), "blake3": ("BLAKE3", 64)}
HASH_ALGS_BACK = {cdx: oms for oms, (cdx, _) in HASH_ALGS.items()}
_HEX = re.compile(r"[0-9a-f]+")

# Hugging Face pipeline tag -> (input format, output format); derived, never read back.
TASK_IO = {
    "automatic-speech-recognition": ("audio", "text"),
    "feature-extraction": ("text", "vector"),
    "fill-mask": ("text", "text"),
    "image-classification": ("image", "text"),
    "image-segmentation": ("image", "image"),
    "image-text-to-text": ("image", "text"),
    "image-to-image": ("image", "image"),
    "image-to-text": ("image", "text"),
    "question-answering": ("text", "text"),
    "sentence-similarity": ("text", "vector"),
    "summarization": ("text", "text"),
    "text-classification": ("text", "text"),
    "text-generation": ("text", "text"),
    "text-to-audio": ("text", "audio"),
    "text-to-image": ("text", "image"),
    "text-to-speech": ("text", "audio"),
    "text2text-generation": ("text", "text"),
    "token-classification": ("text", "text"),
    "translation": ("text", "text"),
    "zero-shot-classification": ("text", "text"),
}

HF_BASE = "https://huggingface.co"


def cdx_hash(algorithm: str, digest: str) -> tuple[str, str] | None:
    """(alg, content) for a CycloneDX hash, or None when it would not read back identically."""
    known = HASH_ALGS.get(algorithm)
    if known is None or len(digest) != known[1] or not _HEX.fullmatch(digest):
        return None
    return known[0], digest


def is_sha256_hex(value: str) -> bool:
    return cdx_hash("sha256", value) is not None


_SAFE_KEEP = "/:@!$&()*+,;=?#%"
_SAFE_STRICT = "/:@!$&()*+,;="

# A strict subset of RFC 3987 IRI-references: http(s) URLs with a plain host, and relative
# paths, made of unreserved and sub-delim characters and valid percent escapes. Whatever
# matches is valid; whatever does not goes to the full (slow, Earley-parsed) check.
_PCT = r"%[0-9A-Fa-f]{2}"
_CH = r"[A-Za-z0-9._~!$&'()*+,;=-]"
_SEG = rf"(?:{_CH}|[:@]|{_PCT})*"
_QF = rf"(?:{_CH}|[:@/?]|{_PCT})*"
_PLAIN_IRI = re.compile(
    rf"(?:https?://[A-Za-z0-9.-]+(?::[0-9]{{1,5}})?(?:/{_SEG})*"
    rf"|(?:{_CH}|@|{_PCT})+(?:/{_SEG})*)"
    rf"(?:\?{_QF})?(?:#{_QF})?"
)


def _format_checker() -> Any:
    """jsonschema's Draft 7 format checker with a fast, memoized iri-reference check: the
    same verdicts, without parsing the same URL with an Earley parser again and again."""
    import copy
    from functools import lru_cache

    from jsonschema import Draft7Validator

    checker = copy.copy(Draft7Validator.FORMAT_CHECKER)
    checker.checkers = dict(checker.checkers)
    # jsonschema registers iri-reference only when rfc3987_syntax was importable when it was
    # imported (aibom imports jsonschema without it: it costs seconds of start-up). Then the
    # parser is loaded here lazily, and only for an IRI the fast pattern does not settle.
    slow, raises = checker.checkers.get("iri-reference", (_lazy_iri_reference, ValueError))
    slow_cached = lru_cache(maxsize=1 << 16)(slow)

    def iri_reference(instance: object) -> bool:
        if not isinstance(instance, str) or _PLAIN_IRI.fullmatch(instance):
            return True
        return bool(slow_cached(instance))

    checker.checkers["iri-reference"] = (iri_reference, raises)
    return checker


def _lazy_iri_reference(instance: str) -> bool:
    try:
        from rfc3987_syntax import is_valid_syntax
    except ImportError:  # no IRI parser installed: jsonschema itself would not check either
        return True
    return bool(is_valid_syntax("iri_reference", instance))


FORMATS = _format_checker()


def strict_validator(schema_version: Any) -> Any:
    """The jsonschema validator inside cyclonedx-python-lib's JsonStrictValidator (its schema
    and registry), with FORMATS as format checker; the library's own if that ever moves."""
    from cyclonedx.validation.json import JsonStrictValidator

    library = JsonStrictValidator(schema_version)
    inner = getattr(library, "_validator", None)
    if hasattr(inner, "evolve"):
        from aibom.formats._unique_items import with_linear_unique_items

        return with_linear_unique_items(inner.evolve(format_checker=FORMATS))

    class _Adapter:
        def iter_errors(self, instance: Any) -> Any:
            error = library.validate_str(json.dumps(instance))
            return iter(() if error is None else (error.data,))

    return _Adapter()


def iri(value: str) -> str | None:
    """`value` as a CycloneDX url (format iri-reference), percent-encoded if it must be;
    None when no form of it validates. The caller keeps the exact text elsewhere whenever
    the result differs from `value`."""
    from cyclonedx.exception.model import InvalidUriException
    from cyclonedx.model import XsUri

    for candidate in (value, quote(value, safe=_SAFE_KEEP), quote(value, safe=_SAFE_STRICT)):
        if not candidate:
            continue
        try:
            if str(XsUri(candidate)) != candidate:
                continue
        except InvalidUriException:
            continue
        if FORMATS.conforms(candidate, "iri-reference"):
            return candidate
    return None


def hf_url(purl: str | None, dataset: bool) -> str | None:
    """The Hugging Face Hub page a `pkg:huggingface/...` purl names (derived, never read back)."""
    if not purl or not purl.startswith("pkg:huggingface/"):
        return None
    from packageurl import PackageURL

    try:
        p = PackageURL.from_string(purl)
    except ValueError:
        return None
    qualifiers = p.qualifiers if isinstance(p.qualifiers, dict) else {}
    base = qualifiers.get("repository_url")
    if not base:
        base = f"{HF_BASE}/datasets" if dataset else HF_BASE
    if not base.startswith("https://"):
        return None
    path = "/".join(s for s in (p.namespace, p.name) if s)
    url = f"{base.rstrip('/')}/{path}"
    if p.version:
        url += f"/tree/{p.version}"
    return url if iri(url) == url else None


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- reading untrusted JSON -------------------------------------------------------------


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_json(text: str | bytes, source: str) -> Any:
    """Parse a document of unknown origin: bounded size and depth, no duplicate keys."""
    if isinstance(text, bytes | bytearray):
        if len(text) > MAX_BYTES:
            raise InputError(f"{source}: {len(text)} bytes is over the {MAX_BYTES} byte limit")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    elif isinstance(text, str):
        if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise InputError(f"{source}: document is over the {MAX_BYTES} byte limit")
    else:
        raise InputError(f"{source}: expected JSON text, got {type(text).__name__}")
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except RecursionError:
        raise InputError(f"{source}: JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}: not valid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})"
        ) from None
    except ValueError as exc:
        raise InputError(f"{source}: not valid JSON: {one_line(str(exc))}") from None
    check_depth(data, source)
    if has_lone_surrogate(text, data):
        raise InputError(f"{source}: a lone UTF-16 surrogate escape (not valid Unicode)")
    return data


def check_depth(data: Any, source: str) -> None:
    """InputError when containers nest deeper than MAX_DEPTH; one level at a time."""
    level = [data] if isinstance(data, dict | list) else []
    depth = 1
    while level:
        if depth > MAX_DEPTH:
            raise InputError(f"{source}: JSON nested deeper than {MAX_DEPTH} levels")
        below: list[Any] = []
        for node in level:
            values = node.values() if isinstance(node, dict) else node
            below += [v for v in values if isinstance(v, dict | list)]
        level, depth = below, depth + 1
