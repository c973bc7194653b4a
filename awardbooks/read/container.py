"""Open a returned file safely: recognise what it is, enforce size limits, and hand back the
workbook's bytes. Every refusal is a :class:`ReturnError` carrying a :class:`Problem` (one of
the codes of :mod:`awardbooks.read.codes`) with a one-line reason and advice.

A file that is not a zip package is named by :mod:`awardbooks.read.kinds`. A zip package's
kind is the content type of the part ``_rels/.rels`` names as the office document
(:mod:`awardbooks.read.opc`), wherever that part is; an OpenDocument package's is its
``mimetype``.

Nothing here parses XML: checks work on bytes, so entity-expansion attacks never expand.
Limits are checked twice: on the sizes the zip directory declares (before anything is
decompressed), then while every part is decompressed in bounded chunks (a part that holds
more than it declares is refused as soon as it passes its declared size).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from awardbooks.errors import ReturnError
from awardbooks.problems import Code, Problem
from awardbooks.read import codes, kinds, opc

MB = 1024 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 300 * 1024 * 1024  # a .zip archive of returns (and an email's parts)
MAX_MEMBER = 100 * 1024 * 1024
MAX_WORKBOOK = 200 * 1024 * 1024  # one workbook, all its parts uncompressed
MAX_PART = 50 * 1024 * 1024  # one part of a workbook (a sheet's XML), uncompressed
MAX_MEMBERS = 5000
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MB
CHUNK = 256 * 1024

KEEP_PART = 8 * 1024 * 1024  # parts up to this size are kept once decompressed
OLE_MAGIC = kinds.OLE_MAGIC
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_ODF_KINDS = {
    b"application/vnd.oasis.opendocument.text": "an OpenDocument text document (.odt)",
    b"application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
    b"application/vnd.oasis.opendocument.graphics": "an OpenDocument drawing (.odg)",
}
_ODF_ENCRYPTED = re.compile(rb"<(?:[\w.-]+:)?encryption-data\b")
_DECLARATIONS = [b"<!DOCTYPE", b"<!ENTITY"]
_DECLARATIONS += [d.decode().encode(e) for d in _DECLARATIONS for e in ("utf-16-le", "utf-16-be")]
_DOCTYPE = re.compile(b"|".join(re.escape(d) for d in _DECLARATIONS))
_OVERLAP = max(len(d) for d in _DECLARATIONS)
_XML_PARTS = (".xml", ".rels", ".vml")
_SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_EXCEL = "application/vnd.ms-excel."
_WORKBOOK_TYPES = {  # the main part's content type -> the kind of workbook
    _SHEETML + "sheet.main+xml": ".xlsx",
    _SHEETML + "template.main+xml": ".xltx",
    _EXCEL + "sheet.macroenabled.main+xml": ".xlsm",
    _EXCEL + "template.macroenabled.main+xml": ".xltm",
}
_OFFICE_KINDS = {  # other main parts' content types -> what the file is
    "application/vnd.openxmlformats-officedocument.wordprocessingml.": "a Word document (.docx)",
    "application/vnd.ms-word.": "a Word document (.docx)",
    "application/vnd.openxmlformats-officedocument.presentationml.":
        "a PowerPoint presentation (.pptx)",
    "application/vnd.ms-powerpoint.": "a PowerPoint presentation (.pptx)",
    "application/vnd.ms-excel.addin.": "an Excel add-in (.xlam)",
    "application/vnd.ms-visio.": "a Visio drawing (.vsdx)",
}  # fmt: skip
_XLSB_TYPE = _EXCEL + "sheet.binary.macroenabled.main"


@dataclass
class Package:
    """A workbook that passed the container checks: ``kind`` is "xlsx" or "ods"."""

    data: bytes
    zf: zipfile.ZipFile
    macro_enabled: bool
    kind: str = "xlsx"
    parts: dict[str, bytes] = field(default_factory=dict)
    """Parts already decompressed while they were verified (each read once, not thrice)."""
    workbook: str = "xl/workbook.xml"
    """The zip name of the workbook part, as ``_rels/.rels`` names it ("content.xml" in an
    .ods)."""
    extension: str = ".xlsx"
    """What its main part's content type says it is: .xlsx, .xlsm, .xltx, .xltm or .ods."""

    def read(self, name: str) -> bytes:
        """A member's bytes (its size and checksum were verified by :func:`sniff`)."""
        part = self.parts.get(name)
        return part if part is not None else _member(self.zf, name)

    def has(self, name: str) -> bool:
        return name in self.zf.NameToInfo


