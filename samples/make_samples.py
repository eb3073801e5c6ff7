"""Regenerate the sample model family under samples/ (deterministic content, no network).

    python samples/make_samples.py            # rewrite the files and re-sign everything
    python samples/make_samples.py --new-keys # also replace the demo keys and certificates
    python samples/make_samples.py --hub-only # only rebuild samples/hub from the family

The family: a vendor's base model signed keyless (through a private, offline Sigstore
instance from the test suite), the organisation's full fine-tune signed with its
certificate chain, a LoRA adapter and a quantized GGUF variant signed with its key, and
two datasets. The keys under samples/keys are demo keys, public on purpose.

samples/hub is the base, the fine-tune and their datasets as a user's Hugging Face hub
cache holds them after downloading (HF_HUB_CACHE=samples/hub): blobs named as
huggingface_hub names them, snapshots of relative links, refs; tiny-chat has an older,
unsigned revision (v0.9) that shares its weights blob with main.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent
MODELS, DATASETS, KEYS = SAMPLES / "models", SAMPLES / "datasets", SAMPLES / "keys"
HUB = SAMPLES / "hub"
# what a Hugging Face repository's default .gitattributes stores with Git LFS (the subset here;
# the .gitattributes file itself is left out of the samples: git refuses to read a symlinked one)
LFS_SUFFIXES = (".safetensors", ".gguf", ".bin", ".parquet")
VENDOR_IDENTITY = "release@vendor.example"
VENDOR_ISSUER = "https://accounts.vendor.example"
ORG = "aibom-samples"


def safetensors(tensors: dict[str, tuple[str, list[int]]], seed: int) -> bytes:
    """A tiny, valid safetensors file: 8-byte header length, JSON header, then the data."""
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    offset = 0
    sizes = {"F32": 4, "F16": 2, "I8": 1}
    for name, (dtype, shape) in sorted(tensors.items()):
        count = 1
        for dim in shape:
            count *= dim
        length = count * sizes[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + length]}
        offset += length
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    data = bytes((seed * 31 + i * 7) % 251 for i in range(offset))
    return struct.pack("<Q", len(raw)) + raw + data


def gguf(metadata: dict[str, str | int], tensor: str, seed: int) -> bytes:
    """A tiny GGUF v3 file: header, metadata, one Q8_0 tensor of 32 values (one block)."""

    def string(s: str) -> bytes:
        b = s.encode()
        return struct.pack("<Q", len(b)) + b

    out = b"GGUF" + struct.pack("<IQQ", 3, 1, len(metadata))
    for key, value in sorted(metadata.items()):
        out += string(key)
        if isinstance(value, int):
            out += struct.pack("<II", 4, value)  # UINT32
        else:
            out += struct.pack("<I", 8) + string(value)  # STRING
    out += string(tensor) + struct.pack("<I", 1) + struct.pack("<Q", 32) + struct.pack("<IQ", 8, 0)
    out += b"\0" * (-len(out) % 32)
    return out + bytes((seed * 17 + i * 5) % 251 for i in range(34))


def write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)


def card(front: str, title: str, body: str) -> str:
    return f"---\n{front.strip()}\n---\n\n# {title}\n\n{body.strip()}\n"


def config(**extra: object) -> str:
    base = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 16,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "vocab_size": 64,
        "torch_dtype": "float32",
    }
    return json.dumps({**base, **extra}, indent=2, sort_keys=True) + "\n"


WEIGHTS = {
    "model.embed_tokens.weight": ("F32", [64, 16]),
    "model.layers.0.mlp.up_proj.weight": ("F32", [32, 16]),
    "model.layers.1.mlp.up_proj.weight": ("F32", [32, 16]),
    "lm_head.weight": ("F32", [64, 16]),
}


def write_family() -> None:
    for folder in (MODELS, DATASETS):
        shutil.rmtree(folder, ignore_errors=True)
    write(
        DATASETS / "tiny-corpus" / "README.md",
        card(
            """
