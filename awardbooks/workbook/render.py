"""Render a framework into a locked, validated workbook with xlsxwriter.

Only :func:`write_workbook` is public. Every cell position comes from
:mod:`awardbooks.workbook.layout` so that the reader finds exactly what was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from awardbooks.common.xlsx import new_workbook
from awardbooks.spec.model import Column, Framework
from awardbooks.version import __version__
from awardbooks.workbook.cells import (
    column_validation,
    fit_widths,
    formats,
    header_text,
    line_count,
)
from awardbooks.workbook.layout import (
    COVER_SHEET,
    HEADER_ROW,
    LAYOUT_VERSION,
    META_SHEET,
    Cell,
    Layout,
    a1,
    layout_for,
    quote_sheet,
    rating_period,
)
from awardbooks.workbook.sheets_front import FrontSheets
from awardbooks.workbook.sheets_lists import ListSheets
from awardbooks.workbook.sheets_rating import RatingSheets
from awardbooks.workbook.sheets_tables import TableSheets


@dataclass(frozen=True)
class WorkbookInfo:
    """Who a workbook is for: shown on the cover and stored in the hidden metadata."""

    setting: str
    workbook_id: str
    year: str
    term: str
    urn: str = ""
    partnership: str = ""
    local_authority: str = ""
    contact_email: str = ""
    previous_workbook_id: str = ""
    generated_at: str = ""
    layout_variant: str = ""
    previous_term: str = ""
    plan_start: str = ""
    """With rating periods: the academic year of the plan's year 1 (default: ``year``)."""
    scores: str = ""
    """Scores other than the spec's, as given to generate ("Red=0,Amber=50,Green=100"); the
    framework written with is already rescored, and the reader rescores with these."""

    def meta(self, framework: Framework) -> dict[str, str]:
        return {
            "framework": framework.id,
            "framework_title": framework.title,
            "spec_version": framework.version,
            "spec_fingerprint": framework.fingerprint(),
            "layout_version": str(LAYOUT_VERSION),
            "layout_variant": self.layout_variant,
            "workbook_id": self.workbook_id,
            "previous_workbook_id": self.previous_workbook_id,
            "previous_term": self.previous_term,
            "setting": self.setting,
            "urn": self.urn,
            "partnership": self.partnership,
            "local_authority": self.local_authority,
            "contact_email": self.contact_email,
            "year": self.year,
            "term": self.term,
            "generated_at": self.generated_at,
            "generator": "awardbooks",
            "generator_version": __version__,
            "plan_start": (self.plan_start or self.year) if framework.audit.periods else "",
            "scores": self.scores,
        }


@dataclass(frozen=True)
class CarryForward:
    """What a next-term workbook shows from the setting's previous return."""

    previous: dict[str, tuple[str, str, str]]  # row key → (rating, ISO date, comment)
    open_actions: tuple[dict[str, Any], ...] = ()  # carried into the action plan
    completed_actions: tuple[dict[str, Any], ...] = ()  # listed, locked
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)  # key → {col: value}
    history: dict[str, dict[str, str]] = field(default_factory=dict)
    """With rating periods: row key → {period: rating} of the earlier periods."""
    cover: dict[str, Any] = field(default_factory=dict)
    """The framework's own cover fields as last returned (e.g. the LPPA's stage and the date
    of each stage), pre-filled and still open."""


def write_workbook(
    framework: Framework,
    info: WorkbookInfo,
    target: str | Path | IO[bytes],
    *,
    password: str | None = None,
    ratings: Mapping[str, str] | None = None,
    carry: CarryForward | None = None,
) -> None:
    """Write one workbook for one setting to ``target`` (a path or a binary file object).

    ``ratings`` optionally pre-fills rating cells ({item id or "<group>:judgement": label});
    the summary's cached formula values always match what is written.
    """
    target_arg: Any = str(target) if isinstance(target, Path) else target
    workbook = new_workbook(target_arg)
    Renderer(workbook, framework, info, password, dict(ratings or {}), carry).render()
    workbook.close()


