"""Consolidate returns: read them (in parallel when there are many), settle duplicates and
the manifest, and build the tidy tables of :mod:`awardbooks.analyse.tables`.

A usable return becomes its table rows (:class:`ReturnRows`, made by :func:`table_rows`) as soon
as it is read. Consolidation works on records and their rows, whether just read
(:func:`consolidate`) or kept from earlier runs (:func:`consolidate_rows`, which a collection's
ledger uses): both settle duplicates and the manifest and build the tables with the same code.

numpy and pandas (through :mod:`awardbooks.analyse.progress`) are imported inside the
functions that use them, not at the top: a run imports them (a fifth of a second of CPU)
while the worker processes read, rather than before they start (measured in
``benchmarks/``).
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from awardbooks.analyse.inputs import input_rows
from awardbooks.analyse.settle import USABLE, Settled, nothing_rated, returns_rows, settle
from awardbooks.analyse.tables import (
    ACTIONS,
    EXACT,
    INPUTS,
    OUTCOMES,
    RATINGS,
    RETURNS,
    SCORES,
    Consolidation,
)
from awardbooks.analyse.tablestore import TableStore
from awardbooks.common.identity import setting_key, term_sort_key
from awardbooks.read.encrypted import Passwords
from awardbooks.read.inputs import ReturnInputs, Unit, read_unit
from awardbooks.read.milestones import flag_overdue
from awardbooks.read.returns import Registry, ReturnRecord
from awardbooks.workbook.layout import HISTORY_TABLE, META_KEYS, period_when
from awardbooks.workbook.scoring import pct, score_groups

PARALLEL_FROM = 48  # returns; below this a process pool costs more than it saves


_WORKER_REGISTRY: Registry | None = None
_WORKER_TODAY: dt.date | None = None
_WORKER_KEEPS_TABLES = False


def _init_worker(
    spec_paths: tuple[str, ...],
    today: str = "",
    keep_tables: bool = False,
    lenient: bool = False,
    completion_threshold: float | None = None,
    passwords: Passwords | None = None,
) -> None:
    global _WORKER_REGISTRY, _WORKER_TODAY, _WORKER_KEEPS_TABLES
    gc.freeze()  # what the process was forked with is never garbage: skip it in collections
    _WORKER_REGISTRY = Registry.default(
        spec_paths, passwords, lenient=lenient, completion_threshold=completion_threshold
    )
    _WORKER_TODAY = dt.date.fromisoformat(today) if today else None
    _WORKER_KEEPS_TABLES = keep_tables


def _worker(unit) -> ReturnRecord:
    record = read_unit(unit, _WORKER_REGISTRY)
    if _WORKER_TODAY is not None:  # send back table rows, not every parsed cell
        flag_overdue(record, _WORKER_TODAY)
        if record.status in ("accepted", "warning") and record.framework is not None:
            record.digest = table_rows(record, _WORKER_TODAY)  # type: ignore[attr-defined]
        record.ratings = {}
        if not _WORKER_KEEPS_TABLES:
            record.tables = {}
    record.framework_id = record.framework.id if record.framework else ""  # type: ignore[attr-defined]
    record.framework = None  # frameworks stay in each process; send the id back
    return record


def read_all(
    units: list[Unit],
    *,
    specs: tuple[str, ...] = (),
    jobs: int | None = None,
    progress: Callable[[ReturnRecord], None] | None = None,
    digest_on: dt.date | None = None,
    meanwhile: Callable[[], None] | None = None,
    keep_tables: bool = False,
    lenient: bool = False,
    completion_threshold: float | None = None,
    passwords: Passwords | None = None,
) -> tuple[list[ReturnRecord], Registry]:
    """Read every return, in a process pool when there are many. With ``digest_on`` the
    workers turn usable returns into table rows (``record.digest``) and drop their cells
    (but the action plan's and outcomes' rows as read when ``keep_tables``), and milestones
    overdue on that day are flagged; ``meanwhile`` is work for this process while the
    workers read; ``passwords`` open encrypted returns. ``lenient`` and
    ``completion_threshold``: see :class:`~awardbooks.read.records.Registry`."""
    registry = Registry.default(
        specs, passwords, lenient=lenient, completion_threshold=completion_threshold
    )
    jobs = jobs or os.cpu_count() or 1
    records: list[ReturnRecord] = []
    if jobs > 1 and len(units) >= PARALLEL_FROM:
        today = digest_on.isoformat() if digest_on else ""
        initargs = (specs, today, keep_tables, lenient, completion_threshold, passwords)
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=initargs) as pool:
            results = pool.map(_worker, units, chunksize=16)
            if meanwhile:
                meanwhile()
            for record in results:
                record.framework = registry.by_id.get(getattr(record, "framework_id", ""))
                records.append(record)
                if progress:
                    progress(record)
    else:
        for unit in units:
            record = read_unit(unit, registry)
            if digest_on is not None:
                flag_overdue(record, digest_on)
            records.append(record)
            if progress:
                progress(record)
    return records, registry


def consolidate(
    inputs: ReturnInputs,
    *,
    manifest_rows: list[dict[str, str]] | None = None,
    manifest_name: str = "",
    specs: tuple[str, ...] = (),
    today: dt.date | None = None,
    jobs: int | None = None,
    progress: Callable[[ReturnRecord], None] | None = None,
    meanwhile: Callable[[], None] | None = None,
    lenient: bool = False,
    completion_threshold: float | None = None,
    passwords: Passwords | None = None,
) -> Consolidation:
    """Read, check and consolidate returns into tidy tables. ``manifest_rows`` (from
    :func:`awardbooks.generate.read_manifest`) name the workbooks expected, so that missing
    and unknown returns are listed; ``meanwhile`` is work for this process while the workers
    read (importing what writes the outputs); ``passwords`` open encrypted returns."""

    def preload() -> None:
        import awardbooks.analyse.progress  # noqa: F401 - numpy and pandas; see the docstring

        if meanwhile:
            meanwhile()

    today = today or dt.date.today()
    stores = TableRows()

    def take(record: ReturnRecord) -> None:
        """Turn a usable return into table rows at once and drop its cell-level objects, so
        memory holds compact columns, not every return's parsed sheets."""
        stores.add(record, rows_of(record, today))
        slim(record)
        if progress:
            progress(record)

    records, registry = read_all(
        inputs.units,
        specs=tuple(str(s) for s in specs),
        jobs=jobs,
        progress=take,
        digest_on=today,
        meanwhile=preload,
        lenient=lenient,
        completion_threshold=completion_threshold,
        passwords=passwords,
    )
    return _settle_and_build(records, stores, manifest_rows, manifest_name, registry, today)