pretty_name: Tiny Corpus
license: cc-by-4.0
language: [en]
task_categories: [text-generation]
size_categories: [n<1K]
""",
            "tiny-corpus",
            "Synthetic sentences used to pre-train the sample base model.",
        ),
    )
    write(
        DATASETS / "tiny-corpus" / "data" / "train.jsonl",
        "".join(json.dumps({"text": f"sample sentence number {i}."}) + "\n" for i in range(40)),
    )
    write(
        DATASETS / "tiny-instruct" / "README.md",
        card(
            f"""
pretty_name: Tiny Instruct
license: apache-2.0
language: [en]
task_categories: [question-answering]
size_categories: [n<1K]
source_datasets: [{ORG}/tiny-corpus]
""",
            "tiny-instruct",
            "Synthetic instruction/response pairs for the sample fine-tune.",
        ),
    )
    write(
        DATASETS / "tiny-instruct" / "data" / "train.jsonl",
        "".join(
            json.dumps(
                {"instruction": f"count to {i}", "response": " ".join(map(str, range(1, i + 1)))}
            )
            + "\n"
            for i in range(1, 30)
        ),
    )

    write(
        MODELS / "tiny-base" / "README.md",
        card(
            f"""
license: apache-2.0
pipeline_tag: text-generation
library_name: transformers
language: [en]
tags: [aibom-sample, tiny]
datasets: [{ORG}/tiny-corpus]
""",
            "tiny-base",
            "A deliberately tiny decoder-only language model: the vendor's base model of the "
            "aibom samples. Its weights are synthetic; it predicts nothing useful.",
        ),
    )
    write(MODELS / "tiny-base" / "config.json", config())
    write(MODELS / "tiny-base" / "model.safetensors", safetensors(WEIGHTS, seed=1))

    write(
        MODELS / "tiny-chat" / "README.md",
        card(
            f"""
license: apache-2.0
pipeline_tag: text-generation
library_name: transformers
base_model: {ORG}/tiny-base
base_model_relation: finetune
datasets: [{ORG}/tiny-instruct]
tags: [aibom-sample, chat]
model-index:
- name: tiny-chat
  results:
  - task: {{type: text-generation}}
    dataset: {{name: Tiny Instruct, type: {ORG}/tiny-instruct}}
    metrics:
    - {{type: accuracy, value: 0.42, name: exact match}}
""",
            "tiny-chat",
            "The organisation's full fine-tune of tiny-base on tiny-instruct.",
        ),
    )
    write(MODELS / "tiny-chat" / "config.json", config(_name_or_path=f"{ORG}/tiny-base"))
    write(MODELS / "tiny-chat" / "model.safetensors", safetensors(WEIGHTS, seed=2))

    write(
        MODELS / "tiny-chat-lora" / "README.md",
        card(
            f"""
license: apache-2.0
library_name: peft
base_model: {ORG}/tiny-chat
base_model_relation: adapter
tags: [aibom-sample, lora]
""",
            "tiny-chat-lora",
            "A LoRA adapter on tiny-chat.",
        ),
    )
    write(
        MODELS / "tiny-chat-lora" / "adapter_config.json",
        json.dumps(
            {
                "base_model_name_or_path": f"{ORG}/tiny-chat",
                "peft_type": "LORA",
                "task_type": "CAUSAL_LM",
                "r": 4,
                "lora_alpha": 8,
                "lora_dropout": 0.05,
                "target_modules": ["q_proj", "v_proj"],
                "inference_mode": True,
            },
            indent=2,
            sort_keys=True,
        )
        + "\n",
    )
    write(
        MODELS / "tiny-chat-lora" / "adapter_model.safetensors",
        safetensors(
            {
                "base_model.model.layers.0.self_attn.q_proj.lora_A.weight": ("F32", [4, 16]),
                "base_model.model.layers.0.self_attn.q_proj.lora_B.weight": ("F32", [16, 4]),
            },
            seed=3,
        ),
    )

    write(
        MODELS / "tiny-chat-q8" / "README.md",
        card(
            f"""
