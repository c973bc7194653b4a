"""Reading single returns: recognition, tampering, editions, archives, progress."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from awardbooks.api import consolidate as analyse
from awardbooks.problems import Problem
from awardbooks.read.returns import Registry, parse_date, read_bytes, read_path
from awardbooks.spec.model import Framework
from awardbooks.workbook.layout import layout_for

from .conftest import make_workbook
from .foreign import compound_file


def said(problems: list[Problem]) -> list[tuple[str, str]]:
    """Each problem's code and the exact line a user sees."""
    return [(p.code, str(p)) for p in problems]


@pytest.fixture(scope="module")
def registry():
    return Registry.default()


def test_inserted_rows_are_found_by_id(tmp_path, frameworks, registry):
    fw = frameworks["behaviour-attendance"]
    path = make_workbook(fw, tmp_path, ratings={"1.1": "Enhancing", "2.3": "Developed"})
    wb = openpyxl.load_workbook(path)
    ws = wb["Self-evaluation"]
    ws.protection.sheet = False
    ws.insert_rows(8, 2)
    for merged in ws.merged_cells.ranges:  # openpyxl leaves merges behind; Excel moves them
        if merged.min_row >= 8:
            merged.shift(0, 2)
    wb.save(path)
    record = read_path(path, registry)
    assert record.status == "warning"
    assert record.ratings["1.1"].label == "Enhancing"
    assert record.ratings["2.3"].label == "Developed"
    moved = [p for p in record.warnings if p.code == "rows-moved"]
    assert [(p.sheet, p.cell, str(p)) for p in moved] == [
        ("Self-evaluation", "", f"{path}: Self-evaluation: rows were inserted or deleted; the "
         "ratings were found by their ids"),
    ]  # fmt: skip


def test_inserted_column_is_an_error(tmp_path, frameworks, registry):
    fw = frameworks["lppa"]
    path = make_workbook(fw, tmp_path, ratings={"1.1": "Green"})
    wb = openpyxl.load_workbook(path)
    wb["Objective 1"].insert_cols(2)
    wb.save(path)
    record = read_path(path, registry)
    assert record.status == "rejected"
    assert said(record.errors) == [
        ("heading-changed", f"{path}: Objective 1!B5: expected the heading 'KPI' but found '': "
         "columns were inserted, deleted or moved, so the ratings cannot be read safely"),
    ]  # fmt: skip
    assert (record.errors[0].sheet, record.errors[0].cell) == ("Objective 1", "B5")


def edition(fw: Framework, version: str, drop_last: bool = False) -> Framework:
    data = fw.model_dump()
    data["version"] = version
    if drop_last:
        data["groups"][0]["items"] = data["groups"][0]["items"][:-1]
    return Framework.model_validate(data)


def test_other_edition_accepted_when_ids_match(tmp_path, frameworks):
    fw = frameworks["lppa"]
    old = edition(fw, "2025.1")
    path = make_workbook(old, tmp_path, ratings={"1.1": "Amber"})
    record = read_path(path, Registry([fw], completion_threshold=0))  # about editions only
    assert record.status == "warning"
    assert record.ratings["1.1"].label == "Amber"
    assert said(record.warnings) == [
        ("edition-older", f"{path}: made from edition 2025.1 of LPPA; this analysis uses edition "
         "2026.2; the item ids match, so it was read"),
    ]  # fmt: skip


def test_other_edition_rejected_when_items_differ(tmp_path, frameworks):
    fw = frameworks["lppa"]
    old = edition(fw, "2019.1", drop_last=True)
    path = make_workbook(old, tmp_path)
    record = read_path(path, Registry([fw]))
    assert record.status == "rejected"
    assert said(record.errors) == [
        ("edition-items-differ", f"{path}: made from edition 2019.1 of LPPA, whose items do not "
         "match edition 2026.2 (e.g. '1.4' is not in Objective 1!A9); send the school a workbook "
         "of the current edition, or pass that edition's spec with --spec to line its ratings up "
         "with this one"),
    ]  # fmt: skip
    assert record.errors[0].fix.startswith("send the school a workbook of the current edition")


def test_older_edition_lined_up_through_the_map(tmp_path, frameworks):
    """An old edition's return, read with that edition's spec and mapped onto this one."""
    fw = frameworks["lppa"]
    data = fw.model_dump()
    old_data = fw.model_dump()
    old_data["version"] = "2019.1"
    items = old_data["groups"][0]["items"]
    items[0]["id"] = "1.1-old"  # renamed since
    old_data["groups"][0]["items"] = (*items, dict(items[1], id="1.9", text="A KPI dropped since"))
    old = Framework.model_validate(old_data)
    data["previous_editions"] = [{"version": "2019.1", "map": {"1.1-old": "1.1", "1.9": None}}]
    current = Framework.model_validate(data)
    path = make_workbook(old, tmp_path, ratings={"1.1-old": "Green", "1.2": "Amber", "1.9": "Red"})
    record = read_path(path, Registry([current, old], completion_threshold=0))
    assert record.status == "warning"
    assert record.framework is current
    assert {k: r.label for k, r in record.ratings.items() if r.label} == {
        "1.1": "Green",
        "1.2": "Amber",
    }
    assert said(record.warnings) == [
        ("edition-lined-up", f"{path}: made from edition 2019.1 of LPPA; its ratings were lined "
         "up with edition 2026.2 through the spec's map"),
        ("edition-rating-left-out", f"{path}: item '1.9' was removed in LPPA edition 2026.2; its "
         "rating 'Red' from edition 2019.1 is left out"),
    ]  # fmt: skip


