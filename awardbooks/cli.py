"""The ``awardbooks`` command: a thin click layer over :mod:`awardbooks.api`.

Each command calls the public API and words what it returns; library errors become one
``Error:`` line, with the options they advise worded as this command's flags
(:data:`~awardbooks.cli_common.FLAGS`). The commands of a collection are in
:mod:`awardbooks.cli_collection`. Only :mod:`awardbooks.api`, :mod:`awardbooks.errors` and
those two light modules are imported, so that ``awardbooks --help`` stays fast.
"""

from __future__ import annotations

import gc
from pathlib import Path

import click

from awardbooks import api
from awardbooks import cli_collection as cc
from awardbooks.cli_common import (
    FLAGS,
    TERMS,
    ask_password_prompt,
    echo_password_messages,
    echo_passwords,
    friendly,
    new_password,
    option,
    password_options,
    plural,
)
from awardbooks.errors import word
from awardbooks.version import __version__


def _fit(text: str, width: int) -> str:
    """``text`` in a column ``width`` wide, cut with an ellipsis when it is longer."""
    return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)


SPEC_OPTION = option(
    "--spec",
    "specs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A spec file for returns of your own frameworks (repeatable).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="awardbooks")
@option(
    "-C", "collection", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
    help="Run in the collection in DIR (default: the one around the current folder).",
)  # fmt: skip
@click.pass_context
def cli(ctx: click.Context, collection: Path | None) -> None:
    """Generate locked self-evaluation workbooks for schools, and consolidate the returns.

    A collection (awardbooks new) keeps a partnership's year in one folder: inside it,
    generate, mail drafts, update, status and report need no paths."""
    ctx.obj = {"collection": collection}


def _in_collection(ctx: click.Context, *one_shot: object) -> bool:
    """Whether a command that works both ways runs in a collection: -C was given, or none of
    its one-shot arguments was and the current folder is in a collection."""
    if cc.chosen(ctx) is not None:
        return True
    return not any(one_shot) and api.in_collection()


def _refuse(ctx: click.Context, **given: object) -> None:
    """One-shot options given to a command running in a collection."""
    for name, value in given.items():
        if value:
            raise click.UsageError(
                f"{name} is not used in a collection (it knows its roster, folders and terms); "
                "leave it out, or run outside the collection"
            )


@cli.command("frameworks")
@friendly
def frameworks_cmd() -> None:
    """List the built-in frameworks."""

    rows = [("id", "title", "scale", "groups", "items", "status")]
    for fw in api.frameworks():
        rows.append((fw.id, fw.title, fw.scale, str(fw.groups), str(fw.items), fw.status))
    widths = [min(60, max(len(r[i]) for r in rows)) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(_fit(cell, widths[i]) for i, cell in enumerate(row)).rstrip())


@cli.group("spec")
def spec_group() -> None:
    """Work with framework spec files."""


@spec_group.command("check")
@click.argument("spec_file", type=click.Path(dir_okay=False, path_type=Path))
@friendly
def spec_check(spec_file: Path) -> None:
    """Validate a framework spec and list every problem."""
    fw = api.load_framework(spec_file)
    click.echo(
        f"{spec_file}: OK: {fw.title} (version {fw.version}), {len(fw.groups)} groups, "
        f"{len(fw.items)} items, {fw.status}"
    )


@spec_group.command("template")
@click.argument("framework", required=False)
@option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The workbook to write (default: FRAMEWORK.xlsx, or my-framework.xlsx).",
)
@option("--force", is_flag=True, help="Replace the file if it exists.")
@friendly
def spec_template(framework, out, force) -> None:
    """Write an authoring workbook: empty, or filled from FRAMEWORK (id or spec file)."""
    fw = api.load_framework(framework) if framework else None
    out = out or Path(f"{fw.id if fw else 'my-framework'}.xlsx")
    api.write_template(fw, out, force=force)
    click.echo(f"Wrote {out}: fill it in, then `awardbooks spec import {out} --out NAME.yaml`")


@spec_group.command("import")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The spec to write (default: the framework id + .yaml).",
)
@option("--force", is_flag=True, help="Replace the spec if it exists.")
@friendly
def spec_import(workbook, out, force) -> None:
    """Turn a completed authoring workbook into a YAML spec; lists every problem."""
    fw, out = api.import_template(workbook, out, force=force)
    click.echo(
        f"Wrote {out}: {fw.title} (version {fw.version}), {len(fw.groups)} groups, "
        f"{len(fw.items)} items, {fw.status}"
    )


