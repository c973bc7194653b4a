"""Nothing a school typed is left behind: an LPPA's IARAP columns and a B&A partnership's
membership and outcomes, filled in LibreOffice, are exported (inputs.csv, the consolidated
Inputs sheet) and carried into spring's workbooks, where only Term 2 progress is open, and a
school can type into them and be read back."""

from __future__ import annotations

import csv

import openpyxl
import pytest
from click.testing import CliRunner

from awardbooks import api
from awardbooks.cli import cli
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_roster
from awardbooks.read.returns import Registry, read_path
from tests import lofill as lo

pytestmark = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")

HEAD = ["framework", "setting", "urn", "partnership", "year", "term"]
IARAP = {  # Objective 1, KPI 1.1 (row 6) and 1.3 (row 8), as the school types them
    "C6": "Amber", "D6": "Co-ordinator named in September", "E6": "Appoint a deputy",
    "F6": "Head", "G6": "Governors", "H6": "By Christmas", "I6": "Minutes of the meeting",
    "J6": "1.1 a", "K6": "Yes", "C8": "Red", "E8": "Write to local agencies",
}  # fmt: skip


def _csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def _generate(fw, term, out):
    return generate_roster(
        fw, [Setting("Ash Primary", "300001", "West")], year="2026-27", term=term, out_dir=out
    ).written[0]


