"""Outputs for the LA officer: ``consolidated.xlsx``, the tidy CSV/Parquet files, and the
end-of-run summary lines the CLI prints.

Everything here treats text copied from returns as untrusted. In the workbook it is written
with ``write_string`` only (never as a formula or hyperlink); characters XML cannot hold
(control characters other than tab, newline and carriage return, U+FFFE, U+FFFF) are dropped;
text longer than an Excel cell holds (32,767 characters, counted as Excel counts them, in UTF-16
units) is cut at that length with no marker. In the CSV files text that a spreadsheet would run
as a formula is prefixed with an apostrophe. Lone surrogates (from undecodable file names)
become U+FFFD everywhere, since no UTF-8 file can hold them.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from awardbooks.analyse import tables as tb
from awardbooks.analyse.tables import Consolidation
from awardbooks.errors import ReportError
from awardbooks.generate.workbooks import atomic_write, ensure_folder, neutralise_cell
from awardbooks.outputs.sheetrows import BulkRows, Column
from awardbooks.workbook.layout import TERMS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from xlsxwriter.workbook import Workbook

SHEETS = ("Summary", "Scores", "Progress", "Ratings", "Actions", "Returns")
CELL_MAX = 32_767
EXCEL_ROWS = 1_048_576
MAX_WIDTH = 60
WORKBOOK_OPTIONS = dict.fromkeys(
    ("strings_to_numbers", "strings_to_formulas", "strings_to_urls"), False
)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # lone halves, e.g. from undecodable file names
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
_PCT_COLUMNS = {"score_pct", "change_pct", "completion_pct", "mean_pct", "min_pct", "max_pct"}
_INT_COLUMNS = {"rated", "total", "row", "settings", "count"}
DATA_FILES = {
    "ratings": tb.RATINGS,
    "scores": tb.SCORES,
    "progress": tb.PROGRESS,
    "returns": tb.RETURNS_CSV,
    "actions": tb.ACTIONS,
    "outcomes": tb.OUTCOMES,
}
"""file stem (also the Consolidation attribute) → the columns written."""


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _s(value: Any) -> str:
    """A value as plain text for keys and labels ('' when missing)."""
    return "" if _missing(value) else str(value)


def _cell_value(value: Any) -> float | str:
    """What a cell holds for ``value``: a finite number as float, a boolean as Yes/No,
    anything else as text an Excel cell can hold ('' for missing values and non-finite
    numbers)."""
    if isinstance(value, str):
        return _clean_text(value)
    if _missing(value):
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


def excel_text(value: Any) -> str:
    """``value`` as text an Excel cell can hold: XML-illegal characters dropped, cut to
    32,767 UTF-16 units (never inside a surrogate pair); everything else kept as it is."""
    text = _SURROGATE.sub("\ufffd", _ILLEGAL_XML.sub("", str(value)))
    if len(text) > CELL_MAX // 2:  # only then can it exceed the limit in UTF-16 units
        units = 0
        for i, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > CELL_MAX:
                return text[:i]
    return text


def _period_key(year: Any, term: Any) -> tuple:
    term = _s(term)
    return (_s(year), TERMS.index(term) if term in TERMS else len(TERMS), term)


def _rows(df: pd.DataFrame | None, columns: Iterable[str]) -> list[tuple]:
    """The frame's rows as tuples in exactly ``columns`` order (absent columns are NaN)."""
    if df is None or len(df) == 0:
        return []
    frame = df.reindex(columns=list(columns))
    return list(zip(*(_values(frame[col]) for col in frame.columns)))


