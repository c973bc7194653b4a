"""A collection's outputs, rebuilt from the ledger without reading a return again: the
consolidated workbook (with a Status sheet), the data files and the feedback reports.

Decisions:

- Every return the ledger holds is consolidated from its kept rows
  (:func:`~awardbooks.analyse.consolidate.consolidate_rows`), with every workbook the
  collection issued as the manifest, so duplicates, unknown and missing returns are settled
  exactly as ``awardbooks analyse`` settles them. The statuses settled are written back to the
  ledger for ``status``.
- Each output is recorded with a digest of what it was built from; an output whose inputs are
  unchanged (and whose file is still the one written) is not written again. The consolidated
  workbook and data files depend on every return, so any change rebuilds them; a feedback
  report depends on what it shows (its setting's returns, the partnership's averages, its
  overdue actions), so only the reports whose content changed are rebuilt.
- Feedback reports are kept up to date once ``awardbooks report`` has made them (PDFs too if
  it made PDFs); an update does not start making them on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from awardbooks.analyse.consolidate import consolidate_rows, release_memory
from awardbooks.analyse.tables import CHASE, STATUS, Consolidation
from awardbooks.collection.entries import Entry, entries
from awardbooks.collection.issue import Issued, keep_up_to_date
from awardbooks.collection.ledger import Ledger, now
from awardbooks.collection.originals import digest_of
from awardbooks.collection.settings import Collection, settings_text
from awardbooks.collection.status import report as status_report
from awardbooks.errors import ReportError
from awardbooks.outputs.feedback import Feedback
from awardbooks.outputs.feedback_files import FeedbackResult, feedback_reports
from awardbooks.outputs.writing import write_outputs
from awardbooks.read.returns import Registry
from awardbooks.version import __version__

MANIFEST_NAME = "the workbooks this collection issued"
FEEDBACK = "outputs/feedback"


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


def consolidation(
    collection: Collection, ledger: Ledger, registry: Registry, today: dt.date
) -> tuple[Consolidation, list[Entry]]:
    """Every return in the ledger consolidated, with the collection's status and chase list."""
    found = list(entries(ledger, today))
    for entry in found:
        entry.record.framework = registry.by_id.get(entry.record.get("framework"))
    c = consolidate_rows(
        ((e.record, e.rows) for e in found), registry=registry,
        manifest_rows=manifest_rows(ledger), manifest_name=MANIFEST_NAME, today=today,
    )  # fmt: skip
    return c, found


def settle(ledger: Ledger, c: Consolidation, found: list[Entry]) -> None:
    """Write each return's settled status (and what settling said) back to the ledger."""
    statuses = c.returns["status"].tolist()[: len(found)]
    warnings = c.returns["warnings"].tolist()[: len(found)]
    changes = []
    for entry, status, text in zip(found, statuses, warnings):
        own = len(entry.record.warnings)
        notes = "\n".join(str(text).split("\n")[own:]) if text else ""
        if status != entry.status or notes:
            changes.append((status, notes, entry.id))
        entry.status = status
    with ledger.transaction():
        ledger.conn.executemany("UPDATE returns SET status = ?, notes = ? WHERE id = ?", changes)


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
    """Write the consolidated workbook and data files unless they are current; returns
    (paths written, whether they were current)."""
    out = collection.outputs / "consolidated.xlsx"
    data = collection.outputs / "data"
    inputs = _inputs_digest(collection, c, found)
    if _is_current(collection, ledger, out, inputs) and all(
        _is_current(collection, ledger, p, inputs) for p in sorted(data.glob("*.*"))
    ):
        return [], True
    release_memory()
    written = write_outputs(c, out, data)
    with ledger.transaction():
        _record(ledger, collection, written, "consolidated", inputs, run)
    return written, False


def feedback_outputs(
    collection: Collection,
    ledger: Ledger,
    c: Consolidation,
    found: list[Entry],
    run: int,
    *,
    pdf: bool | None = None,
    force: bool = False,
    specs: tuple[str, ...] = (),
    first: bool = False,
) -> FeedbackResult | None:
    """Rewrite the feedback reports whose content changed. Without ``first`` (``awardbooks
    report``) only once reports have been made; ``pdf`` None: as they were made."""
    made = ledger.one("SELECT COUNT(*) FROM outputs WHERE kind = 'feedback'") or 0
    if not made and not first:
        return None
    if pdf is None:
        pdf = bool(ledger.one("SELECT COUNT(*) FROM outputs WHERE kind = 'feedback-pdf'"))
    digests = {e.record.file: e.digest for e in found}

    def current(path: Path, s: Feedback) -> bool:
        if not _is_current(collection, ledger, path, s.fingerprint()):
            return False
        return not pdf or path.with_suffix(".pdf").is_file()

    try:
        result = feedback_reports(
            c, collection.outputs / "feedback", pdf=pdf, force=force, specs=specs,
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
    """Consolidate the ledger and settle the statuses; bring the workbooks issued up to date
    (:func:`~awardbooks.collection.issue.keep_up_to_date`); rewrite the outputs not current."""
    c, found = consolidation(collection, ledger, registry, today)
    settle(ledger, c, found)
    workbooks = keep_up_to_date(collection, ledger, registry, found)
    with_status(collection, ledger, c, today)
    written, current = consolidated_outputs(collection, ledger, c, found, run)
    done = Refreshed(c, found, workbooks, written, current)
    done.feedback = feedback_outputs(collection, ledger, c, found, run, specs=collection.specs)
    return done
