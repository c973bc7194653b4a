"""The feedback workbook: one sheet, A4 portrait, one page wide, written top to bottom from a
:class:`~awardbooks.outputs.feedback.Feedback`. Text from returns is written with ``write_string``
only (never as a formula or link), cleaned of characters a cell cannot hold."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from awardbooks.common.identity import term_title
from awardbooks.common.text import excel_text
from awardbooks.common.xlsx import new_workbook
from awardbooks.outputs.feedback import Feedback, GroupLine
from awardbooks.outputs.sheetrows import BulkRows
from awardbooks.read.returns import completion_text

SHEET = "Feedback"
WIDTHS = (13, 46, 12, 12, 12, 17)  # columns A–F: fits A4 portrait, one page wide
BLUE, GREY = "#2F5597", "#A6A6A6"


def _lines(text: str, width: float) -> int:
    per_line = max(1, int(width * 1.3) - 1)
    return sum(max(1, -(-len(p) // per_line)) for p in text.split("\n"))


def _header_text(text: str) -> str:
    return text.replace("&", "&&")[:100]


class _Page:
    """The one sheet, written top to bottom."""

    def __init__(self, wb, ws, bulk):
        self.wb, self.ws, self.row = wb, ws, 0
        self.bulk = bulk  # where texts xlsxwriter would take for rich-text XML are kept
        self.cache: dict[tuple, Any] = {}
        self.heights: dict[int, float] = {}

    def fmt(self, **props: Any):
        props = {"valign": "top", "font_size": 10, **props}
        key = tuple(sorted(props.items()))
        if key not in self.cache:
            self.cache[key] = self.wb.add_format(props)
        return self.cache[key]

    def text(self, col: int, value: str, fmt=None, last_col: int | None = None) -> None:
        value = excel_text(value)
        fmt = fmt or self.fmt(text_wrap=True)
        if last_col is not None and last_col > col:
            self.ws.merge_range(self.row, col, self.row, last_col, "", fmt)
        self.ws.write_string(self.row, col, self.bulk.text(value), fmt)
        width = sum(WIDTHS[col : (last_col or col) + 1])
        lines = _lines(value, width)
        if lines > 1 and 12.5 * lines + 3 > self.heights.get(self.row, 15):
            self.heights[self.row] = 12.5 * lines + 3
            self.ws.set_row(self.row, self.heights[self.row])

    def number(self, col: int, value: float | None, fmt, missing: str = "not rated") -> None:
        if value is None:
            self.ws.write_string(self.row, col, missing, self.fmt(italic=True, align="right"))
        else:
            self.ws.write_number(self.row, col, value, fmt)

    def heading(self, title: str, note: str = "") -> None:
        self.row += 1
        self.text(0, title, self.fmt(bold=True, font_size=12, font_color=BLUE, bottom=2,
                                     bottom_color=BLUE), 5)  # fmt: skip
        self.row += 1
        if note:
            self.text(0, note, self.fmt(italic=True, text_wrap=True), 5)
            self.row += 1

    def columns(self, names: list[str], spans: dict[int, int] | None = None) -> None:
        head = self.fmt(bold=True, bg_color="#DDEBF7", bottom=1, text_wrap=True)
        spans = spans or {}
        for col, name in enumerate(names):
            if name is None:
                continue
            self.text(col, name, head, spans.get(col))
        self.row += 1

    def line(self, message: str) -> None:
        self.text(0, message, self.fmt(italic=True, text_wrap=True), 5)
        self.row += 1


def write_workbook(s: Feedback, target, analysed_on: str = "") -> None:
    """Write one setting's feedback workbook to ``target`` (a path or binary file)."""
    package = io.BytesIO()
    wb = new_workbook(package)
    wb.set_properties({"title": "awardbooks feedback report"})  # so it is never taken for a return
    ws = wb.add_worksheet(SHEET)
    bulk = BulkRows()
    page = _Page(wb, ws, bulk)
    fw = s.framework
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    ws.set_portrait()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.7)
    ws.set_header(f"&L&9{_header_text(s.setting)}&R&9{_header_text(fw.name)}")
    ws.set_footer(f"&L&9Analysed {_header_text(analysed_on)}&R&9Page &P of &N")
    ws.hide_gridlines(2)
    _intro(page, s)
    _scores(page, s)
    _changes(page, s)
    _gaps(page, s)
    if s.framework.sheets.action_plan is None and _plan_columns(s):
        _plan(page, s)  # the action plan is in the rating sheets' columns (an IARAP)
    else:
        _actions(page, s)
    _warnings(page, s)
    ws.print_area(0, 0, max(page.row - 1, 0), len(WIDTHS) - 1)
    wb.close()
    if isinstance(target, str | Path):
        with open(target, "wb") as handle:
            bulk.splice(package.getvalue(), handle)
    else:
        bulk.splice(package.getvalue(), target)


