"""Every kind of problem the read stage reports, one :class:`~awardbooks.problems.Code` each:
the container's refusals, saved emails' and archives' problems, the return reader's and its
structure checks'.

Decisions:

- Ids are short lowercase slugs, ``<thing>-<what is wrong>`` (``rating-not-a-level``); they
  are stable: a test or a script may match on them, so an id is never reused for another kind.
- ``template`` says what is wrong, ``fix`` how to put it right, when the message has one; the
  text a user sees is ``message; fix``, exactly as the reader wrote it before problems were data.
  Where a message goes on after a colon or gives a consequence ("refused", "kept as text"),
  that stays in the message.
- The place (file, sheet, cell) is never in a template: the reader passes it as fields. A
  sheet is named as it is in the file (a renamed sheet by its new name), except when the
  problem is that the expected sheet is not there (missing, renamed): then by its expected name.
- ``example`` fills the templates (and the place) for ``docs/problems.md``.
"""

from __future__ import annotations

from awardbooks.problems import Code
from awardbooks.read.filecodes import *  # noqa: F403  (the file codes: one catalogue)
from awardbooks.read.filecodes import AGAIN, FILE, RESAVE

# ------------------------------------------------------------------ opening the workbook

WORKBOOK_CRASH = Code(
    "workbook-crash", "error", "could not be read as a workbook ({exception}: {reason})",
    RESAVE, {"file": FILE, "exception": "ValueError", "reason": "invalid shared string"},
)  # fmt: skip
WORKBOOK_UNOPENABLE = Code(
    "workbook-unopenable", "error", "the workbook cannot be opened ({reason})", RESAVE,
    {"file": FILE, "reason": "Xml error: invalid utf-8 sequence"},
)  # fmt: skip
WORKBOOK_PART_NAME = Code(
    "workbook-part-name", "error",
    "the workbook's main part is named {part}, which awardbooks cannot read (it reads a part "
    "named workbook.xml)",
    RESAVE, {"file": FILE, "part": "xl/book.xml"},
)  # fmt: skip
WORKBOOK_SHEET_LINKS = Code(
    "workbook-sheet-links", "error",
    "the file is damaged: the part that says where its sheets are ({part}) is missing", AGAIN,
    {"file": FILE, "part": "xl/_rels/workbook.xml.rels"},
)  # fmt: skip
SHEET_LINK_MISSING = Code(
    "sheet-link-missing", "error",
    "the file is damaged: the workbook's link to this sheet ({link}) is missing", AGAIN,
    {"file": FILE, "sheet": "Theme 2", "link": "rId4"},
)  # fmt: skip
SHEET_EXCEL4_MACRO = Code(
    "sheet-excel4-macro", "error", "this is an Excel 4.0 macro sheet, which awardbooks does not "
    "read",
    "delete the sheet, save the workbook as an Excel Workbook (.xlsx) and send it again",
    {"file": "St Marys.xlsm", "sheet": "Macro1"},
)  # fmt: skip
SHEET_TOO_LARGE = Code(
    "sheet-too-large", "error",
    "values reach row {rows:,}, column {cols:,}{at}: a grid of {cells:,} cells, far more than "
    "any return",
    "delete what was typed outside the table and save it again",
    {"file": FILE, "sheet": "Theme 1", "rows": 1048576, "cols": 16384,
     "at": " (XFD1048576)", "cells": 17179869184},
)  # fmt: skip
SHEET_UNREADABLE = Code(
    "sheet-unreadable", "error", "the sheet cannot be read ({reason})",
    "open the workbook in Excel and save it again",
    {"file": FILE, "sheet": "Theme 1", "reason": "invalid cell reference"},
)  # fmt: skip
WORKBOOK_MACROS = Code(
    "workbook-macros", "warning", "macro-enabled {what}: values were read, macros never run",
    example={"file": "St Marys.xlsm", "what": "workbook (.xlsm)"},
)  # fmt: skip
"""``what``: workbook (.xlsm) or template (.xltm), as its main part's content type says."""
WORKBOOK_ODS = Code(
    "workbook-ods", "warning",
    "an OpenDocument spreadsheet (.ods): the values were read, but sheet protection, "
    "dropdowns, merged cells and formulas could not be checked",
    "save it as .xlsx to have them checked", {"file": "St Marys.ods"},
)  # fmt: skip

# ------------------------------------------------------------------ which framework, edition

