"""The ``awardbooks mail`` commands: drafts to send by hand (the workbooks, or chase messages
for the settings still to return) and sending through your own server. Thin over
:mod:`awardbooks.api`, as :mod:`awardbooks.cli` is; registered there.
"""

from __future__ import annotations

from pathlib import Path

import click

from awardbooks import api
from awardbooks import cli_collection as cc
from awardbooks.cli_common import (
    TERMS,
    chased_nobody,
    echo_password_messages,
    friendly,
    option,
    plural,
)


@click.group("mail")
def mail_group() -> None:
    """Email the workbooks to the settings: drafts to send by hand, or through your server."""


def _mail_options(func):
    func = option(
        "--return-by", metavar="DATE", help="When the workbooks are due, e.g. 2026-12-11."
    )(func)
    func = option(
        "--template",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Your own message template (default: the one shown in the README).",
    )(func)
    return click.argument(
        "manifest", required=False, type=click.Path(exists=True, path_type=Path)
    )(func)


def _echo_unsent(unsent) -> None:
    if unsent:
        them = "them" if len(unsent) != 1 else "it"
        click.echo(f"No message for {plural(len(unsent), 'setting')} (contact {them} another way):")
    for item in unsent:
        click.echo(f"  {item.setting} ({item.file}): {item.reason}")


@mail_group.command("drafts")
@_mail_options
@option(
    "--from", "from_addr", metavar="ADDRESS", help="Sender (default: your mail program's)."
)
@option("--out", "out_dir", type=click.Path(path_type=Path), help="The folder for the drafts.")
@option("--force", is_flag=True, help="Replace drafts that already exist.")
@option("--term", type=click.Choice(TERMS), help="In a collection: the term (default: the latest).")
@option(
    "--only", metavar="STATES",
    help="Chase instead: only settings whose return is missing, rejected or incomplete "
    "(one or more, e.g. missing,rejected), with the chase message.",
)  # fmt: skip
@option(
    "--returns", "returns_csv", type=click.Path(exists=True, path_type=Path),
    help="With --only: the returns.csv analyse --data wrote (or its folder).",
)  # fmt: skip
@option(
    "--passwords", "passwords", is_flag=True,
    help="Instead: for encrypted workbooks, a short message each carrying only its password, "
    "and a list to telephone from (in a collection: drafts/TERM/passwords/).",
)  # fmt: skip
@click.pass_context
@friendly
def mail_drafts_cmd(
    ctx, manifest, template, return_by, from_addr, out_dir, force, term, only, returns_csv,
    passwords,
) -> None:
    """Write one .eml draft per workbook in MANIFEST (a manifest.csv or its folder).

    With --only: chase messages for the settings whose return is missing, rejected or
    incomplete by --returns (analyse's returns.csv), each with the file to fix attached.

    In a collection: no MANIFEST; drafts for the term's workbooks not yet mailed go to
    drafts/TERM/, due on the term's return-by date."""
    if cc.runs_in_collection(ctx, manifest, out_dir):
        cc.refuse_one_shot(ctx, **{"MANIFEST": manifest, "--out": out_dir, "--return-by": return_by,
                        "--returns": returns_csv})  # fmt: skip
        if passwords:
            cc.draft_passwords(ctx, term, from_addr, echo_password_messages)
            return
        cc.drafts(ctx, term, template, from_addr, force, only)
        return
    if manifest is None or out_dir is None:
        raise click.UsageError("give the MANIFEST and --out FOLDER, or run in a collection")
    if term is not None:
        raise click.UsageError("--term is for a collection; the manifest says the term")
    if passwords:
        echo_password_messages(api.write_password_messages(manifest, out_dir, from_addr), out_dir)
        return

    result = api.write_drafts(
        manifest, template, out_dir, from_addr, return_by=return_by, force=force, only=only,
        returns=returns_csv,
    )  # fmt: skip
    what = "chase draft" if only is not None else "draft"
    if only is not None and not (result.written or result.kept or result.unsent):
        click.echo(chased_nobody(only))
        return
    click.echo(
        f"Wrote {plural(len(result.written), what)} to {out_dir}/ (open each and press Send)."
    )
    if result.kept:
        click.echo(f"Kept {plural(len(result.kept), 'existing draft')} (use --force to replace).")
    _echo_unsent(result.unsent)


@mail_group.command("send")
@_mail_options
@option("--from", "from_addr", metavar="ADDRESS", required=True, help="The sender's address.")
@option("--smtp", required=True, metavar="HOST:PORT", help="Your mail server.")
@option("--starttls", is_flag=True, help="Encrypt the connection (STARTTLS).")
@option("--user", help="Log in as this user; the password is asked for.")
@option("--send", "really_send", is_flag=True, help="Send (without it: a dry run).")
@option("--resend", is_flag=True, help="Also send those the log shows as sent.")
@option(
    "--log",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The log of what was sent (default: mail-log.csv beside the manifest).",
)
@friendly
def mail_send_cmd(
    manifest, template, return_by, from_addr, smtp, starttls, user, really_send, resend, log
) -> None:
    """Send each workbook in MANIFEST through your mail server (a dry run unless --send)."""
    if manifest is None:
        raise click.UsageError("give the MANIFEST (a manifest.csv or its folder)")
    host, _port = api.mail_server(smtp)

    def password() -> str:  # asked for only when connecting, after every other check
        return click.prompt(f"Password for {user} at {host}", hide_input=True)

    def report(o) -> None:
        label = {"dry run": "Would send", "sent": "Sent", "failed": "FAILED", "skipped": "Skipped"}
        detail = f": {o.detail}" if o.detail else ""
        click.echo(f"{label[o.outcome]} to {o.to}: {o.subject} [{o.file}]{detail}")

    result = api.send_mail(
        manifest, template, from_addr=from_addr, smtp=smtp, starttls=starttls, user=user,
        password=password, really_send=really_send, log=log, return_by=return_by,
        resend=resend, report=report,
    )  # fmt: skip
    _echo_unsent(result.unsent)
    if result.dry_run:
        click.echo(
            f"Dry run: nothing was sent. Add --send to send {result.count('dry run')} "
            f"messages through {smtp}."
        )
        return
    click.echo(
        f"Sent {result.count('sent')}, failed {result.count('failed')}, skipped "
        f"{result.count('skipped')}; logged in {result.log}."
    )
    if result.count("failed"):
        raise SystemExit(1)
