"""The click application: the command group, and `run`, which turns every error into one line
and its exit code (aibom.errors.ExitCode)."""

from __future__ import annotations

import errno
import os

import click

from aibom import __version__
from aibom._internal.text import one_line
from aibom.errors import AibomError, ExitCode

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

    Exit codes: 0 ok, 1 verification failed, 2 bad input or usage, 3 internal error,
    130 interrupted.
    """
    if log_level.upper() != "WARNING":  # at WARNING, logging's last-resort handler is the same
        import logging

        logging.basicConfig(format="%(message)s", level=getattr(logging, log_level.upper()))


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
    except OSError as exc:
        if exc.errno not in _ENVIRONMENT_ERRNOS:
            return _internal_error(exc)
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"aibom: error: {where}{one_line(exc.strerror or str(exc))}", err=True)
        return ExitCode.USAGE
    except MemoryError:
        click.echo("aibom: error: out of memory", err=True)
        return ExitCode.USAGE
    except Exception as exc:  # a bug: its own exit code, and still no traceback at users
        return _internal_error(exc)
    return ExitCode.OK


# The machine's state, not aibom's fault, wherever it surfaces: a user error (exit 2).
_ENVIRONMENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.EMFILE,
    errno.ENFILE,
}


def _internal_error(exc: Exception) -> int:
    if os.environ.get("AIBOM_DEBUG"):
        raise exc
    click.echo(
        f"aibom: internal error (a bug in aibom, please report it): "
        f"{type(exc).__name__}: {one_line(str(exc), 200)} (AIBOM_DEBUG=1 shows details)",
        err=True,
    )
    return ExitCode.INTERNAL
