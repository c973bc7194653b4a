"""The one map from a :class:`Framework` to sheets and cells, shared by writer and reader.

Rows and columns are 0-based here (as in xlsxwriter and in the value grids readers return);
:func:`a1` turns them into Excel's ``C7`` form for messages and formulas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from awardbooks.spec.model import Column, Framework, Group, ListSheet

# The sheets' names, and Excel's rules for them, belong to the spec: spec validation checks
# them before any workbook is written. They are named here too, for the writer and the reader.
from awardbooks.spec.sheetnames import COMPLETED_SHEET as COMPLETED_SHEET
from awardbooks.spec.sheetnames import COVER_SHEET as COVER_SHEET
from awardbooks.spec.sheetnames import META_SHEET as META_SHEET
from awardbooks.spec.sheetnames import SUMMARY_SHEET as SUMMARY_SHEET
from awardbooks.spec.sheetnames import audit_sheet_name as audit_sheet_name
from awardbooks.spec.sheetnames import portfolio_sheet_names, sheet_names

LAYOUT_VERSION = 1
HEADER_ROW = 4  # the column headings of every table sheet (row 5 in Excel)
FIRST_ROW = HEADER_ROW + 1

CARRY_FORWARD = "carry-forward"
"""The layout variant of a next-term workbook: previous ratings shown beside the new ones."""

META_KEYS = (
    "framework",
    "framework_title",
    "spec_version",
    "spec_fingerprint",
    "layout_version",
    "layout_variant",
    "workbook_id",
    "previous_workbook_id",
    "previous_term",
    "setting",
    "urn",
    "partnership",
    "local_authority",
    "contact_email",
    "year",
    "term",
    "generated_at",
    "generator",
    "generator_version",
    "plan_start",
    "scores",
)

TERMS = ("baseline", "autumn", "spring", "summer")

PLAN_YEARS = "Plan years: Year 1 is "
"""How the cover of a workbook with rating periods begins its line on the plan's years (read
back when an application dropped the hidden metadata)."""

HISTORY_TABLE = "rating_history"
"""The table a return's earlier rating periods are read into (frameworks with rating
periods): a row per rated row and earlier period, {key, row, period, rating}."""


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int, absolute: bool = False) -> str:
    """(6, 2) → 'C7' (or '$C$7')."""
    d = "$" if absolute else ""
    return f"{d}{col_letter(col)}{d}{row + 1}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


class Cell(NamedTuple):
    """A cell of a sheet, 0-based (a named tuple: the reader makes hundreds per return)."""

    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    def ref(self) -> str:
        """A formula reference to this cell from another sheet: 'Theme 1'!$D$7."""
        return f"{quote_sheet(self.sheet)}!{a1(self.row, self.col, True)}"

    def __str__(self) -> str:
        return f"{self.sheet}!{self.a1}"


@dataclass(frozen=True)
class AuditColumns:
    """Column positions shared by every rating sheet of a framework."""

    id: int
    text: int
    descriptors: dict[str, int]
    rating: int
    date: int | None
    extra: dict[str, int]
    comment: int | None
    last: int
    previous: dict[str, int] = field(default_factory=dict)
    """Carry-forward only: the locked previous rating, date and comment columns."""
    periods: dict[str, int] = field(default_factory=dict)
    """With rating periods: each period's column ("1:autumn" → col), in order; ``rating``
    is the current period's."""
    period: str = ""
    """With rating periods: the workbook's own period, e.g. "2:spring"."""


@dataclass(frozen=True)
class RatingRow:
    """One rated row on a rating sheet: an item, or a group's best-fit judgement."""

    group_id: str
    item_id: str | None  # None for a best-fit judgement row
    sheet: str
    row: int
    rated: bool = True

    @property
    def key(self) -> str:
        return self.item_id if self.item_id is not None else f"{self.group_id}:judgement"

    @property
    def id_text(self) -> str:
        """What the ID column shows on this row (checked by the reader)."""
        return self.item_id if self.item_id is not None else f"{self.group_id}*"


@dataclass(frozen=True)
class HeadingRow:
    group_id: str
    sheet: str
    row: int


@dataclass(frozen=True)
class GroupSummary:
    group: Group
    row: int  # its row on the summary sheet
    rating_cells: tuple[Cell, ...]  # the cells whose ratings score this group
    judgement: Cell | None


