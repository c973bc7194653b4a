"""The read stage's problems as data: the catalogue of codes, and for each kind a case that
reaches it, asserting its code, exact message and place (sheet and cell). The corpus
(tests/corpus*.py) covers the container's refusals and the structure checks the same way."""

from __future__ import annotations

import ast
import datetime as dt
import io
import pickle
import re
import zipfile
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import awardbooks
from awardbooks import api
from awardbooks.cli import cli
from awardbooks.errors import ReturnError
from awardbooks.problems import Problem, catalogue
from awardbooks.read import codes, container, emails
from awardbooks.read.container import Refusal
from awardbooks.read.returns import (
    Registry,
    ReturnReader,
    ReturnRecord,
    one_line,
    read_bytes,
    read_path,
)
from awardbooks.spec.model import Framework
from awardbooks.workbook.layout import Cell, layout_for

from .conftest import make_workbook
from .foreign import compound_file
from .outlook_msg import outlook_msg
from .pkgedit import Entry, deflate, raw_zip

CODES = catalogue(codes)
SLUG = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")
PACKAGE = Path(awardbooks.__file__).parent


def placed(problems: list[Problem]) -> list[tuple[str, str, str, str]]:
    """Each problem's code, sheet, cell and the exact line a user sees."""
    return [(p.code, p.sheet, p.cell, str(p)) for p in problems]


# ------------------------------------------------------------------------------ catalogue


def test_every_code_is_declared_once_with_an_example():
    assert len(CODES) >= 80
    ids = [code.id for code in CODES]
    assert len(set(ids)) == len(ids)
    for code in CODES:
        assert SLUG.match(code.id), code.id
        assert code.severity in ("error", "warning"), code.id
        problem = code.example_problem()  # every template's fields are in the example
        assert problem.code == code.id and problem.severity == code.severity
        assert problem.file, code.id  # the docs show a whole line, file included
        text = str(problem)
        assert text == " ".join(text.splitlines()), code.id
        assert not problem.message.endswith((";", ".", " ")), code.id
        assert not problem.fix.endswith((";", ".", " ")), code.id


def test_every_code_is_used_by_the_package():
    """A code no check makes would document a problem users never see."""
    source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    names = [name for name, value in vars(codes).items() if value in CODES]
    unused = [name for name in names if f"codes.{name}" not in source]
    assert unused == []


