"""What schools see holds no notes for developers: every visible cell of every sheet of each
built-in framework's workbook (fresh, and carried forward to the next term) is scanned for
words that belong in a spec's ``source.notes`` or in code, not in a school's workbook. The
only intended exception is the cover's note on whose the scores are (``scores_note``)."""

from __future__ import annotations

import re

import pytest
from python_calamine import CalamineWorkbook

from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one
from awardbooks.spec import loading
from awardbooks.workbook.render import CarryForward
from tests.conftest import BUILTINS

DEVELOPER_WORDS = re.compile(
    r"extraction|\btodo\b|fixme|placeholder|\bspecs?\b|developer|transcri|source\.notes|yaml|"
    r"awardbooks|\bxxx\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize("carried", [False, True], ids=["fresh", "carry-forward"])
@pytest.mark.parametrize("fid", BUILTINS)
def test_no_developer_notes_on_any_sheet_schools_see(fid, carried, tmp_path):
    fw = loading.load(fid)
    path, _row = generate_one(
        fw, Setting("Ash Primary"), year="2026-27", term="spring", out_dir=tmp_path,
        carry=CarryForward({}) if carried else None, previous_term="autumn 2026-27",
    )  # fmt: skip
    book = CalamineWorkbook.from_path(str(path))
    visible = [m.name for m in book.sheets_metadata if str(m.visible).endswith("Visible")]
    assert "Cover" in visible and "_awardbooks" not in visible
    found = []
    for name in visible:
        for r, row in enumerate(book.get_sheet_by_name(name).to_python()):
            for c, value in enumerate(row):
                text = str(value)
                if DEVELOPER_WORDS.search(text) and text != fw.scores_note:
                    found.append(f"{name}!R{r + 1}C{c + 1}: {text[:100]}")
    assert found == []


def test_the_scan_finds_what_it_looks_for():
    assert DEVELOPER_WORDS.search("Repairs of text extraction: HTML tags removed")
    assert DEVELOPER_WORDS.search("complete this spec before use")
    assert DEVELOPER_WORDS.search("TODO: wording")
    assert not DEVELOPER_WORDS.search("Promote Family Support Directory (FSD) to schools")
