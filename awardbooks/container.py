"""Open a returned file safely: recognise what it is, enforce size limits, and hand back the
workbook's bytes. Every refusal is a :class:`ReturnError` with a one-line reason and advice.

Nothing here parses XML: checks work on bytes, so entity-expansion attacks never expand.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from awardbooks.errors import ReturnError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_MEMBER = 100 * 1024 * 1024
MAX_MEMBERS = 5000
MAX_RATIO = 200  # uncompressed / compressed, for members over 1 MB

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTION = "EncryptionInfo".encode("utf-16-le")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_MACRO_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled"
_WORKBOOK_TYPES = (
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    _MACRO_TYPE,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)


@dataclass
class Package:
    """A workbook that passed the container checks."""

    data: bytes
    zf: zipfile.ZipFile
    macro_enabled: bool

    def read(self, name: str) -> bytes:
        """A member's bytes, read within the size limits (checked up front)."""
        return self.zf.read(name)

    def has(self, name: str) -> bool:
        return name in self.zf.NameToInfo


def sniff(data: bytes, name: str) -> Package:
    """Check that ``data`` is an .xlsx/.xlsm workbook we can safely read, or say why not."""
    if not data:
        raise ReturnError("the file is empty (0 bytes); send the workbook again")
    if len(data) > MAX_FILE_BYTES:
        raise ReturnError(
            f"the file is {len(data) // (1024 * 1024)} MB, larger than any return should be "
            f"({MAX_FILE_BYTES // (1024 * 1024)} MB); check it is the right file"
        )
    if data.startswith(OLE_MAGIC):
        if ENCRYPTION in data:
            raise ReturnError(
                "the workbook is encrypted with a password; open it, remove the password "
                "(File > Info > Protect Workbook > Encrypt with Password) and save it again"
            )
        raise ReturnError(
            "this is an old Excel 97-2003 (.xls) file; open it and save it as an Excel "
            "Workbook (.xlsx)"
        )
    if data.startswith(b"%PDF"):
        raise ReturnError("this is a PDF, not a workbook; send the .xlsx file itself")
    if not data.startswith(b"PK"):
        kind = "a text file" if _looks_like_text(data) else "not a workbook"
        raise ReturnError(f"this is {kind}, not an Excel workbook (.xlsx), whatever its name")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReturnError(
            f"the file is damaged or incomplete ({_zip_reason(exc)}); send the workbook again"
        ) from None
    _check_sizes(infos)
    names = {info.filename for info in infos}
    if "mimetype" in names and "content.xml" in names:
        raise ReturnError(
            "this is an OpenDocument spreadsheet (.ods); open it and save it as an Excel "
            "Workbook (.xlsx)"
        )
    if "[Content_Types].xml" not in names:
        raise ReturnError("this is a zip file, not an Excel workbook (.xlsx)")
    types = _member(zf, "[Content_Types].xml")
    if not any(t in types for t in _WORKBOOK_TYPES):
        raise ReturnError("this is an Office file but not an Excel workbook (.xlsx)")
    for info in infos:
        if info.filename.endswith((".xml", ".rels")):
            head = _head(zf, info.filename)
            if _DOCTYPE.search(head):
                raise ReturnError(
                    f"the part {info.filename} declares an XML document type or entities, which "
                    "spreadsheet applications never write; the file was refused for safety"
                )
    return Package(data, zf, _MACRO_TYPE in types)


def _member(zf: zipfile.ZipFile, name: str) -> bytes:
    try:
        return zf.read(name)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReturnError(
            f"the file is damaged ({name}: {_zip_reason(exc)}); send the workbook again"
        ) from None
    except RuntimeError as exc:  # an encrypted zip member
        raise ReturnError(f"the file is damaged or encrypted ({exc})") from None


def _head(zf: zipfile.ZipFile, name: str, size: int = 65536) -> bytes:
    """The start of a part: a document type declaration can only stand in the prolog."""
    try:
        with zf.open(name) as handle:
            return handle.read(size)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReturnError(
            f"the file is damaged ({name}: {_zip_reason(exc)}); send the workbook again"
        ) from None
    except RuntimeError as exc:
        raise ReturnError(f"the file is damaged or encrypted ({exc})") from None


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise ReturnError(f"the workbook has {len(infos)} parts, far more than any return; refused")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER or (info.file_size > 1_000_000 and ratio > MAX_RATIO):
            raise ReturnError(
                f"the part {info.filename} expands to {info.file_size // (1024 * 1024)} MB "
                f"(compressed {ratio:.0f} to 1): a decompression bomb, refused"
            )
    if total > MAX_UNCOMPRESSED:
        raise ReturnError(
            f"the workbook expands to {total // (1024 * 1024)} MB, far more than any return; "
            "refused"
        )


def _zip_reason(exc: BaseException) -> str:
    text = str(exc).strip().rstrip(".") or type(exc).__name__
    return text[0].lower() + text[1:] if text else "unreadable"


def _looks_like_text(data: bytes) -> bool:
    sample = data[:2048]
    if b"\x00" in sample:
        return False
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def zip_members(data: bytes, name: str, exts: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """The returns inside a .zip archive (as saved from an email), within the size limits."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReturnError(f"the zip archive is damaged ({_zip_reason(exc)})") from None
    _check_sizes(infos)
    found = []
    for info in infos:
        base = info.filename.rsplit("/", 1)[-1]
        if info.is_dir() or info.filename.startswith("__MACOSX/") or base.startswith((".", "~$")):
            continue
        if base.lower().endswith(exts):
            found.append((f"{name}!{info.filename}", _member(zf, info.filename)))
    return found
