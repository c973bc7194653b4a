"""What each collection command does, as a whole: ``update``, ``add``, ``generate``, ``mail
drafts``, ``report``, ``status`` and ``rebuild`` inside a collection.

Decisions:

- A command that changes the collection holds its lock (:mod:`awardbooks.collection.lock`),
  checks the ledger (SQLite's ``quick_check``) and runs as one ledger transaction
  (:func:`session`): stopped at any point, by an error, a full disk or ``kill -9``, it leaves
  the ledger exactly as it was, and the next command does the work again (files it wrote are
  whole, being written through a temporary file; the originals it kept are reused).
- A full disk is one message saying how much to free, where, and that nothing was lost.
- ``status`` (:mod:`~awardbooks.collection.status`) only reads: it takes no lock and never
  waits for a command that is running.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.collection import intake as intake_mod
from awardbooks.collection import settings as settings_mod
from awardbooks.collection.erase import (
    PurgePlan,
    collection_passwords,
    compact,
    finish_erasure,
    forget_purged,
    purge_plan,
)
from awardbooks.collection.intake import Intake, NewFile, read_and_record, take_in
from awardbooks.collection.issue import Issued, adopt, issue, mark_mailed, sent_by_mail, to_mail
from awardbooks.collection.ledger import Ledger, create_at, disk_full
from awardbooks.collection.lock import WAIT_SECONDS, Holder, hold
from awardbooks.collection.originals import Originals, digest_of
from awardbooks.collection.refresh import (
    Refreshed,
    consolidated_outputs,
    consolidation,
    feedback_outputs,
    refresh,
    settled_entries,
)
from awardbooks.collection.settings import Collection
from awardbooks.common.files import ensure_folder
from awardbooks.errors import CollectionError
from awardbooks.generate.manifest import read_manifest
from awardbooks.mail.drafts import DraftsResult, write_drafts
from awardbooks.mail.passwords import PasswordMessages, write_password_messages
from awardbooks.outputs.feedback_files import FeedbackResult
from awardbooks.read.returns import Registry

Waiting = Callable[[Holder | None], None]


@dataclass
class Session:
    """A command's hold on a collection: its open ledger and its run's number."""

    collection: Collection
    ledger: Ledger
    run: int
    interrupted: Holder | None  # the command before this one, if it never finished
    outcome: str = ""
    migrated_from: int | None = None  # the ledger's version, if it was older


def _megabytes(size: int) -> str:
    return f"{max(size, 0) / 1e6:,.1f} MB"


def space_needed(collection: Collection) -> int:
    """Roughly what a command may need on the disk: the files under ``returns/`` not yet kept,
    twice (the original kept, the ledger's rows), the outputs once more (each is written
    beside the old one before it replaces it), the ledger's journal, and 1 MB to spare."""
    waiting = 0
    store = Originals(collection.originals)
    for path in collection.returns.rglob("*") if collection.returns.is_dir() else []:
        if path.is_file():
            waiting += path.stat().st_size
    outputs = sum(p.stat().st_size for p in collection.outputs.rglob("*") if p.is_file())
    ledger = collection.ledger_path.stat().st_size if collection.ledger_path.exists() else 0
    kept = store.size() if collection.originals.is_dir() else 0
    return 2 * max(waiting - kept, 0) + outputs + ledger // 4 + 1_000_000


def disk_full_error(collection: Collection, command: str) -> CollectionError:
    free = shutil.disk_usage(collection.root).free
    need = space_needed(collection)
    return CollectionError(
        f"{collection.root}: the disk is full ({_megabytes(free)} free); nothing was lost: the "
        f"ledger is as it was before this {command}, and every return is still in returns/. "
        f"Free at least {_megabytes(need - free if need > free else need)} on that disk (old "
        "files, the recycle bin, or copies of outputs you no longer need) and run awardbooks "
        f"{command} again"
    )


