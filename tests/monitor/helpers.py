"""The ground `aibom monitor` is tested on: a private Sigstore instance whose Rekor log holds
signed models, an inventory that knows some of them, and a policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sigstore_instance import PrivateSigstore

ALICE = "alice@acme.example"  # our release identity
BOB = "bob@vendor.example"  # the vendor's
MALLORY = "mallory@evil.example"
ISSUER = "https://issuer.acme.example"


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def kinds(self) -> list[tuple[str, int | None]]:
        return [(f["kind"], f["log_index"]) for f in self.json()["findings"]]


@dataclass
class World:
    sigstore: PrivateSigstore
    root: Path
    cli: Callable[..., Run]

    @property
    def db(self) -> Path:
        return self.root / "inventory.sqlite"

    @property
    def policy(self) -> Path:
        return self.root / "policy.yaml"

    @property
    def state(self) -> Path:
        return self.root / "state.json"

    def model(self, name: str, content: bytes) -> Path:
        directory = self.root / "models" / name
        directory.mkdir(parents=True)
        (directory / "weights.bin").write_bytes(content)
        (directory / "config.json").write_text('{"layers": 2}')
        return directory

    def sign(self, model: Path, identity: str, signature: Path | None = None) -> Path:
        signature = signature or model / "model.sig"
        token = self.sigstore.identity_token(identity, ISSUER)
        run = self.cli("sign", model, "--sigstore", "--identity-token", token,
                       "--trust-config", self.sigstore.trust_config_path,
                       "--signature", signature)
        assert run.code == 0, run.err
        return signature

    def inventory(self, model: Path, edit: Callable[[dict[str, Any]], None] | None = None
                  ) -> dict[str, Any]:
        """Build the model's CycloneDX AIBOM (optionally edited) and ingest it."""
        out = model.parent / f"{model.name}.cdx.json"
        run = self.cli("build", model, "-o", out)
        assert run.code == 0, run.err
        document = json.loads(out.read_text())
        if edit is not None:
            edit(document)
            out.write_text(json.dumps(document))
        run = self.cli("ingest", out, "--db", self.db)
        assert run.code == 0, run.err
        return document

    def monitor(self, *extra: object, url: str | None = None,
                trust: Path | None = None) -> Run:
        return self.cli("monitor", "--rekor-url", url or self.sigstore.rekor_url,
                        "--trust-config", trust or self.sigstore.trusted_root_path,
                        "--db", self.db, "--policy", self.policy, "--state", self.state,
                        "--format", "json", *extra)


POLICY = f"""\
version: 1
publishers:
  - name: acme
    identity: {ALICE}
    issuer: {ISSUER}
    ours: true
  - name: vendor
    identity: {BOB}
    issuer: {ISSUER}
rules:
  - match: "vendor-*"
    publishers: [vendor]
  - match: "*"
    publishers: [acme]
"""