license: apache-2.0
base_model: {ORG}/tiny-chat
base_model_relation: quantized
tags: [aibom-sample, gguf]
""",
            "tiny-chat-q8",
            "tiny-chat quantized to Q8_0 in GGUF.",
        ),
    )
    write(
        MODELS / "tiny-chat-q8" / "tiny-chat-q8_0.gguf",
        gguf(
            {
                "general.architecture": "llama",
                "general.name": "tiny-chat",
                "general.file_type": 7,
                "general.quantization_version": 2,
                "general.license": "apache-2.0",
                "general.base_model.count": 1,
                "general.base_model.0.name": "tiny-chat",
                "general.base_model.0.organization": ORG,
                "llama.context_length": 128,
            },
            "token_embd.weight",
            seed=4,
        ),
    )


def make_keys() -> None:
    """Demo keys: an organisation root CA -> intermediate -> code-signing leaf, and a bare key."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def save_key(key: ec.EllipticCurvePrivateKey, name: str) -> None:
        write(
            KEYS / name,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        )

    def issue(
        subject: str, key, issuer_name: x509.Name, issuer_key, *, ca: bool
    ) -> x509.Certificate:
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
        )
        usage = dict.fromkeys(
            (
                "content_commitment",
                "key_encipherment",
                "data_encipherment",
                "key_agreement",
                "crl_sign",
                "encipher_only",
                "decipher_only",
            ),
            False,
        )
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=not ca, key_cert_sign=ca, **usage), critical=True
        )
        if not ca:
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False
            )
        return builder.sign(issuer_key, hashes.SHA256())

    def pem(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.PEM)

    root_key, int_key, leaf_key, bare_key, community_key = (
        ec.generate_private_key(ec.SECP256R1()) for _ in range(5)
    )
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ACME ML Root CA (demo)")])
    root = issue("ACME ML Root CA (demo)", root_key, root_name, root_key, ca=True)
    intermediate = issue("ACME ML Signing CA (demo)", int_key, root.subject, root_key, ca=True)
    leaf = issue(
        "acme-ml release signing (demo)", leaf_key, intermediate.subject, int_key, ca=False
    )
    write(KEYS / "acme-root.pem", pem(root))
    write(KEYS / "acme-intermediate.pem", pem(intermediate))
    write(KEYS / "acme-leaf.pem", pem(leaf))
    save_key(leaf_key, "acme-leaf-key.pem")
    for key, name in ((bare_key, "acme"), (community_key, "community")):
        save_key(key, f"{name}-key.pem")
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        write(KEYS / f"{name}-pub.pem", public)


def sign_family() -> None:
    """The chain: the vendor signs its base (keyless) and attests its training data; a
    community fine-tune is adopted by the organisation (pinned, verified, scanned, re-signed
    with its certificate); the organisation attests the adapter and the quantized variant."""
    sys.path.insert(0, str(SAMPLES.parent / "tests"))
    from sigstore_instance import start_private_sigstore

    from aibom.lineage.adopt import adopt
    from aibom.lineage.attest import attest, content_root_digest
    from aibom.oms.sign import CertificateSigner, KeylessSigner, KeySigner, sign_model
    from aibom.oms.verify import KeyTrust

    org_key = KeySigner((KEYS / "acme-key.pem").read_bytes())
    org_cert = CertificateSigner(
        (KEYS / "acme-leaf-key.pem").read_bytes(),
        (KEYS / "acme-leaf.pem").read_bytes(),
        ((KEYS / "acme-intermediate.pem").read_bytes(),),
    )
    base, chat = MODELS / "tiny-base", MODELS / "tiny-chat"
    corpus, instruct = DATASETS / "tiny-corpus", DATASETS / "tiny-instruct"
    with tempfile.TemporaryDirectory() as work:
        instance = start_private_sigstore(Path(work))
        try:
            shutil.copy(instance.trust_config_path, KEYS / "vendor-trust-config.json")
            vendor = KeylessSigner(
                instance.identity_token(VENDOR_IDENTITY, VENDOR_ISSUER), instance.trust_config_path
            )
            sign_model(base, base / "model.sig", vendor)
            vendor = KeylessSigner(
                instance.identity_token(VENDOR_IDENTITY, VENDOR_ISSUER), instance.trust_config_path
            )
            attest(base, parents=[], relation=None, datasets=[corpus], signer=vendor)
        finally:
            instance.close()
    sign_model(instruct, instruct / "model.sig", org_key)
    sign_model(chat, chat / "model.sig", KeySigner((KEYS / "community-key.pem").read_bytes()))
    adopt(
        chat,
        pin=content_root_digest(chat),
        signer=org_cert,
        source=f"https://huggingface.co/{ORG}/tiny-chat",
        upstream_trust=KeyTrust((KEYS / "community-pub.pem").read_bytes()),
        parents=[base],
        relation="finetune",
        datasets=[instruct],
    )
    for name, relation in (("tiny-chat-lora", "adapter"), ("tiny-chat-q8", "quantized")):
        sign_model(MODELS / name, MODELS / name / "model.sig", org_key)
        attest(MODELS / name, parents=[chat], relation=relation, signer=org_key)


