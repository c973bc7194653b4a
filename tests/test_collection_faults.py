"""What a collection survives: two updates at once, ``kill -9`` in the middle of an update, a
write that fails part-way because the disk is full (the originals, the ledger, the outputs),
and a ledger made by an older awardbooks. After each, the ledger is exactly as it was (or
complete) and passes SQLite's integrity check (tests/conftest.py checks every test's ledgers)."""

from __future__ import annotations

import errno
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from awardbooks.collection import ledger as ledger_mod
from awardbooks.collection import originals as originals_mod
from awardbooks.outputs import consolidated
from tests.collection_tools import ROSTER, count, dump, make_return, run

YEAR = "2026-27"
ROOT = Path(__file__).resolve().parent.parent

STALLED = """
import sys, time, pathlib
from awardbooks.collection import intake, ledger
marker, go, where = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[4]

def stall():
    marker.write_text("stalled")
    while not go.exists():
        time.sleep(0.05)

if where == "commit":
    real_commit = ledger.Ledger.commit
    def commit(self):
        stall()
        real_commit(self)
    ledger.Ledger.commit = commit
else:  # in the middle of taking returns in: after the first return is recorded
    real_insert = intake.insert_return
    calls = []
    def insert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            stall()
        return real_insert(*args, **kwargs)
    intake.insert_return = insert
from awardbooks.cli import main
sys.argv = ["awardbooks", "-C", sys.argv[3], "update"]
main()
"""


@pytest.fixture
def coll(tmp_path) -> Path:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    folder = tmp_path / "c"
    run(None, "new", str(folder), "--framework", "lppa", "--roster", str(roster), "--year", YEAR)
    run(folder, "generate", "--term", "autumn")
    return folder


def returns_of(folder: Path, *names: str) -> None:
    for n, name in enumerate(names):
        make_return(folder / "workbooks" / "autumn" / f"{name}_lppa_{YEAR}_autumn.xlsx",
                    folder / "returns" / f"{name}.xlsx", seed=n)  # fmt: skip


def stalled_update(folder: Path, tmp_path: Path, where: str) -> tuple[subprocess.Popen, Path]:
    """``awardbooks update`` in another process, stopped at ``where`` (before its commit, or
    after its first return is recorded) until the returned file exists."""
    marker, go = tmp_path / "stalled", tmp_path / "go"
    proc = subprocess.Popen(
        [sys.executable, "-c", STALLED, str(marker), str(go), str(folder), where],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"the update did not stall: {proc.communicate()}")
        time.sleep(0.05)
    return proc, go


def test_a_second_update_waits_then_says_who_holds_the_collection(coll, tmp_path):
    returns_of(coll, "Ash-Primary")
    proc, go = stalled_update(coll, tmp_path, "commit")
    try:
        started = time.monotonic()
        result = run(coll, "update", "--wait", "1", ok=False)
        assert time.monotonic() - started >= 1
        assert result.exit_code == 1
        holder = (rf"process {proc.pid} \(awardbooks update, started "
                  r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)")  # fmt: skip
        assert re.fullmatch(
            rf"Waiting for {holder}, which is using the collection\.\.\.\n"
            rf"Error: {re.escape(str(coll))}: the collection is in use by {holder}; run this "
            r"again when it has finished \(or wait longer with --wait SECONDS\)\n",
            result.stderr,
        ), result.stderr
        # waiting long enough: the first finishes, then the second runs
        threading.Timer(1.0, go.touch).start()
        result = run(coll, "update", "--wait", "60")
        assert "which is using the collection..." in result.stderr
        assert result.stdout.startswith("No new returns in returns/.")
    finally:
        go.touch()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.startswith("Took in 1 new file: 1 new return.")


def test_kill_9_in_the_middle_of_an_update_leaves_the_ledger_as_it_was(coll, tmp_path):
    returns_of(coll, "Ash-Primary")
    run(coll, "update")
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    before = dump(ledger)
    returns_of(coll, "Birch-Primary", "Cedar-Academy", "Damson-Infants")
    proc, _go = stalled_update(coll, tmp_path, "insert")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert dump(ledger) == before  # SQLite rolled back what the update had written
    conn = sqlite3.connect(ledger)
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    result = run(coll, "update")
    lines = result.output.splitlines()
    assert re.fullmatch(
        rf"The previous command \(process {proc.pid} \(awardbooks update, started [^)]+\)\) did "
        r"not finish; this one has done its work\.",
        lines[0],
    ), lines[0]
    assert lines[1] == "Took in 3 new files: 3 new returns."
    assert count(ledger, "returns") == 4
    assert not list((coll / ".awardbooks" / "originals").glob("*/.*.tmp"))


FULL = (
    r"Error: {root}: the disk is full \([\d.,]+ MB free\); nothing was lost: the ledger is as "
    r"it was before this update, and every return is still in returns/\. Free at least "
    r"[\d.,]+ MB on that disk \(old files, the recycle bin, or copies of outputs you no longer "
    r"need\) and run awardbooks update again\n"
)


