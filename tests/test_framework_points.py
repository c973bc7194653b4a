"""Small points of issue 13, each from its source document: the multi-agency cover's
designated senior member of staff and working party (001, lines 100-102), the B&A partnership's
target beside each key outcome ("by x%", 003), and the Family Partnership Award's Stage 4
"&", its action plan's "20_ TO 20_" year and its portfolio requirements (000, lines 36-38,
141, 192-239). The new cells are filled in LibreOffice and read back."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one
from awardbooks.read.returns import Registry, read_path
from awardbooks.spec import loading
from awardbooks.workbook.layout import COVER_SHEET, layout_for
from tests import lofill as lo

needs_lo = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")


def grid(path, sheet):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def rated_in_full(fw) -> dict[str, str]:
    """Every rated row of ``fw`` rated with the scale's top label ({row key: label}): a
    complete return, so that the completeness check adds no warning to those a test is
    about."""
    return {r.key: fw.scale.labels[-1] for r in layout_for(fw).rating_rows if r.rated}


def rating_cells(fw, layout) -> dict[str, dict[str, object]]:
    """:func:`rated_in_full` as LibreOffice fill cells ({sheet: {cell: label}})."""
    cells: dict[str, dict[str, object]] = {}
    for row in layout.rating_rows:
        if row.rated:
            cells.setdefault(row.sheet, {})[layout.rating_cell(row).a1] = fw.scale.labels[-1]
    return cells


def fresh(fid, tmp_path, term="autumn"):
    path, _row = generate_one(
        loading.load(fid), Setting("Ash Primary"), year="2026-27", term=term, out_dir=tmp_path
    )
    return path


def test_family_partnership_small_points(tmp_path):
    fw = loading.load("family-partnership")
    assert fw.version == "2026.3"
    stage = next(c for c in fw.cover_fields if c.id == "stage")
    assert stage.choices[-1] == "Stage 4 Final evaluation & external assessment"
    path = fresh("family-partnership", tmp_path)
    assert grid(path, "Action plan")[0][0] == (
        "Table 3.2 Family partnership working action plan 2026 to 2027"
    )
    sheet = grid(path, "Portfolio")
    assert sheet[2][0] == "Up to 2 items of evidence per evidence descriptor."
    note = [""] + sheet[3][0].split("\n")  # the source's requirements, on the row below
    assert note[1].startswith("Provide no more than two sources of evidence for each")
    assert "the Action plan and any report on findings from the initial audit is included in " \
        "family partnership working theme 2 Leadership and management" in note[2]
    assert note[3] == (
        "Schools usually have one but no more than two Portfolios. Submit the completed "
        "Portfolio of evidence to the external assessor, the day before the on-site assessment "
        "visit takes place."
    )


def test_the_map_generic_group_is_headed_by_its_title(tmp_path):
    path = fresh("achievement-action-plan", tmp_path)
    texts = [str(v) for row in grid(path, "Action plan") for v in row]
    assert "Generic actions" in texts and "Area generic: Generic actions" not in texts
    assert "Area 2.1: Parenting" in texts


@needs_lo
def test_new_cover_fields_and_outcome_targets_filled_in_libreoffice(tmp_path):
    ma, ba = loading.load("multi-agency"), loading.load("behaviour-attendance")
    ma_layout, ba_layout = layout_for(ma), layout_for(ba)
    lead = ma_layout.cover_inputs["senior_lead"]
    party = ma_layout.cover_inputs["working_party"]
    assert grid(fresh("multi-agency", tmp_path / "a"), COVER_SHEET)[lead.row][0] == (
        "Designated senior member of staff"
    )
    k2 = next(r for r in ba_layout.table_rows["outcomes"] if r.key == "K2")
    target = k2.cells["target"]
    blank_ba = fresh("behaviour-attendance", tmp_path / "b")
    assert grid(blank_ba, "Outcomes")[4][2] == "Target (x% set by the partnership)"
    out = tmp_path / "filled"
    out.mkdir()
    # every item rated too: a complete return, so that completeness adds no warning
    ma_cells, ba_cells = rating_cells(ma, ma_layout), rating_cells(ba, ba_layout)
    assert COVER_SHEET not in ma_cells and "Outcomes" not in ba_cells
    ma_cells[COVER_SHEET] = {lead.a1: "Ms A Khan, deputy head", party.a1: "B Lee; C Osei"}
    ba_cells["Outcomes"] = {target.a1: "by 5%"}
    lo.fill_many([
        (fresh("multi-agency", tmp_path / "a2"), out / "ma.xlsx", ma_cells),
        (blank_ba, out / "ba.xlsx", ba_cells),
    ], profile_dir=tmp_path / "profile")  # fmt: skip
    ma_record = read_path(out / "ma.xlsx", Registry.default())
    assert ma_record.status == "accepted", ma_record.problems
    assert (ma_record.cover["senior_lead"], ma_record.cover["working_party"]) == (
        "Ms A Khan, deputy head", "B Lee; C Osei",
    )  # fmt: skip
    ba_record = read_path(out / "ba.xlsx", Registry.default())
    assert ba_record.status == "accepted", ba_record.problems
    assert ba_record.tables["outcomes"] == [{"key": "K2", "row": k2.row + 1, "target": "by 5%",
        "baseline": "", "term1": "", "term2": "", "term3": ""}]  # fmt: skip


@pytest.mark.parametrize(
    ("fid", "version"),
    [("behaviour-attendance", "2026.1"), ("multi-agency", "2026.1"),
     ("family-partnership", "2026.2"), ("achievement-action-plan", "2026.1")],
)  # fmt: skip
def test_returns_of_the_previous_editions_are_read_where_their_cells_were(fid, version, tmp_path):
    """Editions whose workbooks put cells elsewhere (B&A's outcome columns before the target,
    the multi-agency cover before its new fields, the FPA's Stage 4 without "&", the MAP's
    one rating a row) are kept in framework_specs/editions/ and read with their own spec."""
    from pathlib import Path

    old = loading.load(Path(loading.spec_dirs()[0]) / "editions" / f"{fid}-{version}.yaml")
    assert old.version == version
    # rated in full, so that the lining up is the only thing warned about
    path, _row = generate_one(old, Setting("Ash Primary"), year="2026-27", term="autumn",
                              out_dir=tmp_path, ratings=rated_in_full(old))  # fmt: skip
    record = read_path(path, Registry.default())
    assert record.status == "warning"
    assert [p.code for p in record.warnings] == ["edition-lined-up"]
    assert record.framework.version == loading.load(fid).version
    assert record.meta["spec_version"] == version


def test_an_old_b_and_a_return_keeps_its_baseline_in_the_baseline_column(tmp_path):
    from pathlib import Path

    from tests import pkgedit

    editions = Path(loading.spec_dirs()[0]) / "editions"
    old = loading.load(editions / "behaviour-attendance-2026.1.yaml")
    path, _row = generate_one(old, Setting("Ash Primary"), year="2026-27", term="autumn",
                              out_dir=tmp_path)  # fmt: skip
    k1 = next(r for r in layout_for(old).table_rows["outcomes"] if r.key == "K1")
    part = pkgedit.sheet_part(path, "Outcomes")
    filled = pkgedit.rewrite(path, tmp_path / "filled.xlsx", {
        part: pkgedit.set_cells({k1.cells["baseline"].a1: pkgedit.text_cell("62% good or better")}),
    })  # fmt: skip
    record = read_path(filled, Registry.default())
    assert record.tables["outcomes"][0]["baseline"] == "62% good or better"
    assert "target" not in record.tables["outcomes"][0]
