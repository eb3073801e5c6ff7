"""safetensors header and sharded index readers, on tiny files built here."""

from __future__ import annotations

import json
import struct
import time
from pathlib import Path

import pytest

from aibom.errors import InputError
from aibom.evidence import read_model_dir, read_safetensors_header, read_safetensors_index

SECRET = "TOP-SECRET-do-not-read-7f3a"


def safetensors(tensors: dict[str, tuple[str, list[int], int]], metadata=None) -> bytes:
    """A valid file: {name: (dtype, shape, bytes per element)}, data laid out in order."""
    header: dict[str, object] = {}
    offset = 0
    for name, (dtype, shape, width) in tensors.items():
        size = width
        for dim in shape:
            size *= dim
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    if metadata is not None:
        header["__metadata__"] = metadata
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)  # writers pad the header to 8 bytes
    return struct.pack("<Q", len(raw)) + raw + b"\0" * offset


def raw_file(header: object, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(raw)) + raw + data


def test_header_facts(tmp_path: Path) -> None:
    data = safetensors(
        {
            "embed.weight": ("BF16", [10, 4], 2),
            "layer.weight": ("BF16", [4, 4], 2),
            "layer.bias": ("F32", [4], 4),
            "scalar": ("I64", [], 8),
        },
        metadata={"format": "pt", "note": "tiny"},
    )
    (tmp_path / "model.safetensors").write_bytes(data)
    header = read_safetensors_header(tmp_path, "model.safetensors")
    assert header.warnings == ()
    assert header.file_size == len(data)
    assert header.tensor_count == 4
    assert header.parameter_count == 40 + 16 + 4 + 1
    assert header.dtypes == {"BF16": 2, "F32": 1, "I64": 1}
    assert header.metadata == {"format": "pt", "note": "tiny"}
    assert header.lfs_pointer is None


def test_header_length_of_10_gb_is_refused_without_reading(tmp_path: Path) -> None:
    (tmp_path / "big.safetensors").write_bytes(struct.pack("<Q", 10 * 1024**3) + b"{}")
    start = time.perf_counter()
    header = read_safetensors_header(tmp_path, "big.safetensors")
    assert time.perf_counter() - start < 0.5
    assert header.header_size == 10 * 1024**3
    assert header.tensor_count == 0
    assert "exceeds the 100 MiB cap" in header.warnings[0]


def test_header_length_past_end_of_file(tmp_path: Path) -> None:
    (tmp_path / "cut.safetensors").write_bytes(struct.pack("<Q", 1000) + b'{"a": 1}')
    header = read_safetensors_header(tmp_path, "cut.safetensors")
    assert "larger than the file (16 bytes)" in header.warnings[0]


def test_truncated_files(tmp_path: Path) -> None:
    data = safetensors({"w": ("F16", [2, 2], 2)})
    for cut in (0, 3, 7):
        (tmp_path / "t.safetensors").write_bytes(data[:cut])
        assert "too short" in read_safetensors_header(tmp_path, "t.safetensors").warnings[0]
    header_end = 8 + struct.unpack("<Q", data[:8])[0]
    (tmp_path / "t.safetensors").write_bytes(data[: header_end - 4])
    assert "larger than the file" in read_safetensors_header(tmp_path, "t.safetensors").warnings[0]
    # Header whole, tensor data cut short: the tensor points past the end.
    (tmp_path / "t.safetensors").write_bytes(data[: header_end + 2])
    header = read_safetensors_header(tmp_path, "t.safetensors")
    assert header.tensor_count == 1
    assert "pointing past the end of the file" in header.warnings[0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"{not json", "not valid JSON"),
        (b"[1, 2, 3]", "not a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_bad_header_json(tmp_path: Path, header: bytes, expected: str) -> None:
    (tmp_path / "bad.safetensors").write_bytes(raw_file(header))
    result = read_safetensors_header(tmp_path, "bad.safetensors")
    assert result.tensor_count == 0
    assert expected in result.warnings[0]


def test_malformed_entries_are_counted_not_fatal(tmp_path: Path) -> None:
    header = {
        "good": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        "no_shape": {"dtype": "F32", "data_offsets": [8, 16]},
        "bad_dim": {"dtype": "F32", "shape": [-1], "data_offsets": [8, 16]},
        "bool_dim": {"dtype": "F32", "shape": [True], "data_offsets": [8, 16]},
        "reversed": {"dtype": "F32", "shape": [2], "data_offsets": [16, 8]},
        "not_a_dict": 5,
        "rank_99": {"dtype": "F32", "shape": [1] * 99, "data_offsets": [0, 4]},
        "wrong_len": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]},
        "odd_dtype": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 1]},
        "__metadata__": {"ok": "yes", "number": 3},
    }
    (tmp_path / "m.safetensors").write_bytes(raw_file(header, b"\0" * 16))
    result = read_safetensors_header(tmp_path, "m.safetensors")
    assert result.tensor_count == 3
    assert result.parameter_count == 2 + 3 + 1
    assert result.metadata == {"ok": "yes"}
    text = "\n".join(result.warnings)
    assert "6 tensor entries malformed" in text
    assert "1 tensor entry whose byte range does not match" in text
    assert "unknown dtype(s): Q9" in text
    assert "1 __metadata__ value(s) are not strings" in text


