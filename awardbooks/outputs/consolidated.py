"""The LA officer's ``consolidated.xlsx``: Summary, Scores, Progress, Outcomes, Ratings,
Actions, Inputs (everything the schools typed) and Returns, from a
:class:`~awardbooks.analyse.tables.Consolidation`.

Decisions: every sheet but the Summary (:mod:`awardbooks.outputs.summary_sheet`) holds its
rows as Excel Tables, so they can be filtered and sorted; Scores has a table per framework
(its groups differ), named ``tblScores1``, ``tblScores2``…; outcomes have a sheet of their
own, so the Progress headings repeated on each printed page never sit above them. Every
sheet prints legibly (see :mod:`awardbooks.outputs.xlsheet`).

Text copied from returns is untrusted: it is written with ``write_string`` only (never as a
formula or hyperlink) and made safe by :func:`awardbooks.common.text.excel_text`.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from awardbooks.analyse import tables as tb
from awardbooks.analyse.tables import Consolidation
from awardbooks.common.files import atomic_write
from awardbooks.common.text import excel_text
from awardbooks.common.xlsx import new_workbook
from awardbooks.errors import ReportError
from awardbooks.outputs.frames import frame_records, frame_rows, missing, period_key, s
from awardbooks.outputs.summary_sheet import summary_sheet
from awardbooks.outputs.xlsheet import (
    TABLE_WIDTH,
    WIDE_WIDTH,
    Formats,
    Sheet,
    first_seen,
    print_setup,
    table_sheet,
)

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

CONSOLIDATED_TITLE = "awardbooks consolidated returns"
"""The document title that marks a workbook as one awardbooks analyse wrote."""
SHEETS = (
    "Summary", "Scores", "Progress", "Outcomes", "Ratings", "Actions", "Inputs", "Returns",
)  # fmt: skip
"""The sheets of an analysis (Inputs only when the inputs were gathered: not a collection's)."""
MACHINE_COLUMNS = ("workbook_id", "spec_version", "completion_pct", "codes", "read_leniently")
"""Identifiers kept in the tables (for filtering and joining) but hidden, so the columns
people read print legibly (the Returns sheet's completion %, problem codes and whether read
leniently too: its "Completion" and messages say the same in words)."""
HEADING_MAX = 40
"""Characters of a group's or measure's title in a column heading (the rest as "…")."""
GROUP_WIDTH = 10
"""The width of a group's column on Scores: a number, under a heading that wraps."""
RETURNS_WIDE = 24
"""The width of the Returns sheet's errors and warnings: with its 13 columns people read it
prints at 7 pt or more on A4 landscape (long messages wrap)."""
_RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
STATUS_FILLS = {
    "accepted": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "warning": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "rejected": _RED,
    "duplicate": {"bg_color": "#D9D9D9"},
    "missing": {"bg_color": "#F8CBAD", "font_color": "#833C0C"},
    "unknown": {"bg_color": "#F8CBAD", "font_color": "#833C0C"},
}


def unique_headings(names: list[str]) -> list[str]:
    """Table column headings from ``names``: one line, at most :data:`HEADING_MAX`
    characters, and distinct ignoring case (Excel's rule for a table's columns) by adding
    " (2)", " (3)"…; an empty name becomes "Column"."""
    seen: set[str] = set()
    out = []
    for name in names:
        text = " ".join(excel_text(name).split()) or "Column"
        if len(text) > HEADING_MAX:
            text = text[: HEADING_MAX - 1].rstrip() + "…"
        candidate, n = text, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{text} ({n})"
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def write_consolidated(c: Consolidation, path: Path) -> None:
    """Write ``consolidated.xlsx`` (sheets: Status for a collection, Summary, Scores,
    Progress, Ratings, Actions, Returns) atomically: an existing file is replaced only once
    the new one is complete. A table named in ``c.elsewhere`` gets a sheet saying where its
    rows are.

    Text from returns is always written as text (never formulas or hyperlinks), stripped of
    XML-illegal control characters and cut to Excel's 32,767-character cell limit."""
    path = Path(path)
    if path.is_dir():
        raise ReportError(f"{path}: is a folder, not a file")
    atomic_write(path, lambda handle: _build_workbook(c, handle))


def _build_workbook(c: Consolidation, handle: Any) -> None:
    package = io.BytesIO()
    wb = new_workbook(package)
    wb.set_properties(
        {"title": CONSOLIDATED_TITLE, "comments": f"Analysed on {c.analysed_on}"}
    )
    fmts = Formats(wb)
    if c.status is not None:  # a collection's: who has returned, and whom to chase
        _status_sheet(wb, fmts, c)
    summary_sheet(wb, fmts, c)
    if "scores" in c.elsewhere:
        _rows_elsewhere(wb, fmts, "Scores", c.elsewhere["scores"], "scores")
    else:
        _scores_sheet(wb, fmts, c)
    if "progress" in c.elsewhere:
        _rows_elsewhere(wb, fmts, "Progress", c.elsewhere["progress"], "progress")
    else:
        _progress_sheet(wb, fmts, c)
    _outcomes_sheet(wb, fmts, c)
    if "ratings" in c.elsewhere:
        _rows_elsewhere(wb, fmts, "Ratings", c.elsewhere["ratings"], "ratings")
    elif len(c.ratings) <= RATINGS_SHEET_MAX:
        table_sheet(
            wb, fmts, "Ratings", c.ratings, tb.RATINGS, wide=("comment",), hidden=MACHINE_COLUMNS
        )
    else:
        _rows_elsewhere(wb, fmts, "Ratings", len(c.ratings), "ratings")
    _actions_sheet(wb, fmts, c)
    if "inputs" in c.elsewhere:
        _rows_elsewhere(wb, fmts, "Inputs", c.elsewhere["inputs"], "inputs")
    elif c.inputs is not None:
        _inputs_sheet(wb, fmts, c)
    _returns_sheet(wb, fmts, c)
    wb.close()
    fmts.bulk.splice(package.getvalue(), handle)


RATINGS_SHEET_MAX = 50_000
"""Rating rows the Ratings sheet holds; beyond that (about 1,600 returns) an Excel Table is
slow to open and memory-hungry to write, so the rows go to ratings.csv / ratings.parquet."""


def ratings_too_many(c: Consolidation) -> bool:
    """Whether the ratings live in the data files rather than on the Ratings sheet."""
    return len(c.ratings) > RATINGS_SHEET_MAX


def _rows_elsewhere(wb: Workbook, fmts: Formats, name: str, count: int, stem: str) -> None:
    """A sheet saying that its table's rows are in the data files: the ratings beyond
    :data:`RATINGS_SHEET_MAX`, or a collection too big for every table to be a sheet."""
    ws = wb.add_worksheet(name)
    ws.set_column(0, 0, 100)
    print_setup(ws)
    ws.write_string(0, 0, f"{count:,} {stem if name == 'Ratings' else 'rows'}",
                    fmts(bold=True, font_size=12))  # fmt: skip
    why = (
        f"That is more than the {RATINGS_SHEET_MAX:,} rows this sheet holds comfortably. Every "
        "rating is in ratings.csv (and ratings.parquet when pyarrow is installed) in the data "
        "folder written with this workbook"
        if name == "Ratings" and count > RATINGS_SHEET_MAX
        else f"This collection is too big for every table to be a sheet: the {stem} table is "
        f"in {stem}.csv in the data folder beside this workbook"
    )
    ws.write_string(1, 0, f"{why}; open it in Excel, Power BI, DuckDB or pandas.",
                    fmts(text_wrap=True))  # fmt: skip


def _status_sheet(wb: Workbook, fmts: Formats, c: Consolidation) -> None:
    """A collection's status per framework and term, then its chase list."""
    sheet = Sheet(wb, fmts, "Status")
    sheet.put(0, 0, f"Status on {c.analysed_on}", fmts(bold=True, font_size=12))
    sheet.header(2, tb.STATUS)
    records = frame_records(c.status, tb.STATUS)
    for i, r in enumerate(records, start=3):
        for j, col in enumerate(tb.STATUS):
            sheet.put(i, j, r[col])
    if not records:
        sheet.put(3, 0, "No workbooks issued yet.", fmts(italic=True))
    row = 3 + max(len(records), 1) + 1
    chase = frame_records(c.chase, tb.CHASE)
    sheet.put(row, 0, f"To chase: {len(chase)}", fmts(bold=True, font_size=12))
    sheet.header(row + 1, tb.CHASE)
    for i, r in enumerate(chase, start=row + 2):
        for j, col in enumerate(tb.CHASE):
            fill = STATUS_FILLS.get(s(r["state"])) if col == "state" else None
            sheet.put(i, j, r[col], fmts(**fill) if fill else None)
    if not chase:
        sheet.put(row + 2, 0, "Nobody: every setting has returned.", fmts(italic=True))
    sheet.finish(2)


def _table(sheet: Sheet, row: int, last: int, name: str, header: list[str], fmts: list) -> None:
    """An Excel Table over ``header`` (at ``row``) and the rows below it down to ``last``."""
    options = {
        "name": name,
        "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": f} for h, f in zip(header, fmts)],
    }
    sheet.fmts.bulk.add_table(sheet.ws, row, last, len(header) - 1, options)