def test_unknown_framework(tmp_path, frameworks):
    path = make_workbook(frameworks["lppa"], tmp_path)
    record = read_path(path, Registry([frameworks["behaviour-attendance"]]))
    assert said(record.errors) == [
        ("framework-unknown", f"{path}: made from framework 'lppa', which this analysis does not "
         "know (known: behaviour-attendance); pass its spec with --spec FILE"),
    ]  # fmt: skip
    assert record.errors[0].fix == "pass its spec with --spec FILE"


def test_zip_archive_of_returns(tmp_path, frameworks):
    fw = frameworks["family-partnership"]
    a = make_workbook(
        fw, tmp_path / "a", setting="Alder School", ratings={"1:judgement": "Embedded"}
    )
    b = make_workbook(
        fw, tmp_path / "b", setting="Birch School", ratings={"2:judgement": "Emergent"}
    )
    archive = tmp_path / "in" / "returns.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(a, "Re- your audit/Alder.xlsx")
        zf.write(b, "Birch.xlsx")
        zf.writestr("__MACOSX/._Birch.xlsx", b"junk")
        zf.writestr("notes.txt", b"not a return")
    c = analyse([archive.parent], today=None, completion_threshold=0)  # one theme judged
    assert list(c.returns["file"]) == [
        f"{archive}!Re- your audit/Alder.xlsx",
        f"{archive}!Birch.xlsx",
    ]
    assert list(c.returns["status"]) == ["accepted", "accepted"]
    overall = c.scores[c.scores["group_id"] == "ALL"].set_index("setting")["score_pct"]
    assert overall["Alder School"] == 100.0
    assert overall["Birch School"] == 35.0


def test_progress_change_and_slippage(tmp_path, frameworks):
    fw = frameworks["lppa"]
    autumn = {"1.1": "Amber", "1.2": "Amber", "2.1": "Green"}
    spring = {"1.1": "Green", "1.2": "Green", "2.1": "Amber"}
    make_workbook(fw, tmp_path, setting="Ash", term="autumn", ratings=autumn)
    make_workbook(fw, tmp_path, setting="Ash", term="spring", ratings=spring)
    c = analyse([tmp_path])
    p = c.progress.set_index(["group_id", "term"])
    assert p.loc[("1", "autumn"), "score_pct"] == 50.0
    assert p.loc[("1", "spring"), "score_pct"] == 100.0
    assert p.loc[("1", "spring"), "change_pct"] == 50.0
    assert p.loc[("2", "spring"), "change_pct"] == -50.0
    assert bool(p.loc[("2", "spring"), "slipped"]) is True
    assert bool(p.loc[("1", "spring"), "slipped"]) is False
    assert bool(p.loc[("ALL", "spring"), "slipped"]) is True
    # overall: autumn (50+50+100)/3 = 66.7; spring (100+100+50)/3 = 83.3
    assert p.loc[("ALL", "autumn"), "score_pct"] == 66.7
    assert p.loc[("ALL", "spring"), "change_pct"] == 16.7  # 83.33 - 66.67, rounded once


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("31/10/2026", ("2026-10-31", "", "'31/10/2026' read as 31 October 2026")),
        ("1/2/27", ("2027-02-01", "", "'1/2/27' read as 01 February 2027")),
        ("2026-10-31", ("2026-10-31", "", "'2026-10-31' read as 31 October 2026")),
        (
            "10/31/2026",
            (
                "",
                "date-month-first: '10/31/2026' is not a real date (dates are read as "
                "dd/mm/yyyy, the UK way); left empty; for 31 October 2026 type 31/10/2026",
                "",
            ),
        ),
        (
            "31/02/2026",
            (
                "",
                "date-not-real-uk: '31/02/2026' is not a real date (dates are read as "
                "dd/mm/yyyy, the UK way); left empty",
                "",
            ),
        ),
        ("2026-02-30", ("", "date-not-real: '2026-02-30' is not a real date; left empty", "")),
        (
            "soon",
            (
                "",
                "date-not-a-date: 'soon' is not a date; left empty; type dates as dd/mm/yyyy "
                "or as 16 Oct 2026",
                "",
            ),
        ),
        (-4.0, ("", "date-number-out-of-range: -4.0 is not a date; left empty", "")),
        # dates as people in the UK write them; never month first
        ("16th Oct 2026", ("2026-10-16", "", "'16th Oct 2026' read as 16 October 2026")),
        ("16/10/26", ("2026-10-16", "", "'16/10/26' read as 16 October 2026")),
        ("16 October 2026", ("2026-10-16", "", "'16 October 2026' read as 16 October 2026")),
        ("16-10-2026", ("2026-10-16", "", "'16-10-2026' read as 16 October 2026")),
        ("16.10.2026", ("2026-10-16", "", "'16.10.2026' read as 16 October 2026")),
        ("16-Oct-26", ("2026-10-16", "", "'16-Oct-26' read as 16 October 2026")),
        ("Oct 16th 2026", ("2026-10-16", "", "'Oct 16th 2026' read as 16 October 2026")),
        ("October 16, 2026", ("2026-10-16", "", "'October 16, 2026' read as 16 October 2026")),
        ("Friday 16th of October 2026",
         ("2026-10-16", "", "'Friday 16th of October 2026' read as 16 October 2026")),
        ("3 Sept 2026", ("2026-09-03", "", "'3 Sept 2026' read as 03 September 2026")),
        ("01/02/26", ("2026-02-01", "", "'01/02/26' read as 01 February 2026")),
        ("31 Feb 2026", ("", "date-not-real: '31 Feb 2026' is not a real date; left empty", "")),
        (
            "16 Oct",  # no year: which year is not clear
            (
                "",
                "date-not-a-date: '16 Oct' is not a date; left empty; type dates as dd/mm/yyyy "
                "or as 16 Oct 2026",
                "",
            ),
        ),
        (46326.0, ("2026-10-31", "", "the number 46326 read as 31 October 2026")),
    ],
)
def test_parse_date(raw, expected):
    iso, problem, note = parse_date(raw)
    assert (iso, f"{problem.code}: {problem}" if problem else "", note) == expected
    if problem:  # the reader adds the place
        assert (problem.file, problem.sheet, problem.cell) == ("", "", "")


