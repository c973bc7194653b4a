"""The corpus's files from other software (registered into tests/corpus.py's builders): what
SheetJS and other writers put in a package, files of other spreadsheet programs and of old
Excel versions, Office documents that are not workbooks, and packages whose links are broken.
Each gets the reason that says what it is and what to do (issue 17)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .corpus import BASE, Case, Corpus, case
from .foreign import biff_early, compound_file, dbase, encrypt_ods, lotus_wk1
from .pkgedit import rewrite, workbook_xml

_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _repack(src: Path, dst: Path, name=lambda n: n, edit=lambda n, data: data) -> Path:
    """A copy of a package with its parts renamed and edited (by their new names)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            new = name(info.filename)
            zout.writestr(new, edit(new, zin.read(info.filename)))
    return dst


# ------------------------------------------------------------- packages of other writers


@case
def sheetjs_xlsx(c: Corpus) -> Case:
    """SheetJS declares the .xlsb content type for .bin parts in every .xlsx it writes: the
    workbook part's own content type says .xlsx, and that decides."""
    src = c.workbook("sheetjs_xlsx")

    def types(xml: bytes) -> bytes:
        return xml.replace(
            b"<Default ",
            b'<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.'
            b'macroEnabled.main"/><Default ',
            1,
        )

    rewrite(src, c.out("sheetjs_xlsx"), {"[Content_Types].xml": types})
    return Case("accepted", ratings=BASE)


@case
def macro_template_xltm(c: Corpus) -> Case:
    src = c.workbook("macro_template_xltm")

    def types(xml: bytes) -> bytes:
        return xml.replace(_MAIN, b"application/vnd.ms-excel.template.macroEnabled.main+xml")

    rewrite(src, c.out("macro_template_xltm", ".xltm"), {"[Content_Types].xml": types})
    return Case(
        "warning",
        warnings=["macro-enabled template (.xltm): values were read, macros never run"],
        ratings=BASE,
        codes=["workbook-macros"],
    )


@case
def workbook_at_root(c: Corpus) -> Case:
    """A valid package whose workbook part is /workbook.xml, not /xl/workbook.xml, as
    _rels/.rels says: read in full (the protection check below finds its sheets)."""
    src = c.workbook("workbook_at_root")

    def name(part: str) -> str:
        return part.removeprefix("xl/")

    def edit(part: str, data: bytes) -> bytes:
        if part == "_rels/.rels":
            return data.replace(b'Target="xl/workbook.xml"', b'Target="workbook.xml"')
        if part == "[Content_Types].xml":
            return data.replace(b'PartName="/xl/', b'PartName="/')
        if part == "worksheets/sheet3.xml":  # Theme 1
            return re.sub(rb"<sheetProtection[^>]*/>", b"", data)
        return data

    _repack(src, c.out("workbook_at_root"), name, edit)
    return Case(
        "warning",
        warnings=["Theme 1: sheet protection was removed"],
        ratings=BASE,
        codes=["protection-removed"],
    )


@case
def workbook_part_renamed(c: Corpus) -> Case:
    """The workbook part named xl/book.xml, as _rels/.rels says: valid, but python-calamine
    reads only parts named workbook.xml."""
    src = c.workbook("workbook_part_renamed")
    renamed = {
        "xl/workbook.xml": "xl/book.xml",
        "xl/_rels/workbook.xml.rels": "xl/_rels/book.xml.rels",
    }

    def edit(part: str, data: bytes) -> bytes:
        if part in ("_rels/.rels", "[Content_Types].xml"):
            return data.replace(b"xl/workbook.xml", b"xl/book.xml")
        return data

    _repack(src, c.out("workbook_part_renamed"), lambda n: renamed.get(n, n), edit)
    return Case(
        "rejected",
        [
            "the workbook's main part is named xl/book.xml, which awardbooks cannot read (it "
            "reads a part named workbook.xml); open it in Excel and save it again"
        ],
        codes=["workbook-part-name"],
    )


def _backslashed(c: Corpus, name: str, which) -> None:
    src = c.workbook(name)
    _repack(src, c.out(name), lambda n: n.replace("/", "\\") if which(n) else n)


_BACKSLASH = (
    "is named with backslashes, which spreadsheet applications never write: the file was "
    "zipped again by another program; send the workbook saved normally"
)


@case
def backslash_names(c: Corpus) -> Case:
    """Every part named with backslashes, as some zip tools on Windows write them."""
    _backslashed(c, "backslash_names", lambda n: True)
    return Case("rejected", [f"the part _rels\\.rels {_BACKSLASH}"], codes=["part-backslash"])


