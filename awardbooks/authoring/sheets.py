"""The authoring workbook's sheets, columns and cell values, defined once.

:mod:`awardbooks.authoring.writing` writes these sheets and
:mod:`awardbooks.authoring.reading` reads them back, as :mod:`awardbooks.workbook.layout`
does for the schools' workbooks.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any

from awardbooks.authoring import codes
from awardbooks.authoring.keyvalues import SHEETS_ROWS as SHEETS_ROWS  # re-exported
from awardbooks.authoring.keyvalues import YES_NO, KeyValueRow
from awardbooks.authoring.keyvalues import choices as _choices
from awardbooks.problems import Problem
from awardbooks.spec.model import (
    DateWarning,
    Labels,
)

INSTRUCTIONS = "Instructions"
FRAMEWORK = "Framework"
SCALE = "Scale"
GROUPS = "Groups"
ITEMS = "Items"
ITEM_INFO = "Item info"
COLUMNS = "Columns"
SHEETS = "Sheets"
OUTCOMES = "Outcomes"
INFO_FIELDS = "Info fields"
EDITIONS = "Editions"
LISTS = "Lists"
LIST_ROWS = "List rows"
LIST_COLUMNS = "List columns"
REQUIRED_SHEETS = (FRAMEWORK, SCALE, GROUPS, ITEMS)

MAX_LEVELS = 6
"""Level rows on the Scale sheet and descriptor columns on Items (more if a spec needs them)."""
LAST_ROW = 2000
"""Dropdowns and formats reach this row of each table."""

KV_HEADINGS = ("Setting", "Value", "Help")
INSTRUCTIONS_LABEL = "Instructions for the school (one paragraph per row, in column B)"
INSTRUCTION_ROWS = 15
LEVEL_TABLE_ROW = 5
"""The Scale sheet's level table heading row (0-based); level k (1-based) is row 6 + k."""
LEVEL_HEADINGS = ("Level", "Label", "Meaning", "Score", "Colour", "In use")
COLOURS = {
    "green": "#C6EFCE",
    "amber": "#FFEB9C",
    "red": "#FFC7CE",
    "blue": "#DDEBF7",
    "grey": "#D9D9D9",
    "white": "#FFFFFF",
}
DESCRIPTOR = "Descriptor"


@dataclass(frozen=True)
class Col:
    """One column of a table sheet (headings in row 1, one entry per row below)."""

    heading: str
    key: str
    kind: str = "text"  # id | text | lines | yesno | number | choice
    width: float = 20
    help: str = ""
    options: tuple[tuple[str, Any], ...] = ()
    source: str = ""  # a dropdown fed by another sheet's column, e.g. "=Groups!$A$2:$A$2000"



DATE_WARNINGS: tuple[str, ...] = DateWarning.__args__
"""The codes a cover date's limit may be reported with."""

_L = Labels()
FRAMEWORK_ROWS = (
    KeyValueRow(
        "Framework id",
        "id",
        help="Short id: lower-case letters, digits and -, e.g. "
        "my-framework. Used on the command line and in file names.",
    ),
    KeyValueRow("Title", "title", help="The framework's full title."),
    KeyValueRow("Short title", "short_title", help="Optional: at most 40 characters, for headers."),
    KeyValueRow(
        "Version", "version", help="This edition, e.g. 2026.1; written into every workbook."
    ),
    KeyValueRow(
        "Status",
        "status",
        "choice",
        "complete, or skeleton when wording is still to come.",
        _choices("complete", "complete", "skeleton", "skeleton"),
        "complete",
    ),
    KeyValueRow("Source document", "source.document", help="Where the wording comes from."),
    KeyValueRow("Source file", "source.file", help="Optional: the file it was transcribed from."),
    KeyValueRow("Source notes", "source.notes", help="Optional: repairs, choices, caveats."),
    KeyValueRow(
        "Group word",
        "labels.group",
        help="Your word for a group: Theme, Objective, ...",
        default=_L.group,
    ),
    KeyValueRow(
        "Item word",
        "labels.item",
        help="Your word for an item: Descriptor, KPI, ...",
        default=_L.item,
    ),
    KeyValueRow(
        "Rating heading", "labels.rating", help="Heading of the rating column.", default=_L.rating
    ),
    KeyValueRow("Date heading", "labels.date", help="Heading of the date column.", default=_L.date),
    KeyValueRow(
        "Comment heading",
        "labels.comment",
        help="Heading of the comment column.",
        default=_L.comment,
    ),
    KeyValueRow(
        "Judgement heading",
        "labels.judgement",
        help="Heading of a best-fit judgement row.",
        default=_L.judgement,
    ),
    KeyValueRow(
        "Scores note",
        "scores_note",
        help="Optional: shown on the cover under the rating scale, where the scores come from "
        "(e.g. awardbooks' convention; the source document gives none).",
    ),
)

