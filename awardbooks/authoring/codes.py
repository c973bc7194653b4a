"""Every kind of problem an authoring workbook can have, as a
:class:`~awardbooks.problems.Code`.

Ids are ``authoring-`` slugs and never change once published (``docs/problems.md`` lists
them from :func:`awardbooks.problems.catalogue` of this module). A problem's place is a sheet
and a cell (with the cell's column heading: ``Items!C14 (Text)``), a whole row
(``Columns row 5``) or a sheet. The spec's own checks (:mod:`awardbooks.spec.codes`) also
apply to a workbook: the reader reports them at the cell the spec's key came from, keeping
their codes, except those below that word them in the workbook's terms.
"""

from __future__ import annotations

from awardbooks.problems import Code

# -- the file --------------------------------------------------------------------------------
FILE_MISSING = Code(
    "authoring-file-missing",
    "error",
    "no such file",
    example={"file": "mine.xlsx"},
)
UNREADABLE = Code(
    "authoring-unreadable",
    "error",
    "cannot be read as a workbook ({detail})",
    example={"file": "mine.xlsx", "detail": "Zip error: invalid Zip archive"},
)
NOT_A_TEMPLATE = Code(
    "authoring-not-a-template",
    "error",
    "has no sheet {sheets}",
    "is it an authoring workbook from `awardbooks spec template`?",
    {"file": "mine.xlsx", "sheets": "Framework, Scale, Groups, Items"},
)
OUTPUT_EXISTS = Code(
    "authoring-output-exists",
    "error",
    "already exists (it may hold your work)",
    "use {{opt:force}} to replace it",
    {"file": "mine.xlsx"},
)
OUTPUT_NOT_XLSX = Code(
    "authoring-output-not-xlsx",
    "error",
    "an authoring workbook is an .xlsx file",
    "name it e.g. mine.xlsx",
    {"file": "mine.ods"},
)

# -- one cell's value ------------------------------------------------------------------------
EMPTY = Code(
    "authoring-empty",
    "error",
    "empty",
    "{hint}",
    {"sheet": "Items", "cell": "C14", "hint": "every item needs its wording"},
)
NOT_YES_NO = Code(
    "authoring-not-yes-no",
    "error",
    "{value!r} is not Yes or No",
    "choose from the list",
    {"sheet": "Groups", "cell": "D3", "value": "Maybe"},
)
NOT_NUMBER = Code(
    "authoring-not-number",
    "error",
    "{value!r} is not a number",
    "{hint}",
    {"sheet": "Scale", "cell": "D8", "value": "fifty",
     "hint": "type the level's score, e.g. 50"},
)  # fmt: skip
NOT_WHOLE_NUMBER = Code(
    "authoring-not-whole-number",
    "error",
    "{value!r} is not a whole number",
    "type e.g. 3",
    {"sheet": "Sheets", "cell": "B30", "value": "2.5"},
)
NOT_COLOUR = Code(
    "authoring-not-colour",
    "error",
    "{value!r} is not a colour",
    "use one of {names}, or a hex code like #C6EFCE",
    {"sheet": "Scale", "cell": "E7", "value": "purple",
     "names": "green, amber, red"},
)  # fmt: skip
NOT_A_CHOICE = Code(
    "authoring-not-a-choice",
    "error",
    "{value!r} is not one of: {choices}",
    "choose from the list",
    {"sheet": "Columns", "cell": "D2", "value": "word",
     "choices": "text, date, yes/no, choice, number"},
)  # fmt: skip
TOO_LONG = Code(
    "authoring-too-long",
    "error",
    "too long: at most {limit} letters",
    example={"sheet": "Framework", "cell": "B4", "limit": 40},
)
TOO_FEW = Code(
    "authoring-too-few",
    "error",
    "needs at least {limit} {noun}(s), not {actual}",
    example={"sheet": "Scale", "cell": "B2", "limit": 2,
             "noun": "level", "actual": 1},
)  # fmt: skip
AT_LEAST = Code(
    "authoring-at-least",
    "error",
    "must be {limit} or more",
    example={"sheet": "Sheets", "cell": "B30", "limit": 1},
)
MORE_THAN = Code(
    "authoring-more-than",
    "error",
    "must be more than {limit}",
    example={"sheet": "Columns", "cell": "F2", "limit": 0},
)
AT_MOST = Code(
    "authoring-at-most",
    "error",
    "must be at most {limit}",
    example={"sheet": "Sheets", "cell": "B30", "limit": 500},
)
NEEDS_VALUE = Code(
    "authoring-needs-value",
    "error",
    "needs its {what}",
    example={"sheet": "Sheets", "what": "title"},
)
"""A value the spec needs has no cell of its own in the workbook."""