@spec_group.command("schema")
def spec_schema() -> None:
    """Print the JSON Schema of the spec format (also in docs/spec-schema.json)."""
    click.echo(api.spec_schema(), nl=False)


@cli.command("generate")
@click.argument("framework", required=False)
@option("--setting", help="The setting's (school's) name, for one workbook.")
@option("--urn", default="", help="The setting's unique reference number.")
@option("--partnership", default="", help="The partnership the setting belongs to.")
@option("--local-authority", default="", help="The local authority.")
@option(
    "--roster",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A CSV with a 'setting' column: one workbook per row, plus manifest.csv.",
)
@option("--year", help="Academic year, e.g. 2026-27 (default: the current one).")
@option(
    "--term",
    type=click.Choice(TERMS),
    help="The term the workbooks are for (default: baseline; required with --from-returns).",
)
@option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("generated"),
    show_default=True,
    help="Folder to write to.",
)
@option("--password", help="Sheet protection password (a deterrent, not security).")
@option(
    "--encrypt",
    is_flag=True,
    help="Encrypt each workbook with a password of its own (readable words), kept in "
    "passwords.csv beside the manifest, readable by you alone.",
)
@option(
    "--ask-password",
    "ask_password",
    is_flag=True,
    help="With --encrypt: one password for every workbook, typed at a prompt (never stored).",
)
@option("--force", is_flag=True, help="Replace workbooks that already exist.")
@option(
    "--from-returns",
    "from_returns",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Last term's returns (files or folders): carry each setting's ratings, actions and "
    "outcomes into next term's workbook. Repeatable.",
)
@option(
    "--prefill",
    is_flag=True,
    help="With --from-returns: pre-fill the new ratings with last term's, to be confirmed.",
)
@click.pass_context
@friendly
def generate_cmd(
    ctx,
    framework,
    setting,
    urn,
    partnership,
    local_authority,
    roster,
    year,
    term,
    out_dir,
    password,
    encrypt,
    ask_password,
    force,
    from_returns,
    prefill,
) -> None:
    """Generate workbooks for FRAMEWORK (a built-in id, a spec file or an authoring workbook).

    In a collection: awardbooks generate --term TERM writes the term's workbooks for its
    roster (FRAMEWORK: only that one of its frameworks)."""
    out_given = ctx.get_parameter_source("out_dir") == click.core.ParameterSource.COMMANDLINE
    if ask_password and not encrypt:
        raise click.UsageError("--ask-password goes with --encrypt")
    if _in_collection(ctx, setting, roster, from_returns, out_given):
        _refuse(ctx, **{"--setting": setting, "--roster": roster, "--from-returns": from_returns,
                        "--out": out_given, "--year": year, "--urn": urn,
                        "--partnership": partnership, "--local-authority": local_authority,
                        "--password": password, "--ask-password": ask_password})  # fmt: skip
        cc.generate(ctx, framework, term, force, prefill, encrypt)
        return
    typed = new_password() if ask_password else None
    if framework is None:
        raise click.UsageError(
            "give the FRAMEWORK (a built-in id or a spec file), or run in a collection"
        )
    if from_returns:
        if term is None:
            raise click.UsageError(
                "--from-returns needs --term: the term the new workbooks "
                "are for (autumn, spring or summer)"
            )
        if setting:
            raise click.UsageError(
                "--from-returns takes the settings from the returns (or --roster), not --setting"
            )
        result = api.generate_next_term(
            framework,
            from_returns,
            year=year,
            term=term,
            out_dir=out_dir,
            roster=roster,
            prefill=prefill,
            password=password,
            force=force,
            encrypt=encrypt,
            encrypt_password=typed,
        )
        _echo_generated(result, "next-term workbook", out_dir, typed)
        return
    if prefill:
        raise click.UsageError("--prefill goes with --from-returns")
    term = term or "baseline"
    if roster and setting:
        raise click.UsageError("give --setting or --roster, not both")
    if not roster and not setting:
        raise click.UsageError("give --setting NAME for one workbook, or --roster FILE.csv")
    if roster:
        settings = api.read_roster(roster)  # read once: its length is the progress bar's
        with click.progressbar(
            length=len(settings), label="Generating workbooks", show_pos=True
        ) as bar:
            result = api.generate(
                framework,
                roster=settings,
                year=year,
                term=term,
                out_dir=out_dir,
                password=password,
                force=force,
                progress=lambda _p: bar.update(1),
                encrypt=encrypt,
                encrypt_password=typed,
            )
        _echo_generated(result, "workbook", out_dir, typed)
    else:
        result = api.generate(
            framework,
            setting=setting,
            urn=urn,
            partnership=partnership,
            local_authority=local_authority,
            year=year,
            term=term,
            out_dir=out_dir,
            password=password,
            force=force,
            encrypt=encrypt,
            encrypt_password=typed,
        )
        click.echo(f"Wrote {result.written[0]}")
        echo_passwords(result, typed)