def sniff(data: bytes, name: str) -> Package:
    """Check that ``data`` is an .xlsx/.xlsm (or .ods) workbook we can safely read, or say
    why not."""
    if not data:
        raise ReturnError(codes.FILE_EMPTY())
    if len(data) > MAX_FILE_BYTES:
        mb, limit = len(data) // (1024 * 1024), MAX_FILE_BYTES // (1024 * 1024)
        raise ReturnError(codes.FILE_TOO_LARGE(mb=mb, limit=limit))
    if not data.startswith(b"PK"):
        kinds.refuse(data)
    zf, infos = _open_zip(data, codes.FILE_DAMAGED)
    _check_sizes(infos)
    starts = _check_layout(data, zf, infos)
    parts = {}
    for info in infos:
        part = _verify(data, info, keep=info.file_size <= KEEP_PART, start=starts[id(info)])
        if part is not None:
            parts[info.filename] = part
    names = zf.NameToInfo
    if "mimetype" in names:
        return _opendocument(data, zf, parts)
    if "[Content_Types].xml" not in names:
        raise ReturnError(codes.FILE_PLAIN_ZIP())
    _check_names(infos)
    if "_rels/.rels" not in names:
        raise ReturnError(codes.FILE_PACKAGE_RELS(what="is missing"))
    rels = _member(zf, "_rels/.rels")
    main = opc.main_part(rels)
    if main is None:
        what = "cannot be read" if not opc.complete(rels) else "does not name the workbook"
        raise ReturnError(codes.FILE_PACKAGE_RELS(what=what))
    ctype = opc.content_type(_member(zf, "[Content_Types].xml"), main)
    if ctype == _XLSB_TYPE:
        raise ReturnError(codes.FILE_XLSB())
    extension = _WORKBOOK_TYPES.get(ctype)
    if extension is None:
        kind = next((k for t, k in _OFFICE_KINDS.items() if ctype.startswith(t)), None)
        kind = kind or "an Office file of another kind"
        raise ReturnError(codes.FILE_OFFICE_NOT_EXCEL(kind=kind))
    workbook = opc.find(names, main)
    if workbook is None:
        raise ReturnError(codes.FILE_NO_WORKBOOK_PART(part=main))
    if not opc.complete(rels):
        raise ReturnError(codes.FILE_PACKAGE_RELS(what="cannot be read"))
    macros = extension in (".xlsm", ".xltm")
    return Package(data, zf, macros, "xlsx", parts, workbook, extension)


def _opendocument(data: bytes, zf: zipfile.ZipFile, parts: dict[str, bytes]) -> Package:
    """An OpenDocument package: a spreadsheet (unless encrypted), or what else it is."""
    mimetype = _member(zf, "mimetype").strip()
    if mimetype != ODS_MIMETYPE:
        if mimetype in _ODF_KINDS or mimetype.startswith(b"application/vnd.oasis."):
            kind = _ODF_KINDS.get(mimetype, "an OpenDocument file of another kind")
            raise ReturnError(codes.FILE_ODF_NOT_SPREADSHEET(kind=kind))
        raise ReturnError(codes.FILE_PLAIN_ZIP())
    _check_names(zf.infolist())
    manifest = "META-INF/manifest.xml"
    if zf.NameToInfo.get(manifest) and _ODF_ENCRYPTED.search(_member(zf, manifest)):
        raise ReturnError(codes.FILE_ENCRYPTED(how=codes.ENCRYPTED_IN_LIBREOFFICE))
    if "content.xml" not in zf.NameToInfo:
        raise ReturnError(codes.FILE_NO_WORKBOOK_PART(part="content.xml"))
    return Package(data, zf, False, "ods", parts, "content.xml", ".ods")


def _check_names(infos: list[zipfile.ZipInfo]) -> None:
    """Part names with backslashes (a package zipped again by another program) are refused
    once, whichever part has them: some readers take them for folders and some do not."""
    for info in infos:
        if "\\" in info.filename:
            raise ReturnError(codes.PART_BACKSLASH(part=info.filename))


