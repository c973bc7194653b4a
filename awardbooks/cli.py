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
    LENIENT_OPTION,
    TERMS,
    THRESHOLD_OPTION,
    ask_password_prompt,
    echo_passwords,
    friendly,
    new_password,
    option,
    password_options,
    plural,
)
from awardbooks.cli_mail import mail_group
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
@option(
    "--plan-start",
    "plan_start",
    default="",
    help="A plan rated over years (achievement-action-plan): the academic year of its Year 1, "
    "e.g. 2025-26 (default: --year). Next-term workbooks keep their return's.",
)
@option(
    "--scores",
    default="",
    help='The levels\' scores instead of the spec\'s, e.g. "Red=0,Amber=50,Green=100"; '
    "recorded in each workbook, so the analyser uses them too.",
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
    plan_start,
    scores,
) -> None:
    """Generate workbooks for FRAMEWORK (a built-in id, a spec file or an authoring workbook).

    In a collection: awardbooks generate --term TERM writes the term's workbooks for its
    roster (FRAMEWORK: only that one of its frameworks)."""
    out_given = ctx.get_parameter_source("out_dir") == click.core.ParameterSource.COMMANDLINE
    if ask_password and not encrypt:
        raise click.UsageError("--ask-password goes with --encrypt")
    if cc.runs_in_collection(ctx, setting, roster, from_returns, out_given):
        cc.refuse_one_shot(ctx, **{
                        "--setting": setting, "--roster": roster, "--from-returns": from_returns,
                        "--out": out_given, "--year": year, "--urn": urn,
                        "--partnership": partnership, "--local-authority": local_authority,
                        "--password": password, "--plan-start": plan_start,
                        "--scores": scores, "--ask-password": ask_password})  # fmt: skip
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
        if plan_start or scores:
            raise click.UsageError(
                "--from-returns keeps each return's plan start and scores; leave out "
                "--plan-start and --scores"
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
                plan_start=plan_start,
                scores=scores,
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
            plan_start=plan_start,
            scores=scores,
            encrypt=encrypt,
            encrypt_password=typed,
        )
        click.echo(f"Wrote {result.written[0]}")
        for warning in result.warnings:
            click.echo(f"Warning: {word(warning, FLAGS)}", err=True)
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
@option(
    "--annotate",
    "annotate_dir",
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write an annotated copy of every rejected or warned return into DIR (outside the "
    "returns), to send back to the school.",
)
@LENIENT_OPTION
@THRESHOLD_OPTION
@password_options
@friendly
def analyse_cmd(
    paths, out, data_dir, manifests, specs, jobs, force, annotate_dir, lenient,
    completion_threshold, passwords, ask_password,
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
            annotate=annotate_dir,
            lenient=lenient,
            completion_threshold=completion_threshold,
            passwords=passwords,
            typed_password=typed,
        )
    for line in result.summary_lines():
        click.echo(line)
    for path in result.written:
        click.echo(f"Wrote {path}")
    if result.annotated is not None:
        done, n = result.annotated, len(result.annotated.written)
        click.echo(
            f"Wrote {n} annotated cop{'y' if n == 1 else 'ies'} to "
            f"{annotate_dir}/ (each return rejected or with warnings, its problems marked on "
            "their cells)."
        )
        for name, reason in done.passed_over:
            click.echo(f"Not annotated: {name}: {reason}")
    for note in result.notes:
        click.echo(f"Note: {note}")
    unusable = result.nothing_usable()
    if unusable:  # the outputs are written: they list every return and why
        where = f"; the Returns sheet of {out} says why" if out is not None else ""
        raise click.ClickException(f"{unusable}{where}")


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
@LENIENT_OPTION
@THRESHOLD_OPTION
@password_options
@friendly
def check_cmd(
    file, specs, annotate_to, force, lenient, completion_threshold, passwords, ask_password
) -> None:
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
            file, specs=specs, lenient=lenient, completion_threshold=completion_threshold,
            passwords=passwords, typed_password=typed,
        )
    else:
        records = [
            api.check(
                file, specs=specs, lenient=lenient, completion_threshold=completion_threshold,
                passwords=passwords, typed_password=typed,
            )
        ]  # fmt: skip
        locked = annotate_to is not None and api.is_encrypted(file)
        if annotate_to is not None and not locked:
            annotated = api.annotate(file, annotate_to, force=force, record=records[0])
    for record in records:
        fw = record.framework
        what = f"{fw.title}, {record.get('setting') or 'unknown setting'}" if fw else "unrecognised"
        done = api.completion_of(record)  # what the scores count, as scores.csv does
        done = f"{done}; " if done else ""
        click.echo(
            f"{record.file}: {record.status} ({what}; {done}"
            f"{plural(len(record.errors), 'error')}, {plural(len(record.warnings), 'warning')})"
        )
        for problem in record.errors:
            click.echo(f"  error: {word(problem.raw_located, FLAGS)}")
        for problem in record.warnings:
            click.echo(f"  warning: {word(problem.raw_located, FLAGS)}")
        if record.annotated:  # an annotated copy sent back
            click.echo(f"  {record.annotated}")
    if annotate_to is not None and annotated is None:
        click.echo(f"No annotated copy: {file.name} is encrypted, and a marked copy would be "
                   "written without its password.")  # fmt: skip
    elif annotated is not None and annotated.out is None:
        click.echo("No problems to mark: no annotated copy was written.")
    elif annotated is not None:
        n, cells = len(annotated.notes), len({note.where for note in annotated.notes})
        click.echo(
            f"Wrote {annotated.out}: {n} problem{'s' if n != 1 else ''} marked with comments on "
            f"{cells} cell{'s' if cells != 1 else ''} (errors hatched purple with a heavy border, "
            "warnings with a dashed orange border)."
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
    if cc.runs_in_collection(ctx, paths, out_dir, manifests):
        cc.refuse_one_shot(ctx, **{"PATHS": paths, "--out": out_dir, "--manifest": manifests,
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
    pdfs = f" and {plural(len(result.pdfs), 'PDF')}" if result.pdfs else ""
    if made:
        click.echo(f"Wrote feedback for {plural(made, 'setting')} to {out_dir}/ "
                   f"({plural(made, 'workbook')}{pdfs}).")  # fmt: skip
    else:
        click.echo(f"No new reports written to {out_dir}/.")
    if result.kept:
        kept = len(result.kept)
        them = "them" if kept != 1 else "it"
        click.echo(f"Kept {plural(kept, 'existing report')} (use --force to replace {them}).")
    if result.not_reported:
        n = result.not_reported
        were = "that were rejected, duplicates or unknown" if n != 1 else (
            "that was rejected, a duplicate or unknown"
        )  # fmt: skip
        click.echo(
            f"Left out {plural(n, 'return')} {were} (awardbooks analyse lists the reasons)."
        )
    for warning in result.warnings:
        click.echo(f"Warning: {word(warning, FLAGS)}", err=True)


for _command in (*cc.COMMANDS, mail_group):
    cli.add_command(_command)


def main() -> None:
    try:
        cli()
    finally:
        gc.freeze()  # nothing is left to collect at exit: skip walking a big analysis' heap


if __name__ == "__main__":
    main()
