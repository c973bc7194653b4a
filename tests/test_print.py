"""Workbooks as they print: LibreOffice renders each generated workbook to PDF (A4 landscape,
as the workbooks ask) and the text is measured with ``pdftotext -bbox``, as a person would
hold the page.

Every page of every built-in framework's workbook, and of a carry-forward workbook (with last
term's columns beside the new ones), prints with a median word height of at least 8 pt; the
Summary's table and chart share one page; descriptor columns a sheet does not use are not
printed."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from pathlib import Path

import pytest

from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one
from awardbooks.spec import loading
from awardbooks.spec.model import Framework
from awardbooks.workbook.layout import layout_for
from awardbooks.workbook.render import CarryForward
from tests import lofill as lo
from tests.conftest import BUILTINS, sample_ratings

pytestmark = pytest.mark.skipif(
    lo.skip_reason() is not None or shutil.which("pdftotext") is None,
    reason=lo.skip_reason() or "pdftotext is not installed: apt-get install poppler-utils",
)

MIN_PT = 8.0
MAP_CARRIED = "achievement-action-plan (Yr 2 summer, carried forward)"
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def pdf_pages(pdf: Path) -> list[tuple[float, str, str]]:
    """(median word height in points, the page's text, its footer's first word) per page."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", html, re.S):
        words = WORD.findall(page)
        heights = [float(w[3]) - float(w[1]) for w in words]
        bottom = max((float(w[1]) for w in words), default=0)
        footer = [w[4] for w in words if float(w[1]) >= bottom - 2]
        pages.append(
            (statistics.median(heights) if heights else 0.0, " ".join(w[4] for w in words),
             footer[0] if footer else "")
        )  # fmt: skip
    return pages


def one_group_described() -> Framework:
    """An authored framework whose first group's items have a descriptor per level and whose
    other groups' items have none (the multi-agency skeleton, so edited)."""
    fw = loading.load("multi-agency")
    data = fw.model_dump()
    for item in data["groups"][0]["items"]:
        item["descriptors"] = {label: f"What {label} looks like here" for label in fw.scale.labels}
    return Framework.model_validate(data)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """PDFs of every built-in framework's workbook and of an LPPA carry-forward workbook."""
    folder = tmp_path_factory.mktemp("print")
    books = {}
    school = Setting("St Mary's C of E Primary", urn="100001", partnership="North")
    for fid in BUILTINS:
        fw = loading.load(fid)
        path, _row = generate_one(
            fw, school, year="2026-27", term="autumn", out_dir=folder, ratings=sample_ratings(fw)
        )
        books[fid] = path
    lppa = loading.load("lppa")
    previous = {key: (label, "2026-10-16", "Seen in the autumn review") for key, label in
                sample_ratings(lppa).items()}  # fmt: skip
    path, _row = generate_one(
        lppa, school, year="2026-27", term="spring", out_dir=folder, filename="carry.xlsx",
        carry=CarryForward(previous), previous_term="autumn 2026-27",
    )  # fmt: skip
    books["lppa (carry-forward)"] = path
    mapped = loading.load("achievement-action-plan")  # nine RAG cells a row, two years carried
    history = {i.id: {f"{n}:{t}": "Amber" for n in (1, 2) for t in ("autumn", "spring")}
               for i in mapped.items}  # fmt: skip
    books[MAP_CARRIED] = generate_one(
        mapped, school, year="2027-28", term="summer", out_dir=folder, filename="map.xlsx",
        carry=CarryForward({key: ("Amber", "", "Under way: see the spring review") for key in
                            history}, history=history),
        previous_term="spring 2027-28", plan_start="2026-27", ratings=sample_ratings(mapped),
    )[0]  # fmt: skip
    books["authored"] = generate_one(
        one_group_described(), school, year="2026-27", term="autumn", out_dir=folder,
        filename="authored.xlsx",
    )[0]  # fmt: skip
    pdfs = lo.convert(list(books.values()), folder / "pdf", fmt="pdf")
    return {name: pdf_pages(pdf) for name, pdf in zip(books, pdfs)}


