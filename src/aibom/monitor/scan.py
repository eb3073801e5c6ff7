"""One monitor run: verify the log's checkpoint and its consistency with the saved state,
then read the new entries (and those the inventory recorded) and report findings.

Every entry read is proven to be in the verified tree (its inclusion proof, anchored to the
checkpoint by a consistency proof when the log has grown meanwhile) before it is judged.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aibom.errors import InputError, VerificationError
from aibom.monitor import merkle
from aibom.monitor.checkpoint import Checkpoint, LogKey, verify_checkpoint
from aibom.monitor.entries import UnreadableEntry, decode_body
from aibom.monitor.findings import Finding, FindingKind, SignerMatcher, entry_findings
from aibom.monitor.inventory import Inventory, RecordedEntry, load_inventory
from aibom.monitor.rekor import RekorClient
from aibom.monitor.state import TreeHead, check_writable, read_state, write_state
from aibom.policy import Policy
from aibom.store import Store


class LogMisbehaved(Exception):
    """The log served something its own signed tree contradicts (an inconsistent-log finding)."""


@dataclass
class MonitorReport:
    """What one run checked and found."""

    rekor_url: str
    log_id: str = ""
    tree_size: int = 0
    root_hash: str = ""
    previous: TreeHead | None = None
    consistent: bool = False
    entries_read: int = 0  # fetched and proven in the tree
    entries_judged: int = 0  # dsse / hashedrekord 0.0.1 entries checked against the policy
    entries_skipped: int = 0  # other kinds
    entries_unreadable: int = 0
    recorded_checked: int = 0
    requests: int = 0
    state_written: bool = False
    findings: list[Finding] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.findings else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "log": {"url": self.rekor_url, "logId": self.log_id, "treeSize": self.tree_size,
                    "rootHash": self.root_hash,
                    "previousTreeSize": None if self.previous is None else self.previous.size,
                    "consistent": self.consistent},
            "entries": {"read": self.entries_read, "judged": self.entries_judged,
                        "skipped": self.entries_skipped, "unreadable": self.entries_unreadable,
                        "recordedChecked": self.recorded_checked},
            "requests": self.requests,
            "stateWritten": self.state_written,
            "findings": [f.as_json() for f in sorted(self.findings, key=Finding.sort_key)],
        }

    def text_lines(self) -> list[str]:
        lines = []
        for f in sorted(self.findings, key=Finding.sort_key):
            where = "-" if f.log_index is None else str(f.log_index)
            lines.append(f"log index {where}: {f.kind.value}: {f.message}")
        before = "none" if self.previous is None else str(self.previous.size)
        lines.append(
            f"monitor: tree size {self.tree_size} (saved: {before}), "
            f"{'consistent' if self.consistent else 'NOT consistent'}; {self.entries_read} "
            f"entries read, {self.entries_judged} judged, {self.entries_skipped} of other kinds, "
            f"{self.entries_unreadable} unreadable; {self.recorded_checked} recorded entries "
            f"checked; {len(self.findings)} finding(s); state "
            f"{'written' if self.state_written else 'not written'}"
        )
        return lines


def monitor(client: RekorClient, keys: tuple[LogKey, ...], store: Store, policy: Policy,
            state_path: Path) -> MonitorReport:
    """Run the monitor once; InputError (exit 2) leaves the state file untouched."""
    previous = read_state(state_path)
    check_writable(state_path)
    report = MonitorReport(client.base_url, previous=previous)
    checkpoint = _checkpoint(client, keys)
    report.log_id, report.tree_size = checkpoint.log_id.hex(), checkpoint.size
    report.root_hash = checkpoint.root.hex()
    run = _Run(client, checkpoint, report)
    try:
        run.check_consistency(previous)
        report.consistent = True
        inventory = load_inventory(store, checkpoint.log_id)
        run.scan(previous.size if previous else 0, inventory, SignerMatcher(policy))
    except LogMisbehaved:
        pass
    else:
        write_state(state_path, TreeHead(checkpoint.size, checkpoint.root))
        report.state_written = True
    finally:
        report.requests = client.requests
    return report


def _checkpoint(client: RekorClient, keys: tuple[LogKey, ...]) -> Checkpoint:
    info = client.log_info()
    size, root_hex, note = info.get("treeSize"), info.get("rootHash"), info.get("signedTreeHead")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise InputError("the log's /api/v1/log answer has no valid treeSize")
    root = _hex(root_hex, "/api/v1/log rootHash")
    if not isinstance(note, str):
        raise InputError("the log's /api/v1/log answer has no signedTreeHead")
    checkpoint = verify_checkpoint(note, keys)
    if checkpoint.size != size or checkpoint.root != root:
        raise VerificationError(
            f"the log's signed checkpoint (size {checkpoint.size}) does not match the tree it "
            f"reports (size {size}, root {root.hex()[:16]}...)")
    return checkpoint


def _hex(value: Any, what: str) -> bytes:
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise InputError(f"the log's {what} is not hex") from None
    if len(raw) != merkle.HASH_SIZE:
        raise InputError(f"the log's {what} is not a SHA-256")
    return raw


def _hashes(values: Any, what: str) -> list[bytes]:
    if values is None:
        return []
    if not isinstance(values, list) or len(values) > merkle.MAX_PROOF_HASHES:
        raise InputError(f"the log's {what} is not a list of hashes")
    return [_hex(v, what) for v in values]


class _Run:
    def __init__(self, client: RekorClient, checkpoint: Checkpoint,
                 report: MonitorReport) -> None:
        self.client, self.checkpoint, self.report = client, checkpoint, report
        # (tree size, root) pairs proven consistent with the checkpoint
        self._anchored: set[tuple[int, bytes]] = {(checkpoint.size, checkpoint.root)}

    def inconsistent(self, message: str, log_index: int | None = None) -> LogMisbehaved:
        self.report.findings.append(Finding(FindingKind.INCONSISTENT_LOG, log_index, message))
        return LogMisbehaved(message)

    # -- the tree ---------------------------------------------------------------------------
    def check_consistency(self, previous: TreeHead | None) -> None:
        new = self.checkpoint
        if previous is None:
            return
        if previous.size > new.size:
            raise self.inconsistent(f"the log shrank from {previous.size} to {new.size} entries")
        if previous.size == new.size:
            if previous.root != new.root:
                raise self.inconsistent(f"the tree of {new.size} entries has another root hash "
                                        "than the saved one: the log was rewritten")
            return
        if previous.size == 0:
            if previous.root != merkle.EMPTY_ROOT:
                raise self.inconsistent("the saved empty tree has a root hash no empty tree has")
            return
        self._prove_extends(previous.size, previous.root, new.size, new.root)

    def _prove_extends(self, size1: int, root1: bytes, size2: int, root2: bytes) -> None:
        answer = self.client.consistency_proof(size1, size2)
        if _hex(answer.get("rootHash"), "consistency proof rootHash") != root2:
            raise self.inconsistent(f"the consistency proof {size1}->{size2} is for another "
                                    "root hash than the signed one")
        try:
            merkle.verify_consistency(size1, size2, _hashes(answer.get("hashes"),
                                                            "consistency proof"), root1, root2)
        except merkle.ProofError as exc:
            raise self.inconsistent(f"the tree of {size2} entries does not extend the tree of "
                                    f"{size1} ({exc}): the log was rewritten") from None

    def _anchor(self, size: int, root: bytes, log_index: int) -> None:
        """Prove the tree an inclusion proof was made for is the checkpoint's tree, or one
        consistent with it (the log may grow while it is read)."""
        if (size, root) in self._anchored:
            return
        cp = self.checkpoint
        if size == cp.size:
            raise self.inconsistent(f"entry {log_index} is proven against another root hash "
                                    f"for the signed tree size {size}", log_index)
        if size > cp.size:
            self._prove_extends(cp.size, cp.root, size, root)
        else:
            self._prove_extends(size, root, cp.size, cp.root)
        self._anchored.add((size, root))

    # -- the entries ------------------------------------------------------------------------
    def scan(self, start: int, inventory: Inventory, matcher: SignerMatcher) -> None:
        size = self.checkpoint.size
        recorded: dict[int, list[RecordedEntry]] = {}
        for entry in inventory.entries:
            if entry.log_index >= size:
                self.report.findings.append(_mismatch(
                    entry, f"recorded entry {entry.log_index} of {entry.component.name} is "
                    f"beyond the log's {size} entries"))
            else:
                recorded.setdefault(entry.log_index, []).append(entry)
        for index in _merged(range(start, size), recorded):
            leaf, body = self.fetch(index)
            for rec in recorded.get(index, ()):
                self.report.recorded_checked += 1
                if rec.entry_uuid is not None and rec.entry_uuid.lower()[-64:] != leaf.hex():
                    self.report.findings.append(_mismatch(
                        rec, f"the log holds another entry at index {index} than the one "
                        f"recorded for {rec.component.name} (leaf {leaf.hex()[:16]}..., "
                        f"recorded {rec.entry_uuid[-64:][:16]}...)"))
            self.judge(index, body, inventory, matcher)

    def fetch(self, index: int) -> tuple[bytes, bytes]:
        """The entry's leaf hash and body, proven to be leaf `index` of the verified tree."""
        answer = self.client.entry(index)
        if len(answer) != 1:
            raise InputError(f"the log's answer for entry {index} is not one entry")
        uuid, node = next(iter(answer.items()))
        if not isinstance(node, dict):
            raise InputError(f"the log's answer for entry {index} is not an entry")
        try:
            body = base64.b64decode(node["body"], validate=True)
            proof = node["verification"]["inclusionProof"]
            proof_size, proof_index = proof["treeSize"], proof["logIndex"]
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise self.inconsistent(f"entry {index} comes without a body or inclusion proof",
                                    index) from None
        leaf = merkle.leaf_hash(body)
        if node.get("logIndex") != index or proof_index != index:
            raise self.inconsistent(f"asked for entry {index}, the log answered another", index)
        if str(node.get("logID", "")).lower() != self.checkpoint.log_id.hex():
            raise self.inconsistent(f"entry {index} names another log ID", index)
        if not isinstance(uuid, str) or uuid.lower()[-64:] != leaf.hex():
            raise self.inconsistent(f"entry {index}'s UUID is not the hash of its body", index)
        if not isinstance(proof_size, int) or isinstance(proof_size, bool):
            raise self.inconsistent(f"entry {index}'s inclusion proof has no tree size", index)
        root = _hex(proof.get("rootHash"), f"inclusion proof rootHash of entry {index}")
        try:
            merkle.verify_inclusion(index, proof_size, leaf,
                                    _hashes(proof.get("hashes"), "inclusion proof"), root)
        except merkle.ProofError as exc:
            raise self.inconsistent(f"entry {index} is not in the log's tree ({exc})",
                                    index) from None
        self._anchor(proof_size, root, index)
        self.report.entries_read += 1
        return leaf, body

    def judge(self, index: int, body: bytes, inventory: Inventory,
              matcher: SignerMatcher) -> None:
        try:
            decoded = decode_body(body)
        except UnreadableEntry:
            self.report.entries_unreadable += 1
            return
        if decoded is None:
            self.report.entries_skipped += 1
            return
        self.report.entries_judged += 1
        known = inventory.by_digest.get(decoded.digest, ())
        self.report.findings += entry_findings(index, decoded, known, matcher)


def _merged(new: range, recorded: dict[int, list[RecordedEntry]]) -> Iterable[int]:
    """The new indexes, and the recorded ones before them, in log order, each once."""
    earlier = sorted(i for i in recorded if i < new.start)
    yield from earlier
    yield from new


def _mismatch(entry: RecordedEntry, message: str) -> Finding:
    return Finding(FindingKind.ENTRY_MISMATCH, entry.log_index, message,
                   identity=None, component=entry.component.name)