def rows_of(record: ReturnRecord, today: dt.date) -> ReturnRows | None:
    """A return's table rows: made by the worker process that read it, else here (None for a
    return that cannot be used)."""
    rows = record.__dict__.pop("digest", None)  # made by a worker process
    if rows is None and record.status in ("accepted", "warning") and record.framework:
        rows = table_rows(record, today)
    return rows


def slim(record: ReturnRecord) -> None:
    """Drop what consolidation no longer needs of a record once its rows are made: its cells,
    and all but the metadata and cover fields of :data:`KEPT_META` and :data:`KEPT_COVER`."""
    record.ratings = {}
    record.tables = {}
    record.meta = {k: record.meta[k] for k in KEPT_META if k in record.meta}
    record.cover = {k: record.cover[k] for k in KEPT_COVER if k in record.cover}


def consolidate_rows(
    returns: Iterable[tuple[ReturnRecord, ReturnRows | None]],
    *,
    registry: Registry,
    manifest_rows: list[dict[str, str]] | None = None,
    manifest_name: str = "",
    today: dt.date | None = None,
) -> Consolidation:
    """Consolidate returns read earlier: each a record (its file, time, :data:`KEPT_META`,
    :data:`KEPT_COVER`, problems and source) with its table rows (None when it cannot be used).
    Duplicates and the manifest are settled, and the tables built, exactly as by
    :func:`consolidate`. The Returns table has a row per record, in the order given, then the
    missing manifest rows."""
    today = today or dt.date.today()
    stores = TableRows()
    records = []
    for record, rows in returns:
        stores.add(record, rows)
        records.append(record)
    return _settle_and_build(records, stores, manifest_rows, manifest_name, registry, today)