METADATA_VISIBLE = Code(
    "metadata-visible", "warning", "the hidden metadata sheet was made visible",
    example={"file": FILE, "sheet": "_awardbooks"},
)  # fmt: skip
METADATA_MISSING = Code(
    "metadata-missing", "warning",
    "the hidden metadata sheet is missing (an application dropped it); recognised as {title} "
    "from its sheets",
    example={"file": FILE, "title": "Family Partnership Award"},
)  # fmt: skip
METADATA_SCORES = Code(
    "metadata-scores", "error",
    "the hidden metadata gives the scores {scores!r}, which cannot be used ({reason})",
    "send the workbook as it was generated, or generate it again",
    {"file": FILE, "scores": "Red=0,Amber=50", "reason": "no score for Green; give every "
     "level of the scale"},
)  # fmt: skip
FRAMEWORK_UNKNOWN = Code(
    "framework-unknown", "error",
    "made from framework {framework!r}, which this analysis does not know (known: {known})",
    "pass its spec with --spec FILE",
    {"file": FILE, "framework": "lppa", "known": "behaviour-attendance, family-partnership"},
)  # fmt: skip
CONSOLIDATED_NOT_RETURN = Code(
    "consolidated-not-return", "error",
    "this is a consolidated workbook written by awardbooks analyse, not a return",
    "keep it out of the folder of returns", {"file": "consolidated.xlsx"},
)  # fmt: skip
NOT_AWARDBOOKS = Code(
    "not-awardbooks", "error",
    "not an awardbooks workbook: it has no awardbooks metadata and its sheets match no known "
    "framework",
    example={"file": "Budget.xlsx"},
)  # fmt: skip
EDITION_LINED_UP = Code(
    "edition-lined-up", "warning",
    "made from edition {version} of {name}; its ratings were lined up with edition {current} "
    "through the spec's map",
    example={"file": FILE, "version": "2019.1", "name": "LPPA", "current": "2026.1"},
)  # fmt: skip
EDITION_RATING_LEFT_OUT = Code(
    "edition-rating-left-out", "warning", "{note}",
    example={"file": FILE, "note": "item '1.9' was removed in LPPA edition 2026.1; its rating "
             "'Red' from edition 2019.1 is left out"},
)  # fmt: skip
"""A rating of an earlier edition that could not be lined up with this one; the note is the
spec's map's own (:func:`awardbooks.spec.editions.align_ratings`)."""
EDITION_REWORDED = Code(
    "edition-reworded", "warning",
    "made from a differently worded copy of {name} edition {version}; texts are compared with "
    "this analysis's copy",
    example={"file": FILE, "name": "LPPA", "version": "2026.1"},
)  # fmt: skip
EDITION_ITEMS_DIFFER = Code(
    "edition-items-differ", "error",
    "made from edition {version} of {name}, whose items do not match edition {current} (e.g. "
    "{item!r} is not in {sheet_name}!A{row})",
    "send the school a workbook of the current edition, or pass that edition's spec with "
    "--spec to line its ratings up with this one",
    {"file": FILE, "version": "2019.1", "name": "LPPA", "current": "2026.1", "item": "1.4",
     "sheet_name": "Objective 1", "row": 9},
)  # fmt: skip
EDITION_OLDER = Code(
    "edition-older", "warning",
    "made from edition {version} of {name}; this analysis uses edition {current}; the item ids "
    "match, so it was read",
    example={"file": FILE, "version": "2025.1", "name": "LPPA", "current": "2026.1"},
)  # fmt: skip

# ------------------------------------------------------------------------ rating sheets

