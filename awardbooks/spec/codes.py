"""Every kind of problem a framework spec can have, as a :class:`~awardbooks.problems.Code`.

Ids are ``spec-`` slugs and never change once published (``docs/problems.md`` lists them
from :func:`awardbooks.problems.catalogue` of this module). A problem's ``path`` is the key
path inside the spec (``groups[3].items[2]``); its ``file`` the spec's file. The messages
are those ``awardbooks spec check`` prints; the authoring workbook's reader
(:mod:`awardbooks.authoring.reading`) relies on the codes and template values, never on the
wording, so a message can be reworded here alone.
"""

from __future__ import annotations

from typing import Any

from awardbooks.problems import Code

# -- the file --------------------------------------------------------------------------------
FILE_MISSING = Code(
    "spec-file-missing",
    "error",
    "no such spec file",
    example={"file": "mine.yaml"},
)
UNKNOWN_FRAMEWORK = Code(
    "spec-unknown-framework",
    "error",
    "unknown framework {name!r}{hint}",
    "built-in frameworks: {known}",
    {"name": "lpa", "hint": " (did you mean 'lppa'?)", "known": "family-partnership, lppa"},
)
NOT_UTF8 = Code(
    "spec-not-utf8",
    "error",
    "is not UTF-8 text",
    "save it as UTF-8",
    {"file": "mine.yaml"},
)
NOT_YAML = Code(
    "spec-not-yaml",
    "error",
    "not valid YAML ({detail})",
    example={
        "file": "mine.yaml",
        "path": "line 2, column 8",
        "detail": "found unexpected end of stream",
    },
)
IS_WORKBOOK = Code(
    "spec-is-workbook",
    "error",
    "is a workbook, not a YAML spec",
    "load it with awardbooks.authoring.sources.load_spec, which reads authoring workbooks too",
    {"file": "mine.xlsx"},
)
NOT_MAPPING = Code(
    "spec-not-mapping",
    "error",
    "a spec must be a mapping of keys (id, title, groups, ...)",
    example={"file": "mine.yaml"},
)

OUTPUT_EXISTS = Code(
    "spec-output-exists",
    "error",
    "already exists",
    "use {{opt:force}} to replace it, or choose another name",
    {"file": "lppa.yaml"},
)
"""``awardbooks spec import`` does not replace a spec unless told to."""
OUTPUT_NOT_YAML = Code(
    "spec-output-not-yaml",
    "error",
    "a spec is a .yaml file",
    "name it e.g. {id}.yaml",
    {"file": "lppa.txt", "id": "lppa"},
)

# -- keys and values (the schema) ------------------------------------------------------------
MISSING_KEY = Code(
    "spec-missing-key",
    "error",
    "'{key}' is missing",
    example={"path": "groups[3].items[2]", "key": "text"},
)
UNKNOWN_KEY = Code(
    "spec-unknown-key",
    "error",
    "'{key}' is not a known key{hint}",
    example={"path": "groups[3].items[2]", "key": "txt", "hint": " (did you mean 'text'?)"},
)
UNKNOWN_SCALE = Code(
    "spec-unknown-scale",
    "error",
    "unknown scale {scale!r}{hint}",
    "use one of {known} or define levels",
    {"path": "scale", "scale": "rgb", "hint": " (did you mean 'rag'?)", "known": "rag, ..."},
)
TEXT_TOO_SHORT = Code(
    "spec-text-too-short",
    "error",
    "String should have at least {limit} {unit}",
    example={"path": "groups[0].title", "limit": 1, "unit": "character"},
)
TEXT_TOO_LONG = Code(
    "spec-text-too-long",
    "error",
    "String should have at most {limit} {unit}",
    example={"path": "short_title", "limit": 40, "unit": "characters"},
)
CELL_TEXT_TOO_LONG = Code(
    "spec-cell-text-too-long",
    "error",
    "the text has {length} characters, more than an Excel cell holds ({limit})",
    "shorten it",
    {"path": "groups[0].items[0].text", "length": 40000, "limit": 32767},
)
TOO_FEW = Code(
    "spec-too-few",
    "error",
    "List should have at least {limit} {unit}, not {actual}",
    example={"path": "groups", "limit": 1, "unit": "item", "actual": 0},
)
TOO_SMALL = Code(
    "spec-too-small",
    "error",
    "Input should be greater than or equal to {limit}",
    example={"path": "sheets.action_plan.rows", "limit": 1},
)
NOT_ABOVE = Code(
    "spec-not-above",
    "error",
    "Input should be greater than {limit}",
    example={"path": "audit.columns[0].width", "limit": 0},
)
TOO_LARGE = Code(
    "spec-too-large",
    "error",
    "Input should be less than or equal to {limit}",
    example={"path": "sheets.action_plan.rows", "limit": 500},
)
NOT_INTEGER = Code(
    "spec-not-integer",
    "error",
    "Input should be a valid integer{detail}",
    example={"path": "sheets.action_plan.rows", "detail": ", got a number with a fractional part"},
)
NOT_NUMBER = Code(
    "spec-not-number",
    "error",
    "Input should be a valid number{detail}",
    example={"path": "scale.levels[1].score", "detail": ", unable to parse string as a number"},
)
WRONG_TYPE = Code(
    "spec-wrong-type",
    "error",
    "Input should be {expected}",
    example={"path": "audit.layout", "expected": "'per_group' or 'single'"},
)
INVALID = Code(
    "spec-invalid",
    "error",
    "{detail}",
    example={"path": "title", "detail": "a value the spec format cannot take"},
)
"""Any other value the schema refuses, in the words of the validator (pydantic)."""

