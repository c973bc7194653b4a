"""Facts about a sheet read from its XML bytes with regular expressions, never with an XML
parser (so nothing in a hostile file is expanded): protection, dropdowns, merged ranges,
formulas and error values in cells, and how far out its values reach.

The reach is checked before a fast reader builds the sheet's grid: a single value typed at
XFD1048576 would otherwise ask for a grid of 17 billion cells and end the process.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from awardbooks.workbook.layout import col_letter

MAX_CELLS = 2_000_000  # rows x columns of one sheet's grid, up to its farthest value

_P = rb"(?:[\w.-]+:)?"
_PROTECTED = re.compile(rb"<" + _P + rb"sheetProtection\b[^>]*\bsheet=\"(?:1|true)\"")
_VALIDATION = re.compile(rb"<" + _P + rb"dataValidation\b")
_MERGE = re.compile(rb"<" + _P + rb"mergeCell\b[^>]*\bref=\"([A-Za-z]+)(\d+):([A-Za-z]+)(\d+)\"")
_SKIPPED = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>", re.DOTALL)
_TAG = re.compile(rb"<(/?)([^\s/>]+)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(rb"([^\s=/]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_REF = re.compile(rb"\s*([A-Za-z]*)(\d*)")


class SheetFacts:
    """What the reader checks beyond values, from one worksheet part. Rows and columns are
    0-based. Protection, dropdowns and merges are found at once; the cells (their reach,
    formulas and error values) only when first asked for."""

    def __init__(self, xml: bytes):
        self._xml = xml
        # a literal search (memchr-fast) finds where to look; the pattern then confirms it
        at = xml.find(b"sheetProtection")
        self.protected = at >= 0 and bool(_PROTECTED.search(xml, max(0, at - 80)))
        at = xml.find(b"dataValidation")
        self.validation = at >= 0 and bool(_VALIDATION.search(xml, max(0, at - 80)))
        self.merges: list[tuple[int, int, int, int]] = []  # r1, c1, r2, c2
        at = xml.find(b"mergeCell")
        for col1, row1, col2, row2 in _MERGE.findall(xml, max(0, at - 80)) if at >= 0 else ():
            r1, c1, r2, c2 = int(row1) - 1, col_index(col1), int(row2) - 1, col_index(col2)
            self.merges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
        self._cells: _Cells | None = None

    @property
    def rows(self) -> int:  # the grid's height and width up to the farthest value
        return self._scan().rows

    @property
    def cols(self) -> int:
        return self._scan().cols

    @property
    def farthest(self) -> str:
        return self._scan().farthest

    @property
    def cells(self) -> int:
        return self.rows * self.cols

    @property
    def special(self) -> bool:
        """Whether any cell holds a formula or an error value."""
        cells = self._scan()
        return bool(cells.formulas or cells.errors)

    @property
    def formulas(self) -> dict[tuple[int, int], str]:
        return self._scan().formulas

    @property
    def errors(self) -> dict[tuple[int, int], str]:
        return self._scan().errors

    def _scan(self) -> _Cells:
        if self._cells is None:
            self._cells = _scan_cells(self._xml)
        return self._cells


@dataclass
class _Cells:
    rows: int = 0
    cols: int = 0
    farthest: str = ""
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


_COLUMNS: dict[bytes | str, int] = {}


def col_index(letters: bytes | str) -> int:
    """'A' → 0, 'XFD' → 16383."""
    hit = _COLUMNS.get(letters)
    if hit is not None:
        return hit
    n = _col_index(letters)
    if len(_COLUMNS) < 4096:
        _COLUMNS[letters] = n
    return n


def _col_index(letters: bytes | str) -> int:
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def scan_sheet(xml: bytes) -> SheetFacts:
    """The facts of one worksheet part."""
    return SheetFacts(xml)


_NOT_PLAIN_TAG = re.compile(  # a formula; a cell or row not written as <c r="..." exactly;
    rb'<(?:(?:c|row|f)(?=[\s/>])(?! r=")|!--|\?|!\[CDATA\[)'  # a comment, instruction or CDATA
)
_PREFIXED = re.compile(rb":(?:c|row|v|is|f)\b")  # cells, values or formulas with a prefix
_NOT_PLAIN_MARKS = (b"'", b"\t", b"\n", b"\r", b" =", b"= ", b't="e"')
"""Other quoting and spacing, which the quick pattern does not expect, and error values."""
_ODD_VALUE = re.compile(rb'="[^"]*[>/][^"]*"')  # > or / inside an attribute's value
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?(?:c|row|f)(?=[\s/>])")  # outside <sheetData>
_PLAIN_VALUE_CELL = re.compile(rb'<c r="([A-Za-z]+)(\d+)"[^>/]*>')  # not self-closed: a value


def _scan_cells(xml: bytes, fast: bool = True) -> _Cells:
    """The reach of a sheet's values, and its formulas and error values by cell (``fast``:
    by the quick path when the sheet is plain; the full path gives the same answer)."""
    found = _Cells()
    start, end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    data, outside = (xml[start:end], xml[:start] + xml[end:]) if 0 <= start < end else (xml, b"")
    plain = (  # literal-led patterns and substring tests, cheapest first
        fast
        and not _PREFIXED.search(data)
        and not any(mark in data for mark in _NOT_PLAIN_MARKS)
        and not _NOT_PLAIN_TAG.search(data)
        and data.count(b' r="') == data.count(b'<c r="') + data.count(b'<row r="')  # one each
        and not _ODD_VALUE.search(data)
        and not _CELL_TAG.search(outside)  # (prompts and titles out there may hold anything)
    )
    if plain:  # every cell and row written plainly and addressed, no formula, no error value
        refs = _PLAIN_VALUE_CELL.findall(data)
        if refs:
            cols, rows = zip(*refs)
            far_row = max(map(int, rows)) - 1
            far_col = max(map(col_index, set(cols)))
            _reach(found, far_row, far_col)
        return found
    _scan_tags(xml, found)
    return found


def _scan_tags(xml: bytes, found: _Cells) -> None:
    """The full path: every tag read as an XML reader reads it (comments, CDATA and
    instructions skipped; any namespace prefix; attributes quoted either way), and cells
    placed the way python-calamine places them: a row's r sets the row, every </row> moves
    to the next row's first column, a cell's r sets its place and a cell without one takes
    the next column. A cell holding any element counts as a value (the safe side)."""
    text = _SKIPPED.sub(b"", xml)
    row = col = 0
    far_row = far_col = -1
    cell: tuple[int, int, bool] | None = None  # the open cell: row, column, error value?
    has_value = False
    pending = b""  # "f" or "v": the element whose text comes next
    last_end = 0
    for match in _TAG.finditer(text):
        closing, name, attrs = match.group(1), match.group(2), match.group(3)
        local = name.split(b":", 1)[-1]
        if pending and cell is not None:
            inner = _unescape(text[last_end : match.start()])
            if pending == b"f":
                found.formulas[cell[:2]] = inner or "(a shared formula)"
            elif cell[2]:
                found.errors[cell[:2]] = inner.strip() or "(blank)"
        pending, last_end = b"", match.end()
        empty = attrs.rstrip().endswith(b"/")
        if closing:
            if local == b"row":
                row, col = row + 1, 0
            elif local == b"c" and cell is not None:
                if has_value:
                    far_row, far_col = max(far_row, cell[0]), max(far_col, cell[1])
                col, cell = cell[1] + 1, None
            continue
        if local == b"row":
            rows = [int(d) for _letters, d in _refs(attrs) if d]
            row = max(rows) - 1 if rows else row
            if empty:
                row, col = row + 1, 0
        elif local == b"c":
            refs = _refs(attrs)
            row = max((int(d) - 1 for _letters, d in refs if d), default=row)
            col = max((col_index(letters) for letters, _d in refs if letters), default=col)
            error = any(k == b"t" and v.strip() == b"e" for k, v in _attrs(attrs))
            if empty:
                col += 1
            else:
                cell, has_value = (row, col, error), False
        elif cell is not None:  # an element inside a cell: a value, formula or text
            has_value = True
            if local == b"f":
                if empty:
                    found.formulas[cell[:2]] = "(a shared formula)"
                else:
                    pending = b"f"
            elif local == b"v" and not empty:
                pending = b"v"
    if cell is not None and has_value:  # a cell left open at the end
        far_row, far_col = max(far_row, cell[0]), max(far_col, cell[1])
    _reach(found, far_row, far_col)


def _attrs(attrs: bytes) -> list[tuple[bytes, bytes]]:
    """A tag's attributes: (name, value), quoted either way."""
    return [(m[0], m[1] or m[2]) for m in _ATTR.findall(attrs)]


