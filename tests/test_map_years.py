"""The MAP action plan rated "RAG rated progress Yr 1 / Yr 2 / Yr 3 ... on a termly basis": nine
rating cells per action side by side (Yr 1 Autumn ... Yr 3 Summer), only the workbook's own
year-and-term cell open, earlier ones carried forward from the last return, later ones locked
and empty; the analyser reads the earlier cells as progress over time.

Decided here: the plan's Year 1 is the academic year given to ``generate --plan-start``
(default: the workbook's year), recorded in the workbook's metadata and carried forward; a
setting's termly return wins over a later return's history cells for its own term (it is what
the setting returned then), and the history cells count for a term with no return of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from awardbooks import api
from awardbooks.cli import cli
from awardbooks.generate.carry_forward import carry_for
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one
from awardbooks.read.returns import Registry, read_path
from awardbooks.spec import loading
from awardbooks.workbook.layout import (
    CARRY_FORWARD,
    HISTORY_TABLE,
    SUMMARY_SHEET,
    layout_for,
    period_keys,
)
from tests import lofill as lo

needs_lo = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")
MAP = "achievement-action-plan"
SETTING = Setting("Ash Primary", urn="100001", partnership="North")


@pytest.fixture(scope="module")
def fw():
    return loading.load(MAP)


def run(*args) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def progress_all(tables) -> list[tuple]:
    rows = tables.progress[tables.progress["group_id"] == "ALL"]
    return [
        (r.year, r.term, r.score_pct, None if r.change_pct != r.change_pct else r.change_pct)
        for r in rows.itertuples()
    ]


def test_nine_cells_a_row_only_the_current_one_open(fw, tmp_path):
    out = tmp_path / "wb"
    made = run("generate", MAP, "--setting", "Ash Primary", "--year", "2027-28", "--term",
               "spring", "--plan-start", "2026-27", "--out", out)  # fmt: skip
    assert made.exit_code == 0, made.output
    book = CalamineWorkbook.from_path(
        str(out / "Ash-Primary_achievement-action-plan_2027-28_spring.xlsx")
    )
    grid = book.get_sheet_by_name("Action plan").to_python()
    assert grid[3][6] == "RAG rated progress"  # the source's band heading
    assert grid[4][6:16] == [
        "Yr 1 Autumn", "Yr 1 Spring", "Yr 1 Summer", "Yr 2 Autumn", "Yr 2 Spring",
        "Yr 2 Summer", "Yr 3 Autumn", "Yr 3 Spring", "Yr 3 Summer", "Progress/review comments",
    ]  # fmt: skip
    layout = layout_for(fw, "", "2:spring")
    assert layout.columns.rating == layout.columns.periods["2:spring"] == 10
    assert period_keys(fw)[4] == "2:spring"


def test_a_year_or_term_outside_the_plan_is_refused(tmp_path):
    late = run("generate", MAP, "--setting", "Ash", "--year", "2029-30", "--term", "autumn",
               "--plan-start", "2026-27", "--out", tmp_path)  # fmt: skip
    assert late.exit_code == 1
    assert late.output == (
        "Error: 2029-30 is not a year of a 3-year plan that starts in 2026-27 (it would be "
        "year 4); give the plan's first year with --plan-start\n"
    )
    baseline = run("generate", MAP, "--setting", "Ash", "--year", "2026-27", "--out", tmp_path)
    assert baseline.exit_code == 1
    assert baseline.output == (
        "Error: MAP Priority 2 action plan is rated termly (autumn, spring, summer): there is "
        "no baseline rating; give --term autumn, or another of them\n"
    )
    bad = run("generate", MAP, "--setting", "Ash", "--term", "autumn", "--plan-start", "2026",
              "--out", tmp_path)  # fmt: skip
    assert bad.exit_code == 1
    assert bad.output == "Error: --plan-start '2026' is not an academic year like 2026-27\n"
    assert not list(tmp_path.glob("*.xlsx"))


def all_rated(fw, layout, label_of) -> dict[str, dict[str, object]]:
    values: dict[str, dict[str, object]] = {}
    for n, item in enumerate(fw.items):
        row = layout.rows_by_key[item.id]
        values.setdefault(row.sheet, {})[layout.rating_cell(row).a1] = label_of(n)
    return values


@needs_lo
def test_a_year_filled_in_libreoffice_reads_as_progress_from_returns_or_history(fw, tmp_path):
    """Autumn all Red (0 %), spring all Amber (50 %), summer half Green (75 %), each filled in
    LibreOffice in the workbook carried forward from the term before."""
    profile = tmp_path / "profile"
    returns = tmp_path / "returns"
    returns.mkdir()
    plan = [("autumn", lambda n: "Red"), ("spring", lambda n: "Amber"),
            ("summer", lambda n: "Green" if n < 16 else "Amber")]  # fmt: skip
    record = None
    filled: dict[str, Path] = {}
    for term, label_of in plan:
        carry = carry_for(record, fw) if record is not None else None
        blank, _row = generate_one(
            fw, SETTING, year="2026-27", term=term, out_dir=tmp_path / term,
            carry=carry, plan_start="2026-27",
            previous_term=f"{record.get('term')} 2026-27" if record else "",
        )  # fmt: skip
        layout = layout_for(fw, CARRY_FORWARD if carry else "", f"1:{term}")
        if term == "spring":  # a later term's cell is locked: nobody rates ahead
            summer = layout.columns.periods["1:summer"]
            row = layout.rows_by_key["2.1a"].row
            with pytest.raises(lo.LibreOfficeError, match=r"is locked"):
                lo.fill(blank, tmp_path / "ahead.xlsx",
                        {"Action plan": {f"{chr(65 + summer)}{row + 1}": "Green"}},
                        profile_dir=profile)  # fmt: skip
        filled[term] = returns / f"{term}.xlsx"
        lo.fill(blank, filled[term], all_rated(fw, layout, label_of), profile_dir=profile)
        record = read_path(filled[term], Registry.default())
        assert record.status == "accepted", record.problems

    # the summer workbook: the carried cells hold autumn's and spring's ratings, locked
    grid = CalamineWorkbook.from_path(str(filled["summer"])).get_sheet_by_name("Action plan")
    rows = grid.to_python()
    layout = layout_for(fw, CARRY_FORWARD, "1:summer")
    first = layout.rows_by_key["2.1a"].row
    cols = layout.columns.periods
    assert [rows[first][cols[k]] for k in ("1:autumn", "1:spring", "1:summer", "2:autumn")] == [
        "Red", "Amber", "Green", "",
    ]  # fmt: skip
    history = record.tables[HISTORY_TABLE]
    assert len(history) == 64 and {h["period"] for h in history} == {"1:autumn", "1:spring"}
    # its own Summary, recalculated by LibreOffice, scores the summer term
    summary = CalamineWorkbook.from_path(str(filled["summer"])).get_sheet_by_name(SUMMARY_SHEET)
    total = layout.summary_total_row
    assert summary.to_python()[total][layout.summary_columns["score"]] == 0.75

    expected = [
        ("2026-27", "autumn", 0.0, None),
        ("2026-27", "spring", 50.0, 50.0),
        ("2026-27", "summer", 75.0, 25.0),
    ]
    # from the three termly returns
    assert progress_all(api.consolidate([returns])) == expected
    # from the summer return alone: its history cells give autumn and spring
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "summer.xlsx").write_bytes(filled["summer"].read_bytes())
    tables = api.consolidate([alone])
    assert progress_all(tables) == expected
    assert list(tables.returns["status"]) == ["accepted"]  # one return read, three terms


def test_a_termly_return_wins_over_a_later_returns_history(fw, tmp_path):
    """A spring return of all Amber, and a summer workbook whose carried spring cells say
    Green (as if carried from another copy): spring is the spring return's 50 %."""
    returns = tmp_path / "returns"
    generate_one(fw, SETTING, year="2026-27", term="spring", out_dir=returns,
                 ratings={i.id: "Amber" for i in fw.items}, plan_start="2026-27")  # fmt: skip
    record = read_path(next(returns.glob("*spring*.xlsx")), Registry.default())
    carry = carry_for(record, fw)
    carry.history.clear()
    carry.history.update({i.id: {"1:spring": "Green"} for i in fw.items})
    generate_one(fw, SETTING, year="2026-27", term="summer", out_dir=returns, carry=carry,
                 ratings={i.id: "Green" for i in fw.items}, plan_start="2026-27",
                 previous_term="spring 2026-27")  # fmt: skip
    assert progress_all(api.consolidate([returns])) == [
        ("2026-27", "spring", 50.0, None),
        ("2026-27", "summer", 100.0, 50.0),
    ]
    summer = tmp_path / "summer"
    summer.mkdir()
    for path in returns.glob("*summer*.xlsx"):
        (summer / path.name).write_bytes(path.read_bytes())
    assert progress_all(api.consolidate([summer])) == [  # no spring return: history counts
        ("2026-27", "spring", 100.0, None),
        ("2026-27", "summer", 100.0, 0.0),
    ]


