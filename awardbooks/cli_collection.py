"""The command line of a collection: ``new``, ``update``, ``add``, ``status`` and ``rebuild``,
and what ``generate``, ``mail drafts`` and ``report`` do when they run inside a collection
(:mod:`awardbooks.cli` decides which way a command runs and calls these).

Inside a collection (the current folder or one above it holding ``awardbooks.toml``, or the
folder given with ``-C``), commands need no paths. Output paths are shown from where the
command was run.
"""

from __future__ import annotations

from pathlib import Path

import click

from awardbooks import api
from awardbooks.cli_common import (
    FLAGS,
    LENIENT_OPTION,
    TERMS,
    THRESHOLD_OPTION,
    ask_password_prompt,
    chased_nobody,
    friendly,
    option,
    plural,
)
from awardbooks.errors import word

WAIT_OPTION = option(
    "--wait", type=click.FloatRange(0), default=10.0, show_default=True, metavar="SECONDS",
    help="How long to wait for another command that is using the collection.",
)  # fmt: skip


def chosen(ctx: click.Context) -> Path | None:
    """The folder given with ``-C`` (None: look around the current folder)."""
    return (ctx.find_root().obj or {}).get("collection")


def runs_in_collection(ctx: click.Context, *one_shot: object) -> bool:
    """Whether a command that works both ways runs in a collection: -C was given, or none of
    its one-shot arguments was and the current folder is in a collection."""
    if chosen(ctx) is not None:
        return True
    return not any(one_shot) and api.in_collection()


def refuse_one_shot(ctx: click.Context, **given: object) -> None:
    """One-shot options given to a command running in a collection."""
    for name, value in given.items():
        if value:
            raise click.UsageError(
                f"{name} is not used in a collection (it knows its roster, folders and terms); "
                "leave it out, or run outside the collection"
            )


def found(ctx: click.Context):
    return api.open_collection(chosen(ctx))


def waiting(who) -> None:
    """Said once while a command waits for another to finish with the collection."""
    by = str(who) if who else "another awardbooks command"
    click.echo(f"Waiting for {by}, which is using the collection...", err=True)


def _shown(collection, rel: str | Path) -> str:
    return str(collection.root / rel)


