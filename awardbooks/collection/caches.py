"""What the ledger keeps beside each return and each setting so that an update rebuilds the
outputs without redoing every return's work: a return's rows of the ratings, scores and
outcomes data files as CSV text, its ratings counted by level, and a setting's progress rows.

Decisions:

- A return's text and level counts never change (its rows never do), so they are made once,
  the first time an update sees the return (for a ledger of version 1, at its first update),
  by the same code that writes the data files (:func:`~awardbooks.outputs.data_files.csv_rows`)
  and counts levels (:func:`~awardbooks.analyse.progress.level_counts`). The data files are
  then these texts joined, for the returns kept.
- A setting's progress rows depend on which of its returns are kept; they are kept with a
  digest of those returns and worked out again (by
  :func:`~awardbooks.analyse.progress.progress_table`, on that setting's rows alone) only
  when that set changes: a new return, a late fix, a duplicate settled differently. So are
  a partnership's summary, group means and level counts for a framework and term (by the
  analyser's own functions, on that term's returns alone).
- Every setting's progress comes out in the order the progress table has (framework, then
  setting), so joining the settings' texts gives the same progress.csv as one table would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import zlib
from collections.abc import Iterable, Iterator
from itertools import groupby

import pandas as pd

from awardbooks.analyse.consolidate import TableRows
from awardbooks.analyse.progress import (
    group_means_table,
    level_counts,
    levels_table,
    progress_table,
    summary_table,
)
from awardbooks.analyse.settle import nothing_rated
from awardbooks.analyse.tables import (
    EXACT,
    GROUP_MEANS,
    LEVELS,
    OUTCOMES,
    PROGRESS,
    RATINGS,
    SCORES,
    SUMMARY,
)
from awardbooks.collection.entries import Entry, entries
from awardbooks.collection.ledger import Ledger
from awardbooks.common.csvfiles import rows_text
from awardbooks.common.identity import setting_key
from awardbooks.outputs.data_files import csv_rows

USABLE = ("accepted", "warning")
BATCH = 2_000
"""Returns (or settings) worked on at a time: memory holds one batch's rows."""


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 1)