@contextmanager
def session(
    collection: Collection,
    command: str,
    *,
    wait: float = WAIT_SECONDS,
    waiting: Waiting | None = None,
    ledger_path: Path | None = None,
    create: bool = False,
) -> Iterator[Session]:
    """Hold the collection, open and check its ledger, and run the block as one transaction
    (see the module's decisions)."""
    with hold(collection.state / "lock", command, wait=wait, waiting=waiting) as interrupted:
        try:
            ledger = Ledger(ledger_path or collection.ledger_path, create=create)
        except BaseException as exc:
            if disk_full(exc):
                raise disk_full_error(collection, command) from None
            raise
        try:
            ledger.check()
            if ledger_path is None:  # a purge stopped after its ledger changed: finish it
                finish_erasure(collection, ledger)
            with ledger.transaction():
                run = ledger.start_run(command)
                session = Session(collection, ledger, run, interrupted,
                                  migrated_from=ledger.migrated_from)  # fmt: skip
                yield session
                ledger.finish_run(run, session.outcome)
        except BaseException as exc:
            if disk_full(exc):
                raise disk_full_error(collection, command) from None
            if isinstance(exc, sqlite3.DatabaseError):
                raise ledger.fault(exc) from None
            raise
        finally:
            ledger.close()


def new(
    folder: Path,
    *,
    frameworks: list[str],
    roster: Path,
    year: str,
    title: str | None,
    terms: list[str] | None,
    framework_ids: dict[str, str],
    issued: list[Path] = (),
) -> Collection:
    """A new collection folder with an empty ledger; the workbooks in ``issued`` folders
    (made by ``generate`` before the collection) join it (:func:`~.issue.adopt`)."""
    collection = settings_mod.create(
        folder, frameworks=frameworks, roster=roster, year=year, title=title, terms=terms,
        framework_ids=framework_ids,
    )  # fmt: skip
    create_at(collection.ledger_path).close()
    if issued:
        with session(collection, "new") as s:
            for given in issued:
                adopt(collection, s.ledger, Path(given))
    return collection


@dataclass
class Updated:
    """What an update did."""

    intake: Intake
    refreshed: Refreshed
    interrupted: Holder | None = None
    added: list[Path] = field(default_factory=list)
    migrated_from: int | None = None  # the ledger's version before this update, if older


def update(
    collection: Collection,
    *,
    wait: float = WAIT_SECONDS,
    waiting: Waiting | None = None,
    progress: Callable[[int, int], None] | None = None,
    jobs: int | None = None,
    today: dt.date | None = None,
    lenient: bool = False,
    completion_threshold: float | None = None,
    typed_password: str | None = None,
) -> Updated:
    """Take in the new return files, then bring the outputs and workbooks up to date;
    ``lenient`` and ``completion_threshold`` apply to the new returns read. Encrypted returns
    are opened with the passwords files of the workbooks or ``typed_password``."""
    today = today or dt.date.today()
    with session(collection, "update", wait=wait, waiting=waiting) as s:
        registry = Registry.default(collection.specs)
        found = take_in(collection, s.ledger, run=s.run, today=today, jobs=jobs,
                        progress=progress, lenient=lenient,
                        completion_threshold=completion_threshold,
                        typed_password=typed_password)  # fmt: skip
        refreshed = refresh(collection, s.ledger, registry, run=s.run, today=today)
        s.outcome = f"{len(found.files)} new files, {len(found.returns)} new returns"
    return Updated(found, refreshed, s.interrupted, migrated_from=s.migrated_from)


def add(collection: Collection, files: Iterable[Path], **options) -> Updated:
    """Copy files into ``returns/added/<today>/`` (a name already there with other content
    gets a number), then update."""
    files = [Path(f) for f in files]
    for path in files:
        if not path.is_file():
            raise CollectionError(f"{path}: no such file")
    folder = ensure_folder(
        collection.returns / "added" / dt.date.today().isoformat(), CollectionError
    )
    added = []
    for path in files:
        target = folder / path.name
        n = 2
        while target.exists() and digest_of(target)[0] != digest_of(path)[0]:
            target = folder / f"{path.stem}-{n}{path.suffix}"
            n += 1
        if not target.exists():
            shutil.copy2(path, target)
        added.append(target)
    done = update(collection, **options)
    done.added = added
    return done


