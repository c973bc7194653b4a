"""Consolidate returns: find the inputs, read them (in parallel when there are many), settle
duplicates and the manifest, and build the tidy tables of :mod:`awardbooks.analyse.tables`."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from awardbooks.analyse.tables import (
    ACTIONS,
    GROUP_MEANS,
    LEVELS,
    OUTCOMES,
    PROGRESS,
    RATINGS,
    RETURNS,
    SCORES,
    SUMMARY,
    Consolidation,
)
from awardbooks.errors import GenerateError
from awardbooks.read import codes
from awardbooks.read.container import Refusal
from awardbooks.read.emails import mail_kind
from awardbooks.read.returns import Registry, ReturnRecord, read_bytes, read_path, refused
from awardbooks.workbook.layout import META_KEYS
from awardbooks.workbook.scoring import pct, score_groups

RETURN_EXTS = (".xlsx", ".xlsm", ".xltx", ".xls", ".xlsb", ".ods")
ARCHIVE_EXTS = (".zip",)
TERM_ORDER = {"baseline": 0, "autumn": 1, "spring": 2, "summer": 3}
PARALLEL_FROM = 48  # returns; below this a process pool costs more than it saves


def find_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and in folders (recursively) every workbook or .zip archive; hidden
    files and Office lock files (~$name.xlsx) are skipped."""
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if p.is_file())
            candidates = [
                p
                for p in candidates
                if (p.suffix.lower() in RETURN_EXTS + ARCHIVE_EXTS or mail_kind(p))
                and not p.name.startswith((".", "~$"))
                and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            ]
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _units(inputs: list[Path]) -> Iterator[tuple[str, Path | None, bytes | None]]:
    """(name, path, bytes) for every return: files, and the workbooks inside .zip archives and
    saved emails (whose bytes carry the message they came from, see awardbooks.read.emails)."""
    from awardbooks.read.emails import mail_units

    for path in inputs:
        if mail_kind(path):
            yield from mail_units(path, RETURN_EXTS)
        elif path.suffix.lower() in ARCHIVE_EXTS:
            try:
                data = path.read_bytes()
            except OSError as exc:
                yield str(path), None, Refusal(codes.FILE_UNREADABLE(reason=exc.strerror))
                continue
            yield from _archive_units(str(path), path, data)
        else:
            yield str(path), path, None


MAX_ARCHIVE_DEPTH = 3


def _archive_units(name: str, path: Path, data: bytes, depth: int = 1):
    """The returns in a .zip archive, and in archives inside it (up to three deep)."""
    from awardbooks.errors import ReturnError
    from awardbooks.read.container import zip_members

    try:
        members = zip_members(data, name, RETURN_EXTS + ARCHIVE_EXTS)
    except ReturnError as exc:
        yield name, None, Refusal(exc.problem)
        return
    if not members:
        yield name, None, Refusal(codes.ARCHIVE_NO_WORKBOOKS())
    for member, content in members:
        if not member.lower().endswith(ARCHIVE_EXTS):
            yield member, path, content
        elif depth >= MAX_ARCHIVE_DEPTH:
            yield member, None, Refusal(codes.ARCHIVE_TOO_DEEP())
        else:
            yield from _archive_units(member, path, content, depth + 1)