SCALE_ROWS = (
    KeyValueRow("Built-in scale", "scale.builtin", help="Choose a built-in scale, or leave "
                "empty and type your own levels below (not both)."),
    KeyValueRow("Scale id", "scale.id", help="Your own scale: a short id, e.g. four-point "
                "(optional)."),
    KeyValueRow("Scale title", "scale.title", help="Your own scale: e.g. Four point scale "
                "(optional)."),
)  # fmt: skip

OPTIONAL_SHEETS = ("info", "membership", "outcomes", "action_plan", "portfolio")

_ROWS = f"$2:$A${LAST_ROW}"
GROUP_COLUMNS = (
    Col("Group id", "id", "id", 12, "A short id, e.g. 1 or A; letters, digits, . _ -"),
    Col("Title", "title", "text", 50, "The group's title."),
    Col("Note", "note", "text", 40, "Optional text shown under the group's heading."),
    Col(
        "Best-fit judgement",
        "judgement",
        "yesno",
        14,
        "Yes: the group gets an overall best-fit judgement row (No if empty).",
        YES_NO,
    ),
    Col(
        "Scored by",
        "scored_by",
        "choice",
        16,
        "items: the group's % comes from its rated items (if empty); best-fit judgement: from "
        "its judgement alone, the items being the evidence beside it.",
        _choices("items", "items", "best-fit judgement", "judgement"),
    ),
)
ITEM_COLUMNS = (
    Col(
        "Group id",
        "group",
        "id",
        10,
        "The item's group, from the Groups sheet.",
        source=f"=Groups!$A{_ROWS}",
    ),
    Col("Item id", "id", "id", 10, "Unique and stable across editions, e.g. 1.1"),
    Col("Text", "text", "text", 60, "The item's wording."),
    Col(
        "Evidence examples",
        "evidence",
        "lines",
        40,
        "Optional: one example per line (Alt+Enter in Excel).",
    ),
    Col(
        "Evidence pre-entered",
        "preset_evidence",
        "lines",
        30,
        "Optional: evidence every setting presents, pre-entered in the portfolio; one per line.",
    ),
    Col("Rated", "rated", "yesno", 9, "No: shown but not rated (Yes if empty).", YES_NO),
)
ITEM_INFO_COLUMNS = (
    Col(
        "Item id",
        "item",
        "id",
        12,
        "An item id from the Items sheet.",
        source=f"=Items!$B{_ROWS.replace('$A', '$B')}",
    ),
    Col(
        "Column id",
        "column",
        "id",
        16,
        "A Rating sheets column whose School fills in is No.",
        source=f"=Columns!$B{_ROWS.replace('$A', '$B')}",
    ),
    Col("Text", "text", "text", 60, "The locked text shown in that column for that item."),
)
PARTS = _choices(
    "Cover sheet", "cover_fields",
    "Rating sheets", "audit.columns",
    "Action plan", "sheets.action_plan.columns",
    "Portfolio evidence", "sheets.portfolio.columns",
    "Portfolio per group", "sheets.portfolio.fields",
    "Outcomes", "sheets.outcomes.columns",
)  # fmt: skip
TYPES = _choices(
    "text", "text", "date", "date", "yes/no", "yesno", "choice", "choice", "number", "number"
)
COLUMN_COLUMNS = (
    Col("Part", "part", "choice", 18, "Where the column goes.", PARTS),
    Col("Column id", "id", "id", 16, "A short id, unique within its part, e.g. lead"),
    Col("Heading", "label", "text", 30, "The column's heading in the workbook."),
    Col(
        "Type", "type", "choice", 10, "text, date, yes/no, choice or number (text if empty).", TYPES
    ),
    Col("Choices", "choices", "lines", 30, "For type choice: one choice per line."),
    Col("Width", "width", "number", 8, "Column width in characters (24 if empty)."),
    Col(
        "School fills in",
        "input",
        "yesno",
        12,
        "No: locked text from the Item info sheet (Rating sheets only); Yes if empty.",
        YES_NO,
    ),
    Col("Help", "help", "text", 40, "Optional prompt shown when the cell is selected."),
    Col(
        "Date limit: after",
        "within.after",
        "id",
        16,
        "Cover dates only, optional: the id of an earlier cover date this one may follow by at "
        "most the months below.",
    ),
    Col("Date limit: months", "within.months", "number", 10, "The most months after it."),
    Col(
        "Date limit: warning",
        "within.warning",
        "choice",
        16,
        "The warning's code (DATE_TOO_LATE if empty).",
        _choices(*(x for c in DATE_WARNINGS for x in (c, c))),
    ),
    Col(
        "Date limit: rule",
        "within.rule",
        "text",
        40,
        "The limit in the source's words, quoted in the warning.",
    ),
)
OUTCOME_COLUMNS = (
    Col("Outcome id", "id", "id", 12, "A short id, e.g. K1"),
    Col("Text", "text", "text", 70, "The outcome's wording."),
    Col("Kind", "kind", "text", 12, "e.g. key (key if empty)."),
)
INFO_FIELD_COLUMNS = (
    Col("Heading", "label", "text", 30, "The field's heading."),
    Col("Text", "text", "text", 90, "Its locked text (several paragraphs allowed)."),
)
LIST_SHEET_COLUMNS = (
    Col("List id", "id", "id", 14, "A short id: lower-case letters, digits and -, e.g. journey"),
    Col("Sheet name", "title", "text", 24, "The sheet's name (at most 31 characters)."),
    Col("Heading", "heading", "text", 30, "Optional heading on the sheet."),
    Col("Introduction", "intro", "lines", 50, "Optional lines above the table, one per line."),
    Col("Text heading", "text_label", "text", 18, "Heading of the listed text (Item if empty)."),
    Col("Answer lines", "answer_lines", "int", 10, "How many lines tall each row is (1 if empty)."),
    Col("Due column", "due", "id", 14, "Optional: the id of a date column holding the date "
        "each row is due by (with Done column)."),
    Col("Done column", "done", "id", 14, "Optional: the id of a date column holding the date "
        "each row was done; a row past its due date without one is flagged."),
)  # fmt: skip
LIST_ROW_COLUMNS = (
    Col("List id", "list", "id", 14, "The row's list, from the Lists sheet.",
        source=f"=Lists!$A{_ROWS}"),
    Col("Row id", "id", "id", 10, "Unique within its list, e.g. 1"),
    Col("Text", "text", "text", 60, "The row's wording."),
    Col("Locked texts", "info", "lines", 40, "Optional: for the list's columns whose School "
        "fills in is No, one per line: the column id, a colon, the text (when: September)."),
)  # fmt: skip
LIST_COLUMN_COLUMNS = (
    Col("List id", "list", "id", 14, "The column's list, from the Lists sheet.",
        source=f"=Lists!$A{_ROWS}"),
    *(col for col in COLUMN_COLUMNS if col.key != "part"),
)  # fmt: skip
EDITION_COLUMNS = (
    Col("Earlier version", "version", "id", 16, "An earlier edition's version, e.g. 2025.1"),
    Col("Old item id", "old", "id", 14, "An item id in that edition that changed."),
    Col(
        "New item id",
        "new",
        "id",
        14,
        "Its id in this edition; several old ids to one new id = merged; empty = removed.",
    ),
)
GUIDE = (
    (
        "How to use this workbook",
        [
            "Fill in the pale yellow cells; headings (dark blue) and grey cells are the "
            "template's. Keep the headings as they are: the import reads the columns by their "
            "headings. Add "
            "rows below the last one as needed; empty rows are ignored.",
            "Then turn it into a framework: `awardbooks spec import THIS.xlsx --out NAME.yaml` "
            "(every problem is listed with its sheet, row and column), or use the workbook "
            'directly: `awardbooks generate THIS.xlsx --setting "Oak School"`.',
            "Most frameworks need only the Framework, Scale, Groups and Items sheets.",
        ],
    ),
    (
        "The sheets",
        [
            "Framework: the id, title, version, source and your own words for groups, items and "
            "the rating column; below them, the instructions shown to schools.",
            "Scale: choose a built-in scale, or type your own levels (lowest first; scores rise).",
            "Groups: themes, aspects, objectives or areas, in order.",
            "Items: what is rated, each under a group id, in order. The descriptor columns follow "
            "the Scale sheet: Descriptor 1 is the lowest level's description of the item.",
            "Item info: locked text shown beside items (for Rating sheets columns whose School "
            "fills in is No, e.g. who is responsible).",
            "Columns: extra columns for the cover sheet, the rating sheets, the action plan, the "
            "portfolio and the outcomes sheet.",
            "Sheets: how rating sheets are laid out, and which optional sheets the workbook gets.",
            "Outcomes and Info fields: the contents of those optional sheets.",
            "Lists, List rows and List columns: sheets of listed rows (milestones, questions, "
            "criteria), each row with the columns the school fills in (an answer, a date, "
            "Yes/No). One row per sheet on Lists; its rows and columns under its id.",
            "Editions: when a new edition renames, merges or removes items, list the old ids and "
            "their new ids, so progress lines up across editions.",
        ],
    ),
    (
        "Good to know",
        [
            "Item ids must be unique and stay the same from one edition to the next.",
            "Lists inside one cell (choices, categories, evidence examples) take one entry per "
            "line: press Alt+Enter in Excel (Ctrl+Enter in LibreOffice) between entries.",
            "A level label may not contain a comma or a double quote (it goes into a dropdown).",
            "Everything in the YAML spec format (docs/spec-format.md) can be written in this "
            "workbook. The empty template has room for six scale levels; for more, start from a "
            "spec that has them (`awardbooks spec template SPEC`).",
        ],
    ),
)


