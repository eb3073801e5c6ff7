"""Monitor benchmark: how long `aibom monitor` takes to scan a Rekor log of 10,000 entries.

    python benchmarks/monitor.py [--entries 10000] [--appended 1000]

The log is the tests' private Sigstore instance (tests/sigstore_instance: a Rekor v1 REST
front end on 127.0.0.1 with a real RFC 6962 tree, signed checkpoints and inclusion proofs).
It is filled with --entries entries without HTTP: a third `dsse` entries signed by our
release identity (certificate), a third `dsse` by a stranger, a third `hashedrekord` by a
public key; 1 in 10 digests is one an inventory component is known by. The inventory holds
those components; the policy allows only our identity.

Measured (wall clock, `time.perf_counter`, around `aibom.monitor.monitor`, which is what the
CLI runs):
1. the first run: no state file, the checkpoint verified, every entry fetched over HTTP
   (one GET each), proven in the tree and judged;
2. an incremental run after --appended more entries: a consistency proof, then only the new
   entries (and the inventory's recorded ones: none here).
The server runs in the same process (its threads share the 2 cores with the client), so the
numbers include producing every inclusion proof and checkpoint. Exit 0 whatever the numbers.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from sigstore_instance import start_private_sigstore

from aibom.graph import Component, Kind, ProvenanceGraph, SignatureEvidence
from aibom.monitor import RekorClient, load_log_keys, monitor
from aibom.oms.model import PREDICATE_V1, Serialization, SignerFacts
from aibom.policy import load_policy
from aibom.store import Store, ingest_graph

OURS, ISSUER = "release@acme.example", "https://issuer.acme.example"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _pem_cert(instance, identity: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = instance.issue_leaf_certificate(key.public_key(), identity, ISSUER)
    return _b64(cert.public_bytes(serialization.Encoding.PEM))


def fill(instance, first: int, count: int, ours: str, stranger: str, key_pem: str) -> list[str]:
    """Append `count` entries; returns the digests an inventory component should know."""
    known = []
    for n in range(first, first + count):
        digest = hashlib.sha256(b"artifact %d" % n).hexdigest()
        if n % 10 == 0:
            known.append(digest)
        if n % 3 == 2:
            body = {"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
                "data": {"hash": {"algorithm": "sha256", "value": digest}},
                "signature": {"content": _b64(b"\x30" * 70), "publicKey": {"content": key_pem}}}}
        else:
            body = {"apiVersion": "0.0.1", "kind": "dsse", "spec": {
                "envelopeHash": {"algorithm": "sha256", "value": digest[::-1]},
                "payloadHash": {"algorithm": "sha256", "value": digest},
                "signatures": [{"signature": _b64(b"\x30" * 70),
                                "verifier": ours if n % 3 == 0 else stranger}]}}
        instance.rekor.append_body(rfc8785.dumps(body))
    return known


def inventory(store: Store, digests: list[str]) -> None:
    graph = ProvenanceGraph()
    signer = SignerFacts("sigstore", identity=OURS, issuer=ISSUER)
    for n, digest in enumerate(digests):
        sig = SignatureEvidence(f"m{n}/model.sig", hashlib.sha256(digest.encode()).hexdigest(),
                                PREDICATE_V1, None, Serialization(), signer,
                                statement_sha256=digest)
        graph.add_component(Component(f"model:m{n}", Kind.MODEL, f"m{n}", signature=sig))
    ingest_graph(store, graph, source="benchmark")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--appended", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        instance = start_private_sigstore(root / "sigstore")
        try:
            ours, stranger = _pem_cert(instance, OURS), _pem_cert(instance, "x@y.example")
            key = ec.generate_private_key(ec.SECP256R1()).public_key()
            key_pem = _b64(key.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo))
            t = time.perf_counter()
            known = fill(instance, 0, args.entries, ours, stranger, key_pem)
            print(f"log filled: {args.entries} entries in {time.perf_counter() - t:.1f} s")
            policy = root / "policy.yaml"
            policy.write_text(f"version: 1\npublishers:\n  - name: acme\n    identity: {OURS}\n"
                              f"    issuer: {ISSUER}\n    ours: true\n"
                              "rules:\n  - match: '*'\n    publishers: [acme]\n")
            keys = load_log_keys(instance.trusted_root_path)
            state = root / "state.json"
            with Store.open(f"sqlite:///{root}/inventory.sqlite") as store:
                inventory(store, known)
                for label, size in (("first run", args.entries), ("incremental", args.appended)):
                    if label == "incremental":
                        fill(instance, args.entries, size, ours, stranger, key_pem)
                    client = RekorClient(instance.rekor_url, max_requests=10 * size + 100)
                    t = time.perf_counter()
                    report = monitor(client, keys, store, load_policy(policy), state)
                    took = time.perf_counter() - t
                    kinds: dict[str, int] = {}
                    for f in report.findings:
                        kinds[f.kind.value] = kinds.get(f.kind.value, 0) + 1
                    print(f"{label}: {report.entries_read} entries read, {report.requests} "
                          f"requests, {took:.1f} s ({report.entries_read / took:.0f} entries/s); "
                          f"findings {dict(sorted(kinds.items()))}; state written: "
                          f"{report.state_written}")
        finally:
            instance.close()


if __name__ == "__main__":
    main()
