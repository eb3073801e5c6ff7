"""GGUF header reader, on tiny files built here with struct."""

from __future__ import annotations

import hashlib
import struct
import time
from pathlib import Path

from aibom.evidence import read_gguf_header

U8, U32, I32, F32, BOOL, STRING, ARRAY, U64 = 0, 4, 5, 6, 7, 8, 9, 10


def gstr(text: str | bytes, order: str = "<") -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack(order + "Q", len(raw)) + raw


def kv(key: str, vtype: int, payload: bytes, order: str = "<") -> bytes:
    return gstr(key, order) + struct.pack(order + "I", vtype) + payload


def kv_str(key: str, value: str, order: str = "<") -> bytes:
    return kv(key, STRING, gstr(value, order), order)


def kv_u32(key: str, value: int, order: str = "<") -> bytes:
    return kv(key, U32, struct.pack(order + "I", value), order)


def kv_array(key: str, etype: int, items: list[bytes], order: str = "<") -> bytes:
    head = struct.pack(order + "IQ", etype, len(items))
    return kv(key, ARRAY, head + b"".join(items), order)


def tensor(name: str, dims: list[int], order: str = "<") -> bytes:
    body = gstr(name, order) + struct.pack(order + "I", len(dims))
    body += b"".join(struct.pack(order + "Q", d) for d in dims)
    return body + struct.pack(order + "IQ", 12, 0)  # ggml type Q4_K, offset 0


def gguf(kvs: list[bytes], tensors: list[bytes] = (), *, version: int = 3, order: str = "<",
         counts: tuple[int, int] | None = None) -> bytes:  # fmt: skip
    n_tensors, n_kv = counts if counts else (len(tensors), len(kvs))
    head = b"GGUF" + struct.pack(order + "IQQ", version, n_tensors, n_kv)
    return head + b"".join(kvs) + b"".join(tensors)


TEMPLATE = "{% for m in messages %}{{ m.content }}{% endfor %}"


def full_model(order: str = "<", *, long_description: bool = True) -> bytes:
    kvs = [
        kv_str("general.architecture", "llama", order),
        kv_str("general.name", "Tiny Llama", order),
        kv_u32("general.file_type", 15, order),
        kv_u32("general.quantization_version", 2, order),
        kv_str("general.license", "apache-2.0", order),
        kv_u32("general.base_model.count", 2, order),
        kv_str("general.base_model.0.name", "Llama 3.2 1B", order),
        kv_str("general.base_model.0.organization", "Meta Llama", order),
        kv_str(
            "general.base_model.0.repo_url", "https://huggingface.co/meta-llama/Llama-3.2-1B", order
        ),
        kv_str("general.base_model.1.name", "Other Base", order),
        kv_u32("llama.context_length", 4096, order),
        kv_array(
            "tokenizer.ggml.tokens", STRING, [gstr(t, order) for t in ("<s>", "</s>", "a")], order
        ),
        kv_array("tokenizer.ggml.scores", F32, [struct.pack(order + "f", 0.5)] * 3, order),
        kv_str("tokenizer.chat_template", TEMPLATE, order),
    ]
    if long_description:
        kvs.append(kv_str("general.description", "x" * 10_000, order))
    tensors = [tensor("tok_embd.weight", [8, 3], order), tensor("output_norm.weight", [8], order)]
    return gguf(kvs, tensors, order=order)


def write(tmp_path: Path, data: bytes, name: str = "model.gguf") -> Path:
    (tmp_path / name).write_bytes(data)
    return tmp_path


def test_reads_general_metadata_and_tensor_table(tmp_path: Path) -> None:
    header = read_gguf_header(write(tmp_path, full_model()), "model.gguf")
    assert header.warnings == ()
    assert (header.version, header.byte_order) == (3, "little")
    assert header.architecture == "llama"
    assert header.model_name == "Tiny Llama"
    assert (header.file_type, header.quantization) == (15, "Q4_K_M")
    assert header.quantization_version == 2
    assert header.license == "apache-2.0"
    assert header.context_length == 4096
    assert header.tensor_count == 2
    assert header.metadata_count == 15
    assert header.parameter_count == 8 * 3 + 8
    assert header.chat_template_sha256 == hashlib.sha256(TEMPLATE.encode()).hexdigest()
    assert [b.name for b in header.base_models] == ["Llama 3.2 1B", "Other Base"]
    assert header.base_models[0].organization == "Meta Llama"
    assert header.base_models[0].repo_url.endswith("/meta-llama/Llama-3.2-1B")
    assert header.general["general.base_model.count"] == 2
    assert len(header.general["general.description"]) == 4096  # long strings kept shortened
    assert "tokenizer.ggml.tokens" not in header.general


def test_big_endian_file(tmp_path: Path) -> None:
    header = read_gguf_header(write(tmp_path, full_model(">")), "model.gguf")
    assert header.byte_order == "big"
    assert header.quantization == "Q4_K_M"
    assert header.parameter_count == 32


def test_version_2_is_read_and_version_1_refused(tmp_path: Path) -> None:
    v2 = gguf([kv_str("general.architecture", "gpt2")], version=2)
    assert read_gguf_header(write(tmp_path, v2), "model.gguf").architecture == "gpt2"
    v1 = gguf([kv_str("general.architecture", "gpt2")], version=1)
    header = read_gguf_header(write(tmp_path, v1, "old.gguf"), "old.gguf")
    assert header.architecture is None
    assert "version 1 is not supported" in header.warnings[0]


