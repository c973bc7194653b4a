from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from awardbooks.cli import cli
from awardbooks.workbook.layout import COVER_SHEET, META_KEYS, META_SHEET, SUMMARY_SHEET, layout_for
from awardbooks.workbook.scoring import score_groups

from .conftest import BUILTINS


def rating_validation(ws, cell):
    for dv in ws.data_validations.dataValidation:
        if cell in dv.sqref:
            return dv
    return None


@pytest.mark.parametrize("fid", BUILTINS)
def test_workbook_structure(fid, frameworks, workbook_factory):
    fw = frameworks[fid]
    path = workbook_factory(fw)
    layout = layout_for(fw)
    wb = openpyxl.load_workbook(path)
    assert tuple(wb.sheetnames) == layout.sheet_names
    # every sheet protected; the metadata sheet very hidden
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title
    assert wb[META_SHEET].sheet_state == "veryHidden"
    meta = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(min_row=2, max_col=2, values_only=True)}
    assert tuple(meta) == META_KEYS
    assert meta["framework"] == fid
    assert meta["spec_version"] == fw.version
    assert meta["spec_fingerprint"] == fw.fingerprint()
    assert meta["setting"] == "St Mary's C of E Primary"
    assert meta["urn"] == "100001"
    assert meta["partnership"] == "North Partnership"
    assert (meta["year"], meta["term"]) == ("2026-27", "autumn")
    assert len(meta["workbook_id"]) == 36
    # item text locked, rating cells unlocked with the exact dropdown list
    items = {i.id: i for i in fw.items}
    for row in layout.rating_rows:
        ws = wb[row.sheet]
        assert ws.cell(row.row + 1, 1).value == row.id_text
        text = ws.cell(row.row + 1, 2)
        assert text.protection.locked
        if row.item_id:
            assert text.value == items[row.item_id].text
        rating = layout.rating_cell(row)
        cell = ws[rating.a1]
        assert cell.protection.locked is not row.rated
        if row.rated:
            dv = rating_validation(ws, rating.a1)
            assert dv.type == "list"
            assert dv.formula1 == '"' + ",".join(fw.scale.labels) + '"'
            assert (dv.errorStyle or "stop") == "stop"  # OOXML default is stop
            assert dv.showErrorMessage
            date = layout.date_cell(row)
            if date:
                dv = rating_validation(ws, date.a1)
                assert dv.type == "date" and not ws[date.a1].protection.locked
    # cover: details locked and filled, inputs unlocked
    cover = wb[COVER_SHEET]
    assert cover[layout.cover_details["setting"].a1].value == "St Mary's C of E Primary"
    assert cover[layout.cover_details["setting"].a1].protection.locked
    for cell in layout.cover_inputs.values():
        assert not cover[cell.a1].protection.locked
    # printing: A4 landscape, one page wide, repeated header row
    audit = wb[layout.audit_sheets[0]]
    assert audit.page_setup.orientation == "landscape"
    assert audit.page_setup.paperSize == 9
    assert audit.sheet_properties.pageSetUpPr.fitToPage
    assert (audit.page_setup.fitToWidth or 1) == 1 and audit.page_setup.fitToHeight == 0
    assert audit.print_title_rows == "$5:$5"
    assert "St Mary's C of E Primary" in audit.oddHeader.left.text
    assert audit.freeze_panes == "C6"


def cached_summary(path, fw):
    """The summary's cached values as a reader that trusts caches would see them."""
    layout = layout_for(fw)
    grid = (
        CalamineWorkbook.from_path(str(path))
        .get_sheet_by_name(SUMMARY_SHEET)
        .to_python(skip_empty_area=False)
    )
    cols = layout.summary_columns
    out = {}
    for summary in layout.summary:
        row = grid[summary.row]
        out[summary.group.id] = (row[cols["rated"]], row[cols["completion"]], row[cols["score"]])
    row = grid[layout.summary_total_row]
    out["ALL"] = (row[cols["rated"]], row[cols["completion"]], row[cols["score"]])
    return out


def expected_summary(fw, ratings):
    groups, overall = score_groups(fw, ratings)
    top = fw.scale.top_score
    out = {}
    for g in groups + [overall]:
        score = g.score(top)
        out[g.group_id] = (float(g.rated), g.completion, "" if score is None else score)
    return out


