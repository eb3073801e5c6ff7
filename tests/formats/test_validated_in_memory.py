"""The CycloneDX exporter validates the document it holds in memory, not the text parsed
back: that is sound only while the in-memory document is plain JSON (dicts, lists, strings,
numbers, booleans, null) equal to what the text says. Checked for every spec version on the
test graphs, with and without an organisation."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.graphs import family, small

from aibom.formats import cyclonedx_export
from aibom.formats._cdx_files import FileComponents
from aibom.formats.cyclonedx_export import export_cyclonedx
from aibom.formats.identity import Organization

# FileComponents is a list that only adds a faster writer (jsonschema sees a list)
PLAIN = (dict, list, FileComponents, str, int, float, bool, type(None))


def _plain(node: Any) -> bool:
    if type(node) not in PLAIN:
        return False
    if isinstance(node, dict):
        return all(type(k) is str and _plain(v) for k, v in node.items())
    if isinstance(node, list):
        return all(_plain(v) for v in node)
    return True


@pytest.mark.parametrize("version", ["1.6", "1.7"])
@pytest.mark.parametrize("graph", [family, small], ids=["family", "small"])
@pytest.mark.parametrize("organization", [None, Organization("Acme ML", url="https://acme.example")])
def test_the_validated_document_is_the_written_one(
    version: str,
    graph: Any,
    organization: Organization | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Any] = []
    real = cyclonedx_export._validator

    class Spy:
        def __init__(self, validator: Any) -> None:
            self.validator = validator

        def iter_errors(self, instance: Any) -> Any:
            seen.append(instance)
            return self.validator.iter_errors(instance)

    monkeypatch.setattr(cyclonedx_export, "_validator", lambda v: Spy(real(v)))
    text = export_cyclonedx(graph(), spec_version=version, organization=organization)
    assert len(seen) == 1
    assert _plain(seen[0])
    assert seen[0] == json.loads(text)
