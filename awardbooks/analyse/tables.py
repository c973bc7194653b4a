"""The consolidated tables: their columns, in one place, for analysis, reports and CSVs.

Each table is a pandas DataFrame with exactly these columns, in this order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported only where tables are built
    import pandas as pd

    from awardbooks.problems import Problem

STATUSES = ("accepted", "warning", "rejected", "duplicate", "missing", "unknown")
"""Every input file, and every manifest row without a return, gets exactly one of these."""

RETURNS = (
    "file",  # path as given (an archive member is "archive.zip!member.xlsx")
    "status",  # one of STATUSES
    "completion",  # "17 of 21 rated, 81 %" for a usable return (then " (read leniently)"
    # when a rating was read as unrated with --lenient), else ""
    "completion_pct",  # rated / total, 0–100, one decimal; NaN when not usable
    "framework",
    "spec_version",
    "setting",
    "urn",
    "partnership",
    "local_authority",
    "year",
    "term",
    "workbook_id",
    "completed_by",
    "completed_on",  # ISO date string or ""
    "errors",  # the error messages joined by "\n" ("" when none)
    "warnings",  # the warning messages joined by "\n"
    "email_from",  # for a return read from a saved email: its sender, date (ISO) and subject
    "email_date",
    "email_subject",
    "contact_email",  # the setting's, from the manifest: on every missing row (to chase)
    "annotated",  # an annotated copy sent back: "annotated copy: N of M problems fixed"
    "annotated_copy",  # the copy analyse --annotate wrote of this return, to send back
    "codes",  # the problems' codes, each once, space-separated ("return-incomplete date-not-real")
    "read_leniently",  # True when a rating that is not a level was read as unrated (lenient)
)
RETURNS_CSV = (
    "file", "status", "framework", "setting", "urn", "partnership", "year", "term",
    "workbook_id", "completed_on", "errors", "warnings", "email_from", "email_date",
    "email_subject", "contact_email", "annotated", "annotated_copy", "completion",
    "completion_pct", "codes", "read_leniently",
)  # fmt: skip

RATINGS = (
    "file",
    "workbook_id",
    "framework",
    "spec_version",
    "setting",
    "urn",
    "partnership",
    "year",
    "term",
    "group_id",
    "item_id",  # item id, or "<group id>:judgement" for a best-fit judgement
    "rating",  # the level label, "" when unrated
    "score",  # the level's score (float), NaN when unrated
    "date",  # ISO date string or ""
    "comment",
)

SCORES = (
    "workbook_id",
    "framework",
    "setting",
    "urn",
    "partnership",
    "year",
    "term",
    "group_id",  # "ALL" for the overall row
    "group_title",
    "rated",
    "total",
    "score_pct",  # 0–100, one decimal; NaN when nothing is rated
    "completion_pct",  # 0–100, one decimal
)

PROGRESS = (
    "framework",
    "setting",
    "urn",
    "partnership",
    "group_id",  # "ALL" for overall
    "group_title",
    "year",
    "term",
    "score_pct",
    "change_pct",  # against the previous return of the same setting; NaN for the first
    "slipped",  # True when a rating in this group went down since the previous return
    "items_down",  # of the items rated in both returns: how many went down, stayed the same
    "items_same",  # and went up since the previous return (all NaN for the first return)
    "items_up",
)

ACTIONS = (
    "file",
    "framework",
    "setting",
    "urn",
    "partnership",
    "year",
    "term",
    "row",  # the action plan's row number (1-based, as shown in its No. column)
    "action",
    "lead",
    "start",  # ISO date or ""
    "end",  # ISO date or ""
    "status",
    "details",  # the other columns as "Label: value" lines
    "overdue",  # bool: end date before the analysis date and status not Green/complete
)

OUTCOMES = (
    "framework",
    "setting",
    "urn",
    "partnership",
    "year",
    "term",
    "outcome_id",
    "outcome",
    "measure",  # the column label, e.g. "Baseline data", "Term 1 progress"
    "value",
)

INPUTS = (
    "file",
    "workbook_id",
    "framework",
    "setting",
    "urn",
    "partnership",
    "year",
    "term",
    "sheet",  # the sheet the school typed it on
    "cell",  # where, e.g. "E7" ("" when the cell is not known)
    "row_key",  # the row's key: an item id, an outcome id, an action's number, "cover"...
    "row_label",  # what the row shows: the item's or outcome's text, the category...
    "column_id",  # the column's id in the spec, e.g. "current_position"
    "column",  # its heading, e.g. "Current position"
    "value",  # as text; a date as ISO
)
"""Everything a school typed: a row per filled input cell (see awardbooks.analyse.inputs)."""

SUMMARY = (
    "partnership",
    "framework",
    "framework_title",
    "year",
    "term",
    "settings",  # number of accepted returns
    "mean_pct",
    "min_pct",
    "max_pct",
)

LEVELS = ("partnership", "framework", "year", "term", "level", "count")

STATUS = (
    "framework",
    "year",
    "term",
    "return_by",  # ISO date the returns are due, or ""
    "issued",  # workbooks issued (one per setting)
    "returned",  # settings that sent something back: accepted + warnings + rejected
    "accepted",
    "warnings",  # settings whose return is usable, with warnings
    "rejected",  # settings whose every return was rejected
    "missing",  # settings that sent nothing back
    "duplicates",  # returns (files) settled as duplicates
    "unknown",  # returns (files) of workbooks this collection did not issue
)
"""A collection's status: one row per framework and term (settings counted once each)."""

