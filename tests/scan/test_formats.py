"""Model formats beyond pickles: Keras configs, GGUF chat templates, ONNX external data and
safetensors headers. Files are built byte by byte here, in each format's real layout."""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from pathlib import Path

import pytest

from aibom.scan import Verdict, scan_file, scan_model


def write(root: Path, name: str, data: bytes) -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return name


# --- Keras ---------------------------------------------------------------------------------


def keras_zip(config: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.6.0"}))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(64))
    return buffer.getvalue()


def sequential(*layers: dict[str, object]) -> dict[str, object]:
    return {"module": "keras", "class_name": "Sequential",
            "config": {"name": "seq", "layers": list(layers)}}  # fmt: skip


DENSE = {"module": "keras.layers", "class_name": "Dense", "config": {"name": "d", "units": 2}}


def test_keras_archive_clean(tmp_path: Path) -> None:
    scan = scan_file(tmp_path, write(tmp_path, "m.keras", keras_zip(sequential(DENSE))))
    assert (scan.kind, scan.verdict) == ("keras", Verdict.CLEAN)


def test_keras_lambda_layer(tmp_path: Path) -> None:
    lam = {"module": "keras.layers", "class_name": "Lambda",
           "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {
               "code": "4wEAAAAAAAAA", "defaults": None, "closure": None}}}}  # fmt: skip
    scan = scan_file(tmp_path, write(tmp_path, "m.keras", keras_zip(sequential(DENSE, lam))))
    (finding,) = scan.findings
    assert (finding.member, finding.name, finding.severity) == (
        "config.json",
        "Lambda:l",
        "dangerous",
    )


@pytest.mark.parametrize(
    ("module", "name", "severity"),
    [("os", "system", "dangerous"), ("builtins", "eval", "dangerous"),
     ("my_project.layers", "Custom", "not-allowed")],
)  # fmt: skip
def test_keras_function_or_class_outside_keras(
    tmp_path: Path, module: str, name: str, severity: str
) -> None:
    entry = {"module": module, "class_name": "function", "config": name}
    if name == "Custom":
        entry = {"module": module, "class_name": name, "config": {}}
    layer = {"module": "keras.layers", "class_name": "Activation",
             "config": {"name": "a", "activation": entry}}  # fmt: skip
    scan = scan_file(tmp_path, write(tmp_path, "m.keras", keras_zip(sequential(layer))))
    (finding,) = scan.findings
    assert (finding.module, finding.name, finding.severity) == (module, name, severity)


def test_keras_archive_without_config_is_incomplete(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.weights.h5", b"")
    scan = scan_file(tmp_path, write(tmp_path, "m.keras", buffer.getvalue()))
    assert scan.verdict == Verdict.INCOMPLETE


def h5_with_attribute(config: dict[str, object]) -> bytes:
    """HDF5 magic, then an attribute message holding the JSON (attributes are never filtered)."""
    return b"\x89HDF\r\n\x1a\n" + bytes(200) + b"model_config\x00" + json.dumps(config).encode()


def test_h5_lambda_and_clean(tmp_path: Path) -> None:
    lam = {"class_name": "Lambda", "config": {"name": "f", "function": ["YWJj", None, None]}}
    bad = scan_file(tmp_path, write(tmp_path, "bad.h5", h5_with_attribute(sequential(lam))))
    good = scan_file(tmp_path, write(tmp_path, "good.h5", h5_with_attribute(sequential(DENSE))))
    assert [f.name for f in bad.findings] == ["Lambda:f"] and bad.kind == "keras-h5"
    assert good.verdict == Verdict.CLEAN and good.kind == "keras-h5"


def test_h5_with_an_undecodable_config_is_incomplete(tmp_path: Path) -> None:
    data = b"\x89HDF\r\n\x1a\n" + bytes(100) + b"model_config\x00" + b'{"class_name": "Seq'
    assert scan_file(tmp_path, write(tmp_path, "x.h5", data)).verdict == Verdict.INCOMPLETE


def test_plain_hdf5_is_clean(tmp_path: Path) -> None:
    scan = scan_file(tmp_path, write(tmp_path, "data.h5", b"\x89HDF\r\n\x1a\n" + bytes(500)))
    assert (scan.kind, scan.verdict) == ("hdf5", Verdict.CLEAN)


# --- GGUF ----------------------------------------------------------------------------------


def gguf_string(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def gguf(template: str | None, version: int = 3) -> bytes:
    items = [
        gguf_string("general.architecture") + struct.pack("<I", 8) + gguf_string("llama"),
        gguf_string("llama.context_length") + struct.pack("<I", 4) + struct.pack("<I", 4096),
        gguf_string("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 2)
        + gguf_string("<s>") + gguf_string("</s>"),
    ]  # fmt: skip
    if template is not None:
        items.append(gguf_string("tokenizer.chat_template") + struct.pack("<I", 8)
                     + gguf_string(template))  # fmt: skip
    head = b"GGUF" + struct.pack("<IQQ", version, 0, len(items))
    return head + b"".join(items)


TEMPLATE = (
    "{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}"
)


@pytest.mark.parametrize(
    "escape",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ lipsum|attr('\\x5f\\x5fglobals\\x5f\\x5f') }}",
        "{% set u = '_' ~ '_' %}{{ self|attr(u ~ 'init' ~ u) }}",
        "{{ namespace._TemplateReference__context }}",
    ],
)
def test_gguf_template_escapes(tmp_path: Path, escape: str) -> None:
    scan = scan_file(tmp_path, write(tmp_path, "m.gguf", gguf(TEMPLATE + escape)))
    assert scan.kind == "gguf" and scan.findings
    assert all(f.name == "tokenizer.chat_template" for f in scan.findings)