def _scores_sheet(wb: Workbook, fmts: Formats, c: Consolidation) -> None:
    """Per framework, a table of its settings' returns (rows) and groups (columns), with the
    overall % and completion %, and a red–amber–green colour scale."""
    sheet = Sheet(wb, fmts, "Scores")
    keys = ("setting", "urn", "partnership", "year", "term")
    wanted = ("framework", "workbook_id", *keys, "group_id", "group_title")
    rows = [
        (tuple(s(v) for v in r[:-2]), r[-2], r[-1])
        for r in frame_rows(c.scores, [*wanted, "score_pct", "completion_pct"])
    ]  # (texts, score %, completion %): no per-row dicts, the table can be 100,000 rows
    frameworks = first_seen(texts[0] for texts, _, _ in rows)
    pct, text = fmts(num_format="0.0"), fmts(text_wrap=True)
    row = 0
    for n, fw in enumerate(frameworks, start=1):
        rs = [r for r in rows if r[0][0] == fw]
        groups: dict[str, str] = {}
        for texts, _, _ in rs:
            groups.setdefault(texts[-2], texts[-1])
        groups.pop("ALL", None)
        ids = {gid: j for j, gid in enumerate(groups, start=len(keys))}
        settings: dict[tuple, dict[str, tuple]] = {}
        for texts, score, completion in rs:
            settings.setdefault(texts[1:-2], {})[texts[-2]] = (score, completion)
        order = sorted(settings, key=lambda k: (k[3], k[1], k[2], period_key(k[4], k[5])))
        sheet.ws.write_string(row, 0, excel_text(f"Framework: {fw}"), fmts(bold=True, font_size=12))
        header = unique_headings([
            *map(tb.heading, keys), *(f"{g} {t}".strip() for g, t in groups.items()),
            "Overall %", "Completion %",
        ])  # fmt: skip
        sheet.caps[0] = TABLE_WIDTH
        for j in range(len(keys), len(keys) + len(groups)):
            sheet.caps[j] = GROUP_WIDTH
        heads = sheet.header(row + 1, header, right=range(len(keys), len(header)))
        first = row + 2
        columns: list[list[Any]] = [[] for _ in header]
        for key in order:
            by_group = settings[key]
            overall = by_group.get("ALL", (None, None))
            cells = [
                *key[1:],
                *(by_group[gid][0] if gid in by_group else None for gid in ids),
                *overall,
            ]
            for column, value in zip(columns, cells):
                column.append(value)
        sheet.block(first, columns, [text] * len(keys) + [pct] * (len(header) - len(keys)))
        last = first + len(order) - 1
        _table(sheet, row + 1, last, f"tblScores{n}", header, heads)
        sheet.ws.conditional_format(first, len(keys), last, len(header) - 2, {
            "type": "3_color_scale",
            "min_type": "num", "min_value": 0, "min_color": "#F8696B",
            "mid_type": "num", "mid_value": 50, "mid_color": "#FFEB84",
            "max_type": "num", "max_value": 100, "max_color": "#63BE7B",
        })  # fmt: skip
        row = last + 3
    if not frameworks:
        sheet.header(0, list(keys) + ["Overall %", "Completion %"])
        sheet.put(1, 0, "No rows.", fmts(italic=True))
    sheet.finish(0 if len(frameworks) < 2 else None)
    if len(frameworks) == 1:
        sheet.ws.freeze_panes(2, 1)
        sheet.ws.repeat_rows(0, 1)