def _refs(attrs: bytes) -> list[tuple[bytes, bytes]]:
    """Every r attribute of a tag (named exactly r): (column letters, row digits)."""
    found = []
    for key, value in _attrs(attrs):
        if key == b"r":
            ref = _REF.match(value)
            found.append((ref.group(1), ref.group(2)) if ref else (b"", b""))
    return found


def _reach(found: _Cells, far_row: int, far_col: int) -> None:
    if far_row >= 0 and far_col >= 0:
        found.rows, found.cols = far_row + 1, far_col + 1
        found.farthest = f"{col_letter(far_col)}{far_row + 1}"


_ODS_TAG = re.compile(
    rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>",
    re.DOTALL,
)
_ODS_NAME = re.compile(rb"\btable:name=\"([^\"]*)\"")
_ODS_ROWS = re.compile(rb"\btable:number-rows-repeated=\"(\d+)\"")
_ODS_COLS = re.compile(rb"\btable:number-columns-repeated=\"(\d+)\"")
_ODS_VALUE = re.compile(rb"\boffice:value-type=")


def ods_extents(content: bytes) -> dict[str, tuple[int, int]]:
    """Each table's (rows, columns) up to its farthest value, counting repeated rows and
    cells the way a reader expands them."""
    found: dict[str, tuple[int, int]] = {}
    name, row, row_repeat, col = "", 0, 1, 0
    far_row = far_col = 0
    row_has_value = False
    for match in _ODS_TAG.finditer(content):
        closing, tag, attrs, empty = match.groups()
        if tag == b"table":
            if closing:
                found[name] = (far_row, far_col)
            else:
                named = _ODS_NAME.search(attrs)
                name = _unescape(named.group(1)) if named else f"table {len(found) + 1}"
                row, far_row, far_col = 0, 0, 0
            continue
        if tag == b"table-row":
            if not closing:
                repeat = _ODS_ROWS.search(attrs)
                row_repeat = int(repeat.group(1)) if repeat else 1
                col, row_has_value = 0, False
            if closing or empty:
                if row_has_value:
                    far_row = row + row_repeat
                row += row_repeat
            continue
        if closing:
            continue
        repeat = _ODS_COLS.search(attrs)
        count = int(repeat.group(1)) if repeat else 1
        if _ODS_VALUE.search(attrs):
            row_has_value = True
            far_col = max(far_col, col + count)
        col += count
    return found


def _unescape(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))
