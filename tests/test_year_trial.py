"""Issue 15's trial, end to end, as one officer works a term through the CLI: a small
partnership of Behaviour & Attendance schools and LPPA clients is issued its autumn
workbooks, the returns come back filled in LibreOffice (one empty, one with two areas blank,
one with a misspelt rating, one dated "16th Oct 2026", complete ones with an IARAP,
membership and outcomes typed; one school never returns), `analyse --annotate` reads and
marks them, `mail drafts --only missing,rejected,incomplete` chases exactly the right
schools with the right file attached, the rejected school fixes its annotated copy in
LibreOffice and sends it back, and spring's workbooks carry everything typed forward."""

from __future__ import annotations

import csv
import email
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from awardbooks.cli import cli
from awardbooks.spec import loading
from awardbooks.workbook.layout import layout_for
from tests import lofill as lo

pytestmark = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")

BA, LPPA = "behaviour-attendance", "lppa"
ROSTER = {  # framework: its settings; every one has a contact email in the roster
    BA: ["Ash Primary", "Birch Primary", "Cedar Primary", "Damson Primary"],
    LPPA: ["Elm Primary", "Fir Primary"],
}
BA_TITLE = "Self-evaluation framework for behaviour and attendance (B&A) partnerships"
LPPA_TITLE = "Leading Parent Partnership Award"
GREEEN = "Objective 1!C7: 'Greeen' is not a level of Red/Amber/Green"
NOTHING_RATED = (
    "nothing rated: none of the 21 elements has a rating, so the return is left out of the "
    "scores, the means and the count of settings; rate each item with the dropdown and send "
    "the workbook again"
)
HALF = (
    "14 of 21 rated, 67 %, below the 80 % expected; nothing is rated in Area 3 (Access to "
    "additional or alternative provision) and Area 4 (Opportunities to share skills and "
    "expertise and…); rate every item (its score counts only what is rated) and send the "
    "workbook again"
)
UK_DATE = (
    "a date typed as text or a number was read as a UK date: Cover!B17 ('16th Oct 2026' read "
    "as 16 October 2026)"
)
IARAP = {  # Fir's plan beside KPI 1.1, as the school types it
    "D6": "Co-ordinator named in September", "E6": "Appoint a deputy", "F6": "Head",
    "G6": "Governors", "H6": "By Christmas", "I6": "Minutes of the meeting", "J6": "1.1 a",
    "K6": "Yes",
}  # fmt: skip
MEMBERS = {"B7": "Ash Academy", "B8": "Beech High", "B14": "Cedar Primary"}
OUTCOMES = {"C6": "10%", "D6": 12, "E6": 10, "B15": "Fewer breaktime incidents", "D15": 40,
            "E15": 31}  # fmt: skip
COUNTS = [  # analyse's summary of the first round: the same with and without --annotate
    "Reading returns",
    "Files read                        5",
    "  accepted                        1",
    "  with warnings                   3",
    "  rejected                        1",
    "  duplicates                      0",
    "  unknown                         0",
    "Missing (expected, not returned)  1",
    "Usable returns: 2 complete, 1 incomplete, 1 with nothing rated (left out of the means).",
    "",
    "Framework             Partnership  Term            Settings  Mean %",
    "behaviour-attendance  North        2026-27 autumn         2    62.5",
    "lppa                  North        2026-27 autumn         1    50.0",
]


