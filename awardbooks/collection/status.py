"""Where a collection stands: per framework and term, how many settings were issued a
workbook, returned it, and with what outcome, and who to chase.

Decisions:

- Counted by setting, not by file: a setting that returned twice is one setting returned; it
  is accepted (or accepted with warnings) if any of its returns for the term is kept, rejected
  if it sent only returns that cannot be used, missing if it sent nothing. Duplicate and
  unknown files are counted apart, as files.
- A return belongs to the workbook whose id it carries (or to the workbook that one replaced).
  Returns that cannot be matched to an issued workbook (a file that is not a workbook, an email
  without one, a workbook from elsewhere) are listed for the officer to look at.
- Worked out from the ledger alone, with plain SQL and no pandas, so that ``awardbooks status``
  answers at once however many returns there are; the statuses are those the last update
  settled (duplicates, unknown), or as read for returns taken in since.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field

from awardbooks.analyse.tables import CHASE, STATUS
from awardbooks.collection.ledger import Ledger
from awardbooks.collection.settings import Collection
from awardbooks.common.identity import term_sort_key
from awardbooks.problems import Problem
from awardbooks.read.names import walk

USABLE = ("accepted", "warning")


@dataclass
class Report:
    """A collection's status: :data:`~awardbooks.analyse.tables.STATUS` rows, the
    :data:`~awardbooks.analyse.tables.CHASE` list, and what else the officer should know."""

    status: list[dict] = field(default_factory=list)
    chase: list[dict] = field(default_factory=list)
    unmatched: list[tuple[str, str, str]] = field(default_factory=list)  # file, status, why
    superseded: list[dict] = field(default_factory=list)  # workbook rows
    unsettled: int = 0  # returns taken in since the last update settled them
    returns: int = 0


def _first_error(ledger: Ledger) -> dict[int, str]:
    found: dict[int, str] = {}
    for rid, text in ledger.execute(
        "SELECT return_id, problem FROM problems WHERE severity = 'error' ORDER BY return_id, seq"
    ):
        if rid not in found:
            data = json.loads(text)
            problem = Problem(**{k: v for k, v in data.items() if k in _FIELDS})
            found[rid] = problem.located
    return found


_FIELDS = tuple(f.name for f in dataclasses.fields(Problem))


def report(collection: Collection, ledger: Ledger, today: dt.date | None = None) -> Report:
    """The status of every framework and term that has workbooks issued or returns."""
    today = today or dt.date.today()
    out = Report()
    due = {t.name: t.return_by for t in collection.settings.terms}
    workbooks = ledger.execute(
        "SELECT workbook_id, framework, year, term, setting, urn, partnership, contact_email, "
        "file, replaced_by, mailed_at, carried_from FROM workbooks"
    ).fetchall()
    owner: dict[str, str] = {}  # workbook id -> the live workbook standing for it
    live = {w[0]: w for w in workbooks if w[9] is None}
    replaced = {w[0]: w[9] for w in workbooks if w[9] is not None}
    for wid in [*live, *replaced]:
        seen, current = set(), wid
        while current in replaced and current not in seen:
            seen.add(current)
            current = replaced[current]
        owner[wid] = current
    errors = _first_error(ledger)
    states: dict[str, str] = {}  # live workbook id -> best state of its returns
    rank = {"accepted": 3, "warning": 2, "rejected": 1}
    files: dict[tuple, dict[str, int]] = {}
    rejected_detail: dict[str, str] = {}
    for rid, name, wid, fw, year, term, status, read_status in ledger.execute(
        "SELECT id, name, workbook_id, framework, year, term, status, read_status "
        "FROM returns ORDER BY id"
    ):
        out.returns += 1
        if status is None:
            out.unsettled += 1
        settled = status or read_status
        if settled in ("duplicate", "unknown") and fw:
            counts = files.setdefault((fw, year, term), {})
            counts[settled] = counts.get(settled, 0) + 1
        live_id = owner.get(wid)
        if live_id is None or live_id not in live:
            if settled not in USABLE and settled != "duplicate":
                why = errors.get(rid, "not a workbook this collection issued")
                out.unmatched.append((name, settled, why))
            continue
        state = {"duplicate": "accepted"}.get(settled, settled)
        if rank.get(state, 0) > rank.get(states.get(live_id, ""), 0):
            states[live_id] = state
        if state == "rejected" and live_id not in rejected_detail:
            rejected_detail[live_id] = f"{name}: {errors.get(rid, 'rejected')}"
    periods: dict[tuple, dict[str, int]] = {}
    for wid, w in live.items():
        fw, year, term = w[1], w[2], w[3]
        state = states.get(wid, "missing")
        counts = periods.setdefault((fw, year, term), {})
        counts[state] = counts.get(state, 0) + 1
        if state in ("missing", "rejected"):
            when = due.get(term)
            if state == "rejected":
                detail = rejected_detail[wid]
            elif when is None:
                detail = "no return yet"
            else:
                late = " (overdue)" if when < today else ""
                detail = f"due {when.isoformat()}{late}"
            out.chase.append(dict(zip(CHASE, (
                fw, year, term, w[4], w[5], w[6], w[7], state, detail, w[8].rsplit("/", 1)[-1],
            ))))  # fmt: skip
    for key in sorted(set(periods) | set(files), key=lambda k: (k[0], term_sort_key(*k[1:]))):
        fw, year, term = key
        counts, other = periods.get(key, {}), files.get(key, {})
        accepted, warnings = counts.get("accepted", 0), counts.get("warning", 0)
        rejected, missing = counts.get("rejected", 0), counts.get("missing", 0)
        when = due.get(term) if year == collection.settings.year else None
        out.status.append(dict(zip(STATUS, (
            fw, year, term, when.isoformat() if when else "",
            accepted + warnings + rejected + missing, accepted + warnings + rejected,
            accepted, warnings, rejected, missing,
            other.get("duplicate", 0), other.get("unknown", 0),
        ))))  # fmt: skip
    out.chase.sort(key=lambda r: (r["framework"], term_sort_key(r["year"], r["term"]),
                                  r["setting"].casefold()))  # fmt: skip
    out.superseded = [
        dict(zip(("workbook_id", "framework", "year", "term", "setting", "file"),
                 (w[0], w[1], w[2], w[3], w[4], w[8])))
        for w in ledger.execute(
            "SELECT workbook_id, framework, year, term, setting, urn, partnership, "
            "contact_email, file FROM workbooks w WHERE replaced_by IS NULL AND superseded = 1"
        ).fetchall()
    ]  # fmt: skip
    return out


def known_paths(ledger: Ledger) -> dict[str, tuple[int, int]]:
    """Each path under ``returns/`` the ledger has seen: (size, modification time in ns)."""
    rows = ledger.execute("SELECT path, size, mtime_ns FROM paths")
    return {path: (size, mtime_ns) for path, size, mtime_ns in rows}


def unplaced(ledger: Ledger) -> list[str]:
    """Files taken in (by where they first came) with no copy left under ``returns/``: their
    returns are kept in the ledger and the originals."""
    rows = ledger.execute(
        "SELECT origin FROM files WHERE digest NOT IN (SELECT digest FROM paths) ORDER BY origin"
    )
    return [origin for (origin,) in rows]


def pending(collection: Collection, ledger: Ledger) -> tuple[int, list[str]]:
    """(files under ``returns/`` not yet taken in or changed, files taken in that are no
    longer there), by file facts only: nothing is opened or hashed."""
    known = known_paths(ledger)
    present: set[str] = set()
    new = 0
    for name, entry in walk(collection.returns):
        rel = f"returns/{name}"
        try:
            st = entry.stat()
        except OSError:
            continue
        present.add(rel)
        if known.get(rel) != (st.st_size, st.st_mtime_ns):
            new += 1
    return new, sorted((set(known) - present) | set(unplaced(ledger)))


@dataclass
class Status:
    """``status``: the report, and what is waiting under ``returns/``."""

    report: Report
    waiting: int  # files under returns/ not taken in yet
    gone: list[str]  # files taken in that are no longer under returns/ (their returns are kept)


def status(collection: Collection, today: dt.date | None = None) -> Status:
    """Where the collection stands (see the module's decisions); reads only."""
    with Ledger(collection.ledger_path) as ledger:
        found = report(collection, ledger, today)
        waiting, gone = pending(collection, ledger)
    return Status(found, waiting, gone)
