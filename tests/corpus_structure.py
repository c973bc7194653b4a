"""The corpus's returns whose structure was changed (registered into tests/corpus.py's
builders): rows inserted or deleted, sheets renamed, deleted or copied, cells merged over
inputs, formulas and error values in rating cells, the metadata sheet shown or dropped."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .corpus import BASE, Case, Corpus, case
from .pkgedit import (
    Edit,
    add_merge,
    error_cell,
    formula_cell,
    rewrite,
    set_cells,
    sheet_edits,
    sheet_part,
    shift_rows,
    text_cell,
    workbook_xml,
)

# ----------------------------------------------------------------------------- structure


@case
def rows_inserted(c: Corpus) -> Case:
    src = c.workbook("rows_inserted")
    rewrite(src, c.out("rows_inserted"), sheet_edits(src, {"Theme 1": shift_rows(8, 2)}))
    return Case(
        "warning",
        warnings=["Theme 1: rows were inserted or deleted; the ratings were found by their ids"],
        ratings=BASE,
        codes=["rows-moved"],
    )


@case
def rows_deleted(c: Corpus) -> Case:
    """Row 8 (item 1.c) deleted: its rating cannot be read."""
    src = c.workbook("rows_deleted")
    edit = shift_rows(9, -1, drop=8)
    rewrite(src, c.out("rows_deleted"), sheet_edits(src, {"Theme 1": edit}))
    return Case(
        "rejected",
        ["Theme 1!A8: the row for '1.c' is missing (rows were deleted or ids changed)"],
        ["Theme 1: rows were inserted or deleted; the ratings were found by their ids"],
        codes=["row-missing", "rows-moved"],
    )


@case
def sheet_renamed(c: Corpus) -> Case:
    src = c.workbook("sheet_renamed")
    rename = workbook_xml(lambda x: x.replace('name="Theme 2"', 'name="Theme two"'))
    rewrite(src, c.out("sheet_renamed"), {"xl/workbook.xml": rename})
    return Case(
        "warning",
        warnings=["Theme 2: the sheet was renamed to 'Theme two'; it was read as 'Theme 2'"],
        ratings=BASE,
        codes=["sheet-renamed"],
    )


@case
def sheet_deleted(c: Corpus) -> Case:
    src = c.workbook("sheet_deleted")
    part = sheet_part(src, "Theme 6")
    drop = workbook_xml(lambda x: re.sub(r'<sheet name="Theme 6"[^>]*/>', "", x))
    rewrite(src, c.out("sheet_deleted"), {"xl/workbook.xml": drop, part: None})
    return Case(
        "rejected",
        ["Theme 6: the sheet is missing (renamed or deleted); the ratings on it cannot be read"],
        codes=["rating-sheet-missing"],
    )


def _copy_sheet(c: Corpus, name: str, rating: str) -> Path:
    src = c.workbook(name)
    part = sheet_part(src, "Theme 1")
    with zipfile.ZipFile(src) as zf:
        copy = set_cells({"C6": text_cell(rating)})(zf.read(part))

    def book(xml: str) -> str:
        return xml.replace(
            "</sheets>", '<sheet name="Theme 1 (2)" sheetId="99" r:id="rIdCopy"/></sheets>'
        )

    def rels(xml: bytes) -> bytes:
        return xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdCopy" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/worksheet" Target="worksheets/sheet99.xml"/></Relationships>',
        )

    def types(xml: bytes) -> bytes:
        return xml.replace(
            b"</Types>",
            b'<Override PartName="/xl/worksheets/sheet99.xml" ContentType="application/vnd.'
            b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )

    edits: dict[str, Edit] = {
        "xl/workbook.xml": workbook_xml(book),
        "xl/_rels/workbook.xml.rels": rels,
        "[Content_Types].xml": types,
    }
    return rewrite(src, c.out(name), edits, add={"xl/worksheets/sheet99.xml": copy})


@case
def sheet_copied_differently(c: Corpus) -> Case:
    """A second copy of a rating sheet, rated differently: which did the school mean?"""
    _copy_sheet(c, "sheet_copied_differently", "Emergent")
    return Case(
        "rejected",
        [
            "Theme 1 (2): a copy of the sheet 'Theme 1' with different ratings (e.g. 1.a: "
            "'Emergent' here, 'Embedded' on 'Theme 1'); delete the copy that is not wanted and "
            "send the workbook again"
        ],
        codes=["sheet-copy-differs"],
    )


@case
def sheet_copied_same(c: Corpus) -> Case:
    _copy_sheet(c, "sheet_copied_same", "Embedded")
    return Case(
        "warning",
        warnings=[
            "Theme 1 (2): a copy of the sheet 'Theme 1' with the same ratings; it was ignored"
        ],
        ratings=BASE,
        codes=["sheet-copy-same"],
    )


@case
def merged_over_rating(c: Corpus) -> Case:
    """B7:C7 merged: the rating cell of 1.b is hidden under its descriptor."""
    src = c.workbook("merged_over_rating")
    rewrite(src, c.out("merged_over_rating"), sheet_edits(src, {"Theme 1": add_merge("B7:C7")}))
    return Case(
        "rejected",
        [
            "Theme 1!B7: the cells B7:C7 were merged over the rating cell C7 (1.b), so it "
            "cannot be chosen; unmerge them (Home > Merge & Centre) and rate 1.b again"
        ],
        codes=["merged-over-rating"],
    )


@case
def merged_over_inputs(c: Corpus) -> Case:
    """C6:E6 merged: the rating of 1.a is still read; its date and comment cells are lost."""
    src = c.workbook("merged_over_inputs")
    rewrite(src, c.out("merged_over_inputs"), sheet_edits(src, {"Theme 1": add_merge("C6:E6")}))
    return Case(
        "warning",
        warnings=[
            "Theme 1!C6: the cells C6:E6 were merged over the input cells D6, E6, which can no "
            "longer be filled in; unmerge them (Home > Merge & Centre)"
        ],
        ratings=BASE,
        codes=["merged-over-input"],
    )


@case
def formula_in_rating(c: Corpus) -> Case:
    src = c.workbook("formula_in_rating")
    cell = formula_cell('IF(B8<>"","Embedded","")', "Embedded")
    rewrite(src, c.out("formula_in_rating"), sheet_edits(src, {"Theme 1": set_cells({"C8": cell})}))
    return Case(
        "rejected",
        [
            'Theme 1!C8: holds a formula (=IF(B8<>"","Embedded","")) instead of a rating '
            "for 1.c; choose the rating from the dropdown"
        ],
        codes=["rating-formula"],
    )


@case
def error_value_in_rating(c: Corpus) -> Case:
    src = c.workbook("error_value_in_rating")
    edits = sheet_edits(src, {"Theme 1": set_cells({"C8": error_cell("#N/A")})})
    rewrite(src, c.out("error_value_in_rating"), edits)
    return Case(
        "rejected",
        [
            "Theme 1!C8: holds the error value #N/A instead of a rating for 1.c; choose the "
            "rating from the dropdown"
        ],
        codes=["rating-error-value"],
    )


@case
def formula_in_date(c: Corpus) -> Case:
    """=TODAY() in the cover's date: its last result is read, with a warning."""
    src = c.workbook("formula_in_date")
    edits = sheet_edits(
        src, {"Cover": set_cells({"B17": formula_cell("TODAY()", "46326", number=True)})}
    )
    rewrite(src, c.out("formula_in_date"), edits)
    return Case(
        "warning",
        warnings=[
            "Cover!B17: holds a formula (=TODAY()); its last result '2026-10-31' was read",
        ],
        ratings=BASE,
        cover={"completed_on": "2026-10-31"},
        codes=["input-formula"],
    )


@case
def metadata_visible(c: Corpus) -> Case:
    src = c.workbook("metadata_visible")
    show = workbook_xml(lambda x: x.replace(' state="veryHidden"', ""))
    rewrite(src, c.out("metadata_visible"), {"xl/workbook.xml": show})
    return Case(
        "warning",
        warnings=["_awardbooks: the hidden metadata sheet was made visible"],
        ratings=BASE,
        codes=["metadata-visible"],
    )


@case
def metadata_deleted(c: Corpus) -> Case:
    src = c.workbook("metadata_deleted")
    part = sheet_part(src, "_awardbooks")
    drop = workbook_xml(lambda x: re.sub(r'<sheet name="_awardbooks"[^>]*/>', "", x))
    rewrite(src, c.out("metadata_deleted"), {"xl/workbook.xml": drop, part: None})
    return Case(
        "warning",
        warnings=[
            "the hidden metadata sheet is missing (an application dropped it); recognised as "
            "Family Partnership Award from its sheets"
        ],
        ratings=BASE,
        codes=["metadata-missing"],
    )
