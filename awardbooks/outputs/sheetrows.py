"""Big blocks of worksheet rows written straight into the sheet XML of an xlsxwriter package.

xlsxwriter spends about 4 µs of Python per cell, so the consolidated workbook's tables
(hundreds of thousands of cells) took seconds and held every cell in memory. Here xlsxwriter
still builds the whole workbook — formats, Excel Tables, charts, sparklines, print set-up,
headers — and the bulk rows are kept aside as columns; once xlsxwriter has closed the package,
:meth:`BulkRows.splice` copies it, inserting those rows into their worksheets' ``<sheetData>``
as they are rendered. Their texts join the package's shared-string table (each stored once,
as Excel stores them), escaped exactly as xlsxwriter escapes strings.

The values given must already be what the cell should hold: ``str`` (text an Excel cell can
hold), ``float`` (a finite number) or ``None``/``""`` (blank).
"""

from __future__ import annotations

import heapq
import io
import re
import secrets
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell

_ROW_START = re.compile(rb"<row r=\"(\d+)\"")
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>')
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f]|_x[0-9a-fA-F]{4}_")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_ESCAPED_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_COUNT = re.compile(rb'\bcount="(\d+)"')
_UNIQUE = re.compile(rb'\buniqueCount="(\d+)"')
_SST = "xl/sharedStrings.xml"


def _t_element(text: str) -> str:
    """``<t>`` holding ``text``, escaped as xlsxwriter escapes strings."""
    if _NEEDS_ESCAPE.search(text):
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    return f"<t{space}>{text}</t>"


class _Strings:
    """The texts of the bulk rows: added to the package's shared string table (each once,
    as Excel stores them), or written inline when the package has no table."""

    def __init__(self, sst: bytes | None, literals: dict[str, str] | None = None) -> None:
        for token, text in (literals or {}).items():
            if sst is not None:
                sst = sst.replace(f"<t>{token}</t>".encode(), _t_element(text).encode("utf-8"))
        self.sst = sst
        found = _UNIQUE.search(sst) if sst else None
        self.base = int(found.group(1)) if found else 0
        self.tails: dict[str, str] = {}  # text -> the rest of its <c ... element
        self.added: list[str] = []
        self.uses = 0

    def tail(self, text: str) -> str:
        tail = self.tails.get(text)
        if tail is None:
            if self.sst is None:
                tail = f' t="inlineStr"><is>{_t_element(text)}</is></c>'
            else:
                tail = f' t="s"><v>{self.base + len(self.added)}</v></c>'
                self.added.append(text)
            self.tails[text] = tail
        return tail

    def table(self) -> bytes:
        """The shared string table with the added texts and counts."""
        assert self.sst is not None
        found = _COUNT.search(self.sst)
        count = int(found.group(1)) + self.uses if found else self.uses
        head, _, _ = self.sst.rpartition(b"</sst>")
        head = _COUNT.sub(f'count="{count}"'.encode(), head, count=1)
        head = _UNIQUE.sub(f'uniqueCount="{self.base + len(self.added)}"'.encode(), head, count=1)
        items = "".join(f"<si>{_t_element(text)}</si>" for text in self.added)
        return head + items.encode("utf-8") + b"</sst>"


def _style(fmt: Any) -> str:
    index = fmt._get_xf_index() if fmt is not None else 0  # the index xlsxwriter gives it
    return f' s="{index}"' if index else ""


@dataclass
class BulkColumn:
    """One column of a block: its cell values and its format (one for all, or one per row).
    With ``blanks`` a blank cell that has a format is written (so row fills stay whole)."""

    values: Sequence[Any]
    fmt: Any = None
    fmts: Sequence[Any] | None = None
    blanks: bool = False


@dataclass
class _Block:
    sheet_index: int
    first_row: int  # 0-based, as in xlsxwriter
    first_col: int
    columns: list[BulkColumn]
    count: int


