"""The analyser end to end: a partnership's returns, made the way schools make them."""

from __future__ import annotations

import csv
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from awardbooks.cli import cli
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_roster
from awardbooks.read.returns import Registry, read_path
from awardbooks.workbook.layout import layout_for
from tests import lofill as lo

OBJ1 = {"1.1": "Green", "1.2": "Green", "1.3": "Amber", "1.4": "Red"}  # 62.5 %
OBJ2 = {"2.1": "Green", "2.2": "Amber"}  # 75.0 % of 2 rated; 3 unrated


def settings():
    return [
        Setting("Ash Primary", "100001", "North"),
        Setting("Beech Academy", "100002", "North"),
        Setting("Cedar School", "100003", "North"),
        Setting("Damson Infants", "100004", "South"),
        Setting("Elm Junior", "100005", "South"),
        Setting("Fir Tree Primary", "100006", "South"),
    ]


def read_csv(path):
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def set_cell(path, sheet, address, value, *, as_text=False):
    wb = openpyxl.load_workbook(path)
    cell = wb[sheet][address]
    cell.value = value
    if as_text:
        cell.data_type = "s"
    wb.save(path)


@pytest.fixture(scope="module")
def partnership(tmp_path_factory, frameworks):
    """Returns for a six-school LPPA partnership, with the usual problems."""
    fw = frameworks["lppa"]
    layout = layout_for(fw)
    base = tmp_path_factory.mktemp("partnership")
    blank = base / "blank"
    result = generate_roster(fw, settings(), year="2026-27", term="autumn", out_dir=blank)
    files = {p.name.split("_")[0]: p for p in result.written}
    returns = base / "returns"
    returns.mkdir()
    rows = layout.rows_by_key

    def cells(ratings, extra=None):
        values = {}
        for key, label in ratings.items():
            values.setdefault(rows[key].sheet, {})[layout.rating_cell(rows[key]).a1] = label
        for sheet, more in (extra or {}).items():
            values.setdefault(sheet, {}).update(more)
        return values

    completed = layout.cover_inputs["completed_on"].a1
    jobs = [
        # Ash: a clean return, filled in LibreOffice
        (
            files["Ash-Primary"],
            returns / "ash.xlsx",
            cells(OBJ1 | OBJ2, {"Cover": {completed: {"date": "2026-11-01"}}}),
        ),
        # Beech: a pasted misspelling and a value in the wrong case
        (files["Beech-Academy"], returns / "beech.xlsx", cells({"1.1": "Greeen", "1.2": "amber"})),
        # Cedar: returned twice; the later completion wins
        (
            files["Cedar-School"],
            returns / "cedar-first.xlsx",
            cells({"1.1": "Red"}, {"Cover": {completed: {"date": "2026-10-01"}}}),
        ),
        (
            files["Cedar-School"],
            returns / "cedar-second.xlsx",
            cells({"1.1": "Green"}, {"Cover": {completed: {"date": "2026-10-20"}}}),
        ),
        # Elm: a formula-like comment typed as text, set below
        (files["Elm-Junior"], returns / "elm.xlsx", cells({"1.1": "Amber"})),
    ]
    if lo.skip_reason() is None:
        lo.fill_many(jobs, profile_dir=base / "profile")
    else:  # without LibreOffice, type the same values through openpyxl
        for src, dst, values in jobs:
            shutil.copy(src, dst)
            wb = openpyxl.load_workbook(dst)
            for sheet, more in values.items():
                for address, value in more.items():
                    if isinstance(value, dict):
                        import datetime as dt

                        value = dt.date.fromisoformat(value["date"])
                    wb[sheet][address] = value
            wb.save(dst)
    current_position = layout.columns.extra["current_position"]
    elm_cell = f"{openpyxl.utils.get_column_letter(current_position + 1)}6"
    set_cell(
        returns / "elm.xlsx", "Objective 1", elm_cell, '=HYPERLINK("http://x","y")', as_text=True
    )
    # Fir Tree: unprotected, a KPI reworded, and the metadata sheet deleted
    fir = returns / "fir.xlsx"
    shutil.copy(files["Fir-Tree-Primary"], fir)
    wb = openpyxl.load_workbook(fir)
    ws = wb["Objective 1"]
    ws.protection.sheet = False
    ws["B6"] = "We have an LPPA co-ordinator (mostly)"
    ws[layout.rating_cell(rows["1.1"]).a1] = "Amber"
    del wb["_awardbooks"]
    wb.save(fir)
    # Damson: never returned. A stray workbook from another collection:
    other = generate_roster(
        fw,
        [Setting("Gorse Nursery", "100009", "South")],
        year="2026-27",
        term="autumn",
        out_dir=base / "other",
    )
    shutil.copy(other.written[0], returns / "gorse.xlsx")
    (returns / "notes.xlsx").write_text("this is not a workbook")
    return {"returns": returns, "manifest": result.manifest, "base": base}


