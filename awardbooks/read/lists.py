"""The rows of a return's list sheets (``sheets.lists``), found by their ids before their
inputs are read.

Decisions, each one problem in the return's record (codes of :mod:`awardbooks.read.codes`):

- A row found at another place (rows inserted or deleted above it) is read where it is, with
  one LIST_ROWS_MOVED warning for the sheet: the answers still belong to their rows.
- A row whose id is nowhere on the sheet is LIST_ROW_MISSING, a warning: the ratings are
  intact, only that row's answers cannot be read (a rating sheet's missing row is an error).
- Listed wording changed is WORDING_CHANGED, as on a rating sheet.
"""

from __future__ import annotations

from awardbooks.read import codes
from awardbooks.read.cellvalues import squash, text
from awardbooks.read.checks import ReturnBeingRead
from awardbooks.read.grids import id_index
from awardbooks.spec.model import ListSheet
from awardbooks.workbook.layout import LIST_TEXT_COL, Cell, TableRow


def located_rows(
    reader: ReturnBeingRead, listed: ListSheet, rows: tuple[TableRow, ...]
) -> tuple[TableRow, ...]:
    """``rows`` (a list sheet's, from the layout) where they are in this return."""
    grid = reader.grid(listed.title)
    if grid is None:
        return rows
    texts = {row.id: squash(row.text) for row in listed.rows}
    index: dict[str, int] | None = None
    found: list[TableRow] = []
    moved = False
    for row in rows:
        if text(reader.value(Cell(row.sheet, row.row, 0), grid)) != row.key:
            index = index if index is not None else id_index(grid)
            at = index.get(row.key)
            if at is None:
                where = _at(reader, Cell(row.sheet, row.row, 0))
                reader.report(codes.LIST_ROW_MISSING(**where, item=row.key))
                continue
            moved = True
            cells = {cid: Cell(c.sheet, at, c.col) for cid, c in row.cells.items()}
            row = TableRow(row.sheet, at, row.key, cells)
        written = Cell(row.sheet, row.row, LIST_TEXT_COL)
        if squash(reader.value(written, grid)) != texts[row.key]:
            reader.report(codes.WORDING_CHANGED(**_at(reader, written), item=row.key))
        found.append(row)
    if moved:
        reader.report(codes.LIST_ROWS_MOVED(sheet=reader.actual(listed.title)))
    return tuple(found)


def _at(reader: ReturnBeingRead, cell: Cell) -> dict[str, str]:
    return {"sheet": reader.actual(cell.sheet), "cell": cell.a1}