@dataclass(frozen=True)
class TableRow:
    """A row of a free table (action plan, portfolio, outcomes, membership)."""

    sheet: str
    row: int
    key: str
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Layout:
    variant: str
    framework: Framework
    sheet_names: tuple[str, ...]
    audit_sheets: tuple[str, ...]
    columns: AuditColumns
    rating_rows: tuple[RatingRow, ...]
    headings: tuple[HeadingRow, ...]
    summary: tuple[GroupSummary, ...]
    summary_columns: dict[str, int]
    summary_total_row: int
    cover_details: dict[str, Cell]
    cover_inputs: dict[str, Cell]
    cover_input_columns: dict[str, Column]
    table_rows: dict[str, tuple[TableRow, ...]] = field(default_factory=dict)
    table_columns: dict[str, dict[str, Column]] = field(default_factory=dict)

    def rating_cell(self, row: RatingRow) -> Cell:
        return Cell(row.sheet, row.row, self.columns.rating)

    def date_cell(self, row: RatingRow) -> Cell | None:
        return None if self.columns.date is None else Cell(row.sheet, row.row, self.columns.date)

    def comment_cell(self, row: RatingRow) -> Cell | None:
        col = self.columns.comment
        return None if col is None else Cell(row.sheet, row.row, col)

    @property
    def rows_by_key(self) -> dict[str, RatingRow]:
        return {r.key: r for r in self.rating_rows}


def period_keys(framework: Framework) -> tuple[str, ...]:
    """The rating periods of a framework with ``audit.periods``, in order: "1:autumn",
    "1:spring", ... (none without)."""
    periods = framework.audit.periods
    if periods is None:
        return ()
    return tuple(f"{n}:{t}" for n in range(1, periods.years + 1) for t in periods.terms)


def period_heading(framework: Framework, key: str) -> str:
    """A period cell's column heading: "Yr 2 Spring"."""
    periods = framework.audit.periods
    n, term = key.split(":")
    label = periods.year_label if periods else ""
    return f"{label} {n} {term.capitalize()}"


class PeriodError(ValueError):
    """A year and term outside a framework's rating periods (the message says why)."""


def rating_period(framework: Framework, year: str, term: str, plan_start: str = "") -> str:
    """The period a workbook of ``year`` and ``term`` rates, for a plan whose first academic
    year is ``plan_start`` (default ``year``): "2:spring". Empty for a framework without
    periods; :class:`PeriodError` when the year or term is not one of the plan's."""
    periods = framework.audit.periods
    if periods is None:
        return ""
    start = plan_start or year
    try:
        n = int(year[:4]) - int(start[:4]) + 1
    except ValueError:
        raise PeriodError(f"plan start {start!r} is not an academic year like 2026-27") from None
    if not 1 <= n <= periods.years:
        raise PeriodError(
            f"{year} is not a year of a {periods.years}-year plan that starts in {start} "
            f"(it would be year {n}); give the plan's first year with {{opt:plan_start}}"
        )
    if term not in periods.terms:
        raise PeriodError(
            f"{framework.name} is rated termly ({', '.join(periods.terms)}): there is no "
            f"{term} rating; give {{opt:term}} {periods.terms[0]}, or another of them"
        )
    return f"{n}:{term}"


def period_when(plan_start: str, key: str) -> tuple[str, str]:
    """The academic year and term of a period of a plan starting in ``plan_start``:
    ("2026-27", "1:spring") → ("2026-27", "spring"); ("2026-27", "2:autumn") → ("2027-28",
    "autumn")."""
    n, term = key.split(":")
    first = int(plan_start[:4]) + int(n) - 1
    return f"{first}-{(first + 1) % 100:02d}", term


def _audit_columns(framework: Framework, carry: bool = False, period: str = "") -> AuditColumns:
    if framework.audit.periods is not None:
        return _period_columns(framework, carry, period)
    col = 0
    id_col, text_col = col, col + 1
    col = 2
    descriptors: dict[str, int] = {}
    if framework.audit.show_descriptors and any(i.descriptors for i in framework.items):
        for label in framework.scale.labels:
            descriptors[label] = col
            col += 1
    previous: dict[str, int] = {}
    if carry:
        keys = ["rating"]
        if framework.audit.date_column:
            keys.append("date")
        if framework.audit.comment_column:
            keys.append("comment")
        for key in keys:
            previous[key] = col
            col += 1
    rating = col
    col += 1
    date = None
    if framework.audit.date_column:
        date, col = col, col + 1
    extra: dict[str, int] = {}
    for column in framework.audit.columns:
        extra[column.id] = col
        col += 1
    comment = None
    if framework.audit.comment_column:
        comment, col = col, col + 1
    return AuditColumns(
        id_col, text_col, descriptors, rating, date, extra, comment, col - 1, previous
    )