def _progress_sheet(wb: Workbook, fmts: Formats, c: Consolidation) -> None:
    """A table of each setting's group % by term (columns, in order), the latest change,
    how many of the items rated both times went down, stayed the same and went up (Down in
    red when any did), and a sparkline of the trend."""
    sheet = Sheet(wb, fmts, "Progress")
    keys = ("framework", "setting", "urn", "partnership", "group_id")
    texts = (*keys, "group_title", "year", "term")
    titles: dict[tuple, str] = {}
    rows: dict[tuple, dict[tuple, tuple]] = {}  # key -> period -> (score, change, down, ...)
    moved = ["items_down", "items_same", "items_up"]
    for r in frame_rows(c.progress, [*texts, "score_pct", "change_pct", *moved]):
        key = tuple(s(v) for v in r[:5])
        titles.setdefault(key, s(r[5]))
        rows.setdefault(key, {})[(s(r[6]), s(r[7]))] = r[8:]
    periods = sorted({p for by in rows.values() for p in by}, key=lambda p: period_key(*p))
    order = sorted(rows, key=lambda k: (k[0], k[3], k[1], k[2]))  # stable: group order kept
    header = unique_headings([
        *map(tb.heading, keys), "Group title", *(f"{y} {t}" for y, t in periods),
        "Latest change", "Items down", "Items same", "Items up", "Trend",
    ])  # fmt: skip
    sheet.caps |= {1: TABLE_WIDTH, len(keys): WIDE_WIDTH}
    heads = sheet.header(0, header, right=range(len(keys) + 1, len(header) - 1))
    pct, change = fmts(num_format="0.0"), fmts(num_format="+0.0;-0.0;0.0")
    text = fmts(text_wrap=True)
    first_term, last_term = len(keys) + 1, len(keys) + len(periods)
    red = fmts(**_RED)
    columns: list[list[Any]] = [[] for _ in header]
    slipped_fmts: list[Any] = []
    for key in order:
        by_period = rows[key]
        cells = [*key, titles[key]]
        cells += [by_period[p][0] if p in by_period else None for p in periods]
        _score, latest_change, *counts = by_period[max(by_period, key=lambda p: period_key(*p))]
        counts = [None if missing(n) else int(n) for n in counts]
        slipped = bool(counts[0])
        cells += [latest_change, *counts, None]
        for column, value in zip(columns, cells):
            column.append(value)
        slipped_fmts.append(red if slipped else None)
    if len(periods) >= 2 and order:  # one group of sparklines: xlsxwriter styles each group
        lines = range(1, len(order) + 1)
        sheet.ws.add_sparkline(1, last_term + 5, {
            "location": [xl_rowcol_to_cell(i, last_term + 5) for i in lines],
            "range": [xl_range(i, first_term, i, last_term) for i in lines],
            "markers": True,
        })  # fmt: skip
    count = fmts(num_format="0")
    plain = [text] * (len(keys) + 1) + [pct] * len(periods) + [change, slipped_fmts, count,
                                                                  count, None]  # fmt: skip
    sheet.block(1, columns, plain)
    if order:
        _table(sheet, 0, len(order), "tblProgress", header, heads)
    else:
        sheet.put(1, 0, "No rows.", fmts(italic=True))
    sheet.finish(0)