def _pct(value: float | None) -> str:
    return "not rated" if value is None else f"{value:.1f}%"


def _intro(page: _Page, s: Feedback) -> None:
    fw = s.framework
    page.text(0, f"Feedback for {s.setting}", page.fmt(bold=True, font_size=16), 5)
    page.heights[0] = 24
    page.ws.set_row(0, 24)
    page.row += 1
    page.text(0, f"{fw.title}: {term_title(s.year, s.term)}", page.fmt(font_size=11), 5)
    page.row += 1
    details = []
    if s.partnership:
        details.append(f"Partnership: {s.partnership}")
    if s.urn:
        details.append(f"URN: {s.urn}")
    if s.completed_on or s.completed_by:
        on = f" on {_uk_date(s.completed_on)}" if s.completed_on else ""
        details.append(f"Completed{on}" + (f" by {s.completed_by}" if s.completed_by else ""))
    details.append(f"Return file: {Path(s.file).name}")
    page.text(0, ". ".join(details) + ".", page.fmt(text_wrap=True, font_color="#595959"), 5)
    page.row += 1
    overall = next((g for g in s.groups if g.group_id == "ALL"), None)
    if overall is not None:
        summary = (
            f"Overall score {_pct(overall.pct)} ({completion_text(overall.rated, overall.total)}"
            f"), against a partnership average of "
            f"{_pct(overall.average)} ({s.settings_in_average} setting"
            f"{'s' if s.settings_in_average != 1 else ''}, {term_title(s.year, s.term)})."
        )
        if s.previous and overall.change is not None:
            summary += f" Since {term_title(*s.previous)}: {overall.change:+.1f} points" + (
                "; at least one rating went down." if overall.slipped else "."
            )
        summary += f" {len(s.gaps)} item{'s' if len(s.gaps) != 1 else ''} still {s.lowest}"
        if fw.sheets.action_plan is not None:
            summary += f", {len(s.overdue)} overdue action{'s' if len(s.overdue) != 1 else ''}"
        summary += "."
        page.row += 1
        page.text(0, summary, page.fmt(text_wrap=True, bold=True), 5)
        page.row += 1


def _uk_date(iso: str) -> str:
    try:
        return dt.date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def _units(fw) -> str:
    """What a framework's scores count: its items, its best-fit judgements, or both."""
    by_judgement = [g.judgement_only for g in fw.groups]
    if all(by_judgement):
        return f"{fw.labels.judgement.lower()}s"
    if any(by_judgement):
        return f"items and {fw.labels.judgement.lower()}s"
    return "items"