def no_space(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def assert_full(result, coll: Path) -> None:
    assert result.exit_code == 1
    assert re.fullmatch(FULL.format(root=re.escape(str(coll))), result.output), result.output


def test_disk_full_while_keeping_a_return(coll, monkeypatch):
    returns_of(coll, "Ash-Primary")
    run(coll, "update")
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    before = dump(ledger)
    returns_of(coll, "Birch-Primary", "Cedar-Academy")
    real = originals_mod.write_durably
    written = []

    def half_then_full(path, write, mode=0o444):
        def partly(handle):
            handle.write(b"PK\x03\x04 part of a workbook")
            written.append(path)
            no_space()

        real(path, partly if path.suffix == ".xlsx" and written == [] else write, mode)

    monkeypatch.setattr(originals_mod, "write_durably", half_then_full)
    assert_full(run(coll, "update", ok=False), coll)
    assert written  # the failure came part-way through a file
    assert dump(ledger) == before
    kept = list((coll / ".awardbooks" / "originals").glob("*/*"))
    assert not [p for p in kept if p.name.startswith(".")]  # no half-written file left
    monkeypatch.undo()
    assert run(coll, "update").output.startswith("Took in 2 new files: 2 new returns.")


def test_disk_full_while_writing_the_ledger(coll, monkeypatch):
    returns_of(coll, "Ash-Primary")
    run(coll, "update")
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    before = dump(ledger)
    conn = sqlite3.connect(ledger)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    returns_of(coll, "Birch-Primary", "Cedar-Academy", "Damson-Infants")
    limit = (f"max_page_count = {pages + 2}",)
    monkeypatch.setattr(ledger_mod, "CONNECT_PRAGMAS", ledger_mod.CONNECT_PRAGMAS + limit)
    assert_full(run(coll, "update", ok=False), coll)
    monkeypatch.undo()
    assert dump(ledger) == before
    assert run(coll, "update").output.startswith("Took in 3 new files: 3 new returns.")


def test_disk_full_while_writing_the_outputs(coll, monkeypatch):
    returns_of(coll, "Ash-Primary")
    run(coll, "update")
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    before = dump(ledger)
    workbook = coll / "outputs" / "consolidated.xlsx"
    old = workbook.read_bytes()
    returns_of(coll, "Birch-Primary")
    real = consolidated.atomic_write

    def part_then_full(path, write):
        def partly(handle):
            handle.write(old[:1000])
            no_space()

        real(path, partly)

    monkeypatch.setattr(consolidated, "atomic_write", part_then_full)
    assert_full(run(coll, "update", ok=False), coll)
    monkeypatch.undo()
    assert dump(ledger) == before
    assert workbook.read_bytes() == old  # the previous outputs are whole
    assert not [p for p in (coll / "outputs").iterdir() if p.name.startswith(".")]
    assert run(coll, "update").output.startswith("Took in 1 new file: 1 new return.")


def test_a_ledger_of_an_older_version_is_migrated(coll):
    """A version-1 ledger is what awardbooks wrote before version 2 added its tables (the
    returns' CSV text and level counts, the settings' progress, the terms' summaries): made
    here by taking them away again. The first update adds them, fills them in, and the
    outputs are the same."""
    returns_of(coll, "Ash-Primary", "Birch-Primary")
    run(coll, "update")
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    data = {p.name: p.read_bytes() for p in (coll / "outputs" / "data").iterdir()}
    conn = sqlite3.connect(ledger)
    with conn:
        for table in ("return_text", "return_levels", "setting_progress", "term_summary"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("PRAGMA user_version = 1")
    before = [line for line in dump(ledger) if "outputs" not in line]
    conn.close()
    (coll / "outputs" / "consolidated.xlsx").unlink()  # so that the outputs are written again
    result = run(coll, "update")
    assert result.output.splitlines()[0] == (
        "Brought the ledger up to date (it was written by an older awardbooks: ledger version 1)."
    )
    conn = sqlite3.connect(ledger)
    assert conn.execute("PRAGMA user_version").fetchone() == (ledger_mod.VERSION,)
    assert conn.execute("SELECT COUNT(*) FROM return_text").fetchone() == (2,)
    conn.close()
    after = [line for line in dump(ledger) if "outputs" not in line]
    assert set(before) <= set(after)  # nothing of version 1 was lost
    assert {p.name: p.read_bytes() for p in (coll / "outputs" / "data").iterdir()} == data
    assert "Brought" not in run(coll, "update").output


def test_a_ledger_of_a_newer_version_is_refused(coll):
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    conn = sqlite3.connect(ledger)
    conn.execute(f"PRAGMA user_version = {ledger_mod.VERSION + 1}")
    conn.close()
    result = run(coll, "status", ok=False)
    assert result.output == (
        f"Error: {ledger}: was written by a newer awardbooks (ledger version "
        f"{ledger_mod.VERSION + 1}; this awardbooks knows up to {ledger_mod.VERSION}); upgrade "
        "awardbooks (pip install --upgrade awardbooks)\n"
    )
    conn = sqlite3.connect(ledger)
    conn.execute(f"PRAGMA user_version = {ledger_mod.VERSION}")
    conn.close()


def test_a_ledger_kept_busy_too_long_is_one_clear_line(coll, monkeypatch):
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    monkeypatch.setattr(ledger_mod, "BUSY_SECONDS", 0.2)
    writer = sqlite3.connect(ledger)
    writer.execute("BEGIN EXCLUSIVE")  # another program holding the file
    try:
        result = run(coll, "status", ok=False)
    finally:
        writer.rollback()
        writer.close()
    assert result.output == (
        f"Error: {ledger}: the ledger is busy (another awardbooks command has been writing to "
        "it for over 0.2 seconds); run this again when it has finished\n"
    )