def test_carry_forward_keeps_the_plan_start(fw, tmp_path):
    first = tmp_path / "autumn"
    generate_one(fw, SETTING, year="2027-28", term="summer", out_dir=first,
                 ratings={i.id: "Amber" for i in fw.items}, plan_start="2026-27")  # fmt: skip
    made = run("generate", MAP, "--from-returns", first, "--year", "2028-29", "--term", "autumn",
               "--out", tmp_path / "next")  # fmt: skip
    assert made.exit_code == 0, made.output
    path = next((tmp_path / "next").glob("*.xlsx"))
    record = read_path(path, Registry.default())
    assert record.meta["plan_start"] == "2026-27"
    # a next-term workbook as issued: its own term's cells are still blank (the carried terms
    # are history), so nothing-rated is its one warning, and nothing else is wrong with it
    assert [(p.code, str(p)) for p in record.problems] == [
        ("nothing-rated", f"{path}: nothing rated: none of the 32 key actions has a rating, so "
         "the return is left out of the scores, the means and the count of settings; rate each "
         "item with the dropdown and send the workbook again"),
    ]  # fmt: skip
    layout = layout_for(fw, CARRY_FORWARD, "3:autumn")
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Action plan").to_python()
    row = layout.rows_by_key["2.1a"].row
    assert grid[row][layout.columns.periods["2:summer"]] == "Amber"
    assert grid[row][layout.columns.periods["2:spring"]] == ""  # never returned
    refused = run("generate", MAP, "--from-returns", first, "--year", "2028-29", "--term",
                  "autumn", "--plan-start", "2025-26", "--out", tmp_path / "again")  # fmt: skip
    assert refused.exit_code == 2
    assert "--from-returns keeps each return's plan start and scores" in refused.output


