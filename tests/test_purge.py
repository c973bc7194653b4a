"""``awardbooks purge``: a setting's returns, or those taken in before a date, erased from a
collection (the files under returns/, the kept originals, the ledger's rows, the feedback
reports, the caches), with nothing of them left in any file of the collection, the ledger
included; asked first unless ``--yes``; safe to stop with ``kill -9`` at any point."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from awardbooks.common.csvfiles import csv_reader
from awardbooks.spec import loading
from awardbooks.workbook.layout import layout_for
from tests.collection_tools import ROSTER, count, dump, make_return, run, sound
from tests.test_encrypted import holding

YEAR = "2026-27"
ROOT = Path(__file__).resolve().parent.parent
TYPED = "Zephyrine Quillfeather"


@pytest.fixture
def coll(tmp_path) -> Path:
    """A collection with Ash's return (its cover typed with TYPED) and Birch's taken in."""
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "c"
    run(None, "new", str(folder), "--framework", "lppa", "--roster", str(roster), "--year", YEAR)
    run(folder, "generate", "--term", "autumn")
    for n, name in enumerate(("Ash-Primary", "Birch-Primary")):
        path = make_return(folder / "workbooks" / "autumn" / f"{name}_lppa_{YEAR}_autumn.xlsx",
                           folder / "returns" / f"{name}.xlsx", seed=n)  # fmt: skip
        if name == "Ash-Primary":  # the school types who completed it
            book = openpyxl.load_workbook(path)
            cell = layout_for(loading.load("lppa")).cover_inputs["completed_by"].a1
            book["Cover"][cell] = TYPED
            book.save(path)
    run(folder, "update")
    run(folder, "report", "--no-pdf")
    assert {".awardbooks/ledger.sqlite", "returns/Ash-Primary.xlsx"} <= set(holding(folder, TYPED))
    return folder


def statuses(coll: Path) -> dict[str, str]:
    rows = csv_reader((coll / "outputs" / "data" / "returns.csv").read_text("utf-8"))
    return {r["setting"]: r["status"] for r in rows}


def test_purge_a_setting_leaves_nothing_of_it(coll):
    result = run(coll, "purge", "--setting", "Ash Primary", "--yes")
    assert result.output == (
        "This erases 1 return (Ash Primary): 1 file and their kept copies, 1 feedback report; "
        "it cannot be undone.\n"
        "  returns/Ash-Primary.xlsx\n"
        "Erased 1 return and 4 files; the outputs are rebuilt and the ledger holds nothing of "
        "them.\n"
    )
    assert holding(coll, TYPED) == []
    assert not (coll / "returns" / "Ash-Primary.xlsx").exists()
    assert sorted(p.name for p in (coll / "outputs" / "feedback").iterdir()) == [
        f"Birch-Primary_lppa_{YEAR}_autumn_feedback.xlsx"
    ]
    assert statuses(coll)["Ash Primary"] == "missing"
    assert statuses(coll)["Birch Primary"] == "accepted"
    assert not [p for p in coll.rglob("*") if p.name.endswith(("-journal", "-wal", ".tmp"))]
    sound(coll / ".awardbooks" / "ledger.sqlite")
    # nothing comes back with the next update
    assert run(coll, "update").output.startswith("No new returns in returns/.")
    assert statuses(coll)["Ash Primary"] == "missing"


def test_purge_asks_first_and_no_keeps_everything(coll):
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    before = dump(ledger)
    result = run(coll, "purge", "--setting", "100001", input="n\n")
    assert result.output.splitlines()[-2:] == [
        "Erase them? [y/N]: n",
        "Nothing was erased.",
    ]
    assert dump(ledger) == before
    assert (coll / "returns" / "Ash-Primary.xlsx").is_file()


def test_purge_before_a_date(coll):
    today = dt.date.today()
    result = run(coll, "purge", "--before", today.isoformat(), "--yes", ok=False)
    assert result.output == (
        f"Error: {coll}: no returns taken in before {today.isoformat()} to purge\n"
    )
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    result = run(coll, "purge", "--before", tomorrow, "--yes")
    assert result.output.splitlines()[0] == (
        "This erases 2 returns (Ash Primary, Birch Primary): 2 files and their kept copies, 2 "
        "feedback reports; it cannot be undone."
    )
    assert count(coll / ".awardbooks" / "ledger.sqlite", "returns") == 0
    assert holding(coll, TYPED) == []
    assert not list((coll / ".awardbooks" / "originals").glob("*/*"))


def test_purge_needs_one_of_its_options(coll):
    result = run(coll, "purge", "--yes", ok=False)
    assert result.output == "Error: give --setting URN or --before DATE (one of them)\n"


KILLED = """
import os, signal, sys
from awardbooks.collection import commands
where = sys.argv[2]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if where == "before-commit":  # the ledger's rows deleted, the outputs not yet rebuilt
    commands.refresh = die
