"""Scores are conventions: only the Family Partnership Award's source gives scores (35 / 70 /
100); the B&A's 25 / 50 / 75 / 100, the LPPA's and MAP's RAG 0 / 50 / 100 and the multi-agency
35 / 70 / 100 are awardbooks' own. Each cover says so, and ``generate --scores`` changes them
for a partnership: recorded in the workbook's metadata, so the workbook's formulas, its cached
values, the analyser, ``check`` and the feedback report use the same scores."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from awardbooks import api
from awardbooks.cli import cli
from awardbooks.read.returns import Registry, read_path
from awardbooks.spec import loading
from awardbooks.workbook.layout import COVER_SHEET, SUMMARY_SHEET, layout_for
from tests import lofill as lo
from tests import pkgedit
from tests.conftest import BUILTINS

needs_lo = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")
CONVENTION = "Scores are awardbooks' convention; the source document gives none."


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def cover_text(path) -> list[str]:
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(COVER_SHEET).to_python()
    return [str(v) for row in grid for v in row if v != ""]


@pytest.mark.parametrize("fid", BUILTINS)
def test_each_cover_and_spec_says_whose_scores_they_are(fid, tmp_path):
    fw = loading.load(fid)
    made = run("generate", fid, "--setting", "Ash", "--term", "autumn", "--out", tmp_path)
    assert made.exit_code == 0, made.output
    text = cover_text(next(tmp_path.glob("*.xlsx")))
    if fid == "family-partnership":  # the one source that gives scores
        assert fw.scores_note.startswith("The scores 35 / 70 / 100 are the source's")
        assert "awardbooks' addition" in fw.scores_note  # its action plan's Progress (RAG)
        assert "awardbooks' addition" in fw.source.notes or "addition" in fw.source.notes
    else:
        assert fw.scores_note.startswith(CONVENTION)
        assert "awardbooks' convention" in fw.source.notes
    assert fw.scores_note in text


@needs_lo
def test_scores_option_end_to_end_in_libreoffice(tmp_path):
    """LPPA KPIs half Red, half Green: 50 % with the spec's 0 / 50 / 100, 55 % with Red=10."""
    fw = loading.load("lppa")
    made = run("generate", "lppa", "--setting", "Ash Primary", "--year", "2026-27",
               "--term", "autumn", "--scores", "red=10, Amber=40,Green=100",
               "--out", tmp_path / "wb")  # fmt: skip
    assert made.exit_code == 0, made.output
    blank = next((tmp_path / "wb").glob("*.xlsx"))
    text = cover_text(blank)
    assert "Red (not yet in place): scores 10" in text
    assert "Amber (partly in place): scores 40" in text
    assert "Scores set for this partnership when the workbook was generated." in text
    layout = layout_for(fw)
    values: dict[str, dict[str, object]] = {}
    for n, item in enumerate(fw.items):
        row = layout.rows_by_key[item.id]
        values.setdefault(row.sheet, {})[layout.rating_cell(row).a1] = "Red" if n < 28 else "Green"
    filled = tmp_path / "returns" / "ash.xlsx"
    filled.parent.mkdir()
    lo.fill(blank, filled, values, profile_dir=tmp_path / "profile")

    # the workbook's own formulas, recalculated by LibreOffice
    grid = CalamineWorkbook.from_path(str(filled)).get_sheet_by_name(SUMMARY_SHEET).to_python()
    score = grid[layout.summary_total_row][layout.summary_columns["score"]]
    assert score == pytest.approx(0.55)
    # the analyser
    record = read_path(filled, Registry.default())
    assert record.status == "accepted", record.problems
    assert record.meta["scores"] == "Red=10,Amber=40,Green=100"
    tables = api.consolidate([filled.parent])
    overall = tables.scores.set_index("group_id").loc["ALL"]
    assert (overall["score_pct"], overall["rated"], overall["total"]) == (55.0, 56, 56)
    ratings = tables.ratings.set_index("item_id")
    assert (ratings.loc["1.1", "score"], ratings.loc[fw.items[-1].id, "score"]) == (10.0, 100.0)
    # check
    checked = run("check", filled)
    assert checked.exit_code == 0
    assert checked.output.splitlines()[0].endswith("56 of 56 rated, 100 %; 0 errors, 0 warnings)")
    # the feedback report
    report = api.feedback([filled.parent], tmp_path / "feedback", pdf=False)
    sheet = CalamineWorkbook.from_path(str(report.workbooks[0])).get_sheet_by_name("Feedback")
    row = next(row for row in sheet.to_python() if row[0] == "Overall")
    assert [v for v in row if v != ""][:3] == ["Overall", "All", 55.0]
    # and next term's workbook keeps the scores
    nxt = run("generate", "lppa", "--from-returns", filled.parent, "--year", "2026-27",
              "--term", "spring", "--out", tmp_path / "spring")  # fmt: skip
    assert nxt.exit_code == 0, nxt.output
    spring_path = next((tmp_path / "spring").glob("*.xlsx"))
    spring = read_path(spring_path, Registry.default())
    assert spring.meta["scores"] == "Red=10,Amber=40,Green=100"
    assert spring.framework.scale.level("Red").score == 10
    # as issued, none of its KPIs is rated yet: nothing-rated is its one problem
    assert [(p.code, str(p)) for p in spring.problems] == [
        ("nothing-rated", f"{spring_path}: nothing rated: none of the 56 KPIs has a rating, so "
         "the return is left out of the scores, the means and the count of settings; rate each "
         "item with the dropdown and send the workbook again"),
    ]  # fmt: skip


