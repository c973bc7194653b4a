"""What a file that is not a zip package is, from its bytes, to refuse it with the right
reason: an Office compound file (an old .xls, an encrypted workbook, a Word document, Quattro
Pro), an early Excel, Lotus 1-2-3 or dBASE file, a PDF, a CSV or other text file.

Decisions:

- A compound (OLE) file is named by the streams in its directory: Workbook (Excel 97-2003),
  Book (Excel 5.0/95), EncryptionInfo (an encrypted workbook), WordDocument, and so on. Only
  one of those is an old .xls; a Word document renamed .xlsx is told it is a Word document.
- Early Excel (2.x, 3.0, 4.0), Lotus 1-2-3 and dBASE files have no magic number: each is
  recognised by its first record's type, length and version, as the applications that read
  them do, so that a text or random file is not mistaken for one.
- Text is decoded as UTF-8, else as Windows-1252 (what Excel writes for "CSV (Comma
  delimited)" in England), or as UTF-16 after its byte-order mark ("Unicode Text"); it is a CSV
  file when its lines hold the same number of commas, semicolons or tabs.
"""

from __future__ import annotations

import io
import struct
from collections import Counter
from typing import NoReturn

import olefile

from awardbooks.errors import ReturnError
from awardbooks.problems import Problem
from awardbooks.read import codes

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION = "EncryptionInfo".encode("utf-16-le")
SAMPLE = 8192  # how much of a text file is looked at

_BIFF_VERSIONS = {0x0009: "Excel 2.x", 0x0209: "Excel 3.0", 0x0409: "Excel 4.0"}
_BIFF8_BOF = 0x0809
_LOTUS_OLD = (0x0404, 0x0405, 0x0406)  # 1-2-3 release 1A (.wks), 2 (.wk1), Symphony
_LOTUS_NEW = range(0x1000, 0x1006)  # releases 3 and later (.wk3, .wk4, .123)
_QUATTRO_DOS = (0x5120, 0x5121)  # Quattro Pro for DOS (.wq1, .wq2)
_DBASE_VERSIONS = frozenset(b"\x02\x03\x04\x05\x30\x31\x32\x43\x63\x83\x8b\x8e\xcb\xf5\xfb")
_DBASE_FIELD_TYPES = frozenset(b"BCDFGILMNOPTVXY@+0")
_OFFICE_STREAMS = {  # a stream in a compound file's root -> what the file is
    "worddocument": "a Word document (.doc)",
    "powerpoint document": "a PowerPoint presentation (.ppt)",
    "__properties_version1.0": "an Outlook message (.msg)",
}
_QUATTRO_STREAMS = ("nativecontent_main", "perfectoffice_main")  # .qpw, .wb3
_DELIMITERS = (",", ";", "\t")


def refuse(data: bytes) -> NoReturn:
    """Raise the :class:`ReturnError` that says what ``data`` (not a zip package) is."""
    raise ReturnError(identify(data))


def identify(data: bytes) -> Problem:
    """The refusal for a file that is not a zip package, saying what it is."""
    if data.startswith(OLE_MAGIC):
        return compound_file(data)
    if data.startswith(b"%PDF"):
        return codes.FILE_PDF()
    early = _early_excel(data) or _lotus(data) or _dbase(data)
    if early is not None:
        return early
    text = _text_kind(data)
    if text == "csv":
        return codes.FILE_CSV()
    if text == "text":
        return codes.FILE_NOT_WORKBOOK(kind="a text file")
    return codes.FILE_NOT_WORKBOOK(kind="a file of a kind awardbooks does not recognise")


