"""A collection: one partnership's year in one folder. These tests make returns without
LibreOffice (tests/collection_tools.py); test_collection_year.py runs a whole year with
returns filled in LibreOffice."""

from __future__ import annotations

import datetime as dt
import sqlite3
import tomllib
from pathlib import Path

import openpyxl
import pytest

from awardbooks import api
from awardbooks.common.csvfiles import csv_reader
from awardbooks.read.returns import Registry, read_path
from awardbooks.workbook.layout import layout_for
from tests.collection_tools import ROSTER, count, make_return, run

YEAR = "2026-27"


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv_reader(path.read_text(encoding="utf-8")))


@pytest.fixture
def folder(tmp_path) -> Path:
    """A new LPPA collection for a roster of four settings, its autumn workbooks generated."""
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    coll = tmp_path / "north"
    run(None, "new", str(coll), "--framework", "lppa", "--roster", str(roster), "--year", YEAR,
        "--title", "North and South 2026-27")  # fmt: skip
    run(coll, "generate", "--term", "autumn")
    return coll


def workbook(coll: Path, term: str, name: str) -> Path:
    return coll / "workbooks" / term / f"{name}_lppa_{YEAR}_{term}.xlsx"


def misspelt(src: Path, dst: Path, word: str = "Greeen") -> Path:
    """A return whose first rating is not a level of the scale (rejected)."""
    wb = openpyxl.load_workbook(src)
    fw = api.load_framework("lppa")
    layout = layout_for(fw)
    row = next(r for r in layout.rating_rows if r.rated)
    wb[row.sheet][layout.rating_cell(row).a1] = word
    wb.save(dst)
    return dst


def statuses(coll: Path) -> dict[str, str]:
    return {r["file"]: r["status"] for r in read_csv(coll / "outputs" / "data" / "returns.csv")}