def printable(text: str) -> str:
    """A file name or header as text every output can hold: bytes that were not valid in
    the file system's encoding (kept by Python as lone surrogates) become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _read_unit(unit: tuple[str, Path | None, bytes | None], registry: Registry) -> ReturnRecord:
    name, path, data = unit
    name = printable(name)
    source = {k: printable(v) for k, v in getattr(data, "source", {}).items()}
    # ^ the email a return came from (mailin.MailBytes)
    if path is None:  # an archive or email that could not be opened: data holds the reason
        return refused(name, data, source)
    if data is None:
        return read_path(path, registry, name)
    try:
        mtime = getattr(data, "mtime", 0.0) or path.stat().st_mtime
    except OSError:
        mtime = 0.0
    record = read_bytes(data, name, registry, mtime)
    record.source = source
    return record


_WORKER_REGISTRY: Registry | None = None
_WORKER_TODAY: dt.date | None = None


def _init_worker(spec_paths: tuple[str, ...], today: str = "") -> None:
    global _WORKER_REGISTRY, _WORKER_TODAY
    import gc

    gc.freeze()  # what the process was forked with is never garbage: skip it in collections
    _WORKER_REGISTRY = Registry.default(spec_paths)
    _WORKER_TODAY = dt.date.fromisoformat(today) if today else None


def _worker(unit) -> ReturnRecord:
    record = _read_unit(unit, _WORKER_REGISTRY)
    if _WORKER_TODAY is not None:  # send back table rows, not every parsed cell
        if record.status in ("accepted", "warning") and record.framework is not None:
            record.digest = _digest(record, _WORKER_TODAY)  # type: ignore[attr-defined]
        record.ratings = {}
        record.tables = {}
    record.framework_id = record.framework.id if record.framework else ""  # type: ignore[attr-defined]
    record.framework = None  # frameworks stay in each process; send the id back
    return record


def read_all(
    inputs: list[Path],
    *,
    specs: tuple[str, ...] = (),
    jobs: int | None = None,
    progress: Callable[[ReturnRecord], None] | None = None,
    digest_on: dt.date | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> tuple[list[ReturnRecord], Registry]:
    """Read every return, in a process pool when there are many. With ``digest_on`` the
    workers turn usable returns into table rows (``record.digest``) and drop their cells;
    ``meanwhile`` is work for this process while the workers read."""
    registry = Registry.default(specs)
    units = list(_units(inputs))
    jobs = jobs or os.cpu_count() or 1
    records: list[ReturnRecord] = []
    if jobs > 1 and len(units) >= PARALLEL_FROM:
        from concurrent.futures import ProcessPoolExecutor

        today = digest_on.isoformat() if digest_on else ""
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(specs, today)) as pool:
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
            record = _read_unit(unit, registry)
            records.append(record)
            if progress:
                progress(record)
    return records, registry


def analyse(
    paths: Iterable[str | Path],
    *,
    manifest: str | Path | None = None,
    specs: Iterable[str | Path] = (),
    today: dt.date | None = None,
    jobs: int | None = None,
    progress: Callable[[ReturnRecord], None] | None = None,
    inputs: list[Path] | None = None,
) -> Consolidation:
    """Read, check and consolidate returns into tidy tables."""
    from awardbooks.generate.workbooks import read_manifest

    inputs = inputs if inputs is not None else find_inputs(paths)
    manifest_rows = read_manifest(Path(manifest)) if manifest else None
    if manifest_rows is not None and not manifest_rows:
        raise GenerateError(f"{manifest}: the manifest lists no workbooks")
    today = today or dt.date.today()
    stores = _Stores()

    def take(record: ReturnRecord) -> None:
        """Turn a usable return into table rows at once and drop its cell-level objects, so
        memory holds compact columns, not every return's parsed sheets."""
        digest = record.__dict__.pop("digest", None)  # made by a worker process
        if digest is None and record.status in ("accepted", "warning") and record.framework:
            digest = _digest(record, today)
        stores.add(record, digest)
        record.ratings = {}
        record.tables = {}
        record.meta = {k: record.meta[k] for k in _KEPT_META if k in record.meta}
        record.cover = {k: record.cover[k] for k in _KEPT_COVER if k in record.cover}
        if progress:
            progress(record)

    records, registry = read_all(
        inputs,
        specs=tuple(str(s) for s in specs),
        jobs=jobs,
        progress=take,
        digest_on=today,
        meanwhile=_import_for_consolidation,
    )
    statuses = {id(r): r.status for r in records}
    notes: dict[int, list[str]] = {id(r): [] for r in records}
    _settle_duplicates(records, statuses, notes)
    missing_rows: list[dict[str, str]] = []
    if manifest_rows is not None:
        missing_rows = _settle_manifest(records, statuses, notes, manifest_rows, str(manifest))
    return _build(records, stores, statuses, notes, missing_rows, registry, today)


