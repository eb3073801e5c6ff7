"""The sample lineage chain the lineage tests verify, built from scratch at test time.

The chain is the one samples/make_samples.py describes (its content generator is reused,
its committed signatures are not):

    tiny-corpus (dataset)      signed keyless by the vendor (private test Sigstore)
    tiny-base                  signed keyless by the vendor, attested "trained on tiny-corpus"
    tiny-chat                  community fine-tune of tiny-base: signed by the community key,
                               then adopted by the organisation (pinned, verified, scanned,
                               re-signed with its certificate chain, adoption attested)
    tiny-instruct (dataset)    signed with the organisation's key, tiny-chat trained on it
    tiny-chat-lora (adapter)   signed with the organisation's key, attested adapter of tiny-chat
    tiny-chat-q8 (GGUF)        signed with the organisation's key, attested quantized tiny-chat

Every test that mutates the chain works on a copy (the `chain` fixture).
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom.lineage.adopt import adopt
from aibom.lineage.attest import attest, content_root_digest
from aibom.oms.sign import CertificateSigner, KeylessSigner, KeySigner, sign_model
from aibom.oms.verify import KeyTrust

REPO = Path(__file__).resolve().parents[2]  # the checkout: samples/, schemas/
VENDOR_IDENTITY = "release@vendor.example"
VENDOR_ISSUER = "https://accounts.vendor.example"
ORG = "aibom-samples"

# Component refs as discovery names them (a directory takes the id another card declares).
BASE = f"model:{ORG}/tiny-base"
CHAT = f"model:{ORG}/tiny-chat"
LORA = "adapter:tiny-chat-lora"
Q8 = "model:tiny-chat-q8"
INSTRUCT = f"dataset:{ORG}/tiny-instruct"
CORPUS = f"dataset:{ORG}/tiny-corpus"

MODEL_DIRS = (
    "models/tiny-base",
    "models/tiny-chat",
    "models/tiny-chat-lora",
    "models/tiny-chat-q8",
)
DATASET_DIRS = ("datasets/tiny-instruct", "datasets/tiny-corpus")
TARGET = "models/tiny-chat-q8"
WITH = (*MODEL_DIRS[:3], *DATASET_DIRS)


def load_make_samples() -> Any:
    """samples/make_samples.py as a private module (its content generators are reused)."""
    spec = importlib.util.spec_from_file_location(
        "_lineage_make_samples", REPO / "samples" / "make_samples.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class KeySet:
    """One organisation's demo keys (make_samples.make_keys layout)."""

    folder: Path

    def __truediv__(self, name: str) -> Path:
        return self.folder / name

    def key_signer(self) -> KeySigner:
        return KeySigner((self.folder / "acme-key.pem").read_bytes())

    def cert_signer(self) -> CertificateSigner:
        return CertificateSigner(
            (self.folder / "acme-leaf-key.pem").read_bytes(),
            (self.folder / "acme-leaf.pem").read_bytes(),
            ((self.folder / "acme-intermediate.pem").read_bytes(),),
        )

    def community_signer(self) -> KeySigner:
        return KeySigner((self.folder / "community-key.pem").read_bytes())


@dataclass(frozen=True)
class Vendor:
    """Signs keyless through the private Sigstore instance."""

    instance: Any
    trust_config: Path

    def signer(self, identity: str = VENDOR_IDENTITY, issuer: str = VENDOR_ISSUER) -> KeylessSigner:
        return KeylessSigner(self.instance.identity_token(identity, issuer), self.trust_config)


@dataclass(frozen=True)
class Chain:
    root: Path  # models/, datasets/, keys/ (policy files are written here by the tests)
    keys: KeySet  # the organisation's (and the community's) keys, trusted by the policy
    rogue: KeySet  # another organisation's keys: same layout, trusted by nobody
    vendor: Vendor
    alt_base: Path  # another tiny-base, correctly signed by the vendor, different weights

    def __truediv__(self, name: str) -> Path:
        return self.root / name

    def copy(self, where: Path) -> Chain:
        shutil.copytree(self.root, where, symlinks=True)
        return Chain(where, KeySet(where / "keys"), self.rogue, self.vendor, self.alt_base)


