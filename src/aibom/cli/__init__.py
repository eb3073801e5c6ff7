"""The `aibom` command line: parse options, call one library function, render its result.

Exit codes: 0 ok, 1 verification failed, 2 bad input or usage. Every error is one line.
"""

from __future__ import annotations

import logging
import os
import sys

import click

from aibom import __version__
from aibom.errors import AibomError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# command name -> "module:function"; a command's module is imported only when it runs (or
# for --help), so `aibom verify` does not pay for the AIBOM formats or the store
COMMANDS = {
    "sign": "aibom.cli.oms_commands:sign",
    "verify": "aibom.cli.oms_commands:verify",
    "build": "aibom.cli.build_commands:build",
    "import": "aibom.cli.build_commands:import_",
    "attest": "aibom.cli.chain_commands:attest",
    "adopt": "aibom.cli.chain_commands:adopt",
    "verify-chain": "aibom.cli.chain_commands:verify_chain",
    "ingest": "aibom.cli.store_commands:ingest",
    "query": "aibom.cli.store_commands:query",
    "graph": "aibom.cli.store_commands:graph_cmd",
    "monitor": "aibom.cli.monitor_commands:monitor",
    "scan": "aibom.cli.scan_commands:scan",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *super().list_commands(ctx)})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return super().get_command(ctx, name)
        import importlib

        module, _, attribute = COMMANDS[name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command) and command.name == name
        return command


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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


def main(argv: list[str] | None = None) -> None:
    """Entry point: every AibomError becomes one line on stderr and its exit code."""
    if argv is None:  # the console script: verify and sign start hashing right away
        from aibom.cli._early import start_early_work

        start_early_work(sys.argv[1:])
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
    finally:
        _cancel_untaken_work()


def _cancel_untaken_work() -> None:
    """Hashing started early that no command took (it stopped at a usage error, say)."""
    if "aibom.oms.pipeline" in sys.modules:
        from aibom.oms.pipeline import cancel_early

        cancel_early()
