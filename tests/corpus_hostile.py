"""The corpus's broken and hostile returns (registered into tests/corpus.py's builders):
files that are not workbooks, damaged zips, files made to exhaust time or memory, and a
legitimate file that reaches a limit (each told the limit in plain words)."""

from __future__ import annotations

import io
import zipfile

from .corpus import BOMB_BYTES, Case, Corpus, case
from .pkgedit import (
    BILLION_LAUGHS,
    Entry,
    deflate,
    entries_of,
    raw_zip,
    rewrite,
    set_cells,
    sheet_edits,
    sheet_part,
    text_cell,
    with_doctype,
)

# ------------------------------------------------------------------- not a workbook at all


@case
def text_renamed(c: Corpus) -> Case:
    c.out("text_renamed").write_text("Dear Sir/Madam,\nPlease find our audit attached.\n")
    return Case(
        "rejected",
        [
            "this is a text file, not an Excel workbook (.xlsx), whatever its name; send the "
            "Excel workbook (.xlsx) itself"
        ],
        hostile=True,
        codes=["file-not-workbook"],
    )


@case
def pdf_renamed(c: Corpus) -> Case:
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    c.out("pdf_renamed").write_bytes(pdf)
    return Case(
        "rejected",
        ["this is a PDF, not a workbook; send the .xlsx file itself"],
        hostile=True,
        codes=["file-pdf"],
    )


@case
def empty_file(c: Corpus) -> Case:
    c.out("empty_file").write_bytes(b"")
    return Case(
        "rejected", ["the file is empty (0 bytes); send the workbook again"], codes=["file-empty"]
    )


