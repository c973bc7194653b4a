"""The demo's consolidated workbook as it prints: LibreOffice renders it to PDF (A4 landscape,
one page wide) and ``pdftotext -bbox`` measures it, as :mod:`tests.test_print` does for the
school workbooks. Every page prints with a median word height of at least 7 pt, and the
Summary is a picture to present: terms side by side, 100 % stacked level bars and a To look at
list."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from awardbooks import api
from awardbooks.outputs.consolidated import SHEETS
from tests import lofill as lo
from tests.test_print import pdf_pages
from tests.test_report import load

pytestmark = pytest.mark.skipif(
    lo.skip_reason() is not None or shutil.which("pdftotext") is None,
    reason=lo.skip_reason() or "pdftotext is not installed: apt-get install poppler-utils",
)

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
MIN_PT = 7.0
LOOK_AT = [
    "To look at",
    "Largest falls",
    "• Oakfield Academy, 9 The school provides good support for parents of all pupil…: "
    "-20.0 points by 2026-27 spring",
    "Lowest groups",
    "• South Partnership, 2 The school makes and implements effective plans to achiev…: "
    "27.5% in 2026-27 autumn",
    "• North Partnership, 1 The school demonstrates a commitment to work towards achi…: "
    "62.5% in 2026-27 spring",
    "Incomplete returns",
    "• No return is below its completion threshold.",  # each setting's latest, at 80 %
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's consolidated workbook and its pages as printed."""
    folder = tmp_path_factory.mktemp("consolidated")
    api.analyse(
        [SAMPLES / "returns"], manifest=SAMPLES / "manifest.csv", out=folder / "c.xlsx",
        data_dir=folder / "data", jobs=1,
    )  # fmt: skip
    (pdf,) = lo.convert([folder / "c.xlsx"], folder / "pdf", fmt="pdf")
    return folder / "c.xlsx", pdf_pages(pdf)


def test_every_page_prints_at_seven_points_or_more(demo):
    _path, pages = demo
    small = [
        f"page {n} ({footer}): {height:.1f} pt"
        for n, (height, _text, footer) in enumerate(pages, start=1)
        if height < MIN_PT
    ]
    assert small == []
    assert {footer for _h, _t, footer in pages} == set(SHEETS)  # every sheet printed


def test_the_summary_shows_terms_side_by_side_and_what_to_look_at(demo):
    path, pages = demo
    ws = load(path)["Summary"]
    column = [ws.cell(row, 1).value for row in range(1, ws.max_row + 1)]
    start = column.index("To look at")
    assert column[start : start + len(LOOK_AT)] == LOOK_AT
    terms = column.index("Leading Parent Partnership Award: overall % by term") + 1
    assert [c.value for c in ws[terms + 1]][:5] == [
        "Partnership", "2026-27 autumn", "2026-27 spring", "Change", "Settings (latest)",
    ]  # fmt: skip
    assert [c.value for c in ws[terms + 2]][:5] == ["North Partnership", 50.7, 86.7, 36.0, 2]
    assert [c.value for c in ws[terms + 3]][:5] == ["South Partnership", 45.0, None, None, 2]
    summary = [text for _h, text, footer in pages if footer == "Summary"]
    assert "To look at" in summary[0] and "overall % by term" in summary[0]


def test_levels_are_shares_in_one_hundred_percent_stacked_bars(demo):
    path, _pages = demo
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    stacked = [x for x in charts if '<c:grouping val="percentStacked"/>' in x]
    assert len(stacked) == 1
    assert "<c:tickLblSkip val=\"1\"/>" in stacked[0]  # every bar labelled
    ws = load(path)["Summary"]
    column = [ws.cell(row, 1).value for row in range(1, ws.max_row + 1)]
    first = column.index("North Partnership, 2026-27 autumn") + 1
    shares = [c.value for c in ws[first]][1:4]
    assert round(sum(shares), 6) == 100  # shares of the ratings, not counts


def test_scores_and_progress_are_excel_tables(demo):
    path, _pages = demo
    wb = load(path)
    names = {ws.title: sorted(ws.tables) for ws in wb.worksheets}
    assert names["Scores"] == ["tblScores1"]
    assert names["Progress"] == ["tblProgress"]
    assert names["Ratings"] == ["tblRatings"] and names["Returns"] == ["tblReturns"]


INPUTS_MIN_PT = 7.6
"""Measured 8.1 pt on every page; 7.7 pt since every LPPA return has one more input row (the
pre-entered IARAP evidence of KPI 2.2), with the same column widths: LibreOffice's one-page-wide
scale moved with a row it did not need to fit. Above the 7.3 pt of the Returns sheet."""


def test_the_inputs_sheet_prints_legibly_with_a_whole_iarap(tmp_path):
    """Every IARAP column of every KPI of an LPPA return typed with long answers: the Inputs
    sheet (one row per cell typed) still prints one page wide at 7.6 pt or more."""
    from awardbooks.generate.roster import Setting
    from awardbooks.generate.workbooks import generate_one
    from awardbooks.spec import loading
    from awardbooks.workbook.layout import layout_for

    fw = loading.load("lppa")
    school = Setting("St Mary's C of E Primary School", "100001", "North Partnership")
    path, _row = generate_one(fw, school, year="2026-27", term="autumn", out_dir=tmp_path)
    book = load(path)
    layout = layout_for(fw)
    for rr in layout.rating_rows[:12]:
        ws = book[rr.sheet]
        for cid, col in layout.columns.extra.items():
            answer = "Yes" if cid == "in_portfolio" else f"{cid} for {rr.key}: " + "words " * 12
            ws.cell(rr.row + 1, col + 1).value = answer
    book.save(tmp_path / "return.xlsx")
    api.analyse([tmp_path / "return.xlsx"], out=tmp_path / "c.xlsx", jobs=1)
    (pdf,) = lo.convert([tmp_path / "c.xlsx"], tmp_path / "pdf", fmt="pdf")
    heights = [round(h, 1) for h, _text, footer in pdf_pages(pdf) if footer == "Inputs"]
    assert len(heights) > 1  # 96 rows: several pages
    assert min(heights) >= INPUTS_MIN_PT, heights