def generate_term(
    collection: Collection,
    *,
    term: str,
    frameworks: list[str] | None = None,
    force: bool = False,
    prefill: bool = False,
    wait: float = WAIT_SECONDS,
    waiting: Waiting | None = None,
    progress: Callable[[Path], None] | None = None,
    today: dt.date | None = None,
    encrypt: bool = False,
) -> Issued:
    """The term's workbooks for every roster setting: fresh in the first term, carrying each
    setting's latest accepted return forward after it (see :mod:`~.issue`); with ``encrypt``,
    each encrypted with a password of its own, kept in the term's ``passwords.csv``. Once a
    term's workbooks were encrypted, every later term's are too."""
    today = today or dt.date.today()
    encrypt = encrypt or bool(collection_passwords(collection).files)
    collection.settings.term(term)
    fids = frameworks or framework_ids(collection)
    with session(collection, f"generate --term {term}", wait=wait, waiting=waiting) as s:
        registry = Registry.default(collection.specs)
        found, _settled = settled_entries(s.ledger, registry)
        done = issue(collection, s.ledger, registry, found, term=term, frameworks=fids,
                     force=force, prefill=prefill, progress=progress,
                     encrypt=encrypt)  # fmt: skip
        refresh(collection, s.ledger, registry, run=s.run, today=today)
        s.outcome = f"{len(done.written)} written, {len(done.rewritten)} replaced"
    return done


def framework_ids(collection: Collection) -> list[str]:
    """The ids of the collection's frameworks (a spec file's id is its file's stem, as
    ``new`` names the copy it keeps)."""
    return [Path(f).stem if f.lower().endswith((".yaml", ".yml", ".xlsx")) else f
            for f in collection.settings.frameworks]  # fmt: skip


@dataclass
class Drafted:
    term: str
    result: DraftsResult
    already: int  # workbooks of the term drafted or sent before


def draft_term(
    collection: Collection,
    *,
    term: str | None = None,
    again: bool = False,
    template: Path | None = None,
    from_addr: str | None = None,
    wait: float = WAIT_SECONDS,
    waiting: Waiting | None = None,
) -> Drafted:
    """Drafts for the term's workbooks not yet mailed (all of them with ``again``), in
    ``drafts/<term>/``, due by the term's return-by date; each is then counted as mailed."""
    with session(collection, "mail drafts", wait=wait, waiting=waiting) as s:
        year = collection.settings.year
        term = term or latest_term(collection, s.ledger)
        due = collection.settings.term(term).return_by
        ids = to_mail(s.ledger, year, term, again=again)
        every = to_mail(s.ledger, year, term, again=True)
        result = DraftsResult()
        if ids:
            result = write_drafts(
                collection.workbooks(term), template, collection.drafts(term), from_addr,
                return_by=due, force=True, only=set(ids),
            )  # fmt: skip
            mark_mailed(s.ledger, list(result.drafted))
        s.outcome = f"{len(result.written)} drafts"
    return Drafted(term, result, len(every) - len(ids))


def latest_term(collection: Collection, ledger: Ledger) -> str:
    """The latest term the collection issued workbooks for."""
    issued = {t for (t,) in ledger.execute("SELECT DISTINCT term FROM workbooks")}
    terms = [t.name for t in collection.settings.terms if t.name in issued]
    if not terms:
        raise CollectionError(
            f"{collection.root}: no workbooks issued yet; run awardbooks generate "
            "{opt:term} TERM first"
        )
    return terms[-1]


def draft_passwords(
    collection: Collection,
    *,
    term: str | None = None,
    from_addr: str | None = None,
    wait: float = WAIT_SECONDS,
    waiting: Waiting | None = None,
) -> tuple[str, PasswordMessages]:
    """The password messages and list of the term's encrypted workbooks (the latest term's
    by default), in ``drafts/<term>/passwords/``."""
    with session(collection, "mail drafts --passwords", wait=wait, waiting=waiting) as s:
        term = term or latest_term(collection, s.ledger)
        done = write_password_messages(
            collection.workbooks(term), collection.drafts(term) / "passwords",
            from_addr=from_addr,
        )  # fmt: skip
        s.outcome = f"{len(done.written)} password messages"
    return term, done