def _outcomes_sheet(wb: Workbook, fmts: Formats, c: Consolidation) -> None:
    """A table of each setting's outcomes (rows) and their measures (columns)."""
    sheet = Sheet(wb, fmts, "Outcomes")
    keys = ("framework", "setting", "urn", "partnership", "year", "term", "outcome_id", "outcome")
    records = frame_records(c.outcomes, tb.OUTCOMES)
    measures = first_seen(s(r["measure"]) for r in records)
    values: dict[tuple, dict[str, Any]] = {}
    for r in records:
        values.setdefault(tuple(s(r[k]) for k in keys), {})[s(r["measure"])] = r["value"]
    header = unique_headings([*map(tb.heading, keys), *measures])
    sheet.caps |= {j: TABLE_WIDTH for j in range(len(header))} | {len(keys) - 1: WIDE_WIDTH}
    heads = sheet.header(0, header)
    columns = [[key[j] for key in values] for j in range(len(keys))]
    columns += [[values[key].get(m) for key in values] for m in measures]
    sheet.block(1, columns, [fmts(text_wrap=True)] * len(header))
    if values:
        _table(sheet, 0, len(values), "tblOutcomes", header, heads)
    else:
        sheet.put(1, 0, "No rows.", fmts(italic=True))
    sheet.finish(0)