def run(*args: object, code: int = 0) -> list[str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result.output.splitlines()


def rated(framework: str, label_of) -> dict[str, dict[str, object]]:
    """{sheet: {cell: level}} for every rated item that label_of gives a level."""
    layout = layout_for(loading.load(framework))
    cells: dict[str, dict[str, object]] = {}
    for row in layout.rating_rows:
        if row.rated and (label := label_of(row)) is not None:
            cells.setdefault(row.sheet, {})[layout.rating_cell(row).a1] = label
    return cells


def workbook(base: Path, framework: str, setting: str, term: str = "autumn") -> Path:
    return base / framework / f"{setting.replace(' ', '-')}_{framework}_2026-27_{term}.xlsx"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_eml(path: Path):
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    return message, message.get_body(("plain",)).get_content().replace("\r\n", "\n"), attached


def returns_sheet(path: Path) -> list[tuple]:
    """The Returns sheet's rows: file, status, completion, setting, errors, warnings, contact
    email, annotated, annotated copy, codes, read leniently."""
    ws = openpyxl.load_workbook(path, read_only=True)["Returns"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[3])
    want = ["File", "Status", "Completion", "Setting", "Completed on", "Errors", "Warnings",
            "Contact email", "Annotated", "Annotated copy", "Codes", "Read leniently"]  # fmt: skip
    at = [head.index(name) for name in want]
    return [tuple(row[i] for i in at) for row in rows[4:] if any(v is not None for v in row)]


def cells(ws, refs: str) -> dict[str, tuple[object, bool]]:
    return {ref: (ws[ref].value, ws[ref].protection.locked) for ref in refs.split()}


def test_a_term_returned_chased_fixed_and_carried_forward(tmp_path):
    issued, returns, profile = tmp_path / "workbooks", tmp_path / "returns", tmp_path / "lo"
    fix, chase = tmp_path / "to-fix", tmp_path / "chase"

    # 1. autumn's workbooks, from a roster with each setting's contact email
    for framework, names in ROSTER.items():
        roster = tmp_path / f"{framework}.csv"
        lines = ["setting,urn,partnership,contact_email"] + [
            f"{name},{'3' if framework == LPPA else '2'}0000{n},North,"
            f"head@{name.split()[0].lower()}.example.org"
            for n, name in enumerate(names, 1)
        ]
        roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
        out = issued / framework
        assert run("generate", framework, "--roster", roster, "--year", "2026-27", "--term",
                   "autumn", "--out", out) == [
            "Generating workbooks",
            f"Wrote {len(names)} workbooks to {out}/ and manifest.csv.",
        ]  # fmt: skip

    # 2. five returns, filled in LibreOffice as the schools fill them; Damson never returns
    cedar = rated(BA, lambda r: "Established")
    cedar |= {"Cover": {"B15": "J Smith", "B17": "16th Oct 2026"}, "Membership": MEMBERS,
              "Outcomes": OUTCOMES}  # fmt: skip
    elm = rated(LPPA, lambda r: "Green")
    elm["Objective 1"]["C7"] = "Greeen"
    fir = rated(LPPA, lambda r: "Amber")
    fir["Objective 1"] |= IARAP
    returns.mkdir()
    path = {name: returns / f"{name}.xlsx" for names in ROSTER.values() for name in names}
    lo.fill_many([
        (workbook(issued, BA, "Ash Primary"), path["Ash Primary"], {"Cover": {"B15": "A Head"}}),
        (workbook(issued, BA, "Birch Primary"), path["Birch Primary"],
         rated(BA, lambda r: "Developed" if r.group_id in ("1", "2") else None)),
        (workbook(issued, BA, "Cedar Primary"), path["Cedar Primary"], cedar),
        (workbook(issued, LPPA, "Elm Primary"), path["Elm Primary"], elm),
        (workbook(issued, LPPA, "Fir Primary"), path["Fir Primary"], fir),
    ], profile_dir=profile)  # fmt: skip

    # 3. analyse --annotate: every return rejected or warned gets a marked copy
    book, data = tmp_path / "consolidated.xlsx", tmp_path / "data"
    analysed = ["analyse", returns, "--manifest", issued, "--out", book, "--data", data]
    lines = run(*analysed, "--annotate", fix)
    assert lines[: len(COUNTS)] == COUNTS
    assert lines[-1] == (
        f"Wrote 4 annotated copies to {fix}/ (each return rejected or with warnings, its "
        "problems marked on their cells)."
    )
    copy = {name: fix / f"{name} - annotated.xlsx" for name in path}
    marked_ones = ("Ash Primary", "Birch Primary", "Cedar Primary", "Elm Primary")
    assert sorted(fix.iterdir()) == [copy[n] for n in marked_ones]
    marked = openpyxl.load_workbook(copy["Elm Primary"])["Objective 1"]
    assert marked["C7"].comment.text == "Error: 'Greeen' is not a level of Red/Amber/Green"
    assert marked["C7"].value == "Greeen"  # the school's value, left for it to correct

    damson = "Damson-Primary_behaviour-attendance_2026-27_autumn.xlsx"
    first = [
        (str(path["Ash Primary"]), "warning", "0 of 21 rated, 0 %", "Ash Primary", None, None,
         f"{path['Ash Primary']}: {NOTHING_RATED}", None, None, str(copy["Ash Primary"]),
         "nothing-rated", "No"),
        (str(path["Birch Primary"]), "warning", "14 of 21 rated, 67 %", "Birch Primary", None,
         None, f"{path['Birch Primary']}: {HALF}", None, None, str(copy["Birch Primary"]),
         "return-incomplete", "No"),
        (str(path["Cedar Primary"]), "warning", "21 of 21 rated, 100 %", "Cedar Primary",
         "2026-10-16", None, f"{path['Cedar Primary']}: {UK_DATE}", None, None,
         str(copy["Cedar Primary"]), "dates-read-as-uk", "No"),
        (str(path["Elm Primary"]), "rejected", None, "Elm Primary", None,
         f"{path['Elm Primary']}: {GREEEN}", None, None, None, str(copy["Elm Primary"]),
         "rating-not-a-level", "No"),
        (str(path["Fir Primary"]), "accepted", "56 of 56 rated, 100 %", "Fir Primary", None,
         None, None, None, None, None, None, "No"),
        (damson, "missing", None, "Damson Primary", None, None,
         "no return received for this manifest entry", "head@damson.example.org", None, None,
         None, "No"),
    ]  # fmt: skip
    assert returns_sheet(book) == first
    summary = [r[0] for r in openpyxl.load_workbook(book, read_only=True)["Summary"].iter_rows(
        values_only=True)]  # fmt: skip
    assert summary[2] == COUNTS[8]
    assert summary[summary.index("Incomplete returns") + 1 :][:2] == [
        "• Ash Primary, 2026-27 autumn: 0 of 21 rated, 0 % (nothing rated: left out of the "
        "means)",
        "• Birch Primary, 2026-27 autumn: 14 of 21 rated, 67 %",
    ]

    # --lenient reads Elm's misspelt rating as unrated, so the rest of its return counts
    lenient = run("analyse", returns, "--manifest", issued, "--out", tmp_path / "lenient.xlsx",
                  "--data", tmp_path / "lenient", "--lenient")  # fmt: skip
    assert lenient[2:5] == [
        "  accepted                        1",
        "  with warnings                   4",
        "  rejected                        0",
    ]
    assert lenient[8:13] == [
        "Usable returns: 3 complete, 1 incomplete, 1 with nothing rated (left out of the means).",
        "",
        "Framework             Partnership  Term            Settings  Mean %",
        "behaviour-attendance  North        2026-27 autumn         2    62.5",
        "lppa                  North        2026-27 autumn         2    75.0",
    ]
    (elm_row,) = [r for r in read_csv(tmp_path / "lenient" / "returns.csv")
                  if r["setting"] == "Elm Primary"]  # fmt: skip
    assert {k: elm_row[k] for k in ("status", "warnings", "completion", "codes",
                                    "read_leniently")} == {  # fmt: skip
        "status": "warning",
        "warnings": f"{path['Elm Primary']}: {GREEEN}; read as unrated (read leniently); "
        "choose the rating from the dropdown",
        "completion": "55 of 56 rated, 98 % (read leniently)",
        "codes": "rating-read-as-unrated",
        "read_leniently": "true",
    }

    # read leniently, Elm is still asked to choose that rating (analyse had no --annotate
    # here, so the chase annotates the return itself)
    chase_lenient = tmp_path / "chase-lenient"
    assert run("mail", "drafts", issued / LPPA, "--out", chase_lenient, "--returns",
               tmp_path / "lenient", "--only", "incomplete") == [
        f"Wrote 1 chase draft to {chase_lenient}/ (open each and press Send)."
    ]  # fmt: skip
    message, body, attached = read_eml(
        chase_lenient / "Elm-Primary_lppa_2026-27_autumn - incomplete.eml"
    )
    assert message["To"] == "head@elm.example.org"
    assert body.split("\n\n")[2] == (
        f"- {GREEEN}; read as unrated (read leniently); choose the rating from the dropdown"
    )
    assert list(attached) == ["Elm Primary - annotated.xlsx"]

    # nothing usable (an empty return and a rejected one): outputs written, exit 1
    alone = tmp_path / "alone.xlsx"
    assert run("analyse", path["Ash Primary"], path["Elm Primary"], "--out", alone,
               code=1)[-1] == (  # fmt: skip
        "Error: none of the 2 returns could be used (1 rejected, 1 with nothing rated); the "
        f"Returns sheet of {alone} says why"
    )
    assert alone.is_file()

    # 4. chase: exactly the missing, rejected and incomplete schools, the right file attached
    for framework, count in ((BA, "3 chase drafts"), (LPPA, "1 chase draft")):
        assert run("mail", "drafts", issued / framework, "--out", chase, "--returns", data,
                   "--only", "missing,rejected,incomplete", "--return-by", "2026-12-18") == [
            f"Wrote {count} to {chase}/ (open each and press Send)."
        ]  # fmt: skip
    drafts = {p.name: read_eml(p) for p in chase.iterdir()}
    original = workbook(issued, BA, "Damson Primary")
    sent = {
        name: (message["To"], message["Subject"], {k: len(v) for k, v in attached.items()})
        for name, (message, _body, attached) in drafts.items()
    }
    assert sent == {
        "Ash-Primary_behaviour-attendance_2026-27_autumn - incomplete.eml": (
            "head@ash.example.org",
            f"{BA_TITLE}: Ash Primary, autumn term 2026-27: return is incomplete",
            {copy["Ash Primary"].name: copy["Ash Primary"].stat().st_size}),
        "Birch-Primary_behaviour-attendance_2026-27_autumn - incomplete.eml": (
            "head@birch.example.org",
            f"{BA_TITLE}: Birch Primary, autumn term 2026-27: return is incomplete",
            {copy["Birch Primary"].name: copy["Birch Primary"].stat().st_size}),
        "Damson-Primary_behaviour-attendance_2026-27_autumn - missing.eml": (
            "head@damson.example.org",
            f"{BA_TITLE}: Damson Primary, autumn term 2026-27: return not received yet",
            {original.name: original.stat().st_size}),
        "Elm-Primary_lppa_2026-27_autumn - rejected.eml": (
            "head@elm.example.org",
            f"{LPPA_TITLE}: Elm Primary, autumn term 2026-27: return needs correcting",
            {copy["Elm Primary"].name: copy["Elm Primary"].stat().st_size}),
    }  # fmt: skip
    for name, (_message, _body, attached) in drafts.items():
        for file_name, content in attached.items():
            source = original if name.endswith("missing.eml") else fix / file_name
            assert content == source.read_bytes(), name
    _message, body, _attached = drafts["Elm-Primary_lppa_2026-27_autumn - rejected.eml"]
    assert body.split("\n\n")[1:4] == [
        f"Thank you for sending Elm Primary's {LPPA_TITLE} return for the autumn term of "
        "2026-27. We could not use it, because of 1 problem:",
        f"- {GREEEN}",
        "The attached copy (Elm Primary - annotated.xlsx) marks each problem on its cell, with "
        "a note. Please correct those cells in that copy and send it back by replying to this "
        "email, by Friday 18 December 2026.",
    ]
    _message, body, _attached = drafts[
        "Birch-Primary_behaviour-attendance_2026-27_autumn - incomplete.eml"
    ]
    assert body.split("\n\n")[2] == f"- {HALF}"

    # 5. Elm corrects the cell in its annotated copy in LibreOffice and sends it back
    back = returns / "Elm Primary - annotated.xlsx"
    lo.fill(copy["Elm Primary"], back, {"Objective 1": {"C7": "Green"}}, profile_dir=profile)
    lines = run(*analysed, "--annotate", fix)
    assert lines[1:9] == [
        "Files read                        6",
        "  accepted                        2",
        "  with warnings                   3",
        "  rejected                        1",  # Elm's first return, still listed as it was
        "  duplicates                      0",
        "  unknown                         0",
        "Missing (expected, not returned)  1",
        "Usable returns: 3 complete, 1 incomplete, 1 with nothing rated (left out of the means).",
    ]
    assert lines[11:13] == [
        "behaviour-attendance  North        2026-27 autumn         2    62.5",
        "lppa                  North        2026-27 autumn         2    75.0",
    ]
    fixed = (str(back), "accepted", "56 of 56 rated, 100 %", "Elm Primary", None, None, None,
             None, "annotated copy: 1 of 1 problem fixed", None, None, "No")  # fmt: skip
    assert returns_sheet(book) == [*first[:3], fixed, *first[3:]]
    # nobody is chased for Elm any more; the others still are
    again = run("mail", "drafts", issued / LPPA, "--out", tmp_path / "chase-2", "--returns",
                data, "--only", "missing,rejected,incomplete")  # fmt: skip
    assert again == [
        "Nobody to chase: no setting's return is missing, rejected or incomplete; no draft "
        "written."
    ]

    # 6. spring: everything typed carried forward, only Term 2's outcome column open
    spring = tmp_path / "spring"
    for framework, count in ((BA, 3), (LPPA, 2)):
        out = spring / framework
        assert run("generate", framework, "--from-returns", returns, "--year", "2026-27",
                   "--term", "spring", "--out", out) == [
            f"Wrote {count} next-term workbooks to {out}/ and manifest.csv."
        ]  # fmt: skip
    fir_spring = openpyxl.load_workbook(workbook(spring, LPPA, "Fir Primary", "spring"))
    # last term's rating in C (locked), this term's in D (open), the IARAP one column right
    assert cells(fir_spring["Objective 1"], "C6 D6 E6 F6 G6 H6 I6 J6 K6 L6") == {
        "C6": ("Amber", True), "D6": (None, False),
        "E6": ("Co-ordinator named in September", False), "F6": ("Appoint a deputy", False),
        "G6": ("Head", False), "H6": ("Governors", False), "I6": ("By Christmas", False),
        "J6": ("Minutes of the meeting", False), "K6": ("1.1 a", False), "L6": ("Yes", False),
    }  # fmt: skip
    # Elm's spring workbook comes from its corrected copy, not the rejected return
    elm_spring = openpyxl.load_workbook(workbook(spring, LPPA, "Elm Primary", "spring"))
    assert cells(elm_spring["Objective 1"], "C6 C7 D7") == {
        "C6": ("Green", True), "C7": ("Green", True), "D7": (None, False),
    }  # fmt: skip
    cedar_spring = openpyxl.load_workbook(workbook(spring, BA, "Cedar Primary", "spring"))
    assert cells(cedar_spring["Membership"], "B7 B8 B9 B14 B15") == {
        "B7": ("Ash Academy", False), "B8": ("Beech High", False), "B9": (None, False),
        "B14": ("Cedar Primary", False), "B15": (None, False),
    }  # fmt: skip
    assert cells(cedar_spring["Outcomes"], "C6 D6 E6 F6 G6 B15 D15 E15 F15 G15") == {
        "C6": ("10%", True), "D6": ("12", True), "E6": ("10", True), "F6": (None, False),
        "G6": (None, True), "B15": ("Fewer breaktime incidents", True), "D15": ("40", True),
        "E15": ("31", True), "F15": (None, False), "G15": (None, True),
    }  # fmt: skip
    assert sorted(p.name for p in (spring / BA).glob("*.xlsx")) == [
        "Ash-Primary_behaviour-attendance_2026-27_spring.xlsx",
        "Birch-Primary_behaviour-attendance_2026-27_spring.xlsx",
        "Cedar-Primary_behaviour-attendance_2026-27_spring.xlsx",
    ]