@case
def backslash_sheet_names(c: Corpus) -> Case:
    """Only the sheets' parts with backslashes: the same reason (it was read before, without
    its sheets' checks, while the names of all parts made it "damaged")."""
    _backslashed(c, "backslash_sheet_names", lambda n: n.startswith("xl/worksheets/"))
    return Case(
        "rejected",
        [f"the part xl\\worksheets\\sheet1.xml {_BACKSLASH}"],
        codes=["part-backslash"],
    )


# ------------------------------------------------------------ packages with broken links


@case
def excel4_macro_sheet(c: Corpus) -> Case:
    """An .xlsm with an Excel 4.0 macro sheet, which python-calamine does not read."""
    src = c.workbook("excel4_macro_sheet")

    def book(xml: str) -> str:
        return xml.replace("</sheets>", '<sheet name="Macro1" sheetId="12" r:id="rIdM"/></sheets>')

    def rels(xml: bytes) -> bytes:
        return xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdM" Type="http://schemas.microsoft.com/office/2006/'
            b'relationships/xlMacrosheet" Target="macrosheets/sheet1.xml"/></Relationships>',
        )

    def types(xml: bytes) -> bytes:
        xml = xml.replace(_MAIN, b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        return xml.replace(
            b"</Types>",
            b'<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="application/vnd.'
            b'ms-excel.macrosheet+xml"/></Types>',
        )

    macro = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><xm:macrosheet xmlns="http://'
        b'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:xm="http://schemas.'
        b'microsoft.com/office/excel/2006/main"><sheetData><row r="1"><c r="A1"><f>ALERT("Hi")'
        b"</f></c></row></sheetData></xm:macrosheet>"
    )
    edits = {
        "xl/workbook.xml": workbook_xml(book),
        "xl/_rels/workbook.xml.rels": rels,
        "[Content_Types].xml": types,
    }
    added = {"xl/macrosheets/sheet1.xml": macro}
    rewrite(src, c.out("excel4_macro_sheet", ".xlsm"), edits, add=added)
    return Case(
        "rejected",
        [
            "Macro1: this is an Excel 4.0 macro sheet, which awardbooks does not read; delete "
            "the sheet, save the workbook as an Excel Workbook (.xlsx) and send it again"
        ],
        codes=["sheet-excel4-macro"],
    )


@case
def sheet_link_missing(c: Corpus) -> Case:
    src = c.workbook("sheet_link_missing")

    def rels(xml: bytes) -> bytes:  # Theme 2's relationship
        return re.sub(rb'<Relationship Id="rId4" [^>]*/>', b"", xml)

    rewrite(src, c.out("sheet_link_missing"), {"xl/_rels/workbook.xml.rels": rels})
    return Case(
        "rejected",
        [
            "Theme 2: the file is damaged: the workbook's link to this sheet (rId4) is missing; "
            "send the workbook again"
        ],
        codes=["sheet-link-missing"],
    )


@case
def package_rels_corrupt(c: Corpus) -> Case:
    """_rels/.rels cut short in the middle of its first relationship."""
    src = c.workbook("package_rels_corrupt")
    rewrite(src, c.out("package_rels_corrupt"), {"_rels/.rels": lambda x: x[:200]})
    return Case(
        "rejected",
        [
            "the file is damaged: its list of parts (_rels/.rels) cannot be read; send the "
            "workbook again"
        ],
        codes=["file-package-rels"],
    )


@case
def sheet_state_unknown(c: Corpus) -> Case:
    """A damage no link explains: python-calamine's own reason, not "Cannot detect file
    format"."""
    src = c.workbook("sheet_state_unknown")
    odd = workbook_xml(lambda x: x.replace('state="veryHidden"', 'state="secret"'))
    rewrite(src, c.out("sheet_state_unknown"), {"xl/workbook.xml": odd})
    return Case(
        "rejected",
        [
            "the workbook cannot be opened (Unrecognized sheet:state: secret); open it in "
            "Excel and save it again"
        ],
        codes=["workbook-unopenable"],
    )


@case
def ods_encrypted(c: Corpus) -> Case:
    """A real LibreOffice .ods, saved with a password as LibreOffice does it."""

    def seal(path: Path) -> None:
        staged = c.stage / path.name
        path.replace(staged)
        encrypt_ods(staged, path, "Summer2026")

    c.convert(c.workbook("ods_encrypted"), "ods", c.out("ods_encrypted", ".ods"), after=seal)
    return Case(
        "rejected",
        [
            "the workbook is encrypted with a password; open it, remove the password (in "
            "LibreOffice: File > Save As, untick Save with password) and save it again"
        ],
        codes=["file-encrypted"],
    )


# ----------------------------------------------------------- old Excel and other programs

_AS_XLSX = "open it and save it as an Excel Workbook (.xlsx)"
_ELSEWHERE = (
    "open it in a spreadsheet application that reads it (LibreOffice Calc does) and save it as "
    "an Excel Workbook (.xlsx)"
)
_ITSELF = "send the Excel workbook (.xlsx) itself"