def test_a_return_of_the_2026_1_edition_is_still_read(fw, tmp_path):
    """Edition 2026.1 rated one cell per action (the plan year chosen on the cover): its
    returns are read with that edition's spec, kept in framework_specs/editions/, and lined up
    with the current edition."""
    old = loading.load(Path(loading.spec_dirs()[0]) / "editions" / f"{MAP}-2026.1.yaml")
    assert old.version == "2026.1" and old.audit.periods is None
    path, _row = generate_one(old, SETTING, year="2026-27", term="autumn", out_dir=tmp_path,
                              ratings={i.id: "Amber" for i in old.items})  # fmt: skip
    record = read_path(path, Registry.default())
    assert record.status == "warning"
    assert [p.code for p in record.warnings] == ["edition-lined-up"]
    assert record.framework.version == "2026.2"
    assert {r.label for r in record.ratings.values()} == {"Amber"} and len(record.ratings) == 32
    tables = api.consolidate([tmp_path])
    assert progress_all(tables) == [("2026-27", "autumn", 50.0, None)]
    assert [m for m in api.frameworks() if m.id == MAP][0].version == "2026.2"


def test_a_return_that_lost_its_metadata_is_read_in_its_own_year_and_term(fw, tmp_path):
    """Without the hidden metadata the period comes from the cover (its year, term and plan
    years line): a Yr 2 Spring return is read from its Yr 2 Spring cells, not Yr 1 Autumn."""
    import re

    from tests import pkgedit

    path, _row = generate_one(fw, SETTING, year="2026-27", term="spring", out_dir=tmp_path,
                              plan_start="2025-26",
                              ratings={i.id: "Green" for i in fw.items})  # fmt: skip
    part = pkgedit.sheet_part(path, "_awardbooks")
    drop = pkgedit.workbook_xml(lambda x: re.sub(r'<sheet name="_awardbooks"[^>]*/>', "", x))
    lost = pkgedit.rewrite(path, tmp_path / "lost.xlsx", {"xl/workbook.xml": drop, part: None})
    record = read_path(lost, Registry.default())
    assert record.status == "warning"
    assert [p.code for p in record.warnings] == ["metadata-missing"]
    assert (record.meta["year"], record.meta["term"], record.meta["plan_start"]) == (
        "2026-27", "spring", "2025-26",
    )  # fmt: skip
    assert {r.label for r in record.ratings.values()} == {"Green"}