def _actions_sheet(wb: Workbook, fmts: Formats, c: Consolidation) -> None:
    def overdue(record: dict[str, Any], col: str) -> dict[str, Any]:
        return dict(_RED) if not missing(record["overdue"]) and bool(record["overdue"]) else {}

    wide = ("action", "details")
    table_sheet(wb, fmts, "Actions", c.actions, tb.ACTIONS, wide=wide, cell_props=overdue)


INPUTS_HIDDEN = ("file", "workbook_id", "column_id")
"""Identifiers on the Inputs sheet kept for filtering but hidden, so it prints legibly."""
INPUTS_WIDE = 30
"""The width of the Inputs sheet's row labels and values: a whole IARAP typed with long
answers prints at 8.1 pt on A4 landscape (measured by tests/test_print_consolidated.py)."""


def _inputs_sheet(wb: Workbook, fmts: Formats, c: Consolidation) -> None:
    """Everything the schools typed, a row per filled cell (an Excel Table)."""
    wide = ("row_label", "value")
    table_sheet(
        wb, fmts, "Inputs", c.inputs, tb.INPUTS, wide=wide, hidden=INPUTS_HIDDEN,
        wide_width=INPUTS_WIDE,
    )  # fmt: skip


def _returns_sheet(wb: Workbook, fmts: Formats, c: Consolidation) -> None:
    statuses = [s(r[0]) for r in frame_rows(c.returns, ["status"])]
    labels = list(tb.STATUSES) + sorted(set(statuses) - set(tb.STATUSES))

    def status_fill(record: dict[str, Any], col: str) -> dict[str, Any]:
        if col != "status":
            return {}
        return dict(STATUS_FILLS.get(s(record["status"]), STATUS_FILLS["unknown"]))

    sheet = table_sheet(
        wb, fmts, "Returns", c.returns, tb.RETURNS, top=3, wide=("errors", "warnings"),
        hidden=(*MACHINE_COLUMNS, "annotated_copy"),  # in returns.csv
        wide_width=RETURNS_WIDE, cell_props=status_fill,
        narrow={"completion": 10},  # "43 of 56 rated, / 77 %" on two lines
    )  # fmt: skip
    bold = fmts(bold=True)
    sheet.put(0, 0, "Files read", bold)  # a missing workbook is a row, but no file
    sheet.put(1, 0, len(statuses) - statuses.count("missing"), bold)
    for j, label in enumerate(labels, start=1):
        sheet.put(0, j, label, fmts(bold=True, **STATUS_FILLS.get(label, STATUS_FILLS["unknown"])))
        sheet.put(1, j, statuses.count(label))


# --------------------------------------------------------------------------- data files