def _settle_and_build(records, stores, manifest_rows, manifest_name, registry, today):
    settled = settle(records, manifest_rows, manifest_name)
    return _build(records, stores, settled, registry, today)


def release_memory() -> None:
    """Hand memory freed by a big step back to the system (glibc keeps it otherwise, and a
    run's peak is what a machine must have)."""
    import ctypes  # only here: loading libc is the one use

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


KEPT_META = tuple(col for col in RETURNS if col in META_KEYS and col != "contact_email")
"""What consolidation uses of a return's metadata (the Returns table's metadata columns;
and of its cover, below) once it is read. A return's contact email is not kept: the chase
takes each setting's address from the manifest (so the roster's, if it changed)."""
KEPT_COVER = ("completed_by", "completed_on")


@dataclass
class ReturnRows:
    """One usable return as table rows: ratings and scores as (the values of the first
    columns, shared by every row; each row's other values) in the tables' column order
    (:data:`~awardbooks.analyse.tables.RATINGS`; :data:`~awardbooks.analyse.tables.SCORES`
    then :data:`~awardbooks.analyse.tables.EXACT`); actions and outcomes as dicts of their
    tables' columns."""

    ratings: tuple[tuple, list[tuple]]
    scores: tuple[tuple, list[tuple]]
    actions: list[dict]
    outcomes: list[dict]
    history: list[tuple[tuple, list[tuple]]] = field(default_factory=list)
    """Frameworks with rating periods: the scores of each earlier period, as the return's
    locked history cells hold its ratings, with that period's year and term (used only for
    a term with no return of its own: see :func:`_history_owners`)."""
    inputs: list[dict] | None = field(default=None)
    """Everything the school typed (:data:`~awardbooks.analyse.tables.INPUTS`); None when
    not gathered (a collection's ledger does not keep them)."""


def _base(meta: dict[str, str]) -> dict[str, str]:
    return {key: meta.get(key, "") for key in BASE}


BASE = ("framework", "setting", "urn", "partnership", "year", "term")
"""The metadata every row of a return's actions and outcomes begins with."""


def table_rows(record: ReturnRecord, today: dt.date) -> ReturnRows:
    """A usable return's rows of the ratings, scores, actions and outcomes tables (actions
    overdue as of ``today``)."""
    fw = record.framework
    meta = record.meta
    base = _base(meta)
    wid = meta.get("workbook_id", "")
    labels = {lv.label: (lv.label, float(lv.score)) for lv in fw.scale.levels}
    head = (
        record.file,
        wid,
        base["framework"],
        meta.get("spec_version", ""),
        base["setting"],
        base["urn"],
        base["partnership"],
        base["year"],
        base["term"],
    )
    ratings = []
    for key, rating in record.ratings.items():
        label, score = labels.get(rating.label, ("", math.nan))
        ratings.append(
            (rating.group_id, key, label, score, rating.date or "", rating.comment or "")
        )
    groups, overall = score_groups(fw, {k: r.label for k, r in record.ratings.items()})
    top = fw.scale.top_score
    scores = []
    for g in [*groups, overall]:
        exact = g.score(top)
        score = pct(exact)
        scores.append(
            (
                g.group_id,
                g.title,
                g.rated,
                g.total,
                math.nan if score is None else score,
                pct(g.completion),
                math.nan if exact is None else exact * 100,  # EXACT: for changes and means
            )
        )
    score_head = (wid, *(base[k] for k in ("framework", "setting", "urn", "partnership")))
    score_head += (base["year"], base["term"])
    return ReturnRows(
        (head, ratings),
        (score_head, scores),
        _actions(record, fw, base, today),
        _outcomes(record, fw, base),
        history=_history_scores(record, score_head),
        inputs=input_rows(record, base),
    )