def test_the_read_modules_import_nothing_private_and_no_cycle():
    """No read module imports another's private names; checks depends on the reader only
    through the ReturnBeingRead protocol; imports sit at the top of each module."""
    late = []
    for path in sorted((PACKAGE / "read").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not [a.name for a in node.names if a.name.startswith("_")], path.name
                if path.name == "checks.py":
                    assert node.module != "awardbooks.read.returns"
        for func in ast.walk(tree):
            if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(func):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        late.append((path.name, getattr(node, "module", None)))
    assert late == []


# -------------------------------------------------------------------- the reader's codes


def with_hours(fw: Framework) -> Framework:
    """LPPA with a number column on its rating sheets (no built-in framework has one), under
    an id of its own (so that ``--spec`` adds it beside the built-in LPPA)."""
    data = fw.model_dump() | {"id": "lppa-hours"}
    hours = {"id": "hours", "label": "Hours", "type": "number"}
    data["audit"]["columns"] = [*data["audit"]["columns"], hours]
    return Framework.model_validate(data)


@pytest.fixture(scope="module")
def tampered(tmp_path_factory, frameworks):
    """One LPPA return with a problem of most kinds the reader finds cell by cell."""
    fw = with_hours(frameworks["lppa"])
    path = make_workbook(
        fw, tmp_path_factory.mktemp("tampered"),
        ratings={"1.1": "Greeen", "1.2": "amber", "1.3": "Green"},
    )  # fmt: skip
    layout = layout_for(fw)
    row = {key: layout.rows_by_key[key].row for key in ("1.1", "1.2", "1.3")}
    hours = Cell("Objective 1", row["1.1"], layout.columns.extra["hours"])
    action = Cell("Objective 1", row["1.3"], layout.columns.extra["action"])
    wb = openpyxl.load_workbook(path)
    ws = wb["Objective 1"]
    ws[hours.a1] = "about 40"
    ws.cell(row["1.2"] + 1, 2, "Our own words for this KPI")
    ws[action.a1] = "#VALUE!"  # openpyxl writes it as an error value
    wb["Cover"][layout.cover_inputs["stage"].a1] = "Stage 9"
    wb["Objective 3"].protection.sheet = False
    wb["Objective 4"].data_validations.dataValidation = []
    wb.create_sheet("Notes")
    del wb["Summary"]
    wb.save(path)
    return path, fw, read_path(path, Registry([fw]))


def test_cell_problems_have_their_code_message_and_place(tampered):
    path, fw, record = tampered
    layout = layout_for(fw)
    c = {key: layout.rows_by_key[key].row + 1 for key in ("1.1", "1.2", "1.3")}
    hours = Cell("Objective 1", c["1.1"] - 1, layout.columns.extra["hours"]).a1
    action = Cell("Objective 1", c["1.3"] - 1, layout.columns.extra["action"]).a1
    assert placed(record.errors) == [
        ("rating-not-a-level", "Objective 1", f"C{c['1.1']}", f"{path}: Objective 1!C{c['1.1']}: "
         "'Greeen' is not a level of Red/Amber/Green"),
    ]  # fmt: skip
    stages = ", ".join(layout_for(fw).cover_input_columns["stage"].options)
    assert placed(record.warnings) == [
        ("sheet-missing", "Summary", "",
         f"{path}: Summary: the sheet is missing (renamed or deleted)"),
        ("sheet-added", "Notes", "", f"{path}: Notes: an extra sheet was added; it was ignored"),
        ("value-not-an-option", "Cover", "B18",
         f"{path}: Cover!B18: 'Stage 9' is not one of {stages}"),
        ("value-not-a-number", "Objective 1", hours,
         f"{path}: Objective 1!{hours}: 'about 40' is not a number; kept as text"),
        ("wording-changed", "Objective 1", f"B{c['1.2']}",
         f"{path}: Objective 1!B{c['1.2']}: the wording of 1.2 was changed from the framework's"),
        ("rating-case", "Objective 1", f"C{c['1.2']}",
         f"{path}: Objective 1!C{c['1.2']}: 'amber' was read as 'Amber'"),
        ("input-error-value", "Objective 1", action,
         f"{path}: Objective 1!{action}: holds the error value #VALUE!; read as empty"),
        ("protection-removed", "Objective 3", "",
         f"{path}: Objective 3: sheet protection was removed"),
        ("dropdowns-removed", "Objective 4", "",
         f"{path}: Objective 4: the dropdowns (data validation) were removed"),
    ]  # fmt: skip
    assert {p.file for p in record.problems} == {str(path)}


def test_the_check_command_prints_each_problem_by_its_place(tampered):
    path, fw, record = tampered
    lines = [f"  error: {p.located}" for p in record.errors]
    lines += [f"  warning: {p.located}" for p in record.warnings]
    assert lines[0] == "  error: Objective 1!C6: 'Greeen' is not a level of Red/Amber/Green"
    assert lines[2] == "  warning: Notes: an extra sheet was added; it was ignored"
    spec = path.with_suffix(".yaml")
    spec.write_text(fw.model_dump_json(), encoding="utf-8")  # JSON is YAML
    result = CliRunner().invoke(cli, ["check", str(path), "--spec", str(spec)])
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == lines


def test_whole_file_problems(tmp_path, frameworks):
    fw = frameworks["lppa"]
    registry = Registry([fw])
    stranger = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "Budget"
    wb.save(stranger)
    assert placed(read_path(stranger, registry).errors) == [
        ("not-awardbooks", "", "", f"{stranger}: not an awardbooks workbook: it has no awardbooks "
         "metadata and its sheets match no known framework"),
    ]  # fmt: skip
    reworded = make_workbook(fw, tmp_path, ratings={item.id: "Green" for item in fw.items})
    wb = openpyxl.load_workbook(reworded)
    meta = wb["_awardbooks"]
    for row in meta.iter_rows():
        if row[0].value == "spec_fingerprint":
            row[1].value = "0" * 16
    wb.save(reworded)
    assert placed(read_path(reworded, registry).warnings) == [
        ("edition-reworded", "", "", f"{reworded}: made from a differently worded copy of LPPA "
         "edition 2026.2; texts are compared with this analysis's copy"),
    ]  # fmt: skip
    missing = tmp_path / "gone.xlsx"
    [problem] = read_path(missing, registry).errors
    assert (problem.code, str(problem)) == (
        "file-unreadable",
        f"{missing}: cannot be read (No such file or directory)",
    )


def test_the_analysers_own_output_is_not_a_return(tmp_path, frameworks):
    folder = tmp_path / "returns"
    make_workbook(frameworks["lppa"], folder, ratings={"1.1": "Green"})
    out = tmp_path / "consolidated.xlsx"
    api.analyse([folder], out=out)
    assert placed(api.check(out).errors) == [
        ("consolidated-not-return", "", "", f"{out}: this is a consolidated workbook written by "
         "awardbooks analyse, not a return; keep it out of the folder of returns"),
    ]  # fmt: skip
    assert api.check(out).errors[0].fix == "keep it out of the folder of returns"


def test_a_crash_and_a_large_file_are_problems_too(tmp_path, frameworks, monkeypatch):
    path = make_workbook(frameworks["lppa"], tmp_path)
    data = path.read_bytes()
    registry = Registry([frameworks["lppa"]])

    def crash(self):
        raise ValueError("no such thing\nsecond line")

    monkeypatch.setattr(ReturnReader, "read", crash)
    assert placed(read_bytes(data, "x.xlsx", registry).errors) == [
        ("workbook-crash", "", "", "x.xlsx: could not be read as a workbook (ValueError: no such "
         "thing); open it in Excel and save it again"),
    ]  # fmt: skip
    monkeypatch.setattr(container, "MAX_FILE_BYTES", 1024 * 1024)
    big = data + bytes(2 * 1024 * 1024)
    assert placed(read_bytes(big, "x.xlsx", registry).errors) == [
        ("file-too-large", "", "", f"x.xlsx: the file is {len(big) // 1024 // 1024} MB, larger "
         "than any return should be (1 MB); check it is the right file"),
    ]  # fmt: skip


def test_one_line_whatever_a_file_holds():
    problem = codes.SHEET_ADDED(file="a\nb.xlsx", sheet="Notes\r\nand more\u2028")
    assert str(one_line(problem)) == (
        "a b.xlsx: Notes and more: an extra sheet was added; it was ignored"
    )
    assert one_line(codes.SHEET_ADDED(sheet="Notes")) == codes.SHEET_ADDED(sheet="Notes")


# -------------------------------------------------------------- containers, archives, emails


def package(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "code", "text"),
    [
        (
            package({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b""}),
            "file-odf-not-spreadsheet",
            "this is an OpenDocument text document (.odt), not a spreadsheet; send the Excel "
            "workbook (.xlsx) itself",
        ),
        (
            package({"[Content_Types].xml": b"<Types/>"}, zipfile.ZIP_BZIP2),
            "part-compression",
            "the part [Content_Types].xml uses a compression method (12) that spreadsheet "
            "applications never write; send the workbook saved normally",
        ),
    ],
)
def test_container_refusals(data, code, text):
    with pytest.raises(ReturnError) as caught:
        container.sniff(data, "x.xlsx")
    assert (caught.value.problem.code, str(caught.value)) == (code, text)
    assert text.endswith(f"; {caught.value.problem.fix}")  # every refusal says what to do


