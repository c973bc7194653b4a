"""The LA officer's ``consolidated.xlsx``: Summary, Scores, Progress, Ratings, Actions and
Returns, from a :class:`~awardbooks.analyse.tables.Consolidation`.

Text copied from returns is untrusted: it is written with ``write_string`` only (never as a
formula or hyperlink) and made safe by :func:`awardbooks.common.text.excel_text`.
"""

from __future__ import annotations

import io
import math
import numbers
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from awardbooks.analyse import tables as tb
from awardbooks.analyse.tables import Consolidation
from awardbooks.common.files import atomic_write
from awardbooks.common.text import CELL_MAX, excel_text
from awardbooks.common.xlsx import new_workbook
from awardbooks.errors import ReportError
from awardbooks.outputs.frames import frame_records, frame_rows, missing, period_key, s
from awardbooks.outputs.sheetrows import BulkColumn, BulkRows

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from xlsxwriter.workbook import Workbook

CONSOLIDATED_TITLE = "awardbooks consolidated returns"
"""The document title that marks a workbook as one awardbooks analyse wrote."""
SHEETS = ("Summary", "Scores", "Progress", "Ratings", "Actions", "Returns")
EXCEL_ROWS = 1_048_576
MAX_WIDTH = 60
_DIRTY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
STATUS_FILLS = {
    "accepted": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "warning": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "rejected": _RED,
    "duplicate": {"bg_color": "#D9D9D9"},
    "missing": {"bg_color": "#F8CBAD", "font_color": "#833C0C"},
    "unknown": {"bg_color": "#F8CBAD", "font_color": "#833C0C"},
}
def _cell_value(value: Any) -> float | str:
    """What a cell holds for ``value``: a finite number as float, a boolean as Yes/No,
    anything else as text an Excel cell can hold ('' for missing values and non-finite
    numbers)."""
    if isinstance(value, str):
        return _clean_text(value)
    if missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else ""
    return excel_text(value)


def _text_width(text: str) -> int:
    """The width of ``text``'s longest line (of its first 1,000 characters)."""
    if "\n" not in text and "\r" not in text:
        return min(len(text), 1000)
    return max(len(line) for line in text[:1000].splitlines() or [""])


def _first_seen(values: Iterable) -> list:
    return list(dict.fromkeys(values))


def _groups(records: list[dict[str, Any]]) -> dict[str, str]:
    """group id → its first title, in first-seen order."""
    groups: dict[str, str] = {}
    for r in records:
        groups.setdefault(s(r["group_id"]), s(r["group_title"]))
    return groups


# --------------------------------------------------------------------------- workbook