def test_scores_that_do_not_fit_the_scale_are_refused(tmp_path):
    cases = {
        "Red=0,Amber=50": "no score for Green; give every level of the scale",
        "Red=0,Amber=50,Green=40": "scores must rise from Red to Green (lowest level first)",
        "Red=0,Amber=lots,Green=100": "Amber='lots': the score is not a number",
        "Red=0,Amber=50,Green=100,Blue=1": "'Blue=1' is not LEVEL=SCORE for a level of "
        "Red/Amber/Green",
        "Red=0,Amber=0,Green=0": "the top level's score (Green) must be above 0",
    }
    for given, reason in cases.items():
        result = run("generate", "lppa", "--setting", "Ash", "--scores", given, "--out", tmp_path)
        assert result.exit_code == 1
        assert result.output == f"Error: --scores {given!r}: {reason}\n"
    assert not list(tmp_path.glob("*.xlsx"))


def test_a_return_whose_recorded_scores_were_changed_is_rejected(tmp_path):
    made = run("generate", "lppa", "--setting", "Ash", "--term", "autumn", "--scores",
               "Red=10,Amber=40,Green=100", "--out", tmp_path)  # fmt: skip
    assert made.exit_code == 0, made.output
    path = next(tmp_path.glob("*.xlsx"))
    bad = pkgedit.rewrite(path, tmp_path / "bad.xlsx", {
        "xl/sharedStrings.xml":
            lambda b: b.replace(b"Red=10,Amber=40,Green=100", b"Red=10,Amber=40"),
    })  # fmt: skip
    record = read_path(bad, Registry.default())
    assert record.status == "rejected"
    assert [(p.code, p.message) for p in record.errors] == [
        ("metadata-scores", "the hidden metadata gives the scores 'Red=10,Amber=40', which "
         "cannot be used (no score for Green; give every level of the scale)"),
    ]  # fmt: skip


def test_the_placeholder_warning_of_a_skeleton(tmp_path):
    result = CliRunner().invoke(
        cli,
        ["generate", "multi-agency", "--setting", "Ash", "--year", "2026-27",
         "--out", str(tmp_path)],  # fmt: skip
    )
    assert result.exit_code == 0
    assert result.stdout == f"Wrote {tmp_path / 'Ash_multi-agency_2026-27_baseline.xlsx'}\n"
    assert result.stderr == (
        "Warning: multi-agency is a skeleton: the wording of its aspects and elements is a "
        "placeholder (the source document does not hold it); complete the spec with the "
        "licence holder's wording before schools use these workbooks\n"
    )
    plain = run("generate", "lppa", "--setting", "Ash", "--out", tmp_path / "lppa")
    assert "Warning" not in plain.output


def test_cached_values_written_with_the_scores(tmp_path):
    """The Summary's cached formula results, as generate writes them before any application
    recalculates: with Red=10 half Red and half Green is 55 %, as the analyser says."""
    from awardbooks.generate.roster import Setting
    from awardbooks.generate.workbooks import generate_one
    from awardbooks.spec.rescore import rescore

    fw, text = rescore(loading.load("lppa"), "Red=10,Amber=40,Green=100")
    ratings = {item.id: "Red" if n < 28 else "Green" for n, item in enumerate(fw.items)}
    path, _row = generate_one(fw, Setting("Ash"), year="2026-27", term="autumn",
                              out_dir=tmp_path, ratings=ratings, scores=text)  # fmt: skip
    layout = layout_for(fw)
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SUMMARY_SHEET).to_python()
    assert grid[layout.summary_total_row][layout.summary_columns["score"]] == pytest.approx(0.55)
    overall = api.consolidate([tmp_path]).scores.set_index("group_id").loc["ALL"]
    assert overall["score_pct"] == 55.0