@pytest.mark.parametrize("template", [TEMPLATE, None])
def test_gguf_ordinary_template_is_clean(tmp_path: Path, template: str | None) -> None:
    scan = scan_file(tmp_path, write(tmp_path, "m.gguf", gguf(template)))
    assert (scan.kind, scan.verdict) == ("gguf", Verdict.CLEAN)


@pytest.mark.parametrize("cut", [6, 30, 60])
def test_gguf_truncated_is_incomplete(tmp_path: Path, cut: int) -> None:
    scan = scan_file(tmp_path, write(tmp_path, "m.gguf", gguf(TEMPLATE)[:cut]))
    assert scan.verdict == Verdict.INCOMPLETE


# --- ONNX ----------------------------------------------------------------------------------


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def onnx_model(location: str, where: str = "initializer") -> bytes:
    entry = field(1, b"location") + field(2, location.encode())
    tensor = field(8, b"w") + field(13, entry) + varint(14 << 3) + varint(1)
    if where == "initializer":
        graph = field(5, tensor)
    else:  # a Constant node's tensor attribute
        graph = field(1, field(5, field(1, b"value") + field(5, tensor)))
    return varint(1 << 3) + varint(9) + field(7, graph)


@pytest.mark.parametrize("where", ["initializer", "attribute"])
@pytest.mark.parametrize("location", ["/etc/passwd", "../../secret.bin", "a/../../x"])
def test_onnx_external_data_leaving_the_directory(
    tmp_path: Path, location: str, where: str
) -> None:
    scan = scan_file(tmp_path, write(tmp_path, "model.onnx", onnx_model(location, where)))
    (finding,) = scan.findings
    assert finding.module == "onnx" and finding.name == "w" and location in finding.reason


def test_onnx_external_data_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "outside.bin").write_bytes(b"x")
    root = tmp_path / "model"
    root.mkdir()
    os.symlink(tmp_path / "outside.bin", root / "weights.bin")
    scan = scan_file(root, write(root, "model.onnx", onnx_model("weights.bin")))
    assert "resolves outside" in scan.findings[0].reason


def test_onnx_external_data_inside_is_clean(tmp_path: Path) -> None:
    write(tmp_path, "weights/w.bin", b"\0" * 8)
    scan = scan_file(tmp_path, write(tmp_path, "model.onnx", onnx_model("weights/w.bin")))
    assert (scan.kind, scan.verdict) == ("onnx", Verdict.CLEAN)


def test_onnx_garbage_is_incomplete(tmp_path: Path) -> None:
    scan = scan_file(tmp_path, write(tmp_path, "model.onnx", b"\x0a\xff\xff\xff\x0f"))
    assert scan.verdict == Verdict.INCOMPLETE


# --- safetensors ---------------------------------------------------------------------------


def safetensors(header: dict[str, object], data: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def test_safetensors_honest_header_is_clean(tmp_path: Path) -> None:
    header = {"__metadata__": {"format": "pt"},
              "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
              "b": {"dtype": "BF16", "shape": [2, 2], "data_offsets": [8, 16]}}  # fmt: skip
    scan = scan_file(tmp_path, write(tmp_path, "m.safetensors", safetensors(header, bytes(16))))
    assert (scan.kind, scan.verdict) == ("safetensors", Verdict.CLEAN)


@pytest.mark.parametrize(
    ("tensors", "size", "says"),
    [
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 64]}}, 8, "outside"),
        ({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 8]}}, 8, "needs 16 bytes"),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
          "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, 12, "overlaps"),
        ({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, 8, "belong to no tensor"),
        ({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, 8, "cover 4"),
        ({"a": {"dtype": "Q9", "shape": [1], "data_offsets": [0, 4]}}, 4, "unknown dtype"),
    ],
)  # fmt: skip
def test_safetensors_lying_header(
    tmp_path: Path, tensors: dict[str, object], size: int, says: str
) -> None:
    scan = scan_file(tmp_path, write(tmp_path, "m.safetensors", safetensors(tensors, bytes(size))))
    assert scan.verdict == Verdict.DANGEROUS
    assert any(says in f.reason for f in scan.findings), scan.findings


def test_safetensors_header_length_past_the_end(tmp_path: Path) -> None:
    data = struct.pack("<Q", 1 << 40) + b'{"a": 1}'
    scan = scan_file(tmp_path, write(tmp_path, "m.safetensors", data))
    assert scan.verdict == Verdict.DANGEROUS


def test_model_directory_with_every_format(tmp_path: Path) -> None:
    write(tmp_path, "model.safetensors", safetensors({}, b""))
    write(tmp_path, "model.gguf", gguf(TEMPLATE))
    write(tmp_path, "model.keras", keras_zip(sequential(DENSE)))
    write(tmp_path, "model.onnx", onnx_model("model.safetensors"))
    write(tmp_path, "README.md", b"# a model\n")
    report = scan_model(tmp_path)
    assert report.verdict == Verdict.CLEAN
    assert {s.file: s.kind for s in report.files} == {
        "README.md": "other", "model.gguf": "gguf", "model.keras": "keras",
        "model.onnx": "onnx", "model.safetensors": "safetensors",
    }  # fmt: skip