@click.command("new")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@option(
    "--framework", "frameworks", multiple=True, required=True,
    help="The framework (built-in id or spec file). Repeatable for several.",
)  # fmt: skip
@option(
    "--roster", required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The settings: a CSV with a 'setting' column (and urn, partnership, "
    "local_authority, contact_email).",
)  # fmt: skip
@option("--year", help="Academic year, e.g. 2026-27 (default: the current one).")
@option("--title", help="A title for the collection (default: the folder's name and year).")
@option(
    "--terms", metavar="TERM,...", default="autumn,spring,summer", show_default=True,
    help=f"The terms workbooks are issued for ({', '.join(TERMS)}).",
)  # fmt: skip
@option(
    "--issued", multiple=True, type=click.Path(exists=True, path_type=Path),
    help="Workbooks already generated for this year (a folder generate wrote, with its "
    "manifest.csv): they join the collection. Repeatable.",
)  # fmt: skip
@friendly
def new_cmd(folder, frameworks, roster, year, title, terms, issued) -> None:
    """Create a collection folder for a partnership's year (or a client list's)."""
    names = [t.strip() for t in terms.split(",") if t.strip()]
    collection = api.new_collection(
        folder, frameworks=frameworks, roster=roster, year=year, title=title, terms=names,
        issued=issued,
    )  # fmt: skip
    s = collection.settings
    click.echo(f"Made the collection {folder}/: {s.title} ({', '.join(s.frameworks)}).")
    for term in s.terms:
        click.echo(f"  {term.name}: returns due {term.return_by} (edit it in {folder}/"
                   "awardbooks.toml)")  # fmt: skip
    first = s.terms[0].name
    click.echo(
        f"Next: cd {folder} && awardbooks generate --term {first} && awardbooks mail drafts"
    )


ASK_PASSWORD = option(
    "--ask-password", "ask_password", is_flag=True,
    help="Type the password of encrypted returns (one a school set) at a prompt; those of "
    "workbooks generate --encrypt made are read from their passwords.csv.",
)  # fmt: skip


@click.command("update")
@LENIENT_OPTION
@THRESHOLD_OPTION
@WAIT_OPTION
@option("--jobs", type=click.IntRange(1, 64), help="Processes to read with (default: cores).")
@ASK_PASSWORD
@click.pass_context
@friendly
def update_cmd(ctx, wait, jobs, lenient, completion_threshold, ask_password) -> None:
    """Take in new returns from returns/ and bring the outputs up to date."""
    typed = ask_password_prompt(ask_password)
    done = api.update(found(ctx), wait=wait, waiting=waiting, jobs=jobs, progress=_reading(),
                      lenient=lenient, completion_threshold=completion_threshold,
                      typed_password=typed)  # fmt: skip
    echo_update(ctx, done)
    if (lenient or completion_threshold is not None) and not done.intake.returns:
        click.echo("--lenient and --completion-threshold apply to returns read for the first "
                   "time; a return taken in before is not read again (take the school's fixed "
                   "file in with awardbooks add).")  # fmt: skip


def _reading():
    told = []

    def progress(done: int, total: int) -> None:
        if not told and total >= 48:
            click.echo(f"Reading {total:,} new returns...", err=True)
            told.append(True)

    return progress


@click.command("add")
@LENIENT_OPTION
@THRESHOLD_OPTION
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@WAIT_OPTION
@ASK_PASSWORD
@click.pass_context
@friendly
def add_cmd(ctx, files, wait, lenient, completion_threshold, ask_password) -> None:
    """Copy return files (workbooks, zips, saved emails) into returns/ and take them in."""
    collection = found(ctx)
    typed = ask_password_prompt(ask_password)
    done = api.add_returns(files, collection, wait=wait, waiting=waiting, progress=_reading(),
                           lenient=lenient, completion_threshold=completion_threshold,
                           typed_password=typed)  # fmt: skip
    click.echo(f"Copied {plural(len(done.added), 'file')} into "
               f"{_shown(collection, 'returns/added')}/.")  # fmt: skip
    echo_update(ctx, done)


def echo_update(ctx: click.Context, done) -> None:
    """What an update took in, settled, wrote and noticed."""
    collection = found(ctx)
    took = done.intake
    if done.migrated_from is not None:
        click.echo(f"Brought the ledger up to date (it was written by an older awardbooks: "
                   f"ledger version {done.migrated_from}).")  # fmt: skip
    if done.interrupted is not None:
        click.echo(f"The previous command ({done.interrupted}) did not finish; this one has "
                   "done its work.")  # fmt: skip
    if took.files or took.returns:
        repeat = f" ({took.repeated} already taken in from other files)" if took.repeated else ""
        click.echo(f"Took in {plural(len(took.files), 'new file')}: "
                   f"{plural(len(took.returns), 'new return')}{repeat}.")  # fmt: skip
    else:
        click.echo("No new returns in returns/.")
    for path, same in took.copies:
        click.echo(f"Already taken in: {path} is the same file as {same}.")
    for path in took.busy:
        click.echo(f"Left for the next update: {path} changed while it was read (still being "
                   "saved?).")  # fmt: skip
    if took.gone:
        click.echo(f"{plural(len(took.gone), 'file')} taken in before no longer in returns/; "
                   "their returns are kept in the collection.")  # fmt: skip
    echo_outputs(collection, done.refreshed)


def echo_outputs(collection, refreshed) -> None:
    from_summary = api.AnalysisResult(refreshed.consolidation, []).summary_lines()
    for line in from_summary:
        click.echo(line)
    if refreshed.current:
        click.echo(f"The outputs in {_shown(collection, 'outputs')}/ are up to date.")
    elif refreshed.written:
        data = [p for p in refreshed.written if p.parent.name == "data"]
        click.echo(f"Wrote {_shown(collection, 'outputs/consolidated.xlsx')} and "
                   f"{plural(len(data), 'data file')} in {_shown(collection, 'outputs/data')}/.")
    fb = refreshed.feedback
    if fb is not None and fb.workbooks:
        click.echo(f"Wrote {plural(len(fb.workbooks), 'feedback report')} (new, or their "
                   "content changed).")  # fmt: skip
    issued = refreshed.workbooks
    for path in issued.rewritten:
        click.echo(f"Rewrote {path}: the return it carries forward changed (not mailed yet).")
    echo_superseded(issued.superseded)


def echo_superseded(paths) -> None:
    if not paths:
        return
    click.echo(f"Superseded: {plural(len(paths), 'workbook')} mailed before a later return "
               "changed what it carries:")  # fmt: skip
    terms = set()
    for path in paths:
        click.echo(f"  {path}")
        terms.add(Path(path).parent.name)
    for term in sorted(terms):
        click.echo(f"  Replace with: awardbooks generate --term {term} --force, then "
                   "awardbooks mail drafts")  # fmt: skip


@click.command("status")
@click.pass_context
@friendly
def status_cmd(ctx) -> None:
    """Per framework and term: issued, returned, accepted, warnings, rejected, missing, and
    who to chase."""
    collection = found(ctx)
    st = api.collection_status(collection)
    r = st.report
    click.echo(f"{collection.settings.title}: {plural(r.returns, 'return')} in the ledger.")
    head = ("framework", "term", "due", "issued", "returned", "accepted", "warnings",
            "rejected", "missing", "duplicates", "unknown")  # fmt: skip
    rows = [head] + [
        (x["framework"], f"{x['term']} {x['year']}", x["return_by"] or "-",
         *(str(x[k]) for k in head[3:]))
        for x in r.status
    ]  # fmt: skip
    if len(rows) == 1:
        click.echo("No workbooks issued yet: run awardbooks generate --term TERM.")
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows if len(rows) > 1 else []:
        click.echo("  ".join(c.rjust(w) if i > 2 else c.ljust(w)
                             for i, (c, w) in enumerate(zip(row, widths))).rstrip())
    if r.chase:
        click.echo(f"\nTo chase ({len(r.chase)}):")
    for x in r.chase:
        email = x["contact_email"] or "no contact_email in the roster"
        click.echo(f"  {x['framework']} {x['term']}: {x['setting']} <{email}>: {x['state']}, "
                   f"{x['detail']}")  # fmt: skip
    if r.unmatched:
        click.echo(f"\nNot matched to a workbook issued ({len(r.unmatched)}):")
    for name, state, why in r.unmatched:
        click.echo(f"  {name}: {state}: {why}")
    if r.superseded:
        click.echo("")
        echo_superseded([_shown(collection, w["file"]) for w in r.superseded])
    if st.waiting or r.unsettled:
        click.echo(f"\nWaiting: {plural(st.waiting, 'file')} in returns/ not taken in yet; "
                   "run awardbooks update.")  # fmt: skip
    if st.gone:
        click.echo(f"{plural(len(st.gone), 'file')} taken in before no longer in returns/ "
                   "(their returns are kept in the collection).")  # fmt: skip


@click.command("rebuild")
@WAIT_OPTION
@option("--jobs", type=click.IntRange(1, 64), help="Processes to read with (default: cores).")
@click.pass_context
@friendly
def rebuild_cmd(ctx, wait, jobs) -> None:
    """Make the ledger again from the returns kept in the collection (a damaged ledger)."""
    done = api.rebuild_ledger(found(ctx), wait=wait, waiting=waiting, jobs=jobs)
    click.echo(f"Rebuilt the ledger: {plural(done.files, 'return file')}, "
               f"{plural(done.returns, 'return')}, {plural(done.workbooks, 'workbook')} issued.")
    if done.kept_aside is not None:
        click.echo(f"The old ledger is kept as {done.kept_aside}.")
    for path in done.skipped:
        click.echo(f"Warning: {path}: its bytes no longer match its digest; left out.", err=True)


def _were(items) -> str:
    return "was" if len(items) == 1 else "were"


def generate(ctx, framework, term, force, prefill, encrypt=False) -> None:
    """``generate`` in a collection."""
    if term is None:
        raise click.UsageError("give the term the workbooks are for with --term")
    collection = found(ctx)
    done = api.generate_term(
        term, collection, framework=framework, force=force, prefill=prefill, waiting=waiting,
        encrypt=encrypt,
    )  # fmt: skip
    folder = _shown(collection, f"workbooks/{term}")
    if done.written or not (done.rewritten or done.kept):
        click.echo(f"Wrote {plural(len(done.written), 'workbook')} to {folder}/ and its "
                   "manifest.csv.")  # fmt: skip
    if done.rewritten:
        click.echo(f"Replaced {plural(len(done.rewritten), 'workbook')} whose carried-forward "
                   "return changed.")  # fmt: skip
    if done.kept:
        click.echo(f"Kept {plural(len(done.kept), 'workbook')} already made and current.")
    plain = [p for p in done.kept if encrypt and not api.is_encrypted(collection.root / p)]
    if plain:
        click.echo(f"Warning: {plural(len(plain), 'workbook')} already made {_were(plain)} kept "
                   "as they are, not encrypted: --encrypt applies to the workbooks it writes.",
                   err=True)  # fmt: skip
    if done.passwords is not None:
        click.echo(
            f"Passwords: {folder}/passwords.csv (readable by you alone). Send them apart from "
            "the workbooks: awardbooks mail drafts --passwords, or by telephone."
        )
    echo_superseded(done.superseded)
    for warning in done.warnings:
        click.echo(f"Warning: {word(warning, FLAGS)}", err=True)


def _echo_not_yet(not_yet) -> None:
    if not_yet:
        click.echo(f"Not chased yet, {plural(len(not_yet), 'setting')} with no return:")
    for setting, file, why in not_yet:
        click.echo(f"  {setting} ({file}): {why}")


def drafts(ctx, term, template, from_addr, force, only=None) -> None:
    """``mail drafts`` in a collection (``--only``: chase drafts)."""
    collection = found(ctx)
    if only is not None:
        chased = api.chase_term(only, collection, term=term, force=force, template=template,
                                from_addr=from_addr, waiting=waiting)  # fmt: skip
        result = chased.result
        folder = _shown(collection, f"drafts/{chased.term}")
        if not (result.written or result.kept or result.unsent or chased.not_yet):
            click.echo(chased_nobody(only))
            return
        if result.written:
            click.echo(f"Wrote {plural(len(result.written), 'chase draft')} to {folder}/ "
                       "(open each and press Send).")  # fmt: skip
        else:
            click.echo("No chase draft written.")
        if chased.annotated:
            n = len(chased.annotated)
            where = _shown(collection, f"outputs/annotated/{chased.term}")
            click.echo(f"Annotated {n} return{'s' if n != 1 else ''} into {where}/ (each "
                       "attached to its draft).")  # fmt: skip
        if result.kept:
            click.echo(f"Kept {plural(len(result.kept), 'existing chase draft')} (use --force "
                       "to replace).")  # fmt: skip
        if result.unsent:
            click.echo(f"No message for {plural(len(result.unsent), 'setting')} (contact them "
                       "another way):")  # fmt: skip
        for item in result.unsent:
            click.echo(f"  {item.setting} ({item.file}): {item.reason}")
        _echo_not_yet(chased.not_yet)
        return
    done = api.draft_term(collection, term=term, again=force, template=template,
                          from_addr=from_addr, waiting=waiting)  # fmt: skip
    folder = _shown(collection, f"drafts/{done.term}")
    result = done.result
    click.echo(f"Wrote {plural(len(result.written), 'draft')} to {folder}/ (open each and "
               "press Send).")  # fmt: skip
    if done.already:
        click.echo(f"{plural(done.already, 'workbook')} of {done.term} drafted before (use "
                   "--force to write their drafts again).")  # fmt: skip
    if result.unsent:
        click.echo(f"No message for {plural(len(result.unsent), 'setting')} (contact "
                   f"{'them' if len(result.unsent) != 1 else 'it'} another way):")  # fmt: skip
    for item in result.unsent:
        click.echo(f"  {item.setting} ({item.file}): {item.reason}")


def draft_passwords(ctx, term, from_addr, echo) -> None:
    """``mail drafts --passwords`` in a collection."""
    collection = found(ctx)
    term, done = api.draft_passwords(collection, term=term, from_addr=from_addr, waiting=waiting)
    echo(done, _shown(collection, f"drafts/{term}/passwords"))


def report(ctx, pdf, force) -> None:
    """``report`` in a collection."""
    collection = found(ctx)
    result = api.report_collection(collection, pdf=pdf, force=force, waiting=waiting)
    folder = _shown(collection, "outputs/feedback")
    made = len(result.workbooks)
    pdfs = f" and {plural(len(result.pdfs), 'PDF')}" if result.pdfs else ""
    click.echo(f"Wrote {plural(made, 'feedback report')}{pdfs} to {folder}/.")
    if result.kept:
        click.echo(f"Kept {plural(len(result.kept), 'report')} already current; updates keep "
                   "them current.")  # fmt: skip
    for warning in result.warnings:
        click.echo(f"Warning: {word(warning, FLAGS)}", err=True)


@click.command("purge")
@option("--setting", metavar="URN", help="Erase this setting's returns (its URN, or its name).")
@option(
    "--before", metavar="DATE", type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Erase the returns taken in before this date (YYYY-MM-DD), e.g. an old year's.",
)  # fmt: skip
@option("--yes", is_flag=True, help="Do not ask for confirmation.")
@WAIT_OPTION
@click.pass_context
@friendly
def purge_cmd(ctx, setting, before, yes, wait) -> None:
    """Erase a setting's returns, or old returns, from the collection for good: the files,
    the kept originals, the ledger's rows, the feedback reports; the outputs are rebuilt."""
    collection = found(ctx)
    day = before.date().isoformat() if before is not None else None

    def confirm(plan) -> bool:
        who = ", ".join(plan.settings) or "settings unknown"
        click.echo(f"This erases {plural(len(plan.returns), 'return')} ({who}): "
                   f"{plural(len(plan.files), 'file')} and their kept copies, "
                   f"{plural(len(plan.feedback) // 2, 'feedback report')}; it cannot be "
                   "undone.")  # fmt: skip
        for path in plan.paths:
            click.echo(f"  {path}")
        return yes or click.confirm("Erase them?", default=False)

    done = api.purge(collection, setting=setting, before=day, confirm=confirm, wait=wait,
                     waiting=waiting)  # fmt: skip
    if done.cancelled:
        click.echo("Nothing was erased.")
        return
    click.echo(f"Erased {plural(len(done.plan.returns), 'return')} and "
               f"{plural(len(done.erased), 'file')}; the outputs are rebuilt and the ledger "
               "holds nothing of them.")  # fmt: skip
    for origin in done.plan.shared:
        click.echo(f"Warning: {origin} holds other settings' returns too: it was kept; delete "
                   "it yourself once you no longer need them.", err=True)  # fmt: skip
    for backup in done.backups:
        click.echo(f"Deleted {backup} (an old copy of the ledger).")
    for file in done.plan.carried:
        if (collection.root / file).is_file():
            click.echo(
                f"Warning: {file} was issued carrying these returns forward; replace it "
                "(awardbooks generate --term TERM --force) or delete it.", err=True,
            )  # fmt: skip


COMMANDS = (new_cmd, update_cmd, add_cmd, status_cmd, rebuild_cmd, purge_cmd)
