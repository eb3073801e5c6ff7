"""Run the `aibom` command line (in process or in a fresh interpreter) and check failures."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aibom.cli import main


@dataclass(frozen=True)
class Run:
    """Exit code, stdout and stderr of one run."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def one_line_error(self, codes: int | Sequence[int] = 2, *needles: str) -> str:
        """`assert_one_line_failure` on this run."""
        return assert_one_line_failure(self, codes, *needles)

    def __iter__(self) -> Iterator[Any]:
        """`code, out, err = run_cli(...)`."""
        return iter((self.code, self.out, self.err))


def _code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    return exc.code if isinstance(exc.code, int) else 2


def run_cli(*args: object, cwd: Path | None = None) -> Run:
    """`aibom ARGS` in this process through `aibom.cli.main` (the console entry point), from
    `cwd` when given."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    where = contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext()
    with where, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = _code(exc)
    return Run(code, out.getvalue(), err.getvalue())


def run_subprocess(*args: object, cwd: Path | None = None) -> Run:
    """`python -m aibom.cli ARGS` in a fresh interpreter: the real exit code and stderr."""
    env = {k: v for k, v in os.environ.items() if k != "AIBOM_DEBUG"}
    proc = subprocess.run(
        [sys.executable, "-m", "aibom.cli", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def assert_clean_outcome(run: Run, codes: Sequence[int] = (0, 1, 2)) -> None:
    """An orderly end: a documented exit code, no traceback, no internal error."""
    assert run.code in codes, (run.code, run.out[-500:], run.err[-500:])
    assert "Traceback" not in run.err and "Traceback" not in run.out
    assert "internal error" not in run.err, run.err


def assert_one_line_failure(run: Run, codes: int | Sequence[int] = 2, *needles: str) -> str:
    """The run failed with one of `codes`, wrote exactly one line on stderr (no traceback, no
    internal error) naming every needle, and claimed nothing verified on stdout. Returns the
    line."""
    codes = (codes,) if isinstance(codes, int) else tuple(codes)
    assert run.code in codes, f"exit {run.code}, expected {codes}; stderr={run.err!r}"
    assert run.code != 0
    assert_clean_outcome(run, codes)
    lines = run.err.splitlines()
    assert len(lines) == 1, f"stderr is not one line: {run.err!r}"
    line = lines[0]
    assert ".aibom-partial" not in line, line  # no temporary file name
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"
    assert not run.out.startswith("verified"), run.out
    return line


def aibom_command() -> list[str]:
    """`aibom` as a subprocess (with `subprocess_env`: this checkout's code)."""
    return [sys.executable, "-c", "from aibom.cli import main; main()"]


def subprocess_env() -> dict[str, str]:
    """The environment, with this checkout's src/ first on PYTHONPATH."""
    src = str(Path(__file__).resolve().parents[2] / "src")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}


def run_model_signing(*args: object) -> tuple[int, str]:
    """model_signing's own CLI (the reference), in this process: exit code and output."""
    from click.testing import CliRunner
    from model_signing._cli import main as model_signing_main

    result = CliRunner().invoke(model_signing_main, [str(a) for a in args])
    return result.exit_code, result.output
