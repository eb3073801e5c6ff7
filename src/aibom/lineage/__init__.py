"""Verifiable lineage: signed lineage attestations, adoption of upstream models, pickle scans."""

from aibom.graph import Derivation

# How a model derives from its parents, as a lineage attestation names it.
RELATIONS = tuple(word.value for word in Derivation)
