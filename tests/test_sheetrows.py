"""Bulk rows spliced into an xlsxwriter package: what openpyxl, python-calamine and a real
LibreOffice read back must be what was written, with xlsxwriter's own cells around them."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from awardbooks.outputs import consolidated as report
from awardbooks.outputs.sheetrows import BulkColumn as Column
from awardbooks.outputs.sheetrows import BulkRows
from tests import lofill as lo

from .test_report import load, make_consolidation

TEXTS = ["plain", " edge spaces ", "a & b < c > d", "_x0041_ literal", "two\nlines", "😀 عمل"]


def build(path, count: int = 5000) -> None:
    """A sheet with xlsxwriter cells above, beside (in other rows) and below a bulk block."""
    package = io.BytesIO()
    wb = xlsxwriter.Workbook(package, {"in_memory": True})
    ws = wb.add_worksheet("Data")
    pct = wb.add_format({"num_format": "0.0"})
    red = wb.add_format({"bg_color": "#FFC7CE"})
    bulk = BulkRows()
    ws.write_string(0, 0, "Text")
    ws.write_string(0, 1, "Number")
    ws.write_string(0, 2, "Flag")
    texts = [TEXTS[i % len(TEXTS)] for i in range(count)]
    numbers = [None if i % 7 == 0 else i / 3 for i in range(count)]
    flags = [red if i % 2 else None for i in range(count)]
    bulk.add(
        ws, 1, [Column(texts), Column(numbers, pct), Column([""] * count, fmts=flags, blanks=True)]
    )
    ws.write_string(count + 2, 0, "below")
    bulk.set_heights(ws, {1: 30.0, 4: 45.5})
    options = {"name": "tblData", "columns": [{"header": h} for h in ("Text", "Number", "Flag")]}
    bulk.add_table(ws, 0, count, 2, options)
    wb.close()
    with open(path, "wb") as handle:
        bulk.splice(package.getvalue(), handle)
    return texts, numbers


def test_values_styles_dimension_and_table(tmp_path):
    path = tmp_path / "bulk.xlsx"
    texts, numbers = build(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Data"]
    assert ws.dimensions == "A1:C5003"
    assert [c.value for c in ws[1]] == ["Text", "Number", "Flag"]
    got = [r[1] for r in ws.iter_rows(min_row=2, max_row=5001, values_only=True)]
    assert got == numbers  # (openpyxl does not undo _xHHHH_ escapes in inline strings)
    assert ws["A5003"].value == "below"
    assert ws.row_dimensions[2].height == 30.0 and ws.row_dimensions[5].height == 45.5
    assert ws.row_dimensions[3].height is None  # rows without a height keep the default
    assert ws["B3"].number_format == "0.0"
    assert ws["C3"].fill.fgColor.rgb == "FFFFC7CE"  # a styled blank keeps its fill
    assert ws["C2"].fill.fgColor.rgb != "FFFFC7CE"
    (table,) = ws.tables.values()
    assert table.ref == "A1:C5001"
    assert table.autoFilter.ref == "A1:C5001"
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Data").to_python()
    assert [r[0] for r in rows[1:5001]] == texts
    assert [None if r[1] == "" else r[1] for r in rows[1:5001]] == numbers


def test_a_row_written_twice_is_a_bug(tmp_path):
    package = io.BytesIO()
    wb = xlsxwriter.Workbook(package, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_string(3, 0, "mine")
    bulk = BulkRows()
    bulk.add(ws, 2, [Column(["a", "b", "c"])])
    wb.close()
    with pytest.raises(RuntimeError, match="row 4 written twice"):
        bulk.splice(package.getvalue(), io.BytesIO())


def test_every_part_is_copied(tmp_path):
    path = tmp_path / "bulk.xlsx"
    build(path, count=3)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        # plain zip headers, as Excel writes them (its zip64 handling is strict)
        assert all(i.extract_version < 45 and not i.extra for i in zf.infolist())
    assert names[0] == "[Content_Types].xml"
    assert "xl/tables/table1.xml" in names


def test_texts_join_the_shared_string_table(tmp_path):
    path = tmp_path / "bulk.xlsx"
    build(path, count=50)
    with zipfile.ZipFile(path) as zf:
        sst = zf.read("xl/sharedStrings.xml").decode()
        sheet = zf.read("xl/worksheets/sheet1.xml").decode()
    unique = int(re.search(r'uniqueCount="(\d+)"', sst).group(1))
    count = int(re.search(r'\bcount="(\d+)"', sst).group(1))
    assert unique == sst.count("<si>") == 3 + 1 + len(TEXTS)  # headers, "below", the texts
    assert sheet.count('t="s"') == 3 + 1 + 50
    assert count == sheet.count('t="s"') + 3  # xlsxwriter counts a table's headings twice
    assert "inlineStr" not in sheet


@pytest.mark.skipif(not lo.available(), reason=str(lo.skip_reason()))
def test_libreoffice_reads_the_consolidated_workbook_as_written(tmp_path):
    """A real spreadsheet application opens the consolidated workbook (bulk rows and all)
    and, re-saved, every sheet holds exactly the values that were written."""
    path = tmp_path / "consolidated.xlsx"
    report.write_consolidated(make_consolidation(), path)
    (resaved,) = lo.convert([path], tmp_path / "lo")
    ours = CalamineWorkbook.from_path(str(path))
    theirs = CalamineWorkbook.from_path(str(resaved))
    assert theirs.sheet_names == ours.sheet_names
    for name in ours.sheet_names:
        assert (
            theirs.get_sheet_by_name(name).to_python() == ours.get_sheet_by_name(name).to_python()
        ), name
    tables = {ws.title: [t.ref for t in ws.tables.values()] for ws in load(resaved)}
    assert tables["Ratings"] == [f"A1:O{len(make_consolidation().ratings) + 1}"]


def test_texts_are_written_inline_when_the_package_has_no_string_table(tmp_path):
    """A workbook whose own cells hold no text has no shared-string table to add to."""
    package = io.BytesIO()
    wb = xlsxwriter.Workbook(package, {"in_memory": True})
    ws = wb.add_worksheet("Data")
    ws.write_number(0, 0, 1)
    bulk = BulkRows()
    bulk.add(ws, 1, [Column(TEXTS)])
    wb.close()
    path = tmp_path / "inline.xlsx"
    with open(path, "wb") as handle:
        bulk.splice(package.getvalue(), handle)
    with zipfile.ZipFile(path) as zf:
        assert "xl/sharedStrings.xml" not in zf.namelist()
        assert zf.read("xl/worksheets/sheet1.xml").count(b't="inlineStr"') == len(TEXTS)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Data").to_python()
    assert [r[0] for r in rows] == [1.0, *TEXTS]
