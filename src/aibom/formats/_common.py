"""Plumbing every format shares: reading untrusted JSON (one size cap, one depth limit),
CycloneDX hashes and IRIs, Hugging Face URLs. The `aibom:` names are in `vocabulary`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from aibom._internal.schema import format_checker, import_jsonschema, is_iri_reference
from aibom.graph import Component, Kind

SPEC_VERSIONS = ("1.6", "1.7")

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


def distinct_ids(ids: Iterable[str], separator: str) -> list[str]:
    """`ids` in order, each one an earlier item already took made distinct by appending
    `separator` and its position (two files whose names map to one id)."""
    out: list[str] = []
    used: set[str] = set()
    for index, given in enumerate(ids):
        unique = f"{given}{separator}{index}" if given in used else given
        used.add(unique)
        out.append(unique)
    return out


def is_sha256_hex(value: str) -> bool:
    return cdx_hash("sha256", value) is not None


_SAFE_KEEP = "/:@!$&()*+,;=?#%"
_SAFE_STRICT = "/:@!$&()*+,;="

def strict_validator(schema_version: Any) -> Any:
    """The jsonschema validator inside cyclonedx-python-lib's JsonStrictValidator (its schema
    and registry) with aibom's format checker, fast on many file components
    (`_fast_schema`); the library's own if that ever moves."""
    import_jsonschema()  # before the library imports it: without the slow format extras
    from cyclonedx.validation.json import JsonStrictValidator

    library = JsonStrictValidator(schema_version)
    inner = getattr(library, "_validator", None)
    if inner is not None and hasattr(inner, "evolve"):
        from aibom.formats._fast_schema import fast_validator

        return fast_validator(inner.evolve(format_checker=format_checker()))

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
        if is_iri_reference(candidate):
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


def download_url(c: Component) -> str | None:
    """The Hugging Face Hub page of a component known by its Hub id, else None (no
    assertion): from a pkg:huggingface purl, or for a dataset from an `org/name` name."""
    dataset = c.kind == Kind.DATASET
    if c.purl is not None or not dataset:
        return hf_url(c.purl, dataset=dataset)
    parts = c.name.split("/")
    if len(parts) != 2 or not all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", p) for p in parts):
        return None
    url = f"{HF_BASE}/datasets/{c.name}"
    if c.version and re.fullmatch(r"[A-Za-z0-9._-]+", c.version):
        url += f"/tree/{c.version}"
    return url