@pytest.mark.parametrize(
    ("data", "code", "text"),
    [
        (
            "Setting\tRating\r\nAsh\tEmbedded\r\n".encode("utf-16"),  # Excel's Unicode Text
            "file-csv",
            "this is a CSV file: the values of one sheet as plain text, not the workbook; send "
            "the Excel workbook (.xlsx) itself, not a copy saved as CSV",
        ),
        (
            "Caf\u00e9 notes \u2013 see the folder\n".encode("cp1252"),
            "file-not-workbook",
            "this is a text file, not an Excel workbook (.xlsx), whatever its name; send the "
            "Excel workbook (.xlsx) itself",
        ),
        (
            b"\x09\x08\x10\x00\x00\x06\x10\x00" + bytes(12),  # a bare BIFF8 stream
            "file-xls",
            "this is an old Excel 97-2003 (.xls) file; open it and save it as an Excel Workbook "
            "(.xlsx)",
        ),
        (
            b"\x00\x00\x1a\x00\x02\x10\x04\x00" + bytes(24),  # Lotus 1-2-3 release 4 (.wk4)
            "file-lotus",
            "this is a Lotus 1-2-3 file, not an Excel workbook (.xlsx); open it in a spreadsheet "
            "application that reads it (LibreOffice Calc does) and save it as an Excel Workbook "
            "(.xlsx)",
        ),
        (
            b"\x00\x00\x02\x00\x20\x51" + bytes(12),  # Quattro Pro for DOS (.wq1)
            "file-quattro-pro",
            "this is a Quattro Pro file, not an Excel workbook (.xlsx); open it in a spreadsheet "
            "application that reads it (LibreOffice Calc does) and save it as an Excel Workbook "
            "(.xlsx)",
        ),
        (
            compound_file({"PowerPoint Document": b"ppt"}),
            "file-office-not-excel",
            "this is a PowerPoint presentation (.ppt), not an Excel workbook (.xlsx); send the "
            "Excel workbook (.xlsx) itself",
        ),
        (
            compound_file({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b"sealed"}),
            "file-encrypted",
            "the workbook is encrypted with a password; open it, remove the password (File > "
            "Info > Protect Workbook > Encrypt with Password) and save it again",
        ),
    ],
)
def test_what_other_software_wrote(data, code, text):
    """Files that are not zip packages, each named for what it is (the corpus has more)."""
    with pytest.raises(ReturnError) as caught:
        container.sniff(data, "x.xlsx")
    assert (caught.value.problem.code, str(caught.value)) == (code, text)