@pytest.mark.parametrize("fid", BUILTINS)
def test_no_stale_cached_values(fid, frameworks, workbook_factory):
    fw = frameworks[fid]
    empty = workbook_factory(fw, setting="Empty school")
    assert cached_summary(empty, fw) == expected_summary(fw, {})
    labels = fw.scale.labels
    ratings = {
        row.key: labels[n % len(labels)]
        for n, row in enumerate(layout_for(fw).rating_rows)
        if row.rated
    }
    filled = workbook_factory(fw, setting="Filled school", ratings=ratings)
    got = cached_summary(filled, fw)
    want = expected_summary(fw, ratings)
    assert got.keys() == want.keys()
    for key in want:
        assert got[key][0] == want[key][0]
        assert got[key][1] == pytest.approx(want[key][1])
        assert got[key][2] == pytest.approx(want[key][2])


def test_family_partnership_judgement_only_themes_score_by_judgement(frameworks):
    fw = frameworks["family-partnership"]
    ratings = {
        "1.a": "Embedded",
        "1.b": "Emergent",
        "1:judgement": "Developing",
        "2:judgement": "Embedded",
        "3:judgement": "Emergent",
    }
    groups, overall = score_groups(fw, ratings)
    by_id = {g.group_id: g for g in groups}
    # theme 1 too is scored by its judgement; its descriptors are the evidence beside it
    assert by_id["1"].score(100) == pytest.approx(0.70)
    assert by_id["1"].judgement == "Developing"
    assert by_id["2"].score(100) == 1.0
    assert by_id["4"].score(100) is None
    assert (overall.rated, overall.total) == (3, 6)  # one unit per theme
    assert overall.score(100) == pytest.approx((70 + 100 + 35) / 3 / 100)


def test_comma_choices_use_a_range(frameworks, workbook_factory):
    fw = frameworks["family-partnership"]
    wb = openpyxl.load_workbook(workbook_factory(fw))
    ws = wb["Action plan"]
    dv = rating_validation(ws, "B6")
    assert dv.formula1 == "'_awardbooks'!$D$1:$D$6"
    meta = wb[META_SHEET]
    assert [meta.cell(r, 4).value for r in range(1, 7)] == [f"{g.id}. {g.title}" for g in fw.groups]


def test_cli_roster(tmp_path, frameworks):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "setting,urn,partnership,contact_email\n"
        "St Mary's C of E Primary,100001,North,head@stmarys.example\n"
        "Ysgol Gymraeg Llŷn / Pwllheli,100002,North,\n"
        "Hill View Academy,100003,South,\n"
        "Hill View Academy,100004,South,\n",
        encoding="utf-8-sig",
    )
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "generate",
            "lppa",
            "--roster",
            str(roster),
            "--out",
            str(out),
            "--year",
            "2026-27",
            "--term",
            "autumn",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 4 workbooks" in result.output
    names = sorted(p.name for p in out.glob("*.xlsx"))
    assert names == [
        "Hill-View-Academy-100004_lppa_2026-27_autumn.xlsx",
        "Hill-View-Academy_lppa_2026-27_autumn.xlsx",
        "St-Marys-C-of-E-Primary_lppa_2026-27_autumn.xlsx",
        "Ysgol-Gymraeg-Llŷn-Pwllheli_lppa_2026-27_autumn.xlsx",
    ]
    with open(out / "manifest.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["setting"] for r in rows] == [
        "St Mary's C of E Primary",
        "Ysgol Gymraeg Llŷn / Pwllheli",
        "Hill View Academy",
        "Hill View Academy",
    ]
    assert rows[0]["contact_email"] == "head@stmarys.example"
    assert {r["framework"] for r in rows} == {"lppa"}
    assert len({r["workbook_id"] for r in rows}) == 4
    # a re-run keeps every existing workbook byte for byte, and the manifest
    before = {p.name: p.read_bytes() for p in out.glob("*.xlsx")}
    again = runner.invoke(
        cli,
        [
            "generate",
            "lppa",
            "--roster",
            str(roster),
            "--out",
            str(out),
            "--year",
            "2026-27",
            "--term",
            "autumn",
        ],
    )
    assert again.exit_code == 0, again.output
    assert "Kept 4 existing workbooks (use --force to replace)." in again.output
    assert {p.name: p.read_bytes() for p in out.glob("*.xlsx")} == before
    with open(out / "manifest.csv", encoding="utf-8") as handle:
        assert [r["workbook_id"] for r in csv.DictReader(handle)] == [
            r["workbook_id"] for r in rows
        ]
    forced = runner.invoke(
        cli,
        [
            "generate",
            "lppa",
            "--roster",
            str(roster),
            "--out",
            str(out),
            "--year",
            "2026-27",
            "--term",
            "autumn",
            "--force",
        ],
    )
    assert forced.exit_code == 0
    assert {p.name: p.read_bytes() for p in out.glob("*.xlsx")} != before


