"""Where a model or dataset lives: a plain directory (or file), or a snapshot of the Hugging
Face hub cache named by path or by an `hf:` reference.

    source = resolve_source("hf:org/tiny-base@main")
    source.path      # <cache>/models--org--tiny-base/snapshots/<commit>
    source.name      # "org/tiny-base"; source.revision is the commit, source.refs ("main",)

Every command that takes a model or dataset directory takes an `hf:` reference too; it is
resolved in the local cache only. Nothing is ever written into a cache (`refuse_cache_write`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aibom.sources.hub_cache import HubRepo, Snapshot, find_snapshot, hub_cache_dir, snapshot_at
    from aibom.sources.reference import DATASET, MODEL, HubReference, is_reference, parse_reference
    from aibom.sources.resolve import (
        ModelSource,
        location_of,
        refuse_cache_write,
        resolve_location,
        resolve_source,
    )

__all__ = [
    "DATASET",
    "MODEL",
    "HubReference",
    "HubRepo",
    "ModelSource",
    "Snapshot",
    "find_snapshot",
    "hub_cache_dir",
    "is_reference",
    "location_of",
    "parse_reference",
    "refuse_cache_write",
    "resolve_location",
    "resolve_source",
    "snapshot_at",
]

# name -> its module, imported on first use: the tree walk (aibom.sources.containment) loads
# this package without the cache and reference parsing it does not need
_LAZY = {
    "DATASET": "aibom.sources.reference",
    "MODEL": "aibom.sources.reference",
    "HubReference": "aibom.sources.reference",
    "HubRepo": "aibom.sources.hub_cache",
    "ModelSource": "aibom.sources.resolve",
    "Snapshot": "aibom.sources.hub_cache",
    "find_snapshot": "aibom.sources.hub_cache",
    "hub_cache_dir": "aibom.sources.hub_cache",
    "is_reference": "aibom.sources.reference",
    "location_of": "aibom.sources.resolve",
    "parse_reference": "aibom.sources.reference",
    "refuse_cache_write": "aibom.sources.resolve",
    "resolve_location": "aibom.sources.resolve",
    "resolve_source": "aibom.sources.resolve",
    "snapshot_at": "aibom.sources.hub_cache",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
