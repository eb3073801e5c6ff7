"""Property-based fuzzing of every reader of untrusted input.

The one property, for every reader: whatever the input, the reader returns its normal
result or raises aibom.errors.AibomError (InputError / VerificationError) — never another
exception — and a signature reader never lets a changed payload verify.

Reproducible and bounded: every test is derandomized (fixed seed, no example database) and
capped in examples, so the file runs in well under 30 s. To search harder locally:

    AIBOM_FUZZ_EXAMPLES=5000 python -m pytest tests/hostile/test_fuzz_readers.py
"""

from __future__ import annotations

import copy
import json
import os
import struct
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from support.models import small_model

from aibom.errors import AibomError, VerificationError
from aibom.evidence import (
    AdapterConfig,
    GgufHeader,
    HfConfig,
    ModelCard,
    SafetensorsHeader,
    read_adapter_config,
    read_config,
    read_gguf_header,
    read_model_card,
    read_safetensors_header,
)
from aibom.formats import import_cyclonedx
from aibom.graph import ProvenanceGraph
from aibom.lineage.attest import Artifact, Lineage, parse_lineage, statement
from aibom.oms import sign as signing
from aibom.oms.bundle import ParsedBundle, SignedStatement, parse_bundle, parse_signed_statement
from aibom.oms.verify import KeyTrust, verify_signature
from aibom.policy import Policy, load_policy

from .helpers import b64, read_doc, unb64

REPO = Path(__file__).resolve().parents[2]
GOLDEN_AIBOM = REPO / "tests" / "formats" / "golden" / "family.cdx.json"
SCALE = int(os.environ.get("AIBOM_FUZZ_EXAMPLES", "0"))


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=SCALE or examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )


# -- strategies --------------------------------------------------------------------------

