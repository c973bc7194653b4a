"""The authoring workbook's key/value rows: what a Framework, Scale or Sheets row holds (a
label, the spec key its value fills, help), and the Sheets sheet's rows, one per optional sheet
setting. Defined here, beside :mod:`awardbooks.authoring.sheets`, so that module stays readable;
the writer and the reader import both through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awardbooks.spec.model import ActionPlan, AuditSheets, Membership, Outcomes, Portfolio

YES_NO = (("Yes", True), ("No", False))


@dataclass(frozen=True)
class KeyValueRow:
    """One row of a key/value sheet (Framework, Scale, Sheets: headed Setting | Value | Help):
    a label, the spec key its value fills, and help; ``kind`` "section" is a heading row."""

    label: str
    path: str = ""
    kind: str = "text"  # text | lines | yesno | int | choice | section
    help: str = ""
    options: tuple[tuple[str, Any], ...] = ()
    default: Any = None


def choices(*pairs: str) -> tuple[tuple[str, str], ...]:
    """Dropdown choices from label/value pairs: choices("A", "a", "B", "b")."""
    return tuple((pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2))


_A, _M, _O = AuditSheets(), Membership.model_fields, Outcomes.model_fields
_P = ActionPlan.model_fields
SHEETS_ROWS = (
    KeyValueRow("Rating sheets", kind="section"),
    KeyValueRow(
        "Rating sheets: layout",
        "audit.layout",
        "choice",
        "Where the items are rated.",
        choices("One sheet per group", "per_group", "All groups on one sheet", "single"),
        "One sheet per group",
    ),
    KeyValueRow(
        "Rating sheets: title",
        "audit.title",
        help="The sheet's name when all groups are on one sheet (at most 31 characters).",
        default=_A.title,
    ),
    KeyValueRow(
        "Rating sheets: descriptor columns",
        "audit.show_descriptors",
        "yesno",
        "Show each item's level descriptors beside it.",
        default="Yes",
    ),
    KeyValueRow(
        "Rating sheets: date column",
        "audit.date_column",
        "yesno",
        "A date per rating.",
        default="Yes",
    ),
    KeyValueRow(
        "Rating sheets: comment column",
        "audit.comment_column",
        "yesno",
        "A comment per item.",
        default="Yes",
    ),
    KeyValueRow(
        "Rating sheets: rating periods, years",
        "audit.periods.years",
        "int",
        "Optional: a plan rated over years, a rating cell per year and term side by side "
        "(e.g. 3); empty for one rating column.",
    ),
    KeyValueRow(
        "Rating sheets: rating periods, year word",
        "audit.periods.year_label",
        help="With rating periods: the word before a year's number, e.g. Yr.",
    ),
    KeyValueRow(
        "Rating sheets: rating periods, terms",
        "audit.periods.terms",
        "lines",
        "With rating periods: the terms rated in each year, one per line (autumn, spring, "
        "summer).",
    ),
    KeyValueRow(
        "Info sheet (locked text; its fields are on the Info fields sheet)", kind="section"
    ),
    KeyValueRow(
        "Info sheet: include", "sheets.info", "yesno", "Yes to add the sheet.", default="No"
    ),
    KeyValueRow("Info sheet: title", "sheets.info.title", help="The sheet's name."),
    KeyValueRow(
        "Info sheet: heading", "sheets.info.heading", help="Optional heading on the sheet."
    ),
    KeyValueRow("Membership sheet (who is in the partnership)", kind="section"),
    KeyValueRow(
        "Membership: include", "sheets.membership", "yesno", "Yes to add the sheet.", default="No"
    ),
    KeyValueRow(
        "Membership: title",
        "sheets.membership.title",
        help="The sheet's name.",
        default=_M["title"].default,
    ),
    KeyValueRow("Membership: heading", "sheets.membership.heading", help="Optional heading."),
    KeyValueRow(
        "Membership: categories",
        "sheets.membership.categories",
        "lines",
        "One category per line (Alt+Enter in Excel), e.g. Primary schools.",
    ),
    KeyValueRow(
        "Membership: rows per category",
        "sheets.membership.rows_per_category",
        "int",
        "Open rows under each category.",
        default=_M["rows_per_category"].default,
    ),
    KeyValueRow(
        "Outcomes sheet (outcomes on the Outcomes sheet, columns on Columns)", kind="section"
    ),
    KeyValueRow(
        "Outcomes: include", "sheets.outcomes", "yesno", "Yes to add the sheet.", default="No"
    ),
    KeyValueRow(
        "Outcomes: title",
        "sheets.outcomes.title",
        help="The sheet's name.",
        default=_O["title"].default,
    ),
    KeyValueRow("Outcomes: heading", "sheets.outcomes.heading", help="Optional heading."),
    KeyValueRow(
        "Outcomes: open rows",
        "sheets.outcomes.blank_rows",
        "int",
        "Open rows for the setting's own outcomes.",
        default=_O["blank_rows"].default,
    ),
    KeyValueRow(
        "Outcomes: note above the open rows",
        "sheets.outcomes.blank_note",
        help="Optional text shown above the open rows.",
    ),
    KeyValueRow("Action plan sheet (its columns are on the Columns sheet)", kind="section"),
    KeyValueRow(
        "Action plan: include", "sheets.action_plan", "yesno", "Yes to add the sheet.", default="No"
    ),
    KeyValueRow(
        "Action plan: title",
        "sheets.action_plan.title",
        help="The sheet's name.",
        default=_P["title"].default,
    ),
    KeyValueRow("Action plan: heading", "sheets.action_plan.heading", help="Optional heading."),
    KeyValueRow(
        "Action plan: rows",
        "sheets.action_plan.rows",
        "int",
        "Open rows for actions.",
        default=_P["rows"].default,
    ),
    KeyValueRow(
        "Portfolio sheet (evidence per item; columns on the Columns sheet)", kind="section"
    ),
    KeyValueRow(
        "Portfolio: include", "sheets.portfolio", "yesno", "Yes to add the sheet.", default="No"
    ),
    KeyValueRow(
        "Portfolio: title",
        "sheets.portfolio.title",
        help="The sheet's name.",
        default=Portfolio.model_fields["title"].default,
    ),
    KeyValueRow("Portfolio: heading", "sheets.portfolio.heading", help="Optional heading."),
    KeyValueRow(
        "Portfolio: evidence rows per item",
        "sheets.portfolio.evidence_per_item",
        "int",
        "1 to 5.",
        default=Portfolio.model_fields["evidence_per_item"].default,
    ),
    KeyValueRow(
        "Portfolio: a front sheet per group",
        "sheets.portfolio.front_sheets",
        "yesno",
        "Yes: one sheet per group, named title and group id (Portfolio 3); No: one sheet.",
        YES_NO,
        default="No",
    ),
    KeyValueRow(
        "Portfolio: evidence references",
        "sheets.portfolio.evidence_refs",
        "yesno",
        "Yes: each evidence row shows its reference, 3.2 a, 3.2 b, ... (locked).",
        YES_NO,
        default="No",
    ),
    KeyValueRow(
        "Portfolio: evidence heading",
        "sheets.portfolio.evidence_label",
        help="The evidence column's heading.",
        default=Portfolio.model_fields["evidence_label"].default,
    ),
    KeyValueRow(
        "Portfolio: guidance",
        "sheets.portfolio.guidance",
        "lines",
        "Optional: lines shown above the table on every portfolio sheet, one per line.",
    ),
    KeyValueRow(
        "Portfolio: evidence age: date column",
        "sheets.portfolio.evidence_age.column",
        help="Optional: the id of a portfolio date column checked for the evidence's age.",
    ),
    KeyValueRow(
        "Portfolio: evidence age: measured at",
        "sheets.portfolio.evidence_age.at",
        help="The id of the cover date field the age is measured at.",
    ),
    KeyValueRow(
        "Portfolio: evidence age: years",
        "sheets.portfolio.evidence_age.years",
        "int",
        "Evidence older than this many years at that date is a warning.",
    ),
    KeyValueRow(
        "Portfolio: evidence age: rule",
        "sheets.portfolio.evidence_age.rule",
        help="The rule in the source's words: shown on the sheets and in the warning.",
    ),
)