HEADING_CHANGED = Code(
    "heading-changed", "error",
    "expected the heading {expected!r} but found {found!r}: columns were inserted, deleted or "
    "moved, so the ratings cannot be read safely",
    example={"file": FILE, "sheet": "Objective 1", "cell": "B5", "expected": "KPI",
             "found": ""},
)  # fmt: skip
ROW_MISSING = Code(
    "row-missing", "error",
    "the row for {item!r} is missing (rows were deleted or ids changed)",
    example={"file": FILE, "sheet": "Theme 1", "cell": "A15", "item": "1.j"},
)  # fmt: skip
ROWS_MOVED = Code(
    "rows-moved", "warning",
    "rows were inserted or deleted; the ratings were found by their ids",
    example={"file": FILE, "sheet": "Theme 1"},
)  # fmt: skip
WORDING_CHANGED = Code(
    "wording-changed", "warning", "the wording of {item} was changed from the framework's",
    example={"file": FILE, "sheet": "Theme 1", "cell": "B6", "item": "1.a"},
)  # fmt: skip
RATING_NOT_A_LEVEL = Code(
    "rating-not-a-level", "error", "{value!r} is not a level of {levels}",
    example={"file": FILE, "sheet": "Objective 1", "cell": "C6", "value": "Greeen",
             "levels": "Red/Amber/Green"},
)  # fmt: skip
RATING_CASE = Code(
    "rating-case", "warning", "{typed!r} was read as {level!r}",
    example={"file": FILE, "sheet": "Objective 1", "cell": "C7", "typed": "amber",
             "level": "Amber"},
)  # fmt: skip
RATING_FORMULA = Code(
    "rating-formula", "error", "holds a formula (={formula}) instead of a rating for {key}",
    "choose the rating from the dropdown",
    {"file": FILE, "sheet": "Theme 1", "cell": "C6", "formula": '"Embedded"', "key": "1.a"},
)  # fmt: skip
RATING_ERROR_VALUE = Code(
    "rating-error-value", "error", "holds the error value {value} instead of a rating for {key}",
    "choose the rating from the dropdown",
    {"file": FILE, "sheet": "Theme 1", "cell": "C6", "value": "#N/A", "key": "1.a"},
)  # fmt: skip
RATING_READ_AS_UNRATED = Code(
    "rating-read-as-unrated", "warning",
    "{value!r} is not a level of {levels}; read as unrated (read leniently)",
    "choose the rating from the dropdown",
    {"file": FILE, "sheet": "Objective 1", "cell": "C6", "value": "Greeen",
     "levels": "Red/Amber/Green"},
)  # fmt: skip
"""A rating that is not a level, read with {opt:lenient}: the item counts as unrated and the
rest of the return is consolidated (without the option it is :data:`RATING_NOT_A_LEVEL`)."""
NOTHING_RATED = Code(
    "nothing-rated", "warning",
    "nothing rated: {none}, so the return is left out of the scores, the means and the count "
    "of settings",
    "rate each item with the dropdown and send the workbook again",
    {"file": FILE, "none": "none of the 21 items has a rating"},
)  # fmt: skip
INCOMPLETE = Code(
    "return-incomplete", "warning",
    "{completion}, below the {threshold} % expected{blank}",
    "rate every item (its score counts only what is rated) and send the workbook again",
    {"file": FILE, "completion": "12 of 21 rated, 57 %", "threshold": 80,
     "blank": "; nothing is rated in Objective 3 (Leadership) or Objective 5 (Parents)"},
)  # fmt: skip
"""A return rated below the completion threshold (the spec's ``completion_threshold``, or
{opt:completion_threshold}); ``blank`` names the groups with nothing rated, if any."""
INPUT_FORMULA = Code(
    "input-formula", "warning", "holds a formula (={formula}); its last result {result!r} was read",
    example={"file": FILE, "sheet": "Theme 1", "cell": "D6", "formula": "TODAY()",
             "result": "2026-10-31"},
)  # fmt: skip
INPUT_ERROR_VALUE = Code(
    "input-error-value", "warning", "holds the error value {value}; read as empty",
    example={"file": FILE, "sheet": "Theme 1", "cell": "D6", "value": "#VALUE!"},
)  # fmt: skip

# ----------------------------------------------------------------- typed values, dates
# A date that cannot be read is a warning and the date is left empty: one cell typed oddly
# never loses a school's ratings.