class BulkRows:
    """Rows kept aside while xlsxwriter builds a workbook, then spliced into its package."""

    def __init__(self) -> None:
        self.blocks: list[_Block] = []
        self.table_refs: dict[bytes, tuple[bytes, bytes]] = {}
        self.literals: dict[str, str] = {}  # stand-in -> the text it stands for
        self.heights: dict[int, dict[int, float]] = {}  # sheet index -> row -> points
        self._salt = secrets.token_hex(8)  # so no text in a return can be a stand-in

    def text(self, text: str) -> str:
        """What to give xlsxwriter's ``write_string`` for ``text``: the text itself, or a
        stand-in put back in the shared-string table by :meth:`splice`. xlsxwriter writes a
        string that starts with "<r>" and ends with "</r>" as raw rich-text XML, so such a
        text from a return would read differently or make the file malformed."""
        if not (text.startswith("<r>") and text.endswith("</r>")):
            return text
        token = f"awardbooks-literal-{len(self.literals)}-{self._salt}"
        self.literals[token] = text
        return token

    def add_table(
        self, ws: Any, first_row: int, last_row: int, last_col: int, options: dict
    ) -> None:
        """``ws.add_table`` over the header and first data row only, grown to ``last_row`` in
        the package (xlsxwriter visits every cell of a table's range, a second per 400,000
        cells); ``options`` must name the table."""
        short = min(last_row, first_row + 1)
        ws.add_table(first_row, 0, short, last_col, options)
        if short != last_row:
            corner = xl_rowcol_to_cell(first_row, 0)
            small = f'ref="{corner}:{xl_rowcol_to_cell(short, last_col)}"'.encode()
            full = f'ref="{corner}:{xl_rowcol_to_cell(last_row, last_col)}"'.encode()
            self.table_refs[f'displayName="{options["name"]}"'.encode()] = (small, full)

    def set_heights(self, ws: Any, heights: dict[int, float]) -> None:
        """Row heights in points (0-based row -> height) for ``ws``'s bulk rows, so wrapped
        text shows whole in Excel and LibreOffice alike; may be called any time before
        :meth:`splice`. Rows xlsxwriter writes take theirs from ``ws.set_row``."""
        self.heights.setdefault(ws.index, {}).update(heights)

    def add(self, ws: Any, first_row: int, columns: list[BulkColumn], first_col: int = 0) -> int:
        """Keep ``columns`` for ``ws`` from ``first_row`` down; returns the number of rows.
        Formats get their style index now, so xlsxwriter writes them into styles.xml."""
        count = max((len(c.values) for c in columns), default=0)
        for column in columns:
            _style(column.fmt)
            for fmt in dict.fromkeys(column.fmts or ()):
                _style(fmt)
        if count:
            self.blocks.append(_Block(ws.index, first_row, first_col, columns, count))
        return count

    def splice(self, package: bytes, out: BinaryIO) -> None:
        """Write ``package`` (a closed xlsxwriter workbook) to ``out`` with the rows inserted."""
        by_part: dict[str, list[_Block]] = {}
        for block in self.blocks:
            by_part.setdefault(f"xl/worksheets/sheet{block.sheet_index + 1}.xml", []).append(block)
        with (
            zipfile.ZipFile(io.BytesIO(package)) as zin,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
        ):
            names = set(zin.namelist())
            strings = _Strings(zin.read(_SST) if _SST in names else None, self.literals)
            for info in zin.infolist():
                if info.filename == _SST:
                    continue  # written last, with the texts of the rows
                data = zin.read(info)
                blocks = by_part.get(info.filename)
                target = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                target.compress_type = zipfile.ZIP_DEFLATED
                if info.filename.startswith("xl/tables/"):
                    data = self._grown_table(data)
                if not blocks:
                    zout.writestr(target, data)
                    continue
                target._compresslevel = 1  # big, repetitive: fast beats small (3.11+ name)
                rows = sum(b.count * len(b.columns) for b in blocks)
                big = len(data) + 200 * rows > 1 << 30  # zip64 headers only when needed
                with zout.open(target, "w", force_zip64=big) as handle:
                    ordered = sorted(blocks, key=lambda b: b.first_row)
                    heights = self.heights.get(blocks[0].sheet_index, {})
                    for chunk in _spliced(data, ordered, strings, heights):
                        handle.write(chunk)
            if strings.sst is not None:
                info = zin.getinfo(_SST)
                target = zipfile.ZipInfo(_SST, date_time=info.date_time)
                target.compress_type = zipfile.ZIP_DEFLATED
                zout.writestr(target, strings.table())

    def _grown_table(self, xml: bytes) -> bytes:
        for name, (small, full) in self.table_refs.items():
            if name in xml:
                return xml.replace(small, full)
        return xml


