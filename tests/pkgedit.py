"""Editing workbook packages the way other applications (and attackers) change them: parts
rewritten in a zip copy, cells set in the sheet XML, and zips written by hand so that their
directory can say what a hostile file says."""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

Edit = Callable[[bytes], bytes] | bytes | None


def rewrite(
    src: Path, dst: Path, edits: dict[str, Edit] | None = None, add: dict[str, bytes] | None = None
) -> Path:
    """Copy a package member by member, replacing (bytes), transforming (a function) or
    dropping (None) the named parts, and adding new ones at the end."""
    edits = edits or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename in edits:
                edit = edits[info.filename]
                if edit is None:
                    continue
                data = edit(data) if callable(edit) else edit
            zout.writestr(_keep(info), data)  # an .ods must keep its stored mimetype first
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def _keep(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    fresh = zipfile.ZipInfo(info.filename, info.date_time)
    fresh.compress_type = info.compress_type
    return fresh


def sheet_part(path: Path, sheet: str) -> str:
    """The zip member holding a sheet's XML."""
    with zipfile.ZipFile(path) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(
        rf'<sheet name="{re.escape(escape(sheet))}" sheetId="\d+"[^>]*r:id="(\w+)"', book
    )
    assert rid, sheet
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels
    )
    assert target, rid.group(1)
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def sheet_edits(path: Path, per_sheet: dict[str, Callable[[bytes], bytes]]) -> dict[str, Edit]:
    return {sheet_part(path, sheet): edit for sheet, edit in per_sheet.items()}


def xml_text(value: str) -> str:
    """Text as Excel stores it in XML: escaped, with characters XML cannot hold (and any
    literal _xHHHH_) written as _xHHHH_."""
    value = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", value)
    value = "".join(
        f"_x{ord(ch):04X}_" if (ord(ch) < 32 and ch not in "\t\n") else ch for ch in value
    )
    return escape(value)


def text_cell(value: str) -> bytes:
    return f' t="inlineStr"><is><t xml:space="preserve">{xml_text(value)}</t></is></c>'.encode()


def number_cell(value: float | str) -> bytes:
    return f"><v>{value}</v></c>".encode()


def formula_cell(formula: str, cached: str | None, number: bool = False) -> bytes:
    body = f"<f>{escape(formula)}</f>"
    if cached is None:
        return f">{body}</c>".encode()
    kind = "" if number else ' t="str"'
    return f"{kind}>{body}<v>{escape(cached)}</v></c>".encode()


def error_cell(value: str) -> bytes:
    return f' t="e"><v>{escape(value)}</v></c>'.encode()


def set_cells(cells: dict[str, bytes], keep_style: bool = True) -> Callable[[bytes], bytes]:
    """Replace existing cells (every input cell of a generated sheet is written, empty and
    styled), keeping each cell's style unless told not to."""

    def edit(xml: bytes) -> bytes:
        for ref, inner in cells.items():
            pattern = re.compile(rb'<c r="' + ref.encode() + rb'"( s="\d+")?[^>]*?(?:/>|>.*?</c>)')
            match = pattern.search(xml)
            assert match, ref
            xml = (
                xml[: match.start()]
                + b'<c r="'
                + ref.encode()
                + b'"'
                + ((match.group(1) or b"") if keep_style else b"")
                + inner
                + xml[match.end() :]
            )
        return xml

    return edit


def add_merge(ref: str) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        xml = re.sub(rb'<mergeCells count="(\d+)">', rb"<mergeCells>", xml)
        return xml.replace(b"<mergeCells>", f'<mergeCells><mergeCell ref="{ref}"/>'.encode(), 1)

    return edit


def shift_rows(first: int, by: int, drop: int | None = None) -> Callable[[bytes], bytes]:
    """Move rows ``first`` and below (Excel numbers) down by ``by`` (up when negative),
    dropping row ``drop`` first: what inserting or deleting rows does to the cells."""

    def move(match: re.Match[bytes]) -> bytes:
        col, row = match.group(2), int(match.group(3))
        return match.group(1) + col + str(row + by if row >= first else row).encode()

    def edit(xml: bytes) -> bytes:
        if drop is not None:
            xml = re.sub(rb'<row r="' + str(drop).encode() + rb'".*?</row>', b"", xml, count=1)
        head, body, tail = re.split(rb"(?=<sheetData>)|(?<=</sheetData>)", xml)
        body = re.sub(rb'(<row r=")()(\d+)', move, body)
        body = re.sub(rb'(<c r=")([A-Z]+)(\d+)', move, body)
        return head + body + tail

    return edit


def workbook_xml(edit: Callable[[str], str]) -> Callable[[bytes], bytes]:
    return lambda data: edit(data.decode()).encode()


# ------------------------------------------------------------------- hand-made zip packages


def deflate(chunks: Iterable[bytes]) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of the chunks, streamed."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_RLE)
    out, crc, size = bytearray(), 0, 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out += packer.compress(chunk)
    out += packer.flush()
    return bytes(out), crc, size


@dataclass
class Entry:
    name: str
    packed: bytes
    crc: int
    size: int
    declared: int | None = None  # the size the directory claims (a lie, if set)
    flags: int = 0
    same_data_as: str | None = None  # point the directory at another entry's bytes


def entries_of(path: Path) -> list[Entry]:
    with zipfile.ZipFile(path) as zf:
        return [Entry(i.filename, *deflate([zf.read(i.filename)])) for i in zf.infolist()]


def raw_zip(entries: list[Entry]) -> bytes:
    """A zip written by hand, so that its directory can say what a hostile file says."""
    out, central, offsets = bytearray(), bytearray(), {}
    for e in entries:
        declared = e.size if e.declared is None else e.declared
        name = e.name.encode()
        if e.same_data_as is None:
            offsets[e.name] = len(out)
            out += struct.pack(
                "<IHHHHHIIIHH", 0x04034B50, 20, e.flags, 8, 0, 0x21, e.crc, len(e.packed),
                declared, len(name), 0,
            ) + name + e.packed  # fmt: skip
        offset = offsets[e.same_data_as or e.name]
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, e.flags, 8, 0, 0x21, e.crc,
            len(e.packed), declared, len(name), 0, 0, 0, 0, 0, offset,
        ) + name  # fmt: skip
    start = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0
    )
    return bytes(out)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>\n"
)


def with_doctype(declaration: str) -> Callable[[bytes], bytes]:
    """Put a document type declaration after the XML declaration of a part."""

    def edit(xml: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", xml)
        root = re.match(rb"<(\w+)", body)
        assert root
        text = declaration.replace("ROOT", root.group(1).decode())
        return text.encode() + body.replace(b"<v>", b"<v>&lol9;", 1)

    return edit