CHASE = (
    "framework",
    "year",
    "term",
    "setting",
    "urn",
    "partnership",
    "contact_email",
    "state",  # "missing" or "rejected"
    "detail",  # why a return was rejected (its first error), or when it was due
    "workbook",  # the workbook's file
)
"""A collection's chase list: each setting with nothing usable returned for a term."""
GROUP_MEANS = ("partnership", "framework", "year", "term", "group_id", "group_title", "mean_pct")


_WORDS = {"id": "ID", "urn": "URN", "pct": "%", "csv": "CSV"}


def heading(column: str) -> str:
    """A column's heading in the consolidated workbook: 'mean_pct' → 'Mean %', 'urn' → 'URN',
    'workbook_id' → 'Workbook ID'. The CSVs keep the column names themselves."""
    words = [_WORDS.get(word, word) for word in column.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


ALL_COLUMNS = frozenset(
    RETURNS + RATINGS + SCORES + PROGRESS + ACTIONS + OUTCOMES + SUMMARY + LEVELS + GROUP_MEANS
    + STATUS + CHASE + INPUTS
)


@dataclass
class Consolidation:
    """Everything one analysis run found: tidy tables plus the run's own messages."""

    returns: pd.DataFrame
    ratings: pd.DataFrame
    scores: pd.DataFrame
    progress: pd.DataFrame
    actions: pd.DataFrame
    outcomes: pd.DataFrame
    summary: pd.DataFrame
    levels: pd.DataFrame
    group_means: pd.DataFrame
    level_order: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """framework id → its scale's labels, lowest first (for ordering and colours)."""
    level_colours: dict[str, dict[str, str]] = field(default_factory=dict)
    """framework id → {label: '#RRGGBB'}."""
    analysed_on: str = ""  # ISO date the analysis treated as today
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    """file → what reading it found, as data (errors, then warnings): the Returns table's
    ``errors`` and ``warnings`` are their text; the feedback report places them by their fields."""
    status: pd.DataFrame | None = None
    """A collection's :data:`STATUS` (None outside a collection): a Status sheet is written."""
    chase: pd.DataFrame | None = None
    """A collection's :data:`CHASE` list, written with the status."""
    elsewhere: dict[str, int] = field(default_factory=dict)
    """Tables (ratings, scores, progress) whose rows are left out of this consolidation, with
    their number of rows: a big collection writes them to the data files only."""
    inputs: pd.DataFrame | None = None
    """:data:`INPUTS`: everything the returns' schools typed (None when not gathered, as in a
    collection's outputs, which are built from the ledger: then no Inputs sheet or file)."""

EXACT = "score_exact"
"""An unrounded score % kept beside score_pct (not written out): changes and means are worked
from it and rounded once, so 83.33 - 66.67 shows as 16.7, not 16.6."""