def _spliced(
    xml: bytes, blocks: list[_Block], strings: _Strings, heights: dict[int, float]
) -> Iterator[bytes]:
    """The worksheet XML with the blocks' rows merged in row order."""
    start = xml.find(b"<sheetData")
    close = xml.find(b"</sheetData>")
    if close < 0:  # <sheetData/>: nothing written there by xlsxwriter
        close = xml.index(b"/>", start)
        head, body, tail = xml[:start] + b"<sheetData>", b"", b"</sheetData>" + xml[close + 2 :]
    else:
        open_end = xml.index(b">", start) + 1
        head, body, tail = xml[:open_end], xml[open_end:close], xml[close:]
    starts = [m.start() for m in _ROW_START.finditer(body)] + [len(body)]
    yield _widened(head, blocks, has_rows=len(starts) > 1)
    existing = [
        (int(_ROW_START.match(body, a).group(1)), 1, body[a:b]) for a, b in zip(starts, starts[1:])
    ]
    ours = heapq.merge(
        *(_rendered(b, strings, heights) for b in blocks), key=lambda item: item[0]
    )
    last = 0
    for number, count, rows in heapq.merge(existing, ours, key=lambda item: item[0]):
        if number <= last:
            raise RuntimeError(f"row {number} written twice")  # a bug in the caller
        last = number + count - 1
        yield rows
    yield tail


def _widened(head: bytes, blocks: list[_Block], has_rows: bool) -> bytes:
    """The worksheet's ``<dimension>`` grown to cover the blocks."""
    rows, cols = [], []
    for b in blocks:
        rows += [b.first_row, b.first_row + b.count - 1]
        cols += [b.first_col, b.first_col + len(b.columns) - 1]
    found = _DIMENSION.search(head)
    if found:
        first = xl_cell_to_rowcol((found.group(1) + found.group(2)).decode())
        last = (
            xl_cell_to_rowcol((found.group(3) + found.group(4)).decode())
            if found.group(3)
            else first
        )
        if has_rows:  # an empty sheet's dimension is A1
            rows += [first[0], last[0]]
            cols += [first[1], last[1]]
    ref = f"{xl_rowcol_to_cell(min(rows), min(cols))}:{xl_rowcol_to_cell(max(rows), max(cols))}"
    new = f'<dimension ref="{ref}"/>'.encode()
    return _DIMENSION.sub(new, head, count=1) if found else head


def _rendered(
    block: _Block, strings: _Strings, heights: dict[int, float], chunk: int = 2000
) -> Iterator[tuple[int, int, bytes]]:
    """(first 1-based row number, row count, ``<row>`` XML) for the block's rows, a chunk
    at a time, built a column at a time."""
    letters = [xl_col_to_name(block.first_col + j) for j in range(len(block.columns))]
    for start in range(0, block.count, chunk):
        stop = min(start + chunk, block.count)
        numbers = [str(block.first_row + i + 1) for i in range(start, stop)]
        columns = [
            _cells(letter, column, numbers, start, stop, strings)
            for letter, column in zip(letters, block.columns)
        ]
        opens = [
            f'<row r="{r}" ht="{heights[i]:g}" customHeight="1">'
            if i in heights
            else f'<row r="{r}">'
            for i, r in enumerate(numbers, start=block.first_row + start)
        ]
        rows = [f'{o}{"".join(cells)}</row>' for o, *cells in zip(opens, *columns)]
        yield block.first_row + start + 1, stop - start, "".join(rows).encode("utf-8")


def _cells(
    letter: str, column: BulkColumn, numbers: list[str], start: int, stop: int, strings: _Strings
) -> list[str]:
    """The ``<c>`` elements of one column for rows ``start:stop`` ('' for no cell)."""
    values = list(column.values[start:stop])
    values += [None] * (len(numbers) - len(values))
    if column.fmts is not None:
        styles = [_style(f) for f in column.fmts[start:stop]]
    else:
        styles = [_style(column.fmt)] * len(numbers)
    out = []
    tails, tail_of = strings.tails, strings.tail
    texts = 0
    for r, value, style in zip(numbers, values, styles):
        if value is None or value == "":
            out.append(f'<c r="{letter}{r}"{style}/>' if column.blanks and style else "")
        elif type(value) is float:
            out.append(f'<c r="{letter}{r}"{style}><v>{value!r}</v></c>')
        else:
            tail = tails.get(value) or tail_of(value)
            texts += 1
            out.append(f'<c r="{letter}{r}"{style}{tail}')
    strings.uses += texts
    return out