# -- the sheets' tables ----------------------------------------------------------------------
HEADING_MISSING = Code(
    "authoring-heading-missing",
    "error",
    "no column headed {headings}",
    "keep the template's headings as they are",
    {"sheet": "Items", "headings": "'Text'"},
)
NO_GROUPS = Code(
    "authoring-no-groups",
    "error",
    "there are no groups",
    "add at least one, from row 2",
    {"sheet": "Groups"},
)
SCALE_TWICE = Code(
    "authoring-scale-twice",
    "error",
    "choose a built-in scale or type your own levels below, not both",
    "clear one of them",
    {"sheet": "Scale", "cell": "B2", "heading": "Built-in scale"},
)
GROUP_ID_REPEATED = Code(
    "authoring-group-id-repeated",
    "error",
    "group id {group!r} is already used in row {row}",
    example={"sheet": "Groups", "cell": "A4", "group": "1", "row": 2},
)
ITEM_ID_REPEATED = Code(
    "authoring-item-id-repeated",
    "error",
    "item id {item!r} is already used in row {row}",
    example={"sheet": "Items", "cell": "B4", "item": "1.1", "row": 2},
)
UNKNOWN_GROUP = Code(
    "authoring-unknown-group",
    "error",
    "{group!r} is not a group id on the Groups sheet{hint} (group ids: {known})",
    example={"sheet": "Items", "cell": "A5", "group": "9", "hint": "",
             "known": "1, 2"},
)  # fmt: skip
DESCRIPTOR_WITHOUT_LEVEL = Code(
    "authoring-descriptor-without-level",
    "error",
    "the scale has no level {level} (levels: {levels})",
    "delete this descriptor or add the level on the Scale sheet",
    {"sheet": "Items", "cell": "G6", "level": 4,
     "levels": "Red, Amber, Green"},
)  # fmt: skip
GROUP_EMPTY = Code(
    "authoring-group-empty",
    "error",
    "group {group!r} has no items on the Items sheet and no best-fit judgement",
    "add its items, or choose Yes here",
    {"sheet": "Groups", "cell": "D3", "group": "2"},
)
INFO_UNKNOWN_ITEM = Code(
    "authoring-info-unknown-item",
    "error",
    "{item!r} is not an item id on the Items sheet{hint}",
    example={"sheet": "Item info", "cell": "A2", "item": "1.9",
             "hint": " (did you mean '1.1'?)"},
)  # fmt: skip
INFO_UNKNOWN_COLUMN = Code(
    "authoring-info-unknown-column",
    "error",
    "{column!r} is not a Rating sheets column whose School fills in is No (on the Columns "
    "sheet){hint}",
    example={"sheet": "Item info", "cell": "B2", "column": "lead",
             "hint": ""},
)  # fmt: skip
INFO_REPEATED = Code(
    "authoring-info-repeated",
    "error",
    "{column!r} is already given for item {item!r} in row {row}",
    example={"sheet": "Item info", "cell": "B5", "column": "lead",
             "item": "1.1", "row": 2},
)  # fmt: skip
COLUMN_ID_REPEATED = Code(
    "authoring-column-id-repeated",
    "error",
    "column id {column!r} is already used in row {row} for the same part",
    example={"sheet": "Columns", "cell": "B4", "column": "lead",
             "row": 2},
)  # fmt: skip
CHOICES_WITHOUT_CHOICE = Code(
    "authoring-choices-without-choice-type",
    "error",
    "the column has choices but its type is not choice",
    "choose choice, or clear the Choices",
    {"sheet": "Columns", "cell": "D3", "heading": "Type"},
)
SHEET_NOT_INCLUDED = Code(
    "authoring-sheet-not-included",
    "error",
    "the {part} sheet is not included ({include} is No)",
    "choose Yes there, or {remedy}",
    {"sheet": "Columns", "cell": "A2", "part": "action plan",
     "include": "Sheets!B25 (Action plan: include)", "remedy": "delete this row"},
)  # fmt: skip
"""Rows for an optional sheet the workbook does not include."""
SHEET_NEEDS = Code(
    "authoring-sheet-needs",
    "error",
    "the {part} sheet needs at least one {what}",
    example={"sheet": "Sheets", "cell": "B25", "part": "action plan",
             "what": "column (Part: Action plan on the Columns sheet)"},
)  # fmt: skip
EDITION_OWN_VERSION = Code(
    "authoring-edition-own-version",
    "error",
    "{version!r} is this edition's own version ({where})",
    "list only earlier editions here",
    {"sheet": "Editions", "cell": "A2", "version": "2026.1",
     "where": "Framework!B5 (Version)"},
)  # fmt: skip
EDITION_UNKNOWN_ITEM = Code(
    "authoring-edition-unknown-item",
    "error",
    "{item!r} is not an item id on the Items sheet{hint}",
    "type the item's id in this edition, or leave it empty if it was removed",
    {"sheet": "Editions", "cell": "C2", "item": "1.99", "hint": ""},
)
EDITION_MAP_REPEATED = Code(
    "authoring-edition-map-repeated",
    "error",
    "{item!r} is already mapped in row {row}",
    example={"sheet": "Editions", "cell": "B3", "item": "1.9",
             "row": 2},
)  # fmt: skip
UNKNOWN_LIST = Code(
    "authoring-unknown-list",
    "error",
    "{list_id!r} is not a list id on the Lists sheet{hint} (list ids: {known})",
    example={"sheet": "List rows", "cell": "A2", "list_id": "jorney",
             "hint": " (did you mean 'journey'?)", "known": "journey"},
)  # fmt: skip
LIST_INFO_LINE = Code(
    "authoring-list-info-line",
    "error",
    "{line!r} is not a column id, a colon and a text",
    "write one per line, e.g. when: September",
    {"sheet": "List rows", "cell": "D2", "line": "September"},
)
