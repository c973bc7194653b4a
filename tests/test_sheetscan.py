"""The sheet XML scan: how far values reach (checked before any grid is built), formulas
and error values; the quick path for plain sheets must agree with the full one."""

from __future__ import annotations

import io
import zipfile

import pytest

from awardbooks.read.sheetscan import _scan_cells

from .conftest import BUILTINS, make_workbook, sample_ratings

HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
TAIL = b"</sheetData></worksheet>"
CASES = {
    "plain": (b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C4"><v>2</v></c></row>', "C4", {}),
    "blank styled cells do not count": (
        b'<row r="1"><c r="A1"><v>1</v></c><c r="Z99" s="3"/></row>',
        "A1",
        {},
    ),
    "r not first": (b'<row r="1"><c s="1" r="XFD1048576"><v>1</v></c></row>', "XFD1048576", {}),
    "prefixed value": (
        b'<row r="2"><c r="XFD7"><x:v xmlns:x="urn:x">1</x:v></c></row>',
        "XFD7",
        {},
    ),
    "prefixed cell": (b'<x:row r="3"><x:c r="D3"><x:v>1</x:v></x:c></x:row>', "D3", {}),
    "cells without addresses": (b'<row r="5"><c><v>1</v></c><c><v>2</v></c></row>', "B5", {}),
    "rows without addresses": (
        b'<row><c r="A1"><v>1</v></c></row><row><c><v>2</v></c></row>',
        "A2",
        {},
    ),
    "lower-case address": (b'<row r="9"><c r="ab9"><v>1</v></c></row>', "AB9", {}),
    "inline string": (b'<row r="4"><c r="E4" t="inlineStr"><is><t>x</t></is></c></row>', "E4", {}),
    "formula": (
        b'<row r="2"><c r="B2"><f>1+1</f><v>2</v></c></row>',
        "B2",
        {"formulas": {(1, 1): "1+1"}},
    ),
    "error": (
        b'<row r="2"><c r="B2" t="e"><v>#REF!</v></c></row>',
        "B2",
        {"errors": {(1, 1): "#REF!"}},
    ),
    "spaced value": (b'<row r="6"><c r="F6">\n  <v>1</v></c></row>', "F6", {}),
    # ways of writing a far cell that a careless pattern would not see
    "tab before the address": (
        b'<row r="1"><c\tr="XFD1048576"><v>1</v></c></row>',
        "XFD1048576",
        {},
    ),
    "newline before the address": (b'<row r="1"><c\nr="J300000"><v>1</v></c></row>', "J300000", {}),
    "single quotes": (b"<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>", "XFD1048576", {}),
    "spaces around =": (b'<row r="9"><c r = "XFD9"><v>1</v></c></row>', "XFD9", {}),
    "/> inside a value": (b'<row r="2"><c x="a/>" r="XFD2"><v>1</v></c></row>', "XFD2", {}),
    "> before the address": (b'<row r="3"><c x="a>b" r="XFD3"><v>1</v></c></row>', "XFD3", {}),
    "address twice": (b'<row r="4"><c r="A4" r="XFD4"><v>1</v></c></row>', "XFD4", {}),
    "comment before the value": (
        b'<row r="5"><c r="XFD5"><!-- x --><v>1</v></c></row>',
        "XFD5",
        {},
    ),
    "instruction before the value": (
        b'<row r="5"><c r="XFD5"><?x y?><v>1</v></c></row>',
        "XFD5",
        {},
    ),
    # a second review, each checked against python-calamine's own placing
    "text before the value": (b'<row r="300"><c r="J300">x<v>1</v></c></row>', "J300", {}),
    "spaced end tag": (
        b'<row r="1"><c r="A1"><v>1</v></c ><c r="J300"><v>1</v></c></row>',
        "J300",
        {},
    ),
    "end tag across lines": (b'<row r="1"><c r="J300"><v>1</v></c\n></row>', "J300", {}),
    "odd prefix": (b'<row r="1"><#:c r="J300"><v>1</v></#:c></row>', "J300", {}),
    "attribute named x-r": (
        b'<row r="300"><c r="J300"/><c x-r="A1"><v>1</v></c></row>',
        "K300",
        {},
    ),
    "element named row-x": (b'<row r="300"><row-x r="1"/><c><v>1</v></c></row>', "A300", {}),
    "cell tag in a comment": (
        b'<row r="300"><!-- <c r="A1"> --><c r="J300"><v>1</v></c></row>',
        "J300",
        {},
    ),
    "cells before any row": (b"<c/>" * 20 + b"<c><v>1</v></c>", "U1", {}),
    "stray row end tags": (
        b'<row r="1">' + b"<a>" * 300 + b"</row>" * 300 + b"<c/>" * 20 + b"<c><v>1</v></c>",
        "U301",
        {},
    ),
    "tabbed formula": (
        b'<row r="2"><c r="B2"><f\tt="normal">1+1</f><v>2</v></c></row>',
        "B2",
        {"formulas": {(1, 1): "1+1"}},
    ),
    "prefixed formula": (
        b'<row r="2"><c r="B2"><x:f>1+1</x:f><v>2</v></c></row>',
        "B2",
        {"formulas": {(1, 1): "1+1"}},
    ),
    "single-quoted error": (
        b"<row r='2'><c r='B2' t='e'><v>#N/A</v></c></row>",
        "B2",
        {"errors": {(1, 1): "#N/A"}},
    ),
    "spaced error": (
        b'<row r="2"><c r="B2" t = "e"><v>#N/A</v></c></row>',
        "B2",
        {"errors": {(1, 1): "#N/A"}},
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_reach_formulas_and_errors(name):
    body, farthest, special = CASES[name]
    for fast in (True, False):
        found = _scan_cells(HEAD + body + TAIL, fast=fast)
        assert found.farthest == farthest, (name, fast)
        assert found.formulas == special.get("formulas", {})
        assert found.errors == special.get("errors", {})


@pytest.mark.parametrize("fid", BUILTINS)
def test_quick_path_agrees_on_generated_workbooks(fid, frameworks, tmp_path):
    path = make_workbook(frameworks[fid], tmp_path, ratings=sample_ratings(frameworks[fid]))
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sheets:
            xml = zf.read(name)
            assert _scan_cells(xml) == _scan_cells(xml, fast=False), name


def test_a_hidden_far_cell_is_refused_not_read(frameworks, tmp_path):
    """A value at XFD1048576 written with a tab before its address must be found before
    any grid is built (a grid that far is 17 billion cells and would end the process)."""
    from awardbooks import api
    from awardbooks.read.container import sniff
    from awardbooks.read.parts import sheet_parts
    from awardbooks.workbook.layout import layout_for

    fw = frameworks["lppa"]
    path = make_workbook(fw, tmp_path)
    part = sheet_parts(sniff(path.read_bytes(), path.name))[layout_for(fw).audit_sheets[0]]
    far = b'<row r="1048576"><c\tr="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == part:
                data = data.replace(b"</sheetData>", far + b"</sheetData>")
            zout.writestr(info, data)
    record = api.check(bomb)
    assert [p.code for p in record.errors] == ["sheet-too-large"]
    assert "17,179,869,184 cells" in str(record.errors[0])