@pytest.mark.parametrize(
    ("data", "code", "reason"),
    [
        (b"", "file-empty", "the file is empty (0 bytes); send the workbook again"),
        (b"%PDF-1.7 ...", "file-pdf", "this is a PDF, not a workbook; send the .xlsx file itself"),
        (
            compound_file({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00"}),
            "file-xls",
            "this is an old Excel 97-2003 (.xls) file; open it and save it as an Excel Workbook "
            "(.xlsx)",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "file-damaged",
            "the file is damaged or incomplete (an old-style Office file whose structure cannot "
            "be read); send the workbook again",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptionInfo".encode("utf-16-le"),
            "file-encrypted",
            "the workbook is encrypted with a password; open it, remove the password (File > "
            "Info > Protect Workbook > Encrypt with Password) and save it again",
        ),
        (
            b"PK\x03\x04truncated",
            "file-damaged",
            "the file is damaged or incomplete (its end is missing or unreadable); send the "
            "workbook again",
        ),
        (
            b"a,b\nc,d\n",
            "file-csv",
            "this is a CSV file: the values of one sheet as plain text, not the workbook; send "
            "the Excel workbook (.xlsx) itself, not a copy saved as CSV",
        ),
        (
            b"Dear Sir,\nplease find our audit attached\n",
            "file-not-workbook",
            "this is a text file, not an Excel workbook (.xlsx), whatever its name; send the "
            "Excel workbook (.xlsx) itself",
        ),
    ],
)
def test_broken_files_one_line_reason(data, code, reason, registry):
    record = read_bytes(data, "x.xlsx", registry)
    assert record.status == "rejected"
    assert said(record.errors) == [(code, f"x.xlsx: {reason}")]
    (problem,) = record.errors
    assert (problem.severity, problem.file, problem.where) == ("error", "x.xlsx", "")


def test_layout_is_shared(frameworks):
    # the reader's idea of where ratings are is the writer's
    for fw in frameworks.values():
        layout = layout_for(fw)
        assert len({(r.sheet, r.row) for r in layout.rating_rows}) == len(layout.rating_rows)


def test_zip_inside_a_zip_is_opened(tmp_path, frameworks):
    fw = frameworks["family-partnership"]
    a = make_workbook(
        fw, tmp_path / "a", setting="Alder School", ratings={"1:judgement": "Embedded"}
    )
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.write(a, "Alder.xlsx")
    outer = tmp_path / "in" / "outer.zip"
    outer.parent.mkdir()
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "replies/inner.zip")
    c = analyse([outer.parent], completion_threshold=0)
    assert list(c.returns["file"]) == [f"{outer}!replies/inner.zip!Alder.xlsx"]
    assert list(c.returns["status"]) == ["accepted"]