else:  # committed; the files not yet erased
    real_hold, calls = commands.hold, []
    def hold(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            die()
        return real_hold(*args, **kwargs)
    commands.hold = hold
from awardbooks.cli import main
sys.argv = ["awardbooks", "-C", sys.argv[1], "purge", "--setting", "100001", "--yes"]
main()
"""


def killed_purge(coll: Path, where: str) -> None:
    proc = subprocess.run([sys.executable, "-c", KILLED, str(coll), where], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr


def test_kill_9_before_the_purge_commits_loses_nothing(coll):
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    before = dump(ledger)
    files = sorted(p.relative_to(coll) for p in coll.rglob("*") if p.is_file())
    killed_purge(coll, "before-commit")
    assert (coll / ".awardbooks" / "erasing.json").is_file()
    assert dump(ledger) == before  # SQLite rolls back the purge's changes
    result = run(coll, "update")  # finds the purge unfinished: erases nothing
    assert "did not finish; this one has done its work." in result.output
    after = sorted(p.relative_to(coll) for p in coll.rglob("*") if p.is_file())
    assert set(files) - set(after) == set()
    assert statuses(coll) == {"Ash Primary": "accepted", "Birch Primary": "accepted",
                              "Cedar Academy": "missing", "Damson Infants": "missing"}  # fmt: skip
    assert not (coll / ".awardbooks" / "erasing.json").exists()


def test_kill_9_after_the_purge_commits_is_finished_by_the_next_command(coll):
    killed_purge(coll, "after-commit")
    assert (coll / "returns" / "Ash-Primary.xlsx").is_file()  # not erased yet
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    # the ledger's deleted rows were zeroed as they were deleted, before any VACUUM
    assert TYPED.encode() not in ledger.read_bytes()
    run(coll, "update")
    assert holding(coll, TYPED) == []
    assert statuses(coll)["Ash Primary"] == "missing"
    assert count(ledger, "returns") == 1


def test_purge_a_setting_takes_its_return_that_could_not_be_read(coll, tmp_path):
    from awardbooks.common.passwords import encrypt

    name = f"Ash-Primary_lppa_{YEAR}_autumn.xlsx"
    sealed = coll / "returns" / name  # saved with a password of the school's own
    sealed.write_bytes(encrypt((coll / "returns" / "Ash-Primary.xlsx").read_bytes(), "ours"))
    run(coll, "update")
    rows = csv_reader((coll / "outputs" / "data" / "returns.csv").read_text("utf-8"))
    assert [r["errors"].split(": ", 1)[1][:60] for r in rows if r["file"] == f"returns/{name}"] == [
        "the workbook is encrypted with a password, and no password w"
    ]
    result = run(coll, "purge", "--setting", "100001", "--yes")
    assert result.output.splitlines()[0] == (
        "This erases 2 returns (Ash Primary): 2 files and their kept copies, 1 feedback report; "
        "it cannot be undone."
    )
    assert not sealed.exists()
    assert count(coll / ".awardbooks" / "ledger.sqlite", "returns") == 1


def test_a_password_typed_for_a_return_is_kept_with_it_and_purged_with_it(coll):
    from awardbooks.common.passwords import encrypt, read_passwords

    name = f"Ash-Primary_lppa_{YEAR}_autumn.xlsx"
    sealed = coll / "returns" / name  # saved with a password of the school's own
    sealed.write_bytes(encrypt((coll / "returns" / "Ash-Primary.xlsx").read_bytes(), "ours"))
    run(coll, "update")
    run(coll, "update", "--ask-password", input="ours\n")
    rows = csv_reader((coll / "outputs" / "data" / "returns.csv").read_text("utf-8"))
    assert {r["file"]: r["errors"] for r in rows}[f"returns/{name}"] == ""
    remembered = coll / ".awardbooks" / "passwords.csv"
    assert list(read_passwords(remembered).entries) == [name]
    run(coll, "purge", "--setting", "100001", "--yes")
    assert read_passwords(remembered).entries == {}