def write_hub_cache() -> None:
    """samples/hub from samples/models and samples/datasets, laid out as huggingface_hub
    lays out its cache: blobs/<sha256> for LFS files and blobs/<git blob sha1> for the rest,
    snapshots/<commit>/<path> as relative links, refs/<name> holding the commit."""
    shutil.rmtree(HUB, ignore_errors=True)
    for folder, repo_type, names in (
        (MODELS, "model", ("tiny-base", "tiny-chat")),
        (DATASETS, "dataset", ("tiny-corpus", "tiny-instruct")),
    ):
        for repo in (folder / name for name in names):
            files = {
                p.relative_to(repo).as_posix(): p.read_bytes()
                for p in sorted(repo.rglob("*"))
                if p.is_file()
            }
            repo_id = f"{ORG}/{repo.name}"
            if repo.name == "tiny-chat":  # an older revision, before the card and signatures
                older = {n: d for n, d in files.items() if not n.endswith(".sig")}
                older["README.md"] = card("license: apache-2.0", "tiny-chat", "Work in progress.")
                add_hub_revision(repo_type, repo_id, older, refs=("v0.9",))
            add_hub_revision(repo_type, repo_id, files, refs=("main",))


def add_hub_revision(
    repo_type: str, repo_id: str, files: dict[str, bytes | str], refs: tuple[str, ...]
) -> None:
    repo = HUB / "--".join([f"{repo_type}s", *repo_id.split("/")])
    data = {n: d.encode() if isinstance(d, str) else d for n, d in files.items()}
    blobs = {n: blob_name(n, d) for n, d in data.items()}
    commit = hashlib.sha1(  # a stand-in for the hub's commit id: derived from the content
        "".join(f"{n}\0{blobs[n]}\n" for n in sorted(blobs)).encode()
    ).hexdigest()
    for name in sorted(data):
        blob = repo / "blobs" / blobs[name]
        write(blob, data[name])
        link = repo / "snapshots" / commit / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(os.path.relpath(blob, link.parent))
    for ref in refs:
        write(repo / "refs" / ref, commit)


def blob_name(name: str, data: bytes) -> str:
    """The name huggingface_hub gives a file's blob: its ETag on the hub."""
    if name.endswith(LFS_SUFFIXES):
        return hashlib.sha256(data).hexdigest()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--new-keys", action="store_true", help="replace the demo keys and certificates"
    )
    parser.add_argument(
        "--hub-only", action="store_true", help="only rebuild samples/hub from the family"
    )
    args = parser.parse_args()
    if not args.hub_only:
        write_family()
        if args.new_keys or not (KEYS / "community-key.pem").exists():
            make_keys()
        sign_family()
    write_hub_cache()


if __name__ == "__main__":
    main()
