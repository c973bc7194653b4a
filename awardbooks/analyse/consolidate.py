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
from dataclasses import dataclass

from awardbooks.analyse.settle import USABLE, Settled, returns_rows, settle
from awardbooks.analyse.tables import (
    ACTIONS,
    EXACT,
    OUTCOMES,
    RATINGS,
    RETURNS,
    SCORES,
    Consolidation,
)
from awardbooks.analyse.tablestore import TableStore
from awardbooks.read.encrypted import Passwords
from awardbooks.read.inputs import ReturnInputs, Unit, read_unit
from awardbooks.read.returns import Registry, ReturnRecord
from awardbooks.workbook.layout import META_KEYS
from awardbooks.workbook.scoring import pct, score_groups

PARALLEL_FROM = 48  # returns; below this a process pool costs more than it saves


_WORKER_REGISTRY: Registry | None = None
_WORKER_TODAY: dt.date | None = None
_WORKER_KEEPS_TABLES = False


def _init_worker(
    spec_paths: tuple[str, ...],
    today: str = "",
    keep_tables: bool = False,
    passwords: Passwords | None = None,
) -> None:
    global _WORKER_REGISTRY, _WORKER_TODAY, _WORKER_KEEPS_TABLES
    gc.freeze()  # what the process was forked with is never garbage: skip it in collections
    _WORKER_REGISTRY = Registry.default(spec_paths, passwords)
    _WORKER_TODAY = dt.date.fromisoformat(today) if today else None
    _WORKER_KEEPS_TABLES = keep_tables


def _worker(unit) -> ReturnRecord:
    record = read_unit(unit, _WORKER_REGISTRY)
    if _WORKER_TODAY is not None:  # send back table rows, not every parsed cell
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
    passwords: Passwords | None = None,
) -> tuple[list[ReturnRecord], Registry]:
    """Read every return, in a process pool when there are many. With ``digest_on`` the
    workers turn usable returns into table rows (``record.digest``) and drop their cells
    (but the action plan's and outcomes' rows as read when ``keep_tables``); ``meanwhile``
    is work for this process while the workers read; ``passwords`` open encrypted returns."""
    registry = Registry.default(specs, passwords)
    jobs = jobs or os.cpu_count() or 1
    records: list[ReturnRecord] = []
    if jobs > 1 and len(units) >= PARALLEL_FROM:
        today = digest_on.isoformat() if digest_on else ""
        initargs = (specs, today, keep_tables, passwords)
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


KEPT_META = tuple(col for col in RETURNS if col in META_KEYS)
"""What consolidation uses of a return's metadata (the Returns table's metadata columns;
and of its cover, below) once it is read."""
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
    )


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
        self.rest: dict[int, tuple[list[dict], list[dict]]] = {}  # actions, outcomes

    def add(self, record: ReturnRecord, digest: ReturnRows | None) -> None:
        if digest is None:
            return
        n = self.owner[id(record)] = len(self.owner)
        self.ratings.add(n, *digest.ratings)
        self.scores.add(n, *digest.scores)
        self.rest[n] = (digest.actions, digest.outcomes)


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

    returns = returns_rows(records, settled)
    actions, outcomes, kept = [], [], []
    for record in records:
        n = stores.owner.get(id(record))
        if settled.statuses[id(record)] not in USABLE or n is None:
            continue
        kept.append(n)
        actions.extend(stores.rest[n][0])
        outcomes.extend(stores.rest[n][1])
    frame = pd.DataFrame
    scores_df = stores.scores.frame(kept)
    ratings_df = stores.ratings.frame(kept)
    used = {fid: fw for fid, fw in registry.by_id.items()}
    progress_df = progress_table(scores_df, ratings_df, used)
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