DATE_NOT_REAL_UK = Code(
    "date-not-real-uk", "warning",
    "{value!r} is not a real date (dates are read as dd/mm/yyyy, the UK way); left empty",
    example={"file": FILE, "sheet": "Cover", "cell": "B17", "value": "31/02/2026"},
)  # fmt: skip
DATE_MONTH_FIRST = Code(
    "date-month-first", "warning",
    "{value!r} is not a real date (dates are read as dd/mm/yyyy, the UK way); left empty",
    "for {meant} type {typed}",
    {"file": FILE, "sheet": "Cover", "cell": "B17", "value": "10/31/2026",
     "meant": "31 October 2026", "typed": "31/10/2026"},
)  # fmt: skip
DATE_NOT_REAL = Code(
    "date-not-real", "warning", "{value!r} is not a real date; left empty",
    example={"file": FILE, "sheet": "Cover", "cell": "B17", "value": "2026-02-30"},
)  # fmt: skip
DATE_NUMBER_OUT_OF_RANGE = Code(
    "date-number-out-of-range", "warning", "{value!r} is not a date; left empty",
    example={"file": FILE, "sheet": "Cover", "cell": "B17", "value": -4.0},
)  # fmt: skip
DATE_NOT_A_DATE = Code(
    "date-not-a-date", "warning", "{value!r} is not a date; left empty",
    "type dates as dd/mm/yyyy or as 16 Oct 2026",
    {"file": FILE, "sheet": "Cover", "cell": "B17", "value": "soon"},
)  # fmt: skip
DATES_READ_AS_UK = Code(
    "dates-read-as-uk", "warning",
    "{what}: {first}{more}",
    example={"file": FILE, "what": "dates typed as text or numbers were read as UK dates",
             "first": "Cover!B17 ('31/10/2026' read as 31 October 2026)", "more": " and 2 more"},
)  # fmt: skip
VALUE_NOT_A_NUMBER = Code(
    "value-not-a-number", "warning", "{value!r} is not a number; kept as text",
    example={"file": FILE, "sheet": "Outcomes", "cell": "C6", "value": "about 40"},
)  # fmt: skip
VALUE_NOT_AN_OPTION = Code(
    "value-not-an-option", "warning", "{value!r} is not one of {options}",
    example={"file": FILE, "sheet": "Action plan", "cell": "F6", "value": "Purple",
             "options": "Red, Amber, Green"},
)  # fmt: skip

# ------------------------------------------------------------------------ list sheets

MILESTONE_OVERDUE = Code(
    "milestone-overdue", "warning",
    "No. {row} {text!r} was due by {due} ({due_cell}) and has no date in {column!r} (analysed on "
    "{today})",
    "enter the date it was done, or a later due date if it has moved",
    {"file": FILE, "sheet": "Award journey", "cell": "E8", "row": "3",
     "text": "Before half term October action plan in place", "due": "23/10/2026",
     "due_cell": "D8", "column": "Date done", "today": "01/12/2026"},
)  # fmt: skip
LIST_ROWS_MOVED = Code(
    "list-rows-moved", "warning",
    "rows were inserted or deleted; each row's answers were read from the row with its id",
    example={"file": FILE, "sheet": "Award journey"},
)  # fmt: skip
LIST_ROW_MISSING = Code(
    "list-row-missing", "warning",
    "the row for {item!r} is missing (rows were deleted or ids changed); its answers were not "
    "read",
    "put the id back in column A of its row",
    {"file": FILE, "sheet": "Reflection", "cell": "A8", "item": "3"},
)  # fmt: skip
"""A row of a list sheet with ``due`` and ``done`` columns (the Family Partnership Award's
journey): its due date is before the analysis date and its done date is empty. The place is
the empty done cell."""

# ------------------------------------------------------------------ structure checks

