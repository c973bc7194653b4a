"""LibreOffice round trips: fill a locked workbook as a person would, convert, recalculate."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from awardbooks.libreoffice.convert import LibreOfficeError
from tests import lofill as lo

pytestmark = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")

SHEET = "Theme 1"
CHOICES = ["Met", "Not met", "Exceeded"]


def build_workbook(path: Path) -> Path:
    """A protected sheet: C7 an unlocked dropdown, B7 a locked label, C9 an unlocked date
    cell, and two formulas whose cached values are deliberately wrong (999)."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(SHEET)
    unlocked = wb.add_format({"locked": False})
    ws.write("A1", "Rating")
    ws.write("B7", "Reading")
    ws.write_blank("C7", None, unlocked)
    ws.data_validation("C7", {"validate": "list", "source": CHOICES})
    ws.write_blank("C9", None, unlocked)
    ws.write_formula("D7", '=IF(C7="Met",1,0)+10', None, 999)
    ws.write_formula("D8", "=2+3", None, 999)
    ws.protect("pw")
    wb.close()
    return path


def soffice_processes(marker: Path) -> list[str]:
    """Live processes whose command line mentions marker (zombies have none)."""
    if shutil.which("pgrep"):
        done = subprocess.run(
            ["pgrep", "-af", re.escape(str(marker))], capture_output=True, text=True
        )
        return done.stdout.splitlines()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(marker) in cmdline:
            found.append(f"{proc.name} {cmdline}")
    return found


@pytest.fixture(autouse=True)
def no_leftover_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Put the default temporary profiles under tmp_path, then check that no soffice
    started by the test is still running (so other people's soffice never count)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    yield
    deadline = time.monotonic() + 5
    while (left := soffice_processes(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == []


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    (tmp_path / "in").mkdir()
    return build_workbook(tmp_path / "in" / "pupil.xlsx")


def test_source_cache_is_stale(workbook: Path) -> None:
    ws = openpyxl.load_workbook(workbook, data_only=True)[SHEET]
    assert (ws["D7"].value, ws["D8"].value) == (999, 999)


def test_fill_unlocked_cell(workbook: Path, tmp_path: Path) -> None:
    before = workbook.read_bytes()
    dst = tmp_path / "filled.xlsx"
    lo.fill(workbook, dst, {SHEET: {"C7": "Met", "C9": {"date": "2026-10-31"}}})

    assert workbook.read_bytes() == before
    assert sorted(p.name for p in workbook.parent.iterdir()) == ["pupil.xlsx"]  # no lock file

    ws = openpyxl.load_workbook(dst, data_only=True)[SHEET]
    assert ws["C7"].value == "Met"
    assert ws["D7"].value == 11  # dependent of the edit
    assert ws["D8"].value == 5  # stale cache recalculated too
    assert ws["C9"].value == dt.datetime(2026, 10, 31)
    assert ws["C9"].is_date
    assert ws["C9"].number_format == "yyyy\\-mm\\-dd"

    ws = openpyxl.load_workbook(dst)[SHEET]
    assert ws["D7"].value == '=IF(C7="Met",1,0)+10'
    rules = ws.data_validations.dataValidation
    assert len(rules) == 1
    rule = rules[0]
    assert (rule.type, str(rule.sqref), rule.formula1) == ("list", "C7", '"Met,Not met,Exceeded"')
    assert ws.protection.sheet is True
    original = openpyxl.load_workbook(workbook)[SHEET].protection.password
    assert ws.protection.password.lower() == original.lower()
    assert ws["C7"].protection.locked is False
    assert ws["B7"].protection.locked is True


def test_fill_locked_cell_is_refused(workbook: Path, tmp_path: Path) -> None:
    dst = tmp_path / "filled.xlsx"
    with pytest.raises(LibreOfficeError) as info:
        lo.fill(workbook, dst, {SHEET: {"C7": "Met", "B7": "Writing"}})
    assert str(info.value) == "Theme 1!B7 is locked"
    assert not dst.exists()


def test_fill_many_without_lock_check(workbook: Path, tmp_path: Path) -> None:
    other = build_workbook(tmp_path / "in" / "other.xlsx")
    jobs = [
        (workbook, tmp_path / "a.xlsx", {SHEET: {"B7": "Writing", "C9": dt.date(2027, 1, 2)}}),
        (other, tmp_path / "b.xlsx", {SHEET: {"C7": "Exceeded", "C9": "=D8*2"}}),
    ]
    lo.fill_many(jobs, respect_locks=False, profile_dir=tmp_path / "profile")

    a = openpyxl.load_workbook(tmp_path / "a.xlsx", data_only=True)[SHEET]
    assert (a["B7"].value, a["C9"].value, a["D7"].value) == ("Writing", dt.datetime(2027, 1, 2), 10)
    b = openpyxl.load_workbook(tmp_path / "b.xlsx", data_only=True)[SHEET]
    assert (b["C7"].value, b["C9"].value, b["D7"].value) == ("Exceeded", 10, 10)


def test_convert_recalculates_stale_cache(workbook: Path, tmp_path: Path) -> None:
    out = lo.convert([workbook], tmp_path / "out")
    assert out == [tmp_path / "out" / "pupil.xlsx"]
    ws = openpyxl.load_workbook(out[0], data_only=True)[SHEET]
    assert (ws["D7"].value, ws["D8"].value) == (10, 5)


def test_convert_to_pdf(workbook: Path, tmp_path: Path) -> None:
    (pdf,) = lo.convert([workbook], tmp_path / "pdf", "pdf", profile_dir=tmp_path / "profile")
    assert pdf == tmp_path / "pdf" / "pupil.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")


def test_convert_refuses_input_folder(workbook: Path) -> None:
    with pytest.raises(LibreOfficeError, match="^Refusing to convert pupil.xlsx into its own "):
        lo.convert([workbook], workbook.parent)


def test_convert_timeout_kills_office(workbook: Path, tmp_path: Path) -> None:
    with pytest.raises(LibreOfficeError) as info:
        lo.convert([workbook], tmp_path / "out", timeout=0.2)
    assert str(info.value) == "LibreOffice did not finish converting 1 file(s) to xlsx within 0.2 s"


def test_make_profile_sets_recalc_on_load(tmp_path: Path) -> None:
    url = lo.make_profile(tmp_path / "p")
    assert url == (tmp_path / "p").resolve().as_uri()
    xcu = (tmp_path / "p" / "user" / "registrymodifications.xcu").read_text()
    assert '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value>' in xcu
    assert lo.make_profile(tmp_path / "p") == url  # idempotent
    assert (tmp_path / "p" / "user" / "registrymodifications.xcu").read_text() == xcu