def compound_file(data: bytes) -> Problem:
    """An Office compound (OLE) file, by the streams in its root."""
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            names = {entry[0].lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # a damaged compound file: say what it looks like
        if ENCRYPTION in data:
            return codes.FILE_ENCRYPTED(how=codes.ENCRYPTED_IN_EXCEL)
        return codes.FILE_DAMAGED(reason="an old-style Office file whose structure cannot be read")
    if "encryptioninfo" in names or "encryptedpackage" in names:
        return codes.FILE_ENCRYPTED(how=codes.ENCRYPTED_IN_EXCEL)
    if "workbook" in names:
        return codes.FILE_XLS(version="Excel 97-2003")
    if "book" in names:
        return codes.FILE_XLS(version="Excel 5.0/95")
    if any(name in names for name in _QUATTRO_STREAMS):
        return codes.FILE_QUATTRO_PRO()
    for stream, kind in _OFFICE_STREAMS.items():
        if stream in names:
            return codes.FILE_OFFICE_NOT_EXCEL(kind=kind)
    return codes.FILE_NOT_WORKBOOK(kind="a document of another program")


def _early_excel(data: bytes) -> Problem | None:
    """Excel 2.x to 4.0 (BIFF2-4) and a bare Excel 5-2003 stream: a BOF record at offset 0."""
    if len(data) < 8:
        return None
    record, length, version = struct.unpack("<HHH", data[:6])
    if not 4 <= length <= 20 or len(data) < 4 + length:
        return None
    if record in _BIFF_VERSIONS:
        return codes.FILE_XLS(version=_BIFF_VERSIONS[record])
    if record == _BIFF8_BOF and version in (0x0500, 0x0600):
        return codes.FILE_XLS(version="Excel 5.0/95" if version == 0x0500 else "Excel 97-2003")
    return None


def _lotus(data: bytes) -> Problem | None:
    """Lotus 1-2-3 and Quattro Pro for DOS: a BOF record (type 0) with a known version."""
    if len(data) < 6 or data[:2] != b"\x00\x00":
        return None
    length, version = struct.unpack("<HH", data[2:6])
    if (length == 2 and version in _LOTUS_OLD) or (length >= 19 and version in _LOTUS_NEW):
        return codes.FILE_LOTUS()
    if length == 2 and version in _QUATTRO_DOS:
        return codes.FILE_QUATTRO_PRO()
    return None


def _dbase(data: bytes) -> Problem | None:
    """A dBASE table: a version byte, a date of last update, then field descriptors of 32
    bytes each, ended by 0x0D where the header's length says."""
    if len(data) < 65 or data[0] not in _DBASE_VERSIONS:
        return None
    month, day = data[2], data[3]
    header, record = struct.unpack("<HH", data[8:12])
    if not (1 <= month <= 12 and 1 <= day <= 31 and 65 <= header <= len(data) and record):
        return None
    at = 32
    while at + 32 <= header:
        if data[at + 11] not in _DBASE_FIELD_TYPES:
            return None
        at += 32
        if data[at] == 0x0D:
            return codes.FILE_DBASE()
    return None


def _text_kind(data: bytes) -> str | None:
    """'csv', 'text', or None for a file that is not text."""
    sample = data[:SAMPLE]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = sample[: len(sample) // 2 * 2].decode("utf-16", "replace")
    elif b"\x00" in sample:
        return None
    else:
        try:
            text = sample.decode("utf-8")
        except UnicodeDecodeError as exc:
            cut = exc.start >= len(sample) - 3  # a character cut by the sample's end
            text = sample[: exc.start].decode() if cut else sample.decode("cp1252", "replace")
    text = text.lstrip("\ufeff")
    if any((ch < " " and ch not in "\t\n\r\f\x1a") or ch == "\x7f" for ch in text):
        return None
    lines = text.splitlines()
    if len(data) > SAMPLE:
        lines = lines[:-1]  # the last may be cut
    return "csv" if _delimited([line for line in lines if line.strip()]) else "text"


def _delimited(lines: list[str]) -> bool:
    """Whether the lines (two or more) are rows of values: each holds the delimiter (outside
    double quotes), and most hold it the same number of times."""
    if len(lines) < 2:
        return False
    for delimiter in _DELIMITERS:
        counts = [_count_outside_quotes(line, delimiter) for line in lines[:50]]
        if min(counts) == 0:
            continue
        _count, times = Counter(counts).most_common(1)[0]
        if times >= 0.8 * len(counts):
            return True
    return False


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == delimiter and not quoted:
            count += 1
    return count