def report_collection(
    collection: Collection,
    *,
    pdf: bool = True,
    force: bool = False,
    wait: float = WAIT_SECONDS,
    waiting: Waiting | None = None,
    today: dt.date | None = None,
) -> FeedbackResult:
    """A feedback report per setting's latest accepted return, in ``outputs/feedback/``;
    reports already current are kept (unless ``force``), and later updates keep them so."""
    today = today or dt.date.today()
    with session(collection, "report", wait=wait, waiting=waiting) as s:
        registry = Registry.default(collection.specs)
        c, found = consolidation(collection, s.ledger, registry, today)
        consolidated_outputs(collection, s.ledger, c, found, s.run)
        result = feedback_outputs(
            collection, s.ledger, registry, today, s.run, pdf=pdf, force=force, first=True
        )
        assert result is not None  # first: made, or an error saying why not
    return result


@dataclass
class Rebuilt:
    returns: int
    files: int
    workbooks: int
    kept_aside: Path | None
    skipped: list[Path]  # originals whose bytes no longer match their digest


def rebuild(
    collection: Collection,
    *,
    wait: float = WAIT_SECONDS,
    waiting: Waiting | None = None,
    jobs: int | None = None,
    today: dt.date | None = None,
) -> Rebuilt:
    """Make the ledger again from the kept originals, the workbooks' manifests and the
    drafts; the old ledger (damaged or not) is kept beside it."""
    today = today or dt.date.today()
    state = collection.state
    fresh = state / "ledger.rebuilding.sqlite"
    for leftover in (fresh, fresh.with_name(fresh.name + "-journal")):
        leftover.unlink(missing_ok=True)
    store = Originals(collection.originals)
    damaged = store.damaged() if collection.originals.is_dir() else []
    with session(collection, "rebuild", wait=wait, waiting=waiting, ledger_path=fresh,
                 create=True) as s:  # fmt: skip
        originals = [
            NewFile(o.origin, o.digest, o.size, o.kind, o.mtime, o.first_seen, path)
            for o, path in store.each() if path not in damaged
        ]  # fmt: skip
        intake_mod.record_files(s.ledger, originals, s.run)
        done = Intake()
        read_and_record(collection, s.ledger, originals, today=today, jobs=jobs, intake=done,
                        passwords=collection_passwords(collection))  # fmt: skip
        _rescan_paths(collection, s.ledger)
        registry = Registry.default(collection.specs)
        workbooks = _reissue(collection, s.ledger, registry, today)
        _refind_feedback(collection, s.ledger)
        refresh(collection, s.ledger, registry, run=s.run, today=today)
        s.outcome = f"rebuilt: {len(done.returns)} returns"
    aside = None
    if collection.ledger_path.exists():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = state / f"ledger.before-rebuild-{stamp}.sqlite"
        os.replace(collection.ledger_path, aside)
    os.replace(fresh, collection.ledger_path)
    return Rebuilt(len(done.returns), len(originals), workbooks, aside, damaged)


class Cancelled(Exception):
    """A purge the user did not confirm: its session is rolled back, nothing changed."""


@dataclass
class Purged:
    """What a purge removed (``plan``), and the files it erased, relative to the collection."""

    plan: PurgePlan
    erased: list[str] = field(default_factory=list)
    cancelled: bool = False
    backups: list[str] = field(default_factory=list)


def purge(
    collection: Collection,
    *,
    setting: str | None = None,
    before: str | None = None,
    confirm: Callable[[PurgePlan], bool] | None = None,
    wait: float = WAIT_SECONDS,
    waiting: Waiting | None = None,
    today: dt.date | None = None,
) -> Purged:
    """Erase a setting's returns (``setting``: its URN or name), or those taken in before the
    date ``before``: their ledger rows, kept originals, files under ``returns/``, feedback
    reports and the caches worked out from them; then the outputs are made again, and the
    ledger file rewritten with nothing deleted left in it (see :mod:`~.erase`). ``confirm`` is
    asked with the plan before anything changes; False cancels."""
    if (setting is None) == (before is None):
        raise CollectionError("give {opt:setting} URN or {opt:before} DATE (one of them)")
    today = today or dt.date.today()
    label = f"purge --setting {setting}" if setting is not None else f"purge --before {before}"
    try:
        with session(collection, label, wait=wait, waiting=waiting) as s:
            plan = purge_plan(s.ledger, setting=setting, before=before)
            if not plan.returns:
                which = f"of {setting}" if setting is not None else f"taken in before {before}"
                raise CollectionError(f"{collection.root}: no returns {which} to purge")
            if confirm is not None and not confirm(plan):
                raise Cancelled
            forget_purged(collection, s.ledger, plan)
            registry = Registry.default(collection.specs, collection_passwords(collection))
            refresh(collection, s.ledger, registry, run=s.run, today=today)
            s.outcome = f"purged {len(plan.returns)} returns"
    except Cancelled:
        return Purged(plan, cancelled=True)
    with hold(collection.state / "lock", label, wait=wait, waiting=waiting):
        with Ledger(collection.ledger_path) as ledger:
            erased = finish_erasure(collection, ledger)
        compact(collection.ledger_path)
        backups = []
        for old in sorted(collection.state.glob("ledger.before-rebuild-*.sqlite")):
            old.unlink()  # an old copy of the ledger holds what was purged too
            backups.append(f".awardbooks/{old.name}")
    return Purged(plan, erased, backups=backups)


