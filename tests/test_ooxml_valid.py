"""Every kind of workbook awardbooks writes is valid Office Open XML, as an independent
validator sees it: openxml-audit, a port of Microsoft's Open XML SDK validator (schemas,
semantics, package structure). Excel is the first client and there is no Excel here.

- What awardbooks writes from scratch (school workbooks of every built-in framework, a
  carry-forward workbook, the consolidated workbook, a feedback report, an authoring
  workbook) has no error at all.
- An annotated copy of a return (``check --annotate``) adds no error to the return it copies
  — whichever application wrote it: LibreOffice, openpyxl (with and without comments of its
  own), xlsxwriter, or awardbooks itself (an annotated copy annotated again, as written or
  re-saved by LibreOffice) — and every XML part of it, VML drawings included, is well-formed, with
  one content type per part.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.comments import Comment
from openxml_audit import OpenXmlValidator

from awardbooks import api
from awardbooks.authoring.writing import write_template
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one
from awardbooks.spec import loading
from awardbooks.workbook.render import CarryForward
from tests import lofill as lo
from tests.conftest import BUILTINS, sample_ratings
from tests.test_report import load

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SCHOOL = Setting("St Mary's C of E Primary", urn="100001", partnership="North Partnership")


@pytest.fixture(scope="module")
def validator():
    return OpenXmlValidator()


def errors(validator, path: Path) -> list[str]:
    """The validator's errors (not its advisory warnings), one line each."""
    result = validator.validate(str(path))
    return sorted(
        f"{e.part_uri} {e.path}: {e.description}"
        for e in result.errors
        if e.severity.name == "ERROR"
    )


def malformed_parts(path: Path) -> list[str]:
    """XML parts (VML drawings included) an XML parser refuses."""
    bad = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                try:
                    etree.fromstring(zf.read(name))
                except etree.XMLSyntaxError as exc:
                    bad.append(f"{name}: {exc}")
    return bad


