from __future__ import annotations

import csv
import math
import sys
import tempfile
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from awardbooks.analyse import tables
from awardbooks.analyse.tables import Consolidation
from awardbooks.common.csvfiles import neutralise as neutralise_cell
from awardbooks.common.text import CELL_MAX, excel_text
from awardbooks.errors import AwardbooksError, ReportError
from awardbooks.outputs import consolidated as report
from awardbooks.outputs.consolidated import write_consolidated
from awardbooks.outputs.data_files import write_data
from awardbooks.outputs.frames import column_values
from awardbooks.outputs.summary import summary_lines

NAN = float("nan")
FORMULA_LIKE = ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-2"]
LONG = "L" * 33_000 + "tail"
BELL = "ring\x07the bell"
WORLD = "Great work 😀 — عمل رائع"
LPPA = ("Emerging", "Developing", "Secure")
FAMILY = ("Red", "Amber", "Green")


def frame(columns, rows):
    return pd.DataFrame([dict(zip(columns, r)) for r in rows], columns=list(columns))


EARLIER_RETURNS = tuple(
    c for c in tables.RETURNS
    if c not in ("completion", "completion_pct", "codes", "read_leniently")
)  # fmt: skip
"""The Returns columns before completeness: the rows below are written in this order."""


def make_consolidation() -> Consolidation:
    settings = [
        ("St Mary's", "100001", "North", "wb-1"),
        ("مدرسة النور 😀", "100002", "North", "wb-2"),
        ("Oak Tree", "100003", "South", "wb-3"),
    ]
    comments = [*FORMULA_LIKE, LONG, BELL, WORLD, "", "plain"]
    ratings = []
    for n, comment in enumerate(comments):
        setting, urn, partnership, wb = settings[n % 3]
        score = NAN if n == 7 else float(n % 3)
        rating = "" if n == 7 else LPPA[n % 3]
        ratings.append(
            (f"{wb}.xlsx", wb, "lppa", "1.0", setting, urn, partnership, "2026-27", "autumn",
             "G1", f"G1.{n}", rating, score, "2026-10-0%d" % (n + 1), comment)
        )  # fmt: skip
    scores = []
    for setting, urn, partnership, wb in settings:
        for gid, title, pct in (("G1", "Leadership", 66.7), ("G2", "=Curriculum", 50.0)):
            scores.append(
                (wb, "lppa", setting, urn, partnership, "2026-27", "autumn", gid, title, 2, 3,
                 pct, 100.0)
            )  # fmt: skip
        scores.append(
            (wb, "lppa", setting, urn, partnership, "2026-27", "autumn", "ALL", "Overall", 4, 6,
             58.3, 66.7)
        )  # fmt: skip
    scores.append(
        ("wb-4", "family-partnership", "Oak Tree", "100003", "South", "2026-27", "spring", "F1",
         "Families", 0, 4, NAN, 0.0)
    )  # fmt: skip
    scores.append(
        ("wb-4", "family-partnership", "Oak Tree", "100003", "South", "2026-27", "spring", "ALL",
         "Overall", 0, 4, NAN, 0.0)
    )  # fmt: skip
    progress = [
        ("lppa", "St Mary's", "100001", "North", "ALL", "Overall", "2026-27", term, pct, chg, sl,
         *moved)
        for term, pct, chg, sl, moved in (
            ("summer", 55.0, -5.0, True, (2, 3, 1)),
            ("baseline", 50.0, NAN, False, (NAN, NAN, NAN)),
            ("autumn", 60.0, 10.0, False, (0, 4, 2)),
        )
    ] + [("lppa", "Oak Tree", "100003", "South", "G1", "+Leadership", "2025-26", "summer",
          40.0, NAN, False, NAN, NAN, NAN)]  # fmt: skip
    actions = [
        ("wb-1.xlsx", "lppa", "St Mary's", "100001", "North", "2026-27", "autumn", 1,
         "=cmd|' /C calc'!A0", "Head", "2026-09-01", "2026-10-01", "Amber", "Cost: £0", True),
        ("wb-3.xlsx", "lppa", "Oak Tree", "100003", "South", "2026-27", "autumn", 2,
         "Train staff", "", "", "", "Green", "", False),
    ]  # fmt: skip
    outcomes = [
        ("lppa", "St Mary's", "100001", "North", "2026-27", "autumn", "O1", "Reading",
         "Baseline data", 12),
        ("lppa", "St Mary's", "100001", "North", "2026-27", "autumn", "O1", "Reading",
         "Term 1 progress", "-3 pupils"),
    ]  # fmt: skip
    returns = [
        ("wb-1.xlsx", "accepted", "lppa", "1.0", "St Mary's", "100001", "North", "Leeds",
         "2026-27", "autumn", "wb-1", "A. Head", "2026-10-10", "", ""),
        ("wb-2.xlsx", "warning", "lppa", "1.0", "مدرسة النور 😀", "100002", "North", "Leeds",
         "2026-27", "autumn", "wb-2", "", "", "", "@warn: no date\nsecond line"),
        ("bad.xlsx", "rejected", "", "", "", "", "", "", "", "", "", "", "", "=1+1 not a book",
         ""),
        ("copy.xlsx", "duplicate", "lppa", "1.0", "Oak Tree", "100003", "South", "", "2026-27",
         "autumn", "wb-3", "", "", "", "same as wb-3.xlsx"),
        ("wb-5.xlsx", "missing", "lppa", "", "Elm", "100005", "South", "", "2026-27", "autumn",
         "wb-5", "", "", "", ""),
        ("notes.txt", "unknown", "", "", "", "", "", "", "", "", "", "", "", "not a workbook",
         ""),
    ]  # fmt: skip
    inputs = [
        ("wb-1.xlsx", "wb-1", "lppa", "St Mary's", "100001", "North", "2026-27", "autumn",
         "Objective 1", "D6", "1.1", "LPPA co-ordinator in place", "current_position",
         "Current position", "=HYPERLINK(\"http://x\")"),
    ]  # fmt: skip
    summary = [
        ("North", "lppa", "LPPA self-evaluation", "2026-27", "autumn", 2, 58.3, 50.0, 66.7),
        ("South", "lppa", "LPPA self-evaluation", "2026-27", "autumn", 1, 58.3, 58.3, 58.3),
        ("South", "family-partnership", "Family partnership", "2026-27", "spring", 1, NAN, NAN,
         NAN),
    ]  # fmt: skip
    levels = [
        ("North", "lppa", "2026-27", "autumn", "Emerging", 3),
        ("North", "lppa", "2026-27", "autumn", "Secure", 2),
        ("South", "lppa", "2026-27", "autumn", "Developing", 2),
        ("South", "family-partnership", "2026-27", "spring", "Amber", 1),
    ]
    group_means = [
        ("North", "lppa", "2026-27", "autumn", "G1", "Leadership", 66.7),
        ("North", "lppa", "2026-27", "autumn", "G2", "=Curriculum", 50.0),
        ("South", "lppa", "2026-27", "autumn", "G1", "Leadership", 33.3),
        ("South", "lppa", "2025-26", "summer", "G1", "Leadership", 10.0),
        ("South", "family-partnership", "2026-27", "spring", "F1", "Families", NAN),
    ]
    returns_df = frame(EARLIER_RETURNS, returns).reindex(columns=list(tables.RETURNS))
    completion = ["completion", "completion_pct", "codes", "read_leniently"]
    returns_df[completion] = returns_df[completion].astype(object)
    returns_df.loc[0, completion] = ["6 of 6 rated, 100 %", 100.0, "", False]
    returns_df.loc[1, completion] = ["4 of 6 rated, 67 %", 66.7, "return-incomplete", True]
    return Consolidation(
        returns=returns_df,
        ratings=frame(tables.RATINGS, ratings),
        scores=frame(tables.SCORES, scores),
        progress=frame(tables.PROGRESS, progress),
        actions=frame(tables.ACTIONS, actions),
        outcomes=frame(tables.OUTCOMES, outcomes),
        summary=frame(tables.SUMMARY, summary),
        levels=frame(tables.LEVELS, levels),
        group_means=frame(tables.GROUP_MEANS, group_means),
        level_order={"lppa": LPPA, "family-partnership": FAMILY},
        level_colours={
            "lppa": {"Emerging": "#F4B183", "Developing": "#FFE699", "Secure": "#A9D18E"},
            "family-partnership": {"Red": "#FF0000", "Amber": "bad", "Green": "#00B050"},
        },
        analysed_on="2026-11-01",
        inputs=frame(tables.INPUTS, inputs),
    )


