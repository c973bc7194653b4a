"""The small messages of issue 15, each as the user reads it: the email for a framework with
no date or comment column and for a baseline, a rating column with a heading of its own, the
Returns sheet's count of files, and counts of one said in the singular."""

from __future__ import annotations

import email
import email.policy
import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from awardbooks.cli import cli
from awardbooks.common.text import listed, plural
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one, generate_roster
from awardbooks.mail import drafts as mail
from awardbooks.workbook.cells import choose
from awardbooks.workbook.layout import layout_for
from tests import lofill as lo


def _draft(folder, frameworks, fid: str, term: str):
    out = folder / fid
    generate_roster(
        frameworks[fid], [Setting("Oak School", "100001", "North", "", "head@oak.example")],
        year="2026-27", term=term, out_dir=out / "workbooks",
    )  # fmt: skip
    done = mail.write_drafts(out / "workbooks", out_dir=out / "drafts", return_by="2026-12-11")
    (path,) = done.written
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return msg["Subject"], msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_the_email_asks_only_for_what_the_workbook_has_room_for(tmp_path, frameworks):
    subject, body = _draft(tmp_path, frameworks, "lppa", "baseline")
    assert subject == "Leading Parent Partnership Award: Oak School, baseline 2026-27"
    assert "workbook for the baseline of 2026-27." in body
    assert "rate each item with the dropdown beside it. Only the cells" in body  # no dates
    subject, body = _draft(tmp_path, frameworks, "behaviour-attendance", "spring")
    assert subject.endswith(": Oak School, spring term 2026-27")
    assert "beside it and add your comments. Only" in body  # it has no date column
    _subject, body = _draft(tmp_path, frameworks, "family-partnership", "autumn")
    assert "beside it and add your dates and comments. Only" in body


def test_a_rating_heading_of_its_own_reads_as_a_sentence(tmp_path, frameworks):
    assert choose("Rating") == "Choose a rating"
    assert choose("KPI status") == "Choose a KPI status"
    assert choose("Overall best-fit judgement") == "Choose an overall best-fit judgement"
    assert choose("Where are we now?") == 'Under "Where are we now?", choose one'
    fw = frameworks["family-partnership"]
    labels = fw.labels.model_copy(update={"rating": "Where are we now?"})
    own = fw.model_copy(update={"labels": labels})
    path, _row = generate_one(own, Setting("Oak School"), year="2026-27", term="autumn",
                              out_dir=tmp_path)  # fmt: skip
    sheet = openpyxl.load_workbook(path)[layout_for(own).audit_sheets[0]]
    assert sheet["A3"].value == (
        'Under "Where are we now?", choose one for each row from the dropdown (Emergent, '
        "Developing, Embedded). Yellow cells are for you to fill in."
    )


def test_plural_and_lists():
    assert [plural(1, "PDF"), plural(2, "PDF"), plural(1, "box"), plural(3, "box")] == [
        "1 PDF", "2 PDFs", "1 box", "3 boxes",
    ]  # fmt: skip
    assert plural(2, "child", "children") == "2 children"
    assert [listed([]), listed(["A"]), listed(["A", "B"]), listed(["A", "B", "C"])] == [
        "", "A", "A and B", "A, B and C",
    ]  # fmt: skip


@pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")
def test_returns_sheet_counts_files_read_and_report_counts_in_the_singular(
    tmp_path, frameworks
):
    fw = frameworks["lppa"]
    issued = generate_roster(
        fw, [Setting(name, f"10000{n}", "North") for n, name in enumerate(["Ash", "Elm"], 1)],
        year="2026-27", term="autumn", out_dir=tmp_path / "workbooks",
    )  # fmt: skip
    layout = layout_for(fw)
    first = next(r for r in layout.rating_rows if r.rated)
    returns = tmp_path / "returns"
    returns.mkdir()
    good, bad = returns / "ash.xlsx", returns / "elm.xlsx"
    rated = {}
    for row in (r for r in layout.rating_rows if r.rated):
        rated.setdefault(row.sheet, {})[layout.rating_cell(row).a1] = "Green"
    misspelt = {first.sheet: {layout.rating_cell(first).a1: "Greeen"}}
    lo.fill_many([(issued.written[0], good, rated), (issued.written[1], bad, misspelt)])
    out = tmp_path / "consolidated.xlsx"
    manifest = tmp_path / "workbooks" / "manifest.csv"
    only_ash = tmp_path / "ash-only"
    only_ash.mkdir()
    shutil.copy(good, only_ash / "ash.xlsx")
    done = CliRunner().invoke(
        cli, ["analyse", str(only_ash), "--manifest", str(manifest), "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    sheet = openpyxl.load_workbook(out)["Returns"]
    assert (sheet["A1"].value, sheet["A2"].value) == ("Files read", 1)  # Elm is missing
    assert [c.value for c in sheet[5]][:3] == [str(only_ash / "ash.xlsx"), "accepted",
                                               "56 of 56 rated, 100 %"]  # fmt: skip
    assert [c.value for c in sheet[6]][1:3] == ["missing", None]
    reports = tmp_path / "feedback"
    done = CliRunner().invoke(cli, ["report", str(returns), "--out", str(reports)])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[-2:] == [
        f"Wrote feedback for 1 setting to {reports}/ (1 workbook and 1 PDF).",
        "Left out 1 return that was rejected, a duplicate or unknown (awardbooks analyse lists "
        "the reasons).",
    ]


def test_nothing_rated_and_incomplete_say_one_and_many(frameworks):
    from types import SimpleNamespace

    from awardbooks.read.completeness import check_completion, completion_text
    from awardbooks.read.returns import Rating

    fw = frameworks["behaviour-attendance"]
    first = fw.groups[0]
    one = fw.model_copy(update={"groups": (first.model_copy(update={"items": first.items[:1]}),)})
    item = first.items[0].id

    def problems(framework, labels, threshold=None):
        found = []
        record = SimpleNamespace(
            framework=framework, errors=[],
            ratings={key: Rating(key, "1", label) for key, label in labels.items()},
        )  # fmt: skip
        check_completion(record, SimpleNamespace(completion_threshold=threshold), found.append)
        return [p.message for p in found]

    assert problems(one, {item: None}) == [
        "nothing rated: its one element has no rating, so the return is left out of the "
        "scores, the means and the count of settings"
    ]
    assert problems(one, {item: "Developed"}) == []
    two = {i.id: None for i in first.items[:2]}
    wider = fw.model_copy(update={"groups": (first.model_copy(update={"items": first.items[:2]}),)})
    assert problems(wider, two) == [
        "nothing rated: none of the 2 elements has a rating, so the return is left out of the "
        "scores, the means and the count of settings"
    ]
    half = two | {first.items[0].id: "Developed"}
    assert problems(wider, half) == ["1 of 2 rated, 50 %, below the 80 % expected"]
    assert problems(wider, half, threshold=50) == []
    assert problems(wider, half, threshold=62.5) == [
        "1 of 2 rated, 50 %, below the 62.5 % expected"
    ]
    assert [completion_text(0, 3), completion_text(199, 200), completion_text(2, 3)] == [
        "0 of 3 rated, 0 %", "199 of 200 rated, 99 %", "2 of 3 rated, 67 %",
    ]  # fmt: skip
