"""The typed framework model: what a framework spec says, validated, immutable, no IO.

A spec file (YAML) is validated into these models by :mod:`awardbooks.spec.loading`. Everything
downstream (layout, writer, reader, analysis) works from a :class:`Framework`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from awardbooks.spec import codes
from awardbooks.spec.codes import SpecValueError

SPEC_FORMAT = 1
"""The version of the spec file format this code reads (``format:`` in a spec)."""

CELL_LIMIT = 32767
"""The most characters an Excel cell holds: every text of a spec is written into a cell."""
DROPDOWN_LIMIT = 255
"""Excel's limit on a dropdown's list of choices, written out with commas between them."""

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _spec_id(value: str) -> str:
    if not _ID.match(value):
        raise SpecValueError(codes.BAD_ID, value=value)
    return value


SpecId = Annotated[str, AfterValidator(_spec_id)]
"""An item's, group's or listed row's id: letters, digits, '.', '_' and '-'."""
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Level(_Frozen):
    """One level of a rating scale, e.g. ``Embedded`` (fully in place) scoring 100."""

    label: str = Field(min_length=1, max_length=40)
    meaning: str = ""
    score: float = Field(ge=0)
    colour: str = "#FFFFFF"

    @field_validator("colour")
    @classmethod
    def _colour(cls, value: str) -> str:
        if not _COLOUR.match(value):
            raise SpecValueError(codes.BAD_COLOUR, value=value)
        return value.upper()

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        if "," in value or '"' in value:
            raise SpecValueError(codes.BAD_LEVEL_LABEL, value=value)
        return value