def _rescan_paths(collection: Collection, ledger: Ledger) -> None:
    """Where the kept files are now under ``returns/`` (files not kept yet are left for the
    next update)."""
    seen, _gone, _unchanged = intake_mod.scan(collection, ledger)
    known = {d for (d,) in ledger.execute("SELECT digest FROM files")}
    ledger.conn.executemany(
        "INSERT OR REPLACE INTO paths VALUES (?, ?, ?, ?)",
        [(s.rel, s.digest, s.size, s.mtime_ns) for s in seen if s.digest in known],
    )


def _reissue(collection: Collection, ledger: Ledger, registry: Registry, today) -> int:
    """The workbooks issued, from each term's manifest.csv and the files; mailed if a draft
    of it is in ``drafts/<term>/`` or the mail log says it was sent. The return a workbook
    carries is the latest kept return of its setting before its term if that return was
    taken in before the workbook was written and is the one its metadata names; otherwise
    the workbook counts as out of date (rewritten if not mailed, else superseded)."""
    found, _settled = settled_entries(ledger, registry)
    by_workbook: dict[str, list] = {}
    for entry in found:
        if entry.status in ("accepted", "warning"):
            by_workbook.setdefault(entry.record.get("workbook_id"), []).append(entry)
    first_seen = dict(ledger.execute("SELECT digest, first_seen FROM returns"))
    count = 0
    for term in collection.settings.terms:
        folder = collection.workbooks(term.name)
        manifest = folder / "manifest.csv"
        if not manifest.is_file():
            continue
        sent = sent_by_mail(folder)
        for row in read_manifest(manifest):
            path = folder / row["file"]
            if not path.is_file():
                continue
            digest, _size = digest_of(path)
            made = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat()
            carried = ""
            previous = row.get("previous_workbook_id", "")
            if previous:
                candidates = [e for e in by_workbook.get(previous, [])
                              if first_seen[e.digest] <= made]  # fmt: skip
                carried = candidates[-1].digest if candidates else "?"
            draft = collection.drafts(term.name) / f"{path.stem}.eml"
            mailed = None
            if draft.is_file():
                mailed = dt.datetime.fromtimestamp(draft.stat().st_mtime, dt.UTC).isoformat()
            elif row["file"] in sent:
                mailed = sent[row["file"]]
            ledger.execute(
                "INSERT OR REPLACE INTO workbooks (workbook_id, framework, spec_version, "
                "setting, urn, partnership, local_authority, contact_email, year, term, file, "
                "digest, generated_at, previous_workbook_id, carried_from, mailed_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (row["workbook_id"], row.get("framework", ""), row.get("spec_version", ""),
                 row.get("setting", ""), row.get("urn", ""), row.get("partnership", ""),
                 row.get("local_authority", ""), row.get("contact_email", ""),
                 row.get("year", ""), row.get("term", ""), collection.relative(path), digest,
                 made, previous, carried, mailed),
            )  # fmt: skip
            count += 1
    return count


def _refind_feedback(collection: Collection, ledger: Ledger) -> None:
    """Feedback reports found in ``outputs/feedback/`` are recorded as made (from unknown
    inputs), so the next update rewrites them."""
    folder = collection.outputs / "feedback"
    rows = []
    for path in sorted(folder.glob("*.xlsx")) + sorted(folder.glob("*.pdf")):
        kind = "feedback" if path.suffix == ".xlsx" else "feedback-pdf"
        rows.append((collection.relative(path), kind, "", "", "", "", None))
    ledger.conn.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
