"""The consolidated workbook's worksheets as they show on screen and on paper: cells written as
text or numbers, column widths from what they hold, wrapped text with row heights to fit, and
one print set-up for every sheet.

Decisions:

- Every sheet prints A4 landscape, fitted to one page wide, with its heading rows repeated and
  a footer naming the sheet and page. A4 landscape holds about 230 characters of column width
  at 7 pt, so columns are capped (:data:`MAX_WIDTH`, or a sheet's own caps) and long text
  wraps instead of widening its column.
- Wrapped cells get a row height worked out here (lines × :data:`LINE_POINTS`): LibreOffice
  and Excel do not agree on fitting rows to wrapped text when a file is opened, and a row too
  short lets its text run under the next row.
- Text copied from returns is untrusted: it is written with ``write_string`` only (never as a
  formula or hyperlink) and made safe by :func:`awardbooks.common.text.excel_text`.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from awardbooks.analyse import tables as tb
from awardbooks.common.text import CELL_MAX, excel_text
from awardbooks.errors import ReportError
from awardbooks.outputs.frames import frame_records, missing
from awardbooks.outputs.sheetrows import BulkColumn, BulkRows

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

EXCEL_ROWS = 1_048_576
MAX_WIDTH = 60
"""The widest a column gets (in characters); longer text wraps."""
TABLE_WIDTH = 22
"""The widest a column of a table sheet gets unless the sheet says otherwise."""
WIDE_WIDTH = 40
"""The widest a table's columns of long text (comments, errors, outcomes) get."""
LINE_POINTS = 15.0
"""The height of one line of 11 pt text, as Excel's default row."""
MAX_LINES = 27
"""The most lines a row is made tall for (Excel's row limit is 409 pt); longer text is cut
off in print and shows whole in the cell."""
HEADER = {"bold": True, "bg_color": "#DDEBF7", "bottom": 1}
_DIRTY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def cell_value(value: Any) -> float | str:
    """What a cell holds for ``value``: a finite number as float, a boolean as Yes/No,
    anything else as text an Excel cell can hold ('' for missing values and non-finite
    numbers)."""
    if isinstance(value, str):
        return clean_text(value)
    if missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, numbers.Real):
        return float(value) if math.isfinite(value) else ""
    return excel_text(value)


def clean_text(value: Any) -> str:
    """A table cell's text: missing → '', clean text as it is, anything else through
    :func:`excel_text` (XML-illegal characters, lone surrogates, over-long text)."""
    if isinstance(value, str):
        if len(value) <= CELL_MAX // 2 and not _DIRTY.search(value):
            return value
        return excel_text(value)
    return "" if missing(value) else excel_text(value)


def text_width(text: str) -> int:
    """The width of ``text``'s longest line (of its first 1,000 characters)."""
    if "\n" not in text and "\r" not in text:
        return min(len(text), 1000)
    return max(len(line) for line in text[:1000].splitlines() or [""])