def release_memory() -> None:
    """Hand memory freed by a big step back to the system (glibc keeps it otherwise, and a
    run's peak is what a machine must have)."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


_KEPT_META = tuple(col for col in RETURNS if col in META_KEYS)
"""What consolidation uses of a return's metadata (the Returns table's metadata columns;
and of its cover, below) once it is read."""
_KEPT_COVER = ("completed_by", "completed_on")


def _import_for_consolidation() -> None:
    """Import pandas and the report writer (a fifth of a second) while the workers read,
    rather than before they start or after they finish."""
    import pandas  # noqa: F401

    import awardbooks.outputs.consolidated  # noqa: F401


def _completed_key(record: ReturnRecord) -> tuple[str, float]:
    return (str(record.cover.get("completed_on") or ""), record.mtime)


def _settle_duplicates(records, statuses, notes) -> None:
    """Keep the latest completed of each workbook id, then of each setting+framework+term."""
    usable = [r for r in records if statuses[id(r)] in ("accepted", "warning")]

    def settle(key_of: Callable[[ReturnRecord], Any], what: str) -> None:
        groups: dict[Any, list[ReturnRecord]] = {}
        for record in usable:
            if statuses[id(record)] == "duplicate":
                continue
            key = key_of(record)
            if key:
                groups.setdefault(key, []).append(record)
        for group in groups.values():
            if len(group) < 2:
                continue
            keep = max(group, key=_completed_key)
            for record in group:
                if record is not keep:
                    statuses[id(record)] = "duplicate"
                    mine, theirs = _completed_key(record)[0], _completed_key(keep)[0]
                    why = (
                        "which was completed later"
                        if theirs > mine
                        else "which was saved or sent later"
                    )
                    notes[id(record)].append(
                        f"{record.file}: {what} as {keep.file}, {why} and was kept"
                    )

    settle(lambda r: r.get("workbook_id"), "the same workbook")
    settle(
        lambda r: (
            (
                r.get("framework"),
                r.get("setting").casefold().strip(),
                r.get("urn"),
                r.get("year"),
                r.get("term"),
            )
            if r.get("setting")
            else None
        ),
        "the same setting, framework, year and term",
    )


def _settle_manifest(records, statuses, notes, rows, manifest_name) -> list[dict[str, str]]:
    ids = {row.get("workbook_id", "") for row in rows}
    returned = {r.get("workbook_id") for r in records if r.get("workbook_id")}
    for record in records:
        wid = record.get("workbook_id")
        if statuses[id(record)] in ("accepted", "warning") and wid and wid not in ids:
            statuses[id(record)] = "unknown"
            notes[id(record)].append(
                f"{record.file}: workbook id {wid} is not in {manifest_name}; check that it "
                "belongs to this collection"
            )
    return [row for row in rows if row.get("workbook_id") not in returned]


@dataclass
class _Digest:
    """One usable return as table rows: ratings and scores as (the values of the first
    columns, shared by every row; each row's other values) in the tables' column order."""

    ratings: tuple[tuple, list[tuple]]
    scores: tuple[tuple, list[tuple]]
    actions: list[dict]
    outcomes: list[dict]


def _base(meta: dict[str, str]) -> dict[str, str]:
    return {
        key: meta.get(key, "")
        for key in ("framework", "setting", "urn", "partnership", "year", "term")
    }


def _digest(record: ReturnRecord, today: dt.date) -> _Digest:
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
    return _Digest(
        (head, ratings),
        (score_head, scores),
        _actions(record, fw, base, today),
        _outcomes(record, fw, base),
    )


class _Stores:
    """The tables' rows from every usable return, as they are read (see tablestore)."""

    def __init__(self) -> None:
        from awardbooks.analyse.tablestore import TableStore

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

    def add(self, record: ReturnRecord, digest: _Digest | None) -> None:
        if digest is None:
            return
        n = self.owner[id(record)] = len(self.owner)
        self.ratings.add(n, *digest.ratings)
        self.scores.add(n, *digest.scores)
        self.rest[n] = (digest.actions, digest.outcomes)


def _build(
    records, stores: _Stores, statuses, notes, missing_rows, registry: Registry, today
) -> Consolidation:
    import pandas as pd

    returns, actions, outcomes, kept = [], [], [], []
    for record in records:
        status = statuses[id(record)]
        meta = record.meta
        base = _base(meta)
        returns.append(
            base
            | {
                "file": record.file,
                "status": status,
                "spec_version": meta.get("spec_version", ""),
                "local_authority": meta.get("local_authority", ""),
                "workbook_id": meta.get("workbook_id", ""),
                "completed_by": str(record.cover.get("completed_by") or ""),
                "completed_on": str(record.cover.get("completed_on") or ""),
                "errors": "\n".join(map(str, record.errors)),
                "warnings": "\n".join([*map(str, record.warnings), *notes[id(record)]]),
                "email_from": record.source.get("email_from", ""),
                "email_date": record.source.get("email_date", ""),
                "email_subject": record.source.get("email_subject", ""),
            }
        )
        n = stores.owner.get(id(record))
        if status not in ("accepted", "warning") or n is None:
            continue
        kept.append(n)
        actions.extend(stores.rest[n][0])
        outcomes.extend(stores.rest[n][1])
    for row in missing_rows:
        # a manifest row carries the same fields as a return's row; the rest stay empty
        missing = {col: row.get(col, "") for col in RETURNS}
        missing |= {
            "status": "missing",
            "completed_by": "",
            "completed_on": "",
            "errors": "",
            "warnings": "no return received for this manifest entry",
        }
        returns.append(missing)
    frame = pd.DataFrame
    scores_df = stores.scores.frame(kept)
    ratings_df = stores.ratings.frame(kept)
    used = {fid: fw for fid, fw in registry.by_id.items()}
    progress_df = _progress(scores_df, ratings_df, used)
    summary_df = _summary(scores_df, used)
    group_means_df = _group_means(scores_df)
    scores_df = scores_df.drop(columns=[EXACT])  # used above; the table is as scores.csv
    return Consolidation(
        returns=frame(returns, columns=RETURNS),
        ratings=ratings_df,
        scores=scores_df,
        progress=progress_df,
        actions=frame(actions, columns=ACTIONS),
        outcomes=frame(outcomes, columns=OUTCOMES),
        summary=summary_df,
        levels=_levels(ratings_df, scores_df),
        group_means=group_means_df,
        level_order={fid: fw.scale.labels for fid, fw in used.items()},
        level_colours={
            fid: {lv.label: lv.colour for lv in fw.scale.levels} for fid, fw in used.items()
        },
        analysed_on=today.isoformat(),
        problems={record.file: record.problems for record in records if record.problems},
    )


_REPEATED = tuple(c for c in RATINGS if c not in ("score", "comment"))


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
        done = status.casefold() in ("green", "complete", "completed", "done")
        overdue = bool(end) and end < today.isoformat() and not done
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


EXACT = "score_exact"
"""An unrounded score % kept beside score_pct (not written out): changes and means are worked
from it and rounded once, so 83.33 - 66.67 shows as 16.7, not 16.6."""


def _round1(value: float) -> float:
    """One decimal, halves rounded up (as people round), NaN kept."""
    if value != value:  # NaN
        return value
    return math.floor(value * 10 + 0.5 + 1e-9) / 10


def term_sort_key(year: str, term: str) -> tuple[str, int]:
    return (year or "", TERM_ORDER.get(term, 9))


def _progress(scores, ratings, frameworks):
    """Each setting's score per group and term, in order, with the change since its previous
    return and whether any rating slipped. Sorted and compared on integer codes: the scores
    table has a row per group per return."""
    import numpy as np
    import pandas as pd

    if scores.empty:
        return pd.DataFrame(columns=PROGRESS)
    fw_code, fw_names = pd.factorize(scores["framework"], sort=True, use_na_sentinel=False)
    who_code, who_names = _who(scores)
    gid_code, gid_names = pd.factorize(scores["group_id"], sort=True, use_na_sentinel=False)
    position = {(fid, g.id): n for fid, fw in frameworks.items() for n, g in enumerate(fw.groups)}
    pair, first = _pairs(scores["framework"], scores["group_id"])
    group_n = np.array(  # each group's place in its framework, worked out once per pair
        [position.get((f, g), -1) for f, g in zip(scores["framework"].iloc[first],
                                                 scores["group_id"].iloc[first])]
    )[pair]  # fmt: skip
    by = np.lexsort((_when(scores), group_n, who_code, fw_code))  # stable, as a sort by all
    key = (fw_code * len(who_names) + who_code) * len(gid_names) + gid_code
    exact = scores[EXACT].to_numpy(dtype=float)[by]
    key = key[by]
    within = np.argsort(key, kind="stable")  # each group's rows, in the order above
    change = np.full(len(by), np.nan)
    same = key[within][1:] == key[within][:-1]
    change[within[1:][same]] = exact[within[1:][same]] - exact[within[:-1][same]]
    with np.errstate(invalid="ignore"):
        rounded = np.floor(change * 10 + 0.5 + 1e-9) / 10  # as _round1: halves up, NaN kept
    out = scores.iloc[by][[c for c in PROGRESS if c in scores.columns]].reset_index(drop=True)
    out["change_pct"] = rounded
    slipped = _slipped(ratings)
    out["slipped"] = False
    if slipped:
        rows = [
            (f, w, g, y, t) in slipped
            for f, w, g, y, t in zip(
                fw_names[fw_code[by]], who_names[who_code[by]], gid_names[gid_code[by]],
                out["year"].astype(object), out["term"].astype(object),
            )
        ]  # fmt: skip
        out["slipped"] = rows
    return out[list(PROGRESS)]


def _slipped(ratings) -> set[tuple]:
    """(framework, who, group id, year, term) of each group, and of "ALL", in which any
    item's score went down since the setting's previous return. Worked on integer codes
    (one row per rating can be hundreds of thousands), not on rows of text."""
    import numpy as np

    if ratings.empty:
        return set()
    person, who_names = _who(ratings)
    when = _when(ratings)
    fw = _codes(ratings["framework"])
    item = _codes(ratings["item_id"])
    score = ratings["score"].to_numpy(dtype=float)
    by = np.lexsort((when, item, person, fw))  # stable, like a sort by all four
    same = (fw[by][1:] == fw[by][:-1]) & (person[by][1:] == person[by][:-1])
    same &= item[by][1:] == item[by][:-1]
    down = np.zeros(len(by), dtype=bool)
    down[1:] = same & (score[by][1:] < score[by][:-1])  # NaN compares as False
    slipped: set[tuple] = set()
    rows = by[down]
    found = ratings.iloc[rows][["framework", "group_id", "year", "term"]].astype(object)
    for row, (f, group_id, year, term) in zip(rows.tolist(), found.itertuples(index=False)):
        key = (str(f), who_names[person[row]], str(group_id), str(year), str(term))
        slipped.add(key)
        slipped.add((key[0], key[1], "ALL", key[3], key[4]))
    return slipped


def _who(df):
    """Each row's setting as a code (its URN, or its name case-folded when it has none; codes
    in sorted order), and the texts the codes stand for. Worked out once per distinct pair."""
    import pandas as pd

    pair, first = _pairs(df["urn"], df["setting"])
    texts = [
        str(urn) if str(urn) != "" else str(setting).casefold()
        for urn, setting in zip(df["urn"].iloc[first], df["setting"].iloc[first])
    ]
    codes, names = pd.factorize(pd.Series(texts, dtype=object), sort=True)
    return codes[pair], names.to_numpy(dtype=object)


def _when(df):
    """Each row's term as its rank in time (by year, then baseline, autumn, spring, summer)."""
    import numpy as np

    pair, first = _pairs(df["year"], df["term"])
    order = [
        term_sort_key(str(y), str(t))
        for y, t in zip(df["year"].iloc[first], df["term"].iloc[first])
    ]
    rank = {key: n for n, key in enumerate(sorted(set(order)))}
    return np.array([rank[key] for key in order])[pair]


def _pairs(a, b):
    """For two columns: each row's number of its (a, b) pair of values, and for each pair
    the first row holding it."""
    import numpy as np

    ca, cb = _codes(a).astype(np.int64), _codes(b).astype(np.int64)
    key = (ca + 1) * (int(cb.max()) + 2) + (cb + 1)
    _unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return inverse, first


def _codes(series):
    """Integer codes of a column's values (a categorical's own codes; no text copied)."""
    import pandas as pd

    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy()
    return pd.factorize(series, use_na_sentinel=False)[0]


def _summary(scores, frameworks):
    import pandas as pd

    overall = scores[scores["group_id"] == "ALL"]
    if overall.empty:
        return pd.DataFrame(columns=SUMMARY)
    keys = ["partnership", "framework", "year", "term"]
    g = overall.groupby(keys, dropna=False)["score_pct"]
    exact = overall.groupby(keys, dropna=False)[EXACT].mean()
    out = pd.DataFrame(
        {
            "settings": g.size(),
            "mean_pct": [_round1(v) for v in exact],
            "min_pct": g.min(),
            "max_pct": g.max(),
        }
    ).reset_index()
    out["framework_title"] = [
        frameworks[f].title if f in frameworks else f for f in out["framework"]
    ]
    return out[list(SUMMARY)]


def _levels(ratings, scores):
    import pandas as pd

    rated = ratings[ratings["rating"] != ""]
    if rated.empty:
        return pd.DataFrame(columns=LEVELS)
    keys = ["partnership", "framework", "year", "term"]
    out = rated.groupby(keys + ["rating"]).size().reset_index(name="count")
    return out.rename(columns={"rating": "level"})[list(LEVELS)]


def _group_means(scores):
    import pandas as pd

    groups = scores[scores["group_id"] != "ALL"]
    if groups.empty:
        return pd.DataFrame(columns=GROUP_MEANS)
    keys = ["partnership", "framework", "year", "term", "group_id", "group_title"]
    out = groups.groupby(keys, sort=False)[EXACT].mean().reset_index()
    out["mean_pct"] = [_round1(v) for v in out[EXACT]]
    return out[list(GROUP_MEANS)]
