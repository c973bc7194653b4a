"""A partnership's year in a collection, end to end, with every return filled in LibreOffice as
a school fills it: autumn (a duplicate, a rejected return and its late fix, a school that never
returns), spring carried forward (returns arriving in a saved email and a zip, a return
deleted from returns/ after it was taken in), and summer."""

from __future__ import annotations

import email.message
import sqlite3
import zipfile
from pathlib import Path

import pytest

from awardbooks.common.csvfiles import csv_reader
from awardbooks.read.returns import Registry, read_path
from awardbooks.spec import loading
from awardbooks.workbook.layout import CARRY_FORWARD, layout_for
from tests import lofill as lo
from tests.collection_tools import ROSTER, run

pytestmark = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")

YEAR = "2026-27"
FW = loading.load("lppa")


def filled(ratings: dict[str, str], completed_on: str, variant: str = "") -> dict:
    """The cells a school types: ratings (the KPIs not in ``ratings`` rated Amber, so that
    the return is complete), and who completed the workbook and when."""
    layout = layout_for(FW, variant)
    rows = layout.rows_by_key
    values: dict[str, dict] = {}
    every = {r.key: "Amber" for r in layout.rating_rows if r.rated}
    for key, label in (every | ratings).items():
        values.setdefault(rows[key].sheet, {})[layout.rating_cell(rows[key]).a1] = label
    cover = values.setdefault("Cover", {})
    cover[layout.cover_inputs["completed_by"].a1] = "Co-ordinator"
    cover[layout.cover_inputs["completed_on"].a1] = {"date": completed_on}
    return values


def workbook(coll: Path, term: str, name: str) -> Path:
    return coll / "workbooks" / term / f"{name}_lppa_{YEAR}_{term}.xlsx"


def table(coll: Path, name: str) -> list[dict[str, str]]:
    return list(csv_reader((coll / "outputs" / "data" / f"{name}.csv").read_text("utf-8")))


def status_of(coll: Path) -> dict[str, str]:
    return {r["file"]: r["status"] for r in table(coll, "returns")}


def saved_email(path: Path, attachment: Path, subject: str) -> Path:
    """A reply saved from a mail program, the workbook attached."""
    msg = email.message.EmailMessage()
    msg["From"] = "office@ash.example.org"
    msg["To"] = "la@borough.example.org"
    msg["Subject"] = subject
    msg["Date"] = "Fri, 19 Mar 2027 10:00:00 +0000"
    msg.set_content("Please find our workbook attached.")
    msg.add_attachment(attachment.read_bytes(), maintype="application",
                       subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       filename=attachment.name)  # fmt: skip
    path.write_bytes(bytes(msg))
    return path


AUTUMN = {"1.1": "Red", "1.2": "Amber", "1.3": "Green", "2.1": "Amber", "2.2": "Red"}
SPRING = {"1.1": "Amber", "1.2": "Green", "1.3": "Green", "2.1": "Green", "2.2": "Amber"}
SUMMER = {"1.1": "Green", "1.2": "Green", "1.3": "Green", "2.1": "Green", "2.2": "Green"}


