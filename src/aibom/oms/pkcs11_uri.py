"""RFC 7512 `pkcs11:` URIs: which module, which token, which key, and the PIN.

    pkcs11:token=aibom;object=signer?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=1234

Path attributes are separated by `;`, query attributes by `&`; values are percent-encoded.
Only `id` may hold binary data. Vendor attributes (`x-...`) are accepted and ignored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote_to_bytes, urlsplit

from aibom.errors import InputError

PATH_ATTRIBUTES = frozenset(
    {
        "token",
        "manufacturer",
        "serial",
        "model",
        "library-manufacturer",
        "library-description",
        "library-version",
        "slot-manufacturer",
        "slot-description",
        "slot-id",
        "object",
        "type",
        "id",
    }
)
QUERY_ATTRIBUTES = frozenset({"pin-source", "pin-value", "module-name", "module-path"})
OBJECT_TYPES = frozenset({"public", "private", "cert", "secret-key", "data"})
MAX_PIN_FILE = 4096


@dataclass(frozen=True)
class Pkcs11Uri:
    """A parsed URI; text attributes decoded as UTF-8, `id` kept as bytes."""

    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    key_id: bytes | None = None

    @property
    def label(self) -> str | None:
        return self.path.get("object")

    @property
    def slot_id(self) -> int | None:
        value = self.path.get("slot-id")
        return int(value) if value is not None else None

    def token_filter(self) -> dict[str, str]:
        """Token attributes the URI names (CK_TOKEN_INFO fields), to select a slot."""
        names = ("token", "manufacturer", "serial", "model")
        return {n: self.path[n] for n in names if n in self.path}

    def pin(self) -> str | None:
        """pin-value, or the first line of the file pin-source names (file: URI or path)."""
        if "pin-value" in self.query:
            return self.query["pin-value"]
        source = self.query.get("pin-source")
        if source is None:
            return None
        parts = urlsplit(source)
        if parts.scheme not in ("", "file"):
            raise InputError(f"pkcs11 URI: pin-source scheme {parts.scheme!r} is not supported")
        path = Path(unquote_to_bytes(parts.path).decode("utf-8", "replace"))
        if not path.is_absolute():
            raise InputError(f"pkcs11 URI: pin-source {path} is not an absolute path")
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_PIN_FILE)
        except OSError as exc:
            raise InputError(f"pkcs11 URI: cannot read pin-source {path}: {exc.strerror}") from None
        return data.decode("utf-8", "replace").splitlines()[0] if data.strip() else ""


def parse_pkcs11_uri(uri: str) -> Pkcs11Uri:
    """Parse and validate; raises InputError naming what is wrong."""
    if not uri.startswith("pkcs11:"):
        raise InputError(f"not a pkcs11 URI (it must start with 'pkcs11:'): {uri[:60]!r}")
    body = uri[len("pkcs11:") :]
    path_part, _, query_part = body.partition("?")
    path = _attributes(path_part, ";", PATH_ATTRIBUTES, "path")
    query = _attributes(query_part, "&", QUERY_ATTRIBUTES, "query")
    key_id = path.pop("id", None)
    text = {k: _text(k, v) for k, v in path.items()}
    query_text = {k: _text(k, v) for k, v in query.items()}
    _validate(text, query_text)
    return Pkcs11Uri(text, query_text, key_id)


def _attributes(part: str, sep: str, known: frozenset[str], where: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for item in part.split(sep) if part else []:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise InputError(f"pkcs11 URI: malformed {where} attribute {item!r}")
        if name not in known and not name.startswith("x-"):
            raise InputError(f"pkcs11 URI: unknown {where} attribute {name!r}")
        if name in found:
            raise InputError(f"pkcs11 URI: {name!r} is given twice")
        if not name.startswith("x-"):
            found[name] = unquote_to_bytes(value)
    return found


def _text(name: str, value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"pkcs11 URI: {name} is not UTF-8 text") from None


def _validate(path: dict[str, str], query: dict[str, str]) -> None:
    if "slot-id" in path and not path["slot-id"].isdigit():
        raise InputError(f"pkcs11 URI: slot-id must be a number, not {path['slot-id']!r}")
    if "type" in path and path["type"] not in OBJECT_TYPES:
        raise InputError(f"pkcs11 URI: unknown object type {path['type']!r}")
    if "type" in path and path["type"] != "private":
        raise InputError("pkcs11 URI: signing needs type=private (or no type)")
    if "pin-value" in query and "pin-source" in query:
        raise InputError("pkcs11 URI: give pin-value or pin-source, not both")
    module = query.get("module-path")
    if module is not None and not os.path.isabs(module):
        raise InputError(f"pkcs11 URI: module-path {module} is not an absolute path")