def policy_yaml(
    *,
    signatures: str = "all",
    lineage: str = "attested",
    scan: str = "clean",
    keys: str = "keys",
    extra_rules: str = "",
) -> str:
    """The sample policy (paths relative to the policy file), with its require block."""
    return f"""\
version: 1
publishers:
  - name: vendor
    identity: {VENDOR_IDENTITY}
    issuer: {VENDOR_ISSUER}
    trust_config: {keys}/vendor-trust-config.json
  - name: acme-ml
    certificate_chain: [{keys}/acme-root.pem]
  - name: acme-ml-key
    public_key: {keys}/acme-pub.pem
rules:
{extra_rules}  - match: "{ORG}/tiny-base"
    publishers: [vendor]
  - match: "{ORG}/tiny-corpus"
    publishers: [vendor]
  - match: "*"
    publishers: [acme-ml, acme-ml-key]
require:
  signatures: {signatures}
  lineage: {lineage}
  scan: {scan}
"""


def write_policy(
    folder: Path, text: str | None = None, name: str = "policy.yaml", **kw: Any
) -> Path:
    path = folder / name
    path.write_text(text if text is not None else policy_yaml(**kw), encoding="utf-8")
    return path


# -- building the chain --------------------------------------------------------------------


def build_chain(root: Path, alt_root: Path, vendor: Vendor, ms: Any) -> None:
    ms.MODELS, ms.DATASETS, ms.KEYS = root / "models", root / "datasets", root / "keys"
    ms.write_family()
    ms.make_keys()
    shutil.copy(vendor.trust_config, root / "keys" / "vendor-trust-config.json")
    keys = KeySet(root / "keys")
    models, datasets = root / "models", root / "datasets"
    base, chat = models / "tiny-base", models / "tiny-chat"
    corpus, instruct = datasets / "tiny-corpus", datasets / "tiny-instruct"

    # Another base, same vendor identity, other weights: a correctly signed impostor.
    alt = alt_root / "tiny-base"
    shutil.copytree(base, alt)
    (alt / "model.safetensors").write_bytes(ms.safetensors(ms.WEIGHTS, seed=9))

    sign_model(corpus, corpus / "model.sig", vendor.signer())
    for model in (base, alt):
        sign_model(model, model / "model.sig", vendor.signer())
        attest(model, parents=[], relation=None, datasets=[corpus], signer=vendor.signer())

    sign_model(instruct, instruct / "model.sig", keys.key_signer())
    sign_model(chat, chat / "model.sig", keys.community_signer())
    adopt(
        chat,
        pin=content_root_digest(chat),
        signer=keys.cert_signer(),
        source=f"https://huggingface.co/{ORG}/tiny-chat",
        upstream_trust=KeyTrust((keys / "community-pub.pem").read_bytes()),
        parents=[base],
        relation="finetune",
        datasets=[instruct],
    )
    for name, relation in (("tiny-chat-lora", "adapter"), ("tiny-chat-q8", "quantized")):
        sign_model(models / name, models / name / "model.sig", keys.key_signer())
        attest(models / name, parents=[chat], relation=relation, signer=keys.key_signer())


@dataclass(frozen=True)
class ChainRun:
    """`aibom verify-chain --format json`, parsed."""

    code: int
    checks: list[dict[str, Any]]
    err: str
    verified: bool

    def check(self, subject: str, relation: str | None = None) -> dict[str, Any]:
        """The one check about `subject` (an edge's reason starts with its relation)."""
        found = [
            c
            for c in self.checks
            if c["subject"] == subject
            and (relation is None or c["reason"].startswith(f"{relation}:"))
        ]
        assert len(found) == 1, f"{subject!r} {relation or ''}: {self.summary()}"
        return found[0]

    def failures(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if c["status"] == "failed"]

    def failed(self, subject: str, relation: str | None = None) -> dict[str, Any]:
        check = self.check(subject, relation)
        assert check["status"] == "failed", check
        return check

    def summary(self) -> str:
        return "\n".join(f"{c['status']:<13} {c['subject']}: {c['reason']}" for c in self.checks)