class Renderer(FrontSheets, RatingSheets, TableSheets, ListSheets):
    """Renders one workbook: the sheets come from the mixins, the shared steps are here."""

    def __init__(
        self,
        workbook,
        framework: Framework,
        info: WorkbookInfo,
        password,
        ratings,
        carry: CarryForward | None = None,
    ):
        self.wb = workbook
        self.fw = framework
        self.info = info
        self.password = password or ""
        self.ratings = ratings
        self.carry = carry
        self.period = rating_period(framework, info.year, info.term, info.plan_start)
        self.layout: Layout = layout_for(framework, info.layout_variant, self.period)
        self.f = formats(workbook, framework)
        self.sheets: dict[str, Any] = {}
        self.lists: dict[tuple[str, ...], str] = {}
        self.widths: dict[str, dict[int, float]] = {}
        self.lines: dict[str, dict[int, int]] = {}

    def _fit(self, ws, row: int, text: str, width: float) -> None:
        """Remember how many lines ``text`` needs at ``width``; rows are sized at the end
        (spreadsheet applications do not grow rows for wrapped text by themselves)."""
        need = line_count(text, width)
        rows = self.lines.setdefault(ws.name, {})
        rows[row] = max(rows.get(row, 1), need)

    def _text(self, ws, row: int, col: int, text: str, fmt, width: float | None = None) -> None:
        ws.write_string(row, col, text, fmt)
        if text:
            self._fit(ws, row, text, width or self.widths.get(ws.name, {}).get(col, 10))

    def _size_rows(self) -> None:
        for name, rows in self.lines.items():
            ws = self.sheets[name]
            for row, lines in rows.items():
                if lines > 1:
                    ws.set_row(row, min(409, 13.0 * lines + 3))

    # -- the whole workbook -------------------------------------------------------------
    def render(self) -> None:
        fw, layout = self.fw, self.layout
        self.wb.set_properties(
            {
                "title": f"{fw.title}: {self.info.setting}",
                "subject": "Self-evaluation workbook",
                "author": "awardbooks",
                "comments": f"Generated by awardbooks {__version__} from spec {fw.id} "
                f"version {fw.version}",
            }
        )
        for name in layout.sheet_names:
            self.sheets[name] = self.wb.add_worksheet(name)
        self._cover()
        self._summary()
        sheets = fw.sheets
        if sheets.info:
            self._info_sheet()
        if sheets.membership:
            self._membership()
        if sheets.outcomes:
            self._outcomes()
        for name in layout.audit_sheets:
            self._audit(name)
        if sheets.action_plan:
            self._action_plan()
        if sheets.portfolio:
            self._portfolio()
        if sheets.lists:
            self._lists()
        self._meta()
        self._size_rows()
        self.sheets[COVER_SHEET].activate()

    # -- shared helpers -----------------------------------------------------------------
    def _page(self, ws, title: str, last_col: int, repeat: bool = True) -> None:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        if repeat:
            ws.repeat_rows(HEADER_ROW)
        setting = header_text(self.info.setting)
        name = header_text(self.fw.name)
        ws.set_header(f"&L{setting}&R{name}")
        ws.set_footer(f"&L{header_text(title)}&CPage &P of &N&R{self.info.year} {self.info.term}")
        ws.print_area(0, 0, max(HEADER_ROW, 1000), last_col)

    def _protect(self, ws) -> None:
        ws.protect(
            self.password,
            {
                "select_locked_cells": True,
                "select_unlocked_cells": True,
                "format_columns": True,
                "format_rows": True,
            },
        )

    def _title(self, ws, title: str, subtitle: str, last_col: int) -> None:
        ws.merge_range(0, 0, 0, max(last_col, 1), title, self.f["title"])
        ws.merge_range(1, 0, 1, max(last_col, 1), subtitle, self.f["subtitle"])
        ws.set_row(0, 24)

    def _input(
        self, ws, cell: Cell, column: Column, value: Any = None, validate: bool = True
    ) -> None:
        """An unlocked input cell with the validation its type calls for."""
        fmt = self.f["input_date"] if column.type == "date" else self.f["input"]
        if value is None or value == "":
            ws.write_blank(cell.row, cell.col, None, fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(cell.row, cell.col, value, fmt)
        else:
            ws.write_string(cell.row, cell.col, str(value), fmt)
        validation = self._validation(column) if validate else None
        if validation:
            ws.data_validation(cell.row, cell.col, cell.row, cell.col, validation)

    def _input_range(self, ws, first: int, last: int, col: int, column: Column) -> None:
        fmt = self.f["input_date"] if column.type == "date" else self.f["input"]
        for row in range(first, last + 1):
            ws.write_blank(row, col, None, fmt)
        validation = self._validation(column)
        if validation and last >= first:
            ws.data_validation(first, col, last, col, validation)

    def _validation(self, column: Column) -> dict | None:
        validation = column_validation(column)
        options = column.options
        if (
            validation
            and options
            and (any("," in o for o in options) or len(",".join(options)) > 250)
        ):
            # An inline list cannot hold commas: point the dropdown at a range instead.
            key = tuple(options)
            if key not in self.lists:
                col = 3 + len(self.lists)
                top = a1(0, col, True)
                bottom = a1(len(options) - 1, col, True)
                self.lists[key] = f"={quote_sheet(META_SHEET)}!{top}:{bottom}"
            validation["source"] = self.lists[key]
        return validation

    def _headers(
        self, ws, headers: list[tuple[str, float]], row: int = HEADER_ROW, hidden=()
    ) -> None:
        """The header row; the columns' widths are fitted to print on one A4 landscape page
        wide (:func:`~awardbooks.workbook.cells.fit_widths`); columns in ``hidden`` (unused by
        this sheet) are hidden, so they are not printed either."""
        widths = self.widths.setdefault(ws.name, {})
        fitted = fit_widths([0 if c in hidden else w for c, (_t, w) in enumerate(headers)])
        for col, ((text, _width), width) in enumerate(zip(headers, fitted)):
            ws.write_string(row, col, text, self.f["header"])
            if col in hidden:
                ws.set_column(col, col, 0, None, {"hidden": True})
                continue
            ws.set_column(col, col, width)
            widths[col] = width
            self._fit(ws, row, text, width)
        self.lines[ws.name][row] = max(2, self.lines[ws.name][row])

    # -- cover ---------------------------------------------------------------------------
    def _meta(self) -> None:
        ws = self.sheets[META_SHEET]
        ws.write_string(0, 0, "key")
        ws.write_string(0, 1, "value")
        for i, (key, value) in enumerate(self.info.meta(self.fw).items(), start=1):
            ws.write_string(i, 0, key)
            ws.write_string(i, 1, value)
        for n, options in enumerate(self.lists):
            for row, option in enumerate(options):
                ws.write_string(row, 3 + n, option)
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, 50)
        ws.very_hidden()
        self._protect(ws)
