"""`aibom scan`: find what model files would run when loaded, without loading them.

Pickles (plain, torch.save zip and legacy, joblib with its raw arrays and compressions,
numpy .npy/.npz, pandas), Keras configs (.keras, .h5), GGUF chat templates, ONNX external
data and safetensors headers. Nothing is ever unpickled, imported or loaded.
"""

from aibom.scan.engine import scan_file, scan_model, scan_paths
from aibom.scan.result import (
    SCANNER,
    SCANNER_VERSION,
    FileScan,
    Finding,
    ScanReport,
    Severity,
    Verdict,
)

__all__ = [
    "SCANNER",
    "SCANNER_VERSION",
    "FileScan",
    "Finding",
    "ScanReport",
    "Severity",
    "Verdict",
    "scan_file",
    "scan_model",
    "scan_paths",
]