def test_size_limits_say_the_limit_for_archives_too(monkeypatch):
    members = {f"r{n}.xlsx": b"PK" for n in range(3)}
    monkeypatch.setattr(container, "MAX_MEMBERS", 2)
    with pytest.raises(ReturnError) as caught:
        container.zip_members(package(members), "returns.zip", (".xlsx",))
    assert str(caught.value) == (
        "the zip archive has 3 files, too many to read safely (the limit is 2); check it is the "
        "right file"
    )
    monkeypatch.setattr(container, "MAX_MEMBERS", 5000)
    data = package({"big.xlsx": bytes(3 * 1024 * 1024)})
    ratio = 3 * 1024 * 1024 / zipfile.ZipFile(io.BytesIO(data)).getinfo("big.xlsx").compress_size
    with pytest.raises(ReturnError) as caught:
        container.zip_members(data, "r.zip", (".xlsx",))
    assert str(caught.value) == (
        f"the file big.xlsx expands to 3.0 MB, compressed {ratio:,.0f} to 1, too large to read "
        "safely (the limit is 200 to 1 for a file over 1 MB); if it is the right file, delete "
        "what was pasted into it beyond the return (very long texts, rows far below the table) "
        "and save it again"
    )


def test_a_refusal_carries_its_problem(tmp_path):
    with pytest.raises(ReturnError) as caught:
        container.sniff(b"", "x.xlsx")
    assert caught.value.problem == codes.FILE_EMPTY()
    assert str(caught.value) == "the file is empty (0 bytes); send the workbook again"
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.problem == caught.value.problem and str(again) == str(caught.value)
    refusal = Refusal(codes.ARCHIVE_TOO_DEEP(depth=3))
    assert refusal.decode() == (
        "this is nested more than 3 levels deep in archives and saved messages, so it was not "
        "opened; save the workbook itself and analyse that"
    )
    assert pickle.loads(pickle.dumps(refusal)).problem == refusal.problem
    mail = emails.MailBytes(refusal, {"email_from": "a@b.example"}, 5.0)
    copy = pickle.loads(pickle.dumps(mail))
    assert (copy.problem, copy.source, copy.mtime, bytes(copy)) == (
        refusal.problem,
        {"email_from": "a@b.example"},
        5.0,
        bytes(refusal),
    )
    assert emails.MailBytes(b"PK", {}).problem is None
    record = ReturnRecord("f.xlsx", errors=[codes.FILE_EMPTY(file="f.xlsx")])
    assert pickle.loads(pickle.dumps(record)).errors == record.errors  # to and from workers


