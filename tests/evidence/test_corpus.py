"""Every file of the real-world corpus in ../shared goes through its reader.

The corpus (shared/vectors/hf-metadata, see its SOURCES.md) is third-party metadata kept
beside the repository, never copied into it. Values asserted here are taken from the files.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.shared import VECTORS

from aibom.evidence import (
    looks_like_dataset,
    read_adapter_config,
    read_config,
    read_dataset_card,
    read_dataset_dir,
    read_dataset_info,
    read_generation_config,
    read_model_card,
    read_model_dir,
    read_quantize_config,
    read_safetensors_header,
    read_safetensors_index,
    read_tokenizer_config,
)

CORPUS = VECTORS / "hf-metadata"  # collected at import time, so not through shared_path

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"real-world corpus not found at {CORPUS} (shared/ beside the repo)"
)


def corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    found = (p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    return sorted(p.relative_to(CORPUS).as_posix() for p in found)


FILES = corpus_files()

# Files whose content is malformed or odd enough that the reader must say so.
HUB_FIXTURES = "model-cards/huggingface_hub-test-fixtures"
EXPECTED_WARNINGS = {
    "model-cards/hub-docs-spec/modelcard.md": "front matter is not valid YAML",
    f"{HUB_FIXTURES}/sample_invalid_card_data.md": "front matter is a list",
    "model-cards/dnlp-mistral-7b-v0.3-lora/README.md": "is a local path",
    "model-cards/dnlp-qwen2.5-7b-lora/README.md": "key 'licence' is not the card field",
    "model-cards/ninfer-qwen3.6-35b-a3b/README.md": "'quantized' names 2 base models",
    "adapter-configs/dnlp-mistral-7b-v0.3-lora/adapter_config.json": "is a local path",
    "adapter-configs/qwythos-9b-math-sft/adapter_config.json": "is a local path",
    "safetensors-index/2prymmal-yi1.5-6b-slerp/model-00001-of-00003.safetensors": "Git LFS pointer",
    "dataset-cards/hub-docs-spec/datasetcard.md": "front matter is not valid YAML",
    "dataset-cards/hf-dataset-card-analysis/GEM_indonlg.md": "legacy key 'licenses'",
    "dataset-cards/hf-dataset-card-analysis/bigbio_bc5cdr.md": "license is 'other' but no",
}


def reader_for(relative: str) -> Callable[[Path, str], Any]:
    kind, name = relative.split("/", 1)[0], relative.rsplit("/", 1)[-1]
    if kind == "model-cards":
        return read_model_card
    if kind == "dataset-cards":
        return read_dataset_card
    if kind == "dataset-info":
        return read_dataset_info
    if kind == "adapter-configs":
        return read_adapter_config
    if kind == "generation-configs":
        return read_generation_config
    if kind == "tokenizer-configs":
        return read_tokenizer_config
    if kind == "configs":
        return read_quantize_config if name == "quantize_config.json" else read_config
    if kind == "safetensors-index":
        return read_safetensors_index if name.endswith(".index.json") else read_safetensors_header
    raise AssertionError(f"no reader for corpus kind {kind!r} ({relative})")


def read(relative: str) -> Any:
    path = CORPUS / relative
    return reader_for(relative)(path.parent, path.name)


def test_sources_table_matches_the_files() -> None:
    table = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([^`]+)` \| [^|]+/[^|]+ \|", table, flags=re.MULTILINE))
    assert listed == set(FILES)


@pytest.mark.parametrize("relative", FILES)
def test_every_file_is_read_without_crashing(relative: str) -> None:
    result = read(relative)
    assert result.name == relative.rsplit("/", 1)[-1]
    assert all(isinstance(w, str) and "\n" not in w and len(w) < 400 for w in result.warnings)
    expected = EXPECTED_WARNINGS.get(relative)
    if expected is None:
        assert result.warnings == ()
    else:
        assert any(expected in w for w in result.warnings), result.warnings


@pytest.mark.parametrize("folder", sorted({f.rsplit("/", 1)[0] for f in FILES}))
def test_every_folder_is_read_as_a_directory(folder: str) -> None:
    evidence = read_model_dir(CORPUS / folder)
    assert evidence.files
    if looks_like_dataset(CORPUS / folder):
        assert read_dataset_dir(CORPUS / folder).files == evidence.files


def test_model_card_base_models_and_relations() -> None:
    ninfer = read("model-cards/ninfer-qwen3.6-35b-a3b/README.md")
    assert ninfer.base_model == ("Qwen/Qwen3.6-35B-A3B", "z-lab/Qwen3.6-35B-A3B-DFlash")
    assert (ninfer.base_model_relation, ninfer.relation_source) == ("quantized", "card")
    assert ninfer.library_name == "ninfer"
    assert [r.dataset_name for r in ninfer.eval_results] == [
        "AIME 2025",
        "AIME 2026",
        "GPQA-Diamond",
    ]
    assert ninfer.eval_results[2].metric_value == 85.35
    assert ninfer.eval_results[0].source_name == "NInfer EvalScope 1.9.0"

    cosmos = read("model-cards/cosmos-reason2-8b/README.md")
    assert cosmos.base_model == ("Qwen/Qwen3-VL-8B-Instruct",)

    absa = read("model-cards/absa-slerp-v-shape-merge/README.md")
    assert absa.base_model == ()  # `base_model: []`
    assert absa.tags == ("mergekit", "merge")

    szl = read("model-cards/szl-triage-qwen3.5-0.8b-lora/HF_MODEL_CARD_README.md")
    assert (szl.base_model, szl.base_model_relation) == (("Qwen/Qwen3.5-0.8B",), "adapter")
    assert (szl.library_name, szl.language) == ("peft", ("en",))

    dnlp = read("model-cards/dnlp-qwen2.5-7b-lora/README.md")
    assert (dnlp.base_model_relation, dnlp.relation_source) == ("adapter", "tag")
    assert (dnlp.license, dnlp.model_name) == (None, "Qwen2.5-7B-LoRA")

    mistral = read("model-cards/dnlp-mistral-7b-v0.3-lora/README.md")
    assert mistral.base_model == ("D:\\projects\\nlp\\Mistral\\Mistral-7B-v0.3",)

    bh = read("model-cards/bh-sentinel-roberta-large-mnli-int8-onnx/README.md")
    assert (bh.base_model, bh.base_model_relation) == (
        ("FacebookAI/roberta-large-mnli",),
        "quantized",
    )
    assert (bh.license, bh.license_link, bh.datasets) == ("mit", "LICENSE", ("multi_nli",))

    gguf_card = read("model-cards/qwen-research-assistant-gguf/HF_MODEL_CARD.md")
    assert gguf_card.base_model == ("Qwen/Qwen2.5-0.5B-Instruct",)
    assert gguf_card.model_name == "Qwen Research Assistant"
    assert "gguf" in gguf_card.tags


def test_model_card_licenses() -> None:
    medgemma = read("model-cards/medgemma-27b-it/README.md")
    assert (medgemma.license, medgemma.license_name) == ("other", "health-ai-developer-foundations")
    assert (
        medgemma.license_link
        == "https://developers.google.com/health-ai-developer-foundations/terms"
    )
    assert (medgemma.language, medgemma.base_model) == (("en",), ("google/gemma-3-27b-pt",))
    assert medgemma.pipeline_tag == "image-text-to-text"

    cosmos = read("model-cards/cosmos-reason2-8b/README.md")
    assert (cosmos.license, cosmos.license_name) == ("other", "nvidia-open-model-license")
    assert cosmos.license_link == (  # a folded scalar in the file
        "https://www.nvidia.com/en-us/agreements/enterprise-software/nvidia-open-model-license"
    )
    assert read("model-cards/vehicle-title-t5-small/README.md").license == "cc-by-nc-4.0"
    windows = read(f"{HUB_FIXTURES}/sample_windows_line_breaks.md")
    assert (windows.license, windows.language) == ("mit", ("eo",))


def test_model_index_quirks() -> None:
    granite = read("model-cards/granite-3b-code-instruct-128k/README.md")
    assert len(granite.datasets) == 9
    assert "glaive-function-calling-v2" in granite.datasets
    assert granite.base_model == ()
    assert len(granite.eval_results) == 9
    first = granite.eval_results[0]
    assert (first.dataset_type, first.dataset_name) == (
        "bigcode/humanevalpack",
        "HumanEvalSynthesis (Python)",
    )
    assert (first.metric_type, first.metric_value) == ("pass@1", 53.7)
    assert granite.eval_results[-1].metric_type == "pass@1 (thresh=0.5)"

    gte = read("model-cards/gte-base-en-v1.5/README.md")
    assert len(gte.eval_results) == 990
    datasets = {
        (r.dataset_type, r.dataset_name, r.dataset_config, r.dataset_split)
        for r in gte.eval_results
    }
    assert len(datasets) == 68
    assert gte.eval_results[0].dataset_type == "mteb/amazon_counterfactual"
    assert gte.eval_results[0].metric_value == pytest.approx(74.7910447761194)

    vehicle = read("model-cards/vehicle-title-t5-small/README.md")
    assert vehicle.datasets == ("private",)
    assert [r.metric_name for r in vehicle.eval_results] == [
        "Exact Match",
        "Year Accuracy",
        "Make Accuracy",
        "Model Accuracy",
    ]
    assert {r.dataset_name for r in vehicle.eval_results} == {None}


def test_cards_that_break_naive_parsers() -> None:
    ggml = read("model-cards/llama-2-7b-chat-ggml/README.md")
    assert ggml.has_front_matter
    assert ggml.description == "From: https://huggingface.co/meta-llama/Llama-2-7b-chat-hf"
    no_meta = read(f"{HUB_FIXTURES}/sample_no_metadata.md")
    assert no_meta.has_front_matter is False
    assert no_meta.description.startswith("In this example, we don't have any metadata")
    spec = read("model-cards/hub-docs-spec/modelcard.md")
    assert (spec.license, spec.base_model, spec.eval_results) == (None, (), ())


def test_configs() -> None:
    yi = read("configs/2prymmal-yi1.5-6b-slerp/config.json")
    assert (yi.architectures, yi.model_type) == (("LlamaForCausalLM",), "llama")
    assert (yi.name_or_path, yi.torch_dtype, yi.vocab_size) == (
        "01-ai/Yi-1.5-6B-Chat",
        "bfloat16",
        64000,
    )

    gte = read("configs/gte-base-en-v1.5/config.json")
    assert gte.model_type == "new"
    assert ("AutoConfig", "Alibaba-NLP/new-impl--configuration.NewConfig") in gte.auto_map

    medgemma = read("configs/medgemma-27b-it/config.json")
    assert medgemma.sub_configs == (
        ("text_config", "gemma3_text"),
        ("vision_config", "siglip_vision_model"),
    )
    assert medgemma.architectures == ("Gemma3ForConditionalGeneration",)

    molmo = read("configs/molmo-7b-d-nf4-quant/config.json")
    assert (molmo.quantization.method, molmo.quantization.bits) == ("bitsandbytes", 4)
    assert molmo.quantization.details["bnb_4bit_quant_type"] == "nf4"
    assert "_load_in_4bit" not in molmo.quantization.details

    gpt2 = read("configs/truthx-gpt2/config.json")
    assert (gpt2.model_type, gpt2.vocab_size, gpt2.hidden_size, gpt2.transformers_version) == (
        "gpt2",
        50260,
        768,
        None,
    )
    assert read("configs/vehicle-title-t5-small/config.json").torch_dtype == "float32"  # `dtype`
    assert read("configs/devstral-small-2507/config.json").architectures == ("MistralForCausalLM",)
    assert read("configs/all-MiniLM-L6-v2/config.json").hidden_size == 384

    wizard = read("configs/wizardcoder-15b-1.0-gptq/config.json")
    assert (wizard.model_type, wizard.quantization) == ("gpt_bigcode", None)
    legacy = read("configs/wizardcoder-15b-1.0-gptq/quantize_config.json").quantization
    assert (legacy.method, legacy.bits, legacy.details["group_size"]) == ("gptq", 4, 128)
    assert read_model_dir(CORPUS / "configs/wizardcoder-15b-1.0-gptq").quantization.bits == 4


def test_generation_and_tokenizer_configs() -> None:
    medgemma = read("generation-configs/medgemma-27b-it/generation_config.json")
    assert (medgemma.eos_token_ids, medgemma.transformers_version) == ((1, 106), "4.54.0.dev0")
    sakura = read("generation-configs/sakura-14b-qwen2.5-v1.0/generation_config.json")
    assert (sakura.max_new_tokens, sakura.eos_token_ids, sakura.top_k) == (
        131072,
        (151645, 151643),
        30,
    )

    path = CORPUS / "tokenizer-configs/cogito-v1-preview-qwen-14b/tokenizer_config.json"
    template = json.loads(path.read_text(encoding="utf-8"))["chat_template"]
    cogito = read("tokenizer-configs/cogito-v1-preview-qwen-14b/tokenizer_config.json")
    assert cogito.chat_template_sha256 == hashlib.sha256(template.encode()).hexdigest()
    assert cogito.tokenizer_class == "Qwen2Tokenizer"
    v5 = read("tokenizer-configs/dnlp-qwen2.5-7b-lora/tokenizer_config.json")
    assert v5.chat_template_sha256 is None


def test_adapter_configs() -> None:
    qwen = read("adapter-configs/dnlp-qwen2.5-7b-lora/adapter_config.json")
    assert (qwen.base_model_name_or_path, qwen.revision, qwen.task_type) == (
        "Qwen/Qwen2.5-7B",
        None,
        "CAUSAL_LM",
    )
    assert (qwen.peft_type, qwen.peft_version, qwen.r, qwen.lora_alpha) == (
        "LORA",
        "0.18.1",
        16,
        32,
    )
    assert qwen.base_model_is_local_path is False

    mistral = read("adapter-configs/dnlp-mistral-7b-v0.3-lora/adapter_config.json")
    assert mistral.base_model_name_or_path == "D:\\projects\\nlp\\Mistral\\Mistral-7B-v0.3"
    assert (mistral.base_model_is_local_path, mistral.peft_version) == (True, None)

    qwythos = read("adapter-configs/qwythos-9b-math-sft/adapter_config.json")
    assert qwythos.base_model_name_or_path == "/root/autodl-tmp/models/qwythos-9b"
    assert (qwythos.task_type, len(qwythos.target_modules)) == ("SEQ_2_SEQ_LM", 16)


def test_safetensors_indexes_and_lfs_pointer() -> None:
    yi = read("safetensors-index/2prymmal-yi1.5-6b-slerp/model.safetensors.index.json")
    assert (yi.total_size, yi.total_parameters, yi.tensor_count) == (12122071040, None, 291)
    assert yi.metadata["mergekit_version"] == "0.0.4.4"
    assert [(s.name, s.tensor_count) for s in yi.shards] == [
        ("model-00001-of-00003.safetensors", 103),
        ("model-00002-of-00003.safetensors", 127),
        ("model-00003-of-00003.safetensors", 61),
    ]
    molmo = read("safetensors-index/molmo-7b-d-nf4-quant/model.safetensors.index.json")
    assert (molmo.total_size, molmo.total_parameters) == (6661964712, 8021025280)
    assert [s.tensor_count for s in molmo.shards] == [425, 496]

    pointer = read("safetensors-index/2prymmal-yi1.5-6b-slerp/model-00001-of-00003.safetensors")
    assert pointer.lfs_pointer.size == 4945284816
    assert pointer.lfs_pointer.oid_sha256.startswith("d0f242ac56de698d")
    assert pointer.tensor_count == 0

    evidence = read_model_dir(CORPUS / "safetensors-index/2prymmal-yi1.5-6b-slerp")
    missing = "shard model-00002-of-00003.safetensors is not in the directory"
    assert f"model.safetensors.index.json: {missing}" in evidence.warnings


def test_dataset_cards() -> None:
    gem = read("dataset-cards/hf-dataset-card-analysis/GEM_indonlg.md")
    assert (gem.license, gem.pretty_name, gem.task_categories) == (
        ("mit",),
        "indonlg",
        ("summarization",),
    )
    bigbio = read(
        "dataset-cards/hf-dataset-card-analysis/bigbio_bc5cdr.md"
    )  # blank line before ---
    assert (bigbio.pretty_name, bigbio.license, bigbio.language) == ("BC5CDR", ("other",), ("en",))
    pubmed = read("dataset-cards/hf-dataset-card-analysis/pubmed_qa.md")
    assert pubmed.license == ("mit",)
    assert [c.name for c in pubmed.configs] == ["pqa_artificial", "pqa_labeled", "pqa_unlabeled"]
    assert pubmed.size_categories == ("100K<n<1M", "10K<n<100K", "1K<n<10K")
    labeled = next(i for i in pubmed.dataset_info if i.config_name == "pqa_labeled")
    assert labeled.splits[0].num_examples == 1000
    assert "context" in labeled.features
    causal = read("dataset-cards/jakartaresearch-causalqa/README.md")
    assert (causal.pretty_name, causal.license) == ("CausalQA", ())  # `license: []`
    paws = read("dataset-cards/open-paws-speciesism-bias/README.md")
    assert (paws.license, paws.pretty_name) == (("apache-2.0",), "Speciesism Bias Dataset")
    assert paws.dataset_info[0].splits[0].num_examples == 2099


def test_dataset_info_files() -> None:
    indoqa = read("dataset-info/jakartaresearch-indoqa/dataset_infos.json")
    assert indoqa.kind == "hf"
    (default,) = indoqa.configs
    assert (default.config_name, default.license, default.version) == ("default", None, "1.0.0")
    assert [(s.name, s.num_examples) for s in default.splits] == [
        ("train", 3249),
        ("validation", 1084),
    ]
    paws = read("dataset-info/open-paws-speciesism-bias/dataset_info.json")
    assert (paws.kind, paws.configs[0].license) == ("hf", "apache-2.0")
    assert paws.configs[0].homepage == "https://github.com/Open-Paws/speciesism-bias-dataset"
    decoy = read("dataset-info/qwythos-9b-math-sft-llamafactory/dataset_info.json")
    assert decoy.kind == "llamafactory"
    assert [(d.name, d.file_name, d.formatting) for d in decoy.llamafactory] == [
        ("mathpkg_v1", "train.jsonl", "sharegpt")
    ]


def test_dataset_folders_are_told_from_model_folders() -> None:
    assert looks_like_dataset(CORPUS / "dataset-info/jakartaresearch-indoqa")
    assert looks_like_dataset(CORPUS / "dataset-cards/open-paws-speciesism-bias")
    assert not looks_like_dataset(CORPUS / "model-cards/medgemma-27b-it")
    assert not looks_like_dataset(CORPUS / "safetensors-index/molmo-7b-d-nf4-quant")
    assert not looks_like_dataset(CORPUS / "tokenizer-configs/cogito-v1-preview-qwen-14b")