class _Formats:
    """Cached xlsxwriter formats keyed by their properties (all top-aligned), and the
    workbook's bulk rows (written into the package once xlsxwriter has closed it)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple, Any] = {}
        self.bulk = BulkRows()

    def __call__(self, **props: Any):
        props.setdefault("valign", "top")
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(dict(props))
        return self.cache[key]


class _Sheet:
    """A worksheet plus the widest text seen per column, for readable column widths."""

    def __init__(self, wb: Workbook, fmts: _Formats, name: str) -> None:
        self.ws = wb.add_worksheet(name)
        self.name = name
        self.fmts = fmts
        self.widths: dict[int, int] = {}

    def grow(self, col: int, width: int) -> None:
        if width > self.widths.get(col, 0):
            self.widths[col] = width

    def check_rows(self, last_row: int) -> None:
        if last_row >= EXCEL_ROWS:
            raise ReportError(
                f"{self.name}: more rows than an Excel sheet holds ({EXCEL_ROWS:,}); "
                "use the CSV files instead"
            )

    def put(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        """Write one value: numbers as numbers, booleans as Yes/No, anything else as text
        with ``write_string``; missing and non-finite numbers as blank cells."""
        self.check_rows(row)
        value = _cell_value(value)
        if type(value) is float:
            self.ws.write_number(row, col, value, fmt)
            self.grow(col, 7)
        elif value:
            self.ws.write_string(row, col, self.fmts.bulk.text(value), fmt)
            self.grow(col, _text_width(value))
        elif fmt is not None:
            self.ws.write_blank(row, col, None, fmt)

    def block(self, first_row: int, columns: list[list[Any]], fmts: list[Any]) -> None:
        """Write rows of cells from ``first_row`` down, a list of values per column, as
        :meth:`put` would write each (each column's format: one, or a list of one per row)."""
        count = max((len(values) for values in columns), default=0)
        self.check_rows(first_row + count - 1)
        prepared = []
        for j, (values, fmt) in enumerate(zip(columns, fmts)):
            cells = [_cell_value(v) for v in values]
            widths = [7 if type(v) is float else _text_width(v) for v in cells if v]
            if widths:
                self.grow(j, max(widths))
            per_row = isinstance(fmt, list)
            prepared.append(
                BulkColumn(cells, None if per_row else fmt, fmt if per_row else None, blanks=True)
            )
        self.fmts.bulk.add(self.ws, first_row, prepared)

    def header(self, row: int, columns: Iterable[str], wrap_from: int | None = None) -> None:
        """Column headings; from column ``wrap_from`` on they wrap in narrow columns."""
        fmt = self.fmts(bold=True, bg_color="#DDEBF7", bottom=1)
        wrap = self.fmts(bold=True, bg_color="#DDEBF7", bottom=1, text_wrap=True, valign="top")
        for j, name in enumerate(columns):
            name = tb.heading(name) if name in tb.ALL_COLUMNS else name
            if wrap_from is not None and j >= wrap_from:
                self.ws.write_string(row, j, excel_text(str(name)), wrap)
                self.grow(j, 12)
                continue
            self.put(row, j, name, fmt)
            self.grow(j, len(str(name)) + 3)  # room for the filter button
        if wrap_from is not None:
            self.ws.set_row(row, 90)

    def finish(self, header_row: int | None) -> None:
        """Column widths, frozen header and A4 landscape print set-up."""
        for col, width in self.widths.items():
            self.ws.set_column(col, col, min(max(width + 2, 8), MAX_WIDTH))
        self.ws.set_landscape()
        self.ws.set_paper(9)
        self.ws.fit_to_pages(1, 0)
        if header_row is not None:
            self.ws.freeze_panes(header_row + 1, 0)
            self.ws.repeat_rows(header_row)


def _table_sheet(
    wb: Workbook,
    fmts: _Formats,
    name: str,
    df: pd.DataFrame | None,
    columns: tuple[str, ...],
    *,
    top: int = 0,
    wrap: Iterable[str] = (),
    cell_props: Callable[[dict[str, Any], str], dict[str, Any]] | None = None,
    row_fmts: dict[str, list[Any]] | None = None,
) -> _Sheet:
    """A sheet holding ``df`` as an Excel Table (header row at ``top``, autofilter on).
    Cells are styled by ``cell_props`` (row, column → format properties), or a column by
    ``row_fmts`` (column → a format per row; far quicker for a big table)."""
    sheet = _Sheet(wb, fmts, name)
    base = {col: {"text_wrap": True} if col in wrap else {} for col in columns}
    plain = {col: fmts(**props) for col, props in base.items()}
    sheet.header(top, columns)
    if cell_props is None:
        given = [(row_fmts or {}).get(c, plain[c]) for c in columns]
        count = _fast_rows(sheet, df, columns, top + 1, given)
    else:
        records = frame_records(df, columns)
        count = len(records)
        styles = [
            [fmts(**base[col], **x) if (x := cell_props(r, col)) else plain[col] for r in records]
            for col in columns
        ]
        sheet.block(top + 1, [[r[col] for r in records] for col in columns], styles)
    records = range(count)
    if records:
        header = fmts(bold=True, bg_color="#DDEBF7", bottom=1)
        options = {
            "name": f"tbl{name}",
            "style": "Table Style Light 9",
            "columns": [{"header": tb.heading(col), "header_format": header} for col in columns],
        }
        fmts.bulk.add_table(sheet.ws, top, top + len(records), len(columns) - 1, options)
    else:
        sheet.put(top + 1, 0, "No rows.", fmts(italic=True))
    sheet.finish(top)
    return sheet


def _clean_text(value: Any) -> str:
    """A table cell's text: missing → '', clean text as it is, anything else through
    :func:`excel_text` (XML-illegal characters, lone surrogates, over-long text)."""
    if isinstance(value, str):
        if len(value) <= CELL_MAX // 2 and not _DIRTY.search(value):
            return value
        return excel_text(value)
    return "" if missing(value) else excel_text(value)


def _fast_rows(sheet: _Sheet, df, columns, first: int, formats: list) -> int:
    """Write a plain table column-typed and vectorised: text cleaned once per column, numbers
    as numbers, missing values blank. Returns the number of rows written."""
    if df is None or len(df) == 0:
        return 0
    sheet.check_rows(first + len(df) - 1)
    frame = df.reindex(columns=list(columns))
    prepared = []
    for j, col in enumerate(columns):
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            values = ["Yes" if v else "No" for v in series.tolist()]
        elif pd.api.types.is_numeric_dtype(series):
            values = [v if math.isfinite(v) else None for v in series.astype(float).tolist()]
        elif isinstance(series.dtype, pd.CategoricalDtype):  # each distinct text cleaned once
            cleaned = [_clean_text(v) for v in series.cat.categories.tolist()] + [""]
            values = [cleaned[k] for k in series.cat.codes.tolist()]  # code -1: missing
        else:
            values = [_clean_text(v) for v in series.tolist()]
        widths = [7 if type(v) is float else len(v) for v in values if v]
        if widths:
            sheet.grow(j, min(1000, max(widths)))
        fmt = formats[j]
        per_row = isinstance(fmt, list)  # a format per row: blank cells keep theirs
        prepared.append(BulkColumn(values, None if per_row else fmt, fmt if per_row else None,
                                   blanks=per_row))  # fmt: skip
    sheet.fmts.bulk.add(sheet.ws, first, prepared)
    return len(frame)


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
    fmts = _Formats(wb)
    if c.status is not None:
        _status_sheet(wb, fmts, c)
    _summary_sheet(wb, fmts, c)
    if "scores" in c.elsewhere:
        _rows_elsewhere(wb, fmts, "Scores", c.elsewhere["scores"], "scores")
    else:
        _scores_sheet(wb, fmts, c)
    if "progress" in c.elsewhere:
        _rows_elsewhere(wb, fmts, "Progress", c.elsewhere["progress"], "progress")
    else:
        _progress_sheet(wb, fmts, c)
    if "ratings" in c.elsewhere:
        _rows_elsewhere(wb, fmts, "Ratings", c.elsewhere["ratings"], "ratings")
    elif len(c.ratings) <= RATINGS_SHEET_MAX:
        _table_sheet(wb, fmts, "Ratings", c.ratings, tb.RATINGS, wrap=("comment",))
    else:
        _rows_elsewhere(wb, fmts, "Ratings", len(c.ratings), "ratings")
    _actions_sheet(wb, fmts, c)
    _returns_sheet(wb, fmts, c)
    wb.close()
    fmts.bulk.splice(package.getvalue(), handle)


RATINGS_SHEET_MAX = 50_000
"""Rating rows the Ratings sheet holds; beyond that (about 1,600 returns) an Excel Table is
slow to open and memory-hungry to write, so the rows go to ratings.csv / ratings.parquet."""


def ratings_too_many(c: Consolidation) -> bool:
    """Whether the ratings live in the data files rather than on the Ratings sheet."""
    return len(c.ratings) > RATINGS_SHEET_MAX


def _rows_elsewhere(wb: Workbook, fmts: _Formats, name: str, count: int, stem: str) -> None:
    """A sheet saying that its table's rows are in the data files: the ratings beyond
    :data:`RATINGS_SHEET_MAX`, or a collection too big for every table to be a sheet."""
    ws = wb.add_worksheet(name)
    ws.set_column(0, 0, 110)
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


def _status_sheet(wb: Workbook, fmts: _Formats, c: Consolidation) -> None:
    """A collection's status per framework and term, then its chase list."""
    sheet = _Sheet(wb, fmts, "Status")
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


def _summary_sheet(wb: Workbook, fmts: _Formats, c: Consolidation) -> None:
    sheet = _Sheet(wb, fmts, "Summary")
    frames = (c.summary, c.levels, c.group_means)
    frameworks = _first_seen(s(r[0]) for df in frames for r in frame_rows(df, ["framework"]))
    levels: list[str] = []
    for fw in frameworks:
        levels += list(c.level_order.get(fw, ()))
    levels = _first_seen(levels + [s(r[0]) for r in frame_rows(c.levels, ["level"])])
    counts: dict[tuple, dict[str, Any]] = {}
    for p, fw, y, t, level, n in frame_rows(c.levels, tb.LEVELS):
        counts.setdefault((s(p), s(fw), s(y), s(t)), {})[s(level)] = n
    records = sorted(
        frame_records(c.summary, tb.SUMMARY),
        key=lambda r: (s(r["partnership"]), s(r["framework"]), period_key(r["year"], r["term"])),
    )
    sheet.header(0, list(tb.SUMMARY) + levels)
    pct, whole = fmts(num_format="0.0"), fmts(num_format="0")
    for i, r in enumerate(records, start=1):
        for j, col in enumerate(tb.SUMMARY):
            sheet.put(
                i, j, r[col], pct if col.endswith("_pct") else whole if col == "settings" else None
            )
        key = (s(r["partnership"]), s(r["framework"]), s(r["year"]), s(r["term"]))
        scale = c.level_order.get(key[1], ())
        for j, level in enumerate(levels, start=len(tb.SUMMARY)):
            n = counts.get(key, {}).get(level)
            if missing(n) and level in scale:
                n = 0
            sheet.put(i, j, n, whole)
    if not records:
        sheet.put(1, 0, "No rows.", fmts(italic=True))
    titles = {s(r["framework"]): s(r["framework_title"]) for r in records}
    row = max(len(records), 1) + 3
    for fw in frameworks:
        row = _framework_charts(wb, sheet, c, fw, titles.get(fw) or fw, row)
    sheet.finish(0)


def _framework_charts(
    wb: Workbook, sheet: _Sheet, c: Consolidation, fw: str, title: str, row: int
) -> int:
    """Chart data below the summary for one framework: group means in its latest term, one
    series per partnership, and level counts per partnership and term; a chart beside each."""
    pct, whole = sheet.fmts(num_format="0.0"), sheet.fmts(num_format="0")
    gm = [r for r in frame_records(c.group_means, tb.GROUP_MEANS) if s(r["framework"]) == fw]
    if gm:
        year, term = max(
            ((s(r["year"]), s(r["term"])) for r in gm), key=lambda p: period_key(*p)
        )
        gm = [r for r in gm if (s(r["year"]), s(r["term"])) == (year, term)]
        groups = _groups(gm).items()
        partnerships = sorted({s(r["partnership"]) for r in gm})
        means = {(s(r["group_id"]), s(r["partnership"])): r["mean_pct"] for r in gm}
        row = _chart_block(
            wb, sheet, row, f"{title}: mean % by group, {year} {term}",
            ["Group"] + [p or "(no partnership)" for p in partnerships],
            {f"{g} {t}".strip(): [means.get((g, p)) for p in partnerships] for g, t in groups},
            pct, {"type": "bar"}, "Mean %",
        )  # fmt: skip
    lv = [r for r in frame_records(c.levels, tb.LEVELS) if s(r["framework"]) == fw]
    if lv:
        scale = _first_seen(list(c.level_order.get(fw, ())) + [s(r["level"]) for r in lv])
        n = {tuple(s(r[k]) for k in tb.LEVELS[:5] if k != "framework"): r["count"] for r in lv}
        keys = sorted(
            {(s(r["partnership"]), s(r["year"]), s(r["term"])) for r in lv},
            key=lambda k: (k[0], period_key(k[1], k[2])),
        )
        matrix = {
            f"{p or '(no partnership)'}, {y} {t}": [n.get((p, y, t, lvl), 0) for lvl in scale]
            for p, y, t in keys
        }
        row = _chart_block(
            wb, sheet, row, f"{title}: ratings by level", ["Partnership, term", *scale], matrix,
            whole, {"type": "bar", "subtype": "stacked"}, "Ratings", c.level_colours.get(fw, {}),
        )  # fmt: skip
    return row


def _chart_block(
    wb: Workbook,
    sheet: _Sheet,
    row: int,
    title: str,
    header: list[str],
    matrix: dict[str, list[Any]],
    fmt: Any,
    chart_type: dict[str, str],
    axis: str,
    colours: dict[str, str] | None = None,
) -> int:
    """A titled label × series block at ``row`` with a bar chart of it to its right; every
    chart text is a cell reference, so no returned text is ever read as a formula. Returns
    the next free row."""
    name = sheet.name
    sheet.ws.write_string(row, 0, excel_text(title), sheet.fmts(bold=True))  # may overflow
    sheet.header(row + 1, header)
    first, last = row + 2, row + 1 + len(matrix)
    for i, (label, values) in enumerate(matrix.items(), start=first):
        sheet.put(i, 0, label)
        for j, value in enumerate(values, start=1):
            sheet.put(i, j, value, fmt)
    chart = wb.add_chart(chart_type)
    for j in range(1, len(header)):
        series = {
            "name": [name, row + 1, j],
            "categories": [name, first, 0, last, 0],
            "values": [name, first, j, last, j],
        }
        colour = (colours or {}).get(header[j])
        if isinstance(colour, str) and _COLOUR.fullmatch(colour):
            series |= {"fill": {"color": colour}, "border": {"color": "#595959"}}
        chart.add_series(series)
    chart.set_title({"name": [name, row, 0]})
    chart.set_x_axis({"name": axis} | ({} if colours is not None else {"min": 0, "max": 100}))
    chart.set_y_axis({"reverse": True})
    bars = len(matrix) * (1 if colours is not None else len(header) - 1)
    height = min(max(300, 90 + 18 * bars), 2000)
    chart.set_size({"width": 720, "height": height})
    sheet.ws.insert_chart(row, len(header) + 1, chart)
    return max(last + 3, row + height // 20 + 2)


def _scores_sheet(wb: Workbook, fmts: _Formats, c: Consolidation) -> None:
    sheet = _Sheet(wb, fmts, "Scores")
    keys = ("setting", "urn", "partnership", "year", "term")
    wanted = ("framework", "workbook_id", *keys, "group_id", "group_title")
    rows = [
        (tuple(s(v) for v in r[:-2]), r[-2], r[-1])
        for r in frame_rows(c.scores, [*wanted, "score_pct", "completion_pct"])
    ]  # (texts, score %, completion %): no per-row dicts, the table can be 100,000 rows
    frameworks = _first_seen(texts[0] for texts, _, _ in rows)
    pct = fmts(num_format="0.0")
    row = 0
    for fw in frameworks:
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
        sheet.put(row, 0, f"Framework: {fw}", fmts(bold=True, font_size=12))
        header = [
            *keys,
            *(f"{g} {t}".strip() for g, t in groups.items()),
            "Overall %",
            "Completion %",
        ]
        sheet.header(row + 1, header, wrap_from=len(keys))
        if row == 0:
            sheet.ws.freeze_panes(2, 1)
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
        sheet.block(first, columns, [None] * len(keys) + [pct] * (len(header) - len(keys)))
        last = first + len(order) - 1
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
    sheet.finish(0 if not frameworks else None)
    if len(frameworks) == 1:
        sheet.ws.repeat_rows(1)
    if not frameworks:
        sheet.ws.freeze_panes(1, 0)


def _progress_sheet(wb: Workbook, fmts: _Formats, c: Consolidation) -> None:
    sheet = _Sheet(wb, fmts, "Progress")
    keys = ("framework", "setting", "urn", "partnership", "group_id")
    texts = (*keys, "group_title", "year", "term")
    titles: dict[tuple, str] = {}
    rows: dict[tuple, dict[tuple, tuple]] = {}  # key -> period -> (score, change, slipped)
    for r in frame_rows(c.progress, [*texts, "score_pct", "change_pct", "slipped"]):
        key = tuple(s(v) for v in r[:5])
        titles.setdefault(key, s(r[5]))
        rows.setdefault(key, {})[(s(r[6]), s(r[7]))] = r[8:]
    periods = sorted({p for by in rows.values() for p in by}, key=lambda p: period_key(*p))
    order = sorted(rows, key=lambda k: (k[0], k[3], k[1], k[2]))  # stable: group order kept
    header = [*keys, "group_title", *(f"{y} {t}" for y, t in periods)]
    header += ["Latest change", "Slipped", "Trend"]
    sheet.header(0, header)
    pct, change = fmts(num_format="0.0"), fmts(num_format="+0.0;-0.0;0.0")
    first_term, last_term = len(keys) + 1, len(keys) + len(periods)
    red = fmts(**_RED)
    columns: list[list[Any]] = [[] for _ in header]
    slipped_fmts: list[Any] = []
    for key in order:
        by_period = rows[key]
        cells = [*key, titles[key]]
        cells += [by_period[p][0] if p in by_period else None for p in periods]
        _score, latest_change, latest_slipped = by_period[
            max(by_period, key=lambda p: period_key(*p))
        ]
        slipped = not missing(latest_slipped) and bool(latest_slipped)
        cells += [latest_change, "Yes" if slipped else "No", None]
        for column, value in zip(columns, cells):
            column.append(value)
        slipped_fmts.append(red if slipped else None)
    if len(periods) >= 2 and order:  # one group of sparklines: xlsxwriter styles each group
        rows = range(1, len(order) + 1)
        sheet.ws.add_sparkline(1, last_term + 3, {
            "location": [xl_rowcol_to_cell(i, last_term + 3) for i in rows],
            "range": [xl_range(i, first_term, i, last_term) for i in rows],
            "markers": True,
        })  # fmt: skip
    plain = [None] * len(keys) + [None] + [pct] * len(periods) + [change, slipped_fmts, None]
    sheet.block(1, columns, plain)
    if not order:
        sheet.put(1, 0, "No rows.", fmts(italic=True))
    _outcomes_block(sheet, c, max(len(order), 1) + 3)
    sheet.finish(0)


def _outcomes_block(sheet: _Sheet, c: Consolidation, row: int) -> None:
    fmts = sheet.fmts
    keys = ("framework", "setting", "urn", "partnership", "year", "term", "outcome_id", "outcome")
    records = frame_records(c.outcomes, tb.OUTCOMES)
    measures = _first_seen(s(r["measure"]) for r in records)
    values: dict[tuple, dict[str, Any]] = {}
    for r in records:
        values.setdefault(tuple(s(r[k]) for k in keys), {})[s(r["measure"])] = r["value"]
    sheet.put(row, 0, "Outcomes", fmts(bold=True, font_size=12))
    sheet.header(row + 1, list(keys) + measures)
    wrap = fmts(text_wrap=True)
    for i, key in enumerate(values, start=row + 2):
        for j, value in enumerate(key):
            sheet.put(i, j, value, wrap if j == len(keys) - 1 else None)
        for j, measure in enumerate(measures, start=len(keys)):
            sheet.put(i, j, values[key].get(measure), wrap)
    if not values:
        sheet.put(row + 2, 0, "No rows.", fmts(italic=True))


def _actions_sheet(wb: Workbook, fmts: _Formats, c: Consolidation) -> None:
    def overdue(record: dict[str, Any], col: str) -> dict[str, Any]:
        return dict(_RED) if not missing(record["overdue"]) and bool(record["overdue"]) else {}

    wrap = ("action", "lead", "status", "details")
    _table_sheet(wb, fmts, "Actions", c.actions, tb.ACTIONS, wrap=wrap, cell_props=overdue)


def _returns_sheet(wb: Workbook, fmts: _Formats, c: Consolidation) -> None:
    statuses = [s(r[0]) for r in frame_rows(c.returns, ["status"])]
    labels = list(tb.STATUSES) + sorted(set(statuses) - set(tb.STATUSES))

    fills = {label: fmts(**STATUS_FILLS.get(label, STATUS_FILLS["unknown"])) for label in labels}
    sheet = _table_sheet(
        wb, fmts, "Returns", c.returns, tb.RETURNS, top=3, wrap=("errors", "warnings"),
        row_fmts={"status": [fills[status] for status in statuses]},
    )  # fmt: skip
    bold = fmts(bold=True)
    sheet.put(0, 0, "Files", bold)
    sheet.put(1, 0, len(statuses), bold)
    for j, label in enumerate(labels, start=1):
        sheet.put(0, j, label, fmts(bold=True, **STATUS_FILLS.get(label, STATUS_FILLS["unknown"])))
        sheet.put(1, j, statuses.count(label))


# --------------------------------------------------------------------------- data files