@case
def truncated_zip(c: Corpus) -> Case:
    data = c.workbook("truncated_zip").read_bytes()
    c.out("truncated_zip").write_bytes(data[: len(data) * 3 // 5])
    return Case(
        "rejected",
        [
            "the file is damaged or incomplete (its end is missing or unreadable); send the "
            "workbook again"
        ],
        hostile=True,
        codes=["file-damaged"],
    )


@case
def plain_zip(c: Corpus) -> Case:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("audit/notes.txt", "our notes")
    c.out("plain_zip").write_bytes(buffer.getvalue())
    return Case(
        "rejected",
        [
            "this is a zip file, not an Excel workbook (.xlsx); send the Excel workbook (.xlsx) "
            "itself"
        ],
        codes=["file-plain-zip"],
    )


@case
def word_document(c: Corpus) -> Case:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        zf.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            "</Relationships>",
        )
        zf.writestr("word/document.xml", "<w:document/>")
    c.out("word_document").write_bytes(buffer.getvalue())
    return Case(
        "rejected",
        [
            "this is a Word document (.docx), not an Excel workbook (.xlsx); send the Excel "
            "workbook (.xlsx) itself"
        ],
        codes=["file-office-not-excel"],
    )


@case
def workbook_part_missing(c: Corpus) -> Case:
    src = c.workbook("workbook_part_missing")
    rewrite(src, c.out("workbook_part_missing"), {"xl/workbook.xml": None})
    return Case(
        "rejected",
        [
            "the file is damaged: its workbook part (xl/workbook.xml) is missing; send the "
            "workbook again"
        ],
        codes=["file-no-workbook-part"],
    )


# ------------------------------------------------------------------------------ hostile


def _bomb_entries(c: Corpus, name: str) -> tuple[list[Entry], Entry]:
    entries = entries_of(c.workbook(name))
    sheet = next(e for e in entries if e.name == "xl/worksheets/sheet3.xml")
    chunk = bytes(1024 * 1024)
    sheet.packed, sheet.crc, sheet.size = deflate(chunk for _ in range(BOMB_BYTES // len(chunk)))
    return entries, sheet


@case
def bomb_declared(c: Corpus) -> Case:
    """A sheet that inflates to 320 MB of zeros, honestly declared: refused on the zip
    directory alone, before anything is decompressed."""
    entries, sheet = _bomb_entries(c, "bomb_declared")
    c.out("bomb_declared").write_bytes(raw_zip(entries))
    return Case(
        "rejected",
        [
            "the part xl/worksheets/sheet3.xml expands to 320 MB, too large to read safely (the "
            "limit is 50 MB); if it is the right file, delete what was pasted into it beyond the "
            "return (very long texts, rows far below the table) and save it again"
        ],
        hostile=True,
        codes=["part-bomb"],
    )


@case
def bomb_lying(c: Corpus) -> Case:
    """The same bomb, its zip directory claiming 5,000 bytes: refused as soon as inflating
    passes the declared size."""
    entries, sheet = _bomb_entries(c, "bomb_lying")
    sheet.declared = 5000
    c.out("bomb_lying").write_bytes(raw_zip(entries))
    return Case(
        "rejected",
        [
            "the file is damaged (the part xl/worksheets/sheet3.xml holds more than the 5,000 "
            "bytes its zip directory declares); send the workbook again"
        ],
        hostile=True,
        codes=["part-overflows"],
    )


@case
def overlapping_zip(c: Corpus) -> Case:
    """Two directory entries sharing the same bytes, the trick of overlapping zip bombs."""
    entries = entries_of(c.workbook("overlapping_zip"))
    sheet = next(e for e in entries if e.name == "xl/worksheets/sheet3.xml")
    entries.append(
        Entry("xl/media/copy.xml", sheet.packed, sheet.crc, sheet.size, same_data_as=sheet.name)
    )
    c.out("overlapping_zip").write_bytes(raw_zip(entries))
    return Case(
        "rejected",
        [
            "the part xl/media/copy.xml overlaps the part xl/worksheets/sheet3.xml inside the "
            "zip, which spreadsheet applications never write; the file was refused for safety; "
            "send the workbook saved normally"
        ],
        hostile=True,
        codes=["part-overlaps"],
    )


@case
def too_many_parts(c: Corpus) -> Case:
    src = c.workbook("too_many_parts")
    rewrite(
        src, c.out("too_many_parts"), add={f"customXml/item{n}.xml": b"<a/>" for n in range(5000)}
    )
    with zipfile.ZipFile(src) as zf:
        parts = len(zf.infolist()) + 5000
    return Case(
        "rejected",
        [
            f"the workbook has {parts:,} parts, too many to read safely (the limit is 5,000); "
            "check it is the right file"
        ],
        hostile=True,
        codes=["file-too-many-parts"],
    )


@case
def zip_encrypted_part(c: Corpus) -> Case:
    entries = entries_of(c.workbook("zip_encrypted_part"))
    next(e for e in entries if e.name == "xl/worksheets/sheet3.xml").flags = 0x1
    c.out("zip_encrypted_part").write_bytes(raw_zip(entries))
    return Case(
        "rejected",
        [
            "the part xl/worksheets/sheet3.xml is encrypted inside the zip, which spreadsheet "
            "applications never do; send the workbook saved normally"
        ],
        hostile=True,
        codes=["part-encrypted"],
    )


@case
def corrupt_part(c: Corpus) -> Case:
    entries = entries_of(c.workbook("corrupt_part"))
    next(e for e in entries if e.name == "xl/worksheets/sheet3.xml").crc ^= 0xFFFF
    c.out("corrupt_part").write_bytes(raw_zip(entries))
    return Case(
        "rejected",
        [
            "the file is damaged (the part xl/worksheets/sheet3.xml does not match its "
            "checksum); send the workbook again"
        ],
        codes=["part-checksum"],
    )


@case
def grid_bomb(c: Corpus) -> Case:
    """One value at XFD1048576: a tiny file whose grid would be 17 billion cells."""
    src = c.workbook("grid_bomb")
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    edits = sheet_edits(
        src, {"Theme 1": lambda x: x.replace(b"</sheetData>", far + b"</sheetData>")}
    )
    rewrite(src, c.out("grid_bomb"), edits)
    return Case(
        "rejected",
        [
            "Theme 1: values reach row 1,048,576, column 16,384 (XFD1048576): a grid of "
            "17,179,869,184 cells, far more than any return; delete what was typed outside the "
            "table and save it again"
        ],
        hostile=True,
        codes=["sheet-too-large"],
    )


def _refused(part: str) -> list[str]:
    return [
        f"the part {part} declares an XML document type or entities, which spreadsheet "
        "applications never write; the file was refused for safety; send the workbook saved "
        "normally"
    ]


@case
def billion_laughs_sheet(c: Corpus) -> Case:
    src = c.workbook("billion_laughs_sheet")
    part = sheet_part(src, "Theme 1")
    rewrite(src, c.out("billion_laughs_sheet"), {part: with_doctype(BILLION_LAUGHS)})
    return Case("rejected", _refused(part), hostile=True, codes=["part-doctype"])


@case
def billion_laughs_workbook(c: Corpus) -> Case:
    src = c.workbook("billion_laughs_workbook")
    rewrite(
        src, c.out("billion_laughs_workbook"), {"xl/workbook.xml": with_doctype(BILLION_LAUGHS)}
    )
    return Case("rejected", _refused("xl/workbook.xml"), hostile=True, codes=["part-doctype"])


@case
def external_entity_late(c: Corpus) -> Case:
    """An external entity declared after 100 KB of comment, past where a prolog check that
    reads only the start of a part would look."""
    src = c.workbook("external_entity_late")
    padding = "<!--" + "x" * 100_000 + "-->"
    declaration = f'<?xml version="1.0"?>{padding}<!DOCTYPE ROOT [<!ENTITY lol9 SYSTEM "file:///etc/passwd">]>'
    rewrite(src, c.out("external_entity_late"), {"xl/sharedStrings.xml": with_doctype(declaration)})
    return Case("rejected", _refused("xl/sharedStrings.xml"), hostile=True, codes=["part-doctype"])


@case
def damaged_shared_string(c: Corpus) -> Case:
    src = c.workbook("damaged_shared_string")
    edits = sheet_edits(src, {"Theme 1": set_cells({"C9": b' t="s"><v>99999</v></c>'})})
    rewrite(src, c.out("damaged_shared_string"), edits)
    return Case(
        "rejected",
        [
            "Theme 1: the sheet cannot be read (Cell string index not found in shared strings "
            "table); open the workbook in Excel and save it again"
        ],
        hostile=True,
        codes=["sheet-unreadable"],
    )


# ------------------------------------------------- limits and damage, said in plain words


@case
def very_long_texts(c: Corpus) -> Case:
    """A legitimate return with 150 notes typed below a sheet's table, pasted from a fixed-width
    export and so padded with spaces to 20,000 characters each: the sheet compresses far better
    than any return's, so it is refused, but not called a bomb."""
    src = c.workbook("very_long_texts")
    long = text_cell("Evidence of partnership with families, term by term.".ljust(20000))
    rows = b"".join(
        f'<row r="{n}"><c r="B{n}"'.encode() + long + b"</row>" for n in range(100, 250)
    )
    part_edits = sheet_edits(
        src, {"Theme 6": lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>")}
    )
    rewrite(src, c.out("very_long_texts"), part_edits)
    (part,) = part_edits
    with zipfile.ZipFile(c.out("very_long_texts")) as zf:
        info = zf.getinfo(part)
    mb, ratio = info.file_size / (1024 * 1024), info.file_size / info.compress_size
    return Case(
        "rejected",
        [
            f"the part {part} expands to {mb:.1f} MB, compressed {ratio:,.0f} to 1, too large to "
            "read safely (the limit is 200 to 1 for a part over 1 MB); if it is the right file, "
            "delete what was pasted into it beyond the return (very long texts, rows far below "
            "the table) and save it again"
        ],
        hostile=True,
        codes=["part-bomb"],
    )


@case
def zip_directory_damaged(c: Corpus) -> Case:
    """The zip's table of contents damaged (Python's zipfile says "Bad magic number for
    central directory"): said in plain words."""
    data = bytearray(c.workbook("zip_directory_damaged").read_bytes())
    at = data.index(b"PK\x01\x02")
    data[at : at + 4] = b"PK\x01\x09"
    c.out("zip_directory_damaged").write_bytes(bytes(data))
    return Case(
        "rejected",
        [
            "the file is damaged or incomplete (its table of contents is damaged); send the "
            "workbook again"
        ],
        hostile=True,
        codes=["file-damaged"],
    )
