"""Annotated copies: each problem marked on its cell, and nothing the school relies on lost."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from awardbooks import api
from awardbooks.cli import cli
from awardbooks.problems import Problem
from awardbooks.read import codes
from awardbooks.read.annotate import FILLS, Note, notes_for
from awardbooks.read.returns import ReturnRecord
from tests import lofill as lo
from tests.conftest import make_workbook

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "returns"
GREEEN = "Error: 'Greeen' is not a level of Red/Amber/Green"


@pytest.fixture
def lppa_return(tmp_path, frameworks):
    """An LPPA return with a misspelt rating (an error) and one in the wrong case (a warning)."""
    return make_workbook(
        frameworks["lppa"], tmp_path, "Ash Primary", ratings={"1.1": "Greeen", "1.2": "amber"}
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def messages(path: Path) -> list[tuple[str, str]]:
    record = api.check(path)
    return [(p.code, p.located) for p in record.errors + record.warnings]


def sheet_part(path: Path, name: str) -> str:
    workbook = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    rid = re.search(rf'name="{name}" sheetId="\d+" r:id="(rId\d+)"', workbook).group(1)
    rels = zipfile.ZipFile(path).read("xl/_rels/workbook.xml.rels").decode()
    return "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)


def fill(cell) -> tuple:
    return cell.fill.fill_type, cell.fill.fgColor.rgb


def comments(path: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(path)
    return {
        f"{ws.title}!{cell.coordinate}": cell.comment.text
        for ws in wb
        for row in ws.iter_rows()
        for cell in row
        if cell.comment
    }


def test_marks_the_cell_and_keeps_everything(lppa_return, tmp_path):
    before = digest(lppa_return)
    out = tmp_path / "marked.xlsx"
    result = api.annotate(lppa_return, out)
    assert result.out == out
    assert digest(lppa_return) == before  # the return itself is never changed
    assert comments(out) == {
        "Objective 1!C6": GREEEN,
        "Objective 1!C7": "Warning: 'amber' was read as 'Amber'",
    }
    wb, old = openpyxl.load_workbook(out), openpyxl.load_workbook(lppa_return)
    ws = wb["Objective 1"]
    assert ws["C6"].comment.author == "awardbooks check"
    assert fill(ws["C6"]) == ("solid", FILLS["error"])
    assert fill(ws["C7"]) == ("solid", FILLS["warning"])
    was = old["Objective 1"]
    assert fill(was["C6"]) == fill(was["C8"]) == fill(ws["C8"])  # the input cells' own fill
    assert fill(was["C6"])[1] not in FILLS.values()
    assert ws["C8"].comment is None
    assert ws["C6"].protection.locked is False  # the cell is still an input
    look = [(c.font.name, c.font.sz, c.font.b, c.alignment.horizontal, c.alignment.vertical,
             c.border.left.style, c.number_format) for c in (ws["C6"], was["C6"])]  # fmt: skip
    assert look[0] == look[1]
    for name in old.sheetnames:  # dropdowns, protection, conditional formats, visibility
        a, b = old[name], wb[name]
        assert [
            (str(v.sqref), v.formula1, v.prompt) for v in b.data_validations.dataValidation
        ] == [(str(v.sqref), v.formula1, v.prompt) for v in a.data_validations.dataValidation]
        assert (b.protection.sheet, b.sheet_state) == (a.protection.sheet, a.sheet_state)
        assert len(b.conditional_formatting) == len(a.conditional_formatting)
    assert wb["_awardbooks"].sheet_state == "veryHidden"
    assert sorted(wb.defined_names) == sorted(old.defined_names)
    assert messages(out) == messages(lppa_return)


def test_only_the_marked_sheet_styles_and_types_change(lppa_return, tmp_path):
    out = tmp_path / "marked.xlsx"
    api.annotate(lppa_return, out)
    src, dst = zipfile.ZipFile(lppa_return), zipfile.ZipFile(out)
    changed = sorted(n for n in src.namelist() if src.read(n) != dst.read(n))
    sheet = sheet_part(lppa_return, "Objective 1")
    assert changed == ["[Content_Types].xml", "xl/styles.xml", sheet]
    assert sorted(set(dst.namelist()) - set(src.namelist())) == [
        "xl/comments1.xml",
        "xl/drawings/vmlDrawing1.vml",
        sheet.replace("worksheets/", "worksheets/_rels/") + ".rels",
    ]
    assert b"<c:chart" in dst.read("xl/drawings/drawing1.xml")  # the Summary chart, unchanged
    assert dst.testzip() is None


def test_libreoffice_saved_return(tmp_path):
    """A return saved by LibreOffice (the sample partnership's misspelt rating)."""
    src = SAMPLES / "autumn" / "Riverside LPPA.xlsx"
    out = tmp_path / "riverside.xlsx"
    api.annotate(src, out)
    assert comments(out) == {"Objective 3!C7": GREEEN}
    assert messages(out) == messages(src)


def test_sheet_and_file_messages_go_on_a1(lppa_return, tmp_path):
    unprotected = tmp_path / "unprotected.xlsx"
    part = sheet_part(lppa_return, "Objective 2")
    with zipfile.ZipFile(lppa_return) as src, zipfile.ZipFile(unprotected, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == part:
                data = re.sub(rb"<sheetProtection [^>]*/>", b"", data)
            dst.writestr(info, data)
    out = tmp_path / "marked.xlsx"
    api.annotate(unprotected, out)
    marked = comments(out)
    assert marked["Objective 2!A1"] == "Warning (this sheet): sheet protection was removed"
    a1 = [fill(openpyxl.load_workbook(p)["Objective 2"]["A1"]) for p in (out, lppa_return)]
    assert a1[0] == a1[1]  # not highlighted


def test_notes_are_placed_by_the_problems_fields():
    """Where a note goes comes from the problem's sheet and cell, never from its text: a sheet
    name with ': ' or '!' in it (other applications allow them) is no trouble."""
    odd = "Step 1: leadership!C6"
    record = ReturnRecord("f.xlsx", errors=[
        codes.RATING_NOT_A_LEVEL(file="f.xlsx", sheet=odd, cell="C7", value="Greeen",
                                 levels="Red/Amber/Green"),
    ], warnings=[
        codes.ROWS_MOVED(file="f.xlsx", sheet=odd),
        codes.SHEET_MISSING(file="f.xlsx", sheet="Theme 9"),
        codes.DATES_READ_AS_UK(
            file="f.xlsx", what="a date typed as text or a number was read as a UK date",
            first="Cover!B17 ('1/2/27' read as 01 February 2027)", more="",
        ),
    ])  # fmt: skip
    assert notes_for(record, ["Cover", odd]) == [
        Note(odd, "C7", "Error: 'Greeen' is not a level of Red/Amber/Green", "error", True),
        Note(odd, "A1", "Warning (this sheet): rows were inserted or deleted; the ratings were "
             "found by their ids", "warning", False),
        Note("Cover", "A1", "Warning: Theme 9: the sheet is missing (renamed or deleted)",
             "warning", False),
        Note("Cover", "A1", "Warning: a date typed as text or a number was read as a UK date: "
             "Cover!B17 ('1/2/27' read as 01 February 2027)", "warning", False),
    ]  # fmt: skip
    assert notes_for(ReturnRecord("f.xlsx", warnings=[Problem("x", "warning", "m")]), ["A"]) == [
        Note("A", "A1", "Warning: m", "warning", False)  # no cover: the first sheet
    ]


def test_a_renamed_sheet_is_marked_by_its_new_name(lppa_return, tmp_path):
    renamed = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(lppa_return) as src, zipfile.ZipFile(renamed, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b'name="Objective 1"', b'name="Obj 1"')
            dst.writestr(info, data)
    record = api.check(renamed)
    assert [(p.code, p.sheet, p.cell) for p in record.problems] == [
        ("rating-not-a-level", "Obj 1", "C6"),
        ("sheet-renamed", "Objective 1", ""),
        ("rating-case", "Obj 1", "C7"),
    ]
    out = tmp_path / "marked.xlsx"
    api.annotate(renamed, out)
    marked = comments(out)
    assert marked["Obj 1!C6"] == GREEEN
    assert marked["Obj 1!C7"] == "Warning: 'amber' was read as 'Amber'"
    assert marked["Cover!A1"] == (
        "Warning: Objective 1: the sheet was renamed to 'Obj 1'; it was read as 'Objective 1'"
    )
    assert fill(openpyxl.load_workbook(out)["Obj 1"]["C6"]) == ("solid", FILLS["error"])


def test_existing_comments_are_kept(lppa_return, tmp_path):
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    api.annotate(lppa_return, once)
    api.annotate(once, twice)
    assert comments(twice)["Objective 1!C6"] == f"{GREEEN}\n\n{GREEEN}"
    vml = zipfile.ZipFile(twice).read("xl/drawings/vmlDrawing1.vml")
    assert vml.count(b"<v:shape ") == 2  # one note per cell, not one per message


def test_libreoffice_reads_the_comments(lppa_return, tmp_path):
    reason = lo.skip_reason()
    if reason:
        pytest.skip(reason)
    out = tmp_path / "marked.xlsx"
    api.annotate(lppa_return, out)
    (resaved,) = lo.convert([out], tmp_path / "lo", fmt="xlsx")
    assert comments(resaved)["Objective 1!C6"] == GREEEN
    cell = openpyxl.load_workbook(resaved)["Objective 1"]["C6"]
    assert cell.fill.fgColor.rgb == FILLS["error"]


def test_check_annotate_command(lppa_return, tmp_path):
    runner = CliRunner()
    out = tmp_path / "marked.xlsx"
    first = runner.invoke(cli, ["check", str(lppa_return), "--annotate", str(out)])
    assert first.exit_code == 1  # the return still has an error
    assert first.output.splitlines()[1:] == [
        "  error: Objective 1!C6: 'Greeen' is not a level of Red/Amber/Green",
        "  warning: Objective 1!C7: 'amber' was read as 'Amber'",
        f"Wrote {out}: 2 problems marked with comments on 2 cells (errors highlighted red, "
        "warnings amber).",
    ]
    again = runner.invoke(cli, ["check", str(lppa_return), "--annotate", str(out)])
    assert again.exit_code == 1
    assert again.output == (
        f"Error: {out}: already exists; use --force to replace it, or choose another name\n"
    )
    forced = runner.invoke(cli, ["check", str(lppa_return), "--annotate", str(out), "--force"])
    assert forced.output.splitlines()[-1].startswith(f"Wrote {out}: 2 problems")
    same = runner.invoke(cli, ["check", str(lppa_return), "--annotate", str(lppa_return)])
    assert same.output == (
        f"Error: {lppa_return}: is the return itself; give another name for the annotated copy "
        "(the return is never changed)\n"
    )
    wrong = runner.invoke(cli, ["check", str(lppa_return), "--annotate", str(tmp_path / "x.ods")])
    assert wrong.output == (
        f"Error: {tmp_path / 'x.ods'}: the annotated copy of {lppa_return.name} must end in .xlsx\n"
    )


def test_nothing_to_mark(tmp_path, frameworks):
    every = {item.id: "Green" for item in frameworks["lppa"].items}  # complete: no warning
    clean = make_workbook(frameworks["lppa"], tmp_path, ratings=every)
    out = tmp_path / "marked.xlsx"
    result = CliRunner().invoke(cli, ["check", str(clean), "--annotate", str(out)])
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "No problems to mark: no annotated copy was written."
    assert not out.exists()


def test_not_a_workbook(tmp_path):
    bad = tmp_path / "return.xlsx"
    bad.write_bytes(b"not a workbook")
    result = CliRunner().invoke(cli, ["check", str(bad), "--annotate", str(tmp_path / "o.xlsx")])
    assert result.exit_code == 1
    assert result.output == f"Error: {api.check(bad).errors[0]}\n"
    assert not (tmp_path / "o.xlsx").exists()
