"""The chase: mail drafts --only missing,rejected,incomplete, from analyse's returns.csv (and
in a collection, from its ledger), each message saying what is wrong and what to do, with the
file to do it in attached."""

from __future__ import annotations

import csv
import email
import shutil
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from awardbooks import api
from awardbooks.cli import cli
from awardbooks.generate.manifest import write_manifest
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one
from awardbooks.mail.chase import Chase, who_to_chase
from awardbooks.spec import loading

GREEEN = "'Greeen' is not a level of Red/Amber/Green"
SETTINGS = {  # name: ratings of its return (None: no return)
    "Ash Primary": {"1.1": "Greeen", "1.2": "Green"},
    "Beech Primary": {"1.1": "Green"},
    "Cedar Primary": {"1.1": "Amber"},
    "Damson Primary": None,
}


def read_eml(path: Path):
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    return message, message.get_body(("plain",)).get_content().replace("\r\n", "\n"), attached


@pytest.fixture
def term(tmp_path):
    """Four settings issued LPPA workbooks; three sent returns (Ash's with a misspelt rating),
    analysed with --annotate; Cedar's row in returns.csv then made to carry a completeness
    warning's code, as the completeness checks write it."""
    fw = loading.load("lppa")
    issued, returns = tmp_path / "workbooks", tmp_path / "returns"
    returns.mkdir()
    rows = []
    for name, ratings in SETTINGS.items():
        slug = name.split()[0].lower()
        setting = Setting(name, urn="1000" + str(len(rows)), partnership="North",
                          contact_email=f"head@{slug}.example.org")  # fmt: skip
        path, row = generate_one(fw, setting, year="2026-27", term="autumn", out_dir=issued,
                                 ratings=ratings)  # fmt: skip
        rows.append(row)
        if ratings is not None:  # the school's return: its workbook as filled in
            shutil.copy(path, returns / f"{name}.xlsx")
    write_manifest(issued / "manifest.csv", rows)
    result = CliRunner().invoke(cli, [
        "analyse", str(returns), "--manifest", str(issued), "--out", str(tmp_path / "c.xlsx"),
        "--data", str(tmp_path / "data"), "--annotate", str(tmp_path / "to-fix"),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    table = tmp_path / "data" / "returns.csv"
    with open(table, encoding="utf-8", newline="") as handle:
        lines = list(csv.DictReader(handle))
    for line in lines:
        if line["setting"] == "Cedar Primary":
            line["status"] = "warning"
            line["codes"] = "nothing-rated"
            line["warnings"] = f"{line['file']}: nothing is rated; choose a rating for each item"
    with open(table, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    return tmp_path



def test_chase_drafts_for_missing_rejected_and_incomplete(term):
    out = term / "chase"
    result = CliRunner().invoke(cli, [
        "mail", "drafts", str(term / "workbooks"), "--out", str(out), "--returns",
        str(term / "data"), "--only", "missing,rejected,incomplete", "--return-by", "2026-12-18",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 4 chase drafts to {out}/ (open each and press Send).\n"
    drafts = sorted(p.name for p in out.iterdir())
    # Beech rated 1 of 56 KPIs: incomplete by the completeness checks' own code
    beech = drafts.pop(1)
    assert beech == "Beech-Primary_lppa_2026-27_autumn - incomplete.eml"
    message, body, attached = read_eml(out / beech)
    assert message["To"] == "head@beech.example.org"
    wrong = body.split("\n\n")[2]
    assert wrong.startswith("- 1 of 56 rated, 2 %, below the 80 % expected; nothing is rated in "
                            "Objective 2 (The school makes and implements effective plans…), ")
    assert wrong.endswith("; rate every item (its score counts only what is rated) and send "
                          "the workbook again")
    assert attached == {"Beech Primary - annotated.xlsx":
                        (term / "to-fix" / "Beech Primary - annotated.xlsx").read_bytes()}
    assert drafts == [
        "Ash-Primary_lppa_2026-27_autumn - rejected.eml",
        "Cedar-Primary_lppa_2026-27_autumn - incomplete.eml",
        "Damson-Primary_lppa_2026-27_autumn - missing.eml",
    ]
    message, body, attached = read_eml(out / drafts[0])
    assert message["To"] == "head@ash.example.org"
    assert message["X-Unsent"] == "1"
    assert message["Subject"] == (
        "Leading Parent Partnership Award: Ash Primary, autumn term 2026-27: return needs "
        "correcting"
    )
    assert body == (
        "Dear colleague,\n\n"
        "Thank you for sending Ash Primary's Leading Parent Partnership Award return for the "
        "autumn term of 2026-27. We could not use it, because of 1 problem:\n\n"
        f"- Objective 1!C6: {GREEEN}\n\n"
        "The attached copy (Ash Primary - annotated.xlsx) marks each problem on its cell, with "
        "a note. Please correct those cells in that copy and send it back by replying to this "
        "email, by Friday 18 December 2026.\n\n"
        "Thank you.\n"
    )
    copy = term / "to-fix" / "Ash Primary - annotated.xlsx"
    assert attached == {"Ash Primary - annotated.xlsx": copy.read_bytes()}
    message, body, attached = read_eml(out / drafts[1])
    assert message["Subject"].endswith("Cedar Primary, autumn term 2026-27: return is incomplete")
    assert body.split("\n\n")[1:4] == [
        "Thank you for sending Cedar Primary's Leading Parent Partnership Award return for the "
        "autumn term of 2026-27. It is not complete yet:",
        "- nothing is rated; choose a rating for each item",
        "The attached copy (Cedar Primary - annotated.xlsx) marks where, with a note. Please "
        "complete it in that copy and send it back by replying to this email, by Friday 18 "
        "December 2026.",
    ]
    # warned when analysed (nothing rated), so analyse --annotate made a copy to send back
    copy = term / "to-fix" / "Cedar Primary - annotated.xlsx"
    assert attached == {"Cedar Primary - annotated.xlsx": copy.read_bytes()}
    message, body, attached = read_eml(out / drafts[2])
    assert message["To"] == "head@damson.example.org"
    assert body.split("\n\n")[1:3] == [
        "We have not yet received Damson Primary's Leading Parent Partnership Award return for "
        "the autumn term of 2026-27.",
        "The workbook is attached again (Damson-Primary_lppa_2026-27_autumn.xlsx). Please fill "
        "it in and send it back by replying to this email, by Friday 18 December 2026.",
    ]
    original = term / "workbooks" / "Damson-Primary_lppa_2026-27_autumn.xlsx"
    assert attached == {original.name: original.read_bytes()}


def test_only_some_states(term):
    out = term / "chase"
    result = api.write_drafts(term / "workbooks", out_dir=out, only="rejected",
                              returns=term / "data" / "returns.csv")  # fmt: skip
    assert [p.name for p in result.written] == ["Ash-Primary_lppa_2026-27_autumn - rejected.eml"]
    again = api.write_drafts(term / "workbooks", out_dir=out, only=["rejected", "missing"],
                             returns=term / "data")  # fmt: skip
    assert [p.name for p in again.written] == ["Damson-Primary_lppa_2026-27_autumn - missing.eml"]
    assert [p.name for p in again.kept] == ["Ash-Primary_lppa_2026-27_autumn - rejected.eml"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--only", "late"], "Error: --only late: choose from missing, rejected, incomplete "
         "(one or more, separated by commas)"),
        (["--only", "missing"], "Error: --only chases from the returns analyse read: give "
         "--returns with the returns.csv that analyse --data wrote"),
        (["--returns", "data"], "Error: --returns is for chasing: add --only, e.g. "
         "missing,rejected"),
    ],
)  # fmt: skip
def test_chase_refusals(term, args, message, monkeypatch):
    monkeypatch.chdir(term)
    result = CliRunner().invoke(cli, ["mail", "drafts", "workbooks", "--out", "chase", *args])
    assert (result.exit_code, result.output) == (1, message + "\n")
    assert not (term / "chase").exists()


def test_who_is_chased_for_what():
    """Per workbook issued: a usable return with a completeness code is incomplete, only
    rejected returns make it rejected (the latest meant), none makes it missing; duplicates
    and returns of other workbooks change nothing."""
    issued = [{"workbook_id": w} for w in ("a", "b", "c", "d", "e")]
    returns = [
        {"workbook_id": "a", "status": "rejected", "file": "a1"},
        {"workbook_id": "a", "status": "rejected", "file": "a2"},
        {"workbook_id": "b", "status": "rejected", "file": "b1"},
        {"workbook_id": "b", "status": "accepted", "file": "b2"},
        {"workbook_id": "c", "status": "warning", "file": "c1", "codes": "rating-case "
         "RETURN_INCOMPLETE"},
        {"workbook_id": "d", "status": "duplicate", "file": "d1",
         "codes": "return-incomplete"},
        {"workbook_id": "e", "status": "missing", "file": ""},
        {"workbook_id": "z", "status": "rejected", "file": "z1"},
    ]  # fmt: skip
    found = who_to_chase(issued, returns, ("missing", "rejected", "incomplete"))
    seen = [(c.state, c.workbook["workbook_id"], (c.returned or {}).get("file")) for c in found]
    assert seen == [
        ("rejected", "a", "a2"), ("incomplete", "c", "c1"), ("missing", "d", None),
        ("missing", "e", None),
    ]  # fmt: skip
    assert [c.workbook["workbook_id"] for c in who_to_chase(issued, returns, ["missing"])] == [
        "d", "e"
    ]
    assert isinstance(found[0], Chase)
    # the codes the completeness checks write, each on its own, make a return incomplete
    for code in ("return-incomplete", "nothing-rated"):
        row = {"workbook_id": "c", "status": "warning", "file": "c1", "codes": code}
        assert [c.state for c in who_to_chase([{"workbook_id": "c"}], [row], ["incomplete"])] == [
            "incomplete"
        ]
    row = {"workbook_id": "c", "status": "warning", "file": "c1", "codes": "dates-read-as-uk"}
    assert who_to_chase([{"workbook_id": "c"}], [row], ["incomplete"]) == []
    # a rating read as unrated with --lenient: the school still has to choose it
    row["codes"] = "rating-read-as-unrated"
    assert [c.state for c in who_to_chase([{"workbook_id": "c"}], [row], ["incomplete"])] == [
        "incomplete"
    ]


def test_the_incomplete_lines_are_told_whatever_else_was_warned():
    """returns.csv lists each code once, not one per warning line: two unreadable dates (one
    code) beside an incomplete return must not shift which lines the school is told of."""
    from awardbooks.mail.chase import problem_lines

    date = ("Cover!{}: 'soon' is not a date; left empty; type dates as dd/mm/yyyy or as 16 Oct "
            "2026")  # fmt: skip
    lines = [
        date.format("B17"),
        date.format("B19"),
        "Objective 2!C9: 'Gren' is not a level of Red/Amber/Green; read as unrated (read "
        "leniently); choose the rating from the dropdown",
        "12 of 56 rated, 21 %, below the 80 % expected; rate every item (its score counts "
        "only what is rated) and send the workbook again",
    ]
    row = {"file": "a.xlsx", "errors": "", "warnings": "\n".join(f"a.xlsx: {x}" for x in lines),
           "codes": "date-not-a-date rating-read-as-unrated return-incomplete"}  # fmt: skip
    assert problem_lines(row, "incomplete") == lines[2:]
    row["warnings"] = "\n".join(f"a.xlsx: {x}" for x in lines[:2])  # no completeness line
    assert problem_lines(row, "incomplete") == lines[:2]


def test_the_completeness_warnings_are_known_by_their_fix():
    """problem_lines tells a completeness warning by the fix its line ends with: no other
    warning may word that fix."""
    from awardbooks.mail.chase import COMPLETENESS
    from awardbooks.problems import catalogue
    from awardbooks.read import codes as read_codes

    for code in COMPLETENESS:
        warnings = [c for c in catalogue(read_codes) if c.severity == "warning"]
        same = [c.id for c in warnings if c.fix == code.fix]
        assert same == [code.id]


def test_chase_in_a_collection(tmp_path):
    """In a collection: mail drafts --only works from the ledger; a rejected return is
    annotated from the original kept, into outputs/annotated/TERM/, and attached; a missing
    row of returns.csv carries the setting's contact email."""
    from tests.collection_tools import ROSTER, make_return, run
    from tests.test_collection import misspelt, read_csv, workbook

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    coll = tmp_path / "north"
    run(None, "new", str(coll), "--framework", "lppa", "--roster", str(roster), "--year",
        "2026-27")  # fmt: skip
    run(coll, "generate", "--term", "autumn")
    before = run(coll, "mail", "drafts", "--only", "missing").output.splitlines()
    not_mailed = "its workbook is not mailed yet: awardbooks mail drafts writes its message"
    assert before == [  # nothing mailed yet: a chase is no first message
        "No chase draft written.",
        "No message for 1 setting (contact them another way):",
        "  Cedar Academy (Cedar-Academy_lppa_2026-27_autumn.xlsx): no contact_email in the roster",
        "Not chased yet, 3 settings with no return:",
        f"  Ash Primary (Ash-Primary_lppa_2026-27_autumn.xlsx): {not_mailed}",
        f"  Birch Primary (Birch-Primary_lppa_2026-27_autumn.xlsx): {not_mailed}",
        f"  Damson Infants (Damson-Infants_lppa_2026-27_autumn.xlsx): {not_mailed}",
    ]
    run(coll, "mail", "drafts")
    make_return(workbook(coll, "autumn", "Ash-Primary"), coll / "returns" / "ash.xlsx")
    misspelt(make_return(workbook(coll, "autumn", "Birch-Primary"), tmp_path / "b.xlsx"),
             coll / "returns" / "birch.xlsx")  # fmt: skip
    run(coll, "update")
    (coll / "returns" / "birch.xlsx").write_bytes(b"overwritten since")  # the original is kept
    missing = [r for r in read_csv(coll / "outputs" / "data" / "returns.csv")
               if r["status"] == "missing"]  # fmt: skip
    assert [(r["setting"], r["contact_email"]) for r in missing] == [
        ("Cedar Academy", ""), ("Damson Infants", "admin@damson.example.org"),
    ]  # fmt: skip
    result = run(coll, "mail", "drafts", "--only", "rejected,missing")
    assert result.output.splitlines() == [
        f"Wrote 2 chase drafts to {coll}/drafts/autumn/ (open each and press Send).",
        f"Annotated 1 return into {coll}/outputs/annotated/autumn/ (each attached to its draft).",
        "No message for 1 setting (contact them another way):",
        "  Cedar Academy (Cedar-Academy_lppa_2026-27_autumn.xlsx): no contact_email in the roster",
    ]
    drafts = coll / "drafts" / "autumn"
    message, body, attached = read_eml(drafts / "Birch-Primary_lppa_2026-27_autumn - rejected.eml")
    copy = coll / "outputs" / "annotated" / "autumn" / "birch - annotated.xlsx"
    assert attached == {copy.name: copy.read_bytes()}
    assert api.check(copy).errors[0].located == f"Objective 1!C6: {GREEEN}"
    assert f"- Objective 1!C6: {GREEEN}" in body
    assert "by Friday 11 December 2026" in body
    message, body, attached = read_eml(drafts / "Damson-Infants_lppa_2026-27_autumn - missing.eml")
    assert message["To"] == "admin@damson.example.org"
    assert list(attached) == ["Damson-Infants_lppa_2026-27_autumn.xlsx"]
    again = run(coll, "mail", "drafts", "--only", "rejected")
    assert again.output.splitlines()[2] == (
        "Kept 1 existing chase draft (use --force to replace)."
    )
    shutil.copy(copy, coll / "returns" / "birch back.xlsx")  # sent back still wrong
    run(coll, "update")
    rows = {r["file"]: r for r in read_csv(coll / "outputs" / "data" / "returns.csv")}
    back = rows["returns/birch back.xlsx"]
    assert (back["status"], back["annotated"]) == (
        "rejected", "annotated copy: 0 of 1 problem fixed"
    )
    assert rows["returns/ash.xlsx"]["annotated"] == ""
    assert run(coll, "mail", "drafts", "--only", "incomplete").output == (
        "Nobody to chase: no setting's return is incomplete; no draft written.\n"
    )


def test_readme_shows_the_chase_template():
    from awardbooks.mail.chase import CHASE_TEMPLATE

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"```text\n{CHASE_TEMPLATE.read_text(encoding='utf-8')}```" in readme


def test_a_rejected_return_is_annotated_when_analyse_did_not(term):
    """analyse run without --annotate: the chase reads the rejected return again and
    annotates it beside the drafts."""
    shutil.rmtree(term / "to-fix")
    out = term / "chase"
    result = api.write_drafts(term / "workbooks", out_dir=out, only="rejected",
                              returns=term / "data")  # fmt: skip
    (draft,) = result.written
    _message, body, attached = read_eml(draft)
    copy = out / "annotated" / "Ash Primary - annotated.xlsx"
    assert attached == {copy.name: copy.read_bytes()}
    assert f"The attached copy ({copy.name}) marks each problem on its cell" in body
    assert api.check(copy).annotated == "annotated copy: 0 of 1 problem fixed"



def test_nobody_to_chase_says_so(term):
    """No setting in the states asked for: one line saying so, not 'Wrote 0 chase drafts ...
    (open each and press Send)'."""
    table = term / "data" / "returns.csv"
    with open(table, encoding="utf-8", newline="") as handle:
        lines = [row for row in csv.DictReader(handle) if row["status"] != "rejected"]
    for row in lines:  # every usable return complete
        row["codes"] = ""
    with open(table, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)

    def chase(only: str, out: Path) -> str:
        result = CliRunner().invoke(cli, [
            "mail", "drafts", str(term / "workbooks"), "--out", str(out), "--returns", str(table),
            "--only", only,
        ])  # fmt: skip
        assert result.exit_code == 0, result.output
        return result.output

    assert chase("rejected", term / "a") == (
        "Nobody to chase: no setting's return is rejected; no draft written.\n"
    )
    assert chase("incomplete,rejected", term / "b") == (
        "Nobody to chase: no setting's return is incomplete or rejected; no draft written.\n"
    )
    assert not (term / "a" / "Ash-Primary_lppa_2026-27_autumn - rejected.eml").exists()
    # Ash's only return was rejected, so without its row Ash is missing, as Damson is
    out = term / "c"
    assert chase("missing,rejected,incomplete", out) == (
        f"Wrote 2 chase drafts to {out}/ (open each and press Send).\n"
    )


def test_a_return_with_two_errors_is_told_both_on_lines_of_their_own(tmp_path):
    """returns.csv holds a return's errors one per line inside one quoted value: read back
    (one-shot chase), each is its own line of the message, and they are counted."""
    from awardbooks.common.csvfiles import csv_reader
    from awardbooks.mail.chase import problem_lines

    path = tmp_path / "returns.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "status", "errors"])
        writer.writerow(["x.xlsx", "rejected", "x.xlsx: Obj 1!C6: first\nx.xlsx: Obj 1!C9: second"])
    (row,) = csv_reader(path.read_text("utf-8"))
    assert problem_lines(row, "rejected") == ["Obj 1!C6: first", "Obj 1!C9: second"]
