"""Annotated copies: each problem marked on its cell, and nothing the school relies on lost."""

from __future__ import annotations

import csv
import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from awardbooks import api
from awardbooks.cli import cli
from awardbooks.problems import Problem
from awardbooks.read import codes
from awardbooks.read.annotate import Note, notes_for
from awardbooks.read.highlight import HIGHLIGHTS
from awardbooks.read.returns import ReturnRecord
from awardbooks.spec import loading
from awardbooks.spec.model import BUILTIN_SCALES
from tests import lofill as lo
from tests.conftest import make_workbook

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "returns"
GREEEN = "Error: 'Greeen' is not a level of Red/Amber/Green"


@pytest.fixture
def lppa_return(tmp_path, frameworks):
    """An LPPA return with a misspelt rating (an error) and one in the wrong case (a warning),
    every other KPI rated (so that completeness has nothing to say)."""
    fw = frameworks["lppa"]
    ratings = {item.id: "Green" for item in fw.items if item.rated}
    ratings |= {"1.1": "Greeen", "1.2": "amber"}
    return make_workbook(fw, tmp_path, "Ash Primary", ratings=ratings)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def messages(path: Path) -> list[tuple[str, str]]:
    record = api.check(path)
    return [(p.code, p.located) for p in record.errors + record.warnings]


def sheet_part(path: Path, name: str) -> str:
    workbook = zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    rid = re.search(rf'name="{name}" sheetId="\d+"[^>]* r:id="(rId\d+)"', workbook).group(1)
    rels = zipfile.ZipFile(path).read("xl/_rels/workbook.xml.rels").decode()
    return "xl/" + re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)


def fill(cell) -> tuple:
    return cell.fill.fill_type, cell.fill.fgColor.rgb


def highlight_of(cell) -> tuple:
    """A cell's fill pattern and colour, and its border's style and colour (all four sides)."""
    sides = {
        (s.style, s.color.rgb if s.color else None)
        for s in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
    }
    return (*fill(cell), *(sides.pop() if len(sides) == 1 else (sides, None)))


ERROR_MARK = ("lightTrellis", "FF7030A0", "thick", "FF7030A0")  # hatched, heavy purple border
INPUT_FILL = "FFFFF7D6"  # the input cells' own fill
WARNING_MARK = ("solid", INPUT_FILL, "mediumDashed", "FFC55A11")  # the cell's fill, dashed border
LO_ERROR_MARK = ("solid", "FFCAB2DC", "thick", "FF7030A0")  # LibreOffice saves the hatch solid


def distance(a: str, b: str) -> float:
    """How far apart two colours are (RGB, 0-441)."""
    rgb = [[int(c.lstrip("#")[-6:][i : i + 2], 16) for i in (0, 2, 4)] for c in (a, b)]
    return sum((x - y) ** 2 for x, y in zip(*rgb)) ** 0.5


def test_highlights_are_no_ratings_colour():
    """No highlight looks like a rating: each colour, and the solid colour LibreOffice saves
    the error's hatching as, is far from every level of every built-in scale; the error's
    fill is hatched and its border heavy, the warning's border dashed."""
    levels = [lv.colour for scale in BUILTIN_SCALES.values() for lv in scale.levels]
    levels += [
        lv.colour for fid in loading.builtin_paths() for lv in loading.load(fid).scale.levels
    ]
    ours = [colour for colour, _p, _b in HIGHLIGHTS.values()]
    assert min(distance(o, lv) for o in ours for lv in levels) > 150  # dark beside pastels
    # LibreOffice's solid lavender: nearest is Emergent's pink (59 apart), with a purple border
    assert min(distance(LO_ERROR_MARK[1], lv) for lv in levels) > 55
    assert HIGHLIGHTS == {
        "error": ("FF7030A0", "lightTrellis", "thick"),
        "warning": ("FFC55A11", "", "mediumDashed"),
    }
    assert (ERROR_MARK[1], WARNING_MARK[3]) == tuple(c for c, _p, _b in HIGHLIGHTS.values())


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
    assert highlight_of(ws["C6"]) == ERROR_MARK
    assert highlight_of(ws["C7"]) == WARNING_MARK
    was = old["Objective 1"]
    assert fill(was["C6"]) == fill(was["C8"]) == fill(ws["C8"]) == ("solid", INPUT_FILL)
    assert highlight_of(ws["C8"]) == highlight_of(was["C6"]) == ("solid", INPUT_FILL, "thin",
                                                                  "FFBFBFBF")  # fmt: skip
    assert fill(was["C6"])[1] not in {colour for colour, _p, _l in HIGHLIGHTS.values()}
    assert ws["C8"].comment is None
    assert ws["C6"].protection.locked is False  # the cell is still an input
    look = [(c.font.name, c.font.sz, c.font.b, c.alignment.horizontal, c.alignment.vertical,
             c.number_format) for c in (ws["C6"], was["C6"])]  # fmt: skip
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
    meta = sheet_part(lppa_return, "_awardbooks")  # the marks, below its own rows
    assert changed == sorted(["[Content_Types].xml", "xl/styles.xml", sheet, meta])
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
    assert highlight_of(openpyxl.load_workbook(out)["Obj 1"]["C6"]) == ERROR_MARK