def _history_scores(record: ReturnRecord, score_head: tuple) -> list[tuple[tuple, list[tuple]]]:
    """The scores rows of each earlier period of a return's rating history (frameworks with
    rating periods), headed with the period's year and term."""
    fw, rows = record.framework, record.tables.get(HISTORY_TABLE)
    if not rows or fw is None or fw.audit.periods is None:
        return []
    plan_start = record.meta.get("plan_start") or record.meta.get("year", "")
    by_period: dict[str, dict[str, str]] = {}
    for row in rows:
        by_period.setdefault(str(row["period"]), {})[str(row["key"])] = str(row["rating"])
    out = []
    top = fw.scale.top_score
    for period, ratings in by_period.items():
        try:
            year, term = period_when(plan_start, period)
        except ValueError:
            continue
        groups, overall = score_groups(fw, ratings)
        scores = []
        for g in [*groups, overall]:
            exact = g.score(top)
            score = pct(exact)
            scores.append((
                g.group_id, g.title, g.rated, g.total, math.nan if score is None else score,
                pct(g.completion), math.nan if exact is None else exact * 100,
            ))  # fmt: skip
        out.append(((*score_head[:5], year, term), scores))
    return out


class TableRows:
    """The ratings and scores tables' rows of many returns, kept by column as each return is
    added (see tablestore), with each return's actions and outcomes; ``owner`` numbers the
    returns added, by ``id(record)``."""

    def __init__(self) -> None:
        self.ratings = TableStore(
            RATINGS, coded=_REPEATED, floats=("score",), categorical=True
        )  # fmt: skip
        head = ("workbook_id", "framework", "setting", "urn", "partnership", "year", "term")
        self.scores = TableStore(
            (*SCORES, EXACT),
            coded=(*head, "group_id", "group_title"),
            floats=("score_pct", "completion_pct", EXACT),
        )
        self.owner: dict[int, int] = {}  # id(record) -> its number in the stores
        self.completion: dict[int, tuple[int, int]] = {}  # id(record) -> (rated, total)
        self.rest: dict[int, tuple[list[dict], list[dict]]] = {}  # actions, outcomes
        self.history: dict[int, list[tuple[int, tuple]]] = {}  # id(record) -> (number, when)
        self.inputs: dict[int, list[dict] | None] = {}

    def add(self, record: ReturnRecord, digest: ReturnRows | None) -> None:
        if digest is None:
            return
        n = self.owner[id(record)] = len(self.owner)
        overall = [row for row in digest.scores[1] if row[0] == "ALL"]
        if overall:
            self.completion[id(record)] = (int(overall[0][2]), int(overall[0][3]))
        self.ratings.add(n, *digest.ratings)
        self.scores.add(n, *digest.scores)
        self.rest[n] = (digest.actions, digest.outcomes)
        for head, rows in digest.history:  # numbered below 0: never a return's number
            m = -1 - sum(len(h) for h in self.history.values())
            self.history.setdefault(id(record), []).append((m, head[1:]))
            self.scores.add(m, head, rows)
        self.inputs[n] = digest.inputs


def _history_owners(records, stores: TableRows, settled: Settled) -> list[int]:
    """The history scores to use: a setting's term read from a later return's history cells
    counts only when no usable return of that term was read (the termly return wins: it is
    what the setting returned then; the history cells are a locked copy of it), and from the
    latest return that holds it."""
    if not stores.history:
        return []
    usable = [r for r in records if settled.statuses[id(r)] in USABLE and id(r) in stores.owner]

    def who(fid, setting, urn, year, term):
        return (fid, setting_key(urn, setting), year, term)

    returned = {
        who(r.get("framework"), r.get("setting"), r.get("urn"), r.get("year"), r.get("term"))
        for r in usable
    }
    latest_first = sorted(
        usable, key=lambda r: term_sort_key(r.get("year"), r.get("term")), reverse=True
    )
    kept = []
    for record in latest_first:
        for number, (fid, setting, urn, _partnership, year, term) in stores.history.get(
            id(record), []
        ):
            key = who(fid, setting, urn, year, term)
            if key not in returned:
                returned.add(key)
                kept.append(number)
    return kept