# -- values the model checks itself ----------------------------------------------------------
BAD_FRAMEWORK_ID = Code(
    "spec-bad-framework-id",
    "error",
    "framework id {value!r} may use only lower-case letters, digits, '-'",
    example={"path": "id", "value": "My LPPA"},
)
BAD_ID = Code(
    "spec-bad-id",
    "error",
    "id {value!r} may use only letters, digits, '.', '_' and '-'",
    example={"path": "groups[0].items[1].id", "value": "1 .2"},
)
BAD_COLOUR = Code(
    "spec-bad-colour",
    "error",
    "colour {value!r} is not a hex colour like '#C6EFCE'",
    example={"path": "scale.levels[0].colour", "value": "purple"},
)
BAD_LEVEL_LABEL = Code(
    "spec-bad-level-label",
    "error",
    "level label {value!r} may not contain a comma or a double quote",
    example={"path": "scale.levels[0].label", "value": "Red, mostly"},
)
LEVEL_REPEATED = Code(
    "spec-level-repeated",
    "error",
    "scale {scale!r} lists level {label!r} twice",
    example={"path": "scale", "scale": "mine", "label": "Green"},
)
SCORES_NOT_RISING = Code(
    "spec-scores-not-rising",
    "error",
    "scale {scale!r}: level scores must rise from first to last",
    example={"path": "scale", "scale": "mine"},
)
TOP_SCORE_ZERO = Code(
    "spec-top-score-zero",
    "error",
    "scale {scale!r}: the top level must score more than 0",
    example={"path": "scale", "scale": "mine"},
)
LEVELS_TOO_LONG = Code(
    "spec-levels-too-long",
    "error",
    "scale {scale!r}: its level labels exceed Excel's {limit}-character limit for a dropdown",
    "shorten the labels (they are listed with a comma between each)",
    {"path": "scale", "scale": "mine", "limit": 255},
)
CHOICE_WITHOUT_CHOICES = Code(
    "spec-choice-without-choices",
    "error",
    "column {column!r} has type 'choice' but no 'choices'",
    example={"path": "audit.columns[0]", "column": "stage"},
)
CHOICES_WITHOUT_CHOICE = Code(
    "spec-choices-without-choice-type",
    "error",
    "column {column!r} has 'choices' but its type is {type!r}",
    example={"path": "audit.columns[0]", "column": "stage", "type": "text"},
)
CHOICES_TOO_LONG = Code(
    "spec-choices-too-long",
    "error",
    "column {column!r}: its choices exceed Excel's 255-character limit",
    example={"path": "audit.columns[0]", "column": "stage"},
)
GROUP_EMPTY = Code(
    "spec-group-empty",
    "error",
    "group {group!r} has no items and no best-fit judgement",
    example={"path": "groups[2]", "group": "3"},
)

SCORED_WITHOUT_JUDGEMENT = Code(
    "spec-scored-without-judgement",
    "error",
    "group {group!r} is scored by its best-fit judgement but has none",
    "add judgement: true to the group, or remove scored_by: judgement",
    example={"path": "groups[0]", "group": "1"},
)