def _echo_generated(result, what: str, out_dir: Path, typed: str | None = None) -> None:
    """What a generate run wrote, kept and noticed."""
    click.echo(
        f"Wrote {plural(len(result.written), what)} to {out_dir}/ and {result.manifest.name}."
    )
    echo_passwords(result, typed)
    if result.skipped:
        click.echo(
            f"Kept {plural(len(result.skipped), 'existing workbook')} (use --force to replace)."
        )
    for warning in result.warnings:
        click.echo(f"Warning: {word(warning, FLAGS)}", err=True)


@cli.command("analyse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("consolidated.xlsx"),
    show_default=True,
    help="The consolidated workbook to write.",
)
@option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write the tidy tables as CSV into this folder.",
)
@option(
    "--manifest",
    "manifests",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A manifest.csv from generate, or a folder of them: lists missing and unknown "
    "returns. Repeatable, e.g. one per term.",
)
@SPEC_OPTION
@option("--jobs", type=click.IntRange(1, 64), help="Processes to read with (default: cores).")
@option("--force", is_flag=True, help="Replace an --out file that awardbooks did not write.")
@password_options
@friendly
def analyse_cmd(
    paths, out, data_dir, manifests, specs, jobs, force, passwords, ask_password
) -> None:
    """Check and consolidate returned workbooks (files, folders or .zip archives)."""

    typed = ask_password_prompt(ask_password)
    inputs = api.find_returns(paths)  # walked once: its length is the progress bar's
    with click.progressbar(length=len(inputs), label="Reading returns", show_pos=True) as bar:
        result = api.analyse(
            paths,
            out=out,
            data_dir=data_dir,
            manifest=manifests,
            specs=specs,
            jobs=jobs,
            progress=lambda _r: bar.update(1),
            inputs=inputs,
            force=force,
            passwords=passwords,
            typed_password=typed,
        )
    for line in result.summary_lines():
        click.echo(line)
    for path in result.written:
        click.echo(f"Wrote {path}")
    for note in result.notes:
        click.echo(f"Note: {note}")


@cli.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@option(
    "--spec",
    "specs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A spec file, for a workbook of your own framework.",
)
@option(
    "--annotate",
    "annotate_to",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a copy of FILE with each problem marked on its cell (comment + highlight).",
)
@option("--force", is_flag=True, help="Replace the --annotate copy if it exists.")
@password_options
@friendly
def check_cmd(file, specs, annotate_to, force, passwords, ask_password) -> None:
    """Check one returned workbook before it is sent; exit 1 if it has errors."""
    annotated = None
    typed = ask_password_prompt(ask_password)
    if api.holds_several_returns(file):  # every workbook inside it
        if annotate_to is not None:
            raise click.UsageError(
                "--annotate needs one workbook, not a saved email or an archive; save the "
                "workbook first"
            )
        records = api.check_returns(
            file, specs=specs, passwords=passwords, typed_password=typed
        )
    else:
        records = [api.check(file, specs=specs, passwords=passwords, typed_password=typed)]
        locked = annotate_to is not None and api.is_encrypted(file)
        if annotate_to is not None and not locked:
            annotated = api.annotate(file, annotate_to, force=force, record=records[0])
    for record in records:
        fw = record.framework
        what = f"{fw.title}, {record.get('setting') or 'unknown setting'}" if fw else "unrecognised"
        rated, total = api.rated_of(record)  # what the scores count, as scores.csv does
        click.echo(
            f"{record.file}: {record.status} ({what}; {rated} of {total} rated; "
            f"{plural(len(record.errors), 'error')}, {plural(len(record.warnings), 'warning')})"
        )
        for problem in record.errors:
            click.echo(f"  error: {word(problem.raw_located, FLAGS)}")
        for problem in record.warnings:
            click.echo(f"  warning: {word(problem.raw_located, FLAGS)}")
    if annotate_to is not None and annotated is None:
        click.echo(f"No annotated copy: {file.name} is encrypted, and a marked copy would be "
                   "written without its password.")  # fmt: skip
    elif annotated is not None and annotated.out is None:
        click.echo("No problems to mark: no annotated copy was written.")
    elif annotated is not None:
        n, cells = len(annotated.notes), len({note.where for note in annotated.notes})
        click.echo(
            f"Wrote {annotated.out}: {n} problem{'s' if n != 1 else ''} marked with comments on "
            f"{cells} cell{'s' if cells != 1 else ''} (errors highlighted red, warnings amber)."
        )
    if any(record.errors for record in records):
        raise SystemExit(1)