def test_analyse_accounts_for_every_file(partnership):
    returns, manifest = partnership["returns"], partnership["manifest"]
    before = {p: p.read_bytes() for p in returns.iterdir()}
    out = partnership["base"] / "out"
    result = CliRunner().invoke(
        cli,
        [
            "analyse",
            str(returns),
            "--manifest",
            str(manifest),
            "--out",
            str(out / "consolidated.xlsx"),
            "--data",
            str(out / "data"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in returns.iterdir()} == before  # inputs untouched
    rows = read_csv(out / "data" / "returns.csv")
    status = {r["file"].rsplit("/", 1)[-1] or r["setting"]: r["status"] for r in rows}
    assert status == {  # a few KPIs rated of 56: each usable return is incomplete
        "ash.xlsx": "warning",
        "beech.xlsx": "rejected",
        "cedar-first.xlsx": "duplicate",
        "cedar-second.xlsx": "warning",
        "elm.xlsx": "warning",
        "fir.xlsx": "warning",
        "gorse.xlsx": "unknown",
        "notes.xlsx": "rejected",
        "Damson-Infants_lppa_2026-27_autumn.xlsx": "missing",
    }
    by_file = {r["file"].rsplit("/", 1)[-1]: r for r in rows}
    beech = by_file["beech.xlsx"]
    assert beech["errors"].endswith(
        "beech.xlsx: Objective 1!C6: 'Greeen' is not a level of Red/Amber/Green"
    )
    assert beech["warnings"].endswith("beech.xlsx: Objective 1!C7: 'amber' was read as 'Amber'")
    assert by_file["notes.xlsx"]["errors"].endswith(
        "notes.xlsx: this is a text file, not an Excel workbook (.xlsx), whatever its name; "
        "send the Excel workbook (.xlsx) itself"
    )
    fir = by_file["fir.xlsx"]["warnings"].splitlines()
    assert any(
        m.endswith(
            "fir.xlsx: the hidden metadata sheet is missing (an application "
            "dropped it); recognised as Leading Parent Partnership Award from "
            "its sheets"
        )
        for m in fir
    )
    assert any(m.endswith("fir.xlsx: Objective 1: sheet protection was removed") for m in fir)
    assert any(
        m.endswith("fir.xlsx: Objective 1!B6: the wording of 1.1 was changed from the framework's")
        for m in fir
    )
    assert (
        "cedar-second.xlsx, which was completed later and was kept"
        in by_file["cedar-first.xlsx"]["warnings"]
    )
    assert "is not in" in by_file["gorse.xlsx"]["warnings"]


def test_scores_by_hand(partnership):
    out = partnership["base"] / "out"
    if not (out / "data" / "scores.csv").exists():
        test_analyse_accounts_for_every_file(partnership)
    scores = read_csv(out / "data" / "scores.csv")
    ash = {r["group_id"]: r for r in scores if r["setting"] == "Ash Primary"}
    assert ash["1"]["score_pct"] == "62.5" and ash["1"]["rated"] == "4"
    assert ash["2"]["score_pct"] == "75.0" and ash["2"]["total"] == "5"
    assert ash["3"]["score_pct"] == "" and ash["3"]["completion_pct"] == "0.0"
    # overall: (100+100+50+0+100+50) / 6 = 66.7 %, 6 of 56 rated
    assert ash["ALL"]["score_pct"] == "66.7"
    assert ash["ALL"]["completion_pct"] == "10.7"
    cedar = {r["group_id"]: r for r in scores if r["setting"] == "Cedar School"}
    assert cedar["1"]["score_pct"] == "100.0"  # the later return (Green) was kept
    ratings = read_csv(out / "data" / "ratings.csv")
    elm = [r for r in ratings if r["setting"] == "Elm Junior" and r["item_id"] == "1.1"]
    assert elm[0]["rating"] == "Amber" and elm[0]["score"] == "50.0"
    wb = openpyxl.load_workbook(out / "consolidated.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)


def test_check_command(partnership):
    runner = CliRunner()
    ok = runner.invoke(cli, ["check", str(partnership["returns"] / "ash.xlsx")])
    assert ok.exit_code == 0, ok.output
    assert ok.output.splitlines()[0].endswith(
        "ash.xlsx: warning (Leading Parent Partnership Award, Ash Primary; 6 of 56 rated, "
        "11 %; 0 errors, 1 warning)"
    )
    assert ok.output.splitlines()[1] == (
        "  warning: 6 of 56 rated, 11 %, below the 80 % expected; nothing is rated in "
        "Objective 3 (The school is a welcoming and friendly place for…), Objective 4 (The "
        "school promotes awareness and participation…), Objective 5 (The school holds and "
        "actively promotes…), Objective 6 (The school provides a good induction for all new…), "
        "Objective 7 (The school provides parents with relevant and…), Objective 8 (The school "
        "produces and implements parent/carer…), Objective 9 (The school provides good support "
        "for parents of…) and Objective 10 (The school evaluates performance against the…); "
        "rate every item (its score counts only what is rated) and send the workbook again"
    )
    bad = runner.invoke(cli, ["check", str(partnership["returns"] / "beech.xlsx")])
    assert bad.exit_code == 1
    assert "  error: Objective 1!C6: 'Greeen' is not a level of Red/Amber/Green" in bad.output
    assert "Traceback" not in bad.output


def test_record_reads_text_dates_as_uk(partnership, frameworks, tmp_path):
    src = partnership["returns"] / "elm.xlsx"
    path = tmp_path / "dates.xlsx"
    shutil.copy(src, path)
    layout = layout_for(frameworks["lppa"])
    cover = layout.cover_inputs["completed_on"].a1
    set_cell(path, "Cover", cover, "31/10/2026", as_text=True)
    record = read_path(path, Registry.default())
    assert record.cover["completed_on"] == "2026-10-31"
    assert any(
        "a date typed as text or a number was read as a UK date: "
        f"Cover!{cover} ('31/10/2026' read as 31 October 2026)" in str(w)
        for w in record.warnings
    )
    set_cell(path, "Cover", cover, "31/02/2026", as_text=True)
    record = read_path(path, Registry.default(completion_threshold=0))
    assert record.status == "warning"  # the date is left empty; the ratings are kept
    assert record.cover["completed_on"] == ""
    assert [(p.code, p.sheet, p.cell, str(p)) for p in record.problems] == [
        ("date-not-real-uk", "Cover", cover, f"{path}: Cover!{cover}: '31/02/2026' is not a "
         "real date (dates are read as dd/mm/yyyy, the UK way); left empty"),
    ]  # fmt: skip


def test_output_never_replaces_a_return_or_a_stranger(partnership, tmp_path):
    returns = partnership["returns"]
    runner = CliRunner()
    ash = returns / "ash.xlsx"
    before = ash.read_bytes()
    r = runner.invoke(cli, ["analyse", str(returns), "--out", str(ash)])
    assert r.exit_code == 1
    assert r.output.endswith(
        f"Error: {ash}: is one of the returns being read; write the "
        "consolidated workbook somewhere else\n"
    )
    assert ash.read_bytes() == before
    theirs = tmp_path / "budget.xlsx"
    theirs.write_bytes(before)
    r = runner.invoke(cli, ["analyse", str(returns), "--out", str(theirs)])
    assert r.output.endswith(
        f"Error: {theirs}: already exists and was not written by "
        "awardbooks analyse; choose another --out, or add --force to "
        "replace it\n"
    )
    assert theirs.read_bytes() == before
    ours = tmp_path / "consolidated.xlsx"
    for _ in range(2):  # a re-run replaces its own earlier workbook
        r = runner.invoke(cli, ["analyse", str(returns), "--out", str(ours)])
        assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["analyse", str(tmp_path / "nothing-here")])
    assert r.output.endswith(
        "Error: " + str(tmp_path / "nothing-here") + ": no such file or folder\n"
    )
    (tmp_path / "empty").mkdir()
    r = runner.invoke(cli, ["analyse", str(tmp_path / "empty")])
    assert r.output.endswith(
        f"Error: no returns found in {tmp_path / 'empty'} (.xlsx, .zip or saved emails)\n"
    )


def test_outputs_the_same_side_by_side_or_one_after_the_other(partnership, monkeypatch):
    """A large consolidation writes its data files after the workbook instead of in a
    second process at the same time: the files must be the same either way."""
    from python_calamine import CalamineWorkbook

    from awardbooks import api
    from awardbooks.outputs import writing

    runs = {}
    for name, limit in (("side", writing.SIDE_BY_SIDE_MAX), ("serial", 0)):
        monkeypatch.setattr(writing, "SIDE_BY_SIDE_MAX", limit)
        out = partnership["base"] / f"out-{name}"
        result = api.analyse(
            [partnership["returns"]], out=out / "c.xlsx", data_dir=out / "data", jobs=1
        )
        assert sorted(p.name for p in result.written) == sorted(
            ["c.xlsx", *(p.name for p in (out / "data").iterdir())]
        )
        book = CalamineWorkbook.from_path(str(out / "c.xlsx"))
        runs[name] = (
            {p.name: p.read_bytes() for p in (out / "data").glob("*.csv")},
            {s: book.get_sheet_by_name(s).to_python() for s in book.sheet_names},
        )
    assert runs["side"] == runs["serial"]
    assert len(runs["side"][0]) == 7  # the six tables and inputs


def test_data_files_written_even_if_the_workbook_fails(partnership, monkeypatch):
    """One after the other as side by side: a workbook that cannot be written (a full disk,
    say) does not cost the CSVs, and the failure is still reported."""
    from awardbooks import api
    from awardbooks.errors import ReportError
    from awardbooks.outputs import writing

    def fail(_c, path):
        raise ReportError(f"{path}: the disk is full")

    monkeypatch.setattr(writing, "SIDE_BY_SIDE_MAX", 0)
    monkeypatch.setattr(writing, "write_consolidated", fail)
    out = partnership["base"] / "out-failing"
    with pytest.raises(ReportError, match="the disk is full"):
        api.analyse([partnership["returns"]], out=out / "c.xlsx", data_dir=out / "data", jobs=1)
    assert sorted(p.name for p in (out / "data").glob("*.csv")) == [
        "actions.csv", "inputs.csv", "outcomes.csv", "progress.csv", "ratings.csv",
        "returns.csv", "scores.csv",
    ]  # fmt: skip
    assert not (out / "c.xlsx").exists()