class Scale(_Frozen):
    """An ordered rating scale, lowest level first."""

    id: str
    title: str
    levels: tuple[Level, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _distinct(self) -> Scale:
        seen: set[str] = set()
        for level in self.levels:
            key = level.label.casefold()
            if key in seen:
                raise SpecValueError(codes.LEVEL_REPEATED, scale=self.id, label=level.label)
            seen.add(key)
        scores = [level.score for level in self.levels]
        if scores != sorted(scores):
            raise SpecValueError(codes.SCORES_NOT_RISING, scale=self.id)
        if self.top_score <= 0:
            raise SpecValueError(codes.TOP_SCORE_ZERO, scale=self.id)
        if len(",".join(self.labels)) > DROPDOWN_LIMIT:  # the rating cells' dropdown
            raise SpecValueError(codes.LEVELS_TOO_LONG, scale=self.id, limit=DROPDOWN_LIMIT)
        return self

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(level.label for level in self.levels)

    @property
    def top_score(self) -> float:
        return max(level.score for level in self.levels)

    def level(self, label: str) -> Level | None:
        """The level with this exact label, or None."""
        for level in self.levels:
            if level.label == label:
                return level
        return None

    def describe(self) -> str:
        """'Emergent (early stages) = 35, ...' for prompts and notes."""
        parts = []
        for level in self.levels:
            meaning = f" ({level.meaning})" if level.meaning else ""
            parts.append(f"{level.label}{meaning} = {level.score:g}")
        return "; ".join(parts)


BUILTIN_SCALES: dict[str, Scale] = {
    "emergent-developing-embedded": Scale(
        id="emergent-developing-embedded",
        title="Emergent / Developing / Embedded",
        levels=(
            Level(label="Emergent", meaning="early stages", score=35, colour="#FFC7CE"),
            Level(label="Developing", meaning="work in progress", score=70, colour="#FFEB9C"),
            Level(label="Embedded", meaning="fully in place", score=100, colour="#C6EFCE"),
        ),
    ),
    "developing-to-enhancing": Scale(
        id="developing-to-enhancing",
        title="Developing / Developed / Established / Enhancing",
        levels=(
            Level(label="Developing", score=25, colour="#FFC7CE"),
            Level(label="Developed", score=50, colour="#FFEB9C"),
            Level(label="Established", score=75, colour="#DDEBF7"),
            Level(label="Enhancing", score=100, colour="#C6EFCE"),
        ),
    ),
    "rag": Scale(
        id="rag",
        title="RAG (Red / Amber / Green)",
        levels=(
            Level(label="Red", meaning="not yet in place", score=0, colour="#FF9999"),
            Level(label="Amber", meaning="partly in place", score=50, colour="#FFD966"),
            Level(label="Green", meaning="achieved", score=100, colour="#A9D08E"),
        ),
    ),
}

ColumnType = Literal["text", "date", "yesno", "choice", "number"]

DateWarning = Literal["DATE_TOO_LATE", "INTERIM_TOO_LATE", "FINAL_TOO_LATE"]
"""The read codes a cover date's limit may be reported with (:mod:`awardbooks.read.codes`)."""


class DateLimit(_Frozen):
    """How long after another cover date a cover date may be, e.g. the LPPA's Interim
    Assessment "no more than eight months after the Initial Audit": a later date is a
    warning when the return is read (only when both dates are filled in)."""

    after: str = Field(min_length=1)
    """The id of the earlier date's cover field."""
    months: int = Field(ge=1, le=240)
    warning: DateWarning = "DATE_TOO_LATE"
    rule: str = ""
    """The source's own words for the limit, quoted in the warning."""


class Column(_Frozen):
    """An extra column: an input the school fills in, or (``input: false``) text from the spec."""

    id: str
    label: str = Field(min_length=1)
    type: ColumnType = "text"
    choices: tuple[str, ...] = ()
    width: float = Field(default=24, gt=0, le=120)
    input: bool = True
    help: str = ""
    within: DateLimit | None = None
    """A date cover field only: how long after another cover date it may be."""

    @model_validator(mode="after")
    def _choices(self) -> Column:
        if self.type == "choice" and not self.choices:
            raise SpecValueError(codes.CHOICE_WITHOUT_CHOICES, column=self.id)
        if self.type != "choice" and self.choices:
            raise SpecValueError(codes.CHOICES_WITHOUT_CHOICE, column=self.id, type=self.type)
        if len(",".join(self.choices)) > DROPDOWN_LIMIT:
            raise SpecValueError(codes.CHOICES_TOO_LONG, column=self.id)
        return self

    @property
    def options(self) -> tuple[str, ...]:
        """The dropdown values, if the column has a fixed list."""
        if self.type == "yesno":
            return ("Yes", "No")
        return self.choices


class Item(_Frozen):
    """A rated thing: a descriptor, KPI, element or action."""

    id: SpecId
    text: str = Field(min_length=1)
    descriptors: dict[str, str] = Field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    preset_evidence: tuple[str, ...] = ()
    """Evidence every setting presents for this item, pre-entered in its first portfolio rows
    (the LPPA's completed IARAP under KPI 2.2); the setting may still edit it."""
    info: dict[str, str] = Field(default_factory=dict)
    rated: bool = True


class Group(_Frozen):
    """A theme, aspect, objective or area: a heading with items and/or a best-fit judgement."""

    id: SpecId
    title: str = Field(min_length=1)
    note: str = ""
    judgement: bool = False
    scored_by: Literal["items", "judgement"] = "items"
    """How the group's % is worked out: from its rated items, or from its best-fit judgement
    alone, the items then being the evidence the judgement is made against (a group with no
    rated items is always scored by its judgement)."""
    items: tuple[Item, ...] = ()

    @model_validator(mode="after")
    def _has_something(self) -> Group:
        if not self.items and not self.judgement:
            raise SpecValueError(codes.GROUP_EMPTY, group=self.id)
        if self.scored_by == "judgement" and not self.judgement:
            raise SpecValueError(codes.SCORED_WITHOUT_JUDGEMENT, group=self.id)
        return self

    @property
    def rated_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.rated)

    @property
    def judgement_only(self) -> bool:
        """Scored by its best-fit judgement alone: the spec says so, or it has no rated
        items."""
        return self.scored_by == "judgement" or not self.rated_items