def _build(
    records, stores: TableRows, settled: Settled, registry: Registry, today
) -> Consolidation:
    import pandas as pd  # see the module's docstring

    from awardbooks.analyse.progress import (
        group_means_table,
        level_counts,
        levels_table,
        progress_table,
        summary_table,
    )

    returns = returns_rows(records, settled, stores.completion)
    actions, outcomes, kept, scored = [], [], [], []
    inputs: list[dict] | None = []
    for record in records:
        n = stores.owner.get(id(record))
        if settled.statuses[id(record)] not in USABLE or n is None:
            continue
        kept.append(n)
        if not nothing_rated(record):  # an empty return counts in no score, mean or count
            scored.append(n)
        actions.extend(stores.rest[n][0])
        outcomes.extend(stores.rest[n][1])
        typed = stores.inputs.get(n)
        if typed is None:  # a return whose inputs were not gathered: none are shown
            inputs = None
        elif inputs is not None:
            inputs.extend(typed)
    history = _history_owners(records, stores, settled)  # scores only: no ratings rows
    kept += history
    scored += history
    frame = pd.DataFrame
    scores_df = stores.scores.frame(scored)
    ratings_df = stores.ratings.frame(kept)
    used = {fid: fw for fid, fw in registry.by_id.items()}
    rated_df = ratings_df if len(scored) == len(kept) else stores.ratings.frame(scored)
    progress_df = progress_table(scores_df, rated_df, used)  # an empty return is no "before"
    summary_df = summary_table(scores_df, used)
    group_means_df = group_means_table(scores_df)
    scores_df = scores_df.drop(columns=[EXACT])  # used above; the table is as scores.csv
    return Consolidation(
        returns=frame(returns, columns=RETURNS),
        ratings=ratings_df,
        scores=scores_df,
        progress=progress_df,
        actions=frame(actions, columns=ACTIONS),
        outcomes=frame(outcomes, columns=OUTCOMES),
        summary=summary_df,
        levels=levels_table(level_counts(ratings_df)),
        group_means=group_means_df,
        **scales(registry),
        analysed_on=today.isoformat(),
        problems={record.file: record.problems for record in records if record.problems},
        inputs=None if inputs is None else frame(inputs, columns=INPUTS),
    )


def scales(registry: Registry) -> dict[str, dict]:
    """A consolidation's ``level_order`` and ``level_colours``: each framework's levels."""
    used = registry.by_id
    return {
        "level_order": {fid: fw.scale.labels for fid, fw in used.items()},
        "level_colours": {
            fid: {lv.label: lv.colour for lv in fw.scale.levels} for fid, fw in used.items()
        },
    }


_REPEATED = tuple(c for c in RATINGS if c not in ("score", "comment"))


def is_overdue(end: str, status: str, today: dt.date) -> bool:
    """Whether an action is overdue: its end date (ISO) is before ``today`` and its status is
    not done (Green, complete, completed, done)."""
    done = status.casefold() in ("green", "complete", "completed", "done")
    return bool(end) and end < today.isoformat() and not done


def _actions(record: ReturnRecord, fw, base: dict, today: dt.date) -> list[dict]:
    plan = fw.sheets.action_plan
    if plan is None:
        return []
    columns = {c.id: c for c in plan.columns}
    named = {"action", "lead", "start", "end", "status"}
    out = []
    for row in record.tables.get("action_plan", []):
        end = str(row.get("end") or "")
        status = str(row.get("status") or "")
        overdue = is_overdue(end, status, today)
        details = "\n".join(
            f"{columns[k].label}: {v}"
            for k, v in row.items()
            if k in columns and k not in named and v not in ("", None)
        )
        out.append(
            base
            | {
                "file": record.file,
                "row": int(row["key"]),
                "action": str(row.get("action") or ""),
                "lead": str(row.get("lead") or ""),
                "start": str(row.get("start") or ""),
                "end": end,
                "status": status,
                "details": details,
                "overdue": overdue,
            }
        )
    return out


def _outcomes(record: ReturnRecord, fw, base: dict) -> list[dict]:
    spec = fw.sheets.outcomes
    if spec is None:
        return []
    texts = {o.id: o.text for o in spec.outcomes}
    out = []
    for row in record.tables.get("outcomes", []):
        text = texts.get(row["key"]) or str(row.get("outcome") or "")
        for column in spec.columns:
            value = row.get(column.id)
            if value not in ("", None):
                out.append(
                    base
                    | {
                        "outcome_id": row["key"],
                        "outcome": text,
                        "measure": column.label,
                        "value": value,
                    }
                )
    return out