SHEET_RENAMED = Code(
    "sheet-renamed", "warning", "the sheet was renamed to {found!r}; it was read as {expected!r}",
    example={"file": FILE, "sheet": "Theme 2", "found": "Theme two", "expected": "Theme 2"},
)  # fmt: skip
RATING_SHEET_MISSING = Code(
    "rating-sheet-missing", "error",
    "the sheet is missing (renamed or deleted); the ratings on it cannot be read",
    example={"file": FILE, "sheet": "Theme 3"},
)  # fmt: skip
SHEET_MISSING = Code(
    "sheet-missing", "warning", "the sheet is missing (renamed or deleted)",
    example={"file": FILE, "sheet": "Portfolio"},
)  # fmt: skip
SHEET_ADDED = Code(
    "sheet-added", "warning", "an extra sheet was added; it was ignored",
    example={"file": FILE, "sheet": "Notes"},
)  # fmt: skip
SHEET_COPY_DIFFERS = Code(
    "sheet-copy-differs", "error",
    "a copy of the sheet {original!r} with different ratings (e.g. {key}: {here!r} here, "
    "{there!r} on {original!r})",
    "delete the copy that is not wanted and send the workbook again",
    {"file": FILE, "sheet": "Theme 1 (2)", "original": "Theme 1", "key": "1.a",
     "here": "Emergent", "there": "Embedded"},
)  # fmt: skip
SHEET_COPY_SAME = Code(
    "sheet-copy-same", "warning",
    "a copy of the sheet {original!r} with the same ratings; it was ignored",
    example={"file": FILE, "sheet": "Theme 1 (2)", "original": "Theme 1"},
)  # fmt: skip
MERGED_OVER_RATING = Code(
    "merged-over-rating", "error",
    "the cells {merged} were merged over the rating cell{s} {cells} ({keys}), so {pronoun} "
    "cannot be chosen",
    "unmerge them (Home > Merge & Centre) and rate {keys} again",
    {"file": FILE, "sheet": "Theme 1", "cell": "B6", "merged": "B6:C6", "s": "",
     "cells": "C6", "keys": "1.a", "pronoun": "it"},
)  # fmt: skip
MERGED_OVER_INPUT = Code(
    "merged-over-input", "warning",
    "the cells {merged} were merged over the input cell{s} {cells}, which can no longer be "
    "filled in",
    "unmerge them (Home > Merge & Centre)",
    {"file": FILE, "sheet": "Theme 1", "cell": "D6", "merged": "D6:E7", "s": "s",
     "cells": "E6, D7, E7"},
)  # fmt: skip
PROTECTION_REMOVED = Code(
    "protection-removed", "warning", "sheet protection was removed",
    example={"file": FILE, "sheet": "Theme 1"},
)  # fmt: skip
PROTECTION_REMOVED_SHEETS = Code(
    "protection-removed-sheets", "warning", "sheet protection was removed from {count} sheets: "
    "{sheets}",
    example={"file": FILE, "count": 2, "sheets": "Theme 1, Theme 2"},
)  # fmt: skip
DROPDOWNS_REMOVED = Code(
    "dropdowns-removed", "warning", "the dropdowns (data validation) were removed",
    example={"file": FILE, "sheet": "Theme 1"},
)  # fmt: skip
DROPDOWNS_REMOVED_SHEETS = Code(
    "dropdowns-removed-sheets", "warning",
    "the dropdowns (data validation) were removed from {count} sheets: {sheets}",
    example={"file": FILE, "count": 2, "sheets": "Theme 1, Theme 2"},
)  # fmt: skip

# ------------------------------------------------------- dates the framework sets limits on
# A spec's cover date limits (``within``) and its portfolio's evidence age rule: the warning
# quotes the source's own words for the rule; both dates are in the message, dd/mm/yyyy.

_LIMIT = "the {field} ({date}) is more than {months} months after the {after} ({after_date}): "
_LIMIT_FIX = "check both dates on the Cover"
DATE_TOO_LATE = Code(
    "date-too-late", "warning", _LIMIT + "{rule}", _LIMIT_FIX,
    {"file": FILE, "sheet": "Cover", "cell": "B20", "field": "review date",
     "date": "01/09/2027", "months": 6, "after": "start date", "after_date": "01/12/2026",
     "rule": "the spec allows no more than 6 months"},
)  # fmt: skip
"""A cover date later than its spec's limit (``within``) allows, for a limit naming no code of
its own."""
INTERIM_TOO_LATE = Code(
    "interim-too-late", "warning", _LIMIT + "{rule}", _LIMIT_FIX,
    {"file": FILE, "sheet": "Cover", "cell": "B20", "field": "Interim Assessment date",
     "date": "15/09/2027", "months": 8, "after": "Initial Audit date",
     "after_date": "01/12/2026", "rule": '"The Interim Assessment process should take place no '
     'more than eight months after the Initial Audit."'},
)  # fmt: skip
FINAL_TOO_LATE = Code(
    "final-too-late", "warning", _LIMIT + "{rule}", _LIMIT_FIX,
    {"file": FILE, "sheet": "Cover", "cell": "B21", "field": "Final Verification date",
     "date": "14/01/2028", "months": 12, "after": "Initial Audit date",
     "after_date": "01/12/2026", "rule": '"The Final Verification should take place no later '
     'than twelve months after the Initial Audit."'},
)  # fmt: skip
EVIDENCE_TOO_OLD = Code(
    "evidence-too-old", "warning",
    "evidence {ref} is dated {date}, more than {years} years before the {at} ({at_date}): "
    "{rule}",
    "present more recent evidence, or correct the date",
    {"file": FILE, "sheet": "Portfolio 3", "cell": "E8", "ref": "3.2 a", "date": "03/02/2025",
     "years": 2, "at": "Interim Assessment date", "at_date": "15/06/2027",
     "rule": '"Evidence that is presented at the Interim Assessment should not be more than two '
     'years old at the date of the Interim Assessment"'},
)  # fmt: skip
