"""Everything a school typed, as tidy rows: one per filled input cell of a return (the Cover's
fields, the rating sheets' input columns such as an IARAP's, and every table of the layout:
action plan, membership, outcomes, portfolio, and any table another sheet registers in
``layout.table_rows``), for ``inputs.csv`` and the consolidated workbook's Inputs sheet.

Decisions:

- Generic by construction: a table is found through ``record.tables`` (what the reader read
  from ``layout.table_rows``) and its columns through ``layout.table_columns`` (and
  ``<table>_fields``); the rating sheets' input columns come as the table ``audit``. A sheet
  added to the layout is exported without code here.
- A row's label is what the school sees beside it: an item's text, an outcome's, a
  membership category, or else its key.
- Rows come in the workbook's order: by sheet, then row, then column.
- Values are text (a date as ISO, a whole number without ".0"), so one column holds them all.
- Ratings, dates and comments of rated rows are in ``ratings.csv``, not here.
"""

from __future__ import annotations

import math
from typing import Any

from awardbooks.spec.model import Column, Framework, per_framework
from awardbooks.workbook.layout import (
    AUDIT_TABLE,
    COVER_SHEET,
    Cell,
    Layout,
    input_columns,
    layout_for,
)

COVER_TABLE = "cover"
"""The name the Cover's inputs go by among the tables a collection's ledger keeps of a return
(:func:`kept_tables`): the ledger keeps no other copy of them."""


def kept_tables(record) -> dict[str, list[dict[str, Any]]]:
    """A return's tables with its Cover's inputs as the one row of :data:`COVER_TABLE`: what
    a collection keeps of it, so its inputs can be exported again later."""
    cover = {k: v for k, v in record.cover.items() if v not in ("", None)}
    return dict(record.tables) | ({COVER_TABLE: [cover]} if cover else {})


def text_value(value: Any) -> str:
    """A typed value as the text the exports hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def row_labels(fw: Framework) -> dict[str, str]:
    """What a row key shows beside it: item and outcome texts, group titles (best-fit rows)."""
    labels = {item.id: item.text for item in fw.items}
    for group in fw.groups:
        labels[f"{group.id}:judgement"] = f"{fw.labels.group} {group.id} (best fit)"
        labels.setdefault(group.id, f"{fw.labels.group} {group.id}: {group.title}")
        labels[f"{group.id}:fields"] = f"{fw.labels.group} {group.id}: {group.title}"
    if fw.sheets.outcomes:
        labels |= {o.id: o.text for o in fw.sheets.outcomes.outcomes}
    return labels


def _label(labels: dict[str, str], key: str, row: dict[str, Any]) -> str:
    if key in labels:
        return labels[key]
    head = key.rsplit("#", 1)[0]
    if head in labels:
        return labels[head]
    typed = row.get("outcome")  # a setting's own outcome row: what it typed is its name
    return str(typed) if typed not in (None, "") else key


def _cells(layout: Layout) -> dict[str, dict[tuple[str, int], dict[str, Cell]]]:
    """Each table's cells by its rows' (key, Excel row number) as the reader gives them."""
    cells: dict[str, dict[tuple[str, int], dict[str, Cell]]] = {}
    extra = layout.columns.extra
    cells[AUDIT_TABLE] = {
        (rr.key, rr.row + 1): {cid: Cell(rr.sheet, rr.row, col) for cid, col in extra.items()}
        for rr in layout.rating_rows
    }
    for table, rows in layout.table_rows.items():
        cells[table] = {}
        for row in rows:
            cells[table].setdefault((row.key, row.row + 1), {}).update(row.cells)
    return cells


def input_rows(record, base: dict[str, str]) -> list[dict[str, Any]]:
    """The rows of :data:`~awardbooks.analyse.tables.INPUTS` for a usable return (``base``:
    its framework, setting, urn, partnership, year and term)."""
    fw = record.framework
    meta = record.meta
    layout = layout_for(fw, meta.get("layout_variant", ""))
    head = base | {"file": record.file, "workbook_id": meta.get("workbook_id", "")}
    out: list[tuple[tuple[int, int, int], dict[str, Any]]] = []
    order = {name: n for n, name in enumerate(layout.sheet_names)}

    def add(sheet: str, cell: Cell | None, key: str, label: str, column: Column, value) -> None:
        text = text_value(value)
        if text:
            place = (order.get(sheet, len(order)), *((cell.row, cell.col) if cell else (0, 0)))
            out.append(
                (
                    place,
                    head
                    | {
                        "sheet": sheet,
                        "cell": cell.a1 if cell is not None else "",
                        "row_key": key,
                        "row_label": label,
                        "column_id": column.id,
                        "column": column.label,
                        "value": text,
                    },
                )
            )

    kept = record.tables.get(COVER_TABLE) or [{}]
    cover = record.cover or kept[0]
    for key, column in layout.cover_input_columns.items():
        cell = layout.cover_inputs[key]
        add(COVER_SHEET, cell, "cover", "Cover", column, cover.get(key))
    labels = per_framework("input-labels", fw, row_labels)
    cells = per_framework(f"input-cells:{layout.variant}", fw, lambda _fw: _cells(layout))
    for table, columns in input_columns(layout).items():
        for row in record.tables.get(table, []):
            key = str(row.get("key", ""))
            at = cells.get(table, {}).get((key, int(row.get("row") or 0)), {})
            label = _label(labels, key, row)
            for cid, column in columns.items():
                cell = at.get(cid)
                sheet = cell.sheet if cell is not None else table
                add(sheet, cell, key, label, column, row.get(cid))
    out.sort(key=lambda pair: pair[0])  # as the workbook shows them: by sheet, row, column
    return [row for _place, row in out]