# Text without lone surrogates: those are a separate, known finding
# (test_attack_catalogue.py::test_lone_surrogate_*), kept out so the fuzz stays green.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
SCALARS = (
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | TEXT
    | st.sampled_from(["", ".", "..", "../x", "/etc/passwd", "a\\b", "x\x00y", "sha256",
                       "0" * 64, "application/vnd.in-toto+json", "files", "shards", "true"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def paths_of(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (sequence of keys / indexes) into a JSON document, the root included."""
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths_of(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += paths_of(value, (*prefix, i))
    return out


def get(node: Any, path: tuple) -> Any:
    for step in path:
        node = node[step]
    return node


MUTATIONS = ("replace", "delete", "wrap", "stringify", "duplicate", "empty", "huge-int")


@st.composite
def mutated(draw: st.DrawFn, document: Any, rounds: int = 3) -> Any:
    """`document` with 1..rounds structural mutations at random places."""
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, rounds))):
        paths = paths_of(doc)
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(MUTATIONS))
        if not path:  # the root itself
            doc = draw(JSON) if how == "replace" else [doc]
            continue
        parent, key = get(doc, path[:-1]), path[-1]
        value = parent[key]
        if how == "replace":
            parent[key] = draw(JSON)
        elif how == "delete":
            del parent[key]
        elif how == "wrap":
            parent[key] = [value]
        elif how == "stringify":
            parent[key] = json.dumps(value)
        elif how == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(value))
        elif how == "duplicate" and isinstance(parent, dict):
            parent[f"{key}\u200b"] = copy.deepcopy(value)  # a near-duplicate key
        elif how == "empty":
            parent[key] = type(value)() if isinstance(value, dict | list | str) else None
        else:
            parent[key] = 2**64 + 1
    return doc


def never_other_exception(call: Any, *args: Any, **kwargs: Any) -> Any:
    """Run a reader; an AibomError is a clean refusal (None), anything else fails the test."""
    try:
        return call(*args, **kwargs)
    except AibomError as exc:
        assert exc.one_line() and "\n" not in exc.one_line()
        assert "Traceback" not in exc.one_line()
        return None


# -- seeds: valid signed documents -------------------------------------------------------


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory, keypair) -> dict[str, Any]:
    """A key-signed OMS bundle, a key-signed lineage attestation and the trust to verify."""
    model = small_model(tmp_path_factory.mktemp("fuzz") / "model")
    signer = signing.KeySigner(keypair.private_path.read_bytes())
    signing.sign_model(model, model / "model.sig", signer)
    oms = read_doc(model / "model.sig")
    child = Artifact("child", "1" * 64)
    parent = Artifact("parent", "2" * 64, "3" * 64, "key")
    payload = statement(child, "finetune", [parent], [Artifact("data", "4" * 64, use="training")])
    lineage = signing.sign_payload(payload, signer)
    return {
        "oms": oms,
        "oms_statement": json.loads(unb64(oms["dsseEnvelope"]["payload"])),
        "lineage": lineage,
        "lineage_statement": json.loads(payload),
        "trust": KeyTrust(keypair.public_path.read_bytes()),
    }


def raw(doc: Any) -> bytes:
    return json.dumps(doc).encode()


def signed_content(doc: dict[str, Any]) -> tuple[Any, Any, Any]:
    env = doc.get("dsseEnvelope") if isinstance(doc, dict) else None
    if not isinstance(env, dict):
        return None, None, None
    sigs = env.get("signatures")
    first = sigs[0].get("sig") if isinstance(sigs, list) and sigs and isinstance(sigs[0], dict) \
        else None
    return env.get("payload"), env.get("payloadType"), first


def assert_never_verified_unless_untouched(parsed: SignedStatement | None, doc: Any,
                                           seed: dict[str, Any], trust: KeyTrust) -> None:
    """If the mutated bundle still parses and verifies, the signed bytes (payload, type and
    signature) must be the seed's: no mutation of what is signed may verify."""
    if parsed is None:
        return
    try:
        verify_signature(parsed, trust)
    except VerificationError:
        return
    except AibomError:
        return
    assert signed_content(doc) == signed_content(seed), "a changed envelope verified"


# -- 1. the Sigstore bundle / DSSE envelope / in-toto statement ---------------------------


@fuzz(150)
@given(data=st.binary(max_size=300))
def test_parse_bundle_random_bytes(data: bytes) -> None:
    never_other_exception(parse_bundle, data)


@fuzz(100)
@given(doc=JSON)
def test_parse_bundle_random_json(doc: Any) -> None:
    never_other_exception(parse_bundle, raw(doc))


@fuzz(150)
@given(data=st.data())
def test_parse_bundle_mutated_valid_bundle(seeds: dict[str, Any], data: st.DataObject) -> None:
    doc = data.draw(mutated(seeds["oms"]))
    parsed = never_other_exception(parse_bundle, raw(doc))
    assert parsed is None or isinstance(parsed, ParsedBundle)
    assert_never_verified_unless_untouched(parsed, doc, seeds["oms"], seeds["trust"])


@fuzz(150)
@given(data=st.data())
def test_parse_bundle_mutated_statement_reencoded(seeds: dict[str, Any],
                                                  data: st.DataObject) -> None:
    """The in-toto statement mutated and put back into the envelope (base64, not re-signed):
    it may parse, it must never verify."""
    st_doc = data.draw(mutated(seeds["oms_statement"]))
    doc = copy.deepcopy(seeds["oms"])
    doc["dsseEnvelope"]["payload"] = b64(raw(st_doc))
    parsed = never_other_exception(parse_bundle, raw(doc))
    if parsed is not None:
        assert isinstance(parsed, ParsedBundle)
        if raw(st_doc) != unb64(seeds["oms"]["dsseEnvelope"]["payload"]):
            with pytest.raises(VerificationError):
                verify_signature(parsed, seeds["trust"])


ENCODINGS = {
    "urlsafe": lambda p: b64(p).replace("+", "-").replace("/", "_"),
    "unpadded": lambda p: b64(p).rstrip("="),
    "line-wrapped": lambda p: "\n".join(b64(p)[i : i + 60] for i in range(0, len(b64(p)), 60)),
    "spaces": lambda p: " " + b64(p) + " ",
    "utf16": lambda p: b64(p.decode("latin-1").encode("utf-16")),
    "bom": lambda p: b64(b"\xef\xbb\xbf" + p),
    "trailing-junk": lambda p: b64(p + b" \x00"),
    "two-documents": lambda p: b64(p + p),
}


@fuzz(60)
@given(how=st.sampled_from(sorted(ENCODINGS)),
       field=st.sampled_from(["payload", "sig", "cert"]))
def test_reencoded_envelope_fields(seeds: dict[str, Any], how: str, field: str) -> None:
    doc = copy.deepcopy(seeds["oms"])
    env = doc["dsseEnvelope"]
    if field == "payload":
        env["payload"] = ENCODINGS[how](unb64(env["payload"]))
    elif field == "sig":
        env["signatures"][0]["sig"] = ENCODINGS[how](unb64(env["signatures"][0]["sig"]))
    else:
        doc["verificationMaterial"] = {"x509CertificateChain": {"certificates": [
            {"rawBytes": ENCODINGS[how](b"0\x82\x01\x00not a certificate")}]}, "tlogEntries": []}
    parsed = never_other_exception(parse_bundle, raw(doc))
    assert_never_verified_unless_untouched(parsed, doc, seeds["oms"], seeds["trust"])


FIELD_VALUES = {
    "mediaType": JSON,
    "dsseEnvelope": JSON,
    "verificationMaterial": JSON,
}


@fuzz(80)
@given(data=st.data())
def test_flipped_bundle_fields(seeds: dict[str, Any], data: st.DataObject) -> None:
    """Each top-level field replaced by any JSON value, or removed."""
    doc = copy.deepcopy(seeds["oms"])
    field = data.draw(st.sampled_from(sorted(FIELD_VALUES)))
    if data.draw(st.booleans()):
        del doc[field]
    else:
        doc[field] = data.draw(FIELD_VALUES[field])
    never_other_exception(parse_bundle, raw(doc))


@pytest.fixture(scope="module")
def cli_model(tmp_path_factory: pytest.TempPathFactory, seeds: dict[str, Any],
              keypair) -> Path:
    """The model the seed bundle signs, for the command line."""
    model = small_model(tmp_path_factory.mktemp("fuzz-cli") / "model")
    signing.sign_model(model, model / "model.sig",
                       signing.KeySigner(keypair.private_path.read_bytes()))
    return model


@fuzz(40)
@given(data=st.data())
def test_cli_verify_with_a_mutated_bundle(cli_model: Path, keypair, tmp_path: Path,
                                          data: st.DataObject) -> None:
    """The same through `aibom verify`: exit 1 or 2, one line on stderr, never 'verified',
    never an internal error."""
    from support.cli import run_cli

    good = read_doc(cli_model / "model.sig")
    if data.draw(st.booleans()):
        doc = data.draw(mutated(good))
    else:
        doc = copy.deepcopy(good)
        doc["dsseEnvelope"]["payload"] = b64(raw(data.draw(mutated(
            json.loads(unb64(good["dsseEnvelope"]["payload"]))))))
    assume(doc != good)
    sig = tmp_path / "mutated.sig"
    sig.write_bytes(raw(doc))
    run = run_cli("verify", cli_model, "--signature", sig, "--public-key", keypair.public_path)
    if signed_content(doc) != signed_content(good) or run.code != 0:
        assert run.code in (1, 2), (run.code, run.out, run.err)
        assert len(run.err.splitlines()) == 1, run.err
        assert "internal error" not in run.err and "Traceback" not in run.err
        assert not run.out.startswith("verified")


# -- 2. lineage attestations --------------------------------------------------------------


@fuzz(80)
@given(data=st.binary(max_size=200) | JSON.map(raw))
def test_parse_lineage_random_input(data: bytes) -> None:
    result = never_other_exception(parse_lineage, data)
    assert result is None or isinstance(result, Lineage)


@fuzz(80)
@given(data=st.data())
def test_parse_lineage_mutated(seeds: dict[str, Any], data: st.DataObject) -> None:
    if data.draw(st.booleans()):
        doc = data.draw(mutated(seeds["lineage"]))
    else:
        st_doc = data.draw(mutated(seeds["lineage_statement"]))
        doc = copy.deepcopy(seeds["lineage"])
        doc["dsseEnvelope"]["payload"] = b64(raw(st_doc))
    lineage = never_other_exception(parse_lineage, raw(doc))
    signed = never_other_exception(parse_signed_statement, raw(doc))
    if lineage is not None:
        assert isinstance(lineage, Lineage)
        for artifact in (lineage.subject, *lineage.parents, *lineage.datasets):
            assert isinstance(artifact.root_digest, str)
    assert_never_verified_unless_untouched(signed, doc, seeds["lineage"], seeds["trust"])


# -- 3. CycloneDX import ------------------------------------------------------------------


@pytest.fixture(scope="module")
def golden_aibom() -> dict[str, Any]:
    return json.loads(GOLDEN_AIBOM.read_text())


@fuzz(80)
@given(doc=JSON)
def test_import_cyclonedx_random_json(doc: Any) -> None:
    if isinstance(doc, dict) and doc:
        doc.setdefault("bomFormat", "CycloneDX")
    result = never_other_exception(import_cyclonedx, raw(doc))
    assert result is None or isinstance(result, ProvenanceGraph)


@fuzz(80)
@given(data=st.binary(max_size=200) | TEXT.map(str.encode))
def test_import_cyclonedx_random_bytes(data: bytes) -> None:
    never_other_exception(import_cyclonedx, data)


@fuzz(80)
@given(data=st.data())
def test_import_cyclonedx_mutated_aibom(golden_aibom: dict[str, Any],
                                        data: st.DataObject) -> None:
    doc = data.draw(mutated(golden_aibom, rounds=4))
    graph = never_other_exception(import_cyclonedx, raw(doc))
    if graph is not None:
        assert isinstance(graph, ProvenanceGraph)
        for component in graph.components():  # what verify-chain will read must be text
            assert component.location is None or isinstance(component.location, str)
            for evidence in (component.signature, component.attestation):
                assert evidence is None or isinstance(evidence.bundle_path, str)


# -- 4. policy ----------------------------------------------------------------------------

VALID_POLICY = {
    "version": 1,
    "publishers": [
        {"name": "acme", "public_key": "acme.pub"},
        {"name": "vendor", "identity": "release@vendor.example",
         "issuer": "https://accounts.vendor.example"},
        {"name": "ca", "certificate_chain": ["root.pem"]},
    ],
    "rules": [{"match": "org/*", "publishers": ["vendor"]},
              {"match": "*", "publishers": ["acme", "ca"]}],
    "require": {"signatures": "all", "lineage": "attested", "scan": "clean",
                "legacy_predicate": "forbid"},
}
YAML_TEXT = st.lists(
    st.characters(exclude_categories=("Cs",)) | st.sampled_from(
        [*"&*!|>-:?[]{},#'\"%@`\n\t ", "!!python/object/apply:os.system ['true']", "<<: *a",
         "!!python/name:os.system", "!!binary", "---", "...", "&a [*a, *a]", "!!set", "key: "]),
    max_size=60,
).map("".join)


def _policy_file(folder: Path, text: str | bytes) -> Path:
    (folder / "acme.pub").write_text("not really a key, never parsed by load_policy")
    (folder / "root.pem").write_text("not really a certificate")
    path = folder / "policy.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@fuzz(80)
@given(text=YAML_TEXT)
def test_load_policy_arbitrary_yaml(tmp_path: Path, text: str) -> None:
    result = never_other_exception(load_policy, _policy_file(tmp_path, text))
    assert result is None or isinstance(result, Policy)


@fuzz(60)
@given(data=st.binary(max_size=200))
def test_load_policy_arbitrary_bytes(tmp_path: Path, data: bytes) -> None:
    never_other_exception(load_policy, _policy_file(tmp_path, data))


@fuzz(70)
@given(data=st.data())
def test_load_policy_mutated(tmp_path: Path, data: st.DataObject) -> None:
    doc = data.draw(mutated(VALID_POLICY))
    as_yaml = data.draw(st.booleans())
    text = yaml.safe_dump(doc) if as_yaml else json.dumps(doc)
    policy = never_other_exception(load_policy, _policy_file(tmp_path, text))
    if policy is not None:
        assert isinstance(policy, Policy)
        for rule in policy.rules:  # every rule names known publishers
            assert all(name in policy.publishers for name in rule.publishers)


# -- 5. evidence: model card, config.json, adapter_config.json ------------------------------

CARD_KEYS = st.sampled_from(["base_model", "base_model_relation", "datasets", "license",
                             "license_name", "tags", "language", "model-index", "pipeline_tag",
                             "library_name", "metrics", "model_name"])


@fuzz(80)
@given(front=YAML_TEXT, body=TEXT)
def test_model_card_arbitrary_front_matter(tmp_path: Path, front: str, body: str) -> None:
    (tmp_path / "README.md").write_text(f"---\n{front}\n---\n{body}\n", encoding="utf-8")
    card = read_model_card(tmp_path)  # a reader of a plain name: never raises
    assert isinstance(card, ModelCard)


@fuzz(80)
@given(meta=st.dictionaries(CARD_KEYS | TEXT, JSON, max_size=6))
def test_model_card_structured_front_matter(tmp_path: Path, meta: dict[str, Any]) -> None:
    (tmp_path / "README.md").write_text("---\n" + yaml.safe_dump(meta) + "---\nbody\n")
    card = read_model_card(tmp_path)
    assert isinstance(card, ModelCard)
    assert all(isinstance(b, str) for b in card.base_model)


@fuzz(60)
@given(data=st.binary(max_size=300))
def test_model_card_random_bytes(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "README.md").write_bytes(b"---\n" + data)
    assert isinstance(read_model_card(tmp_path), ModelCard)


CONFIG_SEED = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "torch_dtype": "bfloat16",
    "hidden_size": 4096, "num_hidden_layers": 32, "vocab_size": 32000,
    "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 128},
    "text_config": {"model_type": "gemma3_text", "hidden_size": 8},
    "auto_map": {"AutoModel": "modeling.Model", "AutoTokenizer": ["a", None]},
}
ADAPTER_SEED = {
    "base_model_name_or_path": "org/base", "peft_type": "LORA", "r": 8, "lora_alpha": 16,
    "lora_dropout": 0.05, "target_modules": ["q_proj", "v_proj"], "task_type": "CAUSAL_LM",
    "revision": "main", "use_dora": False, "inference_mode": True,
}


@fuzz(100)
@given(data=st.data())
def test_config_json(tmp_path: Path, data: st.DataObject) -> None:
    choice = data.draw(st.sampled_from(["mutated", "json", "bytes"]))
    if choice == "mutated":
        body = raw(data.draw(mutated(CONFIG_SEED, rounds=4)))
    elif choice == "json":
        body = raw(data.draw(JSON))
    else:
        body = data.draw(st.binary(max_size=200))
    (tmp_path / "config.json").write_bytes(body)
    assert isinstance(read_config(tmp_path), HfConfig)


@fuzz(100)
@given(data=st.data())
def test_adapter_config_json(tmp_path: Path, data: st.DataObject) -> None:
    choice = data.draw(st.sampled_from(["mutated", "json", "bytes"]))
    if choice == "mutated":
        body = raw(data.draw(mutated(ADAPTER_SEED, rounds=4)))
    elif choice == "json":
        body = raw(data.draw(JSON))
    else:
        body = data.draw(st.binary(max_size=200))
    (tmp_path / "adapter_config.json").write_bytes(body)
    config = read_adapter_config(tmp_path)
    assert isinstance(config, AdapterConfig)
    assert config.r is None or (isinstance(config.r, int) and config.r >= 1)


# -- 6. weight headers: safetensors and GGUF ----------------------------------------------

DTYPES = st.sampled_from(["F32", "F16", "BF16", "I8", "U8", "F4", "F6_E2M3", "BOOL", "F64",
                          "Q4", "", "f32"])
COUNT = st.integers(-3, 2**64) | st.sampled_from([0, 1, 2**31, 2**63 - 1]) | st.booleans()


@st.composite
def safetensors_bytes(draw: st.DrawFn) -> bytes:
    header: dict[str, Any] = {}
    for i in range(draw(st.integers(0, 4))):
        entry = {"dtype": draw(DTYPES), "shape": draw(st.lists(COUNT, max_size=5)),
                 "data_offsets": draw(st.lists(COUNT, min_size=0, max_size=3))}
        header[f"t{i}"] = draw(mutated(entry, rounds=1)) if draw(st.booleans()) else entry
    if draw(st.booleans()):
        header["__metadata__"] = draw(JSON)
    body = json.dumps(header).encode()
    length = draw(st.sampled_from(["exact", "random", "plus", "minus", "huge"]))
    n = {"exact": len(body), "random": draw(st.integers(0, 2**64 - 1)),
         "plus": len(body) + draw(st.integers(1, 64)),
         "minus": max(0, len(body) - draw(st.integers(1, 64))),
         "huge": 10 * 2**30}[length]
    tail = draw(st.binary(max_size=64))
    return struct.pack("<Q", n) + body + tail


@fuzz(100)
@given(data=st.binary(max_size=64) | safetensors_bytes())
def test_safetensors_header(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "model.safetensors").write_bytes(data)
    header = read_safetensors_header(tmp_path, "model.safetensors")
    assert isinstance(header, SafetensorsHeader)
    assert header.parameter_count >= 0 and header.tensor_count >= 0


GGUF_SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?",
                10: "Q", 11: "q", 12: "d"}


def _gguf_string(text: bytes, order: str, claimed: int | None = None) -> bytes:
    return struct.pack(order + "Q", len(text) if claimed is None else claimed) + text


@st.composite
def gguf_value(draw: st.DrawFn, order: str, depth: int = 0) -> tuple[int, bytes]:
    vtype = draw(st.sampled_from([*GGUF_SCALARS, 8, 9, 13, 2**32 - 1]))
    if vtype in GGUF_SCALARS:
        code = GGUF_SCALARS[vtype]
        return vtype, draw(st.binary(min_size=struct.calcsize(code),
                                     max_size=struct.calcsize(code)))
    if vtype == 8:
        claimed = draw(st.none() | COUNT.filter(lambda n: isinstance(n, int) and 0 <= n < 2**64))
        return vtype, _gguf_string(draw(st.binary(max_size=20)), order, claimed)
    if vtype == 9 and depth < 3:
        etype, items = draw(gguf_value(order, depth + 1))
        count = draw(st.integers(0, 3) | st.sampled_from([2**40, 2**64 - 1]))
        return vtype, struct.pack(order + "IQ", etype, count) + items * min(count, 3)
    return vtype, draw(st.binary(max_size=16))


@st.composite
def gguf_bytes(draw: st.DrawFn) -> bytes:
    order = draw(st.sampled_from(["<", ">"]))
    version = draw(st.sampled_from([2, 3, 1, 4, 2**32 - 1]))
    keys = [b"general.architecture", b"general.name", b"general.file_type",
            b"general.base_model.count", b"general.base_model.0.name", b"llama.context_length",
            b"tokenizer.chat_template", b"tokenizer.ggml.tokens", b"\xff\xfe"]
    kvs = b""
    pairs = draw(st.integers(0, 5))
    for _ in range(pairs):
        vtype, value = draw(gguf_value(order))
        kvs += _gguf_string(draw(st.sampled_from(keys)), order) + struct.pack(order + "I", vtype)
        kvs += value
    tensors = b""
    tensor_count = draw(st.integers(0, 3))
    for _ in range(tensor_count):
        dims = draw(st.lists(st.integers(0, 2**64 - 1), max_size=4))
        n_dims = draw(st.sampled_from([len(dims), 9, 2**32 - 1]))
        tensors += _gguf_string(b"w", order) + struct.pack(order + "I", n_dims)
        tensors += b"".join(struct.pack(order + "Q", d) for d in dims) + b"\0" * 12
    claimed_tensors = draw(st.sampled_from([tensor_count, 2**63, 2**64 - 1, 0]))
    claimed_pairs = draw(st.sampled_from([pairs, pairs + 1, 2**40]))
    data = (b"GGUF" + struct.pack(order + "I", version)
            + struct.pack(order + "QQ", claimed_tensors, claimed_pairs) + kvs + tensors)
    cut = draw(st.integers(0, len(data)))
    return data[:cut] if draw(st.booleans()) else data


@fuzz(120)
@given(data=st.binary(max_size=64).map(lambda b: b"GGUF" + b) | gguf_bytes())
def test_gguf_header(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "model.gguf").write_bytes(data)
    header = read_gguf_header(tmp_path, "model.gguf")
    assert isinstance(header, GgufHeader)
    assert header.parameter_count is None or header.parameter_count >= 0


# -- 7. one pass over a whole hostile directory -------------------------------------------


@fuzz(15)
@given(card=YAML_TEXT, config=JSON, adapter=JSON, st_bytes=safetensors_bytes(),
       gguf=gguf_bytes())
def test_build_over_a_directory_of_fuzzed_files(tmp_path: Path, card: str, config: Any,
                                                adapter: Any, st_bytes: bytes,
                                                gguf: bytes) -> None:
    """Every reader at once, through discovery and the CycloneDX export: a document or an
    AibomError, nothing else."""
    from aibom.build import build_document

    model = tmp_path / "m"
    model.mkdir(exist_ok=True)
    (model / "README.md").write_text(f"---\n{card}\n---\n", encoding="utf-8")
    (model / "config.json").write_bytes(raw(config))
    (model / "adapter_config.json").write_bytes(raw(adapter))
    (model / "model.safetensors").write_bytes(st_bytes)
    (model / "model.gguf").write_bytes(gguf)
    result = never_other_exception(build_document, model, output=tmp_path / "out.json")
    assume(result is not None)
    text, _found = result
    assert json.loads(text)["bomFormat"] == "CycloneDX"
