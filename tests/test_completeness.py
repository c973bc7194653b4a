"""Returns that are nearly right, filled in LibreOffice as schools fill them: an empty return,
one with two areas blank, one with a misspelt rating read with --lenient, a cover date typed
"16th Oct 2026" and one typed so that it cannot be read. Completion is shown beside every
score; an empty return counts in no mean and no count of settings."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from awardbooks.cli import cli
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_roster
from awardbooks.read.returns import Registry, read_path
from awardbooks.workbook.layout import layout_for
from tests import lofill as lo

pytestmark = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")

TITLE = "Self-evaluation framework for behaviour and attendance (B&A) partnerships"
SETTINGS = ["Ash Primary", "Birch Primary", "Cedar Primary", "Elm Primary"]
AREA_3 = "Area 3 (Access to additional or alternative provision)"
AREA_4 = "Area 4 (Opportunities to share skills and expertise and…)"  # a long title, cut


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def returns(tmp_path_factory, frameworks):
    """Behaviour & Attendance (21 elements in 4 areas) returns of four schools, filled in
    LibreOffice: Ash rates all 21 Established and dates its cover "16th Oct 2026"; Birch rates
    areas 1 and 2 (14 elements) Developed, leaves areas 3 and 4 blank and dates its cover
    "after half term"; Cedar rates nothing; Elm rates 20 Enhancing and misspells one."""
    fw = frameworks["behaviour-attendance"]
    base = tmp_path_factory.mktemp("completeness")
    issued = generate_roster(
        fw, [Setting(name, f"30000{n}", "North") for n, name in enumerate(SETTINGS, 1)],
        year="2026-27", term="autumn", out_dir=base / "workbooks",
    )  # fmt: skip
    layout = layout_for(fw)
    rows = [r for r in layout.rating_rows if r.rated]
    assert len(rows) == 21
    cover = layout.cover_inputs

    def rated(label_of) -> dict[str, dict[str, object]]:
        cells: dict[str, dict[str, object]] = {}
        for row in rows:
            label = label_of(row)
            if label is not None:
                cells.setdefault(row.sheet, {})[layout.rating_cell(row).a1] = label
        return cells

    def on_cover(cells, **values):
        cells.setdefault("Cover", {}).update({cover[k].a1: v for k, v in values.items()})
        return cells

    misspelt = rows[4]
    plans = {
        "Ash Primary": on_cover(rated(lambda r: "Established"), completed_on="16th Oct 2026"),
        "Birch Primary": on_cover(
            rated(lambda r: "Developed" if r.group_id in ("1", "2") else None),
            completed_on="after half term",
        ),
        "Cedar Primary": on_cover({}, completed_by="J Smith"),
        "Elm Primary": rated(lambda r: "Establshed" if r is misspelt else "Enhancing"),
    }
    folder = base / "returns"
    folder.mkdir()
    paths = {}
    jobs = []
    for path, setting in zip(issued.written, SETTINGS):
        paths[setting] = folder / f"{setting}.xlsx"
        jobs.append((path, paths[setting], plans[setting]))
    lo.fill_many(jobs)
    cell = f"{misspelt.sheet}!{layout.rating_cell(misspelt).a1}"
    return {"folder": folder, "paths": paths, "misspelt": cell, "base": base,
            "manifest": base / "workbooks" / "manifest.csv"}  # fmt: skip


def test_each_return_says_how_complete_it_is(returns):
    paths, cell = returns["paths"], returns["misspelt"]
    found = {
        setting: read_path(path, Registry.default()) for setting, path in paths.items()
    }
    problems = {s: [(p.code, p.located) for p in r.problems] for s, r in found.items()}
    assert problems == {
        "Ash Primary": [
            ("dates-read-as-uk", "a date typed as text or a number was read as a UK date: "
             "Cover!B17 ('16th Oct 2026' read as 16 October 2026)"),
        ],
        "Birch Primary": [
            ("date-not-a-date", "Cover!B17: 'after half term' is not a date; left empty; type "
             "dates as dd/mm/yyyy or as 16 Oct 2026"),
            ("return-incomplete", "14 of 21 rated, 67 %, below the 80 % expected; nothing is "
             f"rated in {AREA_3} and {AREA_4}; rate every item (its score counts only what is "
             "rated) and send the workbook again"),
        ],
        "Cedar Primary": [
            ("nothing-rated", "nothing rated: none of the 21 elements has a rating, so the "
             "return is left out of the scores, the means and the count of settings; rate "
             "each item with the dropdown and send the workbook again"),
        ],
        "Elm Primary": [
            ("rating-not-a-level", f"{cell}: 'Establshed' is not a level of "
             "Developing/Developed/Established/Enhancing"),
        ],
    }  # fmt: skip
    assert found["Ash Primary"].cover["completed_on"] == "2026-10-16"
    assert found["Birch Primary"].cover["completed_on"] == ""
    assert [r.status for r in found.values()] == ["warning", "warning", "warning", "rejected"]
    # a threshold of the run's own: Birch's 67 % is enough at 60 %
    lower = read_path(paths["Birch Primary"], Registry.default(completion_threshold=60))
    assert [p.code for p in lower.problems] == ["date-not-a-date"]


def test_lenient_reads_the_misspelt_rating_as_unrated(returns):
    elm = returns["paths"]["Elm Primary"]
    record = read_path(elm, Registry.default(lenient=True))
    assert record.status == "warning"
    assert [str(p) for p in record.problems] == [
        f"{elm}: {returns['misspelt']}: 'Establshed' is not a level of "
        "Developing/Developed/Established/Enhancing; read as unrated (read leniently); choose "
        "the rating from the dropdown"
    ]
    assert sum(1 for r in record.ratings.values() if r.label) == 20
    runner = CliRunner()
    strict = runner.invoke(cli, ["check", str(elm)])
    assert strict.exit_code == 1
    assert strict.output.splitlines()[0] == (
        f"{elm}: rejected ({TITLE}, Elm Primary; "
        "20 of 21 rated, 95 %; 1 error, 0 warnings)"
    )
    lenient = runner.invoke(cli, ["check", "--lenient", str(elm)])
    assert lenient.exit_code == 0
    assert lenient.output.splitlines() == [
        f"{elm}: warning ({TITLE}, Elm Primary; "
        "20 of 21 rated, 95 %; 0 errors, 1 warning)",
        f"  warning: {returns['misspelt']}: 'Establshed' is not a level of "
        "Developing/Developed/Established/Enhancing; read as unrated (read leniently); choose "
        "the rating from the dropdown",
    ]


def test_analyse_leaves_the_empty_return_out_and_shows_completion(returns, tmp_path):
    out, data = tmp_path / "consolidated.xlsx", tmp_path / "data"
    done = CliRunner().invoke(cli, [
        "analyse", str(returns["folder"]), "--lenient", "--out", str(out), "--data", str(data),
    ])  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "Usable returns: 2 complete, 1 incomplete, 1 with nothing rated (left out of the " \
        "means)." in done.output.splitlines()
    rows = {Path(r["file"]).stem: r for r in _csv(data / "returns.csv")}
    got = {
        s: (r["status"], r["completion"], r["completion_pct"], r["codes"], r["read_leniently"],
            r["completed_on"])
        for s, r in rows.items()
    }  # fmt: skip
    assert got == {
        "Ash Primary": ("warning", "21 of 21 rated, 100 %", "100.0", "dates-read-as-uk", "false",
                        "2026-10-16"),
        "Birch Primary": ("warning", "14 of 21 rated, 67 %", "66.7",
                          "date-not-a-date return-incomplete", "false", ""),
        "Cedar Primary": ("warning", "0 of 21 rated, 0 %", "0.0", "nothing-rated", "false", ""),
        "Elm Primary": ("warning", "20 of 21 rated, 95 % (read leniently)", "95.2",
                        "rating-read-as-unrated", "true", ""),
    }  # fmt: skip
    # the empty return is in no score, no mean and no count of settings
    scores = _csv(data / "scores.csv")
    overall = {r["setting"]: (r["score_pct"], r["rated"], r["total"], r["completion_pct"])
               for r in scores if r["group_id"] == "ALL"}  # fmt: skip
    assert overall == {
        "Ash Primary": ("75.0", "21", "21", "100.0"),
        "Birch Primary": ("50.0", "14", "21", "66.7"),
        "Elm Primary": ("100.0", "20", "21", "95.2"),
    }
    assert not [r for r in _csv(data / "progress.csv") if r["setting"] == "Cedar Primary"]
    lines = done.output.splitlines()
    summary = lines[lines.index("Usable returns: 2 complete, 1 incomplete, 1 with nothing rated "
                                "(left out of the means).") + 3]  # fmt: skip
    assert summary.split() == ["behaviour-attendance", "North", "2026-27", "autumn", "3", "75.0"]
    means = _csv(data / "ratings.csv")
    assert {r["setting"] for r in means} == set(SETTINGS)  # what was typed is all still there
    book = openpyxl.load_workbook(out)
    sheet = book["Returns"]
    assert (sheet["A1"].value, sheet["A2"].value) == ("Files read", 4)
    header = [c.value for c in sheet[4]]
    assert header[:4] == ["File", "Status", "Completion", "Completion %"]
    assert sorted(row[2].value for row in sheet.iter_rows(min_row=5)) == [
        "0 of 21 rated, 0 %", "14 of 21 rated, 67 %", "20 of 21 rated, 95 % (read leniently)",
        "21 of 21 rated, 100 %",
    ]  # fmt: skip
    texts = [c.value for row in book["Summary"].iter_rows(max_col=1) for c in row if c.value]
    assert "Usable returns: 2 complete, 1 incomplete, 1 with nothing rated (left out of the " \
        "means)." in texts
    assert "• Cedar Primary, 2026-27 autumn: 0 of 21 rated, 0 % (nothing rated: left out of " \
        "the means)" in texts
    assert "• Birch Primary, 2026-27 autumn: 14 of 21 rated, 67 %" in texts


def test_analyse_exits_1_when_no_return_can_be_used(returns, tmp_path):
    folder = tmp_path / "returns"
    folder.mkdir()
    for setting in ("Cedar Primary", "Elm Primary"):  # nothing rated; a misspelt rating
        (folder / f"{setting}.xlsx").write_bytes(returns["paths"][setting].read_bytes())
    out = tmp_path / "consolidated.xlsx"
    done = CliRunner().invoke(cli, ["analyse", str(folder), "--out", str(out)])
    assert done.exit_code == 1
    assert done.output.splitlines()[-1] == (
        "Error: none of the 2 returns could be used (1 rejected, 1 with nothing rated); the "
        f"Returns sheet of {out} says why"
    )
    assert out.is_file()  # the outputs are still written: they list every return and why
    assert f"Wrote {out}" in done.output.splitlines()


def test_progress_counts_items_down_same_and_up_and_skips_an_empty_return(tmp_path, frameworks):
    """Autumn rated, spring sent back empty, summer rated: summer is compared with autumn,
    and the counts say what the change in % alone cannot (one up and one down: 0.0)."""
    from awardbooks.api import consolidate
    from tests.conftest import make_workbook

    fw = frameworks["behaviour-attendance"]
    every = [item.id for item in fw.items if item.rated]
    autumn = dict.fromkeys(every, "Established")
    summer = autumn | {every[0]: "Enhancing", every[1]: "Developed"}  # area 1: one up, one down
    for term, ratings in (("autumn", autumn), ("spring", None), ("summer", summer)):
        make_workbook(fw, tmp_path / term, "Ash Primary", term=term, ratings=ratings)
    c = consolidate([tmp_path])
    assert sorted(c.returns["status"]) == ["accepted", "accepted", "warning"]  # spring: empty
    rows = {
        (r.term, r.group_id): (r.change_pct, r.slipped, r.items_down, r.items_same, r.items_up)
        for r in c.progress.itertuples()
    }
    assert sorted({term for term, _group in rows}) == ["autumn", "summer"]
    assert rows[("summer", "1")][1:] == (True, 1.0, 4.0, 1.0)
    assert rows[("summer", "1")][0] == 0.0  # 75 % either way: the counts tell the story
    assert rows[("summer", "2")][1:] == (False, 0.0, 8.0, 0.0)
    assert rows[("summer", "ALL")] == (0.0, True, 1.0, 19.0, 1.0)
    assert all(math.isnan(v) for v in rows[("autumn", "ALL")][2:])  # nothing to compare with


def test_an_empty_copy_sent_later_never_replaces_the_ratings(returns, tmp_path):
    import os

    from awardbooks.api import consolidate

    folder = tmp_path / "returns"
    folder.mkdir()
    rated = folder / "birch.xlsx"  # rated, its date unreadable: no date
    rated.write_bytes(returns["paths"]["Birch Primary"].read_bytes())
    blank = folder / "birch again.xlsx"  # the blank workbook itself, sent again later
    blank.write_bytes((returns["base"] / "workbooks" / next(
        p.name for p in (returns["base"] / "workbooks").glob("Birch-Primary*.xlsx"))).read_bytes())
    os.utime(rated, (1_790_000_000, 1_790_000_000))
    os.utime(blank, (1_790_500_000, 1_790_500_000))
    c = consolidate([folder])
    got = {Path(f).name: (s, w.splitlines()[-1]) for f, s, w in
           zip(c.returns["file"], c.returns["status"], c.returns["warnings"])}  # fmt: skip
    assert got["birch.xlsx"][0] == "warning"  # kept, though the blank copy was sent later
    assert got["birch again.xlsx"] == (
        "duplicate",
        f"{blank}: the same workbook as {rated}, which has ratings (this one has none) and was "
        "kept",
    )