def empty_consolidation(with_columns: bool = True) -> Consolidation:
    def empty(columns):
        return pd.DataFrame(columns=list(columns)) if with_columns else pd.DataFrame()

    names = ("RETURNS", "RATINGS", "SCORES", "PROGRESS", "ACTIONS", "OUTCOMES", "SUMMARY",
             "LEVELS", "GROUP_MEANS")  # fmt: skip
    return Consolidation(*(empty(getattr(tables, n)) for n in names), inputs=empty(tables.INPUTS))


def load(path):
    with warnings.catch_warnings():  # openpyxl does not know sparklines and says so
        warnings.simplefilter("ignore")
        return openpyxl.load_workbook(path)


def cells(ws):
    return [cell for row in ws.iter_rows() for cell in row if cell.value is not None]


def find(ws, value):
    return [cell for cell in cells(ws) if cell.value == value]


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory):
    path = tmp_path_factory.mktemp("out") / "consolidated.xlsx"
    write_consolidated(make_consolidation(), path)
    return path


def test_sheets_in_order(consolidated):
    assert load(consolidated).sheetnames == list(report.SHEETS)
    calamine = CalamineWorkbook.from_path(str(consolidated))
    assert calamine.sheet_names == list(report.SHEETS)
    for name in report.SHEETS:  # every sheet parses
        assert calamine.get_sheet_by_name(name).to_python()