def _xls(version: str) -> list[str]:
    return [f"this is an old {version} (.xls) file; {_AS_XLSX}"]


@case
def excel2_xls(c: Corpus) -> Case:
    c.out("excel2_xls", ".xls").write_bytes(biff_early(0x0009))
    return Case("rejected", _xls("Excel 2.x"), hostile=True, codes=["file-xls"])


@case
def excel3_xls(c: Corpus) -> Case:
    c.out("excel3_xls", ".xls").write_bytes(biff_early(0x0209))
    return Case("rejected", _xls("Excel 3.0"), hostile=True, codes=["file-xls"])


@case
def excel4_xls(c: Corpus) -> Case:
    c.out("excel4_xls", ".xls").write_bytes(biff_early(0x0409))
    return Case("rejected", _xls("Excel 4.0"), hostile=True, codes=["file-xls"])


@case
def excel95_xls(c: Corpus) -> Case:
    """An Excel 5.0/95 compound file: its workbook is the stream Book, not Workbook."""
    bof = b"\x09\x08\x08\x00\x00\x05\x05\x00" + bytes(4)
    c.out("excel95_xls", ".xls").write_bytes(compound_file({"Book": bof}))
    return Case("rejected", _xls("Excel 5.0/95"), hostile=True, codes=["file-xls"])


@case
def lotus_123(c: Corpus) -> Case:
    c.out("lotus_123", ".xls").write_bytes(lotus_wk1())
    return Case(
        "rejected",
        [f"this is a Lotus 1-2-3 file, not an Excel workbook (.xlsx); {_ELSEWHERE}"],
        hostile=True,
        codes=["file-lotus"],
    )


@case
def quattro_pro(c: Corpus) -> Case:
    """Quattro Pro for Windows (.qpw): a compound file whose stream is NativeContent_MAIN."""
    c.out("quattro_pro", ".xls").write_bytes(compound_file({"NativeContent_MAIN": b"QPW9"}))
    return Case(
        "rejected",
        [f"this is a Quattro Pro file, not an Excel workbook (.xlsx); {_ELSEWHERE}"],
        hostile=True,
        codes=["file-quattro-pro"],
    )


@case
def dbase_table(c: Corpus) -> Case:
    c.out("dbase_table", ".xls").write_bytes(dbase([("St Mary\u2019s", "Embedded")]))
    return Case(
        "rejected",
        [f"this is a dBASE database file (.dbf), not an Excel workbook (.xlsx); {_AS_XLSX}"],
        hostile=True,
        codes=["file-dbase"],
    )


@case
def csv_windows_1252(c: Corpus) -> Case:
    """What Excel writes for "CSV (Comma delimited)" on an English Windows: Windows-1252."""
    rows = (
        "Setting,Item,Rating\r\n"
        "St Mary\u2019s,1.a,Embedded\r\n"
        "St Mary\u2019s,1.b,\u00a3 fund raised\r\n"
    )
    c.out("csv_windows_1252", ".xls").write_bytes(rows.encode("cp1252"))
    return Case(
        "rejected",
        [
            "this is a CSV file: the values of one sheet as plain text, not the workbook; send "
            "the Excel workbook (.xlsx) itself, not a copy saved as CSV"
        ],
        hostile=True,
        codes=["file-csv"],
    )


@case
def word_doc_renamed(c: Corpus) -> Case:
    """A Word 97-2003 document renamed .xlsx: a compound file, but not an .xls."""
    fib = b"\xec\xa5\xc1\x00" + bytes(60)
    c.out("word_doc_renamed").write_bytes(compound_file({"WordDocument": fib, "1Table": b""}))
    return Case(
        "rejected",
        [f"this is a Word document (.doc), not an Excel workbook (.xlsx); {_ITSELF}"],
        hostile=True,
        codes=["file-office-not-excel"],
    )


@case
def unknown_compound_file(c: Corpus) -> Case:
    c.out("unknown_compound_file").write_bytes(compound_file({"Contents": b"other program"}))
    return Case(
        "rejected",
        [
            "this is a document of another program, not an Excel workbook (.xlsx), whatever its "
            f"name; {_ITSELF}"
        ],
        hostile=True,
        codes=["file-not-workbook"],
    )


@case
def unknown_binary(c: Corpus) -> Case:
    c.out("unknown_binary").write_bytes(bytes(range(256)) * 8)
    return Case(
        "rejected",
        [
            "this is a file of a kind awardbooks does not recognise, not an Excel workbook "
            f"(.xlsx), whatever its name; {_ITSELF}"
        ],
        hostile=True,
        codes=["file-not-workbook"],
    )
