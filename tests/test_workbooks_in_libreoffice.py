"""Generated workbooks filled in LibreOffice the way a school fills them, then checked."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from awardbooks.workbook.layout import META_SHEET, SUMMARY_SHEET, layout_for
from awardbooks.workbook.scoring import score_groups
from tests import lofill as lo

from .conftest import BUILTINS, make_workbook, sample_ratings

pytestmark = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")


def person_values(framework, ratings):
    """What a person types: ratings, a date, a comment, the cover's name and date."""
    layout = layout_for(framework)
    values: dict[str, dict[str, object]] = {}
    rows = layout.rows_by_key
    for key, label in ratings.items():
        row = rows[key]
        sheet = values.setdefault(row.sheet, {})
        sheet[layout.rating_cell(row).a1] = label
        if layout.date_cell(row):
            sheet[layout.date_cell(row).a1] = {"date": "2026-10-31"}
        if layout.comment_cell(row):
            sheet[layout.comment_cell(row).a1] = f"Evidence for {key}"
    cover = values.setdefault("Cover", {})
    cover[layout.cover_inputs["completed_by"].a1] = "A. Head"
    cover[layout.cover_inputs["completed_on"].a1] = {"date": "2026-11-02"}
    return values


@pytest.fixture(scope="module")
def filled(tmp_path_factory, frameworks):
    """Every built-in framework's workbook, generated empty and filled in LibreOffice."""
    folder = tmp_path_factory.mktemp("filled")
    jobs, expected = [], {}
    for fid in BUILTINS:
        fw = frameworks[fid]
        src = make_workbook(fw, folder / "blank", setting=f"School {fid}")
        ratings = sample_ratings(fw)
        dst = folder / f"{fid}.xlsx"
        jobs.append((src, dst, person_values(fw, ratings)))
        expected[fid] = (src, dst, ratings)
    lo.fill_many(jobs, profile_dir=folder / "profile")
    return expected


@pytest.mark.parametrize("fid", BUILTINS)
def test_libreoffice_summary_agrees_with_python(fid, filled, frameworks):
    fw = frameworks[fid]
    _src, dst, ratings = filled[fid]
    layout = layout_for(fw)
    groups, overall = score_groups(fw, ratings)
    top = fw.scale.top_score
    ws = openpyxl.load_workbook(dst, data_only=True)[SUMMARY_SHEET]
    cols = layout.summary_columns
    rows = [s.row for s in layout.summary] + [layout.summary_total_row]
    for row, score in zip(rows, groups + [overall], strict=True):
        values = {key: ws.cell(row + 1, col + 1).value for key, col in cols.items()}
        cell = values.__getitem__
        for label in fw.scale.labels:
            assert cell(f"level:{label}") == score.counts[label]
        assert cell("rated") == score.rated
        assert cell("total") == score.total
        assert cell("completion") == pytest.approx(score.completion)
        want = score.score(top)
        if want is None:
            assert cell("score") in ("", None)
        else:
            assert cell("score") == pytest.approx(want)
    # the overall % is not trivially 0 or 100 for these varied ratings
    assert 0 < overall.score(top) < 1


def validated_cells(ws):
    """{cell: (validation type, list formula)} over every cell a rule covers."""
    cells = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    cells[(row, col)] = (
                        dv.type or "any",
                        (dv.formula1 or "").replace("'", "") if dv.type == "list" else "",
                    )
    return cells


@pytest.mark.parametrize("fid", BUILTINS)
def test_libreoffice_keeps_dropdowns_protection_and_dates(fid, filled, frameworks):
    fw = frameworks[fid]
    src, dst, ratings = filled[fid]
    before = openpyxl.load_workbook(src)
    after = openpyxl.load_workbook(dst)
    assert after.sheetnames == before.sheetnames
    for name in before.sheetnames:
        assert after[name].protection.sheet, name
        assert validated_cells(after[name]) == validated_cells(before[name]), name
    assert after[META_SHEET].sheet_state in ("hidden", "veryHidden")
    layout = layout_for(fw)
    rows = layout.rows_by_key
    key, label = next(iter(ratings.items()))
    row = rows[key]
    assert after[row.sheet][layout.rating_cell(row).a1].value == label
    if layout.date_cell(row):
        assert after[row.sheet][layout.date_cell(row).a1].value == dt.datetime(2026, 10, 31)
    cover = after["Cover"]
    assert cover[layout.cover_inputs["completed_on"].a1].value == dt.datetime(2026, 11, 2)


def test_locked_cells_cannot_be_typed_into(tmp_path, frameworks):
    fw = frameworks["lppa"]
    src = make_workbook(fw, tmp_path)
    with pytest.raises(lo.LibreOfficeError, match=r"^Objective 1!B6 is locked$"):
        lo.fill(
            src,
            tmp_path / "out.xlsx",
            {"Objective 1": {"B6": "my own KPI"}},
            profile_dir=tmp_path / "profile",
        )
    assert not (tmp_path / "out.xlsx").exists()