def test_cli_errors_are_one_line(tmp_path):
    runner = CliRunner()
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    r = runner.invoke(cli, ["generate", "lppa", "--setting", "A", "--out", str(blocker)])
    assert r.exit_code == 1
    assert r.output == f"Error: {blocker}: is a file, not a folder; choose another --out folder\n"
    r = runner.invoke(
        cli, ["generate", "lppa", "--setting", "A", "--year", "2026-28", "--out", str(tmp_path)]
    )
    assert r.output == (
        "Error: year '2026-28' is not an academic year like 2026-27 "
        "(the second part is the next year)\n"
    )
    bad_roster = tmp_path / "r.csv"
    bad_roster.write_text("school,urn\nA,1\n")
    r = runner.invoke(
        cli, ["generate", "lppa", "--roster", str(bad_roster), "--out", str(tmp_path)]
    )
    assert r.output == (
        f"Error: {bad_roster}: the roster needs a 'setting' column (columns found: "
        "school, urn); optional columns are urn, partnership, local_authority, "
        "contact_email\n"
    )
    bad_roster.write_text("setting,urn\nA,1\n,2\n")
    r = runner.invoke(
        cli, ["generate", "lppa", "--roster", str(bad_roster), "--out", str(tmp_path)]
    )
    assert r.output == f"Error: {bad_roster}: row 3: 'setting' is empty; give the setting's name\n"
    r = runner.invoke(cli, ["generate", "nope", "--setting", "A"])
    assert r.exit_code == 1 and r.output.startswith("Error: unknown framework 'nope'")


def test_single_generate_refuses_to_overwrite(tmp_path):
    runner = CliRunner()
    args = [
        "generate",
        "behaviour-attendance",
        "--setting",
        "Oak School",
        "--out",
        str(tmp_path),
        "--year",
        "2026-27",
        "--term",
        "spring",
    ]
    first = runner.invoke(cli, args)
    assert first.exit_code == 0, first.output
    path = tmp_path / "Oak-School_behaviour-attendance_2026-27_spring.xlsx"
    before = path.read_bytes()
    second = runner.invoke(cli, args)
    assert second.exit_code == 1
    assert "already exists (a school may have filled it in); use --force" in second.output
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".*tmp"))


def test_frameworks_cli():
    r = CliRunner().invoke(cli, ["frameworks"])
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split() == ["id", "title", "scale", "groups", "items", "status"]
    lppa = next(line for line in lines if line.startswith("lppa "))
    assert lppa.split()[-3:] == ["10", "56", "complete"]
    assert any(
        line.startswith("multi-agency") and line.rstrip().endswith("skeleton") for line in lines
    )


def test_academic_year_default():
    from awardbooks.common.identity import current_academic_year

    assert current_academic_year(dt.date(2026, 11, 22)) == "2026-27"
    assert current_academic_year(dt.date(2027, 8, 31)) == "2026-27"
    assert current_academic_year(dt.date(2027, 9, 1)) == "2027-28"