def test_metadata_of_wrong_type(tmp_path: Path) -> None:
    (tmp_path / "m.safetensors").write_bytes(raw_file({"__metadata__": ["x"]}))
    result = read_safetensors_header(tmp_path, "m.safetensors")
    assert result.metadata == {}
    assert "__metadata__ is not a JSON object" in result.warnings[0]


def test_lfs_pointer_is_recognised(tmp_path: Path) -> None:
    oid = "d0f242ac56de698d85f656580dd5a3c9d50d210293b9db5898e755cf5afec270"
    text = f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize 4945284816\n"
    (tmp_path / "model.safetensors").write_text(text)
    result = read_safetensors_header(tmp_path, "model.safetensors")
    assert result.lfs_pointer is not None
    assert (result.lfs_pointer.oid_sha256, result.lfs_pointer.size) == (oid, 4945284816)
    assert "Git LFS pointer" in result.warnings[0]


def test_index_facts(tmp_path: Path) -> None:
    index = {
        "metadata": {"total_size": 123456, "total_parameters": 61728, "format": "pt"},
        "weight_map": {
            "a": "model-00001-of-00002.safetensors",
            "b": "model-00001-of-00002.safetensors",
            "c": "model-00002-of-00002.safetensors",
        },
    }
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(index))
    result = read_safetensors_index(tmp_path)
    assert result.warnings == ()
    assert result.total_size == 123456
    assert result.total_parameters == 61728
    assert result.metadata["format"] == "pt"
    assert result.tensor_count == 3
    assert [(s.name, s.tensor_count) for s in result.shards] == [
        ("model-00001-of-00002.safetensors", 2),
        ("model-00002-of-00002.safetensors", 1),
    ]


def test_index_shards_escaping_the_directory_are_never_opened(tmp_path: Path) -> None:
    outside = tmp_path / "secret.safetensors"
    outside.write_text(SECRET)
    model = tmp_path / "model"
    model.mkdir()
    index = {
        "metadata": {"total_size": "big"},
        "weight_map": {
            "a": "../secret.safetensors",
            "b": str(outside),
            "c": "C:\\Windows\\x.safetensors",
            "d": "ok.safetensors",
            "e": 7,
        },
    }
    (model / "model.safetensors.index.json").write_text(json.dumps(index))
    result = read_safetensors_index(model)
    assert [s.name for s in result.shards] == ["ok.safetensors"]
    assert result.total_size is None
    text = "\n".join(result.warnings)
    assert "'../secret.safetensors' that contains '..'" in text
    assert "is an absolute path" in text
    assert "contains a backslash" in text
    assert "1 value(s) are not file names" in text
    assert "total_size is a string, expected an integer" in text

    evidence = read_model_dir(model)  # must not follow the refused names
    assert SECRET not in repr(evidence)
    assert "model.safetensors.index.json: shard ok.safetensors is not in the directory" in (
        evidence.warnings
    )


def test_index_without_weight_map_or_not_json(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors.index.json").write_text('{"metadata": {}}')
    assert "no weight_map" in read_safetensors_index(tmp_path).warnings[0]
    (tmp_path / "model.safetensors.index.json").write_text('{"metadata": ')
    assert "not valid JSON" in read_safetensors_index(tmp_path).warnings[0]
    (tmp_path / "model.safetensors.index.json").write_text("[]")
    assert "not a JSON object" in read_safetensors_index(tmp_path).warnings[0]


def test_weight_file_symlinked_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.safetensors"
    outside.write_bytes(raw_file({"__metadata__": {"secret": SECRET}}))
    model = tmp_path / "model"
    model.mkdir()
    (model / "model.safetensors").symlink_to(outside)
    with pytest.raises(InputError) as caught:
        read_safetensors_header(model, "model.safetensors")
    assert SECRET not in str(caught.value)
    with pytest.raises(InputError):
        read_model_dir(model)


def test_model_dir_collects_headers(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(safetensors({"w": ("F16", [3, 3], 2)}))
    (tmp_path / "broken.safetensors").write_bytes(b"\x01")
    evidence = read_model_dir(tmp_path)
    by_name = {h.name: h for h in evidence.safetensors}
    assert by_name["model.safetensors"].parameter_count == 9
    assert "broken.safetensors: 1 bytes, too short for a safetensors header" in evidence.warnings
