"""The `aibom` command line: parse options, call one library function, render its result.

Exit codes (aibom.errors.ExitCode): 0 ok, 1 verification failed, 2 bad input or usage,
3 internal error, 130 interrupted. Every error is one line.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from aibom import __version__
from aibom._internal.interrupt import interrupts_exit
from aibom._internal.text import one_line
from aibom.cli.build_commands import build, import_
from aibom.cli.chain_commands import adopt, attest, verify_chain
from aibom.cli.monitor_commands import monitor
from aibom.cli.oms_commands import sign, verify
from aibom.cli.scan_commands import scan
from aibom.cli.store_commands import graph_cmd, ingest, query
from aibom.errors import AibomError, ExitCode


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

    Exit codes: 0 ok, 1 verification failed, 2 bad input or usage, 3 internal error,
    130 interrupted.
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
    """Entry point: every error becomes one line on stderr and its exit code (errors.ExitCode)."""
    with interrupts_exit():
        sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code. KeyboardInterrupt is left to the caller."""
    try:
        cli.main(args=argv, prog_name="aibom", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:  # click's own prompt interrupted
        click.echo("aibom: interrupted", err=True)
        return ExitCode.INTERRUPTED
    except click.ClickException as exc:
        click.echo(f"aibom: error: {one_line(exc.format_message())}", err=True)
        return ExitCode.USAGE
    except AibomError as exc:
        label = "verification failed" if exc.exit_code == ExitCode.FAILED else "error"
        click.echo(f"aibom: {label}: {exc.one_line()}", err=True)
        return exc.exit_code
    except SystemExit as exc:  # a command's own sys.exit(code)
        return exc.code if isinstance(exc.code, int) else ExitCode.USAGE
    except MemoryError:
        click.echo("aibom: error: out of memory", err=True)
        return ExitCode.USAGE
    except Exception as exc:  # a bug: its own exit code, and still no traceback at users
        if os.environ.get("AIBOM_DEBUG"):
            raise
        click.echo(
            f"aibom: internal error (a bug in aibom, please report it): "
            f"{type(exc).__name__}: {one_line(str(exc), 200)} (AIBOM_DEBUG=1 shows details)",
            err=True,
        )
        return ExitCode.INTERNAL
    return ExitCode.OK
