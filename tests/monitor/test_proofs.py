"""The RFC 6962 proof verifier against the transparency-dev/merkle test vectors, and against
trees built here (the test log's own proof generator)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from sigstore_instance.merkle import MerkleTree

from aibom.monitor import merkle


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value is not None else b""


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_b64(h) for h in vector["proof"] or []]


@pytest.fixture(scope="module")
def vectors(merkle_vectors: Path) -> dict[str, list[dict[str, Any]]]:
    return json.loads((merkle_vectors / "transparency-dev-merkle.json").read_text())


def test_vectors_are_there(vectors: dict[str, list[dict[str, Any]]]) -> None:
    assert len(vectors["consistency"]) > 90 and len(vectors["inclusion"]) > 90
    assert any(not v["wantErr"] for v in vectors["consistency"])
    assert any(v["wantErr"] for v in vectors["inclusion"])


def test_consistency_vectors(vectors: dict[str, list[dict[str, Any]]]) -> None:
    for v in vectors["consistency"]:
        args = (v["size1"], v["size2"], _proof(v), _b64(v["root1"]), _b64(v["root2"]))
        if v["wantErr"]:
            with pytest.raises(merkle.ProofError):
                merkle.verify_consistency(*args)
        else:
            merkle.verify_consistency(*args)


def test_inclusion_vectors(vectors: dict[str, list[dict[str, Any]]]) -> None:
    for v in vectors["inclusion"]:
        args = (v["leafIdx"], v["treeSize"], _b64(v["leafHash"]), _proof(v), _b64(v["root"]))
        if v["wantErr"]:
            with pytest.raises(merkle.ProofError):
                merkle.verify_inclusion(*args)
        else:
            merkle.verify_inclusion(*args)


def test_every_proof_of_a_small_tree() -> None:
    tree = MerkleTree()
    for n in range(21):
        tree.append(b"leaf %d" % n)
    for size2 in range(1, 22):
        for size1 in range(1, size2 + 1):
            proof = tree.consistency_proof(size1, size2)
            merkle.verify_consistency(size1, size2, proof, tree.root(size1), tree.root(size2))
            if size1 < size2:
                with pytest.raises(merkle.ProofError):
                    merkle.verify_consistency(size1, size2, proof, tree.root(size2),
                                              tree.root(size2))
        for index in range(size2):
            leaf = merkle.leaf_hash(b"leaf %d" % index)
            merkle.verify_inclusion(index, size2, leaf, tree.inclusion_proof(index, size2),
                                    tree.root(size2))
            with pytest.raises(merkle.ProofError):
                merkle.verify_inclusion(index, size2, merkle.leaf_hash(b"other"),
                                        tree.inclusion_proof(index, size2), tree.root(size2))


def test_oversized_proofs_are_refused() -> None:
    with pytest.raises(merkle.ProofError, match="more than any tree needs"):
        merkle.verify_inclusion(0, 2, b"\0" * 32, [b"\0" * 32] * 129, b"\0" * 32)
