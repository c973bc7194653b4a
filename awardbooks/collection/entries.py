"""A return as the ledger keeps it, and back: the rows written when a return is taken in,
and the records and table rows consolidation and carry-forward are given from them.

Decisions:

- The ledger keeps what consolidation keeps of a return (:data:`KEPT_META`,
  :data:`KEPT_COVER`, its problems, the saved email it came in) and its rows of the tidy
  tables (:class:`~awardbooks.analyse.consolidate.ReturnRows`), one SQL row per rating, score,
  action and outcome, so anyone can query them; what the tables do not hold of the action
  plan and outcomes (every column, as read) is kept as compressed JSON for carry-forward.
- Problems are kept whole (every field of :class:`~awardbooks.problems.Problem`, as JSON) with
  whether the return counted each as an error or a warning, so a return read back has exactly
  the status and messages it had when it was read. An annotated copy's "annotated copy: N of
  M problems fixed" is a row of the same table counted as ``annotated`` (no new column: a
  ledger of an earlier awardbooks needs no migration).
- An action's ``overdue`` depends on the day: it is worked out when the rows are read back
  (:func:`~awardbooks.analyse.consolidate.is_overdue`), never stored.
- Rows are read back in the order they were written (by return), a return at a time, so
  memory holds one return's rows while a consolidation's stores take them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from awardbooks.analyse.consolidate import (
    BASE,
    KEPT_COVER,
    KEPT_META,
    ReturnRows,
    is_overdue,
)
from awardbooks.analyse.inputs import COVER_TABLE
from awardbooks.collection.ledger import Ledger
from awardbooks.problems import Problem
from awardbooks.read.returns import Rating, ReturnRecord

SOURCE = ("email_from", "email_date", "email_subject")
RETURN_FIELDS = (*KEPT_META, *KEPT_COVER, *SOURCE)
"""The returns table's columns that hold a record's fields."""
_PROBLEM_FIELDS = tuple(f.name for f in dataclasses.fields(Problem))
_ACTION_COLUMNS = ("row", "action", "lead", "start", "end", "status", "details")


def _nan(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def _float(value: Any) -> float:
    return math.nan if value is None else float(value)


def pack(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"))


def unpack(blob: bytes | None) -> Any:
    return json.loads(zlib.decompress(blob).decode("utf-8")) if blob else None


def insert_return(
    ledger: Ledger,
    record: ReturnRecord,
    rows: ReturnRows | None,
    *,
    digest: str,
    file_digest: str,
    first_seen: str,
    tables: dict[str, list[dict[str, Any]]],
) -> int:
    """Write a return just read (inside the caller's transaction); returns its id."""
    fields = {
        **{k: str(record.meta.get(k, "") or "") for k in KEPT_META},
        **{k: str(record.cover.get(k, "") or "") for k in KEPT_COVER},
        **{k: str(record.source.get(k, "") or "") for k in SOURCE},
    }
    columns = ("digest", "file_digest", "name", "first_seen", "mtime", "read_status",
               *RETURN_FIELDS, "tables")  # fmt: skip
    values = (
        digest, file_digest, record.file, first_seen, record.mtime, record.status,
        *(fields[k] for k in RETURN_FIELDS), pack(tables) if tables else None,
    )  # fmt: skip
    marks = ", ".join("?" * len(columns))
    cursor = ledger.execute(
        f"INSERT INTO returns ({', '.join(columns)}) VALUES ({marks})", values
    )
    rid = int(cursor.lastrowid)
    problems = [(p, "error") for p in record.errors] + [(p, "warning") for p in record.warnings]
    ledger.conn.executemany(
        "INSERT INTO problems VALUES (?, ?, ?, ?, ?)",
        [
            (rid, n, p.code, counted, json.dumps(dataclasses.asdict(p), ensure_ascii=False))
            for n, (p, counted) in enumerate(problems)
        ],
    )
    if record.annotated:
        ledger.execute(
            "INSERT INTO problems VALUES (?, ?, ?, ?, ?)",
            (rid, len(problems), "annotated-copy", "annotated",
             json.dumps({"message": record.annotated}, ensure_ascii=False)),
        )  # fmt: skip
    if rows is None:
        return rid
    ledger.conn.executemany(
        "INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(rid, g, i, r, _nan(s), d, c) for g, i, r, s, d, c in rows.ratings[1]],
    )
    ledger.conn.executemany(
        "INSERT INTO scores VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(rid, *(_nan(v) for v in row)) for row in rows.scores[1]],
    )
    ledger.conn.executemany(
        'INSERT INTO actions VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [(rid, *(a[c] for c in _ACTION_COLUMNS)) for a in rows.actions],
    )
    ledger.conn.executemany(
        "INSERT INTO outcomes VALUES (?, ?, ?, ?, ?)",
        [(rid, o["outcome_id"], o["outcome"], o["measure"], o["value"]) for o in rows.outcomes],
    )
    return rid


@dataclasses.dataclass
class Entry:
    """A return read back from the ledger."""

    id: int
    digest: str
    record: ReturnRecord
    rows: ReturnRows | None
    status: str | None  # as settled by the last update (None before the first)


def _problems(ledger: Ledger, where: str, params=()) -> dict[int, tuple[list, list, list]]:
    """Each return's errors, warnings and (one or none) annotated-copy text, by return id."""
    found: dict[int, tuple[list, list, list]] = {}
    for rid, counted, text in ledger.execute(
        f"SELECT return_id, severity, problem FROM problems {where} ORDER BY return_id, seq",
        params,
    ):
        data = json.loads(text)
        lists = found.setdefault(rid, ([], [], []))
        if counted == "annotated":
            lists[2].append(str(data.get("message", "")))
            continue
        problem = Problem(**{k: v for k, v in data.items() if k in _PROBLEM_FIELDS})
        (lists[0] if counted == "error" else lists[1]).append(problem)
    return found


_COLUMNS = ("id", "digest", "name", "mtime", "read_status", "status", *RETURN_FIELDS)
_CHILDREN = (
    ("ratings", "group_id, item_id, rating, score, date, comment"),
    ("scores", "group_id, group_title, rated, total, score_pct, completion_pct, score_exact"),
    ("actions", ", ".join(f'"{c}"' for c in _ACTION_COLUMNS)),
    ("outcomes", "outcome_id, outcome, measure, value"),
)
CHUNK = 500
"""Returns read back at a time (and SQL parameters per statement)."""


def _record(row: tuple, problems: dict[int, tuple[list, list, list]]) -> tuple[Entry, dict]:
    rid, digest, name, mtime, read_status, status, *values = row
    fields = dict(zip(RETURN_FIELDS, values))
    errors, warnings, annotated = problems.get(rid, ([], [], []))
    record = ReturnRecord(
        name, mtime,
        meta={k: fields[k] for k in KEPT_META if fields[k]},
        cover={k: fields[k] for k in KEPT_COVER if fields[k]},
        errors=errors, warnings=warnings,
        source={k: fields[k] for k in SOURCE if fields[k]},
        annotated="".join(annotated),
    )  # fmt: skip
    fields["read_status"] = read_status
    return Entry(rid, digest, record, None, status), fields


def light(ledger: Ledger) -> list[Entry]:
    """Every return, in the order taken in, as a record without its table rows: what
    settling, the Returns table and ``status`` need."""
    problems = _problems(ledger, "")
    rows = ledger.execute(f"SELECT {', '.join(_COLUMNS)} FROM returns ORDER BY id")
    return [_record(row, problems)[0] for row in rows]


def entries(ledger: Ledger, today: dt.date, ids: list[int] | None = None) -> Iterator[Entry]:
    """Every return (or those of ``ids``), in the order taken in, as a record with its table
    rows (actions overdue as of ``today``), read back a few hundred at a time."""
    if ids is None:
        ids = [rid for (rid,) in ledger.execute("SELECT id FROM returns ORDER BY id")]
    ids = sorted(ids)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        where = f"WHERE return_id IN ({', '.join('?' * len(part))})"
        problems = _problems(ledger, where, part)
        children: dict[str, dict[int, list[tuple]]] = {}
        for table, columns in _CHILDREN:
            found: dict[int, list[tuple]] = {}
            for row in ledger.execute(
                f"SELECT return_id, {columns} FROM {table} {where} ORDER BY return_id, rowid",
                part,
            ):
                found.setdefault(row[0], []).append(row[1:])
            children[table] = found
        returns = ledger.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM returns "
            f"WHERE id IN ({', '.join('?' * len(part))}) ORDER BY id",
            part,
        ).fetchall()
        for row in returns:
            entry, fields = _record(row, problems)
            if fields["read_status"] in ("accepted", "warning") and fields["framework"]:
                entry.rows = _rows(
                    entry.record.file, fields,
                    *(children[table].get(entry.id, []) for table, _columns in _CHILDREN),
                    today,
                )  # fmt: skip
            yield entry


