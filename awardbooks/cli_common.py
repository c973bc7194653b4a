"""What every module of the command line shares: the option that refuses a second value,
how library errors and the options they advise are worded (:data:`FLAGS`, :func:`friendly`).

Only :mod:`awardbooks.errors` (and the small :mod:`awardbooks.common.text`) is imported, so
that ``awardbooks --help`` stays fast.
"""

from __future__ import annotations

import functools
import os
import sys

import click

from awardbooks.common.text import plural as plural  # the CLI words counts with it
from awardbooks.errors import AwardbooksError

TERMS = ("baseline", "autumn", "spring", "summer")
FLAGS = {
    "force": "--force",
    "out": "--out",
    "out_dir": "--out",
    "spec": "--spec",
    "from_returns": "--from-returns",
    "term": "--term",
    "year": "--year",
    "return_by": "--return-by",
    "from_addr": "--from",
    "smtp": "--smtp",
    "starttls": "--starttls",
    "user": "--user",
    "log": "--log",
    "template": "--template",
    "collection": "-C",
    "wait": "--wait",
    "framework": "--framework",
    "roster": "--roster",
    "only": "--only",
    "data": "--data",
    "returns": "--returns",
    "plan_start": "--plan-start",
    "scores": "--scores",
    "lenient": "--lenient",
    "completion_threshold": "--completion-threshold",
}
"""How the library's ``{opt:NAME}`` advice is worded on the command line."""


class Once(click.Option):
    """An option that takes one value and refuses a second: click would keep the last value
    given and drop the others without a word (``--manifest a --manifest b``). Options that
    take several values say ``multiple``; flags given twice lose nothing."""

    def add_to_parser(self, parser, ctx: click.Context) -> None:
        if self.multiple or self.count or self.is_flag:
            return super().add_to_parser(parser, ctx)
        parser.add_option(obj=self, opts=self.opts, dest=self.name, action="append", nargs=1)

    def consume_value(self, ctx: click.Context, opts):
        given = opts.get(self.name)
        if isinstance(given, list) and not self.multiple:
            if len(given) > 1:
                shown = ", ".join(repr(str(v)) for v in given)
                raise click.UsageError(
                    f"{self.opts[0]} was given {len(given)} times ({shown}); give it once", ctx
                )
            opts = {**opts, self.name: given[0]}
        return super().consume_value(ctx, opts)


option = functools.partial(click.option, cls=Once)
"""Every option of the command line: see :class:`Once`."""


LENIENT_OPTION = option(
    "--lenient",
    is_flag=True,
    help="Read a rating that is not a level (e.g. misspelt) as unrated, with a warning naming "
    "the cell, instead of rejecting the whole return.",
)
THRESHOLD_OPTION = option(
    "--completion-threshold",
    type=click.FloatRange(0, 100),
    metavar="PCT",
    help="A return with less than PCT % of its items rated gets an 'incomplete' warning "
    "(default: the framework's own, 80 for the built-in ones).",
)


def friendly(func):
    """Turn library errors into one clean ``Error: ...`` and exit status 1."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except AwardbooksError as exc:
            raise click.ClickException(exc.worded(FLAGS)) from None
        except BrokenPipeError:  # the output was piped into e.g. head, which has finished
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise SystemExit(0) from None
        except OSError as exc:  # a folder we cannot write to, a full disk, ...
            where = f"{exc.filename}: " if exc.filename else ""
            raise click.ClickException(f"{where}{exc.strerror or exc}") from None

    return wrapper


def chased_nobody(only: str) -> str:
    """The line ``mail drafts --only`` prints when no setting is in the states asked for."""
    states = [state.strip() for state in only.split(",") if state.strip()]
    listed = ", ".join(states[:-1]) + f" or {states[-1]}" if len(states) > 1 else "".join(states)
    return f"Nobody to chase: no setting's return is {listed}; no draft written."