def _open_zip(data: bytes, damaged: Code) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        return zf, zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ReturnError(damaged(reason=_zip_reason(exc))) from None
    except (NotImplementedError, RuntimeError, struct.error) as exc:
        raise ReturnError(damaged(reason=_zip_reason(exc))) from None


def _check_sizes(
    infos: list[zipfile.ZipInfo],
    part_limit: int = MAX_PART,
    total_limit: int = MAX_WORKBOOK,
    archive: bool = False,
) -> None:
    """The limits on what the zip directory declares, before anything is decompressed: each
    refusal says the limit, and calls nothing a bomb (a legitimate file with very long texts
    reaches them too)."""
    if archive:
        what, items, item = "zip archive", "files", "file"
    else:
        what, items, item = "workbook", "parts", "part"
    if len(infos) > MAX_MEMBERS:
        raise ReturnError(
            codes.FILE_TOO_MANY_PARTS(what=what, count=len(infos), items=items, limit=MAX_MEMBERS)
        )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        mb = _megabytes(info.file_size)
        if info.file_size > part_limit:
            problem = codes.PART_BOMB(
                what=item, part=info.filename, size=mb, limit=f"{part_limit // MB:,} MB"
            )
            raise ReturnError(problem)
        if info.file_size > 1_000_000 and ratio > MAX_RATIO:
            size = f"{mb}, compressed {ratio:,.0f} to 1"
            limit = f"{MAX_RATIO} to 1 for a {item} over 1 MB"
            problem = codes.PART_BOMB(what=item, part=info.filename, size=size, limit=limit)
            raise ReturnError(problem)
    if total > total_limit:
        raise ReturnError(
            codes.FILE_EXPANDS_TOO_FAR(what=what, mb=total // MB, limit=total_limit // MB)
        )


def _megabytes(size: int) -> str:
    """A size for a message: "320 MB", or "1.9 MB" under 10 MB."""
    mb = size / MB
    return f"{mb:,.0f} MB" if mb >= 10 else f"{mb:.1f} MB"


def _check_layout(
    data: bytes, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], workbook: bool = True
) -> dict[int, int]:
    """No two parts sharing bytes (the trick of "overlapping" zip bombs) and, in a workbook,
    every part unencrypted, compressed the way spreadsheet applications do it and named in
    its own header as in the directory. Returns where each part's data starts (by id)."""
    spans = []
    starts: dict[int, int] = {}
    for info in infos:
        if not workbook:
            pass
        elif info.flag_bits & 0x1:
            raise ReturnError(codes.PART_ENCRYPTED(part=info.filename))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ReturnError(codes.PART_COMPRESSION(part=info.filename, method=info.compress_type))
        start = starts[id(info)] = _data_start(data, info)
        spans.append((info.header_offset, start + info.compress_size, info.filename))
    spans.sort()
    limit = getattr(zf, "start_dir", len(data))
    for (_start, end, part), following in zip(spans, spans[1:] + [(limit, 0, "")]):
        if end > following[0]:
            other = f"the part {following[2]}" if following[2] else "the zip directory"
            raise ReturnError(codes.PART_OVERLAPS(part=part, other=other))
    return starts


def _data_start(data: bytes, info: zipfile.ZipInfo) -> int:
    offset = info.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise ReturnError(codes.PART_MISPLACED(part=info.filename))
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return offset + 30 + name_len + extra_len


def _check_name(data: bytes, info: zipfile.ZipInfo) -> None:
    """The part's own header names it as the zip directory does."""
    offset = info.header_offset
    name_len = struct.unpack("<H", data[offset + 26 : offset + 28])[0]
    if data[offset + 30 : offset + 30 + name_len] != info.orig_filename.encode(
        "utf-8" if info.flag_bits & 0x800 else "cp437", "replace"
    ):
        raise ReturnError(codes.PART_MISNAMED(part=info.filename))


