"""Evidence readers: facts from Hugging Face-style model and dataset directories.

Every reader works offline, reads only inside the directory it is given, bounds what it
reads, and never raises on malformed content: results carry a tuple of one-line warnings.
The one exception is a file name or symlink that leads outside the directory, which raises
aibom.errors.InputError.
"""

from aibom.evidence.dataset import (
    DataFiles,
    DatasetCard,
    DatasetConfig,
    DatasetInfo,
    DatasetInfoFile,
    DatasetSplit,
    LlamaFactoryDataset,
    read_dataset_card,
    read_dataset_info,
)
from aibom.evidence.directory import (
    DatasetEvidence,
    ModelEvidence,
    looks_like_dataset,
    read_dataset_dir,
    read_model_dir,
)
from aibom.evidence.gguf import FILE_TYPES, GgufBaseModel, GgufHeader, read_gguf_header
from aibom.evidence.hf_config import (
    GenerationConfig,
    HfConfig,
    Quantization,
    QuantizeConfig,
    TokenizerConfig,
    read_config,
    read_generation_config,
    read_quantize_config,
    read_tokenizer_config,
)
from aibom.evidence.lfs import LfsPointer, parse_lfs_pointer
from aibom.evidence.model_card import EvalResult, ModelCard, read_model_card
from aibom.evidence.peft import AdapterConfig, read_adapter_config
from aibom.evidence.safetensors import (
    SafetensorsHeader,
    SafetensorsIndex,
    Shard,
    read_safetensors_header,
    read_safetensors_index,
)

__all__ = [
    "FILE_TYPES",
    "AdapterConfig",
    "DataFiles",
    "DatasetCard",
    "DatasetConfig",
    "DatasetEvidence",
    "DatasetInfo",
    "DatasetInfoFile",
    "DatasetSplit",
    "EvalResult",
    "GenerationConfig",
    "GgufBaseModel",
    "GgufHeader",
    "HfConfig",
    "LfsPointer",
    "LlamaFactoryDataset",
    "ModelCard",
    "ModelEvidence",
    "Quantization",
    "QuantizeConfig",
    "SafetensorsHeader",
    "SafetensorsIndex",
    "Shard",
    "TokenizerConfig",
    "looks_like_dataset",
    "parse_lfs_pointer",
    "read_adapter_config",
    "read_config",
    "read_dataset_card",
    "read_dataset_dir",
    "read_dataset_info",
    "read_generation_config",
    "read_gguf_header",
    "read_model_card",
    "read_model_dir",
    "read_quantize_config",
    "read_safetensors_header",
    "read_safetensors_index",
    "read_tokenizer_config",
]
