"""List sheets (``sheets.lists``): listed rows of the spec's text with the input cells the school
fills in. A bad list sheet is reported by ``spec check`` with its code and exact message; a
workbook's list sheets are locked but for their input cells, with dropdowns; what the school
types (filled in LibreOffice) is read into ``record.tables``; a journey step past its due date
with no date done is a MILESTONE_OVERDUE warning naming the sheet and cell."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from awardbooks import api
from awardbooks.cli import cli
from awardbooks.read.returns import Registry, read_path
from awardbooks.spec import codes
from awardbooks.spec.loading import check_data
from awardbooks.spec.model import Framework
from awardbooks.workbook.layout import layout_for
from tests import lofill as lo

from .conftest import make_workbook

BASE = {
    "id": "mine",
    "title": "My framework",
    "version": "1",
    "source": {"document": "my notes"},
    "scale": "rag",
    "groups": [{"id": "1", "title": "One", "items": [{"id": "1.1", "text": "First"}]}],
    "sheets": {
        "lists": [
            {
                "id": "journey",
                "title": "Journey",
                "text_label": "Step",
                "due": "due",
                "done": "done",
                "columns": [
                    {"id": "when", "label": "When", "input": False},
                    {"id": "due", "label": "Due by", "type": "date"},
                    {"id": "done", "label": "Date done", "type": "date"},
                ],
                "rows": [
                    {"id": "audit", "text": "Initial audit", "info": {"when": "September"}},
                    {"id": "plan", "text": "Action plan in place"},
                ],
            }
        ]
    },
}


def changed(*edits: tuple[str, object]) -> dict:
    """BASE with ``key.path`` → value edits (an int part indexes a list)."""
    data = yaml.safe_load(yaml.safe_dump(BASE))
    for path, value in edits:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node = data
        for part in parents:
            node = node[part]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return data


J = "sheets.lists.0"
RULES = {
    "an id with capitals and a space": (
        changed((f"{J}.id", "Journey 1")),
        codes.BAD_LIST_ID,
        "sheets.lists[0].id",
        "list sheet id 'Journey 1' may use only lower-case letters, digits and '-'; e.g. journey "
        "or reflection-questions",
    ),
    "an id twice": (
        changed(
            (
                "sheets.lists",
                [BASE["sheets"]["lists"][0], dict(BASE["sheets"]["lists"][0], title="Other")],
            )
        ),
        codes.LIST_ID_REPEATED,
        "sheets.lists[1].id",
        "list sheet id 'journey' is used twice",
    ),
    "a row id twice": (
        changed((f"{J}.rows.1.id", "audit")),
        codes.LIST_ROW_ID_REPEATED,
        "sheets.lists[0].rows[1].id",
        "row id 'audit' is used twice in list sheet 'journey'",
    ),
    "locked text for an input column": (
        changed((f"{J}.rows.0.info", {"due": "soon"})),
        codes.LIST_UNKNOWN_INFO_COLUMN,
        "sheets.lists[0].rows[0].info",
        "'due' is not a column of this list sheet with 'input: false'",
    ),
    "due is not a date column": (
        changed((f"{J}.due", "when")),
        codes.LIST_NOT_A_DATE_COLUMN,
        "sheets.lists[0]",
        "due 'when' is not a date column the school fills in (date columns: due, done)",
    ),
    "due without done": (
        changed((f"{J}.done", None)),
        codes.LIST_DUE_WITHOUT_DONE,
        "sheets.lists[0]",
        "list sheet 'journey' needs both 'due' and 'done' (the date a row is due by, and the "
        "date it was done) or neither",
    ),
    "due and done the same column": (
        changed((f"{J}.done", "due")),
        codes.LIST_DUE_IS_DONE,
        "sheets.lists[0]",
        "list sheet 'journey' names column 'due' as both 'due' and 'done'",
    ),
    "nothing for the school to fill in": (
        changed(
            (f"{J}.columns", [{"id": "when", "label": "When", "input": False}]),
            (f"{J}.due", None),
            (f"{J}.done", None),
        ),
        codes.LIST_NO_INPUT,
        "sheets.lists[0]",
        "list sheet 'journey' has no column for the school to fill in; add a column without "
        "'input: false'",
    ),
    "no rows": (
        changed((f"{J}.rows", [])),
        codes.TOO_FEW,
        "sheets.lists[0].rows",
        "List should have at least 1 item, not 0",
    ),
    "a sheet name Excel refuses": (
        changed((f"{J}.title", "Journey: 1/2")),
        codes.SHEET_NAME_CHARACTER,
        "sheets.lists[0].title",
        "sheet name 'Journey: 1/2' contains ':'; leave it out: Excel allows none of [ ] : * ? / "
        "\\ in a sheet's name",
    ),
    "a sheet name the workbook has": (
        changed((f"{J}.title", "summary")),
        codes.SHEET_NAME_RESERVED,
        "sheets.lists[0].title",
        "sheet name 'summary' is taken by the workbook's own 'Summary' sheet; choose another name "
        "(Excel ignores the difference between capitals and small letters)",
    ),
}


@pytest.mark.parametrize("rule", RULES)
def test_spec_check_reports_a_bad_list_sheet(rule, tmp_path):
    data, code, path, text = RULES[rule]
    spec_file = tmp_path / "mine.yaml"
    spec_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    checked = CliRunner().invoke(cli, ["spec", "check", str(spec_file)])
    assert (checked.exit_code, checked.output) == (1, f"Error: {spec_file}: {path}: {text}\n")
    assert [(p.code, p.path) for p in check_data(data)[1]] == [(code.id, path)]


def test_a_spec_without_lists_keeps_its_fingerprint(frameworks):
    """``lists`` came later: a spec without it prints as before, so its returns are known."""
    fw = frameworks["achievement-action-plan"]
    data = fw.model_dump()
    assert data["sheets"]["lists"] == ()
    del data["sheets"]["lists"]
    assert Framework.model_validate(data).fingerprint() == fw.fingerprint()


def test_list_sheets_are_locked_but_their_inputs_with_dropdowns(tmp_path, frameworks):
    fw = frameworks["multi-agency"]
    path = make_workbook(fw, tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["Readiness"]
    assert ws.protection.sheet is True
    assert [ws.cell(5, c).value for c in (1, 2, 3, 4)] == [
        "No.",
        "Pre-requisite",
        "In place",
        "Notes",
    ]
    assert ws["B6"].value.startswith("the leader or manager of the education setting")
    assert ws["B6"].protection.locked is True
    assert (ws["C6"].protection.locked, ws["D6"].protection.locked) == (False, False)
    [yes_no] = [v for v in ws.data_validations.dataValidation if "C6" in str(v.sqref)]
    assert (yes_no.type, yes_no.formula1, yes_no.showErrorMessage) == ("list", '"Yes,No"', True)
    assert yes_no.errorStyle in (None, "stop")  # OOXML's default is stop
    reviews = book["Half-termly reviews"]
    dates = [v for v in reviews.data_validations.dataValidation if v.type == "date"]
    assert {str(v.sqref) for v in dates} >= {"C6", "D6"}
    assert reviews["B11"].value == "Summer term, second half"
    assert ws.print_options is not None and ws.page_setup.orientation == "landscape"


def test_every_builtin_list_sheet_is_in_the_layout(frameworks):
    expected = {
        "family-partnership": {"journey": 11, "case-study": 1, "reflection": 6, "next-steps": 4},
        "lppa": {"success-criteria": 11},
        "multi-agency": {"readiness": 10, "reviews": 6},
    }
    for fid, lists in expected.items():
        layout = layout_for(frameworks[fid])
        assert {k: len(layout.table_rows[k]) for k in lists} == lists
    criteria = layout_for(frameworks["lppa"]).table_columns["success-criteria"]
    assert [c.label for c in criteria.values()] == [
        "Baseline (initial audit)", "Interim assessment", "Final verification",
    ]  # fmt: skip


def rated_in_full(fw: Framework) -> dict[str, str]:
    """Every rated row of ``fw`` rated with the scale's top label ({row key: label}): a
    complete return, so that the completeness check adds no warning of its own to those a
    test is about."""
    return {r.key: fw.scale.labels[-1] for r in layout_for(fw).rating_rows if r.rated}


def rating_cells(fw: Framework) -> dict[str, dict[str, object]]:
    """:func:`rated_in_full` as LibreOffice fill cells ({sheet: {cell: label}})."""
    layout = layout_for(fw)
    cells: dict[str, dict[str, object]] = {}
    for row in layout.rating_rows:
        if row.rated:
            cells.setdefault(row.sheet, {})[layout.rating_cell(row).a1] = fw.scale.labels[-1]
    return cells


@pytest.fixture(scope="module")
def filled(tmp_path_factory, frameworks):
    """FPA, LPPA and multi-agency workbooks with their list sheets filled in LibreOffice, and
    every item rated (a complete return: the only warnings are the list sheets' own)."""
    folder = tmp_path_factory.mktemp("lists")
    books = {fid: make_workbook(frameworks[fid], folder) for fid in
             ("family-partnership", "lppa", "multi-agency")}  # fmt: skip
    d = dt.date
    values = {
        "family-partnership": {
            # launch, audit: done; action plan: due 23/10/2026, not done (overdue on 1/12);
            # review 1: due 18/12/2026 (not yet due); reflection and case study answered
            "Award journey": {
                "D6": d(2026, 9, 7),
                "E6": d(2026, 9, 10),
                "F6": "INSET on 10 September",
                "D7": d(2026, 10, 9),
                "E7": d(2026, 10, 8),
                "D8": d(2026, 10, 23),
                "D9": d(2026, 12, 18),
            },
            "Case study": {"C6": "Our family council began in the spring."},
            "Reflection": {"C6": "Better attendance at learning events.", "C11": "By surveys."},
            "Next steps": {"C9": "Through a staff INSET day."},
        },
        "lppa": {
            "Success criteria": {"C6": "94.1%", "D6": "95.0%", "E16": "Many links in place"},
        },
        "multi-agency": {
            "Readiness": {"C6": "Yes", "D6": "Shared at the summer INSET", "C14": "No"},
            "Half-termly reviews": {
                "C6": d(2026, 10, 23),
                "D6": d(2026, 10, 14),
                "E6": "Aspects 1-3",
                "C7": d(2026, 11, 30),
            },
        },
    }
    for fid, sheets in values.items():
        for sheet, cells in rating_cells(frameworks[fid]).items():
            assert sheet not in sheets
            sheets[sheet] = cells
    if lo.skip_reason() is not None:
        pytest.skip(lo.skip_reason())
    jobs = [(books[fid], folder / f"{fid}-filled.xlsx", values[fid]) for fid in values]
    lo.fill_many(jobs, profile_dir=folder / "profile")
    return {fid: folder / f"{fid}-filled.xlsx" for fid in values}


def test_the_filled_lists_are_read_into_record_tables(filled):
    registry = Registry.default()
    fpa = read_path(filled["family-partnership"], registry)
    assert fpa.tables["journey"] == [
        {"key": "launch", "row": 6, "due": "2026-09-07", "done": "2026-09-10",
         "notes": "INSET on 10 September"},
        {"key": "audit", "row": 7, "due": "2026-10-09", "done": "2026-10-08", "notes": ""},
        {"key": "action-plan", "row": 8, "due": "2026-10-23", "done": "", "notes": ""},
        {"key": "review-1", "row": 9, "due": "2026-12-18", "done": "", "notes": ""},
    ]  # fmt: skip
    assert fpa.tables["case-study"] == [
        {"key": "case-study", "row": 6, "case_study": "Our family council began in the spring."}
    ]
    assert fpa.tables["reflection"] == [
        {"key": "1", "row": 6, "answer": "Better attendance at learning events."},
        {"key": "6", "row": 11, "answer": "By surveys."},
    ]
    assert fpa.tables["next-steps"] == [
        {"key": "4", "row": 9, "answer": "Through a staff INSET day."}
    ]
    lppa = read_path(filled["lppa"], registry)
    assert lppa.tables["success-criteria"] == [
        {"key": "1", "row": 6, "baseline": "94.1%", "interim": "95.0%", "final": ""},
        {"key": "11", "row": 16, "baseline": "", "interim": "", "final": "Many links in place"},
    ]
    multi = read_path(filled["multi-agency"], registry)
    assert multi.tables["readiness"] == [
        {"key": "1", "row": 6, "in_place": "Yes", "notes": "Shared at the summer INSET"},
        {"key": "9", "row": 14, "in_place": "No", "notes": ""},
    ]
    assert multi.tables["reviews"] == [
        {"key": "autumn-1", "row": 6, "due": "2026-10-23", "held": "2026-10-14",
         "notes": "Aspects 1-3"},
        {"key": "autumn-2", "row": 7, "due": "2026-11-30", "held": "", "notes": ""},
    ]  # fmt: skip
    for record in (fpa, lppa, multi):
        assert record.status == "accepted", [str(p) for p in record.problems]


def test_a_step_past_its_due_date_without_a_date_done_is_flagged(filled, tmp_path):
    path = filled["family-partnership"]
    record = api.check(path, today=dt.date(2026, 12, 1))
    assert record.status == "warning"
    [problem] = record.warnings
    assert (problem.code, problem.sheet, problem.cell) == (
        "milestone-overdue", "Award journey", "E8",
    )  # fmt: skip
    assert str(problem) == (
        f"{path}: Award journey!E8: No. action-plan 'Before half term October action plan in "
        "place' was due by 23/10/2026 (D8) and has no date in 'Date done' (analysed on "
        "01/12/2026); enter the date it was done, or a later due date if it has moved"
    )
    assert api.check(path, today=dt.date(2026, 10, 23)).status == "accepted"  # due that day
    later = api.check(path, today=dt.date(2026, 12, 19))  # review 1 is overdue too
    assert [(p.code, p.cell) for p in later.warnings] == [
        ("milestone-overdue", "E8"), ("milestone-overdue", "E9"),
    ]  # fmt: skip
    reviews = api.check(filled["multi-agency"], today=dt.date(2026, 12, 1))
    assert [str(p) for p in reviews.warnings] == [
        f"{filled['multi-agency']}: Half-termly reviews!D7: No. autumn-2 'Autumn term, second "
        "half' was due by 30/11/2026 (C7) and has no date in 'Date of review' (analysed on "
        "01/12/2026); enter the date it was done, or a later due date if it has moved"
    ]
    checked = CliRunner().invoke(cli, ["check", str(filled["lppa"])])
    assert checked.exit_code == 0, checked.output


def test_analyse_flags_overdue_steps_on_its_analysis_date(filled, tmp_path):
    returns = tmp_path / "returns"
    returns.mkdir()
    shutil.copy(filled["family-partnership"], returns / "fpa.xlsx")
    run = api.analyse([returns], out=None, data_dir=tmp_path / "data", today=dt.date(2026, 12, 1))
    [row] = run.consolidation.returns.to_dict("records")
    assert row["status"] == "warning"
    assert row["warnings"] == (
        f"{returns / 'fpa.xlsx'}: Award journey!E8: No. action-plan 'Before half term October "
        "action plan in place' was due by 23/10/2026 (D8) and has no date in 'Date done' "
        "(analysed on 01/12/2026); enter the date it was done, or a later due date if it has "
        "moved"
    )
    early = api.analyse(
        [returns], out=None, data_dir=tmp_path / "early", today=dt.date(2026, 10, 1)
    )
    assert early.consolidation.returns.to_dict("records")[0]["status"] == "accepted"


def test_a_return_of_the_edition_before_the_list_sheets_is_read(tmp_path, frameworks):
    """An FPA 2026.2 workbook (no list sheets) read with edition 2026.3: a warning that it is
    of an earlier edition, and none for the list sheets it never had."""
    fw = frameworks["family-partnership"]
    data = fw.model_dump()
    data["version"] = "2026.2"
    data["previous_editions"] = []
    data["sheets"]["lists"] = []
    old = Framework.model_validate(data)
    # every judgement rated, so that the edition is the only thing warned about
    path = make_workbook(old, tmp_path, ratings=rated_in_full(old))
    record = read_path(path, Registry([fw]))
    assert [(p.code, str(p)) for p in record.problems] == [
        ("edition-older", f"{path}: made from edition 2026.2 of Family Partnership Award; this "
         "analysis uses edition 2026.3; the item ids match, so it was read"),
    ]  # fmt: skip
    assert record.ratings["1:judgement"].label == "Embedded"
    assert "journey" not in record.tables or record.tables["journey"] == []


def test_a_list_sheet_deleted_from_a_current_return_is_reported(tmp_path, frameworks):
    path = make_workbook(frameworks["lppa"], tmp_path)
    book = openpyxl.load_workbook(path)
    del book["Success criteria"]
    book.save(path)
    record = read_path(path, Registry.default())
    assert [(p.code, p.sheet) for p in record.warnings if p.code == "sheet-missing"] == [
        ("sheet-missing", "Success criteria"),
    ]


def test_an_authoring_workbook_places_list_sheet_problems_at_their_cells(tmp_path, frameworks):
    from awardbooks.authoring import reading, writing
    from awardbooks.errors import SpecError

    book = writing.write_template(frameworks["multi-agency"], tmp_path / "ma.xlsx")
    wb = openpyxl.load_workbook(book)
    rows = wb["List rows"]
    rows["A3"] = "readines"  # a typo for the list's id
    rows["D4"] = "nothing to say"  # locked text without its column id
    rows["B6"] = "1"  # the first row's id again (the spec's own check, placed at the cell)
    wb.save(book)
    with pytest.raises(SpecError) as err:
        reading.import_template(book, source="ma.xlsx")
    assert str(err.value).splitlines() == [
        "ma.xlsx: 3 problems",
        "  ma.xlsx: List rows!A3 (List id): 'readines' is not a list id on the Lists sheet (did "
        "you mean 'readiness'?) (list ids: readiness, reviews)",
        "  ma.xlsx: List rows!D4 (Locked texts): 'nothing to say' is not a column id, a colon "
        "and a text; write one per line, e.g. when: September",
        "  ma.xlsx: List rows!B6 (Row id): row id '1' is used twice in list sheet 'readiness'",
    ]


def test_list_rows_are_found_by_their_ids(tmp_path, frameworks):
    """A row inserted above a step, a question's wording edited, a row's id cleared: the answers
    are read from the rows they belong to, and each change is a warning."""
    fw = frameworks["family-partnership"]
    # rated in full, so that the moved rows are the only things warned about
    path = make_workbook(fw, tmp_path, ratings=rated_in_full(fw))
    book = openpyxl.load_workbook(path)
    journey = book["Award journey"]
    journey.insert_rows(7)  # above the initial audit, which moves to row 8
    journey["E8"] = dt.date(2026, 10, 8)
    reflection = book["Reflection"]
    reflection["B7"] = "What is working well?"
    reflection["C7"] = "The family council."
    reflection["A8"] = None  # question 3's id
    reflection["C8"] = "An answer nobody can place"
    book.save(path)
    record = read_path(path, Registry.default())
    assert record.tables["journey"] == [
        {"key": "audit", "row": 8, "due": "", "done": "2026-10-08", "notes": ""}
    ]
    assert record.tables["reflection"] == [{"key": "2", "row": 7, "answer": "The family council."}]
    assert [(p.code, p.severity, p.sheet, p.cell, p.message) for p in record.warnings] == [
        ("list-rows-moved", "warning", "Award journey", "",
         "rows were inserted or deleted; each row's answers were read from the row with its id"),
        ("wording-changed", "warning", "Reflection", "B7",
         "the wording of 2 was changed from the framework's"),
        ("list-row-missing", "warning", "Reflection", "A8",
         "the row for '3' is missing (rows were deleted or ids changed); its answers were not "
         "read"),
    ]  # fmt: skip
