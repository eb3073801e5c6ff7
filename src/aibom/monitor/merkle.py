"""RFC 6962 / RFC 9162 Merkle tree proofs: inclusion of a leaf, consistency of two tree heads.

Both verifiers follow the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 and raise
`ProofError` for any proof that does not verify; they never return a verdict silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
MAX_PROOF_HASHES = 128  # a tree of 2**63 leaves needs at most 2 * 63 hashes
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A Merkle proof does not prove what it claims."""


def leaf_hash(data: bytes) -> bytes:
    """The RFC 6962 hash of a leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_shape(proof: Sequence[bytes], *roots: bytes) -> None:
    if len(proof) > MAX_PROOF_HASHES:
        raise ProofError(f"proof has {len(proof)} hashes, more than any tree needs")
    for value in (*proof, *roots):
        if len(value) != HASH_SIZE:
            raise ProofError(f"a hash of {len(value)} bytes, not {HASH_SIZE}")


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Leaf hash `leaf` sits at `index` in the tree of `size` leaves whose root is `root`."""
    _check_shape(proof, leaf, root)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    fn, sn, r = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = _node(sibling, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError("inclusion proof does not lead to the root hash")


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """The tree of `size2` leaves (root `root2`) extends the tree of `size1` (root `root1`)."""
    if size1 <= 0:
        # every tree extends the empty one: a proof from it proves nothing, so none is accepted
        raise ProofError("no consistency proof exists from the empty tree")
    if size2 < size1:
        raise ProofError(f"tree size {size2} is smaller than the earlier {size1}")
    if size1 == size2:
        if proof:
            raise ProofError("a proof between equal tree sizes must be empty")
        if root1 != root2:
            raise ProofError("equal tree sizes with different root hashes")
        return
    _check_shape(proof, root1, root2)
    if not proof:
        raise ProofError("consistency proof is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # the old tree is a complete subtree: its root starts the path
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = _node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the tree is deep")
    if fr != root1:
        raise ProofError("consistency proof does not lead to the earlier root hash")
    if sr != root2:
        raise ProofError("consistency proof does not lead to the later root hash")
