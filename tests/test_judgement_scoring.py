"""A group can be scored by its best-fit judgement, with its items as the evidence beside it
(spec ``scored_by: judgement``). The Family Partnership Award scores every theme so (its
source: "an overall best fit judgement ... Emergent Developing Embedded ... 35 70 100"), so
the six themes weigh equally.

The pattern that used to come out wrong: every descriptor of theme 1 Emergent, every theme's
judgement Embedded. The framework says 100 %; theme 1 was scored 35 % from its descriptors and
the overall 56.7 % from 15 rows. Filled in LibreOffice, the workbook's own formulas, the
analyser, ``check`` and the feedback report now all say 100 %."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from awardbooks import api
from awardbooks.cli import cli
from awardbooks.spec import loading
from awardbooks.spec.model import Framework
from awardbooks.workbook.layout import SUMMARY_SHEET, layout_for
from awardbooks.workbook.scoring import score_groups
from tests import lofill as lo
from tests.conftest import make_workbook

needs_lo = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")


def the_pattern(fw: Framework) -> dict[str, str]:
    ratings = {item.id: "Emergent" for item in fw.items if item.rated}
    ratings.update({f"{g.id}:judgement": "Embedded" for g in fw.groups if g.judgement})
    return ratings


def test_every_theme_is_scored_by_its_judgement_in_python():
    fw = loading.load("family-partnership")
    groups, overall = score_groups(fw, the_pattern(fw))
    assert [(g.group_id, g.score(100), g.rated, g.total) for g in groups] == [
        (str(n), 1.0, 1, 1) for n in range(1, 7)
    ]
    assert (overall.score(100), overall.rated, overall.total) == (1.0, 6, 6)


def test_a_group_scored_by_its_judgement_needs_one(tmp_path):
    spec = tmp_path / "mine.yaml"
    spec.write_text(
        "format: 1\nid: mine\ntitle: Mine\nversion: '1'\nsource:\n  document: Mine\n"
        "scale: rag\ngroups:\n"
        "  - id: '1'\n    title: One\n    scored_by: judgement\n    items:\n"
        "      - id: '1.a'\n        text: An item\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["spec", "check", str(spec)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {spec}: groups[0]: group '1' is scored by its best-fit judgement but has "
        "none; add judgement: true to the group, or remove scored_by: judgement\n"
    )


@needs_lo
def test_filled_in_libreoffice_workbook_analyser_check_and_feedback_agree(tmp_path):
    fw = loading.load("family-partnership")
    layout = layout_for(fw)
    blank = make_workbook(fw, tmp_path / "blank", setting="Ash Primary")
    values: dict[str, dict[str, object]] = {}
    for key, label in the_pattern(fw).items():
        row = layout.rows_by_key[key]
        values.setdefault(row.sheet, {})[layout.rating_cell(row).a1] = label
    filled = tmp_path / "returns" / "ash.xlsx"
    filled.parent.mkdir()
    lo.fill(blank, filled, values, profile_dir=tmp_path / "profile")

    # the workbook: LibreOffice recalculated the Summary's formulas when it saved
    summary = CalamineWorkbook.from_path(str(filled)).get_sheet_by_name(SUMMARY_SHEET)
    grid = summary.to_python()
    score_col = layout.summary_columns["score"]
    rows = [s.row for s in layout.summary] + [layout.summary_total_row]
    assert [grid[r][score_col] for r in rows] == [1.0] * 7

    # the analyser
    tables = api.consolidate([filled.parent])
    scores = tables.scores.set_index("group_id")
    assert scores.loc["1", "score_pct"] == 100.0
    assert scores.loc["ALL", "score_pct"] == 100.0
    assert (scores.loc["ALL", "rated"], scores.loc["ALL", "total"]) == (6, 6)

    # check: the same count of what is scored
    checked = CliRunner().invoke(cli, ["check", str(filled)])
    assert checked.exit_code == 0
    assert "6 of 6 rated" in checked.output.splitlines()[0]

    # the feedback report
    report = api.feedback([filled.parent], tmp_path / "feedback", pdf=False)
    sheet = CalamineWorkbook.from_path(str(report.workbooks[0])).get_sheet_by_name("Feedback")
    overall = next(row for row in sheet.to_python() if row[0] == "Overall")
    assert [v for v in overall if v != ""][:3] == ["Overall", "All", 100.0]