class Labels(_Frozen):
    """The framework's own words for its parts, used as sheet and column headings."""

    group: str = "Group"
    item: str = "Item"
    rating: str = "Rating"
    date: str = "Date"
    comment: str = "Comment"
    judgement: str = "Overall best-fit judgement"

    @field_validator("rating")
    @classmethod
    def _rating(cls, value: str) -> str:
        if not value:  # the rating column's heading, and its dropdown's title
            raise SpecValueError(codes.TEXT_TOO_SHORT, limit=1, unit="character")
        return value


TermName = Literal["autumn", "spring", "summer"]


class RatingPeriods(_Frozen):
    """A rating per plan year and term, side by side on each row (a plan of several years
    rated termly, as the MAP's "RAG rated progress Yr 1 / Yr 2 / Yr 3"). Only the cell of the
    workbook's own year and term is open; earlier cells show the ratings carried forward from
    the setting's last return, later ones stay locked and empty. The plan's first academic
    year is given when the workbooks are generated (else it is the workbook's year)."""

    years: int = Field(default=3, ge=1, le=5)
    year_label: str = Field(default="Yr", min_length=1, max_length=12)
    terms: tuple[TermName, ...] = Field(default=("autumn", "spring", "summer"), min_length=1)


class AuditSheets(_Frozen):
    """How the rating sheets are laid out."""

    layout: Literal["per_group", "single"] = "per_group"
    title: str = Field(default="Audit", max_length=31)
    show_descriptors: bool = True
    date_column: bool = True
    comment_column: bool = True
    columns: tuple[Column, ...] = ()
    """Extra per-item columns (inputs, or locked info from each item's ``info``)."""
    periods: RatingPeriods | None = None
    """A rating cell per plan year and term on each row, the current one open."""


class ActionPlan(_Frozen):
    title: str = Field(default="Action plan", max_length=31)
    heading: str = ""
    """The sheet's heading; ``{year}`` in it becomes the workbook's academic year written
    "2026 to 2027" (the source's "20_ TO 20_")."""
    rows: int = Field(default=30, ge=1, le=500)
    columns: tuple[Column, ...] = Field(min_length=1)


class EvidenceAge(_Frozen):
    """How old a portfolio's evidence may be, e.g. the LPPA's "not more than two years old at
    the date of the Interim Assessment": stated on the portfolio sheets and, when the return
    is read, an evidence date more than ``years`` before the cover date ``at`` is a warning."""

    column: str = Field(min_length=1)
    """The id of the portfolio's date column (type date)."""
    at: str = Field(min_length=1)
    """The id of the cover date field the age is measured at."""
    years: int = Field(ge=1, le=50)
    rule: str = Field(min_length=1)
    """The source's own words for the rule, shown on the sheets and quoted in the warning."""


class Portfolio(_Frozen):
    title: str = Field(default="Portfolio", max_length=31)
    heading: str = ""
    evidence_per_item: int = Field(default=2, ge=1, le=5)
    columns: tuple[Column, ...] = ()
    """Per-evidence-row input columns besides the evidence itself."""
    fields: tuple[Column, ...] = ()
    """Per-group fields below the table (lead person, dates, summative comment)."""
    front_sheets: bool = False
    """One sheet per group (a front sheet per objective, named ``<title> <group id>``)
    instead of one sheet for all."""
    evidence_refs: bool = False
    """Each evidence row shows its reference, pre-filled and locked: ``3.2 a`` is the first
    item of evidence (a) for group 3, item 2 (the LPPA's referencing); else the item id on
    its first row only."""
    evidence_label: str = Field(default="Key evidence presented", min_length=1)
    """The heading of the evidence column."""
    guidance: tuple[str, ...] = ()
    """Lines of the source's guidance shown above the table on every portfolio sheet."""
    evidence_age: EvidenceAge | None = None


class Outcome(_Frozen):
    id: str
    text: str = Field(min_length=1)
    kind: str = "key"


