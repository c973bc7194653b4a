"""What every module of the command line shares: the option that refuses a second value,
how library errors and the options they advise are worded (:data:`FLAGS`, :func:`friendly`),
and how passwords are asked for (at a hidden prompt, never as a value on the command line).

Only :mod:`awardbooks.errors` (and the small :mod:`awardbooks.common.text`) is imported, so
that ``awardbooks --help`` stays fast.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

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
    "passwords": "--passwords",
    "ask_password": "--ask-password",
    "manifest": "--manifest",
    "setting": "--setting",
    "encrypt": "--encrypt",
    "before": "--before",
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


# --------------------------------------------------------------------------- passwords


def new_password() -> str:
    """The one password for every workbook, typed twice at a prompt, never echoed."""
    typed = click.prompt(
        "Password for the workbooks", hide_input=True, confirmation_prompt=True
    ).strip()
    if not typed:
        raise click.UsageError("the password is empty; type one, or leave out --ask-password")
    return typed


def ask_password_prompt(ask: bool) -> str | None:
    """The password to open encrypted returns with, typed at a prompt (--ask-password)."""
    return click.prompt("Password of the encrypted returns", hide_input=True) if ask else None


PASSWORD_OPTIONS = [
    option(
        "--passwords",
        "passwords",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A passwords.csv written by generate --encrypt, to open encrypted returns. "
        "Repeatable.",
    ),
    option(
        "--ask-password",
        "ask_password",
        is_flag=True,
        help="Type the password of encrypted returns at a prompt (e.g. one a school set).",
    ),
]


def password_options(func):
    for decorate in reversed(PASSWORD_OPTIONS):
        func = decorate(func)
    return func


def echo_passwords(result, typed: str | None) -> None:
    """Where an encrypted run's passwords are, and that they travel apart from the workbooks."""
    if result.passwords is not None:
        click.echo(
            f"Passwords: {result.passwords} (readable by you alone). Send them apart from the "
            "workbooks: awardbooks mail drafts --passwords, or by telephone."
        )
    elif typed:
        click.echo("Encrypted with the password you typed; tell the schools it apart from the "
                   "workbooks.")  # fmt: skip


def echo_password_messages(done, out_dir) -> None:
    """What ``mail drafts --passwords`` wrote."""
    click.echo(
        f"Wrote {plural(len(done.written), 'password message')} to {out_dir}/ (send them apart "
        f"from the workbooks, or telephone from {done.listing.name}; both readable by you alone)."
    )
    for setting in done.no_email:
        click.echo(f"  {setting}: no contact_email in the roster; telephone them")


def chased_nobody(only: str) -> str:
    """The line ``mail drafts --only`` prints when no setting is in the states asked for."""
    states = [state.strip() for state in only.split(",") if state.strip()]
    listed = ", ".join(states[:-1]) + f" or {states[-1]}" if len(states) > 1 else "".join(states)
    return f"Nobody to chase: no setting's return is {listed}; no draft written."