# -- across the spec -------------------------------------------------------------------------
COLUMN_ID_REPEATED = Code(
    "spec-column-id-repeated",
    "error",
    "two columns share an id",
    example={"path": "audit.columns"},
)
"""Within one list of columns (the cover's, the rating sheets', a sheet's)."""
GROUP_ID_REPEATED = Code(
    "spec-group-id-repeated",
    "error",
    "group id {group!r} is used twice",
    example={"path": "groups[4].id", "group": "3"},
)
ITEM_ID_REPEATED = Code(
    "spec-item-id-repeated",
    "error",
    "item id {item!r} is already used at {first}",
    example={"path": "groups[0].items[1].id", "item": "1.1", "first": "groups[0].items[0]"},
)
OUTCOME_ID_REPEATED = Code(
    "spec-outcome-id-repeated",
    "error",
    "outcome id {outcome!r} is used twice",
    example={"path": "sheets.outcomes.outcomes[3].id", "outcome": "K1"},
)
OUTCOME_ID_OPEN_ROW = Code(
    "spec-outcome-id-open-row",
    "error",
    "outcome id {outcome!r} is the id of one of the open rows for the setting's own outcomes "
    "({first} to {last})",
    "choose another id, e.g. K{number}",
    {"path": "sheets.outcomes.outcomes[0].id", "outcome": "L1", "first": "L1", "last": "L3",
     "number": 1},
)  # fmt: skip
UNKNOWN_LEVEL = Code(
    "spec-unknown-level",
    "error",
    "{level!r} is not a level of the scale{hint} (levels: {levels})",
    example={
        "path": "groups[0].items[1].descriptors",
        "level": "Gren",
        "hint": " (did you mean 'Green'?)",
        "levels": "Red, Amber, Green",
    },
)
UNKNOWN_INFO_COLUMN = Code(
    "spec-unknown-info-column",
    "error",
    "{column!r} is not an audit column with 'input: false'{hint}",
    example={
        "path": "groups[0].items[0].info",
        "column": "leed",
        "hint": " (did you mean 'lead'?)",
    },
)
EDITION_OWN_VERSION = Code(
    "spec-edition-own-version",
    "error",
    "{version!r} is this spec's own version",
    "list only earlier editions",
    {"path": "previous_editions[1].version", "version": "2026.1"},
)
EDITION_REPEATED = Code(
    "spec-edition-repeated",
    "error",
    "edition {version!r} is listed twice",
    example={"path": "previous_editions[2].version", "version": "2025.1"},
)
EDITION_UNKNOWN_ITEM = Code(
    "spec-edition-unknown-item",
    "error",
    "{item!r} is not an item id of this spec{hint}",
    "map to one of its items, or to nothing (null) if the item was removed",
    {"path": "previous_editions[0].map.1.3", "item": "1.22", "hint": " (did you mean '1.2'?)"},
)
EDITION_UNDECLARED = Code(
    "spec-edition-undeclared",
    "error",
    "{framework} edition {version} declares no map from edition {old!r} (declared: {declared})",
    "add it under previous_editions",
    {"framework": "LPPA", "version": "2026.1", "old": "2023.1", "declared": "2025.1"},
)
"""Raised when an analysis meets a return of an edition the spec does not list."""

DATE_FIELD_UNKNOWN = Code(
    "spec-date-field-unknown",
    "error",
    "{field!r} is not a date field of the cover{hint}",
    "name the id of a cover field of type date",
    {"path": "cover_fields[5].within.after", "field": "initial_audit", "hint": " (did you mean "
     "'initial_audit_date'?)"},
)  # fmt: skip
"""A date limit (``within``) or an evidence age rule measured from a cover field that is not
a date field of the cover."""
DATE_LIMIT_NOT_DATE = Code(
    "spec-date-limit-not-date",
    "error",
    "a date limit is given for {column!r}, which is not a date",
    "give the field type: date, or remove its within",
    {"path": "cover_fields[2].within", "column": "stage"},
)
DATE_LIMIT_NOT_COVER = Code(
    "spec-date-limit-not-cover",
    "error",
    "a date limit (within) is checked only on a cover field",
    "move it to a date field under cover_fields, or remove it",
    {"path": "sheets.action_plan.columns[3].within"},
)
PRESET_EVIDENCE_TOO_MANY = Code(
    "spec-preset-evidence-too-many",
    "error",
    "{count} items of pre-entered evidence for {item!r}, but {rows}",
    "list fewer, or give the portfolio more evidence rows per item",
    {"path": "groups[1].items[1].preset_evidence", "count": 3, "item": "2.2",
     "rows": "the portfolio has 2 evidence rows per item"},
)  # fmt: skip
EVIDENCE_AGE_COLUMN = Code(
    "spec-evidence-age-column",
    "error",
    "{column!r} is not a date column of the portfolio{hint}",
    "name the id of a portfolio column of type date",
    {"path": "sheets.portfolio.evidence_age.column", "column": "dated", "hint": " (did you mean "
     "'date'?)"},
)  # fmt: skip