def zipped(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_archive_problems(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    empty = zipped(folder / "empty.zip", {"notes.txt": b"nothing here"})
    deep = zipped(tmp_path / "d3.zip", {"a.xlsx": b"PK"})
    for n in (2, 1):
        deep = zipped(tmp_path / f"d{n}.zip", {deep.name: deep.read_bytes()})
    deep = zipped(folder / "deep.zip", {deep.name: deep.read_bytes()})
    broken = folder / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 cut")
    locked = folder / "locked.zip"  # saved with a password (the traditional zip encryption)
    locked.write_bytes(raw_zip([Entry("St Marys.xlsx", *deflate([b"PK sealed"]), flags=0x1)]))
    records = {Path(r.file).name: r for r in api.check_returns(empty)}
    records |= {r.file.rsplit("!", 1)[-1]: r for r in api.check_returns(deep)}
    records |= {Path(r.file).name: r for r in api.check_returns(broken)}
    records |= {Path(r.file).name: r for r in api.check_returns(locked)}
    assert {name: placed(r.errors) for name, r in records.items()} == {
        "empty.zip": [("archive-no-workbooks", "", "", f"{empty}: no workbooks (.xlsx) in the "
                       "archive")],
        "d3.zip": [("archive-too-deep", "", "", f"{deep}!d1.zip!d2.zip!d3.zip: this is nested "
                    "more than 3 levels deep in archives and saved messages, so it was not "
                    "opened; save the workbook itself and analyse that")],
        "broken.zip": [("archive-damaged", "", "", f"{broken}: the zip archive is damaged "
                        "(its end is missing or unreadable); save it again, or analyse the "
                        "workbooks themselves")],
        "locked.zip": [("part-locked", "", "", f"{locked}: the zip archive is locked with a "
                        "password (St Marys.xlsx); unzip it with its password and analyse the "
                        "workbooks themselves")],
    }  # fmt: skip
    c = api.analyse([folder], out=None).consolidation
    for row in c.returns.to_dict("records"):  # the Returns table holds their text
        assert row["errors"] == "\n".join(map(str, c.problems[row["file"]]))


def message(attachments: list[tuple[str, bytes, str]], forwarded: int = 0) -> bytes:
    """A saved reply with these attachments, inside ``forwarded`` levels of forwarding."""
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "head@ash.example", "Our return"
    msg["Date"] = "Mon, 02 Nov 2026 09:15:00 +0000"
    msg.set_content("Attached.")
    for name, data, ctype in attachments:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    for level in range(1, forwarded + 1):
        outer = EmailMessage()
        outer["From"], outer["Subject"] = "head@ash.example", f"Fwd {level}"
        outer.set_content("Forwarded.")
        outer.add_attachment(msg)
        msg = outer
    return msg.as_bytes()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_email_problems(tmp_path, monkeypatch):
    monkeypatch.setattr(container, "MAX_MEMBER", 1024 * 1024)
    outlook = outlook_msg("s", "n", "a@b.example", dt.datetime(2026, 11, 2, tzinfo=dt.UTC), [])
    cases = {
        "nothing.eml": (message([("logo.png", b"\x89PNG", "image/png")]), "message-no-workbook",
                        "the message has no workbook attached"),
        "empty.eml": (b"", "message-empty", "the message is empty (0 bytes); save the email "
                      "again"),
        "fake.msg": (b"From: a@b.example\n\nnot Outlook", "message-not-outlook",
                     "this is not an Outlook message (.msg) whatever its name; save the email "
                     "again, or save it as .eml"),
        "empty.mbox": (b"", "mailbox-empty", "the mailbox holds no messages; export the folder "
                       "with the returns"),
        "tnef.eml": (message([("winmail.dat", b"\x78\x9f\x3e\x22", "application/ms-tnef")]),
                     "message-winmail", codes.MESSAGE_WINMAIL.template),
        "zipped.eml": (message([("r.zip", b"PK\x03\x04 cut", "application/zip")]),
                       "archive-damaged", "the zip archive is damaged (its end is missing or "
                       "unreadable); save it again, or analyse the workbooks themselves"),
        "deep.eml": (message([("a.xlsx", b"PK", XLSX)], forwarded=3), "message-nested-too-deep",
                     "this is nested more than 3 levels deep in archives and saved messages, so "
                     "it was not opened; save the workbook itself and analyse that"),
        "big.eml": (message([("a.xlsx", bytes(2_000_000), XLSX)]), "message-too-large",
                    "the file is 2 MB, larger than any message of returns should be (1 MB); save "
                    "the workbooks from it and analyse those"),
        "damaged.msg": (outlook[:600], "message-outlook-damaged", "the Outlook message is damaged "
                        "(OleFileError); open it in Outlook and save it again, or save it as .eml"),
    }  # fmt: skip
    inside = {"zipped.eml": "!r.zip", "deep.eml": "!Fwd 2.eml!Fwd 1.eml!Our return.eml"}
    for name, (data, code, text) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        [record] = api.check_returns(path)
        file = f"{path}{inside.get(name, '')}"
        assert placed(record.errors) == [(code, "", "", f"{file}: {text}")], name
        assert record.file == file
    [record] = api.check_returns(tmp_path / "nothing.eml")
    assert record.source["email_from"] == "head@ash.example"  # the message it came from
