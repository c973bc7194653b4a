"""Milestones overdue: the rows of a return's list sheets (``sheets.lists`` with ``due`` and
``done`` columns) whose due date is before the analysis date and whose done date is empty.

Decisions:

- The due date is what the return says: the school (or the local authority, before the
  workbook is sent) enters it in the sheet's ``due`` column. The source documents give a
  sequence and durations, not dates, so nothing here invents one: a row with no due date is
  never overdue.
- "Overdue" depends on the day the returns are analysed, not on the return, so this is run
  by the analysis (``today``, which tests set), after the return is read; the reader itself
  never looks at the clock.
"""

from __future__ import annotations

import datetime as dt

from awardbooks.problems import Problem
from awardbooks.read import codes
from awardbooks.read.cellvalues import clip
from awardbooks.read.marks import fixed_text
from awardbooks.read.returns import ReturnRecord, one_line
from awardbooks.workbook.layout import layout_for


def overdue(record: ReturnRecord, today: dt.date) -> list[Problem]:
    """A MILESTONE_OVERDUE warning for each row of the return's list sheets past its due date
    (before ``today``) with no done date."""
    fw = record.framework
    if fw is None:
        return []
    layout = layout_for(fw, record.meta.get("layout_variant", ""))
    found: list[Problem] = []
    for listed in fw.sheets.lists:
        if not listed.due:
            continue
        texts = {row.id: row.text for row in listed.rows}
        label = layout.table_columns[listed.id][listed.done].label
        cells = {row.key: row.cells for row in layout.table_rows[listed.id]}
        for row in record.tables.get(listed.id, []):
            due = _date(row.get(listed.due))
            if due is None or due >= today or row.get(listed.done) not in ("", None):
                continue
            at = cells[row["key"]]
            problem = codes.MILESTONE_OVERDUE(
                sheet=listed.title,
                cell=at[listed.done].a1,
                row=row["key"],
                text=clip(texts.get(row["key"], ""), 70, squash=True),
                due=f"{due:%d/%m/%Y}",
                due_cell=at[listed.due].a1,
                column=label,
                today=f"{today:%d/%m/%Y}",
            )
            found.append(one_line(problem.with_file(record.file)))
    return found


def flag_overdue(record: ReturnRecord, today: dt.date) -> None:
    """Add :func:`overdue`'s warnings to the record (a return that was accepted becomes
    accepted with warnings)."""
    record.warnings.extend(overdue(record, today))
    if record.marks:  # an annotated copy: a milestone still overdue is not fixed
        record.annotated = fixed_text(record.marks, record.problems)


def _date(value) -> dt.date | None:
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None