def _scores(page: _Page, s: Feedback) -> None:
    fw = s.framework
    page.heading(
        f"Scores by {fw.labels.group.lower()}",
        f"Score % is the mean of the rated {_units(fw)}' scores ({fw.scale.describe()}) over "
        f"the top score. The partnership average is over the settings of "
        f"{s.partnership or 'no partnership'} that returned {fw.name} for "
        f"{term_title(s.year, s.term)}.",
    )
    page.columns([fw.labels.group, "Title", "This setting %", "Partnership average %",
                  "Difference (points)", "Rated"])  # fmt: skip
    pct = page.fmt(num_format="0.0")
    diff = page.fmt(num_format="+0.0;-0.0;0.0")
    first = page.row
    for g in s.groups:
        bold = g.group_id == "ALL"
        page.text(0, g.label, page.fmt(bold=bold))
        page.text(1, g.title, page.fmt(text_wrap=True, bold=bold))
        page.number(2, g.pct, page.fmt(num_format="0.0", bold=bold) if bold else pct)
        page.number(3, g.average, pct, "-")
        delta = None if g.pct is None or g.average is None else round(g.pct - g.average, 1)
        page.number(4, delta, diff, "-")
        page.text(5, f"{g.rated} of {g.total}", page.fmt(align="right"))
        page.row += 1
    groups = [g for g in s.groups if g.group_id != "ALL"]
    if not groups:
        return
    chart = page.wb.add_chart({"type": "bar"})
    last = first + len(groups) - 1
    for col, colour in ((2, BLUE), (3, GREY)):
        chart.add_series({
            "name": [SHEET, first - 1, col],
            "categories": [SHEET, first, 0, last, 0],
            "values": [SHEET, first, col, last, col],
            "fill": {"color": colour},
            "border": {"color": "#404040"},
            "data_labels": {"value": True, "num_format": "0", "font": {"size": 8}},
            "gap": 60,
        })  # fmt: skip
    # a fixed title: chart texts starting with "=" would be read as formulas
    chart.set_title({"name": "Score % against the partnership average", "name_font": {"size": 10}})
    chart.set_x_axis(
        {
            "min": 0,
            "max": 100,
            "major_unit": 25,
            "num_font": {"size": 8},
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}})
    chart.set_legend({"position": "bottom", "font": {"size": 8}})
    height = 100 + 26 * len(groups)
    width = sum(int(w * 7 + 5) for w in WIDTHS) - 8  # the table's width, in pixels
    chart.set_size({"width": width, "height": height})
    page.row += 1
    page.ws.insert_chart(page.row, 0, chart, {"x_offset": 4, "y_offset": 2})
    page.row += height // 20 + 1


def _changes(page: _Page, s: Feedback) -> None:
    fw = s.framework
    if s.previous is None:
        page.heading("What changed since last term")
        page.line("This is the setting's first return of this framework: there is no earlier "
                  "term to compare with.")  # fmt: skip
        return
    was = term_title(*s.previous)
    page.heading(
        f"What changed since {was}",
        "Change is in percentage points. The note counts the items rated both times that went "
        "up, stayed the same and went down: a rating can go down even when the score rises.",
    )
    was_, now_ = term_title(*s.previous, "\n"), term_title(s.year, s.term, "\n")
    page.columns([fw.labels.group, "Title", f"{was_} %", f"{now_} %", "Change (points)", "Note"])
    pct = page.fmt(num_format="0.0")
    diff = page.fmt(num_format="+0.0;-0.0;0.0")
    for g in s.groups:
        bold = g.group_id == "ALL"
        page.text(0, g.label, page.fmt(bold=bold))
        page.text(1, g.title, page.fmt(text_wrap=True, bold=bold))
        page.number(2, g.before, pct, "-")
        page.number(3, g.pct, pct)
        page.number(4, g.change, diff, "-")
        note = _change_note(g)
        page.text(5, note, page.fmt(text_wrap=True, bold=g.slipped, indent=1,
                                    font_color="#9C0006" if g.slipped else "#000000"))  # fmt: skip
        page.row += 1
    if s.went_down:
        page.row += 1
        page.text(0, "Ratings that went down", page.fmt(bold=True), 5)
        page.row += 1
        page.columns(["ID", "Item", was_, now_, None, None], {3: 5})
        for item, text, old, new in s.went_down:
            page.text(0, item)
            page.text(1, text, page.fmt(text_wrap=True))
            page.text(2, old)
            page.text(3, new, page.fmt(), 5)
            page.row += 1