@dataclass(frozen=True)
class Loc:
    """A place in the authoring workbook: a sheet, a row (1-based), a cell (column 0-based)."""

    sheet: str
    row: int | None = None
    col: int | None = None
    heading: str = ""

    @property
    def cell(self) -> str:
        """The cell in Excel's terms (``C14``), or '' for a whole row or sheet."""
        if self.row is None or self.col is None:
            return ""
        # xlsxwriter is imported here, not at the top: `awardbooks --help` need not wait for it
        from xlsxwriter.utility import xl_col_to_name

        return f"{xl_col_to_name(self.col)}{self.row}"

    def place(self, problem: Problem) -> Problem:
        """``problem``, placed here: ``Items!C14 (Text)``, ``Items row 5`` or ``Items``."""
        if self.cell:
            return problem.at(sheet=self.sheet, cell=self.cell, heading=self.heading)
        return problem.at(sheet=self.sheet, row=self.row or 0)

    def __str__(self) -> str:
        if self.row is None:
            return self.sheet
        if self.col is None:
            return f"{self.sheet} row {self.row}"
        return f"{self.sheet}!{self.cell} ({self.heading})"

    def sort_key(self) -> tuple:
        order = (FRAMEWORK, SCALE, GROUPS, ITEMS, ITEM_INFO, COLUMNS, SHEETS, OUTCOMES,
                 INFO_FIELDS, LISTS, LIST_ROWS, LIST_COLUMNS, EDITIONS)  # fmt: skip
        sheet = order.index(self.sheet) if self.sheet in order else -1
        return (sheet, self.row or 0, -1 if self.col is None else self.col)


