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

from awardbooks import __version__
from awardbooks.common.xlsx import new_workbook
from awardbooks.spec.model import Column, Framework
from awardbooks.workbook.layout import (
    COMPLETED_SHEET,
    COVER_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    LAYOUT_VERSION,
    META_SHEET,
    SUMMARY_SHEET,
    Cell,
    Layout,
    a1,
    col_letter,
    layout_for,
    quote_sheet,
)
from awardbooks.workbook.scoring import score_groups

INPUT_FILL = "#FFF7D6"
HEAD_FILL = "#1F4E79"
GROUP_FILL = "#DDEBF7"
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


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
        }


@dataclass(frozen=True)
class CarryForward:
    """What a next-term workbook shows from the setting's previous return."""

    previous: dict[str, tuple[str, str, str]]  # row key → (rating, ISO date, comment)
    open_actions: tuple[dict[str, Any], ...] = ()  # carried into the action plan
    completed_actions: tuple[dict[str, Any], ...] = ()  # listed, locked
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)  # key → {col: value}


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
    _Renderer(workbook, framework, info, password, dict(ratings or {}), carry).render()
    workbook.close()


class _Renderer:
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
        self.layout: Layout = layout_for(framework, info.layout_variant)
        self.f = _formats(workbook, framework)
        self.sheets: dict[str, Any] = {}
        self.lists: dict[tuple[str, ...], str] = {}
        self.widths: dict[str, dict[int, float]] = {}
        self.lines: dict[str, dict[int, int]] = {}

    def _fit(self, ws, row: int, text: str, width: float) -> None:
        """Remember how many lines ``text`` needs at ``width``; rows are sized at the end
        (spreadsheet applications do not grow rows for wrapped text by themselves)."""
        need = _line_count(text, width)
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
        setting = _header_text(self.info.setting)
        name = _header_text(self.fw.name)
        ws.set_header(f"&L{setting}&R{name}")
        ws.set_footer(f"&L{_header_text(title)}&CPage &P of &N&R{self.info.year} {self.info.term}")
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
        validation = _validation(column)
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

    def _headers(self, ws, headers: list[tuple[str, float]], row: int = HEADER_ROW) -> None:
        widths = self.widths.setdefault(ws.name, {})
        for col, (text, width) in enumerate(headers):
            ws.write_string(row, col, text, self.f["header"])
            ws.set_column(col, col, width)
            widths[col] = width
            self._fit(ws, row, text, width)
        self.lines[ws.name][row] = max(2, self.lines[ws.name][row])

    # -- cover ---------------------------------------------------------------------------
    def _cover(self) -> None:
        ws, fw, info, layout = self.sheets[COVER_SHEET], self.fw, self.info, self.layout
        f = self.f
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 80)
        self._title(ws, fw.title, "Self-evaluation workbook", 1)
        ws.write_string(2, 0, "About this workbook", f["group"])
        ws.write_string(2, 1, "", f["group"])
        labels = {
            "setting": "Setting",
            "urn": "URN",
            "partnership": "Partnership",
            "local_authority": "Local authority",
            "year": "Academic year",
            "term": "Term",
            "framework_title": "Framework",
            "spec_version": "Framework edition",
            "workbook_id": "Workbook id",
        }
        values = info.meta(fw) | {"term": info.term.capitalize()}
        for key, cell in layout.cover_details.items():
            ws.write_string(cell.row, 0, labels[key], f["label"])
            ws.write_string(cell.row, 1, values.get(key, ""), f["locked"])
        first_input = min(c.row for c in layout.cover_inputs.values())
        ws.write_string(first_input - 1, 0, "Completed by the setting", f["group"])
        ws.write_string(first_input - 1, 1, "", f["group"])
        for key, cell in layout.cover_inputs.items():
            column = layout.cover_input_columns[key]
            ws.write_string(cell.row, 0, column.label, f["label"])
            self._input(ws, cell, column)
        row = max(c.row for c in layout.cover_inputs.values()) + 2
        if fw.status == "skeleton":
            note = "SKELETON FRAMEWORK: " + (fw.source.notes or "")
            ws.merge_range(row, 0, row, 1, note, f["warning"])
            self._fit(ws, row, note, 105)
            row += 2
        ws.write_string(row, 0, "How to fill in this workbook", f["group"])
        ws.write_string(row, 1, "", f["group"])
        row += 1
        for paragraph in self._how_to() + list(fw.instructions):
            ws.merge_range(row, 0, row, 1, paragraph, f["wrap"])
            self._fit(ws, row, paragraph, 110)
            row += 1
        row += 1
        ws.write_string(row, 0, "Rating scale", f["group"])
        ws.write_string(row, 1, "", f["group"])
        for level in fw.scale.levels:
            row += 1
            meaning = f" ({level.meaning})" if level.meaning else ""
            ws.write_string(row, 0, level.label, self.f[f"level:{level.label}"])
            ws.write_string(row, 1, f"{level.label}{meaning}: scores {level.score:g}", f["wrap"])
        row += 2
        ws.merge_range(row, 0, row, 1, f"Source: {fw.source.document}", f["small"])
        self._fit(ws, row, f"Source: {fw.source.document}", 120)
        self._page(ws, COVER_SHEET, 1, repeat=False)
        ws.set_portrait()
        self._protect(ws)

    def _how_to(self) -> list[str]:
        fw = self.fw
        rating = fw.labels.rating
        return [
            "Fill in the yellow cells only: everything else is locked so that the workbook "
            "can be read back and consolidated.",
            f"Choose each {_sentence(rating)} from the dropdown list; the levels are "
            f"{', '.join(fw.scale.labels)} (see the rating scale below).",
            "Type dates as dd/mm/yyyy, for example 31/10/2026.",
            "Do not insert, delete, move or rename rows, columns or sheets, and do not paste "
            "over the dropdowns: type or choose values instead.",
            "The Summary sheet updates as you rate. When you have finished, save the file as "
            ".xlsx (Excel workbook) and send it back.",
        ]

    # -- summary -------------------------------------------------------------------------
    def _summary(self) -> None:
        ws, fw, layout, f = self.sheets[SUMMARY_SHEET], self.fw, self.layout, self.f
        cols = layout.summary_columns
        last = cols["judgement"]
        self._title(ws, f"{fw.name}: summary", f"{self.info.setting}", last)
        ws.merge_range(
            2,
            0,
            2,
            last,
            "This sheet updates itself from your ratings. Score % is the mean score of the "
            f"rated {_sentence(fw.labels.item)}s as a percentage of the top score "
            f"({fw.scale.top_score:g}); completion % is the share rated.",
            f["small"],
        )
        headers = [("ID", 8), (fw.labels.group, 40)]
        headers += [(label, 11) for label in fw.scale.labels]
        headers += [("Rated", 8), ("Total", 8), ("Completion %", 12), ("Score %", 10)]
        headers += [(fw.labels.judgement if any(g.judgement for g in fw.groups) else "", 16)]
        self._headers(ws, headers)
        ws.write_string(HEADER_ROW, cols["points"], "Points", f["header"])
        ws.set_column(cols["points"], cols["points"], 8, None, {"hidden": True})
        groups, overall = score_groups(fw, self.ratings)
        top = fw.scale.top_score
        for summary, score in zip(layout.summary, groups):
            row = summary.row
            ws.write_string(row, 0, summary.group.id, f["id"])
            self._text(ws, row, 1, summary.group.title, f["locked"])
            refs = _range_refs(summary.rating_cells)
            for level in fw.scale.levels:
                col = cols[f"level:{level.label}"]
                formula = "+".join(f'COUNTIF({r},"{level.label}")' for r in refs) or "0"
                ws.write_formula(row, col, "=" + formula, f["count"], score.counts[level.label])
            self._row_formulas(ws, row, score, top)
            if summary.judgement is not None:
                ref = summary.judgement.ref()
                ws.write_formula(
                    row,
                    cols["judgement"],
                    f'=IF({ref}="","",{ref})',
                    f["locked"],
                    score.judgement or "",
                )
            else:
                ws.write_string(row, cols["judgement"], "", f["locked"])
        total_row = layout.summary_total_row
        first, last_row = FIRST_ROW + 1, total_row
        ws.write_string(total_row, 0, "ALL", f["total_id"])
        ws.write_string(total_row, 1, "Overall", f["total"])
        for level in fw.scale.levels:
            col = cols[f"level:{level.label}"]
            letter = col_letter(col)
            ws.write_formula(
                total_row,
                col,
                f"=SUM({letter}{first}:{letter}{last_row})",
                f["total_count"],
                overall.counts[level.label],
            )
        self._row_formulas(ws, total_row, overall, top, total=True)
        ws.write_string(total_row, cols["judgement"], "", f["total"])
        score_col = cols["score"]
        ws.conditional_format(
            FIRST_ROW,
            score_col,
            total_row,
            score_col,
            {
                "type": "data_bar",
                "bar_color": "#5B9BD5",
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        )
        for level in fw.scale.levels:
            ws.conditional_format(
                FIRST_ROW,
                cols["judgement"],
                total_row - 1,
                cols["judgement"],
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{level.label}"',
                    "format": self.f[f"cf:{level.label}"],
                },
            )
        chart = self.wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "Score %",
                "categories": [SUMMARY_SHEET, FIRST_ROW, 1, total_row - 1, 1],
                "values": [SUMMARY_SHEET, FIRST_ROW, score_col, total_row - 1, score_col],
                "fill": {"color": "#5B9BD5"},
                "data_labels": {"value": True, "num_format": "0%"},
            }
        )
        chart.set_title({"name": f"Score % by {_sentence(fw.labels.group)}"})
        chart.set_x_axis(
            {"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}}
        )
        chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 820, "height": 100 + 44 * len(layout.summary)})
        ws.insert_chart(total_row + 2, 1, chart)
        ws.set_h_pagebreaks([total_row + 2])  # the chart prints whole, on a page of its own
        ws.freeze_panes(FIRST_ROW, 2)
        self._page(ws, SUMMARY_SHEET, last)
        self._protect(ws)

    def _row_formulas(self, ws, row: int, score, top: float, total: bool = False) -> None:
        cols = self.layout.summary_columns
        f = self.f
        first_level = col_letter(cols[f"level:{self.fw.scale.labels[0]}"])
        last_level = col_letter(cols[f"level:{self.fw.scale.labels[-1]}"])
        r = row + 1
        rated, total_c = a1(row, cols["rated"]), a1(row, cols["total"])
        points = a1(row, cols["points"])
        count_fmt = f["total_count"] if total else f["count"]
        pct_fmt = f["total_pct"] if total else f["pct"]
        ws.write_formula(
            row, cols["rated"], f"=SUM({first_level}{r}:{last_level}{r})", count_fmt, score.rated
        )
        if total:
            letter = col_letter(cols["total"])
            ws.write_formula(
                row,
                cols["total"],
                f"=SUM({letter}{FIRST_ROW + 1}:{letter}{r - 1})",
                count_fmt,
                score.total,
            )
            pletter = col_letter(cols["points"])
            ws.write_formula(
                row,
                cols["points"],
                f"=SUM({pletter}{FIRST_ROW + 1}:{pletter}{r - 1})",
                count_fmt,
                score.points,
            )
        else:
            ws.write_number(row, cols["total"], score.total, count_fmt)
            terms = [
                f"{a1(row, cols[f'level:{lv.label}'])}*{lv.score:g}" for lv in self.fw.scale.levels
            ]
            ws.write_formula(row, cols["points"], "=" + "+".join(terms), count_fmt, score.points)
        ws.write_formula(
            row,
            cols["completion"],
            f"=IF({total_c}=0,0,{rated}/{total_c})",
            pct_fmt,
            score.completion,
        )
        value = score.score(top)
        ws.write_formula(
            row,
            cols["score"],
            f'=IF({rated}=0,"",{points}/{rated}/{top:g})',
            pct_fmt,
            "" if value is None else value,
        )

    # -- rating sheets -------------------------------------------------------------------
    def _audit(self, name: str) -> None:
        ws, fw, layout, f = self.sheets[name], self.fw, self.layout, self.f
        cols = layout.columns
        labels = fw.labels
        groups = [
            g
            for g in fw.groups
            if any(r.sheet == name and r.group_id == g.id for r in layout.rating_rows)
        ]
        if fw.audit.layout == "per_group":
            group = groups[0]
            title = f"{labels.group} {group.id}: {group.title}"
            subtitle = group.note or self.info.setting
        else:
            title, subtitle = f"{fw.name}: {name}", self.info.setting
        self._title(ws, title, subtitle, cols.last)
        ws.merge_range(
            2,
            0,
            2,
            cols.last,
            f"Choose a {_sentence(labels.rating)} for each row from the dropdown "
            f"({', '.join(fw.scale.labels)}). Yellow cells are for you to fill in.",
            f["small"],
        )
        headers: list[tuple[str, float]] = [("ID", 7), (labels.item, 55)]
        for label in cols.descriptors:
            headers.append((label, 38))
        when = self.info.previous_term or "last term"
        previous_heads = {
            "rating": (f"{labels.rating}, {when}", 15),
            "date": (f"{labels.date}, {when}", 12),
            "comment": (f"{labels.comment}, {when}", 34),
        }
        for key in cols.previous:
            headers.append(previous_heads[key])
        headers.append((labels.rating, 15))
        if cols.date is not None:
            headers.append((labels.date, 12))
        for column in fw.audit.columns:
            headers.append((column.label, column.width))
        if cols.comment is not None:
            headers.append((labels.comment, 40))
        self._headers(ws, headers)
        extra = {c.id: c for c in fw.audit.columns}
        items = {item.id: item for item in fw.items}
        groups_by_id = {g.id: g for g in fw.groups}
        for heading in layout.headings:
            if heading.sheet != name:
                continue
            group = groups_by_id[heading.group_id]
            text = f"{labels.group} {group.id}: {group.title}"
            ws.write_string(heading.row, 0, group.id, f["group"])
            ws.merge_range(heading.row, 1, heading.row, cols.last, text, f["group"])
        rating_column = Column(
            id="rating",
            label=labels.rating,
            type="choice",
            choices=fw.scale.labels,
            help=fw.scale.describe(),
        )
        rows = [r for r in layout.rating_rows if r.sheet == name]
        for rr in rows:
            row = rr.row
            ws.write_string(row, cols.id, rr.id_text, f["id"])
            if rr.item_id is None:
                group = groups_by_id[rr.group_id]
                self._text(
                    ws,
                    row,
                    cols.text,
                    f"{labels.judgement} for {_sentence(labels.group)} {group.id}: {group.title}",
                    f["judgement"],
                )
                for col in cols.descriptors.values():
                    ws.write_string(row, col, "", f["judgement"])
            else:
                item = items[rr.item_id]
                self._text(ws, row, cols.text, item.text, f["locked"])
                for label, col in cols.descriptors.items():
                    text = item.descriptors.get(label, "")
                    ws.write_string(row, col, text, f["descriptor"])
                    self._fit(ws, row, text, 38 * 1.1)
            if cols.previous:
                before = self.carry.previous.get(rr.key, ("", "", "")) if self.carry else ()
                for key, col in cols.previous.items():
                    value = before[("rating", "date", "comment").index(key)] if before else ""
                    value = _cell_value(value)
                    if isinstance(value, dt.date):
                        ws.write_datetime(row, col, value, f["locked_date"])
                    else:
                        self._text(ws, row, col, value or "", f["previous"])
            if not rr.rated:
                for col in range(cols.rating, cols.last + 1):
                    ws.write_string(row, col, "", f["locked"])
                continue
            value = self.ratings.get(rr.key)
            self._input(ws, Cell(name, row, cols.rating), rating_column, value, validate=False)
            if cols.date is not None:
                self._input(ws, Cell(name, row, cols.date), _DATE_COLUMN, validate=False)
            for cid, col in cols.extra.items():
                column = extra[cid]
                if column.input:
                    self._input(ws, Cell(name, row, col), column, validate=False)
                else:
                    info = "" if rr.item_id is None else items[rr.item_id].info.get(cid, "")
                    self._text(ws, row, col, info, f["locked"])
            if cols.comment is not None:
                self._input(ws, Cell(name, row, cols.comment), _TEXT_COLUMN, validate=False)
        # one validation rule per column and run of rows: far smaller files than one per cell
        inputs = [(cols.rating, rating_column)]
        if cols.date is not None:
            inputs.append((cols.date, _DATE_COLUMN))
        inputs += [(cols.extra[c.id], c) for c in fw.audit.columns if c.input]
        for first, last in _runs([r.row for r in rows if r.rated]):
            for col, column in inputs:
                validation = self._validation(column)
                if validation:
                    ws.data_validation(first, col, last, col, validation)
        rated_rows = [r.row for r in rows if r.rated]
        if rated_rows:
            for level in fw.scale.levels:
                ws.conditional_format(
                    min(rated_rows),
                    cols.rating,
                    max(rated_rows),
                    cols.rating,
                    {
                        "type": "cell",
                        "criteria": "==",
                        "value": f'"{level.label}"',
                        "format": f[f"cf:{level.label}"],
                    },
                )
        ws.freeze_panes(FIRST_ROW, 2)
        self._page(ws, name, cols.last)
        self._protect(ws)

    # -- other sheets --------------------------------------------------------------------
    def _info_sheet(self) -> None:
        spec = self.fw.sheets.info
        ws, f = self.sheets[spec.title], self.f
        self._title(ws, spec.heading or spec.title, self.fw.title, 1)
        self._headers(ws, [("Field", 30), ("", 110)])
        for i, info_field in enumerate(spec.fields):
            self._text(ws, FIRST_ROW + i, 0, info_field.label, f["label"])
            self._text(ws, FIRST_ROW + i, 1, info_field.text, f["wrap"])
        self._page(ws, spec.title, 1)
        self._protect(ws)

    def _membership(self) -> None:
        spec = self.fw.sheets.membership
        ws, f = self.sheets[spec.title], self.f
        self._title(ws, spec.heading or spec.title, self.info.setting, 1)
        self._headers(ws, [("Type", 34), ("Name", 60)])
        member = self.layout.table_columns["membership"]["member"]
        done: set[str] = set()
        for row in self.layout.table_rows["membership"]:
            if row.key not in done:
                done.add(row.key)
                ws.write_string(row.row - 1, 0, row.key, f["group"])
                ws.write_string(row.row - 1, 1, "", f["group"])
            ws.write_string(row.row, 0, "", f["locked"])
            self._input(ws, row.cells["member"], member)
        ws.freeze_panes(FIRST_ROW, 0)
        self._page(ws, spec.title, 1)
        self._protect(ws)

    def _outcomes(self) -> None:
        spec = self.fw.sheets.outcomes
        ws, f = self.sheets[spec.title], self.f
        last = 1 + len(spec.columns)
        self._title(ws, spec.heading or spec.title, self.info.setting, last)
        self._headers(ws, [("ID", 7), ("Outcome", 60)] + [(c.label, 22) for c in spec.columns])
        texts = {o.id: o.text for o in spec.outcomes}
        columns = self.layout.table_columns["outcomes"]
        for row in self.layout.table_rows["outcomes"]:
            ws.write_string(row.row, 0, row.key, f["id"])
            if row.key in texts:
                self._text(ws, row.row, 1, texts[row.key], f["locked"])
            before = self.carry.outcomes.get(row.key, {}) if self.carry else {}
            for cid, cell in row.cells.items():
                value = _cell_value(before.get(cid))
                if value in (None, ""):
                    self._input(ws, cell, columns[cid])
                elif isinstance(value, dt.date):
                    ws.write_datetime(cell.row, cell.col, value, f["locked_date"])
                else:
                    self._text(ws, cell.row, cell.col, str(value), f["previous"])
        local = [r for r in self.layout.table_rows["outcomes"] if r.key not in texts]
        if local:
            note = spec.blank_note or "Local outcomes"
            ws.merge_range(local[0].row - 1, 0, local[0].row - 1, last, note, f["group_wrap"])
            self._fit(ws, local[0].row - 1, note, 67 + 22 * len(spec.columns))
        ws.freeze_panes(FIRST_ROW, 2)
        self._page(ws, spec.title, last)
        self._protect(ws)

    def _action_plan(self) -> None:
        spec = self.fw.sheets.action_plan
        ws, f = self.sheets[spec.title], self.f
        last = len(spec.columns)
        self._title(ws, spec.heading or spec.title, self.info.setting, last)
        ws.merge_range(
            2, 0, 2, last, "One action per row. Yellow cells are for you to fill in.", f["small"]
        )
        self._headers(ws, [("No.", 6)] + [(c.label, c.width) for c in spec.columns])
        rows = self.layout.table_rows["action_plan"]
        for row in rows:
            ws.write_string(row.row, 0, row.key, f["id"])
        for j, column in enumerate(spec.columns):
            self._input_range(ws, rows[0].row, rows[-1].row, 1 + j, column)
        carried = self.carry.open_actions if self.carry else ()
        for row, action in zip(rows, carried):
            for cid, cell in row.cells.items():
                value = _cell_value(action.get(cid))
                if value not in (None, ""):
                    self._input(
                        ws,
                        cell,
                        self.layout.table_columns["action_plan"][cid],
                        value,
                        validate=False,
                    )
        if "status" in self.layout.table_columns["action_plan"]:
            col = rows[0].cells["status"].col
            for option in spec.columns[col - 1].options:
                if f"cf:{option}" in f:
                    ws.conditional_format(
                        rows[0].row,
                        col,
                        rows[-1].row,
                        col,
                        {
                            "type": "cell",
                            "criteria": "==",
                            "value": f'"{option}"',
                            "format": f[f"cf:{option}"],
                        },
                    )
        ws.freeze_panes(FIRST_ROW, 1)
        self._page(ws, spec.title, last)
        self._protect(ws)
        if COMPLETED_SHEET in self.sheets:
            self._completed_actions()

    def _completed_actions(self) -> None:
        spec = self.fw.sheets.action_plan
        ws, f = self.sheets[COMPLETED_SHEET], self.f
        last = len(spec.columns)
        self._title(ws, "Completed actions", f"Carried from {self.info.previous_term}", last)
        self._headers(ws, [("No.", 6)] + [(c.label, c.width) for c in spec.columns])
        done = self.carry.completed_actions if self.carry else ()
        for i, action in enumerate(done):
            row = FIRST_ROW + i
            ws.write_string(row, 0, str(action.get("key", i + 1)), f["id"])
            for j, column in enumerate(spec.columns):
                value = _cell_value(action.get(column.id))
                if isinstance(value, dt.date):
                    ws.write_datetime(row, 1 + j, value, f["locked_date"])
                else:
                    self._text(ws, row, 1 + j, "" if value is None else str(value), f["locked"])
        if not done:
            ws.write_string(FIRST_ROW, 1, "No completed actions yet.", f["small"])
        self._page(ws, COMPLETED_SHEET, last)
        self._protect(ws)

    def _portfolio(self) -> None:
        spec = self.fw.sheets.portfolio
        ws, f, fw = self.sheets[spec.title], self.f, self.fw
        last = 3 + len(spec.columns)
        self._title(ws, spec.heading or spec.title, self.info.setting, last)
        ws.merge_range(
            2,
            0,
            2,
            last,
            f"Up to {spec.evidence_per_item} items of evidence per {_sentence(fw.labels.item)}.",
            f["small"],
        )
        headers = [
            ("Ref", 8),
            (fw.labels.item, 45),
            ("Examples of evidence to include", 40),
            ("Key evidence presented", 40),
        ] + [(c.label, c.width) for c in spec.columns]
        self._headers(ws, headers)
        columns = self.layout.table_columns["portfolio"]
        fields = self.layout.table_columns["portfolio_fields"]
        items = {item.id: item for item in fw.items}
        groups = {g.id: g for g in fw.groups}
        seen_groups: set[str] = set()
        for row in self.layout.table_rows["portfolio"]:
            if row.key.endswith(":fields"):
                for fid, cell in row.cells.items():
                    ws.write_string(cell.row, 0, "", f["locked"])
                    ws.merge_range(cell.row, 1, cell.row, 2, fields[fid].label, f["label"])
                    self._input(ws, cell, fields[fid])
                continue
            key, n = row.key.rsplit("#", 1)
            item = items.get(key)
            group = groups[item_group(fw, key)] if item else groups[key]
            if group.id not in seen_groups:
                seen_groups.add(group.id)
                ws.write_string(row.row - 1, 0, group.id, f["group"])
                ws.merge_range(
                    row.row - 1,
                    1,
                    row.row - 1,
                    last,
                    f"{fw.labels.group} {group.id}: {group.title}",
                    f["group"],
                )
            first = n == "1"
            ws.write_string(row.row, 0, key if first else "", f["id"])
            text = (
                (item.text if item else f"{fw.labels.group} {group.id} (best fit)") if first else ""
            )
            self._text(ws, row.row, 1, text, f["locked"])
            examples = "\n".join(item.evidence) if (item and first) else ""
            ws.write_string(row.row, 2, examples, f["descriptor"])
            self._fit(ws, row.row, examples, 44)
            for cid, cell in row.cells.items():
                self._input(ws, cell, columns[cid])
        ws.freeze_panes(FIRST_ROW, 2)
        self._page(ws, spec.title, last)
        self._protect(ws)

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


