"""Feedback for each setting: the numbers, the gaps, the PDFs and the report command."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from awardbooks import api
from awardbooks.cli import cli
from awardbooks.libreoffice import convert
from awardbooks.outputs import feedback, feedback_files
from awardbooks.workbook.layout import layout_for
from tests import lofill as lo
from tests.conftest import make_workbook

# Family Partnership Award: Emergent 35, Developing 70, Embedded 100; every theme is scored
# by its best-fit judgement (theme 1's descriptors are the evidence beside it).
ASH_AUTUMN = {
    "1.a": "Developing", "1.b": "Emergent", "1.c": "Emergent", "1.d": "Embedded",
    "1:judgement": "Developing", "2:judgement": "Emergent",
}  # fmt: skip  # theme 1: 70.0; theme 2: 35.0; overall 105/2 = 52.5
ASH_SPRING = {
    "1.a": "Embedded", "1.b": "Emergent", "1.c": "Developing", "1.d": "Developing",
    "1.e": "Embedded", "1:judgement": "Embedded", "2:judgement": "Developing",
    "3:judgement": "Emergent",
}  # fmt: skip  # theme 1: 100.0 (1.d slipped); theme 2: 70.0; 3: 35.0; overall 205/3 = 68.3
BEECH_SPRING = {
    "1.a": "Embedded", "1.b": "Embedded", "1.c": "embedded", "1.d": "Developing",
    "1.e": "Emergent", "1:judgement": "Developing", "2:judgement": "Embedded",
}  # fmt: skip  # theme 1: 70.0; theme 2: 100.0; overall 170/2 = 85.0
ASH = "Ash-Primary_family-partnership_2026-27_spring_feedback"
BEECH = "Beech-Academy_family-partnership_2026-27_spring_feedback"


def add_actions(path, fw) -> None:
    """Fill three action-plan rows: one overdue, one done, one not yet due."""
    rows = layout_for(fw).table_rows["action_plan"]
    wb = openpyxl.load_workbook(path)
    for row, (action, lead, end, status) in zip(rows, [
        ("Set up a family forum", "J Smith", dt.datetime(2020, 3, 31), "Amber"),
        ("Write the policy", "K Jones", dt.datetime(2020, 1, 31), "Green"),
        ("Review the policy", "K Jones", dt.datetime(2999, 1, 31), "Red"),
    ]):  # fmt: skip
        values = {"action": action, "lead": lead, "end": end, "status": status}
        for key, value in values.items():
            cell = row.cells[key]
            wb[cell.sheet].cell(cell.row + 1, cell.col + 1, value)
    wb.save(path)


@pytest.fixture(scope="module")
def returns(tmp_path_factory, frameworks):
    fw = frameworks["family-partnership"]
    folder = tmp_path_factory.mktemp("returns")
    make_workbook(fw, folder, "Ash Primary", term="autumn", ratings=ASH_AUTUMN, urn="100001")
    ash = make_workbook(fw, folder, "Ash Primary", term="spring", ratings=ASH_SPRING, urn="100001")
    add_actions(ash, fw)
    make_workbook(fw, folder, "Beech Academy", term="spring", ratings=BEECH_SPRING, urn="100002")
    return folder


@pytest.fixture(scope="module")
def reports(returns, tmp_path_factory):
    out = tmp_path_factory.mktemp("feedback")
    return out, api.feedback([returns], out, pdf=True)


def rows(path):
    ws = openpyxl.load_workbook(path)["Feedback"]
    return [tuple(row) for row in ws.iter_rows(values_only=True)]


def test_one_report_per_setting_latest_term(reports):
    out, result = reports
    assert [p.name for p in result.workbooks] == [f"{ASH}.xlsx", f"{BEECH}.xlsx"]
    assert result.kept == [] and result.not_reported == 0


def test_scores_against_the_partnership_average(reports, frameworks):
    out, _ = reports
    table = rows(out / f"{ASH}.xlsx")
    assert table[0][0] == "Feedback for Ash Primary"
    assert table[1][0] == "Family Partnership Award: Spring 2026-27"
    assert (
        "Overall score 68.3% (3 of 6 rated, 50 %), against a partnership average of 76.7% (2 "
        "settings, "
        "Spring 2026-27). Since Autumn 2026-27: +15.8 points; at least one rating went down. "
        "2 items still Emergent, 1 overdue action." in [r[0] for r in table]
    )
    assert (
        "Score % is the mean of the rated overall best-fit judgements' scores (Emergent (early "
        "stages) = 35; Developing (work in progress) = 70; Embedded (fully in place) = 100) over "
        "the top score. The partnership average is over the settings of North Partnership that "
        "returned Family Partnership Award for Spring 2026-27." in [r[0] for r in table]
    )
    start = table.index(
        ("Theme", "Title", "This setting %", "Partnership average %", "Difference (points)",
         "Rated")
    )  # fmt: skip
    assert table[start + 1 : start + 8] == [
        ("Theme 1", "Ethos, vision and policy", 100.0, 85.0, 15.0, "1 of 1"),
        ("Theme 2", "Leadership, management and coordination", 70.0, 85.0, -15.0, "1 of 1"),
        ("Theme 3", "Communication and information sharing", 35.0, 35.0, 0.0, "1 of 1"),
        ("Theme 4", "Partnership in practice", "not rated", "-", "-", "0 of 1"),
        ("Theme 5", "Early intervention", "not rated", "-", "-", "0 of 1"),
        ("Theme 6", "Effectiveness", "not rated", "-", "-", "0 of 1"),
        ("Overall", "All", 68.3, 76.7, -8.4, "3 of 6"),
    ]


def test_the_chart_compares_two_series(reports):
    out, _ = reports
    ws = openpyxl.load_workbook(out / f"{ASH}.xlsx")["Feedback"]
    (chart,) = ws._charts
    refs = [(s.tx.strRef.f, s.val.numRef.f) for s in chart.series]
    first = next(r for r in range(1, 60) if ws.cell(r, 1).value == "Theme 1")
    assert refs == [
        (f"Feedback!$C${first - 1}", f"Feedback!$C${first}:$C${first + 5}"),
        (f"Feedback!$D${first - 1}", f"Feedback!$D${first}:$D${first + 5}"),
    ]


def test_what_changed_since_last_term(reports, frameworks):
    out, _ = reports
    table = rows(out / f"{ASH}.xlsx")
    start = table.index(
        ("Theme", "Title", "Autumn\n2026-27 %", "Spring\n2026-27 %", "Change (points)", "Note")
    )
    assert table[start + 1 : start + 4] == [
        ("Theme 1", "Ethos, vision and policy", 70.0, 100.0, 30.0,
         "Up (3 up, 1 the same, 1 down)"),
        ("Theme 2", "Leadership, management and coordination", 35.0, 70.0, 35.0, "Up (1 up)"),
        ("Theme 3", "Communication and information sharing", "-", 35.0, "-",
         "No score to compare"),
    ]  # fmt: skip
    assert table[start + 7] == (
        "Overall", "All", 52.5, 68.3, 15.8, "Up (4 up, 1 the same, 1 down)",
    )  # fmt: skip
    item = {i.id: i.text for i in frameworks["family-partnership"].items}
    down = table.index(("ID", "Item", "Autumn\n2026-27", "Spring\n2026-27", None, None))
    assert table[down + 1] == ("1.d", item["1.d"], "Embedded", "Developing", None, None)
    beech = [r[0] for r in rows(out / f"{BEECH}.xlsx")]
    assert (
        "This is the setting's first return of this framework: there is no earlier term to "
        "compare with." in beech
    )


def test_gaps_overdue_actions_and_warnings(reports, frameworks):
    out, _ = reports
    fw = frameworks["family-partnership"]
    text = {i.id: i.text for i in fw.items}
    table = rows(out / f"{ASH}.xlsx")
    start = table.index(("ID", "Evidence descriptor", None, None, None, "Theme"))
    assert table[start + 1 : start + 3] == [
        ("1.b", text["1.b"], None, None, None, "Theme 1"),
        ("3*", "Overall best-fit judgement for Theme 3", None, None, None, "Theme 3"),
    ]
    assert table[start + 3][0] == "8 ratings are still blank."  # 16 rows, 8 rated
    actions = table.index(("No.", "Action", "Lead", "Due", "Status", None))
    assert table[actions + 1] == ("1", "Set up a family forum", "J Smith", "31/03/2020", "Amber",
                                 None)  # fmt: skip
    assert table[actions + 2 : actions + 4] == [
        (None,) * 6,  # only the overdue one
        ("Points to check in the return", None, None, None, None, None),
    ]
    warned = table.index(("Where", "What", None, None, None, None))
    assert table[warned + 1][:2] == (  # three of six themes judged: incomplete
        "Whole file",
        "3 of 6 rated, 50 %, below the 80 % expected; nothing is rated in Theme 4 (Partnership "
        "in practice), Theme 5 (Early intervention) and Theme 6 (Effectiveness); rate every "
        "item (its score counts only what is rated) and send the workbook again",
    )
    beech = rows(out / f"{BEECH}.xlsx")
    assert ("1.e", text["1.e"], None, None, None, "Theme 1") in beech
    where = layout_for(fw).rating_cell(layout_for(fw).rows_by_key["1.c"])
    warn = beech.index(("Where", "What", None, None, None, None))
    assert beech[warn + 1] == (str(where), "'embedded' was read as 'Embedded'", None, None, None,
                               None)  # fmt: skip


def test_print_setup(reports):
    out, _ = reports
    ws = openpyxl.load_workbook(out / f"{ASH}.xlsx")["Feedback"]
    assert ws.page_setup.orientation == "portrait"
    assert ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)  # 1 wide
    assert ws.oddHeader.left.text == "Ash Primary"
    assert ws.oddHeader.right.text == "Family Partnership Award"
    assert [ws.column_dimensions[c].width for c in "AB"] == [13.7109375, 46.7109375]


def test_pdfs(reports):
    out, result = reports
    if lo.find_soffice() is None:
        assert result.pdfs == []
        pytest.skip(lo.skip_reason())
    assert [p.name for p in result.pdfs] == [f"{ASH}.pdf", f"{BEECH}.pdf"]
    for pdf in result.pdfs:
        assert pdf.read_bytes()[:5] == b"%PDF-"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_without_libreoffice_the_workbooks_are_still_written(returns, tmp_path, monkeypatch):
    monkeypatch.setattr(convert, "find_soffice", lambda: None)
    result = api.feedback([returns], tmp_path)
    assert [p.suffix for p in result.written] == [".xlsx", ".xlsx"]
    assert result.warnings == [
        f"PDFs need LibreOffice, which is not installed here ({lo.INSTALL_HINT}); the workbooks "
        "were written: run again with force=True once it is installed to add the PDFs"
    ]  # the library words the option as its parameter; the CLI says --force


def test_report_command(returns, tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    first = runner.invoke(cli, ["report", str(returns), "--out", str(out), "--no-pdf"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[-1] == (
        f"Wrote feedback for 2 settings to {out}/ (2 workbooks)."
    )
    assert sorted(p.name for p in out.iterdir()) == [f"{ASH}.xlsx", f"{BEECH}.xlsx"]
    (out / f"{ASH}.xlsx").write_bytes(b"edited by the consultant")
    again = runner.invoke(cli, ["report", str(returns), "--out", str(out), "--no-pdf"])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-2:] == [
        f"No new reports written to {out}/.",
        "Kept 2 existing reports (use --force to replace them).",
    ]
    assert (out / f"{ASH}.xlsx").read_bytes() == b"edited by the consultant"
    forced = runner.invoke(cli, ["report", str(returns), "--out", str(out), "--no-pdf", "--force"])
    assert forced.exit_code == 0, forced.output
    assert rows(out / f"{ASH}.xlsx")[0][0] == "Feedback for Ash Primary"


def test_report_command_errors(returns, tmp_path, frameworks):
    runner = CliRunner()
    missing = runner.invoke(cli, ["report", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert missing.exit_code == 1
    assert missing.output == f"Error: {tmp_path / 'nope'}: no such file or folder\n"
    bad = make_workbook(frameworks["lppa"], tmp_path / "bad", ratings={"1.1": "Greeen"})
    rejected = runner.invoke(cli, ["report", str(bad), "--out", str(tmp_path / "o")])
    assert rejected.exit_code == 1
    assert rejected.output.splitlines()[-1] == (
        "Error: no accepted returns among the 1 file read, so there is nothing to report on; "
        "awardbooks analyse lists each return's status and the reasons"
    )
    (tmp_path / "file").write_text("x")
    blocked = runner.invoke(cli, ["report", str(returns), "--out", str(tmp_path / "file")])
    assert blocked.exit_code != 0


def test_report_file_names_are_unique(frameworks):
    fw, taken = frameworks["lppa"], set()

    def name(setting: str, urn: str) -> str:
        one = feedback.Feedback(fw, setting, urn, "N", "2026-27", "spring", "f.xlsx", "accepted",
                                "", "")  # fmt: skip
        return feedback_files.report_filename(one, taken)

    assert [name("St Mary's", "1"), name("St Marys", "2"), name("St Marys", "")] == [
        "St-Marys_lppa_2026-27_spring_feedback",
        "St-Marys-2_lppa_2026-27_spring_feedback",
        "St-Marys_lppa_2026-27_spring_feedback-2",
    ]


def test_write_feedback_returns_the_files(returns, tmp_path):
    from awardbooks.api import consolidate as analyse

    written = feedback_files.feedback_reports(analyse([returns]), tmp_path, pdf=False).written
    assert written == [tmp_path / f"{ASH}.xlsx", tmp_path / f"{BEECH}.xlsx"]
    again = feedback_files.feedback_reports(analyse([returns]), tmp_path, pdf=False)
    assert again.written == []  # kept


def test_text_shaped_like_rich_string_markup_stays_text(returns, frameworks, tmp_path):
    """A return's text (here a warning) that starts with <r> and ends with </r> must not
    reach the workbook as raw XML: it would read differently or make the file malformed."""
    import xml.dom.minidom
    import zipfile

    from awardbooks.api import consolidate as analyse
    from awardbooks.outputs.feedback import collect
    from awardbooks.outputs.feedback_sheet import write_workbook

    (s, *_) = collect(analyse([returns]), frameworks)
    s.warnings = [("<r><t>x</t></r>", "<r>a<b</r>")]
    path = tmp_path / "f.xlsx"
    with open(path, "wb") as handle:
        write_workbook(s, handle)
    with zipfile.ZipFile(path) as zf:
        xml.dom.minidom.parseString(zf.read("xl/sharedStrings.xml"))  # well-formed
    assert ("<r><t>x</t></r>", "<r>a<b</r>", None, None, None, None) in rows(path)
