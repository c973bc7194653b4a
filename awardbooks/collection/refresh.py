"""A collection's outputs, rebuilt from the ledger without reading a return again: the
consolidated workbook (with a Status sheet), the data files and the feedback reports.

Decisions:

- Every return the ledger holds is settled as ``awardbooks analyse`` settles returns
  (:func:`~awardbooks.analyse.settle.settle`), with every workbook the collection issued as
  the manifest; the statuses are written back to the ledger for ``status``.
- The tables are built from what the ledger keeps (:mod:`awardbooks.collection.caches`), with
  the analyser's own functions: the summary, group means and level counts of each
  partnership's framework and term, and the progress of each setting, each worked out again
  only when its kept returns changed; the data files joined from each return's CSV text. The
  workbooks issued are checked for the settings whose kept returns changed. So an update
  after a few new returns does little more than settle, whatever the size of the
  collection.
- Up to :data:`DETAIL_MAX` kept returns the consolidated workbook holds every table; above
  that (no partnership is that big) its Scores, Progress and Ratings sheets say that the
  rows are in the data files, and those tables are not loaded at all.
- Each output is recorded with a digest of what it was built from; an output whose inputs
  are unchanged (and whose file is still the one written) is not written again. The
  consolidated workbook and data files depend on every return; a feedback report on what it
  shows, so only the reports whose content changed are rebuilt. Reports are kept up to date
  once ``awardbooks report`` has made them (PDFs too if it made PDFs).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from awardbooks.analyse.consolidate import is_overdue, release_memory, scales
from awardbooks.analyse.inputs import COVER_TABLE, input_rows
from awardbooks.analyse.settle import returns_rows, settle
from awardbooks.analyse.tables import (
    ACTIONS,
    CHASE,
    EXACT,
    INPUTS,
    OUTCOMES,
    RATINGS,
    RETURNS,
    SCORES,
    STATUS,
    Consolidation,
)
from awardbooks.collection.caches import (
    completion,
    fill_returns,
    progress_frame,
    progress_text,
    refresh_progress,
    refresh_terms,
    return_text,
    score_rows,
    scored,
    term_frames,
)
from awardbooks.collection.entries import Entry, light, unpack
from awardbooks.collection.issue import Issued, keep_up_to_date
from awardbooks.collection.ledger import Ledger, now
from awardbooks.collection.originals import digest_of
from awardbooks.collection.settings import Collection, settings_text
from awardbooks.collection.status import report as status_report
from awardbooks.errors import ReportError
from awardbooks.outputs.consolidated import write_consolidated
from awardbooks.outputs.data_files import write_data
from awardbooks.outputs.feedback import Feedback
from awardbooks.outputs.feedback_files import FeedbackResult, feedback_reports
from awardbooks.read.returns import Registry, ReturnRecord
from awardbooks.version import __version__
from awardbooks.workbook.layout import CARRY_FORWARD

MANIFEST_NAME = "the workbooks this collection issued"
USABLE = ("accepted", "warning")
DETAIL_MAX = 2_000
"""Kept returns up to which the consolidated workbook holds every table as a sheet."""


@dataclass
class Refreshed:
    """What rebuilding the outputs did."""

    consolidation: Consolidation
    entries: list[Entry]
    workbooks: Issued
    written: list[Path] = field(default_factory=list)
    current: bool = False  # the consolidated outputs were up to date already
    feedback: FeedbackResult | None = None


def manifest_rows(ledger: Ledger) -> list[dict[str, str]]:
    """Every workbook issued, as manifest rows: the live ones, and those replaced after they
    were mailed (a return of one is not unknown). A replaced workbook that came back stands
    for its setting and term: its replacement is then not missing."""
    columns = ("workbook_id", "file", "setting", "urn", "partnership", "local_authority",
               "contact_email", "framework", "spec_version", "year", "term",
               "previous_workbook_id", "replaced_by")  # fmt: skip
    rows = [
        dict(zip(columns, row))
        for row in ledger.execute(f"SELECT {', '.join(columns)} FROM workbooks ORDER BY rowid")
    ]
    returned = {
        wid for (wid,) in ledger.execute("SELECT DISTINCT workbook_id FROM returns")
    }
    covered = {row["replaced_by"] for row in rows if row["replaced_by"] and row["workbook_id"]
               in returned}  # fmt: skip
    return [
        row for row in rows
        if (not row["replaced_by"] or row["workbook_id"] in returned)
        and not (row["workbook_id"] in covered and row["workbook_id"] not in returned)
    ]  # fmt: skip


def settled_entries(ledger: Ledger, registry: Registry):
    """Every return (without its rows), settled with the others; the statuses (and what
    settling said of each) are written back to the ledger. Returns (entries, settlement)."""
    found = light(ledger)
    for entry in found:
        entry.record.framework = registry.by_id.get(entry.record.get("framework"))
    settled = settle([e.record for e in found], manifest_rows(ledger), MANIFEST_NAME)
    changes = []
    for entry in found:
        status = settled.statuses[id(entry.record)]
        notes = "\n".join(settled.notes[id(entry.record)])
        if status != entry.status or notes:
            changes.append((status, notes, entry.id))
        entry.status = status
    with ledger.transaction():
        ledger.conn.executemany("UPDATE returns SET status = ?, notes = ? WHERE id = ?", changes)
    return found, settled


def _rows(ledger: Ledger, sql: str, kept: list[int]) -> list[tuple]:
    """``sql`` (with ``{ids}`` where the kept returns' ids go) over the kept returns."""
    found: list[tuple] = []
    for start in range(0, len(kept), 500):
        part = kept[start : start + 500]
        found += ledger.execute(sql.format(ids=", ".join("?" * len(part))), part).fetchall()
    return found


_META = "r.framework, r.setting, r.urn, r.partnership, r.year, r.term"


def consolidation(
    collection: Collection,
    ledger: Ledger,
    registry: Registry,
    today: dt.date,
    *,
    detail: bool | None = None,
    settled=None,
) -> tuple[Consolidation, list[Entry]]:
    """The collection consolidated (see the module's decisions), with its status and chase
    list; ``detail`` True loads every table whatever the size (feedback needs them).
    ``settled``: what :func:`settled_entries` just gave, if nothing changed since."""
    found, settled = settled or settled_entries(ledger, registry)
    frameworks = registry.by_id
    fill_returns(ledger, today)
    refresh_progress(ledger, found, frameworks, today)
    refresh_terms(ledger, found, frameworks)
    terms = term_frames(ledger)
    kept = [e.id for e in found if e.status in USABLE and e.record.get("framework")]
    if detail is None:
        detail = len(kept) <= DETAIL_MAX
    counted = [e.id for e in found if scored(e)]  # not those with nothing rated
    scores = score_rows(ledger, counted) if detail else pd.DataFrame(columns=[*SCORES, EXACT])
    actions = pd.DataFrame(
        [
            (name, *meta, row, action, lead, start, end, status, details,
             is_overdue(end, status, today))
            for name, *meta, row, action, lead, start, end, status, details in _rows(
                ledger,
                f"SELECT r.name, {_META}, a.row, a.action, a.lead, a.start, a.\"end\", a.status, "
                "a.details FROM actions a JOIN returns r ON r.id = a.return_id "
                "WHERE r.id IN ({ids}) ORDER BY r.id, a.rowid", kept,
            )
        ],
        columns=list(ACTIONS),
    )  # fmt: skip
    outcomes = pd.DataFrame(_rows(
        ledger,
        f"SELECT {_META}, o.outcome_id, o.outcome, o.measure, o.value FROM outcomes o "
        "JOIN returns r ON r.id = o.return_id WHERE r.id IN ({ids}) ORDER BY r.id, o.rowid",
        kept,
    ), columns=list(OUTCOMES))  # fmt: skip
    rated = completion(ledger, kept)
    done = {id(e.record): rated[e.id] for e in found if e.id in rated}
    c = Consolidation(
        returns=pd.DataFrame(returns_rows([e.record for e in found], settled, done),
                             columns=list(RETURNS)),
        ratings=pd.DataFrame(columns=list(RATINGS)),
        scores=scores.drop(columns=[EXACT]),
        progress=pd.DataFrame(),
        actions=actions,
        outcomes=outcomes,
        summary=terms["summary"],
        levels=terms["levels"],
        group_means=terms["group_means"],
        **scales(registry),
        analysed_on=today.isoformat(),
        problems={e.record.file: e.record.problems for e in found if e.record.problems},
    )  # fmt: skip
    c.inputs = inputs_frame(ledger, kept, frameworks)
    if detail:
        c.progress = progress_frame(ledger)
        ratings = _rows(
            ledger,
            "SELECT r.name, r.workbook_id, r.framework, r.spec_version, r.setting, r.urn, "
            "r.partnership, r.year, r.term, t.group_id, t.item_id, t.rating, t.score, t.date, "
            "t.comment FROM ratings t JOIN returns r ON r.id = t.return_id "
            "WHERE r.id IN ({ids}) ORDER BY r.id, t.rowid", kept,
        )  # fmt: skip
        c.ratings = pd.DataFrame(ratings, columns=list(RATINGS))
        c.ratings["score"] = pd.to_numeric(c.ratings["score"]).astype(float)
    else:
        count = int(ledger.one(
            "SELECT COUNT(*) FROM scores WHERE return_id IN "
            "(SELECT id FROM returns WHERE status IN ('accepted', 'warning'))") or 0)
        c.elsewhere = {
            "scores": count,
            "progress": count,  # a progress row per score row
            "ratings": int(ledger.one(
                "SELECT COUNT(*) FROM ratings WHERE return_id IN "
                "(SELECT id FROM returns WHERE status IN ('accepted', 'warning'))") or 0),
            "inputs": len(c.inputs),
        }  # fmt: skip
    with_status(collection, ledger, c, today)
    return c, found


def inputs_frame(ledger: Ledger, kept: list[int], frameworks: dict) -> pd.DataFrame:
    """:data:`INPUTS` of the kept returns, from the tables the ledger keeps of each (with its
    Cover's inputs, see :func:`~awardbooks.analyse.inputs.kept_tables`). A return of a
    carry-forward workbook (one with a previous workbook) has its rating sheets' columns one
    further right."""
    rows: list[dict] = []
    for name, workbook_id, *meta, completed_by, completed_on, tables, previous in _rows(
        ledger,
        f"SELECT r.name, r.workbook_id, {_META}, r.completed_by, r.completed_on, r.tables, "
        "(SELECT w.previous_workbook_id FROM workbooks w WHERE w.workbook_id = r.workbook_id "
        "LIMIT 1) FROM returns r WHERE r.id IN ({ids}) ORDER BY r.id",
        kept,
    ):
        base = dict(zip(("framework", "setting", "urn", "partnership", "year", "term"), meta))
        framework = frameworks.get(base["framework"])
        if framework is None:
            continue
        variant = CARRY_FORWARD if previous else ""
        stored = unpack(tables) or {}
        record = ReturnRecord(
            name, framework=framework,
            meta={"workbook_id": workbook_id, "layout_variant": variant},
            cover={} if COVER_TABLE in stored else  # kept before the Cover's inputs were
            {"completed_by": completed_by, "completed_on": completed_on},
            tables=stored,
        )  # fmt: skip
        rows.extend(input_rows(record, base))
    return pd.DataFrame(rows, columns=list(INPUTS))


def with_status(collection: Collection, ledger: Ledger, c: Consolidation, today) -> None:
    """Attach the collection's status and chase list to its consolidation."""
    found = status_report(collection, ledger, today)
    c.status = pd.DataFrame(found.status, columns=list(STATUS))
    c.chase = pd.DataFrame(found.chase, columns=list(CHASE))


def _inputs_digest(collection: Collection, c: Consolidation, found: list[Entry]) -> str:
    """What the consolidated outputs are built from: every return (by digest) with its
    settled status, every workbook issued, the status, the settings, the day, awardbooks."""
    sha = hashlib.sha256()
    for part in (__version__, c.analysed_on, settings_text(collection.settings)):
        sha.update(part.encode("utf-8") + b"\0")
    for entry in found:
        sha.update(f"{entry.digest}:{entry.status}\0".encode())
    for frame in (c.returns, c.status, c.chase):
        sha.update(pd.util.hash_pandas_object(frame.astype(str), index=False).values.tobytes())
    return sha.hexdigest()


def _record(ledger: Ledger, collection: Collection, paths, kind: str, inputs: str, run: int,
            sources: str = "") -> None:  # fmt: skip
    rows = []
    for path in paths:
        digest, _size = digest_of(path)
        rows.append((collection.relative(path), kind, digest, inputs, sources, now(), run))
    ledger.conn.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def _is_current(collection: Collection, ledger: Ledger, path: Path, inputs: str) -> bool:
    """Whether ``path`` is the file last written from ``inputs`` (and nobody changed it)."""
    row = ledger.execute(
        "SELECT digest, inputs FROM outputs WHERE path = ?", (collection.relative(path),)
    ).fetchone()
    if row is None or row[1] != inputs or not path.is_file():
        return False
    return digest_of(path)[0] == row[0]


def consolidated_outputs(
    collection: Collection, ledger: Ledger, c: Consolidation, found: list[Entry], run: int
) -> tuple[list[Path], bool]:
    """Write the consolidated workbook and the data files (CSV) unless they are current;
    returns (paths written, whether they were current)."""
    out = collection.outputs / "consolidated.xlsx"
    data = collection.outputs / "data"
    inputs = _inputs_digest(collection, c, found)
    if _is_current(collection, ledger, out, inputs) and all(
        _is_current(collection, ledger, p, inputs) for p in sorted(data.glob("*.csv"))
    ):
        return [], True
    release_memory()
    write_consolidated(c, out)
    kept = [e.id for e in found if e.status in USABLE and e.record.get("framework")]
    text = {table: return_text(ledger, table, kept) for table in ("ratings", "outcomes")}
    text["scores"] = return_text(ledger, "scores", [e.id for e in found if scored(e)])
    text["progress"] = progress_text(ledger)
    written = [out, *write_data(c, data, parquet=False, text=text)]
    for stale in data.glob("*.parquet"):  # written by an earlier awardbooks; not kept current
        stale.unlink()
    with ledger.transaction():
        _record(ledger, collection, written, "consolidated", inputs, run)
    return written, False


def feedback_outputs(
    collection: Collection,
    ledger: Ledger,
    registry: Registry,
    today: dt.date,
    run: int,
    *,
    pdf: bool | None = None,
    force: bool = False,
    first: bool = False,
) -> FeedbackResult | None:
    """Rewrite the feedback reports whose content changed. Without ``first`` (``awardbooks
    report``) only once reports have been made; ``pdf`` None: as they were made."""
    made = ledger.one("SELECT COUNT(*) FROM outputs WHERE kind = 'feedback'") or 0
    if not made and not first:
        return None
    if pdf is None:
        pdf = bool(ledger.one("SELECT COUNT(*) FROM outputs WHERE kind = 'feedback-pdf'"))
    c, found = consolidation(collection, ledger, registry, today, detail=True)
    digests = {e.record.file: e.digest for e in found}

    def current(path: Path, s: Feedback) -> bool:
        if not _is_current(collection, ledger, path, s.fingerprint()):
            return False
        return not pdf or path.with_suffix(".pdf").is_file()

    try:
        result = feedback_reports(
            c, collection.outputs / "feedback", pdf=pdf, force=force, specs=collection.specs,
            current=current,
        )  # fmt: skip
    except ReportError:
        if first:
            raise
        return None  # nothing to report on (yet)
    with ledger.transaction():
        for path in result.workbooks:
            s = result.reports[path]
            sources = json.dumps([digests.get(s.file, "")])
            _record(ledger, collection, [path], "feedback", s.fingerprint(), run, sources)
        for path in result.pdfs:
            s = result.reports[path.with_suffix(".xlsx")]
            _record(ledger, collection, [path], "feedback-pdf", s.fingerprint(), run)
    return result


def refresh(
    collection: Collection,
    ledger: Ledger,
    registry: Registry,
    *,
    run: int,
    today: dt.date,
) -> Refreshed:
    """Settle the returns and bring the workbooks issued up to date
    (:func:`~awardbooks.collection.issue.keep_up_to_date`); rewrite the outputs not current."""
    settled = settled_entries(ledger, registry)
    changed = refresh_progress(ledger, settled[0], registry.by_id, today)
    workbooks = keep_up_to_date(collection, ledger, registry, settled[0], only=changed)
    if workbooks.rewritten:  # workbooks issued changed: settle against them
        settled = None
    c, found = consolidation(collection, ledger, registry, today, settled=settled)
    written, current = consolidated_outputs(collection, ledger, c, found, run)
    done = Refreshed(c, found, workbooks, written, current)
    done.feedback = feedback_outputs(collection, ledger, registry, today, run)
    return done