def test_new_makes_the_folder(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    result = run(None, "new", str(tmp_path / "c"), "--framework", "lppa", "--roster",
                 str(roster), "--year", YEAR)  # fmt: skip
    coll = tmp_path / "c"
    assert result.output == (
        f"Made the collection {coll}/: c 2026-27 (lppa).\n"
        f"  autumn: returns due 2026-12-11 (edit it in {coll}/awardbooks.toml)\n"
        f"  spring: returns due 2027-03-19 (edit it in {coll}/awardbooks.toml)\n"
        f"  summer: returns due 2027-07-09 (edit it in {coll}/awardbooks.toml)\n"
        f"Next: cd {coll} && awardbooks generate --term autumn && awardbooks mail drafts\n"
    )
    assert sorted(p.name for p in coll.iterdir()) == [
        ".awardbooks", "awardbooks.toml", "drafts", "outputs", "returns", "roster.csv",
        "workbooks",
    ]  # fmt: skip
    settings = tomllib.loads((coll / "awardbooks.toml").read_text(encoding="utf-8"))
    assert settings == {
        "title": "c 2026-27", "year": YEAR, "frameworks": ["lppa"], "roster": "roster.csv",
        "terms": {
            "autumn": {"return_by": dt.date(2026, 12, 11)},
            "spring": {"return_by": dt.date(2027, 3, 19)},
            "summer": {"return_by": dt.date(2027, 7, 9)},
        },
    }  # fmt: skip
    assert (coll / "roster.csv").read_text(encoding="utf-8") == ROSTER
    named = run(None, "new", str(tmp_path / "east-2026-27"), "--framework", "lppa", "--roster",
                str(roster), "--year", YEAR).output  # fmt: skip
    assert ": east-2026-27 (lppa).\n" in named  # the year once, when the name holds it
    conn = sqlite3.connect(coll / ".awardbooks" / "ledger.sqlite")
    assert conn.execute("PRAGMA user_version").fetchone()[0] >= 1
    conn.close()


def test_new_refuses_what_it_cannot_use(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("x")
    own = tmp_path / "my-lppa.yaml"  # a copy of the built-in: the same id
    own.write_text(api.load_framework("lppa").model_dump_json(), encoding="utf-8")
    cases = [
        (["full", "--framework", "lppa"], f"Error: {tmp_path / 'full'}: is not empty; give a new "
                                          "folder's name"),
        (["c", "--framework", "nope"], None),
        (["c", "--framework", "lppa", "--terms", "autumn,winter"],
         "Error: term 'winter' is not one of baseline, autumn, spring, summer"),
        (["c", "--framework", "lppa", "--framework", str(own)],
         f"Error: lppa and {own} are both the framework 'lppa': a collection holds each "
         "framework once; give one of them, or give your own spec an id of its own (its id: "
         "line)"),
    ]  # fmt: skip
    for args, message in cases:
        folder, *rest = args
        result = run(None, "new", str(tmp_path / folder), *rest, "--roster", str(roster),
                     "--year", YEAR, ok=False)  # fmt: skip
        assert result.exit_code == 1, result.output
        if message:
            assert result.output == message + "\n"
    assert not (tmp_path / "c").exists()


def test_commands_outside_a_collection_say_how_to_make_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args in (["update"], ["status"], ["add", "x.xlsx"], ["rebuild"]):
        result = run(None, *args, ok=False)
        assert result.exit_code == 1, result.output
        assert result.output.splitlines()[-1] == (
            f"Error: {tmp_path}: not inside an awardbooks collection (no awardbooks.toml here "
            "or above); create one with awardbooks new DIR --framework ID --roster roster.csv, "
            "or give its folder with -C DIR"
        )
    result = run(tmp_path / "nowhere", "status", ok=False)
    assert result.output == (
        f"Error: {tmp_path / 'nowhere'}: is not an awardbooks collection (no such folder); "
        "create one with awardbooks new DIR --framework ID --roster roster.csv\n"
    )


def test_one_shot_commands_still_work_inside_a_collection(folder, monkeypatch):
    monkeypatch.chdir(folder / "returns")  # below the collection's folder
    result = run(None, "generate", "lppa", "--setting", "Elm School", "--out", "elsewhere")
    assert result.output.startswith("Wrote elsewhere/Elm-School_lppa_")
    made = make_return(workbook(folder, "autumn", "Ash-Primary"), folder / "tmp" / "ash.xlsx")
    result = run(None, "analyse", str(made), "--out", str(folder / "tmp" / "c.xlsx"))
    assert "accepted                        1" in result.output
    assert not list((folder / "returns").glob("*.xlsx"))  # nothing taken in by those


def test_a_term_taken_in(folder):
    ash = make_return(workbook(folder, "autumn", "Ash-Primary"), folder / "returns" / "ash.xlsx")
    birch = workbook(folder, "autumn", "Birch-Primary")
    make_return(birch, folder / "returns" / "birch-first.xlsx", seed=2, when=1_790_000_000)
    make_return(birch, folder / "returns" / "inbox" / "birch-final.xlsx", seed=3,
                when=1_790_100_000)  # fmt: skip
    misspelt(make_return(workbook(folder, "autumn", "Cedar-Academy"), folder / "tmp.xlsx"),
             folder / "returns" / "cedar.xlsx")  # fmt: skip
    (folder / "returns" / "notes.xlsx").write_text("not a workbook")
    result = run(folder, "update")
    lines = result.output.splitlines()
    assert lines[0] == "Took in 5 new files: 5 new returns."
    assert lines[1:8] == [
        "Files read                        5",
        "  accepted                        2",
        "  with warnings                   0",
        "  rejected                        2",
        "  duplicates                      1",
        "  unknown                         0",
        "Missing (expected, not returned)  1",
    ]
    assert lines[-1] == (
        f"Wrote {folder}/outputs/consolidated.xlsx and 9 data files in {folder}/outputs/data/."
    )
    assert statuses(folder) == {
        "returns/ash.xlsx": "accepted",
        "returns/birch-first.xlsx": "duplicate",
        "returns/inbox/birch-final.xlsx": "accepted",
        "returns/cedar.xlsx": "rejected",
        "returns/notes.xlsx": "rejected",
        "workbooks/autumn/Damson-Infants_lppa_2026-27_autumn.xlsx": "missing",
    }
    assert ash.exists()
    status = run(folder, "status").output.splitlines()
    assert status[:3] == [
        "North and South 2026-27: 5 returns in the ledger.",
        "framework  term            due         issued  returned  accepted  warnings  rejected"
        "  missing  duplicates  unknown",
        "lppa       autumn 2026-27  2026-12-11       4         3         2         0         1"
        "        1           1        0",
    ]
    assert status[4] == "To chase (2):"
    assert status[5] == (
        "  lppa autumn: Cedar Academy <no contact_email in the roster>: rejected, "
        "returns/cedar.xlsx: Objective 1!C6: 'Greeen' is not a level of Red/Amber/Green"
    )
    assert status[6].startswith(
        "  lppa autumn: Damson Infants <admin@damson.example.org>: missing, due 2026-12-11"
    )
    assert status[8:] == [
        "Not matched to a workbook issued (1):",
        "  returns/notes.xlsx: rejected: this is a text file, not an Excel workbook (.xlsx), "
        "whatever its name; send the Excel workbook (.xlsx) itself",
    ]
    wb = openpyxl.load_workbook(folder / "outputs" / "consolidated.xlsx", read_only=True)
    assert wb.sheetnames[0] == "Status"
    chase = read_csv(folder / "outputs" / "data" / "chase.csv")
    assert [(r["setting"], r["state"]) for r in chase] == [
        ("Cedar Academy", "rejected"), ("Damson Infants", "missing"),
    ]  # fmt: skip


def test_update_reads_only_files_not_seen(folder, monkeypatch):
    from awardbooks.collection import intake

    read: list[str] = []
    real = intake.read_all

    def counting(units, **options):
        read.extend(name for name, _path, _data in units)
        return real(units, **options)

    monkeypatch.setattr(intake, "read_all", counting)
    make_return(workbook(folder, "autumn", "Ash-Primary"), folder / "returns" / "ash.xlsx")
    run(folder, "update")
    assert read == ["returns/ash.xlsx"]
    read.clear()
    result = run(folder, "update")
    assert read == []
    assert result.output.splitlines()[0] == "No new returns in returns/."
    assert result.output.splitlines()[-1] == f"The outputs in {folder}/outputs/ are up to date."
    # a copy under another name, and the same file moved, are not read again
    (folder / "returns" / "ash.xlsx").rename(folder / "returns" / "moved.xlsx")
    (folder / "returns" / "copy.xlsx").write_bytes((folder / "returns" / "moved.xlsx")
                                                   .read_bytes())  # fmt: skip
    make_return(workbook(folder, "autumn", "Birch-Primary"), folder / "returns" / "birch.xlsx")
    result = run(folder, "update")
    assert read == ["returns/birch.xlsx"]
    lines = result.output.splitlines()
    assert lines[:3] == [
        "Took in 1 new file: 1 new return.",
        "Already taken in: returns/copy.xlsx is the same file as returns/ash.xlsx.",
        "Already taken in: returns/moved.xlsx is the same file as returns/ash.xlsx.",
    ]


def test_a_return_deleted_or_overwritten_is_kept(folder):
    ash = make_return(workbook(folder, "autumn", "Ash-Primary"), folder / "returns" / "ash.xlsx")
    birch_workbook = workbook(folder, "autumn", "Birch-Primary")
    birch = make_return(birch_workbook, folder / "returns" / "birch.xlsx", when=1_790_000_000)
    run(folder, "update")
    ash.unlink()
    make_return(birch_workbook, birch, seed=5, when=1_790_500_000)  # saved over, new content
    result = run(folder, "update")
    assert "2 files taken in before no longer in returns/; their returns are kept in the " \
           "collection." in result.output  # fmt: skip
    assert statuses(folder) == {
        "returns/ash.xlsx": "accepted",
        "returns/birch.xlsx": "duplicate",
        "returns/birch.xlsx (version 2)": "accepted",
        "workbooks/autumn/Cedar-Academy_lppa_2026-27_autumn.xlsx": "missing",
        "workbooks/autumn/Damson-Infants_lppa_2026-27_autumn.xlsx": "missing",
    }
    assert count(folder / ".awardbooks" / "ledger.sqlite", "returns") == 3
    status = run(folder, "status").output
    assert "2 files taken in before no longer in returns/ (their returns are kept in the " \
           "collection)." in status  # fmt: skip


def test_the_collection_consolidates_as_analyse_does(folder, tmp_path):
    for n, name in enumerate(("Ash-Primary", "Birch-Primary", "Cedar-Academy")):
        make_return(workbook(folder, "autumn", name), folder / "returns" / f"{name}.xlsx",
                    seed=n)  # fmt: skip
    make_return(workbook(folder, "autumn", "Ash-Primary"), folder / "returns" / "again.xlsx",
                seed=9, when=1_700_000_000)  # fmt: skip
    run(folder, "update")
    run(None, "analyse", str(folder / "returns"), "--manifest", str(folder / "workbooks"),
        "--out", str(tmp_path / "c.xlsx"), "--data", str(tmp_path / "data"))  # fmt: skip
    for name in ("ratings", "scores", "progress", "returns", "actions", "outcomes"):
        ours = read_csv(folder / "outputs" / "data" / f"{name}.csv")
        theirs = read_csv(tmp_path / "data" / f"{name}.csv")
        for row in ours + theirs:
            row.pop("file", None)
            if name == "returns":
                row["warnings"] = row["warnings"].replace(str(folder) + "/", "")
                row["warnings"] = row["warnings"].replace(str(folder / "workbooks"), "")
        key = lambda r: sorted(r.items())  # noqa: E731
        if name == "returns":  # which manifest: said differently, the same settlement
            for row in ours + theirs:
                row["warnings"] = row["warnings"].split(" is not in ")[0]
        assert sorted(ours, key=key) == sorted(theirs, key=key), name
    # and the tables that are only in the workbook: the summary, group means and levels
    from awardbooks.collection.ledger import Ledger
    from awardbooks.collection.refresh import consolidation
    from awardbooks.collection.settings import find

    one_shot = api.consolidate([folder / "returns"], manifest=folder / "workbooks")
    with Ledger(folder / ".awardbooks" / "ledger.sqlite") as ledger:
        ours_c, _found = consolidation(find(folder), ledger, Registry.default(), dt.date.today())
    for name in ("summary", "group_means", "levels"):
        mine, theirs_df = getattr(ours_c, name), getattr(one_shot, name)
        rows = sorted(map(tuple, mine.astype(str).values.tolist()))
        assert rows == sorted(map(tuple, theirs_df.astype(str).values.tolist())), name


def test_ledger_keeps_every_version(folder):
    make_return(workbook(folder, "autumn", "Ash-Primary"), folder / "returns" / "ash.xlsx")
    run(folder, "update")
    conn = sqlite3.connect(folder / ".awardbooks" / "ledger.sqlite")
    try:
        (wid, setting, term, digest, mailed) = conn.execute(
            "SELECT workbook_id, setting, term, digest, mailed_at FROM workbooks "
            "WHERE setting = 'Ash Primary'"
        ).fetchone()
        assert (setting, term, mailed) == ("Ash Primary", "autumn", None) and len(digest) == 64
        ret = conn.execute(
            "SELECT name, read_status, status, workbook_id FROM returns"
        ).fetchone()
        assert ret == ("returns/ash.xlsx", "accepted", "accepted", wid)
        assert conn.execute("SELECT COUNT(*) FROM ratings").fetchone()[0] > 20
        assert conn.execute("SELECT COUNT(*) FROM scores").fetchone()[0] > 3
        kept = conn.execute("SELECT origin, kind FROM files").fetchall()
        assert kept == [("returns/ash.xlsx", ".xlsx")]
        outputs = {r[0] for r in conn.execute("SELECT path FROM outputs")}
        assert "outputs/consolidated.xlsx" in outputs and "outputs/data/ratings.csv" in outputs
    finally:
        conn.close()
    originals = list((folder / ".awardbooks" / "originals").glob("*/*.xlsx"))
    assert [p.read_bytes() for p in originals] == [(folder / "returns" / "ash.xlsx").read_bytes()]


def test_next_term_carries_forward_and_a_late_return_supersedes(folder):
    for name in ("Ash-Primary", "Birch-Primary"):
        make_return(workbook(folder, "autumn", name), folder / "returns" / f"{name}.xlsx")
    run(folder, "update")
    result = run(folder, "generate", "--term", "spring")
    assert result.output.splitlines()[0] == (
        f"Wrote 4 workbooks to {folder}/workbooks/spring/ and its manifest.csv."
    )
    assert result.stderr.splitlines() == [
        f"Warning: {name}: no usable return to carry forward (none came back, or none "
        "could be used: the Returns sheet says why); a fresh workbook was made"
        for name in ("Cedar Academy", "Damson Infants")
    ]
    drafts = run(folder, "mail", "drafts").output.splitlines()
    assert drafts[0] == f"Wrote 3 drafts to {folder}/drafts/spring/ (open each and press Send)."
    assert drafts[1:] == [
        "No message for 1 setting (contact it another way):",
        "  Cedar Academy (Cedar-Academy_lppa_2026-27_spring.xlsx): no contact_email in the "
        "roster",
    ]
    spring = {p.name: p.read_bytes() for p in (folder / "workbooks" / "spring").glob("*.xlsx")}
    # late autumn returns: Cedar's (whose spring workbook was never mailed: no email) and
    # Damson's (mailed): Cedar's is rewritten at once, Damson's is superseded
    for name in ("Cedar-Academy", "Damson-Infants"):
        make_return(workbook(folder, "autumn", name), folder / "returns" / f"{name}.xlsx")
    result = run(folder, "update")
    cedar = folder / "workbooks" / "spring" / "Cedar-Academy_lppa_2026-27_spring.xlsx"
    damson = folder / "workbooks" / "spring" / "Damson-Infants_lppa_2026-27_spring.xlsx"
    assert result.output.splitlines()[-4:] == [
        f"Rewrote {cedar}: the return it carries forward changed (not mailed yet).",
        "Superseded: 1 workbook mailed before a later return changed what it carries:",
        f"  {damson}",
        "  Replace with: awardbooks generate --term spring --force, then awardbooks mail drafts",
    ]
    assert cedar.read_bytes() != spring[cedar.name]
    assert damson.read_bytes() == spring[damson.name]
    assert read_path(cedar, Registry.default()).get("previous_term") == "autumn 2026-27"
    status = run(folder, "status").output.splitlines()
    assert status[-3:] == [
        "Superseded: 1 workbook mailed before a later return changed what it carries:",
        f"  {damson}",
        "  Replace with: awardbooks generate --term spring --force, then awardbooks mail drafts",
    ]
    old_id = read_path(damson, Registry.default()).get("workbook_id")
    result = run(folder, "generate", "--term", "spring", "--force")
    assert result.output.splitlines() == [
        "Replaced 1 workbook whose carried-forward return changed.",
        "Kept 3 workbooks already made and current.",
    ]
    assert read_path(damson, Registry.default()).get("previous_term") == "autumn 2026-27"
    assert "Superseded" not in run(folder, "status").output
    drafts = run(folder, "mail", "drafts").output.splitlines()
    assert drafts[:2] == [
        f"Wrote 1 draft to {folder}/drafts/spring/ (open each and press Send).",
        "2 workbooks of spring drafted before (use --force to write their drafts again).",
    ]
    # the replaced workbook went out: a return of it still counts for Damson's spring
    old = folder / "tmp" / "old-damson.xlsx"
    old.parent.mkdir()
    old.write_bytes(spring[damson.name])
    assert read_path(old, Registry.default()).get("workbook_id") == old_id
    make_return(old, folder / "returns" / "damson-spring.xlsx")
    run(folder, "update")
    assert statuses(folder)["returns/damson-spring.xlsx"] == "accepted"
    rows = [r for r in read_csv(folder / "outputs" / "data" / "status.csv")
            if r["term"] == "spring"]  # fmt: skip
    assert (rows[0]["issued"], rows[0]["accepted"], rows[0]["missing"]) == ("4", "1", "3")


def test_feedback_reports_follow_late_returns(folder):
    names = ("Ash-Primary", "Birch-Primary", "Cedar-Academy")
    for n, name in enumerate(names):
        make_return(workbook(folder, "autumn", name), folder / "returns" / f"{name}.xlsx", seed=n)
    run(folder, "update")
    result = run(folder, "report", "--no-pdf")
    assert result.output == f"Wrote 3 feedback reports to {folder}/outputs/feedback/.\n"
    reports = {p.name: p.read_bytes() for p in (folder / "outputs" / "feedback").iterdir()}
    assert run(folder, "report", "--no-pdf").output.splitlines()[1] == (
        "Kept 3 reports already current; updates keep them current."
    )
    # Damson (South) comes late: the South average moves, so Cedar's report (South) is
    # rewritten and Damson's made; North's two stay as they were
    make_return(workbook(folder, "autumn", "Damson-Infants"), folder / "returns" / "d.xlsx")
    result = run(folder, "update")
    assert "Wrote 2 feedback reports (new, or their content changed)." in result.output
    now = {p.name: p.read_bytes() for p in (folder / "outputs" / "feedback").iterdir()}
    changed = sorted(n for n in now if now[n] != reports.get(n))
    assert changed == [
        "Cedar-Academy_lppa_2026-27_autumn_feedback.xlsx",
        "Damson-Infants_lppa_2026-27_autumn_feedback.xlsx",
    ]


def test_add_copies_files_in_and_takes_them_in(folder, tmp_path):
    made = make_return(workbook(folder, "autumn", "Ash-Primary"), tmp_path / "in" / "ash.xlsx")
    result = run(folder, "add", str(made))
    today = dt.date.today().isoformat()
    assert result.output.splitlines()[:2] == [
        f"Copied 1 file into {folder}/returns/added/.",
        "Took in 1 new file: 1 new return.",
    ]
    assert (folder / "returns" / "added" / today / "ash.xlsx").read_bytes() == made.read_bytes()
    assert statuses(folder)[f"returns/added/{today}/ash.xlsx"] == "accepted"
    result = run(folder, "add", str(tmp_path / "in" / "nope.xlsx"), ok=False)
    assert result.output == f"Error: {tmp_path / 'in' / 'nope.xlsx'}: no such file\n"


def test_rebuild_makes_the_ledger_again_from_the_kept_originals(folder):
    for name in ("Ash-Primary", "Birch-Primary"):
        make_return(workbook(folder, "autumn", name), folder / "returns" / f"{name}.xlsx")
    run(folder, "mail", "drafts")
    run(folder, "update")
    (folder / "returns" / "Ash-Primary.xlsx").unlink()  # taken in, then deleted
    run(folder, "update")
    before = statuses(folder)
    ledger = folder / ".awardbooks" / "ledger.sqlite"

    def facts():
        conn = sqlite3.connect(ledger)
        try:
            return (
                conn.execute("SELECT digest, name, read_status, status FROM returns "
                             "ORDER BY digest").fetchall(),
                conn.execute("SELECT workbook_id, file, digest, mailed_at IS NOT NULL "
                             "FROM workbooks ORDER BY workbook_id").fetchall(),
                conn.execute("SELECT COUNT(*) FROM ratings").fetchone(),
            )  # fmt: skip
        finally:
            conn.close()

    expected = facts()
    ledger.unlink()
    result = run(folder, "update", ok=False)
    assert result.output == (
        f"Error: {ledger}: the collection's ledger is missing; run awardbooks rebuild to make "
        "it again from the returns kept in the collection\n"
    )
    result = run(folder, "rebuild")
    assert result.output == "Rebuilt the ledger: 2 return files, 2 returns, 4 workbooks issued.\n"
    assert facts() == expected
    assert statuses(folder) == before


def damage(ledger: Path) -> None:
    """Overwrite pages in the middle of a ledger with noise, as a failing disk might."""
    data = bytearray(ledger.read_bytes())
    page = 4096
    for start in range(page * 2, len(data) - page, page * 3):
        data[start + 8 : start + 1000] = bytes(range(256)) * 3 + bytes(224)
    ledger.write_bytes(bytes(data))


def test_a_damaged_ledger_is_detected_and_rebuilt(folder):
    for name in ("Ash-Primary", "Birch-Primary", "Cedar-Academy"):
        make_return(workbook(folder, "autumn", name), folder / "returns" / f"{name}.xlsx")
    run(folder, "update")
    before = statuses(folder)
    ledger = folder / ".awardbooks" / "ledger.sqlite"
    damage(ledger)
    for command in ("update", "status"):
        result = run(folder, command, ok=False)
        assert result.exit_code == 1
        assert result.output.startswith(f"Error: {ledger}: the ledger is damaged (")
        assert result.output.endswith(
            "); run awardbooks rebuild to make it again from the returns kept in the collection "
            "(the damaged file is kept beside it)\n"
        )
    result = run(folder, "rebuild")
    aside = sorted((folder / ".awardbooks").glob("ledger.before-rebuild-*.sqlite"))
    assert result.output.splitlines() == [
        "Rebuilt the ledger: 3 return files, 3 returns, 4 workbooks issued.",
        f"The old ledger is kept as {aside[0]}.",
    ]
    run(folder, "update")
    assert statuses(folder) == before


def test_a_big_collection_writes_its_big_tables_to_the_data_files_only(folder, tmp_path,
                                                                        monkeypatch):
    from awardbooks.collection import refresh

    for n, name in enumerate(("Ash-Primary", "Birch-Primary", "Cedar-Academy")):
        make_return(workbook(folder, "autumn", name), folder / "returns" / f"{name}.xlsx",
                    seed=n)  # fmt: skip
    run(folder, "update")
    small = {p.name: p.read_bytes() for p in (folder / "outputs" / "data").iterdir()}
    monkeypatch.setattr(refresh, "DETAIL_MAX", 2)  # three returns: "too many" for the sheets
    (folder / "outputs" / "consolidated.xlsx").unlink()
    run(folder, "update")
    big = {p.name: p.read_bytes() for p in (folder / "outputs" / "data").iterdir()}
    assert big == small  # the data files are the same either way
    wb = openpyxl.load_workbook(folder / "outputs" / "consolidated.xlsx", read_only=True)
    assert wb.sheetnames == [
        "Status", "Summary", "Scores", "Progress", "Outcomes", "Ratings", "Actions", "Inputs",
        "Returns",
    ]  # fmt: skip
    rows = len(read_csv(folder / "outputs" / "data" / "scores.csv"))
    assert next(wb["Scores"].values)[0] == f"{rows:,} rows"
    assert "is in scores.csv in the data folder" in list(wb["Scores"].values)[1][0]
    assert next(wb["Ratings"].values)[0] == (
        f"{len(read_csv(folder / 'outputs' / 'data' / 'ratings.csv')):,} ratings"
    )


SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_the_demo_year_on_the_sample_data(tmp_path):
    """make demo's steps (README, first section) on the bundled samples."""
    coll = tmp_path / "demo"
    run(None, "new", str(coll), "--framework", "lppa", "--roster", str(SAMPLES / "roster.csv"),
        "--year", YEAR, "--title", "Sample Partnership 2026-27",
        "--issued", str(SAMPLES / "workbooks" / "autumn"))  # fmt: skip
    assert run(coll, "generate", "--term", "autumn").output == (
        "Kept 6 workbooks already made and current.\n"
    )
    assert run(coll, "mail", "drafts").output.startswith(
        f"Wrote 4 drafts to {coll}/drafts/autumn/"
    )
    for path in (SAMPLES / "returns" / "autumn").glob("*.xlsx"):
        (coll / "returns" / path.name).write_bytes(path.read_bytes())
    assert run(coll, "update").output.splitlines()[:8] == [
        "Took in 6 new files: 6 new returns.",
        "Files read                        6",
        "  accepted                        3",
        "  with warnings                   1",  # Oakfield: 43 of 56 rated, below 80 %
        "  rejected                        1",
        "  duplicates                      1",
        "  unknown                         0",
        "Missing (expected, not returned)  1",
    ]
    status = run(coll, "status").output.splitlines()
    assert status[2:7] == [
        "lppa       autumn 2026-27  2026-12-11       6         5         3         1         1"
        "        1           1        0",
        "",
        "To chase (2):",
        "  lppa autumn: Riverside Community Primary <no contact_email in the roster>: rejected, "
        "returns/Riverside LPPA.xlsx: Objective 3!C7: 'Greeen' is not a level of Red/Amber/Green",
        "  lppa autumn: The Bridge Pupil Referral Unit <no contact_email in the roster>: "
        "missing, due 2026-12-11" + (" (overdue)" if dt.date.today() > dt.date(2026, 12, 11)
                                     else ""),
    ]  # fmt: skip
    assert run(coll, "report", "--no-pdf").output == (
        f"Wrote 4 feedback reports to {coll}/outputs/feedback/.\n"
    )
    result = run(coll, "generate", "--term", "spring")
    assert result.stdout == f"Wrote 6 workbooks to {coll}/workbooks/spring/ and its manifest.csv.\n"
    assert [line.split(":")[1] for line in result.stderr.splitlines()] == [
        " Riverside Community Primary", " The Bridge Pupil Referral Unit",
    ]  # fmt: skip
    carried = read_path(coll / "workbooks" / "spring" /
                        f"Oakfield-Academy_lppa_{YEAR}_spring.xlsx", Registry.default())
    assert carried.get("previous_term") == "autumn 2026-27"


def test_a_workbook_sent_by_mail_send_is_never_replaced_silently(folder):
    make_return(workbook(folder, "autumn", "Ash-Primary"), folder / "returns" / "ash.xlsx")
    run(folder, "update")
    run(folder, "generate", "--term", "spring")
    cedar = workbook(folder, "spring", "Cedar-Academy")
    before = cedar.read_bytes()
    (folder / "workbooks" / "spring" / "mail-log.csv").write_text(
        "time,outcome,file,setting,to,subject,detail\r\n"
        f"2027-01-05T09:00:00,sent,{cedar.name},Cedar Academy,head@cedar.example.org,LPPA,\r\n",
        encoding="utf-8",
    )  # as awardbooks mail send logs what it sent
    make_return(workbook(folder, "autumn", "Cedar-Academy"), folder / "returns" / "cedar.xlsx")
    result = run(folder, "update")
    assert result.output.splitlines()[-2:] == [
        f"  {cedar}",
        "  Replace with: awardbooks generate --term spring --force, then awardbooks mail drafts",
    ]
    assert cedar.read_bytes() == before


def test_one_shot_options_inside_a_collection_are_refused_not_dropped(folder, monkeypatch):
    monkeypatch.chdir(folder)
    result = run(None, "generate", "--term", "spring", "--year", "2025-26", ok=False)
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: --year is not used in a collection (it knows its roster, folders and terms); "
        "leave it out, or run outside the collection"
    )
    result = run(folder, "mail", "drafts", "--return-by", "2026-12-01", ok=False)
    assert result.output.splitlines()[-1].startswith("Error: --return-by is not used in a ")
    result = run(folder, "generate", "nope", "--term", "spring", ok=False)
    assert result.output == (
        "Error: nope: not one of this collection's frameworks (lppa); add it to frameworks in "
        "awardbooks.toml, or leave it out to generate them all\n"
    )


def _typed(src: Path, dst: Path, cells: dict[str, str], cover=None) -> Path:
    """A return of ``src`` with ``cells`` of Objective 1 (and ``cover`` of the Cover) typed
    in (openpyxl keeps the rest)."""
    wb = openpyxl.load_workbook(src)
    for ref, value in cells.items():
        wb["Objective 1"][ref] = value
    for ref, value in (cover or {}).items():
        wb["Cover"][ref] = value
    wb.save(dst)
    return dst


def test_the_iarap_is_exported_and_carried_through_a_collection(folder):
    """The IARAP columns typed in autumn are in inputs.csv, the Inputs sheet and the feedback,
    spring's workbook carries them, and spring's return (its columns one further right) is
    exported at its own cells."""
    ash = "Ash-Primary"
    _typed(workbook(folder, "autumn", ash), folder / "returns" / "ash.xlsx",
           {"C6": "Amber", "E6": "Appoint a deputy", "F6": "Head"},
           {"B15": "A. Head", "B18": "Initial Audit"})  # fmt: skip
    run(folder, "update")
    rows = read_csv(folder / "outputs" / "data" / "inputs.csv")
    assert [(r["setting"], r["term"], r["sheet"], r["cell"], r["row_key"], r["column"],
             r["value"]) for r in rows] == [
        ("Ash Primary", "autumn", "Cover", "B15", "cover", "Completed by (name)", "A. Head"),
        ("Ash Primary", "autumn", "Cover", "B18", "cover", "Stage", "Initial Audit"),
        ("Ash Primary", "autumn", "Objective 1", "E6", "1.1", "Action to be taken",
         "Appoint a deputy"),
        ("Ash Primary", "autumn", "Objective 1", "F6", "1.1", "Who delivers", "Head"),
        ("Ash Primary", "autumn", "Portfolio 2", "D11", "2.2#1", "Item of evidence",
         "The completed IARAP"),  # pre-entered in every LPPA workbook
    ]  # fmt: skip
    sheet = openpyxl.load_workbook(folder / "outputs" / "consolidated.xlsx")["Inputs"]
    assert [c.value for c in sheet[5]][9:] == [
        "F6", "1.1", "LPPA co-ordinator in place", "delivers", "Who delivers", "Head",
    ]  # fmt: skip

    run(folder, "report", "--no-pdf")
    (report,) = (folder / "outputs" / "feedback").glob(f"{ash}*.xlsx")
    lines = list(openpyxl.load_workbook(report)["Feedback"].iter_rows(values_only=True))
    assert ("1.1", "LPPA co-ordinator in place", None,
            "Action to be taken: Appoint a deputy\nWho delivers: Head", None, None) in lines

    run(folder, "generate", "--term", "spring")
    spring = workbook(folder, "spring", ash)
    ws = openpyxl.load_workbook(spring)["Objective 1"]
    assert [(ws[r].value, ws[r].protection.locked) for r in ("C6", "F6", "G6")] == [
        ("Amber", True), ("Appoint a deputy", False), ("Head", False),
    ]  # fmt: skip
    cover = openpyxl.load_workbook(spring)["Cover"]  # the LPPA's stage is carried, still open
    assert (cover["B18"].value, cover["B18"].protection.locked) == ("Initial Audit", False)
    assert cover["B15"].value is None  # who completed last term's return is not
    _typed(spring, folder / "returns" / "ash-spring.xlsx", {"D6": "Green", "G6": "Deputy head"})
    run(folder, "update")
    rows = read_csv(folder / "outputs" / "data" / "inputs.csv")
    assert [(r["term"], r["cell"], r["value"]) for r in rows] == [
        ("autumn", "B15", "A. Head"), ("autumn", "B18", "Initial Audit"),
        ("autumn", "E6", "Appoint a deputy"), ("autumn", "F6", "Head"),
        ("autumn", "D11", "The completed IARAP"),
        ("spring", "B18", "Initial Audit"),
        ("spring", "F6", "Appoint a deputy"), ("spring", "G6", "Deputy head"),
        ("spring", "D11", "The completed IARAP"),
    ]  # fmt: skip


def test_update_reads_leniently_and_leaves_an_empty_return_out(folder):
    ash = make_return(workbook(folder, "autumn", "Ash-Primary"), folder / "tmp" / "ash.xlsx")
    misspelt(ash, folder / "returns" / "ash.xlsx")
    make_return(workbook(folder, "autumn", "Birch-Primary"), folder / "returns" / "birch.xlsx",
                share=0)  # sent back empty  # fmt: skip
    make_return(workbook(folder, "autumn", "Cedar-Academy"), folder / "returns" / "cedar.xlsx")
    output = run(folder, "update", "--lenient").output.splitlines()
    assert "Usable returns: 2 complete, 0 incomplete, 1 with nothing rated (left out of the " \
        "means)." in output
    rows = {Path(r["file"]).name: r for r in read_csv(folder / "outputs" / "data" / "returns.csv")
            if r["status"] != "missing"}  # fmt: skip
    got = {name: (r["status"], r["completion"], r["codes"], r["read_leniently"])
           for name, r in rows.items()}  # fmt: skip
    assert got == {
        "ash.xlsx": ("warning", "55 of 56 rated, 98 % (read leniently)", "rating-read-as-unrated",
                     "true"),
        "birch.xlsx": ("warning", "0 of 56 rated, 0 %", "nothing-rated", "false"),
        "cedar.xlsx": ("accepted", "56 of 56 rated, 100 %", "", "false"),
    }  # fmt: skip
    scored = {r["setting"] for r in read_csv(folder / "outputs" / "data" / "scores.csv")}
    assert scored == {"Ash Primary", "Cedar Academy"}  # Birch: nothing rated, no score
    progressed = {r["setting"] for r in read_csv(folder / "outputs" / "data" / "progress.csv")}
    assert progressed == {"Ash Primary", "Cedar Academy"}
    book = openpyxl.load_workbook(folder / "outputs" / "consolidated.xlsx")
    summary = [c.value for row in book["Summary"].iter_rows() for c in row]
    assert "Usable returns: 2 complete, 0 incomplete, 1 with nothing rated (left out of the " \
        "means)." in summary
    # without --lenient, a misspelt rating rejects the return, as before
    # (misspelt otherwise: saved in the same second, the same bytes would be the same return)
    misspelt(ash, folder / "returns" / "ash-again.xlsx", word="Gren")
    run(folder, "update")
    assert statuses(folder)["returns/ash-again.xlsx"] == "rejected"
    # --lenient again reads nothing again: it says so, and how to take the fix in
    again = run(folder, "update", "--lenient").output.splitlines()
    assert again[0] == "No new returns in returns/."
    assert again[-1] == (
        "--lenient and --completion-threshold apply to returns read for the first time; a "
        "return taken in before is not read again (take the school's fixed file in with "
        "awardbooks add)."
    )
    assert statuses(folder)["returns/ash-again.xlsx"] == "rejected"