def test_annotating_again_replaces_the_old_notes(lppa_return, tmp_path):
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    api.annotate(lppa_return, once)
    api.annotate(once, twice)
    assert (
        comments(twice)
        == comments(once)
        == {
            "Objective 1!C6": GREEEN,
            "Objective 1!C7": "Warning: 'amber' was read as 'Amber'",
        }
    )
    vml = zipfile.ZipFile(twice).read("xl/drawings/vmlDrawing1.vml")
    assert vml.count(b"<v:shape ") == 2  # one note per cell, not one per message
    assert api.check(twice).annotated == "annotated copy: 0 of 2 problems fixed"
    assert messages(twice) == messages(lppa_return)


def test_the_schools_own_comments_are_kept(lppa_return, tmp_path):
    own = tmp_path / "own.xlsx"
    wb = openpyxl.load_workbook(lppa_return)
    wb["Objective 1"]["C6"].comment = openpyxl.comments.Comment("We meant Green", "Head")
    wb["Objective 1"]["D9"].comment = openpyxl.comments.Comment("Error: ours, not yours", "Head")
    wb.save(own)
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    api.annotate(own, once)
    api.annotate(once, twice)
    assert (
        comments(twice)
        == comments(once)
        == {
            "Objective 1!C6": f"We meant Green\n\n{GREEEN}",
            "Objective 1!C7": "Warning: 'amber' was read as 'Amber'",
            "Objective 1!D9": "Error: ours, not yours",
        }
    )


def test_libreoffice_reads_the_comments(lppa_return, tmp_path):
    reason = lo.skip_reason()
    if reason:
        pytest.skip(reason)
    out = tmp_path / "marked.xlsx"
    api.annotate(lppa_return, out)
    (resaved,) = lo.convert([out], tmp_path / "lo", fmt="xlsx")
    assert comments(resaved)["Objective 1!C6"] == GREEEN
    cell = openpyxl.load_workbook(resaved)["Objective 1"]["C6"]
    assert highlight_of(cell) == LO_ERROR_MARK


