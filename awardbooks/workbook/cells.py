"""What every sheet of a school's workbook shares: fills, date limits, dropdown rules,
the formats, and sizing text to its cells."""

from __future__ import annotations

import datetime as dt
from typing import Any

from awardbooks.spec.model import Column, Framework
from awardbooks.workbook.layout import (
    Cell,
    a1,
)

INPUT_FILL = "#FFF7D6"
HEAD_FILL = "#1F4E79"
GROUP_FILL = "#DDEBF7"
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


DATE_COLUMN = Column(id="date", label="Date", type="date")
TEXT_COLUMN = Column(id="text", label="Text")


def runs(rows: list[int]) -> list[tuple[int, int]]:
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


def group_heading(label: str, group) -> str:
    """A group's heading: "Area 2.1: Parenting"; a group whose title already says its id
    (the MAP's "generic" group, "Generic actions") is headed by its title alone."""
    if group.id.casefold() in group.title.casefold():
        return group.title
    return f"{label} {group.id}: {group.title}"


def sentence(label: str) -> str:
    """A label as it reads inside a sentence: 'Theme' → 'theme', but 'KPI status' and
    'RAG rated progress' keep their capitals (only a capitalised first word is lowered)."""
    first, _, rest = label.partition(" ")
    if first[:1].isupper() and first[1:] == first[1:].lower():
        first = first.lower()
    return f"{first} {rest}" if rest else first


_QUESTION_WORDS = frozenset(
    "what where how which who when why is are do does did can could should would will".split()
)


def choose(label: str) -> str:
    """The start of 'Choose ... for each row' for a rating column headed ``label``: 'Choose a
    rating', 'Choose an overall judgement', 'Choose a KPI status'; a heading that is not a
    plain name ('Where are we now?') is quoted: 'Under "Where are we now?", choose one'."""
    words = label.split()
    plain = bool(words) and all(w.replace("-", "").isalnum() for w in words)
    if not plain or words[0].casefold() in _QUESTION_WORDS:
        return f'Under "{label}", choose one'
    phrase = sentence(label)
    article = "an" if phrase[:1].casefold() in "aeiou" else "a"
    return f"Choose {article} {phrase}"


def line_count(text: str, width: float) -> int:
    """Lines a wrapped text needs in a column ``width`` characters wide (Arial 10)."""
    per_line = max(1, int(width * 1.15) - 1)
    total = 0
    for paragraph in text.split("\n"):
        total += max(1, -(-len(paragraph) // per_line))
    return total


def cell_value(value: Any) -> Any:
    """A value read from a return, as it should be written back (ISO dates become dates)."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


def header_text(text: str) -> str:
    """Header/footer text: '&' must be doubled, and Excel allows 255 characters in all."""
    return text.replace("&", "&&")[:80]


def range_refs(cells: tuple[Cell, ...]) -> list[str]:
    """Contiguous runs of cells as absolute range references for COUNTIF."""
    refs: list[str] = []
    run: list[Cell] = []
    for cell in cells:
        if run and (
            cell.sheet != run[-1].sheet or cell.col != run[-1].col or cell.row != run[-1].row + 1
        ):
            refs.append(run_ref(run))
            run = []
        run.append(cell)
    if run:
        refs.append(run_ref(run))
    return refs


def run_ref(run: list[Cell]) -> str:
    first, last = run[0], run[-1]
    if first is last:
        return first.ref()
    return f"{first.ref()}:{a1(last.row, last.col, True)}"


def column_validation(column: Column) -> dict | None:
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


def formats(wb, framework: Framework) -> dict[str, Any]:
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
        "descriptor": fmt(text_wrap=True, font_color="#404040"),
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


PRINT_WIDTH = 150
"""Column widths (in characters) that fit one A4 landscape page wide with text printed at 8 pt
or more, as LibreOffice renders it (measured by ``tests/test_print.py``): a sheet's columns
are narrowed to this, with their rows made taller to hold the wrapped text."""
NARROW = 16
"""Columns this wide or narrower (ids, ratings, dates, yes/no) keep their width."""
MIN_WIDTH = 11


def fit_widths(widths: list[float], budget: float = PRINT_WIDTH) -> list[float]:
    """The widths narrowed to ``budget``: the wide (text) columns shrink in proportion, none
    below :data:`MIN_WIDTH`; narrow ones keep their width. Hidden columns (width 0) stay 0."""
    total = sum(widths)
    if total <= budget:
        return list(widths)
    wide = [w > NARROW for w in widths]
    fixed = sum(w for w, is_wide in zip(widths, wide) if not is_wide)
    flexible = total - fixed
    room = max(budget - fixed, MIN_WIDTH * sum(wide))
    ratio = room / flexible
    return [max(MIN_WIDTH, round(w * ratio, 1)) if big else w for w, big in zip(widths, wide)]
