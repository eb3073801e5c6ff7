"""`aibom monitor`: watch a Rekor v1 transparency log for the inventory's models.

    keys = load_log_keys(Path("trusted_root.json"))
    client = RekorClient("https://rekor.example", max_requests=10_000)
    report = monitor(client, keys, Store.open(url), load_policy(path), Path("state.json"))

Each run verifies the log's signed checkpoint, proves the log consistent with the tree head
saved by the previous run, reads the entries appended since (and those the inventory
records), and reports entries signed for inventory components by someone the policy does
not allow, entries signed by our own publishers for artifacts the inventory does not know,
and recorded entries the log does not hold.
"""

from aibom.monitor.checkpoint import Checkpoint, LogKey, load_log_keys, verify_checkpoint
from aibom.monitor.findings import Finding, FindingKind
from aibom.monitor.rekor import RekorClient
from aibom.monitor.scan import MonitorReport, monitor
from aibom.monitor.state import TreeHead, read_state

__all__ = [
    "Checkpoint",
    "Finding",
    "FindingKind",
    "LogKey",
    "MonitorReport",
    "RekorClient",
    "TreeHead",
    "load_log_keys",
    "monitor",
    "read_state",
    "verify_checkpoint",
]
