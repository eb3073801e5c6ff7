"""Two spellings per option and per command form: aibom's own and model_signing's.

`--help` shows aibom's hyphenated spelling and names model_signing's underscore spelling
after the help text, so scripts written for `model_signing` run unchanged while the help
stays readable. `MethodGroup` gives `sign`/`verify` both forms: `aibom sign MODEL ...`
(the method chosen by flags) and `aibom sign key MODEL ...` (the method as a subcommand).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click


def _clean(names: Sequence[str]) -> list[str]:
    return [n for n in names if "_" not in n] or list(names[:1])


class SpelledOption(click.Option):
    """An option whose help shows one spelling and mentions the others."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        opts, secondary = self.opts, self.secondary_opts
        shown, shown_secondary = _clean(opts), _clean(secondary) if secondary else []
        others = [n for n in (*opts, *secondary) if n not in (*shown, *shown_secondary)]
        self.opts, self.secondary_opts = shown, shown_secondary
        try:
            record = super().get_help_record(ctx)
        finally:
            self.opts, self.secondary_opts = opts, secondary
        if record is None or not others:
            return record
        return record[0], f"{record[1]} [also {', '.join(others)}]".lstrip()


FC = TypeVar("FC", bound=Callable[..., Any])


def option(*names: str, **kwargs: Any) -> Callable[[FC], FC]:
    """`click.option` with `SpelledOption`."""
    return click.option(*names, cls=SpelledOption, **kwargs)


class FlagFormCommand(click.Command):
    """The form without a method subcommand; its usage line reads `aibom sign MODEL ...`."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        path = ctx.parent.command_path if ctx.parent else ctx.command_path
        formatter.write_usage(path, " ".join(self.collect_usage_pieces(ctx)))


class MethodGroup(click.Group):
    """`aibom sign key MODEL` runs the `key` subcommand; anything else (`aibom sign MODEL
    --private-key K`) runs the flag form with every argument, as model_signing's CLI runs
    Sigstore when no method is named."""

    def __init__(self, *args: Any, flag_form: click.Command, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {})["ignore_unknown_options"] = True
        super().__init__(*args, **kwargs)
        self.flag_form = flag_form

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        return self.flag_form.name, self.flag_form, args

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with click.Context(self.flag_form, info_name=self.flag_form.name, parent=ctx) as sub:
            self.flag_form.format_help(sub, formatter)
        self.format_commands(ctx, formatter)
        formatter.write_paragraph()
        formatter.write_text(
            f"The method subcommands take model_signing's command lines unchanged "
            f"(`{ctx.command_path} METHOD --help` for each)."
        )
