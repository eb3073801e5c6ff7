"""spdx-python-model's JSON-LD decoder made strict for untrusted input: a value of the wrong
JSON type is refused instead of dropped, and every failure is one InputError line."""

from __future__ import annotations

import re
from typing import Any

from spdx_python_model import v3_0_1 as spdx

from aibom._internal.text import one_line
from aibom.errors import InputError

# The decoder and its state are not in spdx-python-model's type stubs.
_JSONLDDecoder: Any = spdx.JSONLDDecoder  # type: ignore[attr-defined]
_DecodeState: Any = spdx.DecodeState


class _StrictDecoder(_JSONLDDecoder):  # type: ignore[misc]
    """spdx-python-model's JSON-LD decoder, refusing a value of the wrong JSON type instead
    of dropping it silently."""

    def _want(self, kind: type | tuple[type, ...], what: str) -> Any:
        if not isinstance(self.data, kind) or (kind is int and isinstance(self.data, bool)):
            raise TypeError(f"expected {what}, got {_show(self.data)}")
        return self.data

    def read_string(self) -> str | None:
        return self._want(str, "a string")  # type: ignore[no-any-return]

    def read_integer(self) -> int | None:
        return self._want(int, "an integer")  # type: ignore[no-any-return]

    def read_bool(self) -> bool | None:
        return self._want(bool, "true or false")  # type: ignore[no-any-return]

    def read_float(self) -> float | None:
        return float(self._want((int, float), "a number"))

    def read_iri(self) -> str | None:
        return self._want(str, "an IRI")  # type: ignore[no-any-return]

    def read_enum(self, e: Any) -> str | None:
        return self._want(str, "a vocabulary name")  # type: ignore[no-any-return]

    def read_object(self) -> tuple[Any, Any]:
        self._want(dict, "an object")
        found: tuple[Any, Any] = super().read_object()
        return found


def _show(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'...' if len(text) > 40 else ''}"


def decode_objects(data: dict[str, Any], source: str) -> Any:
    objects = spdx.SHACLObjectSet()
    root = _StrictDecoder(data, True)
    try:
        with root.read_property("@context") as context:
            if context is not None:
                spdx.decode_context(context, objects)
        with root.read_property("@graph") as items:
            objects.decode(items, _DecodeState(objects))
    except (
        TypeError,
        ValueError,
        KeyError,
        AttributeError,
        IndexError,
        OverflowError,
        NotImplementedError,  # an abstract class named as type
    ) as exc:
        message = str(exc.args[0] if isinstance(exc, KeyError) and exc.args else exc)
        message = re.sub(r" \(\d+\)", "", message)  # spdx-python-model prints object ids
        raise InputError(f"{source}: invalid SPDX 3.0.1 JSON-LD: {one_line(message)}") from None
    except RecursionError:
        raise InputError(f"{source}: SPDX 3 objects nested too deeply") from None
    return objects