class Outcomes(_Frozen):
    title: str = Field(default="Outcomes", max_length=31)
    heading: str = ""
    columns: tuple[Column, ...] = Field(min_length=1)
    outcomes: tuple[Outcome, ...] = ()
    blank_rows: int = Field(default=3, ge=0, le=50)
    """Open rows for the setting's own outcomes, below the listed ones."""
    blank_note: str = ""
    term_columns: dict[Literal["baseline", "autumn", "spring", "summer"], str] = Field(
        default_factory=dict
    )
    """Which column records which term's progress (term → column id, e.g. spring → term2):
    a workbook opens only its own term's column of these; earlier terms' stand locked (with
    what was carried forward), later terms' locked and empty. Columns not named here (a
    baseline) stay open until something is typed in them."""

    @property
    def open_row_ids(self) -> tuple[str, ...]:
        """The ids of the open rows, ``L1``, ``L2``, ...: no listed outcome may take one."""
        return tuple(f"L{n + 1}" for n in range(self.blank_rows))


class Membership(_Frozen):
    title: str = Field(default="Membership", max_length=31)
    heading: str = ""
    categories: tuple[str, ...] = Field(min_length=1)
    rows_per_category: int = Field(default=6, ge=1, le=100)


class InfoField(_Frozen):
    label: str
    text: str


class InfoSheet(_Frozen):
    """A locked sheet of framework text, e.g. an action plan's header fields."""

    title: str = Field(max_length=31)
    heading: str = ""
    fields: tuple[InfoField, ...] = Field(min_length=1)


class ListRow(_Frozen):
    """A row of a list sheet: text from the spec (a milestone, a question, a criterion)."""

    id: SpecId
    text: str = Field(min_length=1)
    info: dict[str, str] = Field(default_factory=dict)
    """Locked text for the sheet's ``input: false`` columns, by column id."""


class ListSheet(_Frozen):
    """A sheet of listed rows, each with input cells the school fills in (an answer, a date,
    Yes/No, a choice, a number): a journey's milestones, questions to answer, criteria to
    measure. A framework may have several; each is read into ``record.tables[id]``."""

    id: str
    title: str = Field(max_length=31)
    heading: str = ""
    intro: tuple[str, ...] = ()
    """Lines shown above the table (instructions; the source's wording or marked as ours)."""
    text_label: str = Field(default="Item", min_length=1)
    """The heading of the column of listed text."""
    rows: tuple[ListRow, ...] = Field(min_length=1)
    columns: tuple[Column, ...] = Field(min_length=1)
    answer_lines: int = Field(default=1, ge=1, le=30)
    """How many lines tall each row is at least: room for a written answer."""
    due: str = ""
    """The id of a date column holding the date each row is due by (with ``done``)."""
    done: str = ""
    """The id of a date column holding the date each row was done: a row past its ``due``
    date with no ``done`` date is flagged when the returns are analysed."""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not re.match(r"^[a-z0-9][a-z0-9-]*$", value):
            raise SpecValueError(codes.BAD_LIST_ID, value=value)
        return value

    @model_validator(mode="after")
    def _columns(self) -> ListSheet:
        if not self.input_columns:
            raise SpecValueError(codes.LIST_NO_INPUT, list_id=self.id)
        dates = [c.id for c in self.input_columns if c.type == "date"]
        for key in ("due", "done"):
            value = getattr(self, key)
            if value and value not in dates:
                shown = ", ".join(dates) or "none"
                raise SpecValueError(
                    codes.LIST_NOT_A_DATE_COLUMN, key=key, column=value, dates=shown
                )
        if bool(self.due) != bool(self.done):
            raise SpecValueError(codes.LIST_DUE_WITHOUT_DONE, list_id=self.id)
        if self.due and self.due == self.done:
            raise SpecValueError(codes.LIST_DUE_IS_DONE, list_id=self.id, column=self.due)
        return self

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.input)


class Sheets(_Frozen):
    """Which of the optional sheets this framework's workbook gets."""

    info: InfoSheet | None = None
    membership: Membership | None = None
    outcomes: Outcomes | None = None
    action_plan: ActionPlan | None = None
    portfolio: Portfolio | None = None
    lists: tuple[ListSheet, ...] = ()
    """Sheets of listed rows with input columns, after the other sheets, in this order."""