def test_check_annotate_command(lppa_return, tmp_path):
    runner = CliRunner()
    out = tmp_path / "marked.xlsx"
    first = runner.invoke(cli, ["check", str(lppa_return), "--annotate", str(out)])
    assert first.exit_code == 1  # the return still has an error
    assert first.output.splitlines()[1:] == [
        "  error: Objective 1!C6: 'Greeen' is not a level of Red/Amber/Green",
        "  warning: Objective 1!C7: 'amber' was read as 'Amber'",
        f"Wrote {out}: 2 problems marked with comments on 2 cells (errors hatched purple with a "
        "heavy border, warnings with a dashed orange border).",
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


def test_the_schools_own_comment_after_libreoffice(lppa_return, tmp_path):
    """LibreOffice keeps no author and splits the blank line between the school's comment and
    our note across two runs: annotated again, the comment is the school's and one note."""
    reason = lo.skip_reason()
    if reason:
        pytest.skip(reason)
    own = tmp_path / "own.xlsx"
    wb = openpyxl.load_workbook(lppa_return)
    wb["Objective 1"]["C6"].comment = openpyxl.comments.Comment("We meant Green", "Head")
    wb.save(own)
    once, again = tmp_path / "once.xlsx", tmp_path / "again.xlsx"
    api.annotate(own, once)
    (back,) = lo.convert([once], tmp_path / "lo", fmt="xlsx")
    api.annotate(back, again)
    assert comments(again) == {
        "Objective 1!C6": f"We meant Green\n\n{GREEEN}",
        "Objective 1!C7": "Warning: 'amber' was read as 'Amber'",
    }


def test_an_annotated_copy_fixed_in_libreoffice(lppa_return, tmp_path):
    """The loop a school goes round: the annotated copy fixed in LibreOffice and sent back is
    read with its notes counting for nothing, says how many of its problems were fixed, and
    one still wrong is annotated again with exactly one note per problem."""
    reason = lo.skip_reason()
    if reason:
        pytest.skip(reason)
    marked = tmp_path / "marked.xlsx"
    api.annotate(lppa_return, marked)
    fixed, half = tmp_path / "fixed.xlsx", tmp_path / "half.xlsx"
    lo.fill_many([
        (marked, fixed, {"Objective 1": {"C6": "Green", "C7": "Amber"}}),
        (marked, half, {"Objective 1": {"C7": "Amber"}}),
    ])  # fmt: skip
    shown = CliRunner().invoke(cli, ["check", str(fixed)]).output.splitlines()
    assert shown[1:] == ["  annotated copy: 2 of 2 problems fixed"]
    record = api.check(fixed)
    assert (record.status, record.problems) == ("accepted", [])
    assert record.annotated == "annotated copy: 2 of 2 problems fixed"
    assert record.ratings["1.1"].label == "Green"
    record = api.check(half)
    assert record.status == "rejected"
    assert [p.located for p in record.problems] == [f"Objective 1!C6: {GREEEN[7:]}"]
    assert record.annotated == "annotated copy: 1 of 2 problems fixed"
    run = api.analyse([fixed, half], out=tmp_path / "c.xlsx")  # the Returns sheet says so
    sheet = openpyxl.load_workbook(tmp_path / "c.xlsx")["Returns"]
    heads = [c.value for c in sheet[4]]
    shown = [(r[heads.index("Status")], r[heads.index("Annotated")])
             for r in sheet.iter_rows(min_row=5, values_only=True)]  # fmt: skip
    assert shown == [
        ("accepted", "annotated copy: 2 of 2 problems fixed"),
        ("rejected", "annotated copy: 1 of 2 problems fixed"),
    ]
    assert list(run.consolidation.returns["annotated"]) == [a for _s, a in shown]
    again = tmp_path / "again.xlsx"
    api.annotate(half, again)
    assert comments(half) == {  # LibreOffice kept both notes (without their author)
        "Objective 1!C6": GREEEN,
        "Objective 1!C7": "Warning: 'amber' was read as 'Amber'",
    }
    assert comments(again) == {"Objective 1!C6": GREEEN}  # one note per problem
    vml = [n for n in zipfile.ZipFile(again).namelist() if n.endswith(".vml")]
    assert sum(zipfile.ZipFile(again).read(n).count(b"<v:shape ") for n in vml) == 1
    ws = openpyxl.load_workbook(again)["Objective 1"]
    assert highlight_of(ws["C6"]) == ERROR_MARK  # marked afresh
    assert highlight_of(ws["C7"]) == highlight_of(ws["C8"])  # no longer marked: as it was
    assert api.check(again).annotated == "annotated copy: 0 of 1 problem fixed"
    assert messages(again) == messages(half)


def test_analyse_annotates_every_rejected_or_warned_return(lppa_return, tmp_path):
    """analyse --annotate DIR: a copy of each return with problems, named after it, listed in
    returns.csv; a school's file of the same name in DIR is never replaced; DIR may not be
    among the returns."""
    returns = tmp_path / "returns"
    returns.mkdir()
    shutil.copy(SAMPLES / "autumn" / "Riverside LPPA.xlsx", returns)
    shutil.copy(SAMPLES / "autumn" / "Hill View audit.xlsx", returns)  # accepted
    shutil.copy(lppa_return, returns / "Ash.xlsx")
    with zipfile.ZipFile(returns / "late.zip", "w") as zf:  # a second "Ash.xlsx", zipped
        zf.write(lppa_return, "Ash.xlsx")
    (returns / "notes.xlsx").write_bytes(b"not a workbook")
    (returns / "broken.zip").write_bytes(b"PK\x03\x04broken")
    fix = tmp_path / "to-fix"
    fix.mkdir()
    (fix / "Riverside LPPA - annotated.xlsx").write_bytes(b"the school's own file")
    args = ["analyse", str(returns), "--out", str(tmp_path / "c.xlsx"), "--data",
            str(tmp_path / "data"), "--annotate", str(fix)]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-3:] == [
        f"Wrote 3 annotated copies to {fix}/ (each return rejected or with warnings, its "
        "problems marked on their cells).",
        f"Not annotated: {returns / 'broken.zip'}: it holds no workbook to annotate",
        f"Not annotated: {returns / 'notes.xlsx'}: this is a text file, not an Excel workbook "
        "(.xlsx), whatever its name; send the Excel workbook (.xlsx) itself",
    ]
    assert sorted(p.name for p in fix.iterdir()) == [  # two Ash.xlsx: their folder or archive
        "Riverside LPPA - annotated (2).xlsx",
        "Riverside LPPA - annotated.xlsx",
        "late - Ash - annotated.xlsx",
        "returns - Ash - annotated.xlsx",
    ]
    assert (fix / "Riverside LPPA - annotated.xlsx").read_bytes() == b"the school's own file"
    assert comments(fix / "Riverside LPPA - annotated (2).xlsx") == {"Objective 3!C7": GREEEN}
    ash = comments(fix / "returns - Ash - annotated.xlsx")
    assert comments(fix / "late - Ash - annotated.xlsx") == ash
    assert ash["Objective 1!C6"] == GREEEN
    with open(tmp_path / "data" / "returns.csv", encoding="utf-8") as handle:
        copies = {Path(r["file"]).name: r["annotated_copy"] for r in csv.DictReader(handle)}
    assert copies == {
        "Ash.xlsx": str(fix / "returns - Ash - annotated.xlsx"),
        "broken.zip": "",
        "Hill View audit.xlsx": "",
        "Riverside LPPA.xlsx": str(fix / "Riverside LPPA - annotated (2).xlsx"),
        "late.zip!Ash.xlsx": str(fix / "late - Ash - annotated.xlsx"),
        "notes.xlsx": "",
    }
    again = CliRunner().invoke(cli, [*args, "--force"])  # its own copies are replaced
    assert again.exit_code == 0, again.output
    assert len(list(fix.iterdir())) == 4
    inside = CliRunner().invoke(cli, [*args[:-1], str(returns / "to-fix")])
    assert inside.output == (
        f"Reading returns\nError: {returns / 'to-fix'}: is among the returns being read, so the "
        "annotated copies would be read as returns next time; give a folder outside them, "
        "e.g. to-fix/\n"
    )
    assert not (returns / "to-fix").exists()


def test_fixed_is_counted_after_the_analysis_adds_its_warnings():
    """A milestone still overdue on the day of the analysis (a warning added after reading)
    is not counted as fixed."""
    import datetime as dt

    from awardbooks.read.milestones import flag_overdue

    mark = ("warning", "milestone-overdue", "Journey", "D7")
    still = Problem("milestone-overdue", "warning", "overdue", sheet="Journey", cell="D7")
    record = ReturnRecord("f.xlsx", warnings=[still], marks=[mark], annotated="stale")
    flag_overdue(record, dt.date(2027, 1, 1))
    assert record.annotated == "annotated copy: 0 of 1 problem fixed"
    record = ReturnRecord("f.xlsx", marks=[mark, mark[:3] + ("D8",)])
    flag_overdue(record, dt.date(2027, 1, 1))
    assert record.annotated == "annotated copy: 2 of 2 problems fixed"
