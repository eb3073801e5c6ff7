"""Verifiable lineage: signed lineage attestations, adoption of upstream models, pickle scans."""