@pytest.mark.parametrize("name", [*BUILTINS, "lppa (carry-forward)", MAP_CARRIED, "authored"])
def test_every_page_prints_at_eight_points_or_more(printed, name):
    small = [
        f"page {n} ({footer}): {height:.1f} pt"
        for n, (height, _text, footer) in enumerate(printed[name], start=1)
        if height < MIN_PT
    ]
    assert small == []
    assert len(printed[name]) >= 3  # the cover, the summary and at least one rating sheet


@pytest.mark.parametrize("fid", BUILTINS)
def test_the_summary_prints_its_table_and_chart_on_one_page(printed, fid):
    fw = loading.load(fid)
    pages = [text for _h, text, footer in printed[fid] if footer == "Summary"]
    assert len(pages) == 1
    assert f"Score % by {fw.labels.group.lower()}" in pages[0]  # the chart's title
    assert "Overall" in pages[0]  # the table's last row


def test_descriptor_columns_a_sheet_does_not_use_are_not_printed(printed):
    """Only the first aspect's items have descriptors: its sheet prints a column per level;
    the other aspects' sheets name the levels once (in the instructions) and print no empty
    descriptor columns."""
    labels = list(layout_for(one_group_described()).columns.descriptors)
    assert labels == ["Emergent", "Developing", "Embedded"]
    aspects = [text for _h, text, footer in printed["authored"] if footer == "Aspect"]
    counts = [min(text.count(label) for label in labels) for text in aspects]
    assert len(aspects) == 9
    assert counts[0] >= 2  # the instructions, and a column heading for each level
    assert counts[1:] == [1] * 8  # the instructions only


LIST_MIN_PT = 8.8


@pytest.mark.parametrize("fid", ["family-partnership", "lppa", "multi-agency"])
def test_list_sheets_print_at_eight_point_eight_or_more(printed, fid):
    """Every page of a list sheet (journey, questions, criteria, checklists), answers and all,
    prints at 8.8 pt or more: a school writes and reads its answers on paper."""
    fw = loading.load(fid)
    footers = {listed.title.split()[0] for listed in fw.sheets.lists}
    pages = [(h, footer) for h, _text, footer in printed[fid] if footer in footers]
    assert {footer for _h, footer in pages} == footers  # each list sheet printed
    assert [f"{footer}: {h:.1f} pt" for h, footer in pages if h < LIST_MIN_PT] == []


@pytest.mark.parametrize("name", ["achievement-action-plan", MAP_CARRIED])
def test_the_map_nine_rag_columns_print_on_one_page_wide_at_8_8_points(printed, name):
    """Yr 1 Autumn to Yr 3 Summer beside each action, with its timeline, responsible person
    and comments (and last term's comment when carried forward), one A4 landscape page wide,
    text at 8.8 pt or more."""
    pages = [(h, text) for h, text, footer in printed[name] if footer == "Action"]
    assert pages
    assert all(text.count("Yr") >= 9 and "Summer" in text for _h, text in pages[:1])
    assert [round(h, 1) for h, _text in pages if h < 8.8] == []


def test_the_lppa_front_sheets_print_their_references_and_the_age_rule(printed):
    """A front page per Objective, as the handbook's portfolio has: each prints the evidence
    references and the two-year rule at its top."""
    fronts = [text for _h, text, _f in printed["lppa"] if "LPPA portfolio: front sheet" in text]
    assert len(fronts) >= 10
    third = [text for text in fronts if "Objective 3:" in text]
    assert len(third) == 1  # objective 3's front sheet fits one page
    assert all(ref in third[0] for ref in ("3.1 a", "3.2 a", "3.2 d", "3.5 d"))
    assert all("should not be more than two years old at the date of the Interim" in text
               for text in fronts)  # fmt: skip
