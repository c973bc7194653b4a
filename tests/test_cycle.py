"""The termly cycle: autumn workbooks filled in LibreOffice, spring workbooks carried forward
from the returns, filled again, and analysed for progress."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from awardbooks.api import consolidate as analyse
from awardbooks.cli import cli
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_roster
from awardbooks.read.returns import Registry, read_path
from awardbooks.workbook.layout import CARRY_FORWARD, COMPLETED_SHEET, META_SHEET, layout_for
from tests import lofill as lo

pytestmark = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")

AUTUMN = {
    "1.a": "Emergent", "1.b": "Developing", "1.c": "Embedded",
    "1:judgement": "Developing", "2:judgement": "Emergent",
}  # fmt: skip
SPRING = {
    "1.a": "Developing", "1.b": "Developing", "1.c": "Developing",
    "1:judgement": "Embedded", "2:judgement": "Embedded",
}  # fmt: skip


def values(fw, variant, ratings, extra=None):
    layout = layout_for(fw, variant)
    rows = layout.rows_by_key
    out: dict[str, dict] = {}
    for key, label in ratings.items():
        out.setdefault(rows[key].sheet, {})[layout.rating_cell(rows[key]).a1] = label
        comment = layout.comment_cell(rows[key])
        if comment:
            out[rows[key].sheet][comment.a1] = f"{key} in {variant or 'autumn'}"
    for sheet, cells in (extra or {}).items():
        out.setdefault(sheet, {}).update(cells)
    return out


def test_autumn_to_spring(tmp_path, frameworks):
    fw = frameworks["family-partnership"]
    runner = CliRunner()
    autumn = generate_roster(
        fw,
        [Setting("Ash Primary", "200001", "West")],
        year="2026-27",
        term="autumn",
        out_dir=tmp_path / "autumn",
    )
    plan = fw.sheets.action_plan.title
    actions = {
        "B6": "1. Ethos, vision and policy",
        "C6": "Write the family partnership policy with parents",
        "F6": {"date": "2026-12-01"},
        "G6": {"date": "2027-02-01"},
        "J6": "Amber",
        "C7": "Form the Family Support Group",
        "J7": "Green",
    }
    returned = tmp_path / "returns" / "ash-autumn.xlsx"
    returned.parent.mkdir()
    profile = tmp_path / "profile"
    lo.fill(
        autumn.written[0], returned, values(fw, "", AUTUMN, {plan: actions}), profile_dir=profile
    )

    spring_dir = tmp_path / "spring"
    result = runner.invoke(
        cli,
        [
            "generate",
            "family-partnership",
            "--from-returns",
            str(returned.parent),
            "--roster",
            str(autumn.manifest),
            "--year",
            "2026-27",
            "--term",
            "spring",
            "--out",
            str(spring_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Wrote 1 next-term workbook to")
    spring = spring_dir / "Ash-Primary_family-partnership_2026-27_spring.xlsx"
    wb = openpyxl.load_workbook(spring)
    meta = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(min_row=2, max_col=2, values_only=True)}
    first = read_path(returned, Registry.default())
    assert meta["layout_variant"] == CARRY_FORWARD
    assert meta["previous_workbook_id"] == first.get("workbook_id")
    assert meta["previous_term"] == "autumn 2026-27"
    layout = layout_for(fw, CARRY_FORWARD)
    theme1 = wb["Theme 1"]
    prev = layout.columns.previous
    assert theme1.cell(5, prev["rating"] + 1).value == "Rating, autumn 2026-27"
    row = layout.rows_by_key["1.a"].row + 1
    assert theme1.cell(row, prev["rating"] + 1).value == "Emergent"
    assert theme1.cell(row, prev["rating"] + 1).protection.locked
    assert theme1.cell(row, prev["comment"] + 1).value == "1.a in autumn"
    new = theme1.cell(row, layout.columns.rating + 1)
    assert new.value is None and not new.protection.locked
    # the unfinished action is carried, the completed one is listed and locked
    assert wb[plan]["B6"].value == "1. Ethos, vision and policy"
    assert wb[plan]["C6"].value == "Write the family partnership policy with parents"
    assert wb[plan]["G6"].value == dt.datetime(2027, 2, 1)
    assert wb[plan]["J6"].value == "Amber" and not wb[plan]["J6"].protection.locked
    assert wb[plan]["C7"].value is None
    assert wb[COMPLETED_SHEET]["C6"].value == "Form the Family Support Group"
    assert wb[COMPLETED_SHEET]["C6"].protection.locked

    # spring filled in LibreOffice as a person would: into the carry-forward layout
    spring_return = tmp_path / "returns" / "ash-spring.xlsx"
    lo.fill(spring, spring_return, values(fw, CARRY_FORWARD, SPRING), profile_dir=profile)
    record = read_path(spring_return, Registry.default(completion_threshold=0))  # 2 of 6
    assert record.status == "accepted", record.errors + record.warnings
    assert {k: r.label for k, r in record.ratings.items() if r.label} == SPRING

    c = analyse([tmp_path / "returns"])
    p = c.progress.set_index(["group_id", "term"])
    # every theme by its best-fit judgement: theme 1 70 -> 100, theme 2 35 -> 100
    assert p.loc[("1", "autumn"), "score_pct"] == 70.0
    assert p.loc[("1", "spring"), "score_pct"] == 100.0
    assert p.loc[("1", "spring"), "change_pct"] == 30.0
    assert bool(p.loc[("1", "spring"), "slipped"]) is True  # its evidence 1.c went down
    assert p.loc[("2", "spring"), "change_pct"] == 65.0
    assert p.loc[("ALL", "autumn"), "score_pct"] == 52.5
    assert p.loc[("ALL", "spring"), "score_pct"] == 100.0

    # and the consultant's feedback for the setting, as a PDF
    report = runner.invoke(
        cli, ["report", str(tmp_path / "returns"), "--out", str(tmp_path / "feedback")]
    )
    assert report.exit_code == 0, report.output
    pdfs = sorted(p.name for p in (tmp_path / "feedback").glob("*.pdf"))
    assert pdfs == ["Ash-Primary_family-partnership_2026-27_spring_feedback.pdf"]
    assert (tmp_path / "feedback" / pdfs[0]).read_bytes().startswith(b"%PDF")


def test_prefill_and_unmatched(tmp_path, frameworks):
    fw = frameworks["lppa"]
    autumn = generate_roster(
        fw,
        [Setting("Birch", "300001"), Setting("Cherry", "300002")],
        year="2026-27",
        term="autumn",
        out_dir=tmp_path / "a",
    )
    from awardbooks.generate.workbooks import generate_one

    returned = tmp_path / "r"
    generate_one(
        fw,
        Setting("Birch", "300001"),
        year="2026-27",
        term="autumn",
        out_dir=returned,
        ratings={"1.1": "Green"},
    )
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "lppa",
            "--from-returns",
            str(returned),
            "--roster",
            str(autumn.manifest),
            "--year",
            "2026-27",
            "--term",
            "spring",
            "--prefill",
            "--out",
            str(tmp_path / "s"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "Warning: Cherry: no usable return to carry forward (none came back, or none "
        "could be used: the Returns sheet says why); a fresh workbook was made" in result.output
    )
    birch = read_path(tmp_path / "s" / "Birch_lppa_2026-27_spring.xlsx", Registry.default())
    assert birch.ratings["1.1"].label == "Green"  # pre-filled, to be confirmed
    cherry = read_path(tmp_path / "s" / "Cherry_lppa_2026-27_spring.xlsx", Registry.default())
    assert cherry.get("layout_variant") == "" and cherry.status == "warning"  # a fresh workbook
    assert [p.code for p in cherry.problems] == ["nothing-rated"]


def test_next_term_rerun_keeps_the_manifest_and_checks_the_term(tmp_path, frameworks):
    fw = frameworks["lppa"]
    from awardbooks.generate.manifest import read_manifest
    from awardbooks.generate.workbooks import generate_one

    returned = tmp_path / "r"
    generate_one(
        fw,
        Setting("Birch", "300001"),
        year="2026-27",
        term="autumn",
        out_dir=returned,
        ratings={"1.1": "Green"},
    )
    generate_one(
        fw,
        Setting("Birch", "300001"),
        year="2026-27",
        term="spring",
        out_dir=returned,
        ratings={"1.1": "Amber"},
    )
    args = [
        "generate",
        "lppa",
        "--from-returns",
        str(returned),
        "--year",
        "2026-27",
        "--out",
        str(tmp_path / "s"),
    ]
    runner = CliRunner()
    missing = runner.invoke(cli, args)
    assert missing.exit_code == 2 and "--from-returns needs --term" in missing.output
    same = runner.invoke(cli, [*args, "--term", "spring"])
    assert same.exit_code == 1
    assert same.output == (
        "Error: --term spring --year 2026-27 is not after the returns' term "
        "(spring 2026-27); give the term the new workbooks are for\n"
    )
    first = runner.invoke(cli, [*args, "--term", "summer"])
    assert first.exit_code == 0, first.output
    rows = read_manifest(tmp_path / "s" / "manifest.csv")
    again = runner.invoke(cli, [*args, "--term", "summer"])
    assert again.output.startswith("Wrote 0 next-term workbooks")
    assert "Kept 1 existing workbook (use --force to replace)." in again.output
    assert read_manifest(tmp_path / "s" / "manifest.csv") == rows
    assert len(rows) == 1 and rows[0]["previous_workbook_id"]


def test_next_term_names_do_not_clash(tmp_path, frameworks):
    """'St Mary's' (URN 1) and 'St Marys' (URN 2) each get a spring workbook of their own."""
    fw = frameworks["lppa"]
    from awardbooks.generate.manifest import read_manifest

    autumn = generate_roster(
        fw,
        [Setting("St Mary's Primary", "1"), Setting("St Marys Primary", "2")],
        year="2026-27",
        term="autumn",
        out_dir=tmp_path / "a",
    )
    result = CliRunner().invoke(
        cli,
        [
            "generate",
            "lppa",
            "--from-returns",
            str(tmp_path / "a"),
            "--roster",
            str(autumn.manifest),
            "--year",
            "2026-27",
            "--term",
            "spring",
            "--out",
            str(tmp_path / "s"),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = read_manifest(tmp_path / "s" / "manifest.csv")
    assert sorted((r["urn"], r["file"]) for r in rows) == [
        ("1", "St-Marys-Primary_lppa_2026-27_spring.xlsx"),
        ("2", "St-Marys-Primary-2_lppa_2026-27_spring.xlsx"),
    ]
    assert all(r["previous_workbook_id"] for r in rows)
