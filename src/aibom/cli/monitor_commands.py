"""`aibom monitor`: check a Rekor v1 log against the inventory and the policy."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aibom.cli.options import emit_json, format_option
from aibom.cli.store_commands import db_option


@click.command("monitor")
@click.option("--rekor-url", required=True, metavar="URL",
              help="Base URL of the Rekor v1 log (nothing else is contacted).")
@click.option("--trust-config", required=True, type=click.Path(), metavar="TRUST.json",
              help="trusted_root.json or ClientTrustConfig holding the log's key.")
@db_option
@click.option("--policy", "policy_path", required=True, type=click.Path(), metavar="POLICY",
              help="Policy: who may sign each component; publishers with `ours: true`.")
@click.option("--state", "state_path", required=True, type=click.Path(), metavar="STATE.json",
              help="The tree head verified last time; read, then replaced after a "
              "consistent run (created on the first).")
@format_option
@click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True,
              help="Seconds per request to the log.")
@click.option("--max-requests", type=click.IntRange(1), default=100_000, show_default=True,
              help="Request budget: the run fails (exit 2) rather than exceed it.")
def monitor(rekor_url: str, trust_config: str, db: str | None, policy_path: str,
            state_path: str, output_format: str, timeout: float, max_requests: int) -> None:
    """Watch a transparency log for the inventory: verify its checkpoint and consistency
    with STATE.json, then report unexpected signers, unknown artifacts signed by us, and
    recorded entries the log does not hold. Exit 0 no findings, 1 findings, 2 bad input or
    unreachable log."""
    from aibom.monitor import RekorClient, load_log_keys
    from aibom.monitor import monitor as run
    from aibom.policy import load_policy
    from aibom.store import Store

    keys = load_log_keys(Path(trust_config))
    policy = load_policy(Path(policy_path))
    client = RekorClient(rekor_url, timeout=timeout, max_requests=max_requests)
    with Store.open(db) as store:
        report = run(client, keys, store, policy, Path(state_path))
    if output_format == "json":
        emit_json(report.as_json())
    else:
        for line in report.text_lines():
            click.echo(line)
    sys.exit(report.exit_code)