def _values(series: pd.Series) -> list[Any]:
    """A column's values as a list; repeated texts share one Python object (a text column
    of 100,000 rows holds a few hundred distinct values, not 100,000 copies)."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
            return series.tolist()  # numbers, booleans, mixed values: each kept as it is
        series = series.astype("category")
    distinct = series.cat.categories.tolist() + [math.nan]  # code -1: a missing value
    return [distinct[code] for code in series.cat.codes.tolist()]


def _records(df: pd.DataFrame | None, columns: Iterable[str]) -> list[dict[str, Any]]:
    columns = list(columns)
    return [dict(zip(columns, row)) for row in _rows(df, columns)]


def _first_seen(values: Iterable) -> list:
    return list(dict.fromkeys(values))


def _groups(records: list[dict[str, Any]]) -> dict[str, str]:
    """group id → its first title, in first-seen order."""
    groups: dict[str, str] = {}
    for r in records:
        groups.setdefault(_s(r["group_id"]), _s(r["group_title"]))
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
                Column(cells, None if per_row else fmt, fmt if per_row else None, blanks=True)
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
) -> _Sheet:
    """A sheet holding ``df`` as an Excel Table (header row at ``top``, autofilter on)."""
    sheet = _Sheet(wb, fmts, name)
    base = {col: {"text_wrap": True} if col in wrap else {} for col in columns}
    plain = {col: fmts(**props) for col, props in base.items()}
    sheet.header(top, columns)
    if cell_props is None:
        count = _fast_rows(sheet, df, columns, top + 1, [plain[c] for c in columns])
    else:
        records = _records(df, columns)
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
    return "" if _missing(value) else excel_text(value)


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
        prepared.append(Column(values, formats[j]))
    sheet.fmts.bulk.add(sheet.ws, first, prepared)
    return len(frame)


def write_consolidated(c: Consolidation, path: Path) -> None:
    """Write ``consolidated.xlsx`` (sheets: Summary, Scores, Progress, Ratings, Actions,
    Returns) atomically: an existing file is replaced only once the new one is complete.

    Text from returns is always written as text (never formulas or hyperlinks), stripped of
    XML-illegal control characters and cut to Excel's 32,767-character cell limit."""
    path = Path(path)
    if path.is_dir():
        raise ReportError(f"{path}: is a folder, not a file")
    atomic_write(path, lambda handle: _build_workbook(c, handle))


def _build_workbook(c: Consolidation, handle: Any) -> None:
    import xlsxwriter

    package = io.BytesIO()
    wb = xlsxwriter.Workbook(package, {"in_memory": True, **WORKBOOK_OPTIONS})
    wb.set_properties(
        {"title": "awardbooks consolidated returns", "comments": f"Analysed on {c.analysed_on}"}
    )
    fmts = _Formats(wb)
    _summary_sheet(wb, fmts, c)
    _scores_sheet(wb, fmts, c)
    _progress_sheet(wb, fmts, c)
    if len(c.ratings) <= RATINGS_SHEET_MAX:
        _table_sheet(wb, fmts, "Ratings", c.ratings, tb.RATINGS, wrap=("comment",))
    else:
        _ratings_elsewhere(wb, fmts, len(c.ratings))
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


def _ratings_elsewhere(wb: Workbook, fmts: _Formats, count: int) -> None:
    ws = wb.add_worksheet("Ratings")
    ws.set_column(0, 0, 110)
    ws.write_string(0, 0, f"{count:,} ratings", fmts(bold=True, font_size=12))
    ws.write_string(
        1,
        0,
        f"That is more than the {RATINGS_SHEET_MAX:,} rows this sheet holds comfortably. Every "
        "rating is in ratings.csv (and ratings.parquet when pyarrow is installed) in the data "
        "folder written with this workbook; open it in Excel, Power BI, DuckDB or pandas.",
        fmts(text_wrap=True),
    )