def test_no_formulas_and_no_hyperlinks(consolidated):
    wb = load(consolidated)
    for ws in wb.worksheets:
        assert ws._hyperlinks == [], ws.title
        for cell in cells(ws):
            assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)


def test_formula_like_text_stays_text(consolidated):
    ws = load(consolidated)["Ratings"]
    comments = [row[14] for row in ws.iter_rows(min_row=2, values_only=True)]
    for text in FORMULA_LIKE:
        (cell,) = find(ws, text)
        assert cell.data_type == "s"
        assert cell.value == text
        assert text in comments
    actions = load(consolidated)["Actions"]
    (cell,) = find(actions, "=cmd|' /C calc'!A0")
    assert cell.data_type == "s"
    rows = CalamineWorkbook.from_path(str(consolidated)).get_sheet_by_name("Ratings").to_python()
    assert [r[14] for r in rows[1:5]] == FORMULA_LIKE


def test_text_limits_and_unicode(consolidated):
    ws = load(consolidated)["Ratings"]
    comments = [row[14] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert comments[4] == LONG[: CELL_MAX]
    assert len(comments[4]) == 32_767
    assert comments[5] == "ringthe bell"  # the control character is dropped, nothing else
    assert comments[6] == WORLD
    assert comments[7] is None  # an empty comment is a blank cell
    assert find(load(consolidated)["Returns"], "مدرسة النور 😀")
    rows = CalamineWorkbook.from_path(str(consolidated)).get_sheet_by_name("Ratings").to_python()
    assert rows[6][14] == "ringthe bell"
    assert rows[7][14] == WORLD
    assert rows[5][14] == LONG[:32_767]


def test_excel_text_counts_utf16_units():
    assert excel_text("😀" * 20_000) == "😀" * 16_383
    assert excel_text("a\x00b\x1fc\td\ne\rf\ufffe\ud800") == "abc\td\ne\rf\ufffd"
    assert excel_text("x" * 40_000) == "x" * 32_767


def test_tables_cover_the_data(consolidated):
    wb = load(consolidated)
    c = make_consolidation()
    expected = {
        "Ratings": ("A1", len(tables.RATINGS), len(c.ratings), 0),
        "Actions": ("A1", len(tables.ACTIONS), len(c.actions), 0),
        "Returns": ("A4", len(tables.RETURNS), len(c.returns), 3),
    }
    for name, (start, ncols, nrows, top) in expected.items():
        ws = wb[name]
        (table,) = ws.tables.values()
        last = openpyxl.utils.get_column_letter(ncols)
        assert table.ref == f"{start}:{last}{top + nrows + 1}"
        assert table.autoFilter is not None
        header = [cell.value for cell in ws[top + 1]][:ncols]
        assert header == [tables.heading(c) for c in getattr(tables, name.upper())]
        assert [cell.name for cell in table.tableColumns] == header
        assert ws.freeze_panes == f"A{top + 2}"


def test_numbers_are_numbers(consolidated):
    wb = load(consolidated)
    ratings = wb["Ratings"]
    scores = [row[12] for row in ratings.iter_rows(min_row=2, values_only=True)]
    assert scores[:7] == [0.0, 1.0, 2.0, 0.0, 1.0, 2.0, 0.0]
    assert scores[7] is None
    ws = wb["Scores"]
    assert [c.value for c in ws[2]] == [
        "Setting", "URN", "Partnership", "Year", "Term", "G1 Leadership", "G2 =Curriculum",
        "Overall %", "Completion %",
    ]  # fmt: skip
    row = [c.value for c in ws[3]]
    assert row == ["St Mary's", "100001", "North", "2026-27", "autumn", 66.7, 50.0, 58.3, 66.7]
    assert ws["F3"].data_type == "n"
    assert ws["F3"].number_format == "0.0"
    assert ws.conditional_formatting  # the colour scale
    (family,) = find(ws, "Framework: family-partnership")
    data = [c.value for c in ws[family.row + 2]]
    assert data[:8] == ["Oak Tree", "100003", "South", "2026-27", "spring", None, None, 0.0]


def test_progress_sheet(consolidated):
    ws = load(consolidated)["Progress"]
    header = [c.value for c in ws[1]]
    assert header[6:] == [
        "2025-26 summer", "2026-27 baseline", "2026-27 autumn", "2026-27 summer",
        "Latest change", "Items down", "Items same", "Items up", "Trend",
    ]  # fmt: skip
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, max_row=3, values_only=True)}
    assert rows["St Mary's"][6:14] == (None, 50.0, 60.0, 55.0, -5.0, 2, 3, 1)
    assert rows["Oak Tree"][4:14] == ("G1", "+Leadership", 40.0, None, None, None, None, None,
                                      None, None)  # fmt: skip  # a first return
    (down,) = [ws.cell(r, 12) for r in (2, 3) if ws.cell(r, 2).value == "St Mary's"]
    assert down.value == 2 and down.fill.fgColor.rgb.endswith("FFC7CE")  # items went down
    assert not find(ws, "Outcomes")  # outcomes have their own sheet
    (table,) = ws.tables.values()
    assert table.ref == "A1:O3" and table.name == "tblProgress"
    outcomes = load(consolidated)["Outcomes"]
    assert [c.value for c in outcomes[1]][8:10] == ["Baseline data", "Term 1 progress"]
    assert [c.value for c in outcomes[2]][6:10] == ["O1", "Reading", 12, "-3 pupils"]
    assert [t.name for t in outcomes.tables.values()] == ["tblOutcomes"]