class Source(_Frozen):
    document: str
    file: str = ""
    notes: str = ""


class Edition(_Frozen):
    """An earlier edition of this framework, and how its item ids map to this edition's.

    ``map`` lists only the items whose ids changed: ``old id → new id`` (renamed; several old
    ids mapping to one new id are merged) or ``old id → None`` (removed). Items whose ids are
    the same in both editions need no entry.
    """

    version: str = Field(min_length=1)
    map: dict[str, str | None] = Field(default_factory=dict)


class Framework(_Frozen):
    """A whole framework, as one spec file describes it."""

    format: int = SPEC_FORMAT
    id: str
    title: str = Field(min_length=1)
    short_title: str = Field(default="", max_length=40)
    version: str = Field(min_length=1)
    status: Literal["complete", "skeleton"] = "complete"
    source: Source
    instructions: tuple[str, ...] = ()
    scale: Scale
    scores_note: str = ""
    """Shown on the cover under the rating scale: where the levels' scores come from (e.g.
    that they are awardbooks' convention because the source document gives none)."""
    labels: Labels = Labels()
    cover_fields: tuple[Column, ...] = ()
    audit: AuditSheets = AuditSheets()
    groups: tuple[Group, ...] = Field(min_length=1)
    sheets: Sheets = Sheets()
    previous_editions: tuple[Edition, ...] = ()
    """Earlier editions whose item ids map to this one's (for progress across editions)."""
    completion_threshold: float = Field(default=80, ge=0, le=100)
    """The % of a return's items that must be rated for it to be complete: a return rated
    below it is read with an ``incomplete`` warning naming its blank groups (the analyser's
    ``completion_threshold`` option overrides it). It does not shape the workbook."""

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not re.match(r"^[a-z0-9][a-z0-9-]*$", value):
            raise SpecValueError(codes.BAD_FRAMEWORK_ID, value=value)
        return value

    @property
    def name(self) -> str:
        return self.short_title or self.title

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for group in self.groups for item in group.items)

    def fingerprint(self) -> str:
        """A short hash of everything that shapes the workbook: equal specs, equal prints.

        ``previous_editions`` does not shape the workbook, so it is left out. Cached: a
        framework is immutable and every return read is compared with it."""
        return per_framework("fingerprint", self, _fingerprint)


LATER_DEFAULTS: dict[str, Any] = {
    "scored_by": "items",
    "lists": [],
    "guidance": [],
    "scores_note": "",
    "periods": None,
    "within": None,
    "preset_evidence": [],
    "front_sheets": False,
    "evidence_refs": False,
    "evidence_label": "Key evidence presented",
    "evidence_age": None,
    "term_columns": {},
    "completion_threshold": 80,
}
"""Keys added to the model after fingerprints were first given out, with their defaults: a
spec that leaves one at its default prints as it did before the key existed, so the returns
of workbooks generated earlier are still recognised as made from the same spec."""


def _without_later_defaults(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_later_defaults(v)
            for k, v in value.items()
            if not (k in LATER_DEFAULTS and v == LATER_DEFAULTS[k])
        }
    if isinstance(value, list):
        return [_without_later_defaults(v) for v in value]
    return value


def _fingerprint(fw: Framework) -> str:
    shape = _without_later_defaults(fw.model_dump(mode="json", exclude={"previous_editions"}))
    canonical = json.dumps(shape, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


_DERIVED: dict[tuple[str, int], tuple[Framework, Any]] = {}


def per_framework(what: str, fw: Framework, make: Callable[[Framework], Any]) -> Any:
    """``make(fw)``, worked out once per framework object and kept (a framework is frozen, so
    what is derived from it never changes; pydantic models take no cached attributes)."""
    hit = _DERIVED.get((what, id(fw)))
    if hit is None or hit[0] is not fw:
        if len(_DERIVED) > 256:
            _DERIVED.clear()
        hit = _DERIVED[(what, id(fw))] = (fw, make(fw))
    return hit[1]