def _period_columns(framework: Framework, carry: bool, period: str) -> AuditColumns:
    """As the source lays out a plan rated termly over years: ID, text, the extra (info)
    columns, a rating cell per period, the date, last term's date and comment (carry-forward),
    the comment."""
    keys = period_keys(framework)
    period = period or keys[0]
    col = 2
    extra: dict[str, int] = {}
    for column in framework.audit.columns:
        extra[column.id] = col
        col += 1
    periods: dict[str, int] = {}
    for key in keys:
        periods[key] = col
        col += 1
    date = None
    if framework.audit.date_column:
        date, col = col, col + 1
    previous: dict[str, int] = {}
    if carry:
        for key in ("date", "comment"):
            if key == "date" and not framework.audit.date_column:
                continue
            if key == "comment" and not framework.audit.comment_column:
                continue
            previous[key] = col
            col += 1
    comment = None
    if framework.audit.comment_column:
        comment, col = col, col + 1
    return AuditColumns(
        0, 1, {}, periods[period], date, extra, comment, col - 1, previous, periods, period
    )


def _cover(framework: Framework) -> tuple[dict[str, Cell], dict[str, Cell], dict[str, Column]]:
    details = (
        "setting",
        "urn",
        "partnership",
        "local_authority",
        "year",
        "term",
        "framework_title",
        "spec_version",
        "workbook_id",
    )
    row = 3
    detail_cells = {}
    for key in details:
        detail_cells[key] = Cell(COVER_SHEET, row, 1)
        row += 1
    row += 1  # "Completed by the setting" heading
    inputs: dict[str, Column] = {
        "completed_by": Column(id="completed_by", label="Completed by (name)"),
        "role": Column(id="role", label="Role"),
        "completed_on": Column(id="completed_on", label="Date completed", type="date"),
    }
    for column in framework.cover_fields:
        inputs[column.id] = column
    row += 1
    input_cells = {}
    for key in inputs:
        input_cells[key] = Cell(COVER_SHEET, row, 1)
        row += 1
    return detail_cells, input_cells, inputs


_CACHE: dict[tuple[int, bool, str], tuple[Framework, Layout]] = {}


def layout_for(framework: Framework, variant: str = "", period: str = "") -> Layout:
    """Where everything of this framework's workbook is (``variant`` CARRY_FORWARD for a
    next-term workbook; ``period`` the rating period of a framework with rating periods, from
    :func:`rating_period`, default the first). Cached: frameworks are immutable."""
    carry = variant == CARRY_FORWARD
    if period and period not in period_keys(framework):
        period = ""
    hit = _CACHE.get((id(framework), carry, period))
    if hit is not None and hit[0] is framework:
        return hit[1]
    if len(_CACHE) > 64:
        _CACHE.clear()
    layout = _build(framework, carry, period)
    _CACHE[(id(framework), carry, period)] = (framework, layout)
    return layout


def _build(framework: Framework, carry: bool = False, period: str = "") -> Layout:
    columns = _audit_columns(framework, carry, period)
    rating_rows: list[RatingRow] = []
    headings: list[HeadingRow] = []
    group_cells: dict[str, list[Cell]] = {}
    judgements: dict[str, Cell] = {}
    audit_sheets: list[str] = []
    row = FIRST_ROW
    for group in framework.groups:
        sheet = audit_sheet_name(framework, group)
        if sheet not in audit_sheets:
            audit_sheets.append(sheet)
            row = FIRST_ROW
        if framework.audit.layout == "single":
            headings.append(HeadingRow(group.id, sheet, row))
            row += 1
        cells = group_cells.setdefault(group.id, [])
        for item in group.items:
            rating_rows.append(RatingRow(group.id, item.id, sheet, row, item.rated))
            if item.rated and not group.judgement_only:  # else they are evidence, not scored
                cells.append(Cell(sheet, row, columns.rating))
            row += 1
        if group.judgement:
            rating_rows.append(RatingRow(group.id, None, sheet, row))
            judgements[group.id] = Cell(sheet, row, columns.rating)
            if group.judgement_only:
                cells.append(judgements[group.id])
            row += 1

    levels = framework.scale.labels
    summary_columns = {"id": 0, "title": 1}
    col = 2
    for label in levels:
        summary_columns[f"level:{label}"] = col
        col += 1
    for key in ("rated", "total", "completion", "score", "judgement", "points"):
        summary_columns[key] = col
        col += 1
    summary = []
    srow = FIRST_ROW
    for group in framework.groups:
        summary.append(
            GroupSummary(group, srow, tuple(group_cells[group.id]), judgements.get(group.id))
        )
        srow += 1

    details, inputs, input_columns = _cover(framework)
    table_rows, table_columns = _tables(framework)
    return Layout(
        variant=CARRY_FORWARD if carry else "",
        framework=framework,
        sheet_names=sheet_names(framework, carry),
        audit_sheets=tuple(audit_sheets),
        columns=columns,
        rating_rows=tuple(rating_rows),
        headings=tuple(headings),
        summary=tuple(summary),
        summary_columns=summary_columns,
        summary_total_row=srow,
        cover_details=details,
        cover_inputs=inputs,
        cover_input_columns=input_columns,
        table_rows=table_rows,
        table_columns=table_columns,
    )


