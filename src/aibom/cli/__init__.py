"""The `aibom` command line: parse options, call one library function, render its result.

Exit codes: 0 ok, 1 verification failed, 2 bad input or usage. Every error is one line.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from aibom import __version__
from aibom.cli.build_commands import build, import_
from aibom.cli.chain_commands import adopt, attest, verify_chain
from aibom.cli.monitor_commands import monitor
from aibom.cli.oms_commands import sign, verify
from aibom.cli.scan_commands import scan
from aibom.cli.store_commands import graph_cmd, ingest, query
from aibom.errors import AibomError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="aibom")
@click.option(
    "--log-level",
    type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], case_sensitive=False),
    default="WARNING",
    show_default=True,
    metavar="LEVEL",
    help="Logging of the libraries underneath (sigstore, PKCS#11), as model_signing's option.",
)
def cli(log_level: str) -> None:
    """Link OMS signatures, lineage and datasets of AI models into one verifiable graph.

    Exit codes: 0 ok, 1 verification failed, 2 bad input or usage.
    """
    logging.basicConfig(format="%(message)s", level=getattr(logging, log_level.upper()))


for command in (
    sign,
    verify,
    build,
    import_,
    attest,
    adopt,
    verify_chain,
    scan,
    ingest,
    query,
    graph_cmd,
    monitor,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: every AibomError becomes one line on stderr and its exit code."""
    try:
        cli.main(args=argv, prog_name="aibom", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aibom: aborted", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(f"aibom: error: {exc.format_message()}", err=True)
        sys.exit(EXIT_USAGE)
    except AibomError as exc:
        label = "verification failed" if exc.exit_code == EXIT_FAILED else "error"
        click.echo(f"aibom: {label}: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # last resort: a bug must still not print a traceback at users
        if os.environ.get("AIBOM_DEBUG"):
            raise
        click.echo(
            f"aibom: internal error: {type(exc).__name__}: {exc} (AIBOM_DEBUG=1 shows details)",
            err=True,
        )
        sys.exit(EXIT_USAGE)
