"""The LPPA's portfolio front sheets, evidence age rule and stage dates (handbook
``002_…txt``: "A front page is provided for each Objective" (line 292), references "3.2 a"
(line 318), the temporary note for evidence not available for Interim Assessment (line 326),
"not more than two years old at the date of the Interim Assessment" (line 365), the Interim
Assessment "no more than eight months after the Initial Audit" (line 208) and the Final
Verification "no later than twelve months after the Initial Audit" (line 224)).

Filled in LibreOffice as a school would, then read back: the exact warnings, at their cells."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from click.testing import CliRunner

from awardbooks.cli import cli
from awardbooks.read.datechecks import add_months, check_dates
from awardbooks.read.returns import Registry, read_path
from awardbooks.spec import loading
from awardbooks.spec.loading import edition_paths
from awardbooks.workbook.layout import layout_for
from tests import lofill as lo
from tests.conftest import make_workbook

needs_lo = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")

INTERIM_RULE = (
    '"The Interim Assessment process should take place no more than eight months after the '
    'Initial Audit."'
)
FINAL_RULE = (
    '"The Final Verification should take place no later than twelve months after the Initial '
    'Audit."'
)
AGE_RULE = (
    '"Evidence that is presented at the Interim Assessment should not be more than two years old '
    'at the date of the Interim Assessment"'
)


def said(problems):
    return [(p.code, str(p)) for p in problems]


def test_front_sheet_per_objective_with_references_examples_and_the_iarap():
    fw = loading.load("lppa")
    assert fw.version == "2026.2"
    layout = layout_for(fw)
    fronts = [name for name in layout.sheet_names if name.startswith("Portfolio")]
    assert fronts == [f"Portfolio {n}" for n in range(1, 11)]
    rows = {row.key: row for row in layout.table_rows["portfolio"]}
    assert len(rows) == 56 * 4  # four evidence rows per KPI, no per-objective fields
    assert rows["3.2#1"].sheet == "Portfolio 3"
    assert {cid: cell.a1 for cid, cell in rows["3.2#1"].cells.items()} == {
        "evidence": "D11", "date": "E11", "gathered_by": "F11", "not_available": "G11",
        "note": "H11",
    }  # fmt: skip
    items = {item.id: item for item in fw.items}
    assert items["2.2"].preset_evidence == ("The completed IARAP",)
    assert items["10.4"].evidence == (
        "Minutes of meetings: Evidence that governors have been regularly informed of LPPA "
        "progress",
    )
    assert items["4.1"].evidence == (
        "Records of parents taking part in activities: Evidence of parental participation in "
        "training and enrichment opportunities",
        "Copies of programmes of activities offered by the school: Evidence of termly programmes "
        "of training opportunities offered to parents",
    )
    covered = sorted((i for i in items.values() if i.evidence), key=lambda i: i.id)
    assert [i.id for i in covered] == sorted([
        "1.2", "2.2", "2.3", "3.4", "4.1", "4.2", "4.3", "4.5", "4.6", "4.7", "5.1", "6.5", "6.7",
        "7.1", "8.3", "8.6", "9.6", "10.1", "10.4",
    ])  # fmt: skip
    stage = next(c for c in fw.cover_fields if c.id == "stage")
    assert stage.choices == (
        "School Self Evaluation", "Initial Audit", "Interim Assessment", "Final Verification",
        "Repeat Final Verification", "Re-assessment",
    )  # fmt: skip


def test_calendar_months():
    assert add_months(dt.date(2026, 12, 1), 8) == dt.date(2027, 8, 1)
    assert add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 9, 15), -24) == dt.date(2025, 9, 15)
    assert add_months(dt.date(2028, 2, 29), -24) == dt.date(2026, 2, 28)


class _Reader:
    def __init__(self, layout):
        self.layout = layout
        self.found = []

    def at(self, cell):
        return {"sheet": cell.sheet, "cell": cell.a1}

    def report(self, problem):
        self.found.append(problem)


def test_the_limits_are_exclusive_and_need_both_dates():
    layout = layout_for(loading.load("lppa"))
    on_the_day = {"initial_audit_date": "2026-12-01", "interim_date": "2027-08-01",
                  "final_date": "2027-12-01"}  # fmt: skip
    reader = _Reader(layout)
    check_dates(reader, on_the_day, {"portfolio": [{"key": "3.2#1", "date": "2025-08-01"}]})
    assert reader.found == []  # exactly 8 and 12 months, exactly two years: within the rules
    a_day_late = {"initial_audit_date": "2026-12-01", "interim_date": "2027-08-02"}
    reader = _Reader(layout)
    check_dates(reader, a_day_late, {"portfolio": [{"key": "3.2#1", "date": "2025-08-01"}]})
    assert [(p.code, p.sheet, p.cell) for p in reader.found] == [
        ("interim-too-late", "Cover", "B21"),
        ("evidence-too-old", "Portfolio 3", "E11"),
    ]
    reader = _Reader(layout)
    check_dates(reader, {"interim_date": "2027-08-02", "final_date": ""}, {"portfolio": []})
    assert reader.found == []  # no Initial Audit date: nothing to measure from


@needs_lo
def test_filled_in_libreoffice_the_dates_are_checked_and_the_portfolio_read(tmp_path):
    fw = loading.load("lppa")
    layout = layout_for(fw)
    blank = make_workbook(fw, tmp_path / "blank", setting="Ash Primary")
    cover = {key: cell.a1 for key, cell in layout.cover_inputs.items()}
    rows = {row.key: row.cells for row in layout.table_rows["portfolio"]}
    first, second = rows["3.2#1"], rows["3.2#2"]
    # every KPI rated Green: a complete return, so that the dates' warnings are the only ones
    ratings: dict[str, dict[str, object]] = {}
    for row in layout.rating_rows:
        ratings.setdefault(row.sheet, {})[layout.rating_cell(row).a1] = "Green"
    assert len(layout.rating_rows) == 56 and ratings["Objective 3"]["C7"] == "Green"
    values = {
        **ratings,
        "Cover": {
            cover["stage"]: "Interim Assessment",
            cover["initial_audit_date"]: dt.date(2026, 12, 1),
            cover["interim_date"]: "15/09/2027",  # typed as a person types a date
            cover["final_date"]: dt.date(2028, 1, 14),
        },
        "Portfolio 3": {
            first["evidence"].a1: "Photographs of the signs at the main gate",
            first["date"].a1: dt.date(2025, 2, 3),
            first["gathered_by"].a1: "Site manager",
            first["not_available"].a1: "No",
            second["evidence"].a1: "Visitor survey on the signs",
            second["date"].a1: dt.date(2025, 9, 15),  # two years to the day: not too old
            second["not_available"].a1: "Yes",
            second["note"].a1: "Survey runs in the summer term",
        },
    }
    filled = tmp_path / "returns" / "ash.xlsx"
    filled.parent.mkdir()
    lo.fill(blank, filled, values, profile_dir=tmp_path / "profile")

    record = read_path(filled, Registry.default())
    assert record.errors == []
    assert said(record.warnings) == [
        ("interim-too-late", f"{filled}: Cover!B21: the Interim Assessment date (15/09/2027) is "
         f"more than 8 months after the Initial Audit date (01/12/2026): {INTERIM_RULE}; check "
         "both dates on the Cover"),
        ("final-too-late", f"{filled}: Cover!B22: the Final Verification date (14/01/2028) is "
         f"more than 12 months after the Initial Audit date (01/12/2026): {FINAL_RULE}; check "
         "both dates on the Cover"),
        ("evidence-too-old", f"{filled}: Portfolio 3!E11: evidence 3.2 a is dated 03/02/2025, "
         "more than 2 years before the Interim Assessment date (15/09/2027): "
         f"{AGE_RULE}; present more recent evidence, or correct the date"),
        ("dates-read-as-uk", f"{filled}: a date typed as text or a number was read as a UK "
         "date: Cover!B21 ('15/09/2027' read as 15 September 2027)"),
    ]  # fmt: skip
    assert record.cover["interim_date"] == "2027-09-15"
    assert record.cover["stage"] == "Interim Assessment"
    portfolio = {row["key"]: row for row in record.tables["portfolio"]}
    assert portfolio["3.2#1"] == {
        "key": "3.2#1", "row": 11, "evidence": "Photographs of the signs at the main gate",
        "date": "2025-02-03", "gathered_by": "Site manager", "not_available": "No", "note": "",
    }  # fmt: skip
    assert portfolio["3.2#2"]["not_available"] == "Yes"
    assert portfolio["3.2#2"]["note"] == "Survey runs in the summer term"
    assert portfolio["2.2#1"]["evidence"] == "The completed IARAP"  # pre-entered, kept
    assert set(portfolio) == {"2.2#1", "3.2#1", "3.2#2"}

    # the analyser, as an officer runs it: the same warnings in returns.csv, by their cells
    data = tmp_path / "data"
    result = CliRunner().invoke(cli, ["analyse", str(filled), "--data", str(data), "--out",
                                      str(tmp_path / "consolidated.xlsx")])  # fmt: skip
    assert result.exit_code == 0, result.output
    with open(data / "returns.csv", encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["status"] == "warning"
    assert row["warnings"].split("\n") == [str(p) for p in record.warnings]

    # next term's workbook carries the stage and its dates, still open to change
    result = CliRunner().invoke(cli, ["generate", "lppa", "--from-returns", str(filled), "--term",
                                      "spring", "--year", "2026-27", "--out",
                                      str(tmp_path / "spring")])  # fmt: skip
    assert result.exit_code == 0, result.output
    (spring,) = (tmp_path / "spring").glob("*_spring.xlsx")
    carried = read_path(spring, Registry.default())
    assert {k: v for k, v in carried.cover.items() if v} == {
        "stage": "Interim Assessment", "initial_audit_date": "2026-12-01",
        "interim_date": "2027-09-15", "final_date": "2028-01-14",
    }  # fmt: skip
    # the portfolio is carried forward too, its too-old evidence still flagged until replaced;
    # the new term's ratings are not carried, so the unfilled workbook is also nothing-rated
    assert [p.code for p in carried.warnings] == [
        "interim-too-late", "final-too-late", "evidence-too-old", "nothing-rated",
    ]  # fmt: skip
    assert str(carried.warnings[-1]) == (
        f"{spring}: nothing rated: none of the 56 KPIs has a rating, so the return is left out "
        "of the scores, the means and the count of settings; rate each item with the dropdown "
        "and send the workbook again"
    )
    assert {row["key"] for row in carried.tables["portfolio"]} == {"2.2#1", "3.2#1", "3.2#2"}


@needs_lo
def test_references_are_locked(tmp_path):
    fw = loading.load("lppa")
    blank = make_workbook(fw, tmp_path / "blank", setting="Ash Primary")
    with pytest.raises(lo.LibreOfficeError, match="Portfolio 3!A11 is locked"):
        lo.fill(blank, tmp_path / "x.xlsx", {"Portfolio 3": {"A11": "3.2 z"}},
                profile_dir=tmp_path / "profile")  # fmt: skip


def test_a_2026_1_return_is_still_read(tmp_path):
    (path,) = [p for p in edition_paths() if p.name == "lppa-2026.1.yaml"]
    old = loading.load(path)
    assert old.version == "2026.1" and old.sheets.portfolio is None
    # every KPI rated (all Green but 2.2), so that the lining up is the only thing warned about
    rated = {row.key: "Green" for row in layout_for(old).rating_rows if row.rated}
    rated["2.2"] = "Amber"
    assert len(rated) == 56
    made = make_workbook(old, tmp_path, ratings=rated)
    record = read_path(made, Registry.default())
    assert record.errors == []
    assert said(record.warnings) == [
        ("edition-lined-up", f"{made}: made from edition 2026.1 of LPPA; its ratings were lined "
         "up with edition 2026.2 through the spec's map"),
    ]  # fmt: skip
    assert record.framework is Registry.default().by_id["lppa"] or record.framework.version == (
        "2026.2"
    )
    assert {k: r.label for k, r in record.ratings.items() if r.label} == rated
    assert (record.ratings["1.1"].label, record.ratings["2.2"].label) == ("Green", "Amber")
    assert record.cover["stage"] == ""


def test_a_date_limit_must_name_a_date_field(tmp_path):
    spec = tmp_path / "mine.yaml"
    spec.write_text(
        "format: 1\nid: mine\ntitle: Mine\nversion: '1'\nsource:\n  document: Mine\n"
        "scale: rag\ncover_fields:\n"
        "  - {id: start, label: Start, type: date}\n"
        "  - {id: review, label: Review, type: date, within: {after: strat, months: 6}}\n"
        "groups:\n  - id: '1'\n    title: One\n    items:\n      - {id: '1.a', text: An item}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["spec", "check", str(spec)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {spec}: cover_fields[1].within.after: 'strat' is not a date field of the cover "
        "(did you mean 'start'?); name the id of a cover field of type date\n"
    )


@pytest.mark.parametrize(
    ("extra", "said_"),
    [
        (
            "    items:\n      - {id: '1.a', text: An item, preset_evidence: [One, Two, Three]}\n"
            "sheets:\n  portfolio: {evidence_per_item: 2}\n",
            "groups[0].items[0].preset_evidence: 3 items of pre-entered evidence for '1.a', but "
            "the portfolio has 2 evidence rows per item; list fewer, or give the portfolio more "
            "evidence rows per item",
        ),
        (
            "    items:\n      - {id: '1.a', text: An item}\n"
            "sheets:\n  action_plan:\n    columns:\n"
            "      - {id: due, label: Due, type: date, within: {after: start, months: 2}}\n",
            "sheets.action_plan.columns[0].within: a date limit (within) is checked only on a "
            "cover field; move it to a date field under cover_fields, or remove it",
        ),
        (
            "    items:\n      - {id: '1.a', text: An item}\n"
            "sheets:\n  portfolio:\n    columns: [{id: dated, label: Dated, type: date}]\n"
            "    evidence_age: {column: date, at: start, years: 2, rule: Not too old}\n",
            "sheets.portfolio.evidence_age.column: 'date' is not a date column of the portfolio "
            "(did you mean 'dated'?); name the id of a portfolio column of type date",
        ),
    ],
)
def test_what_a_spec_says_about_dates_and_evidence_is_checked(tmp_path, extra, said_):
    spec = tmp_path / "mine.yaml"
    spec.write_text(
        "format: 1\nid: mine\ntitle: Mine\nversion: '1'\nsource:\n  document: Mine\n"
        "scale: rag\ncover_fields:\n  - {id: start, label: Start, type: date}\n"
        "groups:\n  - id: '1'\n    title: One\n" + extra,
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["spec", "check", str(spec)])
    assert result.exit_code == 1
    assert result.output == f"Error: {spec}: {said_}\n"