def _tables(framework: Framework):
    rows: dict[str, tuple[TableRow, ...]] = {}
    cols: dict[str, dict[str, Column]] = {}
    sheets = framework.sheets
    if sheets.action_plan:
        plan = sheets.action_plan
        name = plan.title
        cols["action_plan"] = {c.id: c for c in plan.columns}
        rows["action_plan"] = tuple(
            TableRow(
                name,
                FIRST_ROW + i,
                str(i + 1),
                {c.id: Cell(name, FIRST_ROW + i, 1 + j) for j, c in enumerate(plan.columns)},
            )
            for i in range(plan.rows)
        )
    if sheets.outcomes:
        out = sheets.outcomes
        name = out.title
        text_col = Column(id="outcome", label="Outcome")
        cols["outcomes"] = {"outcome": text_col} | {c.id: c for c in out.columns}
        found = []
        row = FIRST_ROW
        for outcome in out.outcomes:
            cells = {c.id: Cell(name, row, 2 + j) for j, c in enumerate(out.columns)}
            found.append(TableRow(name, row, outcome.id, cells))
            row += 1
        if out.blank_rows:
            row += 1  # the note about local outcomes
            for i in range(out.blank_rows):
                cells = {"outcome": Cell(name, row, 1)}
                cells |= {c.id: Cell(name, row, 2 + j) for j, c in enumerate(out.columns)}
                found.append(TableRow(name, row, f"L{i + 1}", cells))
                row += 1
        rows["outcomes"] = tuple(found)
    if sheets.membership:
        mem = sheets.membership
        name = mem.title
        cols["membership"] = {"member": Column(id="member", label="Name")}
        found = []
        row = FIRST_ROW
        for category in mem.categories:
            row += 1  # category heading
            for _ in range(mem.rows_per_category):
                found.append(TableRow(name, row, category, {"member": Cell(name, row, 1)}))
                row += 1
        rows["membership"] = tuple(found)
    if sheets.portfolio:
        port = sheets.portfolio
        evidence = Column(id="evidence", label=port.evidence_label, width=40)
        cols["portfolio"] = {"evidence": evidence} | {c.id: c for c in port.columns}
        cols["portfolio_fields"] = {c.id: c for c in port.fields}
        found = []
        names = portfolio_sheet_names(framework)
        row, name = FIRST_ROW, ""
        for group in framework.groups:
            if names[group.id] != name:  # a front sheet of its own: its rows start again
                name, row = names[group.id], FIRST_ROW
            row += 1  # group heading
            keys = [item.id for item in group.items] or [group.id]
            for key in keys:
                for n in range(port.evidence_per_item):
                    cells = {"evidence": Cell(name, row, 3)}
                    cells |= {c.id: Cell(name, row, 4 + j) for j, c in enumerate(port.columns)}
                    found.append(TableRow(name, row, f"{key}#{n + 1}", cells))
                    row += 1
            if port.fields:
                cells = {}
                for field_ in port.fields:
                    cells[field_.id] = Cell(name, row, 3)
                    row += 1
                found.append(TableRow(name, row, f"{group.id}:fields", cells))
            row += 1  # gap
        rows["portfolio"] = tuple(found)
    for listed in sheets.lists:
        rows[listed.id], cols[listed.id] = list_table(listed)
    return rows, cols


LIST_TEXT_COL = 1
"""A list sheet's column of listed text (its ids are in column 0, its columns from 2)."""


def list_table(listed: ListSheet) -> tuple[tuple[TableRow, ...], dict[str, Column]]:
    """A list sheet's rows (keyed by row id; cells for its input columns) and input columns.
    Column ``2 + j`` is the sheet's ``j``-th column, locked text or input."""
    name = listed.title
    at = {c.id: 2 + j for j, c in enumerate(listed.columns)}
    inputs = {c.id: c for c in listed.input_columns}
    found = tuple(
        TableRow(
            name,
            FIRST_ROW + i,
            row.id,
            {cid: Cell(name, FIRST_ROW + i, at[cid]) for cid in inputs},
        )
        for i, row in enumerate(listed.rows)
    )
    return found, inputs


def evidence_ref(key: str) -> str:
    """A portfolio row's evidence reference in the LPPA's form: ``3.2#1`` → ``3.2 a`` (the
    first item of evidence for objective 3, KPI 2), ``3.2#2`` → ``3.2 b``."""
    item, _, n = key.rpartition("#")
    return f"{item} {chr(ord('a') + int(n) - 1)}"
