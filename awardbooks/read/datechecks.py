"""The date rules a spec sets, checked in a return as it is read.

- A cover date with a limit (``within`` in the spec, e.g. the LPPA's Interim Assessment no
  more than eight months after the Initial Audit) that is later than the limit allows is a
  warning at its cell, with the code the limit names (INTERIM_TOO_LATE, FINAL_TOO_LATE, else
  DATE_TOO_LATE). Months are calendar months: 31/01 plus one month is 28/02 (or 29/02).
- A portfolio's evidence age rule (``evidence_age``, e.g. the LPPA's "not more than two years
  old at the date of the Interim Assessment"): each evidence row whose date is more than the
  rule's years before the cover date it names is a warning (EVIDENCE_TOO_OLD) at the date's
  cell, naming the evidence by its reference.

Nothing is checked while either date is empty or unreadable (an unreadable date is reported
where it is read). The rule's own words, from the spec, are quoted in every warning.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, Protocol

from awardbooks.problems import Problem
from awardbooks.read import codes
from awardbooks.workbook.layout import Cell, Layout, evidence_ref

_CODES = {
    "DATE_TOO_LATE": codes.DATE_TOO_LATE,
    "INTERIM_TOO_LATE": codes.INTERIM_TOO_LATE,
    "FINAL_TOO_LATE": codes.FINAL_TOO_LATE,
}


class DatesBeingRead(Protocol):
    """What the checks look at (the reader, :class:`awardbooks.read.returns.ReturnReader`)."""

    layout: Layout

    def at(self, cell: Cell) -> dict[str, str]: ...

    def report(self, problem: Problem) -> None: ...


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, kept within the month it lands in."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def check_dates(reader: DatesBeingRead, cover: dict[str, Any], tables: dict[str, list]) -> None:
    """Report every cover date past its limit and every portfolio evidence too old."""
    layout = reader.layout
    fields = layout.cover_input_columns
    for key, column in fields.items():
        limit = column.within
        if limit is None:
            continue
        later, earlier = _date(cover.get(key)), _date(cover.get(limit.after))
        if later is None or earlier is None or later <= add_months(earlier, limit.months):
            continue
        code = _CODES[limit.warning]
        reader.report(
            code(
                **reader.at(layout.cover_inputs[key]),
                field=column.label, date=_uk(later), months=limit.months,
                after=fields[limit.after].label, after_date=_uk(earlier), rule=_quoted(limit.rule),
            )
        )  # fmt: skip
    port = layout.framework.sheets.portfolio
    rule = port.evidence_age if port is not None else None
    at = _date(cover.get(rule.at)) if rule is not None else None
    if rule is None or at is None:
        return
    oldest = add_months(at, -12 * rule.years)
    cells = {row.key: row.cells for row in layout.table_rows.get("portfolio", ())}
    for row in tables.get("portfolio", ()):
        day = _date(row.get(rule.column))
        if day is None or day >= oldest or rule.column not in cells.get(row["key"], {}):
            continue
        reader.report(
            codes.EVIDENCE_TOO_OLD(
                **reader.at(cells[row["key"]][rule.column]),
                ref=evidence_ref(row["key"]), date=_uk(day), years=rule.years,
                at=fields[rule.at].label, at_date=_uk(at), rule=_quoted(rule.rule),
            )
        )  # fmt: skip


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _uk(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _quoted(rule: str) -> str:
    return f'"{rule}"' if rule else "the spec's limit"