def _verify(data: bytes, info: zipfile.ZipInfo, keep: bool, start: int) -> bytes | None:
    """Decompress one part in bounded chunks: it must hold exactly what the directory
    declares (size and checksum), and an XML part must declare no document type. With
    ``keep``, return the part's bytes. ``start``: where its data begins (_check_layout)."""
    _check_name(data, info)
    kept: list[bytes] | None = [] if keep else None
    packed = memoryview(data)[start : start + info.compress_size]
    if len(packed) < info.compress_size:
        raise ReturnError(codes.PART_CUT_SHORT(part=info.filename))
    scan = info.filename.lower().endswith(_XML_PARTS) or info.filename == "mimetype"
    declared = info.file_size
    produced = crc = pos = 0
    tail = b""
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    while True:
        if inflater is None:
            out = bytes(packed[pos : pos + CHUNK])
            pos += len(out)
            done = pos >= len(packed)
        else:
            feed = inflater.unconsumed_tail or packed[pos : pos + CHUNK]
            if not inflater.unconsumed_tail:
                pos += len(feed)
            try:
                out = inflater.decompress(feed, CHUNK)
            except zlib.error:
                raise ReturnError(codes.PART_CORRUPT(part=info.filename)) from None
            done = inflater.eof or (pos >= len(packed) and not inflater.unconsumed_tail and not out)
        produced += len(out)
        if kept is not None:
            kept.append(out)
        if produced > declared:
            raise ReturnError(codes.PART_OVERFLOWS(part=info.filename, declared=declared))
        crc = zlib.crc32(out, crc)
        if scan and out:
            window = tail + out
            if (b"<!" in window or b"!\x00" in window) and _DOCTYPE.search(window):
                raise ReturnError(codes.PART_DOCTYPE(part=info.filename))
            tail = window[-_OVERLAP:]
        if done:
            break
    if produced != declared or crc != info.CRC:
        raise ReturnError(codes.PART_CHECKSUM(part=info.filename))
    return b"".join(kept) if kept is not None else None


_ZIP_REASONS = (  # words in Python's zipfile and zlib errors -> what they mean to a user
    ("not a zip file", "its end is missing or unreadable"),
    ("span multiple disks", "it is one piece of a zip file split into several"),
    ("central directory", "its table of contents is damaged"),
    ("extra field", "its table of contents is damaged"),
    ("file header", "a part is not where its table of contents says"),
    ("overlapped", "its parts overlap"),
    ("crc", "its data does not match its checksum"),
    ("encrypted", "it is encrypted"),
    ("decompressing", "its compressed data is corrupt"),
)


def _zip_reason(exc: BaseException) -> str:
    """What a zipfile or zlib error means, in plain words (never Python's own text)."""
    text = str(exc).lower()
    for words, reason in _ZIP_REASONS:
        if words in text:
            return reason
    if isinstance(exc, zlib.error):
        return "its compressed data is corrupt"
    if isinstance(exc, struct.error):
        return "its table of contents is damaged"
    return "it cannot be read as a zip file"


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        return zf.read(name)
    except RuntimeError:  # an encrypted member of a zip archive of returns
        raise ReturnError(codes.PART_LOCKED(part=name)) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise ReturnError(codes.PART_UNREADABLE(part=name, reason=_zip_reason(exc))) from None
    except NotImplementedError as exc:
        raise ReturnError(codes.PART_UNREADABLE(part=name, reason=_zip_reason(exc))) from None


def zip_members(data: bytes, name: str, exts: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """The returns inside a .zip archive (as saved from an email), within the size limits."""
    zf, infos = _open_zip(data, codes.ARCHIVE_DAMAGED)
    _check_sizes(infos, MAX_MEMBER, MAX_UNCOMPRESSED, archive=True)
    _check_layout(data, zf, infos, workbook=False)
    found = []
    for info in infos:
        base = info.filename.rsplit("/", 1)[-1]
        if info.is_dir() or info.filename.startswith("__MACOSX/") or base.startswith((".", "~$")):
            continue
        if base.lower().endswith(exts):
            found.append((f"{name}!{info.filename}", _member(zf, info.filename)))
    return found


class Refusal(bytes):
    """What an input holds instead of a workbook when it cannot be opened (a damaged archive,
    a saved email without a workbook): the reason's text as bytes, as the inputs' units carry
    data, and the :class:`Problem` itself for the reader to report
    (:func:`awardbooks.read.returns.refused`). Pickles with its problem."""

    problem: Problem

    def __new__(cls, problem: Problem) -> Refusal:
        self = super().__new__(cls, problem.located.encode())
        self.problem = problem
        return self

    def __reduce__(self):
        return (Refusal, (self.problem,))