def _rows(name, fields, ratings, scores, actions, outcomes, today) -> ReturnRows:
    """A return's table rows as :func:`~awardbooks.analyse.consolidate.table_rows` made them."""
    base = {k: fields[k] for k in BASE}
    head = (name, fields["workbook_id"], fields["framework"], fields["spec_version"],
            *(fields[k] for k in ("setting", "urn", "partnership", "year", "term")))  # fmt: skip
    score_head = (fields["workbook_id"], *(base[k] for k in BASE))
    return ReturnRows(
        (head, [(g, i, r, _float(s), d, c) for g, i, r, s, d, c in ratings]),
        (score_head, [
            (g, t, rated, total, _float(p), _float(c), _float(x))
            for g, t, rated, total, p, c, x in scores
        ]),
        [
            base | {"file": name} | dict(zip(_ACTION_COLUMNS, a))
            | {"overdue": is_overdue(a[4], a[5], today)}
            for a in actions
        ],
        [
            base | {"outcome_id": o, "outcome": t, "measure": m, "value": v}
            for o, t, m, v in outcomes
        ],
    )  # fmt: skip


def full_records(ledger: Ledger, ids: Iterable[int], frameworks: dict) -> dict[int, ReturnRecord]:
    """Returns as carry-forward needs them: each with its ratings (label, date, comment), its
    cover's fields and its tables as read, by return id."""
    found: dict[int, ReturnRecord] = {}
    for rid in ids:
        row = ledger.execute(
            f"SELECT name, mtime, {', '.join(RETURN_FIELDS)}, tables FROM returns WHERE id = ?",
            (rid,),
        ).fetchone()
        name, mtime, *values, tables = row
        fields = dict(zip(RETURN_FIELDS, values))
        ratings = {
            item: Rating(item, group, label or None, date, comment)
            for group, item, label, date, comment in ledger.execute(
                "SELECT group_id, item_id, rating, date, comment FROM ratings "
                "WHERE return_id = ? ORDER BY rowid",
                (rid,),
            )
        }
        kept = unpack(tables) or {}
        cover = {k: fields[k] for k in KEPT_COVER if fields[k]}
        # the framework's own cover fields (an LPPA's stage and its dates), kept with the tables
        cover |= (kept.get(COVER_TABLE) or [{}])[0]
        found[rid] = ReturnRecord(
            name, mtime, framework=frameworks.get(fields["framework"]),
            meta={k: fields[k] for k in KEPT_META if fields[k]},
            cover=cover, ratings=ratings, tables=kept,
        )  # fmt: skip
    return found
