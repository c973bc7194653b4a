"""The reader's checks of a return's structure: sheets renamed, deleted, added or copied;
cells merged over inputs; protection and dropdowns removed.

Decisions, each one problem in the return's record (its code in :mod:`awardbooks.read.codes`):

- A sheet renamed is still read when its content shows which sheet it is (a rating sheet
  by its headings and item ids, the cover by its labels, any other sheet by its position):
  a warning that names the sheet's expected name. Otherwise it is missing: an error for a
  rating sheet or the cover, a warning for the rest.
- A copy of a rating sheet is ignored with a warning when its ratings are the same as the
  original's, and is an error when they differ: nobody can tell which the school meant.
- Cells merged over a rating cell are an error (the rating cannot be seen or chosen, so what
  the school meant is unknown); merged over other input cells, a warning (the ratings are
  intact, but what was typed in the covered cells is hidden).
"""

from __future__ import annotations

from typing import Any, Protocol

from awardbooks.problems import Problem
from awardbooks.read import codes
from awardbooks.read.cellvalues import text
from awardbooks.read.container import Package
from awardbooks.read.grids import Grid, id_index
from awardbooks.read.sheetscan import SheetFacts
from awardbooks.workbook.layout import COVER_SHEET, HEADER_ROW, META_SHEET, Cell, Layout, a1


class ReturnBeingRead(Protocol):
    """What the checks look at in a return as it is read; the reader
    (:class:`awardbooks.read.returns.ReturnReader`) is one."""

    pkg: Package
    layout: Layout
    sheet_names: list[str]
    """The sheets of the file, by their names in it."""
    alias: dict[str, str]
    """A sheet's expected name -> its name in this file, for the sheets found renamed."""
    inputs: dict[str, dict[tuple[int, int], str]]
    """Sheet -> the input cells read on it (row, col) -> the rating key ('' for other inputs)."""
    older_edition: bool
    """Whether the return was made from an earlier edition of its framework than the one it
    is read with (its list sheets may be ones that edition did not have)."""

    def actual(self, sheet: str) -> str:
        """The name the sheet has in this file."""
        ...

    def grid(self, sheet: str) -> Grid | None:
        """A sheet's values (by its expected or actual name); None when it is not there."""
        ...

    def value(self, cell: Cell, grid: Grid | None = None, row: int | None = None) -> Any: ...

    def facts(self, name: str) -> SheetFacts | None:
        """What the sheet's XML says beyond values (None when it has no XML to scan)."""
        ...

    def expected_headings(self) -> dict[int, str]:
        """The rating sheets' headings, by column."""
        ...

    def report(self, problem: Problem) -> None:
        """Add a problem found in the file to its record."""
        ...


def check_sheets(reader: ReturnBeingRead) -> None:
    """Missing and extra sheets: renames are followed, copies compared, the rest reported."""
    layout = reader.layout
    present = reader.sheet_names
    missing = [n for n in layout.sheet_names if n != META_SHEET and n not in present]
    if reader.older_edition:  # list sheets an earlier edition may not have had: not missing
        lists = {listed.title for listed in layout.framework.sheets.lists}
        missing = [n for n in missing if n not in lists]
    extra = [n for n in present if n not in layout.sheet_names]
    for name in missing:
        found = _renamed(reader, name, extra)
        if found is not None:
            extra.remove(found)
            reader.alias[name] = found
            reader.report(codes.SHEET_RENAMED(sheet=name, found=found, expected=name))
        elif name in layout.audit_sheets or name == COVER_SHEET:
            reader.report(codes.RATING_SHEET_MISSING(sheet=name))
        else:
            reader.report(codes.SHEET_MISSING(sheet=name))
    for name in extra:
        original = next(
            (s for s in layout.audit_sheets if s in present and _is_copy_of(reader, name, s)),
            None,
        )
        if original is None:
            reader.report(codes.SHEET_ADDED(sheet=name))
        else:
            _compare_copy(reader, name, original)


def _renamed(reader: ReturnBeingRead, expected: str, extra: list[str]) -> str | None:
    layout = reader.layout
    if expected in layout.audit_sheets:
        return next((n for n in extra if _is_copy_of(reader, n, expected)), None)
    if expected == COVER_SHEET:
        return next((n for n in extra if _looks_like_cover(reader, n)), None)
    position = layout.sheet_names.index(expected)
    if position < len(reader.sheet_names) and reader.sheet_names[position] in extra:
        return reader.sheet_names[position]
    return None


def _is_copy_of(reader: ReturnBeingRead, name: str, sheet: str) -> bool:
    """Whether sheet ``name`` holds the rating sheet ``sheet``: its headings, and at least
    half of its item ids."""
    grid = reader.grid(name)
    if grid is None:
        return False
    for col, heading in reader.expected_headings().items():
        if text(reader.value(Cell(name, HEADER_ROW, col), grid)) != heading:
            return False
    ids = [r.id_text for r in reader.layout.rating_rows if r.sheet == sheet]
    index = id_index(grid)
    return bool(ids) and sum(1 for i in ids if i in index) * 2 >= len(ids)


