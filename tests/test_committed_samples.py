"""The sample workbooks committed in generated/samples/ (one per built-in framework, for people
to look at without installing anything) are what the generator writes now: a change to a
spec or to the workbook's layout that is not followed by `make samples` fails here.

Compared by what a person sees (every visible sheet's cell values, as python-calamine reads
them), not by bytes: each generation has its own workbook id and time."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one
from awardbooks.spec import loading
from awardbooks.workbook.layout import META_SHEET
from tests.conftest import BUILTINS

SAMPLES = Path(__file__).resolve().parent.parent / "generated" / "samples"
SAMPLE_SCHOOL = Setting(
    "Sample Primary School",
    urn="999999",
    partnership="Sample Partnership",
    local_authority="Sample Borough",
)  # fmt: skip  (as `make samples` writes them)


UNIQUE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def visible_text(path: Path) -> dict[str, list[list]]:
    """Every visible sheet's values; a workbook's own id (a UUID) reads as "<id>"."""
    book = CalamineWorkbook.from_path(str(path))
    return {
        name: [
            ["<id>" if isinstance(v, str) and UNIQUE.match(v) else v for v in row]
            for row in book.get_sheet_by_name(name).to_python()
        ]
        for name in book.sheet_names
        if name != META_SHEET
    }


@pytest.mark.parametrize("fid", BUILTINS)
def test_the_committed_sample_is_what_the_generator_writes(fid, tmp_path):
    committed = SAMPLES / f"Sample-Primary-School_{fid}_2026-27_autumn.xlsx"
    assert committed.is_file(), f"{committed.name} is missing: run make samples"
    fresh, _row = generate_one(
        loading.load(fid), SAMPLE_SCHOOL, year="2026-27", term="autumn", out_dir=tmp_path
    )
    assert visible_text(fresh) == visible_text(committed), (
        f"generated/samples/{committed.name} is out of date: run make samples"
    )