def test_names_that_clash_across_runs_get_their_own_workbook(tmp_path):
    """A second roster into the same folder: 'St Marys' (URN 2) must not be mistaken for
    'St Mary's' (URN 1), whose workbook is already there."""
    runner = CliRunner()
    out = tmp_path / "out"
    for row in ("St Mary's Primary,1", "St Marys Primary,2", "St Mary's Primary,1"):
        roster = tmp_path / "r.csv"
        roster.write_text(f"setting,urn\n{row}\n", encoding="utf-8")
        result = runner.invoke(
            cli,
            [
                "generate",
                "lppa",
                "--roster",
                str(roster),
                "--out",
                str(out),
                "--year",
                "2026-27",
                "--term",
                "autumn",
            ],
        )
        assert result.exit_code == 0, result.output
    with open(out / "manifest.csv", encoding="utf-8") as handle:
        rows = sorted((r["urn"], r["file"]) for r in csv.DictReader(handle))
    assert rows == [
        ("1", "St-Marys-Primary_lppa_2026-27_autumn.xlsx"),
        ("2", "St-Marys-Primary-2_lppa_2026-27_autumn.xlsx"),
    ]
    assert sorted(p.name for p in out.glob("*.xlsx")) == sorted(r[1] for r in rows)


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("utf-8", "setting;urn\nOak School;1\n"),  # LibreOffice / European Excel CSV
        ("utf-16", "setting\turn\nOak School\t1\n"),  # Excel's "Unicode Text"
    ],
)
def test_roster_as_spreadsheet_applications_save_it(tmp_path, encoding, text):
    from awardbooks.generate.roster import Setting, read_roster

    roster = tmp_path / "r.csv"
    roster.write_bytes(text.encode(encoding))
    assert read_roster(roster) == [Setting("Oak School", "1")]


def test_single_setting_never_takes_another_settings_workbook(tmp_path):
    runner = CliRunner()
    out = tmp_path / "out"
    roster = tmp_path / "r.csv"
    roster.write_text("setting,urn\nSt Mary's Primary,1\n", encoding="utf-8")
    common = ["--year", "2026-27", "--term", "autumn", "--out", str(out)]
    assert runner.invoke(cli, ["generate", "lppa", "--roster", str(roster), *common]).exit_code == 0
    first = (out / "St-Marys-Primary_lppa_2026-27_autumn.xlsx").read_bytes()
    one = runner.invoke(
        cli, ["generate", "lppa", "--setting", "St Marys Primary", "--urn", "3", "--force", *common]
    )
    assert one.exit_code == 0, one.output
    assert one.output == f"Wrote {out / 'St-Marys-Primary-3_lppa_2026-27_autumn.xlsx'}\n"
    assert (out / "St-Marys-Primary_lppa_2026-27_autumn.xlsx").read_bytes() == first
    with open(out / "manifest.csv", encoding="utf-8") as handle:
        assert sorted(r["urn"] for r in csv.DictReader(handle)) == ["1", "3"]


def test_outputs_have_ordinary_permissions(tmp_path):
    import os
    import stat

    runner = CliRunner()
    result = runner.invoke(cli, ["generate", "lppa", "--setting", "Oak", "--out", str(tmp_path)])
    assert result.exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path


TARGET = "Target (x% set by the partnership)"


@pytest.mark.parametrize(
    ("term", "open_columns"),
    [
        ("baseline", [TARGET, "Baseline data"]),
        ("autumn", [TARGET, "Baseline data", "Term 1 progress"]),
        ("spring", [TARGET, "Baseline data", "Term 2 progress"]),
        ("summer", [TARGET, "Baseline data", "Term 3 progress"]),
    ],
)
def test_each_term_opens_only_its_own_outcome_column(tmp_path, frameworks, term, open_columns):
    """B&A's term_columns: a workbook (here a fresh one) opens its own term's progress column
    the partnership's target and the baseline (open until filled in); the other terms' progress
    columns are locked, on every outcome row."""
    from awardbooks.generate.roster import Setting
    from awardbooks.generate.workbooks import generate_one

    fw = frameworks["behaviour-attendance"]
    path, _row = generate_one(fw, Setting("Ash"), year="2026-27", term=term, out_dir=tmp_path)
    ws = openpyxl.load_workbook(path)["Outcomes"]
    headings = [c.value for c in ws[5]]
    rows = layout_for(fw).table_rows["outcomes"]
    assert len(rows) == 11
    for row in rows:
        unlocked = [
            headings[cell.col] for cid, cell in row.cells.items()
            if cid != "outcome" and not ws.cell(cell.row + 1, cell.col + 1).protection.locked
        ]  # fmt: skip
        assert unlocked == open_columns, row.key