def repeated_content_types(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        types = zf.read("[Content_Types].xml").decode()
    names = [n.lower() for n in re.findall(r'<Override[^>]*PartName="([^"]+)"', types)]
    return sorted({n for n in names if names.count(n) > 1})


# --------------------------------------------------------------------------- written afresh


@pytest.mark.parametrize("fid", BUILTINS)
def test_school_workbooks_are_valid(validator, fid, tmp_path):
    fw = loading.load(fid)
    path, _row = generate_one(
        fw, SCHOOL, year="2026-27", term="autumn", out_dir=tmp_path, ratings=sample_ratings(fw)
    )
    assert errors(validator, path) == []
    assert malformed_parts(path) == []


def test_a_carry_forward_workbook_is_valid(validator, tmp_path):
    fw = loading.load("lppa")
    previous = {k: (v, "2026-10-16", "Seen") for k, v in sample_ratings(fw).items()}
    actions = ({"action": "Set up a parents' forum", "status": "Amber"},)
    iarap = (
        {"key": "1.1", "row": 6, "action": "Appoint a deputy", "in_portfolio": "Yes"},
        {"key": "2.3", "row": 7, "timescale": "2026-12-01", "evidence": "Newsletters"},
    )
    path, _row = generate_one(
        fw, SCHOOL, year="2026-27", term="spring", out_dir=tmp_path,
        carry=CarryForward(previous, open_actions=actions, inputs={"audit": iarap}),
        previous_term="autumn 2026-27",
    )  # fmt: skip
    assert errors(validator, path) == []
    assert openpyxl.load_workbook(path)["Objective 1"]["F6"].value == "Appoint a deputy"


def test_a_carry_forward_workbook_with_membership_and_outcomes_is_valid(validator, tmp_path):
    fw = loading.load("behaviour-attendance")
    previous = {k: (v, "", "Seen") for k, v in sample_ratings(fw).items()}
    members = ({"key": "Primary schools", "row": 14, "member": "Cedar Primary"},)
    outcomes = {"K1": {"baseline": 12, "term1": "10 schools"}, "L1": {"outcome": "Fewer fights"}}
    path, _row = generate_one(
        fw, SCHOOL, year="2026-27", term="spring", out_dir=tmp_path,
        carry=CarryForward(previous, outcomes=outcomes, inputs={"membership": members}),
        previous_term="autumn 2026-27",
    )  # fmt: skip
    assert errors(validator, path) == []
    assert openpyxl.load_workbook(path)["Membership"]["B14"].value == "Cedar Primary"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analysed")
    run = api.analyse(
        [SAMPLES / "returns"], manifest=SAMPLES / "manifest.csv", out=folder / "c.xlsx",
        data_dir=folder / "data", jobs=1,
    )  # fmt: skip
    return folder, run


def test_the_consolidated_workbook_is_valid(validator, analysed):
    folder, _run = analysed
    assert errors(validator, folder / "c.xlsx") == []
    assert malformed_parts(folder / "c.xlsx") == []
    assert load(folder / "c.xlsx")["Inputs"].max_row > 1  # and has rows


def test_inputs_sheet_and_plan_in_feedback_are_valid(validator, tmp_path):
    """An LPPA return with its IARAP typed: the consolidated Inputs sheet and the feedback
    report's plan section hold them, and both workbooks stay valid."""
    fw = loading.load("lppa")
    path, _row = generate_one(fw, SCHOOL, year="2026-27", term="autumn", out_dir=tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["Objective 1"]
    ws["C6"], ws["D6"], ws["E6"], ws["K6"] = "Amber", "A & B <ok>", "Appoint a deputy", "Yes"
    book.save(tmp_path / "return.xlsx")
    api.analyse([tmp_path / "return.xlsx"], out=tmp_path / "c.xlsx", jobs=1)
    assert load(tmp_path / "c.xlsx")["Inputs"].max_row == 5  # and KPI 2.2's pre-entered row
    assert errors(validator, tmp_path / "c.xlsx") == []
    result = api.feedback([tmp_path / "return.xlsx"], tmp_path / "feedback", pdf=False)
    (report,) = result.workbooks
    assert errors(validator, report) == []


def test_feedback_reports_are_valid(validator, analysed, tmp_path):
    result = api.feedback([SAMPLES / "returns"], tmp_path, SAMPLES / "manifest.csv", pdf=False)
    assert result.workbooks
    for path in result.workbooks:
        assert errors(validator, path) == []


@pytest.mark.parametrize("fid", [None, "lppa"])
def test_authoring_workbooks_are_valid(validator, fid, tmp_path):
    path = write_template(loading.load(fid) if fid else None, tmp_path / "authoring.xlsx")
    assert errors(validator, path) == []


# --------------------------------------------------------------------------- annotated copies


def _openpyxl_return(tmp_path: Path, with_comment: bool) -> Path:
    fw = loading.load("lppa")
    made, _row = generate_one(fw, SCHOOL, year="2026-27", term="autumn", out_dir=tmp_path)
    wb = openpyxl.load_workbook(made)
    wb["Objective 1"]["C6"] = "Greeen"
    if with_comment:
        wb["Objective 1"]["A1"].comment = Comment("The head's own note", "Head")
    path = tmp_path / f"openpyxl-{'comment' if with_comment else 'plain'}.xlsx"
    wb.save(path)
    return path


def _xlsxwriter_return(tmp_path: Path) -> Path:
    fw = loading.load("lppa")
    ratings = {**sample_ratings(fw), "1.1": "Greeen"}
    path, _row = generate_one(
        fw, SCHOOL, year="2026-27", term="autumn", out_dir=tmp_path, ratings=ratings,
        filename="xlsxwriter.xlsx",
    )  # fmt: skip
    return path


def _libreoffice_return(tmp_path: Path) -> Path:
    """A sample return filled and saved in LibreOffice, with a misspelt rating."""
    path = tmp_path / "libreoffice.xlsx"
    shutil.copy(SAMPLES / "returns" / "autumn" / "Riverside LPPA.xlsx", path)
    return path


RETURNS = {
    "openpyxl": lambda tmp: _openpyxl_return(tmp, with_comment=False),
    "openpyxl with its own comment": lambda tmp: _openpyxl_return(tmp, with_comment=True),
    "xlsxwriter": _xlsxwriter_return,
    "LibreOffice": _libreoffice_return,
}


@pytest.mark.parametrize("writer", sorted(RETURNS))
def test_an_annotated_copy_adds_no_error_to_the_return(validator, writer, tmp_path):
    src = RETURNS[writer](tmp_path)
    record = api.check(src)
    assert record.errors or record.warnings  # something to mark
    result = api.annotate(src, tmp_path / "annotated.xlsx", record=record)
    assert result.out is not None
    before = set(errors(validator, src))
    assert [e for e in errors(validator, result.out) if e not in before] == []
    assert malformed_parts(result.out) == []
    assert repeated_content_types(result.out) == []


@pytest.mark.parametrize("resaved", [False, True], ids=["as written", "LibreOffice re-saved"])
def test_annotating_an_annotated_copy_again_adds_no_error(validator, resaved, tmp_path):
    """The school sends the annotated copy back (re-saved by LibreOffice, or as it was), still
    wrong: annotated again, its old notes replaced, it gains no validation error."""
    if resaved and lo.skip_reason():
        pytest.skip(lo.skip_reason())
    once = api.annotate(_xlsxwriter_return(tmp_path), tmp_path / "once.xlsx").out
    back = lo.convert([once], tmp_path / "lo", fmt="xlsx")[0] if resaved else once
    again = api.annotate(back, tmp_path / "again.xlsx").out
    assert again is not None
    before = set(errors(validator, back))
    assert [e for e in errors(validator, again) if e not in before] == []
    assert malformed_parts(again) == []
    assert repeated_content_types(again) == []


def test_a_stale_content_type_is_not_repeated(validator, tmp_path):
    """A return whose [Content_Types].xml names a comments part the zip does not hold."""
    src = _openpyxl_return(tmp_path, with_comment=False)
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(stale, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/comments1.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/></Types>',
                )
            zout.writestr(item, data)
    result = api.annotate(stale, tmp_path / "annotated.xlsx")
    assert repeated_content_types(result.out) == []
    with zipfile.ZipFile(result.out) as zf:
        assert "xl/comments1.xml" in zf.namelist()  # the name now belongs to a real part
    assert malformed_parts(result.out) == []