NUMBER_HINTS = {"Score": "type the level's score, e.g. 50", "Width": "type a width, e.g. 24"}
_YES_NO_WORDS = {"yes": True, "y": True, "true": True, "1": True,
                 "no": False, "n": False, "false": False, "0": False}  # fmt: skip


def text_of(value: Any) -> str:
    """A cell value as stripped text with \\n line ends; '' for empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def value_of(raw: Any, kind: str, heading: str = "", options=()) -> tuple[Any, Problem | None]:
    """A cell's value as ``kind``: (value or None if empty/wrong, what is wrong or None). The
    problem has no place yet: the caller knows the cell."""
    text = text_of(raw)
    if text == "":
        return None, None
    if kind == "lines":
        return [line.strip() for line in text.split("\n") if line.strip()], None
    if kind == "yesno":
        answer = _YES_NO_WORDS.get(text.casefold())
        return answer, None if answer is not None else codes.NOT_YES_NO(value=text)
    if kind in ("number", "int"):
        try:
            number = float(text.replace(" ", "")) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            hint = NUMBER_HINTS.get(heading, "type a number")
            return None, codes.NOT_NUMBER(value=text, hint=hint)
        if number.is_integer():
            return int(number), None
        if kind == "int":
            return None, codes.NOT_WHOLE_NUMBER(value=text)
        return number, None
    if kind == "colour":
        if text.casefold() in COLOURS:
            return COLOURS[text.casefold()], None
        if re.fullmatch(r"#?[0-9A-Fa-f]{6}", text):
            return "#" + text.lstrip("#").upper(), None
        return None, codes.NOT_COLOUR(value=text, names=", ".join(COLOURS))
    if kind == "choice":
        for shown, value in options:
            if text.casefold() in (shown.casefold(), str(value).casefold()):
                return value, None
        listed = ", ".join(shown for shown, _ in options)
        return None, codes.NOT_A_CHOICE(value=text, choices=listed)
    return text, None