@cli.command("report")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
    help="The folder for the feedback reports (not in a collection: outputs/feedback/).",
)  # fmt: skip
@option(
    "--manifest",
    "manifests",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A manifest.csv from generate, or a folder of them (returns not in them are left "
    "out). Repeatable.",
)
@SPEC_OPTION
@option("--no-pdf", is_flag=True, help="Write the workbooks only, no PDFs.")
@option("--force", is_flag=True, help="Replace reports that already exist.")
@click.pass_context
@friendly
def report_cmd(ctx, paths, out_dir, manifests, specs, no_pdf, force) -> None:
    """Write a feedback report (workbook and PDF) for each setting's latest accepted return.

    In a collection: no PATHS; the reports go to outputs/feedback/ and updates keep them
    current."""
    if _in_collection(ctx, paths, out_dir, manifests):
        _refuse(ctx, **{"PATHS": paths, "--out": out_dir, "--manifest": manifests,
                        "--spec": specs})  # fmt: skip
        cc.report(ctx, not no_pdf, force)
        return
    if not paths or out_dir is None:
        raise click.UsageError("give the returns (PATHS) and --out FOLDER, or run in a collection")

    inputs = api.find_returns(paths)
    with click.progressbar(length=len(inputs), label="Reading returns", show_pos=True) as bar:
        result = api.feedback(
            paths, out_dir, manifests, specs, not no_pdf, force=force,
            progress=lambda _r: bar.update(1), inputs=inputs,
        )  # fmt: skip
    made = len(result.workbooks)
    pdfs = f" and {len(result.pdfs)} PDFs" if result.pdfs else ""
    if made:
        click.echo(f"Wrote feedback for {made} setting{'s' if made != 1 else ''} to {out_dir}/ "
                   f"({made} workbook{'s' if made != 1 else ''}{pdfs}).")  # fmt: skip
    else:
        click.echo(f"No new reports written to {out_dir}/.")
    if result.kept:
        kept = len(result.kept)
        click.echo(
            f"Kept {kept} existing report{'s' if kept != 1 else ''} (use --force to replace them)."
        )
    if result.not_reported:
        click.echo(
            f"Left out {result.not_reported} return{'s' if result.not_reported != 1 else ''} "
            "that were rejected, duplicates or unknown (awardbooks analyse lists the reasons)."
        )
    for warning in result.warnings:
        click.echo(f"Warning: {word(warning, FLAGS)}", err=True)


@cli.group("mail")
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
        click.echo(f"No message for {len(unsent)} settings (contact them another way):")
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
    "--passwords", "passwords", is_flag=True,
    help="Instead: for encrypted workbooks, a short message each carrying only its password, "
    "and a list to telephone from (in a collection: drafts/TERM/passwords/).",
)  # fmt: skip
@click.pass_context
@friendly
def mail_drafts_cmd(
    ctx, manifest, template, return_by, from_addr, out_dir, force, term, passwords
) -> None:
    """Write one .eml draft per workbook in MANIFEST (a manifest.csv or its folder).

    In a collection: no MANIFEST; drafts for the term's workbooks not yet mailed go to
    drafts/TERM/, due on the term's return-by date."""
    if _in_collection(ctx, manifest, out_dir):
        _refuse(ctx, **{"MANIFEST": manifest, "--out": out_dir, "--return-by": return_by})
        if passwords:
            cc.draft_passwords(ctx, term, from_addr, echo_password_messages)
            return
        cc.drafts(ctx, term, template, from_addr, force)
        return
    if manifest is None or out_dir is None:
        raise click.UsageError("give the MANIFEST and --out FOLDER, or run in a collection")
    if term is not None:
        raise click.UsageError("--term is for a collection; the manifest says the term")
    if passwords:
        echo_password_messages(api.write_password_messages(manifest, out_dir, from_addr), out_dir)
        return

    result = api.write_drafts(
        manifest, template, out_dir, from_addr, return_by=return_by, force=force
    )
    click.echo(
        f"Wrote {plural(len(result.written), 'draft')} to {out_dir}/ (open each and press Send)."
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


for _command in cc.COMMANDS:
    cli.add_command(_command)


def main() -> None:
    try:
        cli()
    finally:
        gc.freeze()  # nothing is left to collect at exit: skip walking a big analysis' heap


if __name__ == "__main__":
    main()