def test_unknown_file_type_is_kept_as_number_with_warning(tmp_path: Path) -> None:
    header = read_gguf_header(
        write(tmp_path, gguf([kv_u32("general.file_type", 999)])), "model.gguf"
    )
    assert (header.file_type, header.quantization) == (999, None)
    assert "999 is not a known quantization" in header.warnings[0]


def test_not_gguf(tmp_path: Path) -> None:
    header = read_gguf_header(write(tmp_path, b"GGML" + b"\0" * 40), "model.gguf")
    assert header.version is None
    assert "no GGUF magic" in header.warnings[0]
    empty = read_gguf_header(write(tmp_path, b"", "empty.gguf"), "empty.gguf")
    assert "no GGUF magic" in empty.warnings[0]


def test_truncated_file_keeps_what_was_read(tmp_path: Path) -> None:
    data = full_model()
    cut = data.index(b"general.file_type") + 5  # inside the third key
    header = read_gguf_header(write(tmp_path, data[:cut]), "model.gguf")
    assert header.architecture == "llama"
    assert header.model_name == "Tiny Llama"
    assert header.file_type is None
    assert header.parameter_count is None
    assert any("truncated" in w for w in header.warnings)


def test_truncation_at_every_byte_never_raises(tmp_path: Path) -> None:
    data = full_model(long_description=False)
    for cut in range(0, len(data), 3):
        header = read_gguf_header(write(tmp_path, data[:cut]), "model.gguf")
        assert header.warnings, cut


def test_truncated_tensor_table(tmp_path: Path) -> None:
    data = full_model()
    header = read_gguf_header(write(tmp_path, data[:-6]), "model.gguf")
    assert header.quantization == "Q4_K_M"
    assert header.parameter_count is None
    assert any("truncated" in w for w in header.warnings)


def test_absurd_counts_stop_fast(tmp_path: Path) -> None:
    cases = {
        "kv": gguf([kv_str("general.name", "x")], counts=(0, 2**63)),
        "tensors": gguf([kv_str("general.name", "x")], counts=(2**62, 1)),
        "array": gguf([kv("tokenizer.ggml.tokens", ARRAY, struct.pack("<IQ", STRING, 2**60))]),
        "numeric array": gguf([kv("tokenizer.ggml.scores", ARRAY, struct.pack("<IQ", F32, 2**60))]),
        "string": gguf([kv("general.name", STRING, struct.pack("<Q", 2**60))]),
        "dims": gguf([], [gstr("t") + struct.pack("<I", 2**31)]),
    }
    expected = {
        "kv": "metadata entries",
        "tensors": "tensors; absurd",
        "array": "more than the file holds",
        "numeric array": "more than the file holds",
        "string": "absurd",
        "dims": "dimensions",
    }
    for case, data in cases.items():
        start = time.perf_counter()
        header = read_gguf_header(write(tmp_path, data, f"{case}.gguf"), f"{case}.gguf")
        assert time.perf_counter() - start < 1.0, case
        assert any(expected[case] in w for w in header.warnings), (case, header.warnings)
    assert read_gguf_header(tmp_path, "tensors.gguf").model_name == "x"


def test_nested_arrays_are_skipped_and_bounded(tmp_path: Path) -> None:
    inner = struct.pack("<IQ", U8, 3) + b"abc"
    nested = kv("x.nested", ARRAY, struct.pack("<IQ", ARRAY, 2) + inner * 2)
    header = read_gguf_header(
        write(tmp_path, gguf([nested, kv_str("general.name", "ok")])), "model.gguf"
    )
    assert header.model_name == "ok"
    assert header.warnings == ()

    deep = struct.pack("<IQ", U8, 0)
    for _ in range(10):
        deep = struct.pack("<IQ", ARRAY, 1) + deep
    header = read_gguf_header(
        write(tmp_path, gguf([kv("x", ARRAY, deep)]), "deep.gguf"), "deep.gguf"
    )
    assert any("nested too deeply" in w for w in header.warnings)


def test_unknown_value_type_stops(tmp_path: Path) -> None:
    data = gguf([kv_str("general.name", "ok"), kv("x", 77, b"")])
    header = read_gguf_header(write(tmp_path, data), "model.gguf")
    assert header.model_name == "ok"
    assert any("unknown value type 77" in w for w in header.warnings)


def test_invalid_utf8_strings_are_replaced(tmp_path: Path) -> None:
    data = gguf([kv("general.name", STRING, gstr(b"caf\xe9"))])
    assert read_gguf_header(write(tmp_path, data), "model.gguf").model_name == "caf\ufffd"


def test_lfs_pointer(tmp_path: Path) -> None:
    pointer = (
        b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"a" * 64 + b"\nsize 42\n"
    )
    header = read_gguf_header(write(tmp_path, pointer), "model.gguf")
    assert header.lfs_pointer is not None
    assert header.lfs_pointer.size == 42
    assert "Git LFS pointer" in header.warnings[0]


def test_missing_file_is_a_warning(tmp_path: Path) -> None:
    assert read_gguf_header(tmp_path, "nope.gguf").warnings == ("nope.gguf: not found",)
