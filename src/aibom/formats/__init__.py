"""Document formats aibom writes and reads: CycloneDX (AIBOM)."""

from aibom.formats.cyclonedx import export_cyclonedx, import_cyclonedx, validate_cyclonedx

__all__ = ["export_cyclonedx", "import_cyclonedx", "validate_cyclonedx"]