def _change_note(g: GroupLine) -> str:
    if g.change is None:
        words = "No score to compare"
    elif g.change > 0:
        words = "Up"
    elif g.change < 0:
        words = "Down"
    else:
        words = "No change"
    if g.moved is None or not sum(g.moved):
        return f"{words}; a rating went down" if g.slipped else words
    down, same, up = g.moved
    counts = [f"{n} {what}" for n, what in ((up, "up"), (same, "the same"), (down, "down")) if n]
    return f"{words} ({', '.join(counts)})"


def _gaps(page: _Page, s: Feedback) -> None:
    page.heading(
        f"Gaps: items still {s.lowest}",
        f"The gaps that should drive the action plan: every item rated {s.lowest}, the lowest "
        f"level of the scale.",
    )
    if not s.gaps:
        page.line(f"No item is rated {s.lowest}.")
    else:
        page.columns(["ID", s.framework.labels.item, None, None, None, s.framework.labels.group],
                     {1: 4})  # fmt: skip
        for item, text, group in s.gaps:
            page.text(0, item, page.fmt(bold=True))
            page.text(1, text, page.fmt(text_wrap=True), 4)
            page.text(5, group)
            page.row += 1
    if s.unrated:
        page.line(f"{s.unrated} rating{'s are' if s.unrated != 1 else ' is'} still blank.")


def _plan_columns(s: Feedback) -> list[str]:
    return [c.label for c in s.framework.audit.columns if c.input]


def _plan(page: _Page, s: Feedback) -> None:
    fw = s.framework
    item = fw.labels.item
    page.heading(f"The plan beside each {item}", f"What the setting typed in the columns "
                 f"beside each {item}: {', '.join(_plan_columns(s))}.")  # fmt: skip
    if s.plan is None:  # not gathered
        page.line("The plan is in these columns of the return itself.")
        return
    if not s.plan:
        page.line("Nothing typed in these columns yet.")
        return
    page.columns(["ID", item, None, "The plan", None, None], {1: 2, 3: 5})
    for key, text, lines in s.plan:
        page.text(0, key, page.fmt(bold=True))
        page.text(1, text, page.fmt(text_wrap=True), 2)
        page.text(3, lines, page.fmt(text_wrap=True), 5)
        page.row += 1


def _actions(page: _Page, s: Feedback) -> None:
    page.heading("Overdue actions", "Actions in the action plan whose end date has passed and "
                 "whose status is not complete.")  # fmt: skip
    if s.framework.sheets.action_plan is None:
        page.line(f"{s.framework.name} has no action plan sheet.")
        return
    if not s.overdue:
        page.line("No overdue actions.")
        return
    page.columns(["No.", "Action", "Lead", "Due", "Status", None], {4: 5})
    for a in s.overdue:
        page.text(0, str(a["row"]))
        page.text(1, str(a["action"]), page.fmt(text_wrap=True))
        page.text(2, str(a["lead"]), page.fmt(text_wrap=True))
        page.text(3, _uk_date(str(a["end"])))
        page.text(4, str(a["status"]) or "(none)", page.fmt(text_wrap=True), 5)
        page.row += 1


def _warnings(page: _Page, s: Feedback) -> None:
    page.heading("Points to check in the return",
                 "The return was used, but someone should look at these.")  # fmt: skip
    if not s.warnings:
        page.line("None: the return was read without problems.")
        return
    page.columns(["Where", "What", None, None, None, None], {1: 5})
    for where, text in s.warnings:
        page.text(0, where, page.fmt(text_wrap=True))
        page.text(1, text, page.fmt(text_wrap=True), 5)
        page.row += 1