def _summary_sheet(wb: Workbook, fmts: _Formats, c: Consolidation) -> None:
    sheet = _Sheet(wb, fmts, "Summary")
    frames = (c.summary, c.levels, c.group_means)
    frameworks = _first_seen(_s(r[0]) for df in frames for r in _rows(df, ["framework"]))
    levels: list[str] = []
    for fw in frameworks:
        levels += list(c.level_order.get(fw, ()))
    levels = _first_seen(levels + [_s(r[0]) for r in _rows(c.levels, ["level"])])
    counts: dict[tuple, dict[str, Any]] = {}
    for p, fw, y, t, level, n in _rows(c.levels, tb.LEVELS):
        counts.setdefault((_s(p), _s(fw), _s(y), _s(t)), {})[_s(level)] = n
    records = sorted(
        _records(c.summary, tb.SUMMARY),
        key=lambda r: (_s(r["partnership"]), _s(r["framework"]), _period_key(r["year"], r["term"])),
    )
    sheet.header(0, list(tb.SUMMARY) + levels)
    pct, whole = fmts(num_format="0.0"), fmts(num_format="0")
    for i, r in enumerate(records, start=1):
        for j, col in enumerate(tb.SUMMARY):
            sheet.put(
                i, j, r[col], pct if col.endswith("_pct") else whole if col == "settings" else None
            )
        key = (_s(r["partnership"]), _s(r["framework"]), _s(r["year"]), _s(r["term"]))
        scale = c.level_order.get(key[1], ())
        for j, level in enumerate(levels, start=len(tb.SUMMARY)):
            n = counts.get(key, {}).get(level)
            if _missing(n) and level in scale:
                n = 0
            sheet.put(i, j, n, whole)
    if not records:
        sheet.put(1, 0, "No rows.", fmts(italic=True))
    titles = {_s(r["framework"]): _s(r["framework_title"]) for r in records}
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
    gm = [r for r in _records(c.group_means, tb.GROUP_MEANS) if _s(r["framework"]) == fw]
    if gm:
        year, term = max(
            ((_s(r["year"]), _s(r["term"])) for r in gm), key=lambda p: _period_key(*p)
        )
        gm = [r for r in gm if (_s(r["year"]), _s(r["term"])) == (year, term)]
        groups = _groups(gm).items()
        partnerships = sorted({_s(r["partnership"]) for r in gm})
        means = {(_s(r["group_id"]), _s(r["partnership"])): r["mean_pct"] for r in gm}
        row = _chart_block(
            wb, sheet, row, f"{title}: mean % by group, {year} {term}",
            ["Group"] + [p or "(no partnership)" for p in partnerships],
            {f"{g} {t}".strip(): [means.get((g, p)) for p in partnerships] for g, t in groups},
            pct, {"type": "bar"}, "Mean %",
        )  # fmt: skip
    lv = [r for r in _records(c.levels, tb.LEVELS) if _s(r["framework"]) == fw]
    if lv:
        scale = _first_seen(list(c.level_order.get(fw, ())) + [_s(r["level"]) for r in lv])
        n = {tuple(_s(r[k]) for k in tb.LEVELS[:5] if k != "framework"): r["count"] for r in lv}
        keys = sorted(
            {(_s(r["partnership"]), _s(r["year"]), _s(r["term"])) for r in lv},
            key=lambda k: (k[0], _period_key(k[1], k[2])),
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
        (tuple(_s(v) for v in r[:-2]), r[-2], r[-1])
        for r in _rows(c.scores, [*wanted, "score_pct", "completion_pct"])
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
        order = sorted(settings, key=lambda k: (k[3], k[1], k[2], _period_key(k[4], k[5])))
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
    from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

    sheet = _Sheet(wb, fmts, "Progress")
    keys = ("framework", "setting", "urn", "partnership", "group_id")
    texts = (*keys, "group_title", "year", "term")
    titles: dict[tuple, str] = {}
    rows: dict[tuple, dict[tuple, tuple]] = {}  # key -> period -> (score, change, slipped)
    for r in _rows(c.progress, [*texts, "score_pct", "change_pct", "slipped"]):
        key = tuple(_s(v) for v in r[:5])
        titles.setdefault(key, _s(r[5]))
        rows.setdefault(key, {})[(_s(r[6]), _s(r[7]))] = r[8:]
    periods = sorted({p for by in rows.values() for p in by}, key=lambda p: _period_key(*p))
    order = sorted(rows, key=lambda k: (k[0], k[3], k[1], k[2]))  # stable: group order kept
    header = [*keys, "group_title", *(f"{y} {t}" for y, t in periods)]
    header += ["Latest change", "Slipped", "Trend"]
    sheet.header(0, header)
    pct, change = fmts(num_format="0.0"), fmts(num_format="+0.0;-0.0;0.0")
    first_term, last_term = len(keys) + 1, len(keys) + len(periods)
    red = fmts(**_RED)
    columns: list[list[Any]] = [[] for _ in header]
    slipped_fmts: list[Any] = []
    for i, key in enumerate(order, start=1):
        by_period = rows[key]
        cells = [*key, titles[key]]
        cells += [by_period[p][0] if p in by_period else None for p in periods]
        _score, latest_change, latest_slipped = by_period[
            max(by_period, key=lambda p: _period_key(*p))
        ]
        slipped = not _missing(latest_slipped) and bool(latest_slipped)
        cells += [latest_change, "Yes" if slipped else "No", None]
        for column, value in zip(columns, cells):
            column.append(value)
        slipped_fmts.append(red if slipped else None)
        if len(periods) >= 2:
            sheet.ws.add_sparkline(xl_rowcol_to_cell(i, last_term + 3), {
                "range": xl_range(i, first_term, i, last_term), "markers": True,
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
    records = _records(c.outcomes, tb.OUTCOMES)
    measures = _first_seen(_s(r["measure"]) for r in records)
    values: dict[tuple, dict[str, Any]] = {}
    for r in records:
        values.setdefault(tuple(_s(r[k]) for k in keys), {})[_s(r["measure"])] = r["value"]
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
        return dict(_RED) if not _missing(record["overdue"]) and bool(record["overdue"]) else {}

    wrap = ("action", "lead", "status", "details")
    _table_sheet(wb, fmts, "Actions", c.actions, tb.ACTIONS, wrap=wrap, cell_props=overdue)


def _returns_sheet(wb: Workbook, fmts: _Formats, c: Consolidation) -> None:
    statuses = [_s(r[0]) for r in _rows(c.returns, ["status"])]
    labels = list(tb.STATUSES) + sorted(set(statuses) - set(tb.STATUSES))

    def status_fill(record: dict[str, Any], col: str) -> dict[str, Any]:
        if col != "status":
            return {}
        return dict(STATUS_FILLS.get(_s(record["status"]), STATUS_FILLS["unknown"]))

    sheet = _table_sheet(
        wb, fmts, "Returns", c.returns, tb.RETURNS, top=3,
        wrap=("errors", "warnings"), cell_props=status_fill,
    )  # fmt: skip
    bold = fmts(bold=True)
    sheet.put(0, 0, "Files", bold)
    sheet.put(1, 0, len(statuses), bold)
    for j, label in enumerate(labels, start=1):
        sheet.put(0, j, label, fmts(bold=True, **STATUS_FILLS.get(label, STATUS_FILLS["unknown"])))
        sheet.put(1, j, statuses.count(label))


# --------------------------------------------------------------------------- data files


def _csv_value(col: str, value: Any) -> str:
    if _missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            return ""
        if col in _PCT_COLUMNS:
            text = f"{number:.1f}"
            return "0.0" if text == "-0.0" else text
        if isinstance(value, numbers.Integral) or (col in _INT_COLUMNS and number.is_integer()):
            return str(int(number))
        return repr(number)
    return neutralise_cell(_SURROGATE.sub("\ufffd", str(value)))


def _csv_column(col: str, series: pd.Series) -> list[str]:
    """One column's CSV cells, as :func:`_csv_value` would write them, a column at a time
    (typed columns skip the per-cell type tests)."""
    if pd.api.types.is_bool_dtype(series):
        return ["true" if v else "false" for v in series.tolist()]
    if pd.api.types.is_float_dtype(series):
        values = series.tolist()
        if col in _PCT_COLUMNS:
            return [
                "" if not math.isfinite(v) else ("0.0" if f"{v:.1f}" == "-0.0" else f"{v:.1f}")
                for v in values
            ]
        if col in _INT_COLUMNS:
            return [
                "" if not math.isfinite(v) else str(int(v)) if v.is_integer() else repr(v)
                for v in values
            ]
        return ["" if not math.isfinite(v) else repr(v) for v in values]
    if pd.api.types.is_integer_dtype(series):
        return [str(v) for v in series.tolist()]
    out = []
    for value in series.tolist():
        if isinstance(value, str):
            if value[:1] in _FORMULA_START or _SURROGATE.search(value):
                value = neutralise_cell(_SURROGATE.sub("\ufffd", value))
            out.append(value)
        else:
            out.append(_csv_value(col, value))
    return out


def _csv_rows(df: pd.DataFrame | None, columns: tuple[str, ...], chunk: int = 20_000):
    """The frame's CSV rows, converted a column at a time in chunks (bounded memory)."""
    if df is None or len(df) == 0:
        return
    frame = df.reindex(columns=list(columns))
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        yield from zip(*(_csv_column(col, part[col]) for col in columns))


_FORMULA_START = frozenset("=+-@\t\r")


def _write_csv(path: Path, columns: tuple[str, ...], rows) -> None:
    """Write a UTF-8 CSV atomically with CRLF line ends (RFC 4180). Not
    ``generate.write_csv``: with its "\n" line end a field holding a lone carriage return
    goes unquoted (csv quotes only the terminator's characters) and readers split the row."""

    def write(handle: Any) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)
        text.flush()
        text.detach()

    atomic_write(path, write)


def write_data(c: Consolidation, folder: Path, parquet: bool = True) -> list[Path]:
    """Write ratings, scores, progress, returns, actions and outcomes as UTF-8 CSV (and as
    Parquet when pyarrow is installed and ``parquet``), each atomically; returns the paths.

    CSV cells: missing → empty, percentages with one decimal, booleans true/false, text that
    starts like a formula prefixed with an apostrophe (numbers are left alone). Parquet keeps
    the values as they are (not neutralised); a mixed text/number column is stored as text."""
    folder = ensure_folder(folder, ReportError)
    written: list[Path] = []
    for stem, columns in DATA_FILES.items():
        rows = _csv_rows(getattr(c, stem), columns)
        path = folder / f"{stem}.csv"
        _write_csv(path, columns, rows)
        written.append(path)
    if parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            return written
        for stem, columns in DATA_FILES.items():
            frame = _parquet_frame(getattr(c, stem), columns)
            path = folder / f"{stem}.parquet"
            atomic_write(path, lambda handle, frame=frame: frame.to_parquet(handle, index=False))
            written.append(path)
    return written


def _parquet_frame(df: pd.DataFrame | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """``df`` in ``columns`` with every object column of one Parquet type: all numbers → a
    numeric column, anything mixed (an outcome's value can be 12 or "-3 pupils") → text."""
    frame = (df if df is not None else pd.DataFrame()).reindex(columns=list(columns))
    for col in frame.columns:
        if frame[col].dtype != object:
            continue
        values = [v for v in frame[col] if not _missing(v)]
        if all(isinstance(v, bool | np.bool_) for v in values):
            continue
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_) for v in values):
            frame[col] = pd.to_numeric(frame[col])
        else:
            frame[col] = [
                None if _missing(v) else _SURROGATE.sub("\ufffd", str(v)) for v in frame[col]
            ]
    return frame


# --------------------------------------------------------------------------- CLI summary


def _display_width(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _table_lines(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(_display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _display_width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return lines


def summary_lines(c: Consolidation) -> list[str]:
    """The end-of-run summary: files by status, then the overall mean % per framework and
    partnership for the latest term each has."""
    statuses = [_s(r[0]) for r in _rows(c.returns, ["status"])]
    count = statuses.count
    rows = [
        ["Files read", str(len(statuses) - count("missing"))],
        ["  accepted", str(count("accepted"))],
        ["  with warnings", str(count("warning"))],
        ["  rejected", str(count("rejected"))],
        ["  duplicates", str(count("duplicate"))],
        ["  unknown", str(count("unknown"))],
        ["Missing (expected, not returned)", str(count("missing"))],
    ]
    other = len(statuses) - sum(count(s) for s in tb.STATUSES)
    if other:
        rows.insert(6, ["  other status", str(other)])
    lines = _table_lines(rows, {1})
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    records = _records(c.summary, tb.SUMMARY)
    for r in sorted(records, key=lambda r: _period_key(r["year"], r["term"])):
        latest[(_s(r["framework"]), _s(r["partnership"]))] = r  # the latest term wins
    if latest:
        table = [["Framework", "Partnership", "Term", "Settings", "Mean %"]]
        for (fw, p), r in sorted(latest.items()):
            mean = r["mean_pct"]
            table.append([
                fw, p or "(none)", f"{_s(r['year'])} {_s(r['term'])}".strip(),
                _csv_value("settings", r["settings"]),
                "-" if _missing(mean) else f"{float(mean):.1f}",
            ])  # fmt: skip
        lines += [""] + _table_lines(table, {3, 4})
    return lines
