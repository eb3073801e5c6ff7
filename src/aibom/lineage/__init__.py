"""Verifiable lineage: signed lineage attestations, adoption of upstream models, pickle scans."""

# How a model derives from its parents, as a lineage attestation names it.
RELATIONS = ("finetune", "adapter", "quantized", "merge", "distill")