def lines_needed(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide (a
    guess on the generous side: a character of text is on average narrower than the digit a
    column's width counts, but words are not split)."""
    room = max(width - 1.0, 1.0) * 1.1
    count = 0
    for line in text[:4000].splitlines() or [""]:
        count += max(1, math.ceil(len(line) / room))
        if count >= MAX_LINES:
            return MAX_LINES
    return count


def first_seen(values: Iterable) -> list:
    return list(dict.fromkeys(values))


class Formats:
    """Cached xlsxwriter formats keyed by their properties (all top-aligned), which of them
    wrap, and the workbook's bulk rows (written into the package once xlsxwriter has closed
    it)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple, Any] = {}
        self.wrapping: set[int] = set()
        self.bulk = BulkRows()

    def __call__(self, **props: Any):
        props.setdefault("valign", "top")
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(dict(props))
            if props.get("text_wrap"):
                self.wrapping.add(id(self.cache[key]))
        return self.cache[key]

    def wraps(self, fmt: Any) -> bool:
        return fmt is not None and id(fmt) in self.wrapping


class Sheet:
    """A worksheet plus the widest text seen per column (for readable column widths) and the
    wrapped texts written (for row heights), set when the sheet is finished."""

    def __init__(self, wb: Workbook, fmts: Formats, name: str) -> None:
        self.ws = wb.add_worksheet(name)
        self.name = name
        self.fmts = fmts
        self.widths: dict[int, int] = {}
        self.caps: dict[int, int] = {}
        self.hidden: set[int] = set()
        self.cell_wraps: dict[int, list[tuple[int, str]]] = {}  # row -> (col, text)
        self.bulk_wraps: list[tuple[int, int, list[Any]]] = []  # (first row, col, values)

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
        value = cell_value(value)
        if type(value) is float:
            self.ws.write_number(row, col, value, fmt)
            self.grow(col, 7)
        elif value:
            self.ws.write_string(row, col, self.fmts.bulk.text(value), fmt)
            self.grow(col, text_width(value))
            if self.fmts.wraps(fmt):
                self.cell_wraps.setdefault(row, []).append((col, value))
        elif fmt is not None:
            self.ws.write_blank(row, col, None, fmt)

    def note(self, row: int, col: int, text: str) -> None:
        """Write a line of text that may run on into the empty cells to its right (a title,
        a list line): it does not widen its column."""
        self.check_rows(row)
        self.ws.write_string(row, col, self.fmts.bulk.text(clean_text(text)))

    def block(self, first_row: int, columns: list[list[Any]], fmts: list[Any]) -> None:
        """Write rows of cells from ``first_row`` down, a list of values per column, as
        :meth:`put` would write each (each column's format: one, or a list of one per row)."""
        count = max((len(values) for values in columns), default=0)
        self.check_rows(first_row + count - 1)
        prepared = []
        for j, (values, fmt) in enumerate(zip(columns, fmts)):
            cells = [cell_value(v) for v in values]
            widths = [7 if type(v) is float else text_width(v) for v in cells if v]
            if widths:
                self.grow(j, max(widths))
            per_row = isinstance(fmt, list)
            if any(self.fmts.wraps(f) for f in (fmt if per_row else [fmt])):
                self.bulk_wraps.append((first_row, j, cells))
            prepared.append(
                BulkColumn(cells, None if per_row else fmt, fmt if per_row else None, blanks=True)
            )
        self.fmts.bulk.add(self.ws, first_row, prepared)

    def header(
        self, row: int, columns: Iterable[str], filters: bool = True, right: Iterable[int] = ()
    ) -> list[Any]:
        """Column headings, wrapped at word breaks in the column widths the data needs (a
        heading widens its column only to its longest word, plus room for a filter button);
        the ``right`` columns (numbers) right-aligned over their numbers. Returns each
        heading's format (for a table's header)."""
        right = set(right)
        left = self.fmts(**HEADER, text_wrap=True)
        aligned = self.fmts(**HEADER, text_wrap=True, align="right")
        used = []
        for j, name in enumerate(columns):
            name = tb.heading(name) if name in tb.ALL_COLUMNS else name
            text = excel_text(str(name))
            fmt = aligned if j in right else left
            self.ws.write_string(row, j, self.fmts.bulk.text(text), fmt)
            self.cell_wraps.setdefault(row, []).append((j, text))
            longest = max((len(word) for word in text.split()), default=0)
            self.grow(j, min(longest + (3 if filters else 0), 20))
            used.append(fmt)
        return used

    def width(self, col: int) -> int:
        return min(max(self.widths.get(col, 0) + 2, 8), self.caps.get(col, MAX_WIDTH))

    def finish(self, header_row: int | None) -> None:
        """Column widths, row heights for wrapped text, frozen header and the print set-up:
        A4 landscape, one page wide, the rows down to ``header_row`` repeated on every page."""
        for col in self.widths:
            self.ws.set_column(
                col, col, self.width(col), None, {"hidden": True} if col in self.hidden else {}
            )
        for row, texts in self.cell_wraps.items():
            lines = max(lines_needed(text, self.width(col)) for col, text in texts)
            if lines > 1:
                self.ws.set_row(row, lines * LINE_POINTS)
        heights: dict[int, float] = {}
        for first, col, values in self.bulk_wraps:
            width = self.width(col)
            for i, value in enumerate(values, start=first):
                if type(value) is str and (len(value) > width - 2 or "\n" in value):
                    lines = lines_needed(value, width)
                    if lines > 1 and lines * LINE_POINTS > heights.get(i, 0):
                        heights[i] = lines * LINE_POINTS
        if heights:
            self.fmts.bulk.set_heights(self.ws, heights)
        print_setup(self.ws)
        if header_row is not None:
            self.ws.freeze_panes(header_row + 1, 0)
            self.ws.repeat_rows(0, header_row)


def print_setup(ws: Any) -> None:
    """A4 landscape, fitted to one page wide, narrow margins, the sheet's name and the page
    number in the footer."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.3, right=0.3, top=0.5, bottom=0.6)
    ws.set_footer("&L&A&RPage &P of &N")


def table_sheet(
    wb: Workbook,
    fmts: Formats,
    name: str,
    df: pd.DataFrame | None,
    columns: tuple[str, ...],
    *,
    top: int = 0,
    wide: Iterable[str] = (),
    hidden: Iterable[str] = (),
    wide_width: int = WIDE_WIDTH,
    cell_props: Callable[[dict[str, Any], str], dict[str, Any]] | None = None,
    narrow: dict[str, int] | None = None,
) -> Sheet:
    """A sheet holding ``df`` as an Excel Table (header row at ``top``, autofilter on). Every
    column wraps its text; ``wide`` columns may grow to ``wide_width``, the others to
    :data:`TABLE_WIDTH`; ``hidden`` columns (identifiers for machines) stay in the table but
    are hidden, as are columns empty in every row, so the rest print legibly; ``narrow``
    columns (name → width) wrap within that width."""
    sheet = Sheet(wb, fmts, name)
    wide, hidden = set(wide), set(hidden)
    base = {"text_wrap": True}
    plain = fmts(**base)
    right = [
        j for j, col in enumerate(columns)
        if df is not None and col in df.columns and pd.api.types.is_numeric_dtype(df[col])
        and not pd.api.types.is_bool_dtype(df[col])
    ]  # fmt: skip
    heads = sheet.header(top, columns, right=right)
    if cell_props is None:
        count = fast_rows(sheet, df, columns, top + 1, [plain] * len(columns))
    else:
        records = frame_records(df, columns)
        count = len(records)
        styles = [
            [fmts(**base, **x) if (x := cell_props(r, col)) else plain for r in records]
            for col in columns
        ]
        sheet.block(top + 1, [[r[col] for r in records] for col in columns], styles)
    for j, col in enumerate(columns):
        sheet.caps[j] = (narrow or {}).get(col) or (wide_width if col in wide else TABLE_WIDTH)
        if count and (col in hidden or not _has_values(df, col)):
            sheet.hidden.add(j)
    if count:
        options = {
            "name": f"tbl{name}",
            "style": "Table Style Light 9",
            "columns": [
                {"header": tb.heading(col), "header_format": head}
                for col, head in zip(columns, heads)
            ],
        }
        fmts.bulk.add_table(sheet.ws, top, top + count, len(columns) - 1, options)
    else:
        sheet.put(top + 1, 0, "No rows.", fmts(italic=True))
    sheet.finish(top)
    return sheet


def _has_values(df: pd.DataFrame | None, col: str) -> bool:
    """Whether column ``col`` of ``df`` holds anything but missing values and ''."""
    if df is None or col not in df.columns:
        return False
    return any(not missing(v) and v != "" for v in df[col].tolist())


def fast_rows(sheet: Sheet, df, columns, first: int, formats: list) -> int:
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
            cleaned = [clean_text(v) for v in series.cat.categories.tolist()] + [""]
            values = [cleaned[k] for k in series.cat.codes.tolist()]  # code -1: missing
        else:
            values = [clean_text(v) for v in series.tolist()]
        widths = [7 if type(v) is float else len(v) for v in values if v]
        if widths:
            sheet.grow(j, min(1000, max(widths)))
        if sheet.fmts.wraps(formats[j]) and any(type(v) is str for v in values):
            sheet.bulk_wraps.append((first, j, values))
        prepared.append(BulkColumn(values, formats[j]))
    sheet.fmts.bulk.add(sheet.ws, first, prepared)
    return len(frame)