def _unpack(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


def _chunks(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _text_by_owner(frame: pd.DataFrame, columns: tuple[str, ...], owners: list[int]):
    """The CSV text of each owner's rows of ``frame`` (whose rows are in owner order)."""
    rows = zip(owners, csv_rows(frame, columns))
    return {owner: rows_text(row for _o, row in group)
            for owner, group in groupby(rows, key=lambda pair: pair[0])}  # fmt: skip


def fill_returns(ledger: Ledger, today: dt.date) -> int:
    """Make the text and level counts of every usable return that has none yet; returns how
    many were made."""
    missing = [
        rid for (rid,) in ledger.execute(
            "SELECT id FROM returns WHERE read_status IN ('accepted', 'warning') "
            "AND framework != '' AND id NOT IN (SELECT return_id FROM return_text) ORDER BY id"
        )
    ]  # fmt: skip
    for part in _chunks(missing):
        found = [e for e in entries(ledger, today, part) if e.rows is not None]
        rows = TableRows()
        for entry in found:
            rows.add(entry.record, entry.rows)
        ratings = rows.ratings.frame()
        ratings_text = _text_by_owner(ratings, RATINGS, rows.ratings.owners())
        scores_text = _text_by_owner(rows.scores.frame(), SCORES, rows.scores.owners())
        counts = level_counts(ratings, by=("file",))
        by_file: dict[str, list[tuple[str, int]]] = {}
        for file, level, count in zip(counts["file"], counts["level"], counts["count"]):
            by_file.setdefault(str(file), []).append((str(level), int(count)))
        for entry in found:
            n = rows.owner[id(entry.record)]
            outcomes = entry.rows.outcomes
            outcomes_text = rows_text(csv_rows(pd.DataFrame(outcomes, columns=OUTCOMES),
                                               OUTCOMES)) if outcomes else ""  # fmt: skip
            ledger.execute(
                "INSERT INTO return_text VALUES (?, ?, ?, ?)",
                (entry.id, _pack(ratings_text.get(n, "")), _pack(scores_text.get(n, "")),
                 _pack(outcomes_text)),
            )  # fmt: skip
            ledger.conn.executemany(
                "INSERT INTO return_levels VALUES (?, ?, ?)",
                [(entry.id, level, count) for level, count in by_file.get(entry.record.file, [])],
            )
    return len(missing)


def return_text(ledger: Ledger, table: str, ids: Iterable[int]) -> Iterator[str]:
    """The ``table`` (ratings, scores or outcomes) text of the returns ``ids``, in order."""
    assert table in ("ratings", "scores", "outcomes")
    wanted = sorted(ids)
    for part in _chunks(wanted, 500):
        marks = ", ".join("?" * len(part))
        for (blob,) in ledger.execute(
            f"SELECT {table} FROM return_text WHERE return_id IN ({marks}) ORDER BY return_id",
            part,
        ):
            yield _unpack(blob)


def who(entry: Entry) -> tuple[str, str]:
    """The setting a return is about, as progress groups it: (framework, setting key)."""
    record = entry.record
    return record.get("framework"), setting_key(record.get("urn"), record.get("setting"))


CACHED_AS = "2:"
"""How the cached rows are worked out, mixed into each group's digest: changed (here, "2:")
whenever what they hold changes, so that a ledger's earlier rows are worked out again (2: the
progress rows count the items that went down, stayed and went up; returns with nothing rated
are left out)."""


def _stale(ledger: Ledger, table: str, keys: tuple[str, ...], groups: dict) -> tuple[list, dict]:
    """The groups of kept returns whose cached rows in ``table`` (keyed by ``keys``) were
    worked out from other returns, or never; rows of groups that are gone are deleted.
    Returns (stale keys, each group's digest of its returns)."""
    wanted = {
        key: hashlib.sha256(
            (CACHED_AS + ",".join(sorted(e.digest for e in group))).encode()
        ).hexdigest()
        for key, group in groups.items()
    }
    have = {tuple(row[:-1]): row[-1] for row in ledger.execute(
        f"SELECT {', '.join(keys)}, inputs FROM {table}")}  # fmt: skip
    ledger.conn.executemany(
        f"DELETE FROM {table} WHERE {' AND '.join(f'{k} = ?' for k in keys)}",
        [key for key in have if key not in wanted],
    )
    return sorted(key for key in wanted if have.get(key) != wanted[key]), wanted


def _kept(found: list[Entry], key) -> dict[tuple, list[Entry]]:
    """The usable returns that count in progress and means (not those with nothing rated),
    grouped by ``key``."""
    groups: dict[tuple, list[Entry]] = {}
    for entry in found:
        if scored(entry):
            groups.setdefault(key(entry), []).append(entry)
    return groups


def scored(entry: Entry) -> bool:
    """Whether a return counts in the scores, progress and means: usable, of a known
    framework, with something rated."""
    return (
        entry.status in USABLE
        and bool(entry.record.get("framework"))
        and not nothing_rated(entry.record)
    )


def completion(ledger: Ledger, ids: list[int]) -> dict[int, tuple[int, int]]:
    """(rated, total) of each of the returns ``ids`` that has scores, by return id."""
    found: dict[int, tuple[int, int]] = {}
    for part in _chunks(ids, 500):
        marks = ", ".join("?" * len(part))
        for rid, rated, total in ledger.execute(
            "SELECT return_id, rated, total FROM scores WHERE group_id = 'ALL' AND return_id "
            f"IN ({marks})", part,
        ):  # fmt: skip
            found[rid] = (int(rated), int(total))
    return found


def refresh_progress(
    ledger: Ledger, found: list[Entry], frameworks: dict, today: dt.date
) -> set[tuple[str, str]]:
    """Work out again the progress of every setting whose kept returns changed (``found``
    carry their settled statuses); returns those settings, as (framework, setting key)."""
    groups = _kept(found, who)
    stale, wanted = _stale(ledger, "setting_progress", ("framework", "who"), groups)
    for part in _chunks(stale):
        ids = [e.id for key in part for e in groups[key]]
        rows = TableRows()
        for entry in entries(ledger, today, ids):
            if entry.rows is not None:
                rows.add(entry.record, entry.rows)
        table = progress_table(rows.scores.frame(), rows.ratings.frame(), frameworks)
        keys = [(str(f), setting_key(u, s)) for f, u, s in
                zip(table["framework"], table["urn"], table["setting"])]  # fmt: skip
        lines = list(csv_rows(table, PROGRESS))
        values = table.astype(object).where(table.notna(), None).values.tolist()
        found_keys: dict[tuple[str, str], tuple[list, list]] = {}
        for key, line, value in zip(keys, lines, values):
            texts, records = found_keys.setdefault(key, ([], []))
            texts.append(line)
            records.append(value)
        ledger.conn.executemany(
            "INSERT OR REPLACE INTO setting_progress VALUES (?, ?, ?, ?, ?)",
            [
                (f, w, wanted[(f, w)],
                 zlib.compress(json.dumps(found_keys.get((f, w), ([], []))[1],
                                          default=str).encode("utf-8"), 1),
                 _pack(rows_text(found_keys.get((f, w), ([], []))[0])))
                for f, w in part
            ],
        )  # fmt: skip
    return set(stale)


def progress_text(ledger: Ledger) -> Iterator[str]:
    """progress.csv's rows, setting by setting, in the progress table's order."""
    for (blob,) in ledger.execute("SELECT text FROM setting_progress ORDER BY framework, who"):
        yield _unpack(blob)


def progress_frame(ledger: Ledger) -> pd.DataFrame:
    """Every setting's progress rows, as one table."""
    rows = []
    for (blob,) in ledger.execute("SELECT rows FROM setting_progress ORDER BY framework, who"):
        rows.extend(json.loads(zlib.decompress(blob)))
    frame = pd.DataFrame(rows, columns=list(PROGRESS))
    for col in ("score_pct", "change_pct", "items_down", "items_same", "items_up"):
        frame[col] = pd.to_numeric(frame[col]).astype(float)
    frame["slipped"] = frame["slipped"].astype(bool)
    return frame


def level_rows(ledger: Ledger, kept: list[int]) -> pd.DataFrame:
    """The kept returns' level counts with their partnership, framework, year and term (the
    rows :func:`~awardbooks.analyse.progress.levels_table` sums)."""
    rows = []
    for part in _chunks(kept, 500):
        marks = ", ".join("?" * len(part))
        rows += ledger.execute(
            "SELECT r.partnership, r.framework, r.year, r.term, l.level, l.count "
            f"FROM return_levels l JOIN returns r ON r.id = l.return_id WHERE r.id IN ({marks})",
            part,
        ).fetchall()
    return pd.DataFrame(rows, columns=["partnership", "framework", "year", "term", "level",
                                       "count"])  # fmt: skip


def score_rows(ledger: Ledger, kept: list[int], *, full: bool = True) -> pd.DataFrame:
    """The kept returns' scores table (with the unrounded score), in the order taken in; not
    ``full``: only what the summary and the group means are worked out from."""
    columns = {"workbook_id": "r.workbook_id", "framework": "r.framework",
               "setting": "r.setting", "urn": "r.urn", "partnership": "r.partnership",
               "year": "r.year", "term": "r.term", "group_id": "s.group_id",
               "group_title": "s.group_title", "rated": "s.rated", "total": "s.total",
               "score_pct": "s.score_pct", "completion_pct": "s.completion_pct",
               EXACT: "s.score_exact"}  # fmt: skip
    if not full:
        columns = {k: v for k, v in columns.items() if k in SUMMED}
    rows = []
    for part in _chunks(kept, 500):
        marks = ", ".join("?" * len(part))
        rows += ledger.execute(
            f"SELECT {', '.join(columns.values())} FROM scores s JOIN returns r "
            f"ON r.id = s.return_id WHERE r.id IN ({marks}) ORDER BY r.id, s.rowid",
            part,
        ).fetchall()
    frame = pd.DataFrame(rows, columns=list(columns))
    for col in ("score_pct", "completion_pct", EXACT):
        if col in frame:
            frame[col] = pd.to_numeric(frame[col]).astype(float).fillna(math.nan)
    return frame


SUMMED = ("partnership", "framework", "year", "term", "group_id", "group_title", "score_pct",
          EXACT)  # fmt: skip
"""The scores' columns the summary and group means are worked out from."""


TERM = ("partnership", "framework", "year", "term")


def _json(frame: pd.DataFrame) -> list[list]:
    return frame.astype(object).where(frame.notna(), None).values.tolist()


def refresh_terms(ledger: Ledger, found: list[Entry], frameworks: dict) -> int:
    """Work out again the summary, group means and level counts of every partnership's
    framework and term whose kept returns changed; returns how many were worked out."""
    groups = _kept(found, lambda e: tuple(e.record.get(k) for k in TERM))
    stale, wanted = _stale(ledger, "term_summary", TERM, groups)
    for part in _chunks(stale, 200):
        ids = [e.id for key in part for e in groups[key]]
        scores = score_rows(ledger, ids, full=False)
        tables = {
            "summary": summary_table(scores, frameworks),
            "group_means": group_means_table(scores),
            "levels": levels_table(level_rows(ledger, ids)),
        }
        rows: dict[tuple, dict[str, list]] = {key: {name: [] for name in tables} for key in part}
        for name, frame in tables.items():
            keys = zip(*(frame[k].astype(str) for k in TERM)) if len(frame) else ()
            for key, values in zip(keys, _json(frame)):
                rows[tuple(key)][name].append(values)
        ledger.conn.executemany(
            "INSERT OR REPLACE INTO term_summary VALUES (?, ?, ?, ?, ?, ?)",
            [(*key, wanted[key], zlib.compress(json.dumps(rows[key]).encode("utf-8"), 1))
             for key in part],
        )  # fmt: skip
    return len(stale)


def term_frames(ledger: Ledger) -> dict[str, pd.DataFrame]:
    """The summary, group means and level counts of every partnership, framework and term."""
    found: dict[str, list] = {"summary": [], "group_means": [], "levels": []}
    for (blob,) in ledger.execute(f"SELECT rows FROM term_summary ORDER BY {', '.join(TERM)}"):
        for name, rows in json.loads(zlib.decompress(blob)).items():
            found[name] += rows
    frames = {
        "summary": pd.DataFrame(found["summary"], columns=list(SUMMARY)),
        "group_means": pd.DataFrame(found["group_means"], columns=list(GROUP_MEANS)),
        "levels": pd.DataFrame(found["levels"], columns=list(LEVELS)),
    }
    for name, col in (("summary", "mean_pct"), ("summary", "min_pct"), ("summary", "max_pct"),
                      ("group_means", "mean_pct")):  # fmt: skip
        frames[name][col] = pd.to_numeric(frames[name][col]).astype(float)
    frames["summary"]["settings"] = frames["summary"]["settings"].astype(int)
    frames["levels"]["count"] = frames["levels"]["count"].astype(int)
    return frames