def test_sparklines_written(consolidated):
    import zipfile

    with zipfile.ZipFile(consolidated) as z:
        names = {n for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
        xml = z.read("xl/worksheets/sheet3.xml").decode()
    assert len(names) == 8
    assert "<x14:sparklineGroup" in xml and "Progress!G2:J2" in xml


def test_actions_and_returns_flags(consolidated):
    wb = load(consolidated)
    ws = wb["Actions"]
    assert [c.value for c in ws[2]][-1] == "Yes"
    assert [c.value for c in ws[3]][-1] == "No"
    assert ws["A2"].fill.fgColor.rgb.endswith("FFC7CE")
    ws = wb["Returns"]
    assert [c.value for c in ws[1]][:7] == ["Files read", *tables.STATUSES]
    assert [c.value for c in ws[2]][:7] == [5, 1, 1, 1, 1, 1, 1]  # a missing one is no file
    assert [c.value for c in ws[4]][:4] == ["File", "Status", "Completion", "Completion %"]
    assert [c.value for c in ws[5]][:4] == ["wb-1.xlsx", "accepted", "6 of 6 rated, 100 %", 100]
    statuses = {r[1]: r for r in ws.iter_rows(min_row=5, values_only=True)}
    assert set(statuses) == set(tables.STATUSES)
    fills = {ws.cell(r, 2).value: ws.cell(r, 2).fill.fgColor.rgb[-6:] for r in range(5, 11)}
    assert fills == {
        "accepted": "C6EFCE", "warning": "FFEB9C", "rejected": "FFC7CE",
        "duplicate": "D9D9D9", "missing": "F8CBAD", "unknown": "F8CBAD",
    }  # fmt: skip
    (warning,) = find(ws, "@warn: no date\nsecond line")
    assert warning.alignment.wrap_text and warning.data_type == "s"


def test_summary_sheet_and_charts(consolidated):
    """Terms side by side per partnership, levels as shares (%) charted as 100 % stacked
    bars, group means, and the To look at list."""
    import zipfile

    ws = load(consolidated)["Summary"]
    assert ws["A1"].value == "Partnership summary"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9
    (terms,) = find(ws, "LPPA self-evaluation: overall % by term")
    rows = [[c.value for c in ws[terms.row + i]][:4] for i in (1, 2, 3)]
    assert rows == [["Partnership", "2026-27 autumn", "Change", "Settings (latest)"],
                    ["North", 58.3, None, 2], ["South", 58.3, None, 1]]  # fmt: skip
    assert ws.cell(terms.row + 1, 2).alignment.horizontal == "right"  # over its numbers
    (levels,) = find(ws, "LPPA self-evaluation: share of ratings by level (%)")
    assert [c.value for c in ws[levels.row + 1]][:5] == ["Partnership, term", *LPPA, "Ratings"]
    assert [c.value for c in ws[levels.row + 2]][:5] == ["North, 2026-27 autumn", 60, 0, 40, 5]
    (groups,) = find(ws, "LPPA self-evaluation: mean % by group, 2026-27 autumn")
    assert [c.value for c in ws[groups.row + 1]][:3] == ["Group", "North", "South"]
    assert [c.value for c in ws[groups.row + 3]][:3] == ["G2 =Curriculum", 50.0, None]
    assert find(ws, "• St Mary's, overall: -5.0 points by 2026-27 summer")
    assert find(ws, "• مدرسة النور 😀, 2026-27 autumn: 4 of 6 rated, 67 %")
    assert find(ws, "Usable returns: 1 complete, 1 incomplete.")
    with zipfile.ZipFile(consolidated) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4  # two per framework
    assert sum('c:grouping val="percentStacked"' in x for x in charts) == 2
    assert any("F4B183" in x for x in charts)


def test_print_setup_on_every_sheet(consolidated):
    for ws in load(consolidated).worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        widths = [d.width for d in ws.column_dimensions.values() if d.width]
        assert widths and max(widths) <= 62, ws.title


@pytest.mark.parametrize("with_columns", [True, False])
def test_empty_consolidation(tmp_path, with_columns):
    path = tmp_path / "consolidated.xlsx"
    write_consolidated(empty_consolidation(with_columns), path)
    wb = load(path)
    assert wb.sheetnames == list(report.SHEETS)
    for ws in wb.worksheets:
        assert find(ws, "No rows."), ws.title
    assert [c.value for c in wb["Ratings"][1]] == [tables.heading(c) for c in tables.RATINGS]
    assert [c.value for c in wb["Returns"][2]][:7] == [0] * 7
    assert summary_lines(empty_consolidation(with_columns))[0].startswith("Files read")
    written = write_data(empty_consolidation(with_columns), tmp_path / "data", parquet=False)
    with open(written[0], encoding="utf-8", newline="") as f:
        assert f.read() == ",".join(tables.RATINGS) + "\r\n"


def test_failure_leaves_old_file(tmp_path, monkeypatch):
    path = tmp_path / "consolidated.xlsx"
    path.write_bytes(b"old workbook")

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(report, "_returns_sheet", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_consolidated(make_consolidation(), path)
    assert path.read_bytes() == b"old workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["consolidated.xlsx"]


def test_consolidated_into_folder_refused(tmp_path):
    with pytest.raises(ReportError, match="is a folder, not a file"):
        write_consolidated(make_consolidation(), tmp_path)


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_write_data(tmp_path):
    folder = tmp_path / "new" / "data"
    written = write_data(make_consolidation(), folder, parquet=False)
    names = ["ratings", "scores", "progress", "returns", "actions", "outcomes", "inputs"]
    assert written == [folder / f"{n}.csv" for n in names]
    columns = {
        "ratings": tables.RATINGS, "scores": tables.SCORES, "progress": tables.PROGRESS,
        "returns": tables.RETURNS_CSV, "actions": tables.ACTIONS, "outcomes": tables.OUTCOMES,
        "inputs": tables.INPUTS,
    }  # fmt: skip
    for name in names:
        text = (folder / f"{name}.csv").read_bytes().decode("utf-8")
        assert text.split("\r\n", 1)[0] == ",".join(columns[name])
    assert read_csv(folder / "inputs.csv")[1:] == [
        ["wb-1.xlsx", "wb-1", "lppa", "St Mary's", "100001", "North", "2026-27", "autumn",
         "Objective 1", "D6", "1.1", "LPPA co-ordinator in place", "current_position",
         "Current position", "'=HYPERLINK(\"http://x\")"],
    ]  # fmt: skip
    ratings = read_csv(folder / "ratings.csv")[1:]
    comments = [r[14] for r in ratings]
    assert comments[:4] == ['\'=HYPERLINK("http://x","y")', "'+1", "'@SUM(A1)", "'-2"]
    assert comments[4] == LONG  # CSV keeps the whole text
    assert comments[5] == BELL and comments[6] == WORLD
    assert [r[12] for r in ratings][:4] == ["0.0", "1.0", "2.0", "0.0"]
    assert ratings[7][11:13] == ["", ""]
    scores = read_csv(folder / "scores.csv")[1:]
    assert scores[0][9:] == ["2", "3", "66.7", "100.0"]
    assert scores[1][8] == "'=Curriculum"
    assert scores[-2][11:] == ["", "0.0"]
    progress = read_csv(folder / "progress.csv")[1:]
    assert [r[7:] for r in progress] == [
        ["summer", "55.0", "-5.0", "true", "2", "3", "1"],
        ["baseline", "50.0", "", "false", "", "", ""],
        ["autumn", "60.0", "10.0", "false", "0", "4", "2"],
        ["summer", "40.0", "", "false", "", "", ""],
    ]
    assert progress[3][5] == "'+Leadership"
    returns = read_csv(folder / "returns.csv")
    completion = ["4 of 6 rated, 67 %", "66.7", "return-incomplete", "true"]
    assert returns[2][15:] == ["", "", "", *completion]  # contact, annotated, copy: none
    assert returns[2][11] == "'@warn: no date\nsecond line"  # warnings
    assert returns[3][10] == "'=1+1 not a book"  # errors
    assert returns[2][3] == "مدرسة النور 😀"
    actions = read_csv(folder / "actions.csv")[1:]
    assert actions[0][7:9] == ["1", "'=cmd|' /C calc'!A0"]
    assert actions[0][-1] == "true" and actions[1][-1] == "false"
    outcomes = read_csv(folder / "outcomes.csv")[1:]
    assert [r[-1] for r in outcomes] == ["12", "'-3 pupils"]
    assert not list(folder.glob(".*"))  # no temporary files left


def test_write_data_refuses_a_file(tmp_path):
    target = tmp_path / "data"
    target.write_text("x")
    with pytest.raises(AwardbooksError) as info:
        write_data(make_consolidation(), target)
    assert str(info.value) == f"{target}: is a file, not a folder"
    assert target.read_text() == "x"


def test_parquet_skipped_without_pyarrow(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    written = write_data(make_consolidation(), tmp_path)
    assert all(p.suffix == ".csv" for p in written)
    assert not list(tmp_path.glob("*.parquet"))


def test_parquet_written(tmp_path):
    pytest.importorskip("pyarrow")
    written = write_data(make_consolidation(), tmp_path)
    assert len([p for p in written if p.suffix == ".parquet"]) == 7
    ratings = pd.read_parquet(tmp_path / "ratings.parquet")
    assert list(ratings.columns) == list(tables.RATINGS)
    assert ratings["comment"].iloc[0] == FORMULA_LIKE[0]
    assert math.isnan(ratings["score"].iloc[7])
    assert ratings["score"].iloc[2] == 2.0
    assert list(pd.read_parquet(tmp_path / "outcomes.parquet")["value"]) == ["12", "-3 pupils"]
    progress = pd.read_parquet(tmp_path / "progress.parquet")
    assert progress["change_pct"].iloc[0] == -5.0 and bool(progress["slipped"].iloc[0])
    assert list(pd.read_parquet(tmp_path / "returns.parquet").columns) == list(tables.RETURNS_CSV)


def test_summary_lines():
    lines = summary_lines(make_consolidation())
    assert lines[:7] == [
        "Files read                        5",
        "  accepted                        1",
        "  with warnings                   1",
        "  rejected                        1",
        "  duplicates                      1",
        "  unknown                         1",
        "Missing (expected, not returned)  1",
    ]
    assert lines[7:9] == ["Usable returns: 1 complete, 1 incomplete.", ""]
    assert lines[9:] == [
        "Framework           Partnership  Term            Settings  Mean %",
        "family-partnership  South        2026-27 spring         1       -",
        "lppa                North        2026-27 autumn         2    58.3",
        "lppa                South        2026-27 autumn         1    58.3",
    ]


@settings(max_examples=40, deadline=None)
@given(
    st.text(max_size=40)
    | st.sampled_from(["_x0041_", "a\r\nb", " x ", "\t=1", "\ud83d", "a\rb", "\r"])
)
def test_any_text_round_trips(text):
    c = empty_consolidation()
    row = ["f.xlsx", "wb", "lppa", "1.0", text, "1", "P", "2026-27", "autumn", "G1", "I1", "", NAN,
           "", text]  # fmt: skip
    c.ratings = pd.DataFrame([row], columns=list(tables.RATINGS), dtype=object)
    with tempfile.TemporaryDirectory() as folder:
        write_consolidated(c, Path(folder) / "c.xlsx")
        sheet = CalamineWorkbook.from_path(f"{folder}/c.xlsx").get_sheet_by_name("Ratings")
        got = sheet.to_python()[1]
        write_data(c, Path(folder), parquet=False)
        with open(f"{folder}/ratings.csv", encoding="utf-8", newline="") as f:
            csv_row = list(csv.reader(f))[1]
    assert got[4] == got[14] == excel_text(text)
    assert csv_row[4] == csv_row[14] == neutralise_cell(text.replace("\ud83d", "\ufffd"))


def test_row_values_keep_their_types_and_share_texts():
    mixed = pd.Series([1, True, 0, False, "x", None, 2.5], dtype=object)
    assert [(v, type(v)) for v in column_values(mixed)] == [
        (1, int), (True, bool), (0, int), (False, bool), ("x", str), (None, type(None)),
        (2.5, float),
    ]  # fmt: skip
    texts = column_values(pd.Series(["Oak", "Elm", "Oak", None]))
    assert texts[:3] == ["Oak", "Elm", "Oak"] and texts[0] is texts[2]
    assert math.isnan(texts[3])


def test_text_like_rich_string_markup_is_kept_as_text(tmp_path):
    """xlsxwriter writes a string that starts with <r> and ends with </r> as raw XML: a
    partnership named like that would read as something else, or corrupt the workbook."""
    c = make_consolidation()
    names = ["<r><t>x</t></r>", "<r>a<b</r>"]
    c.summary = c.summary.copy()
    c.summary.loc[0, "partnership"] = names[0]
    c.summary.loc[1, "partnership"] = names[1]
    path = tmp_path / "c.xlsx"
    write_consolidated(c, path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Summary").to_python()
    assert sorted({r[0] for r in rows if r[0] in names}) == sorted(names)
    import xml.dom.minidom
    import zipfile

    with zipfile.ZipFile(path) as zf:
        xml.dom.minidom.parseString(zf.read("xl/sharedStrings.xml"))  # well-formed
