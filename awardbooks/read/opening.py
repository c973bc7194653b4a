"""Open a workbook that passed the container checks with python-calamine, or say exactly why
it cannot be opened.

Decisions:

- Opened from bytes, python-calamine tries each format in turn and, when all fail, says only
  "Cannot detect file format". So when it fails, the package is looked at first: a broken
  link explains most failures in words a user can act on (a sheet whose link is missing, an
  Excel 4.0 macro sheet, the part that lists the sheets missing, a workbook part not named
  workbook.xml). Otherwise the bytes (already within the size limits) are written to a private
  temporary file named for the format, for this diagnosis only, and opened from there, which
  gives python-calamine's own reason. The input itself is never touched.
- Any exception, and the panics of the Rust reader, are failures to report, never to raise.
"""

from __future__ import annotations

import io
import posixpath
import tempfile
from pathlib import Path

import python_calamine

from awardbooks.errors import ReturnError
from awardbooks.problems import Problem
from awardbooks.read import codes, opc
from awardbooks.read.cellvalues import short
from awardbooks.read.container import Package
from awardbooks.read.parts import sheet_links

_MACRO_SHEETS = ("/xlMacrosheet", "/xlIntlMacrosheet")


def _reader_failures() -> tuple[type[BaseException], ...]:
    """What reading a hostile file may raise: any Exception, and the panics of the Rust
    reader (pyo3's PanicException, one class per extension), which derive from BaseException,
    so ``except Exception`` would let them end a whole run (the classes exist once
    python_calamine is imported, as it is above)."""
    panics = [c for c in BaseException.__subclasses__() if c.__name__ == "PanicException"]
    return (Exception, *panics)


READER_FAILURES = _reader_failures()


def open_workbook(package: Package) -> python_calamine.CalamineWorkbook:
    """The workbook, opened from its bytes; a :class:`ReturnError` saying why not."""
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(package.data))
    except READER_FAILURES as exc:
        raise ReturnError(unopenable(package, exc)) from None


def unopenable(package: Package, exc: BaseException) -> Problem:
    """Why python-calamine could not open the package (it raised ``exc``)."""
    problem = broken_link(package)
    if problem is not None:
        return problem
    cause = _calamine_cause(package) or exc
    if isinstance(cause, python_calamine.PasswordError):
        how = codes.ENCRYPTED_IN_LIBREOFFICE if package.kind == "ods" else codes.ENCRYPTED_IN_EXCEL
        return codes.FILE_ENCRYPTED(how=how)
    return codes.WORKBOOK_UNOPENABLE(reason=short(cause))


def broken_link(package: Package) -> Problem | None:
    """The broken link in an .xlsx package that stops it being opened, if there is one."""
    if package.kind != "xlsx":
        return None
    if posixpath.basename(package.workbook) != "workbook.xml":
        return codes.WORKBOOK_PART_NAME(part=package.workbook)
    links = sheet_links(package)
    if links is None:
        return codes.WORKBOOK_SHEET_LINKS(part=opc.rels_of(package.workbook))
    for link in links:
        if not link.type:
            return codes.SHEET_LINK_MISSING(sheet=link.name, link=link.link)
        if link.type.endswith(_MACRO_SHEETS):
            return codes.SHEET_EXCEL4_MACRO(sheet=link.name)
    return None


def _calamine_cause(package: Package) -> BaseException | None:
    """What python-calamine raises opening the package from a file named for its format
    (None if it opens, or the file cannot be written)."""
    suffix = ".ods" if package.kind == "ods" else ".xlsx"
    try:
        with tempfile.TemporaryDirectory(prefix="awardbooks-") as folder:
            path = Path(folder) / f"return{suffix}"
            path.write_bytes(package.data)
            try:
                python_calamine.CalamineWorkbook.from_path(str(path)).close()
            except READER_FAILURES as exc:
                return exc
    except OSError:
        return None
    return None