_DATE_COLUMN = Column(id="date", label="Date", type="date")
_TEXT_COLUMN = Column(id="text", label="Text")


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, last) runs."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def item_group(framework: Framework, item_id: str) -> str:
    for group in framework.groups:
        if any(item.id == item_id for item in group.items):
            return group.id
    raise KeyError(item_id)


def _sentence(label: str) -> str:
    """A label as it reads inside a sentence: 'Theme' → 'theme', but 'KPI status' and
    'RAG rated progress' keep their capitals (only a capitalised first word is lowered)."""
    first, _, rest = label.partition(" ")
    if first[:1].isupper() and first[1:] == first[1:].lower():
        first = first.lower()
    return f"{first} {rest}" if rest else first


def _line_count(text: str, width: float) -> int:
    """Lines a wrapped text needs in a column ``width`` characters wide (Arial 10)."""
    per_line = max(1, int(width * 1.15) - 1)
    total = 0
    for paragraph in text.split("\n"):
        total += max(1, -(-len(paragraph) // per_line))
    return total


def _cell_value(value: Any) -> Any:
    """A value read from a return, as it should be written back (ISO dates become dates)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _header_text(text: str) -> str:
    """Header/footer text: '&' must be doubled, and Excel allows 255 characters in all."""
    return text.replace("&", "&&")[:80]


def _range_refs(cells: tuple[Cell, ...]) -> list[str]:
    """Contiguous runs of cells as absolute range references for COUNTIF."""
    refs: list[str] = []
    run: list[Cell] = []
    for cell in cells:
        if run and (
            cell.sheet != run[-1].sheet or cell.col != run[-1].col or cell.row != run[-1].row + 1
        ):
            refs.append(_run_ref(run))
            run = []
        run.append(cell)
    if run:
        refs.append(_run_ref(run))
    return refs


def _run_ref(run: list[Cell]) -> str:
    first, last = run[0], run[-1]
    if first is last:
        return first.ref()
    return f"{first.ref()}:{a1(last.row, last.col, True)}"


def _validation(column: Column) -> dict | None:
    help_text = column.help[:255]
    if column.options:
        return {
            "validate": "list",
            "source": list(column.options),
            "input_title": column.label[:32],
            "input_message": help_text
            or f"Choose from the list: {', '.join(column.options)}"[:255],
            "error_title": "Choose from the list",
            "error_message": f"Please choose one of: {', '.join(column.options)}."[:255],
            "error_type": "stop",
        }
    if column.type == "date":
        return {
            "validate": "date",
            "criteria": "between",
            "minimum": DATE_MIN,
            "maximum": DATE_MAX,
            "input_title": column.label[:32],
            "input_message": help_text or "Type a date as dd/mm/yyyy, e.g. 31/10/2026.",
            "error_title": "Not a date",
            "error_message": "Please type a date as dd/mm/yyyy, e.g. 31/10/2026.",
            "error_type": "stop",
        }
    if column.type == "number":
        return {
            "validate": "decimal",
            "criteria": "between",
            "minimum": -1e12,
            "maximum": 1e12,
            "input_title": column.label[:32],
            "input_message": help_text or "Type a number.",
            "error_title": "Not a number",
            "error_message": "Please type a number.",
            "error_type": "stop",
        }
    if help_text:
        return {"validate": "any", "input_title": column.label[:32], "input_message": help_text}
    return None


def _formats(wb, framework: Framework) -> dict[str, Any]:
    base = {
        "font_name": "Arial",
        "font_size": 10,
        "valign": "top",
        "border": 1,
        "border_color": "#BFBFBF",
    }

    def fmt(**kw):
        return wb.add_format(base | kw)

    f = {
        "title": wb.add_format(
            {"font_name": "Arial", "bold": True, "font_size": 14, "font_color": HEAD_FILL}
        ),
        "subtitle": wb.add_format(
            {
                "font_name": "Arial",
                "italic": True,
                "font_size": 10,
                "text_wrap": True,
                "valign": "top",
            }
        ),
        "small": wb.add_format(
            {
                "font_name": "Arial",
                "font_size": 9,
                "italic": True,
                "text_wrap": True,
                "valign": "top",
            }
        ),
        "header": fmt(bold=True, font_color="#FFFFFF", bg_color=HEAD_FILL, text_wrap=True),
        "group": fmt(bold=True, bg_color=GROUP_FILL),
        "group_wrap": fmt(bold=True, bg_color=GROUP_FILL, text_wrap=True),
        "label": fmt(bold=True, text_wrap=True),
        "locked": fmt(text_wrap=True),
        "wrap": fmt(text_wrap=True),
        "descriptor": fmt(text_wrap=True, font_size=9, font_color="#404040"),
        "judgement": fmt(text_wrap=True, bold=True, italic=True, bg_color="#F2F2F2"),
        "id": fmt(bold=True),
        "input": fmt(text_wrap=True, locked=False, bg_color=INPUT_FILL),
        "input_date": fmt(locked=False, bg_color=INPUT_FILL, num_format="dd/mm/yyyy"),
        "locked_date": fmt(num_format="dd/mm/yyyy"),
        "previous": fmt(text_wrap=True, italic=True, bg_color="#F2F2F2"),
        "count": fmt(num_format="0", align="center"),
        "pct": fmt(num_format="0.0%", align="center"),
        "total": fmt(bold=True, top=2),
        "total_id": fmt(bold=True, top=2),
        "total_count": fmt(bold=True, top=2, num_format="0", align="center"),
        "total_pct": fmt(bold=True, top=2, num_format="0.0%", align="center"),
        "warning": fmt(bold=True, text_wrap=True, bg_color="#FCE4D6", font_color="#C00000"),
    }
    for level in framework.scale.levels:
        f[f"level:{level.label}"] = fmt(bold=True, bg_color=level.colour)
        f[f"cf:{level.label}"] = wb.add_format({"bg_color": level.colour, "bold": True})
    for level in ("Red", "Amber", "Green"):
        colours = {"Red": "#FF9999", "Amber": "#FFD966", "Green": "#A9D08E"}
        f.setdefault(f"cf:{level}", wb.add_format({"bg_color": colours[level], "bold": True}))
    return f