def _looks_like_cover(reader: ReturnBeingRead, name: str) -> bool:
    grid = reader.grid(name)
    if grid is None:
        return False
    layout = reader.layout
    return all(
        text(reader.value(Cell(name, cell.row, 0), grid)) == layout.cover_input_columns[key].label
        for key, cell in layout.cover_inputs.items()
    )


def _compare_copy(reader: ReturnBeingRead, copy: str, original: str) -> None:
    mine, theirs = reader.grid(copy), reader.grid(original)
    assert mine is not None and theirs is not None
    col = reader.layout.columns.rating
    mine_index, their_index = id_index(mine), id_index(theirs)
    for rr in reader.layout.rating_rows:
        if rr.sheet != original or not rr.rated:
            continue
        here = _rating_text(reader, copy, mine, mine_index.get(rr.id_text), col)
        there = _rating_text(reader, original, theirs, their_index.get(rr.id_text), col)
        if here != there:
            reader.report(
                codes.SHEET_COPY_DIFFERS(
                    sheet=copy, original=original, key=rr.key, here=here, there=there
                )
            )
            return
    reader.report(codes.SHEET_COPY_SAME(sheet=copy, original=original))


def _rating_text(reader: ReturnBeingRead, sheet: str, grid, row: int | None, col: int) -> str:
    if row is None:
        return ""
    return text(reader.value(Cell(sheet, row, col), grid)).strip()


def check_merges(reader: ReturnBeingRead) -> None:
    """Merged ranges that cover an input cell other than their top-left one."""
    for sheet, inputs in reader.inputs.items():
        facts = reader.facts(sheet)
        if facts is None or not facts.merges or not inputs:
            continue
        for r1, c1, r2, c2 in facts.merges:
            if (r2 - r1 + 1) * (c2 - c1 + 1) <= len(inputs):  # look up the range's cells
                cells = ((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
                covered = [rc for rc in cells if rc in inputs and rc != (r1, c1)]
            else:
                covered = sorted(
                    (r, c)
                    for (r, c) in inputs
                    if r1 <= r <= r2 and c1 <= c <= c2 and (r, c) != (r1, c1)
                )
            if not covered:
                continue
            where = {"sheet": sheet, "cell": a1(r1, c1)}  # the cell a merged range shows
            merged = f"{a1(r1, c1)}:{a1(r2, c2)}"
            rated = [(a1(r, c), inputs[(r, c)]) for r, c in covered if inputs[(r, c)]]
            if rated:
                cells = ", ".join(cell for cell, _key in rated)
                keys = ", ".join(key for _cell, key in rated)
                many = len(rated) > 1
                reader.report(
                    codes.MERGED_OVER_RATING(
                        **where, merged=merged, s="s" if many else "", cells=cells, keys=keys,
                        pronoun="they" if many else "it",
                    )
                )  # fmt: skip
            else:
                cells = ", ".join(a1(r, c) for r, c in covered)
                s = "s" if len(covered) > 1 else ""
                reader.report(codes.MERGED_OVER_INPUT(**where, merged=merged, s=s, cells=cells))


def check_protection(reader: ReturnBeingRead) -> None:
    """Sheets whose protection or dropdowns were removed, one line for each kind."""
    if reader.pkg.kind != "xlsx":
        return
    layout = reader.layout
    unprotected, undropped = [], []
    for expected in layout.sheet_names:
        name = reader.actual(expected)
        facts = reader.facts(name) if name in reader.sheet_names else None
        if facts is None:
            continue
        if not facts.protected:
            unprotected.append(name)
        if expected in layout.audit_sheets and not facts.validation:
            undropped.append(name)
    if len(unprotected) == 1:
        reader.report(codes.PROTECTION_REMOVED(sheet=unprotected[0]))
    elif unprotected:
        names = ", ".join(unprotected)
        reader.report(codes.PROTECTION_REMOVED_SHEETS(count=len(unprotected), sheets=names))
    if len(undropped) == 1:
        reader.report(codes.DROPDOWNS_REMOVED(sheet=undropped[0]))
    elif undropped:
        names = ", ".join(undropped)
        reader.report(codes.DROPDOWNS_REMOVED_SHEETS(count=len(undropped), sheets=names))


def too_large(sheet: str, rows: int, cols: int, farthest: str) -> Problem:
    """A sheet whose values reach too far to read (``farthest``: the cell that reaches it)."""
    at = f" ({farthest})" if farthest else ""
    return codes.SHEET_TOO_LARGE(sheet=sheet, rows=rows, cols=cols, at=at, cells=rows * cols)