def _spring(framework, returns, out):
    result = CliRunner().invoke(
        cli,
        ["generate", framework, "--from-returns", str(returns), "--year", "2026-27",
         "--term", "spring", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (path,) = out.glob("*.xlsx")
    return path


def _cells(ws, refs):
    return {ref: (ws[ref].value, ws[ref].protection.locked) for ref in refs}


def test_lppa_iarap_exported_and_carried_forward(tmp_path, frameworks):
    fw = frameworks["lppa"]
    autumn = _generate(fw, "autumn", tmp_path / "autumn")
    returned = tmp_path / "returns" / "ash.xlsx"
    returned.parent.mkdir()
    profile = tmp_path / "profile"
    lo.fill(
        autumn, returned, {"Objective 1": IARAP, "Cover": {"B18": "Initial Audit"}},
        profile_dir=profile,
    )  # fmt: skip

    out = tmp_path / "out"
    api.analyse([returned], out=out / "c.xlsx", data_dir=out / "data", jobs=1)
    rows = _csv(out / "data" / "inputs.csv")
    assert rows[0] == [
        "file", "workbook_id", "framework", "setting", "urn", "partnership", "year", "term",
        "sheet", "cell", "row_key", "row_label", "column_id", "column", "value",
    ]  # fmt: skip
    head = ["lppa", "Ash Primary", "300001", "West", "2026-27", "autumn"]
    kpi1 = "LPPA co-ordinator in place"
    kpi3 = (
        "The commitment is communicated to all those professionally and personally involved, "
        "including teaching and support staff, parents, pupils/students and governors, "
        "particularly parent and community governors"
    )
    kpi22 = fw.groups[1].items[1].text
    expected = [
        ["Cover", "B18", "cover", "Cover", "stage", "Stage", "Initial Audit"],
        ["Objective 1", "D6", "1.1", kpi1, "current_position", "Current position",
         "Co-ordinator named in September"],
        ["Objective 1", "E6", "1.1", kpi1, "action", "Action to be taken", "Appoint a deputy"],
        ["Objective 1", "F6", "1.1", kpi1, "delivers", "Who delivers", "Head"],
        ["Objective 1", "G6", "1.1", kpi1, "monitors", "Who monitors", "Governors"],
        ["Objective 1", "H6", "1.1", kpi1, "timescale", "Timescale", "By Christmas"],
        ["Objective 1", "I6", "1.1", kpi1, "evidence", "Evidence to be provided",
         "Minutes of the meeting"],
        ["Objective 1", "J6", "1.1", kpi1, "evidence_ref", "Evidence reference (e.g. 3.2 a)",
         "1.1 a"],
        ["Objective 1", "K6", "1.1", kpi1, "in_portfolio", "Evidence in portfolio", "Yes"],
        ["Objective 1", "E8", "1.3", kpi3, "action", "Action to be taken",
         "Write to local agencies"],
        # pre-entered in every LPPA workbook, as the handbook asks (KPI 2.2's evidence)
        ["Portfolio 2", "D11", "2.2#1", kpi22, "evidence", "Item of evidence",
         "The completed IARAP"],
    ]  # fmt: skip
    assert [r[2:8] for r in rows[1:]] == [head] * len(expected)
    assert [r[8:] for r in rows[1:]] == expected
    assert all(r[0] == str(returned) for r in rows[1:])

    ws = openpyxl.load_workbook(out / "c.xlsx")["Inputs"]
    sheet = [[c.value for c in row] for row in ws.iter_rows(min_row=1)]
    assert sheet[0] == [
        "File", "Workbook ID", "Framework", "Setting", "URN", "Partnership", "Year", "Term",
        "Sheet", "Cell", "Row key", "Row label", "Column ID", "Column", "Value",
    ]  # fmt: skip
    assert [r[2:] for r in sheet[1:]] == [head + e for e in expected]
    assert [t.ref for t in ws.tables.values()] == ["A1:O12"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage  # one page wide

    # the feedback report shows the plan typed beside each KPI, not "no action plan sheet"
    done = api.feedback([returned], tmp_path / "feedback", pdf=False)
    (report,) = done.workbooks
    lines = [row for row in openpyxl.load_workbook(report)["Feedback"].iter_rows(values_only=True)]
    start = lines.index(("The plan beside each KPI", None, None, None, None, None))
    assert lines[start + 1 : start + 5] == [
        ("What the setting typed in the columns beside each KPI: Current position, Action to be "
         "taken, Who delivers, Who monitors, Timescale, Evidence to be provided, Evidence "
         "reference (e.g. 3.2 a), Evidence in portfolio.", None, None, None, None, None),
        ("ID", "KPI", None, "The plan", None, None),
        ("1.1", kpi1, None, "Current position: Co-ordinator named in September\nAction to be "
         "taken: Appoint a deputy\nWho delivers: Head\nWho monitors: Governors\nTimescale: By "
         "Christmas\nEvidence to be provided: Minutes of the meeting\nEvidence reference (e.g. "
         "3.2 a): 1.1 a\nEvidence in portfolio: Yes", None, None),
        ("1.3", kpi3, None, "Action to be taken: Write to local agencies", None, None),
    ]  # fmt: skip
    assert not [row for row in lines if row[0] and "no action plan" in str(row[0])]

    spring = _spring("lppa", returned.parent, tmp_path / "spring")
    ws = openpyxl.load_workbook(spring)["Objective 1"]
    # the carry-forward sheet: last term's status in C (locked), the new one in D, the IARAP
    # columns one further right, carried and open
    assert _cells(ws, ["C6", "D6", "E6", "F6", "G6", "H6", "I6", "J6", "K6", "L6", "F8"]) == {
        "C6": ("Amber", True), "D6": (None, False),
        "E6": ("Co-ordinator named in September", False), "F6": ("Appoint a deputy", False),
        "G6": ("Head", False), "H6": ("Governors", False), "I6": ("By Christmas", False),
        "J6": ("Minutes of the meeting", False), "K6": ("1.1 a", False), "L6": ("Yes", False),
        "F8": ("Write to local agencies", False),
    }  # fmt: skip
    assert [v.sqref for v in ws.data_validations.dataValidation if "L6" in v.sqref]

    # the school updates its plan in spring and it is read back
    typed = tmp_path / "returns-spring" / "ash.xlsx"
    typed.parent.mkdir()
    lo.fill(
        spring, typed, {"Objective 1": {"D6": "Green", "F6": "Deputy appointed", "L6": "No"}},
        profile_dir=profile,
    )  # fmt: skip
    record = read_path(typed, Registry.default())
    # usable; only one KPI is rated here, which completeness flags and nothing else does
    assert [p.code for p in record.problems] == ["return-incomplete"]
    assert record.tables["audit"][0] == {
        "key": "1.1", "row": 6, "current_position": "Co-ordinator named in September",
        "action": "Deputy appointed", "delivers": "Head", "monitors": "Governors",
        "timescale": "By Christmas", "evidence": "Minutes of the meeting",
        "evidence_ref": "1.1 a", "in_portfolio": "No",
    }  # fmt: skip
    assert record.ratings["1.1"].label == "Green"


MEMBERS = {"B7": "Ash Academy", "B8": "Beech High", "B14": "Cedar Primary"}
OUTCOMES = {
    "C6": "10%", "D6": 12, "E6": 10, "D7": "5.2% absence", "B15": "Fewer breaktime incidents",
    "D15": 40, "E15": 31,
}  # fmt: skip


def test_membership_and_outcomes_exported_and_carried_with_only_term_2_open(tmp_path, frameworks):
    fw = frameworks["behaviour-attendance"]
    autumn = _generate(fw, "autumn", tmp_path / "autumn")
    ws = openpyxl.load_workbook(autumn)["Outcomes"]
    # autumn: target, baseline and Term 1 open, Terms 2 and 3 locked
    locked = [ws.cell(6, c).protection.locked for c in range(3, 8)]
    assert locked == [False, False, False, True, True]
    returned = tmp_path / "returns" / "ash.xlsx"
    returned.parent.mkdir()
    profile = tmp_path / "profile"
    lo.fill(
        autumn, returned,
        {"Membership": MEMBERS, "Outcomes": OUTCOMES, "Self-evaluation": {"G7": "Developed"}},
        profile_dir=profile,
    )  # fmt: skip
    with pytest.raises(lo.LibreOfficeError, match="Outcomes!F6 is locked"):
        lo.fill(autumn, tmp_path / "x.xlsx", {"Outcomes": {"F6": 1}}, profile_dir=profile)

    out = tmp_path / "out"
    api.analyse([returned], out=out / "c.xlsx", data_dir=out / "data", jobs=1)
    rows = _csv(out / "data" / "inputs.csv")[1:]
    k1 = "To improve the number of schools judged as good or better for behaviour by Ofsted"
    k2 = "to reduce overall absence across the partnership by x%"
    own = "Fewer breaktime incidents"
    assert [r[8:] for r in rows] == [
        ["Membership", "B7", "Secondary schools", "Secondary schools", "member", "Name",
         "Ash Academy"],
        ["Membership", "B8", "Secondary schools", "Secondary schools", "member", "Name",
         "Beech High"],
        ["Membership", "B14", "Primary schools", "Primary schools", "member", "Name",
         "Cedar Primary"],
        ["Outcomes", "C6", "K1", k1, "target", "Target (x% set by the partnership)", "10%"],
        ["Outcomes", "D6", "K1", k1, "baseline", "Baseline data", "12"],
        ["Outcomes", "E6", "K1", k1, "term1", "Term 1 progress", "10"],
        ["Outcomes", "D7", "K2", k2, "baseline", "Baseline data", "5.2% absence"],
        ["Outcomes", "B15", "L1", own, "outcome", "Outcome", own],
        ["Outcomes", "D15", "L1", own, "baseline", "Baseline data", "40"],
        ["Outcomes", "E15", "L1", own, "term1", "Term 1 progress", "31"],
    ]  # fmt: skip
    assert {tuple(r[2:8]) for r in rows} == {
        ("behaviour-attendance", "Ash Primary", "300001", "West", "2026-27", "autumn")
    }

    spring = _spring("behaviour-attendance", returned.parent, tmp_path / "spring")
    book = openpyxl.load_workbook(spring)
    assert _cells(book["Membership"], ["B7", "B8", "B9", "B14", "B15"]) == {
        "B7": ("Ash Academy", False), "B8": ("Beech High", False), "B9": (None, False),
        "B14": ("Cedar Primary", False), "B15": (None, False),
    }  # fmt: skip
    outcomes = book["Outcomes"]
    assert _cells(outcomes, ["C6", "D6", "E6", "F6", "G6", "D7", "E7", "F7", "G7"]) == {
        "C6": ("10%", True), "D6": ("12", True), "E6": ("10", True), "F6": (None, False),
        "G6": (None, True),
        "D7": ("5.2% absence", True), "E7": (None, True), "F7": (None, False),
        "G7": (None, True),
    }  # fmt: skip
    assert _cells(outcomes, ["B15", "D15", "E15", "F15", "G15", "D8"]) == {
        "B15": (own, True), "D15": ("40", True), "E15": ("31", True), "F15": (None, False),
        "G15": (None, True), "D8": (None, False),
    }  # fmt: skip

    typed = tmp_path / "returns-spring" / "ash.xlsx"
    typed.parent.mkdir()
    lo.fill(
        spring, typed,
        {"Outcomes": {"F6": 8, "F15": 25}, "Membership": {"B9": "Damson College"}},
        profile_dir=profile,
    )  # fmt: skip
    for locked in ("E6", "G6", "E7"):
        with pytest.raises(lo.LibreOfficeError, match=f"Outcomes!{locked} is locked"):
            lo.fill(spring, tmp_path / "x.xlsx", {"Outcomes": {locked: 1}}, profile_dir=profile)
    record = read_path(typed, Registry.default())
    # usable; no element is rated here, which completeness flags and nothing else does
    assert [p.code for p in record.problems] == ["nothing-rated"]
    assert [r["member"] for r in record.tables["membership"]] == [
        "Ash Academy", "Beech High", "Damson College", "Cedar Primary",
    ]  # fmt: skip
    by_key = {r["key"]: r for r in record.tables["outcomes"]}
    assert by_key["K1"] | {"row": 0} == {
        "key": "K1", "row": 0, "target": "10%", "baseline": "12", "term1": "10", "term2": "8",
        "term3": "",
    }  # fmt: skip
    assert by_key["L1"]["term2"] == "25"