# -- the names of the workbook's sheets (Excel's rules) --------------------------------------
SHEET_NAME_EMPTY = Code(
    "spec-sheet-name-empty",
    "error",
    "a sheet's name is empty",
    "give the sheet a name",
    {"path": "sheets.action_plan.title"},
)
SHEET_NAME_TOO_LONG = Code(
    "spec-sheet-name-too-long",
    "error",
    "sheet name {name!r} is longer than Excel's {limit} characters",
    "shorten it",
    {"path": "sheets.action_plan.title", "name": "Action plan for the whole partnership",
     "limit": 31},
)  # fmt: skip
SHEET_NAME_CHARACTER = Code(
    "spec-sheet-name-character",
    "error",
    "sheet name {name!r} contains '{character}'",
    "leave it out: Excel allows none of {forbidden} in a sheet's name",
    {"path": "sheets.action_plan.title", "name": "Plan: 2026", "character": ":",
     "forbidden": "[ ] : * ? / \\"},
)  # fmt: skip
SHEET_NAME_CONTROL = Code(
    "spec-sheet-name-control",
    "error",
    "sheet name {name!r} contains a line break, a tab or another control character",
    "write the name on one line",
    {"path": "sheets.action_plan.title", "name": "Action\nplan"},
)
SHEET_NAME_APOSTROPHE = Code(
    "spec-sheet-name-apostrophe",
    "error",
    "sheet name {name!r} begins or ends with an apostrophe",
    "leave the apostrophe out: Excel does not allow it there",
    {"path": "sheets.action_plan.title", "name": "'Plan'"},
)
SHEET_NAME_FORBIDDEN = Code(
    "spec-sheet-name-forbidden",
    "error",
    "Excel keeps the sheet name {name!r} for itself",
    "choose another name",
    {"path": "sheets.info.title", "name": "History"},
)
SHEET_NAME_RESERVED = Code(
    "spec-sheet-name-reserved",
    "error",
    "sheet name {name!r} is taken by the workbook's own {own!r} sheet",
    "choose another name (Excel ignores the difference between capitals and small letters)",
    {"path": "sheets.action_plan.title", "name": "cover", "own": "Cover"},
)
SHEET_NAME_REPEATED = Code(
    "spec-sheet-name-repeated",
    "error",
    "two sheets would be called {name!r}",
    "rename one in the spec (Excel ignores the difference between capitals and small letters)",
    {"path": "sheets.portfolio.title", "name": "Evidence"},
)
GROUP_SHEET_NAME_REPEATED = Code(
    "spec-group-sheet-name-repeated",
    "error",
    "the sheets of groups {other!r} and {group!r} would both be called {name!r}",
    "give the groups ids that differ in more than capitals, or a shorter word for a group "
    "(labels.group): a sheet's name is cut at 31 characters",
    {"path": "groups[1].id", "group": "a", "name": "Group A", "other": "A"},
)


# -- list sheets (sheets.lists) --------------------------------------------------------------
BAD_LIST_ID = Code(
    "spec-bad-list-id",
    "error",
    "list sheet id {value!r} may use only lower-case letters, digits and '-'",
    "e.g. journey or reflection-questions",
    {"path": "sheets.lists[0].id", "value": "Journey 1"},
)
LIST_ID_REPEATED = Code(
    "spec-list-id-repeated",
    "error",
    "list sheet id {list_id!r} is used twice",
    example={"path": "sheets.lists[2].id", "list_id": "journey"},
)
LIST_ROW_ID_REPEATED = Code(
    "spec-list-row-id-repeated",
    "error",
    "row id {row!r} is used twice in list sheet {list_id!r}",
    example={"path": "sheets.lists[0].rows[3].id", "row": "review", "list_id": "journey"},
)
LIST_NO_INPUT = Code(
    "spec-list-no-input",
    "error",
    "list sheet {list_id!r} has no column for the school to fill in",
    "add a column without 'input: false'",
    {"path": "sheets.lists[0]", "list_id": "journey"},
)
LIST_NOT_A_DATE_COLUMN = Code(
    "spec-list-not-a-date-column",
    "error",
    "{key} {column!r} is not a date column the school fills in (date columns: {dates})",
    example={"path": "sheets.lists[0]", "key": "due", "column": "when", "dates": "due, done"},
)
LIST_DUE_WITHOUT_DONE = Code(
    "spec-list-due-without-done",
    "error",
    "list sheet {list_id!r} needs both 'due' and 'done' (the date a row is due by, and the date "
    "it was done) or neither",
    example={"path": "sheets.lists[0]", "list_id": "journey"},
)
LIST_DUE_IS_DONE = Code(
    "spec-list-due-is-done",
    "error",
    "list sheet {list_id!r} names column {column!r} as both 'due' and 'done'",
    example={"path": "sheets.lists[0]", "list_id": "journey", "column": "date"},
)
LIST_UNKNOWN_INFO_COLUMN = Code(
    "spec-list-unknown-info-column",
    "error",
    "{column!r} is not a column of this list sheet with 'input: false'{hint}",
    example={"path": "sheets.lists[0].rows[1].info", "column": "when", "hint": ""},
)

class SpecValueError(ValueError):
    """A problem the model's own validators find, raised as its :class:`Code` and values.

    pydantic keeps the exception with the error it reports, so spec loading turns it back
    into a problem with its code; ``str()`` is the message, for anyone else."""

    def __init__(self, code: Code, **values: Any):
        self.code = code
        self.values = values
        super().__init__(code.template.format(**values))
