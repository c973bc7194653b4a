"""What the return reader and its checks both read from a sheet's grid of values (the rows
python-calamine gives, each a list of cell values)."""

from __future__ import annotations

from typing import Any

Grid = list[list[Any]]


def id_index(grid: Grid) -> dict[str, int]:
    """The first row of each id in a rating sheet's ID column."""
    index: dict[str, int] = {}
    for r, row in enumerate(grid):
        if row and isinstance(row[0], str) and row[0]:
            index.setdefault(row[0].strip(), r)
    return index