def test_a_year_in_a_collection(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    coll = tmp_path / "north"
    profile = tmp_path / "profile"
    made = tmp_path / "filled"
    made.mkdir()
    run(None, "new", str(coll), "--framework", "lppa", "--roster", str(roster), "--year", YEAR)

    # ---- autumn: issued, mailed, returned (Damson never returns, all year)
    run(coll, "generate", "--term", "autumn")
    assert run(coll, "mail", "drafts").output.startswith(
        f"Wrote 3 drafts to {coll}/drafts/autumn/"
    )
    lo.fill_many([
        (workbook(coll, "autumn", "Ash-Primary"), made / "ash.xlsx",
         filled(AUTUMN, "2026-11-20")),
        (workbook(coll, "autumn", "Birch-Primary"), made / "birch-draft.xlsx",
         filled({"1.1": "Red"}, "2026-11-02")),
        (workbook(coll, "autumn", "Birch-Primary"), made / "birch.xlsx",
         filled(AUTUMN, "2026-11-25")),
        (workbook(coll, "autumn", "Cedar-Academy"), made / "cedar.xlsx",
         filled(AUTUMN | {"1.4": "Greeen"}, "2026-11-26")),
        (workbook(coll, "autumn", "Cedar-Academy"), made / "cedar-fixed.xlsx",
         filled(AUTUMN | {"1.4": "Green"}, "2026-12-03")),
    ], profile_dir=profile)  # fmt: skip
    returns = coll / "returns"
    for name in ("ash.xlsx", "birch-draft.xlsx", "birch.xlsx", "cedar.xlsx"):
        (returns / "autumn" / name).parent.mkdir(exist_ok=True)
        (returns / "autumn" / name).write_bytes((made / name).read_bytes())
    (returns / "autumn" / "copy of ash.xlsx").write_bytes((made / "ash.xlsx").read_bytes())
    result = run(coll, "update")
    assert result.output.splitlines()[:3] == [
        "Took in 4 new files: 4 new returns.",
        "Already taken in: returns/autumn/copy of ash.xlsx is the same file as "
        "returns/autumn/ash.xlsx.",
        "Files read                        4",
    ]
    assert status_of(coll) == {
        "returns/autumn/ash.xlsx": "accepted",
        "returns/autumn/birch-draft.xlsx": "duplicate",
        "returns/autumn/birch.xlsx": "accepted",
        "returns/autumn/cedar.xlsx": "rejected",
        f"workbooks/autumn/Damson-Infants_lppa_{YEAR}_autumn.xlsx": "missing",
    }
    chase = run(coll, "status").output.split("To chase (2):\n")[1].splitlines()
    assert chase[0] == (
        "  lppa autumn: Cedar Academy <no contact_email in the roster>: rejected, "
        "returns/autumn/cedar.xlsx: Objective 1!C9: 'Greeen' is not a level of Red/Amber/Green"
    )
    assert chase[1].startswith("  lppa autumn: Damson Infants <admin@damson.example.org>: "
                               "missing, due 2026-12-11")  # fmt: skip
    # the late fix
    run(coll, "add", str(made / "cedar-fixed.xlsx"))
    assert run(coll, "status").output.splitlines()[2] == (
        "lppa       autumn 2026-27  2026-12-11       4         3         3         0         0"
        "        1           1        0"
    )
    assert run(coll, "report", "--no-pdf").output == (
        f"Wrote 3 feedback reports to {coll}/outputs/feedback/.\n"
    )

    # ---- spring: carried forward; returns in a saved email and a zip
    result = run(coll, "generate", "--term", "spring")
    assert result.stderr == (
        "Warning: Damson Infants: no usable return to carry forward (none came back, or none "
        "could be used: the Returns sheet says why); a fresh workbook was made\n"
    )
    ash_spring = workbook(coll, "spring", "Ash-Primary")
    meta = read_path(ash_spring, Registry.default()).meta
    assert (meta["layout_variant"], meta["previous_term"]) == (CARRY_FORWARD, "autumn 2026-27")
    run(coll, "mail", "drafts")
    lo.fill_many([
        (ash_spring, made / "ash-spring.xlsx", filled(SPRING, "2027-03-12", CARRY_FORWARD)),
        (workbook(coll, "spring", "Birch-Primary"), made / "birch-spring.xlsx",
         filled(SPRING, "2027-03-15", CARRY_FORWARD)),
        (workbook(coll, "spring", "Cedar-Academy"), made / "cedar-spring.xlsx",
         filled(SPRING, "2027-03-16", CARRY_FORWARD)),
    ], profile_dir=profile)  # fmt: skip
    (returns / "inbox").mkdir()
    saved_email(returns / "inbox" / "Re Ash spring.eml", made / "ash-spring.xlsx", "Re: LPPA")
    with zipfile.ZipFile(returns / "birch and cedar.zip", "w") as zf:
        zf.write(made / "birch-spring.xlsx", "birch-spring.xlsx")
        zf.write(made / "cedar-spring.xlsx", "cedar-spring.xlsx")
    (returns / "autumn" / "ash.xlsx").unlink()  # taken in already: the return is kept
    (returns / "autumn" / "copy of ash.xlsx").unlink()
    result = run(coll, "update")
    lines = result.output.splitlines()
    assert lines[0] == "Took in 2 new files: 3 new returns."
    assert lines[1] == ("1 file taken in before no longer in returns/; their returns are kept "
                        "in the collection.")  # fmt: skip
    assert "Wrote 3 feedback reports (new, or their content changed)." in lines
    statuses = status_of(coll)
    assert statuses["returns/autumn/ash.xlsx"] == "accepted"
    assert statuses["returns/inbox/Re Ash spring.eml!ash-spring.xlsx"] == "accepted"
    assert statuses["returns/birch and cedar.zip!birch-spring.xlsx"] == "accepted"
    emailed = next(r for r in table(coll, "returns") if r["file"].endswith("ash-spring.xlsx"))
    assert (emailed["email_from"], emailed["email_subject"]) == (
        "office@ash.example.org", "Re: LPPA",
    )  # fmt: skip
    progress = {
        (r["setting"], r["term"]): (r["score_pct"], r["change_pct"])
        for r in table(coll, "progress") if r["group_id"] == "ALL"
    }  # fmt: skip
    autumn_pct, spring_pct = progress[("Ash Primary", "autumn")][0], progress[
        ("Ash Primary", "spring")]  # fmt: skip
    assert float(spring_pct[0]) > float(autumn_pct)
    assert spring_pct[1] == f"{float(spring_pct[0]) - float(autumn_pct):.1f}"

    # ---- summer
    run(coll, "generate", "--term", "summer")
    lo.fill_many([(workbook(coll, "summer", "Ash-Primary"), returns / "ash-summer.xlsx",
                   filled(SUMMER, "2027-07-01", CARRY_FORWARD))], profile_dir=profile)
    run(coll, "update")
    status = run(coll, "status").output.splitlines()
    assert status[1:5] == [
        "framework  term            due         issued  returned  accepted  warnings  rejected"
        "  missing  duplicates  unknown",
        "lppa       autumn 2026-27  2026-12-11       4         3         3         0         0"
        "        1           1        0",
        "lppa       spring 2026-27  2027-03-19       4         3         3         0         0"
        "        1           0        0",
        "lppa       summer 2026-27  2027-07-09       4         1         1         0         0"
        "        3           0        0",
    ]
    ledger = coll / ".awardbooks" / "ledger.sqlite"
    conn = sqlite3.connect(ledger)
    try:
        assert conn.execute("SELECT COUNT(*) FROM returns").fetchone() == (9,)
        assert conn.execute(
            "SELECT COUNT(*) FROM workbooks WHERE mailed_at IS NOT NULL"
        ).fetchone() == (6,)
    finally:
        conn.close()
