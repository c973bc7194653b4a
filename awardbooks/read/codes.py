"""Every kind of problem the read stage reports, one :class:`~awardbooks.problems.Code` each:
the container's refusals, saved emails' and archives' problems, the return reader's and its
structure checks'.

Decisions:

- Ids are short lowercase slugs, ``<thing>-<what is wrong>`` (``rating-not-a-level``); they
  are stable: a test or a script may match on them, so an id is never reused for another kind.
- ``template`` says what is wrong, ``fix`` how to put it right, when the message has one; the
  text a user sees is ``message; fix``, exactly as the reader wrote it before problems were data.
  Where a message goes on after a colon or gives a consequence ("refused", "kept as text"),
  that stays in the message.
- The place (file, sheet, cell) is never in a template: the reader passes it as fields. A
  sheet is named as it is in the file (a renamed sheet by its new name), except when the
  problem is that the expected sheet is not there (missing, renamed): then by its expected name.
- ``example`` fills the templates (and the place) for ``docs/problems.md``.
"""

from __future__ import annotations

from awardbooks.problems import Code

_AGAIN = "send the workbook again"
_NORMALLY = "send the workbook saved normally"
_RESAVE = "open it in Excel and save it again"
_AS_XLSX = "open it and save it as an Excel Workbook (.xlsx)"
_ITSELF = "send the Excel workbook (.xlsx) itself"
_ELSEWHERE = (
    "open it in a spreadsheet application that reads it (LibreOffice Calc does) and save it as "
    "an Excel Workbook (.xlsx)"
)
_RIGHT_FILE = "check it is the right file"
_TOO_DEEP = (
    "this is nested more than {depth} levels deep in archives and saved messages, so it was not "
    "opened"
)
_TOO_DEEP_FIX = "save the workbook itself and analyse that"
_FILE = "St Marys.xlsx"
_PART = {"file": _FILE, "part": "xl/worksheets/sheet3.xml"}

ENCRYPTED_IN_EXCEL = "File > Info > Protect Workbook > Encrypt with Password"
ENCRYPTED_IN_LIBREOFFICE = "in LibreOffice: File > Save As, untick Save with password"
"""Where a password is removed, for :data:`FILE_ENCRYPTED`'s ``how``."""

# ------------------------------------------------------------------- the file and its zip
# A refusal says what the file is, in the words of the person who sent it, and what to do.

FILE_UNREADABLE = Code(
    "file-unreadable", "error", "cannot be read ({reason})",
    example={"file": _FILE, "reason": "Permission denied"},
)  # fmt: skip
FILE_EMPTY = Code("file-empty", "error", "the file is empty (0 bytes)", _AGAIN, {"file": _FILE})
FILE_TOO_LARGE = Code(
    "file-too-large", "error",
    "the file is {mb} MB, larger than any return should be ({limit} MB)", _RIGHT_FILE,
    {"file": _FILE, "mb": 64, "limit": 50},
)  # fmt: skip
FILE_ENCRYPTED = Code(
    "file-encrypted", "error", "the workbook is encrypted with a password",
    "open it, remove the password ({how}) and save it again",
    {"file": _FILE, "how": ENCRYPTED_IN_EXCEL},
)  # fmt: skip
"""An encrypted .xlsx (an Office compound file holding EncryptionInfo) or .ods (its manifest
declares encryption data); ``how`` says where the password is removed in its application."""
FILE_PASSWORD_NEEDED = Code(
    "file-password-needed", "error",
    "the workbook is encrypted with a password, and no password was given for it",
    "give the passwords file written with the workbooks ({{opt:passwords}} FILE; analyse finds "
    "the passwords.csv beside each {{opt:manifest}}, a collection its own), or type the "
    "password ({{opt:ask_password}})",
    {"file": _FILE},
)  # fmt: skip
"""An encrypted .xlsx (ECMA-376 encryption, as Excel's Encrypt with Password and LibreOffice's
Save with password write it) read with no password at all."""
FILE_PASSWORD_WRONG = Code(
    "file-password-wrong", "error", "{tried}",
    "if the school saved it with a password of its own, ask them for it and type it "
    "({{opt:ask_password}}); else give the passwords file written with this workbook "
    "({{opt:passwords}} FILE)",
    {"file": _FILE, "tried": "none of the 3 passwords in workbooks/passwords.csv opens the "
     "workbook"},
)  # fmt: skip
"""No password given opens an encrypted return. ``tried`` says what failed: "the password
typed does not open the workbook", "none of the 3 passwords in workbooks/passwords.csv opens
the workbook", or "neither the password typed nor any of ... opens the workbook"."""
FILE_PASSWORD_CHANGED = Code(
    "file-password-changed", "error",
    "the workbook's password in {passwords} does not open it: the school saved it with a "
    "password of its own",
    "ask the school for that password and type it ({{opt:ask_password}}), or ask them to save it "
    "again without one (" + ENCRYPTED_IN_EXCEL + ", or in LibreOffice File > Save As with Save "
    "with password unticked)",
    {"file": _FILE, "passwords": "workbooks/autumn/passwords.csv"},
)  # fmt: skip
"""An encrypted return whose file name is in a passwords file, but whose password there (and
any typed) does not open it."""
FILE_ENCRYPTION_UNREADABLE = Code(
    "file-encryption-unreadable", "error",
    "the workbook is encrypted, and its encryption {what}",
    "ask the school to save it again in Excel or LibreOffice (with a password or without)",
    {"file": _FILE, "what": "details cannot be read"},
)  # fmt: skip
"""An encrypted .xlsx whose encryption details are damaged, of a kind awardbooks does not
read, or set to cost more than the ECMA-376 limit of 10,000,000 rounds to open, or whose
decrypted contents fail their integrity check."""
FILE_XLS = Code(
    "file-xls", "error", "this is an old {version} (.xls) file", _AS_XLSX,
    {"file": _FILE, "version": "Excel 97-2003"},
)  # fmt: skip
"""``version``: Excel 97-2003 (a Workbook stream), Excel 5.0/95 (a Book stream), or Excel 4.0,
3.0 or 2.x (their BOF record at the start of the file)."""
FILE_PDF = Code(
    "file-pdf", "error", "this is a PDF, not a workbook", "send the .xlsx file itself",
    {"file": _FILE},
)  # fmt: skip
FILE_CSV = Code(
    "file-csv", "error", "this is a CSV file: the values of one sheet as plain text, not the "
    "workbook",
    "send the Excel workbook (.xlsx) itself, not a copy saved as CSV", {"file": _FILE},
)  # fmt: skip
FILE_LOTUS = Code(
    "file-lotus", "error", "this is a Lotus 1-2-3 file, not an Excel workbook (.xlsx)",
    _ELSEWHERE, {"file": _FILE},
)  # fmt: skip
FILE_QUATTRO_PRO = Code(
    "file-quattro-pro", "error", "this is a Quattro Pro file, not an Excel workbook (.xlsx)",
    _ELSEWHERE, {"file": _FILE},
)  # fmt: skip
FILE_DBASE = Code(
    "file-dbase", "error", "this is a dBASE database file (.dbf), not an Excel workbook (.xlsx)",
    _AS_XLSX, {"file": _FILE},
)  # fmt: skip
FILE_NOT_WORKBOOK = Code(
    "file-not-workbook", "error",
    "this is {kind}, not an Excel workbook (.xlsx), whatever its name", _ITSELF,
    {"file": _FILE, "kind": "a text file"},
)  # fmt: skip
"""``kind``: a text file, a document of another program (an Office compound file of no kind
known), or a file of a kind awardbooks does not recognise."""
FILE_DAMAGED = Code(
    "file-damaged", "error", "the file is damaged or incomplete ({reason})", _AGAIN,
    {"file": _FILE, "reason": "its end is missing or unreadable"},
)  # fmt: skip
FILE_ODF_NOT_SPREADSHEET = Code(
    "file-odf-not-spreadsheet", "error", "this is {kind}, not a spreadsheet", _ITSELF,
    {"file": _FILE, "kind": "an OpenDocument text document (.odt)"},
)  # fmt: skip
FILE_PLAIN_ZIP = Code(
    "file-plain-zip", "error", "this is a zip file, not an Excel workbook (.xlsx)", _ITSELF,
    {"file": _FILE},
)  # fmt: skip
FILE_XLSB = Code(
    "file-xlsb", "error", "this is an Excel Binary Workbook (.xlsb)", _AS_XLSX, {"file": _FILE}
)
FILE_OFFICE_NOT_EXCEL = Code(
    "file-office-not-excel", "error", "this is {kind}, not an Excel workbook (.xlsx)", _ITSELF,
    {"file": _FILE, "kind": "a Word document (.docx)"},
)  # fmt: skip
"""``kind``: what its main part's content type (or, in a compound file, its streams) says."""
FILE_PACKAGE_RELS = Code(
    "file-package-rels", "error", "the file is damaged: its list of parts (_rels/.rels) {what}",
    _AGAIN, {"file": _FILE, "what": "cannot be read"},
)  # fmt: skip
"""``what``: is missing, cannot be read (cut short or not XML), or does not name the workbook."""
FILE_NO_WORKBOOK_PART = Code(
    "file-no-workbook-part", "error", "the file is damaged: its workbook part ({part}) is missing",
    _AGAIN, {"file": _FILE, "part": "xl/workbook.xml"},
)  # fmt: skip
FILE_TOO_MANY_PARTS = Code(
    "file-too-many-parts", "error",
    "the {what} has {count:,} {items}, too many to read safely (the limit is {limit:,})",
    _RIGHT_FILE, {"file": _FILE, "what": "workbook", "count": 6000, "items": "parts",
                  "limit": 5000},
)  # fmt: skip
FILE_EXPANDS_TOO_FAR = Code(
    "file-expands-too-far", "error",
    "the {what} expands to {mb:,} MB, too large to read safely (the limit is {limit:,} MB)",
    _RIGHT_FILE, {"file": _FILE, "what": "workbook", "mb": 250, "limit": 200},
)  # fmt: skip
PART_BOMB = Code(
    "part-bomb", "error",
    "the {what} {part} expands to {size}, too large to read safely (the limit is {limit})",
    "if it is the right file, delete what was pasted into it beyond the return (very long "
    "texts, rows far below the table) and save it again",
    _PART | {"what": "part", "size": "4.7 MB, compressed 1,030 to 1",
             "limit": "200 to 1 for a part over 1 MB"},
)  # fmt: skip
"""A part over the size limit, or one over 1 MB that compresses far better than a spreadsheet's
parts do (a decompression bomb, or a legitimate file with very long repeated texts: both are
refused, with the limit; the message calls neither a bomb)."""
PART_ENCRYPTED = Code(
    "part-encrypted", "error",
    "the part {part} is encrypted inside the zip, which spreadsheet applications never do",
    _NORMALLY, _PART,
)  # fmt: skip
PART_COMPRESSION = Code(
    "part-compression", "error",
    "the part {part} uses a compression method ({method}) that spreadsheet applications never "
    "write",
    _NORMALLY, _PART | {"method": 14},
)  # fmt: skip
PART_BACKSLASH = Code(
    "part-backslash", "error",
    "the part {part} is named with backslashes, which spreadsheet applications never write: the "
    "file was zipped again by another program",
    _NORMALLY, _PART | {"part": "xl\\worksheets\\sheet3.xml"},
)  # fmt: skip
PART_OVERLAPS = Code(
    "part-overlaps", "error",
    "the part {part} overlaps {other} inside the zip, which spreadsheet applications never "
    "write; the file was refused for safety",
    _NORMALLY, _PART | {"other": "the part xl/styles.xml"},
)  # fmt: skip
PART_MISPLACED = Code(
    "part-misplaced", "error",
    "the file is damaged (the part {part} is not where the zip directory says)", _AGAIN, _PART,
)  # fmt: skip
PART_MISNAMED = Code(
    "part-misnamed", "error",
    "the file is damaged (the part {part} is named differently in its own header)", _AGAIN,
    _PART,
)  # fmt: skip
PART_CUT_SHORT = Code(
    "part-cut-short", "error",
    "the file is damaged or incomplete (the part {part} is cut short)", _AGAIN, _PART,
)  # fmt: skip
PART_CORRUPT = Code(
    "part-corrupt", "error", "the file is damaged (the part {part} cannot be decompressed)",
    _AGAIN, _PART,
)  # fmt: skip
PART_OVERFLOWS = Code(
    "part-overflows", "error",
    "the file is damaged (the part {part} holds more than the {declared:,} bytes its zip "
    "directory declares)",
    _AGAIN, _PART | {"declared": 20480},
)  # fmt: skip
PART_DOCTYPE = Code(
    "part-doctype", "error",
    "the part {part} declares an XML document type or entities, which spreadsheet applications "
    "never write; the file was refused for safety",
    _NORMALLY, _PART,
)  # fmt: skip
PART_CHECKSUM = Code(
    "part-checksum", "error",
    "the file is damaged (the part {part} does not match its checksum)", _AGAIN, _PART,
)  # fmt: skip
PART_UNREADABLE = Code(
    "part-unreadable", "error", "the file is damaged ({part}: {reason})", _AGAIN,
    _PART | {"reason": "its data does not match its checksum"},
)  # fmt: skip
PART_LOCKED = Code(
    "part-locked", "error", "the zip archive is locked with a password ({part})",
    "unzip it with its password and analyse the workbooks themselves",
    {"file": "returns.zip", "part": "St Marys.xlsx"},
)  # fmt: skip

# ------------------------------------------------------------------------ archives, emails
# Nesting too deep reads the same whether archives or messages are nested: one wording, with
# an id for each (ids are stable).

ARCHIVE_DAMAGED = Code(
    "archive-damaged", "error", "the zip archive is damaged ({reason})",
    "save it again, or analyse the workbooks themselves",
    {"file": "returns.zip", "reason": "its end is missing or unreadable"},
)  # fmt: skip
ARCHIVE_NO_WORKBOOKS = Code(
    "archive-no-workbooks", "error", "no workbooks (.xlsx) in the archive",
    example={"file": "returns.zip"},
)  # fmt: skip
ARCHIVE_TOO_DEEP = Code(
    "archive-too-deep", "error", _TOO_DEEP, _TOO_DEEP_FIX,
    {"file": "returns.zip!a.zip!b.zip!c.zip", "depth": 3},
)  # fmt: skip
MESSAGE_TOO_LARGE = Code(
    "message-too-large", "error",
    "the file is {mb} MB, larger than any message of returns should be ({limit} MB)",
    "save the workbooks from it and analyse those",
    {"file": "reply.eml", "mb": 120, "limit": 100},
)  # fmt: skip
MAILBOX_TOO_LARGE = Code(
    "mailbox-too-large", "error",
    "the file is {mb} MB, larger than any mailbox of returns should be ({limit} MB)",
    "export only the folder that holds the returns",
    {"file": "Inbox.mbox", "mb": 420, "limit": 300},
)  # fmt: skip
MAILBOX_EMPTY = Code(
    "mailbox-empty", "error", "the mailbox holds no messages",
    "export the folder with the returns", {"file": "Inbox.mbox"},
)  # fmt: skip
MESSAGE_NO_WORKBOOK = Code(
    "message-no-workbook", "error", "the message has no workbook attached",
    example={"file": "reply.eml"},
)  # fmt: skip
MESSAGE_WINMAIL = Code(
    "message-winmail", "error",
    "the message has no workbook attached (its attachments are packed in winmail.dat, "
    "Outlook's rich-text format): ask the sender to send the workbook again in an HTML or "
    "plain-text email",
    example={"file": "reply.eml"},
)  # fmt: skip
MESSAGE_TOO_MANY_ATTACHMENTS = Code(
    "message-too-many-attachments", "error",
    "the message has far more attachments than any return; refused",
    example={"file": "reply.eml!attachment 5001"},
)  # fmt: skip
MESSAGE_NESTED_TOO_DEEP = Code(
    "message-nested-too-deep", "error", _TOO_DEEP, _TOO_DEEP_FIX,
    {"file": "reply.eml!a.eml!b.eml!c.eml", "depth": 3},
)  # fmt: skip
MESSAGE_EMPTY = Code(
    "message-empty", "error", "the message is empty (0 bytes)", "save the email again",
    {"file": "reply.eml"},
)  # fmt: skip
MESSAGE_UNREADABLE = Code(
    "message-unreadable", "error", "cannot be read as an email ({exception})",
    "save the message again as .eml", {"file": "reply.eml", "exception": "HeaderParseError"},
)  # fmt: skip
MESSAGE_PARTS_TOO_DEEP = Code(
    "message-parts-too-deep", "error",
    "the message's parts are nested far deeper than any email; refused",
    example={"file": "reply.eml"},
)  # fmt: skip
MESSAGE_NOT_OUTLOOK = Code(
    "message-not-outlook", "error",
    "this is not an Outlook message (.msg) whatever its name",
    "save the email again, or save it as .eml", {"file": "reply.msg"},
)  # fmt: skip
MESSAGE_OUTLOOK_DAMAGED = Code(
    "message-outlook-damaged", "error", "the Outlook message is damaged ({exception})",
    "open it in Outlook and save it again, or save it as .eml",
    {"file": "reply.msg", "exception": "OleFileError"},
)  # fmt: skip

# ------------------------------------------------------------------ opening the workbook

WORKBOOK_CRASH = Code(
    "workbook-crash", "error", "could not be read as a workbook ({exception}: {reason})",
    _RESAVE, {"file": _FILE, "exception": "ValueError", "reason": "invalid shared string"},
)  # fmt: skip
WORKBOOK_UNOPENABLE = Code(
    "workbook-unopenable", "error", "the workbook cannot be opened ({reason})", _RESAVE,
    {"file": _FILE, "reason": "Xml error: invalid utf-8 sequence"},
)  # fmt: skip
WORKBOOK_PART_NAME = Code(
    "workbook-part-name", "error",
    "the workbook's main part is named {part}, which awardbooks cannot read (it reads a part "
    "named workbook.xml)",
    _RESAVE, {"file": _FILE, "part": "xl/book.xml"},
)  # fmt: skip
WORKBOOK_SHEET_LINKS = Code(
    "workbook-sheet-links", "error",
    "the file is damaged: the part that says where its sheets are ({part}) is missing", _AGAIN,
    {"file": _FILE, "part": "xl/_rels/workbook.xml.rels"},
)  # fmt: skip
SHEET_LINK_MISSING = Code(
    "sheet-link-missing", "error",
    "the file is damaged: the workbook's link to this sheet ({link}) is missing", _AGAIN,
    {"file": _FILE, "sheet": "Theme 2", "link": "rId4"},
)  # fmt: skip
SHEET_EXCEL4_MACRO = Code(
    "sheet-excel4-macro", "error", "this is an Excel 4.0 macro sheet, which awardbooks does not "
    "read",
    "delete the sheet, save the workbook as an Excel Workbook (.xlsx) and send it again",
    {"file": "St Marys.xlsm", "sheet": "Macro1"},
)  # fmt: skip
SHEET_TOO_LARGE = Code(
    "sheet-too-large", "error",
    "values reach row {rows:,}, column {cols:,}{at}: a grid of {cells:,} cells, far more than "
    "any return",
    "delete what was typed outside the table and save it again",
    {"file": _FILE, "sheet": "Theme 1", "rows": 1048576, "cols": 16384,
     "at": " (XFD1048576)", "cells": 17179869184},
)  # fmt: skip
SHEET_UNREADABLE = Code(
    "sheet-unreadable", "error", "the sheet cannot be read ({reason})",
    "open the workbook in Excel and save it again",
    {"file": _FILE, "sheet": "Theme 1", "reason": "invalid cell reference"},
)  # fmt: skip
WORKBOOK_MACROS = Code(
    "workbook-macros", "warning", "macro-enabled {what}: values were read, macros never run",
    example={"file": "St Marys.xlsm", "what": "workbook (.xlsm)"},
)  # fmt: skip
"""``what``: workbook (.xlsm) or template (.xltm), as its main part's content type says."""
WORKBOOK_ODS = Code(
    "workbook-ods", "warning",
    "an OpenDocument spreadsheet (.ods): the values were read, but sheet protection, "
    "dropdowns, merged cells and formulas could not be checked",
    "save it as .xlsx to have them checked", {"file": "St Marys.ods"},
)  # fmt: skip

# ------------------------------------------------------------------ which framework, edition

METADATA_VISIBLE = Code(
    "metadata-visible", "warning", "the hidden metadata sheet was made visible",
    example={"file": _FILE, "sheet": "_awardbooks"},
)  # fmt: skip
METADATA_MISSING = Code(
    "metadata-missing", "warning",
    "the hidden metadata sheet is missing (an application dropped it); recognised as {title} "
    "from its sheets",
    example={"file": _FILE, "title": "Family Partnership Award"},
)  # fmt: skip
FRAMEWORK_UNKNOWN = Code(
    "framework-unknown", "error",
    "made from framework {framework!r}, which this analysis does not know (known: {known})",
    "pass its spec with --spec FILE",
    {"file": _FILE, "framework": "lppa", "known": "behaviour-attendance, family-partnership"},
)  # fmt: skip
CONSOLIDATED_NOT_RETURN = Code(
    "consolidated-not-return", "error",
    "this is a consolidated workbook written by awardbooks analyse, not a return",
    "keep it out of the folder of returns", {"file": "consolidated.xlsx"},
)  # fmt: skip
NOT_AWARDBOOKS = Code(
    "not-awardbooks", "error",
    "not an awardbooks workbook: it has no awardbooks metadata and its sheets match no known "
    "framework",
    example={"file": "Budget.xlsx"},
)  # fmt: skip
EDITION_LINED_UP = Code(
    "edition-lined-up", "warning",
    "made from edition {version} of {name}; its ratings were lined up with edition {current} "
    "through the spec's map",
    example={"file": _FILE, "version": "2019.1", "name": "LPPA", "current": "2026.1"},
)  # fmt: skip
EDITION_RATING_LEFT_OUT = Code(
    "edition-rating-left-out", "warning", "{note}",
    example={"file": _FILE, "note": "item '1.9' was removed in LPPA edition 2026.1; its rating "
             "'Red' from edition 2019.1 is left out"},
)  # fmt: skip
"""A rating of an earlier edition that could not be lined up with this one; the note is the
spec's map's own (:func:`awardbooks.spec.editions.align_ratings`)."""
EDITION_REWORDED = Code(
    "edition-reworded", "warning",
    "made from a differently worded copy of {name} edition {version}; texts are compared with "
    "this analysis's copy",
    example={"file": _FILE, "name": "LPPA", "version": "2026.1"},
)  # fmt: skip
EDITION_ITEMS_DIFFER = Code(
    "edition-items-differ", "error",
    "made from edition {version} of {name}, whose items do not match edition {current} (e.g. "
    "{item!r} is not in {sheet_name}!A{row})",
    "send the school a workbook of the current edition, or pass that edition's spec with "
    "--spec to line its ratings up with this one",
    {"file": _FILE, "version": "2019.1", "name": "LPPA", "current": "2026.1", "item": "1.4",
     "sheet_name": "Objective 1", "row": 9},
)  # fmt: skip
EDITION_OLDER = Code(
    "edition-older", "warning",
    "made from edition {version} of {name}; this analysis uses edition {current}; the item ids "
    "match, so it was read",
    example={"file": _FILE, "version": "2025.1", "name": "LPPA", "current": "2026.1"},
)  # fmt: skip

# ------------------------------------------------------------------------ rating sheets

HEADING_CHANGED = Code(
    "heading-changed", "error",
    "expected the heading {expected!r} but found {found!r}: columns were inserted, deleted or "
    "moved, so the ratings cannot be read safely",
    example={"file": _FILE, "sheet": "Objective 1", "cell": "B5", "expected": "KPI",
             "found": ""},
)  # fmt: skip
ROW_MISSING = Code(
    "row-missing", "error",
    "the row for {item!r} is missing (rows were deleted or ids changed)",
    example={"file": _FILE, "sheet": "Theme 1", "cell": "A15", "item": "1.j"},
)  # fmt: skip
ROWS_MOVED = Code(
    "rows-moved", "warning",
    "rows were inserted or deleted; the ratings were found by their ids",
    example={"file": _FILE, "sheet": "Theme 1"},
)  # fmt: skip
WORDING_CHANGED = Code(
    "wording-changed", "warning", "the wording of {item} was changed from the framework's",
    example={"file": _FILE, "sheet": "Theme 1", "cell": "B6", "item": "1.a"},
)  # fmt: skip
RATING_NOT_A_LEVEL = Code(
    "rating-not-a-level", "error", "{value!r} is not a level of {levels}",
    example={"file": _FILE, "sheet": "Objective 1", "cell": "C6", "value": "Greeen",
             "levels": "Red/Amber/Green"},
)  # fmt: skip
RATING_CASE = Code(
    "rating-case", "warning", "{typed!r} was read as {level!r}",
    example={"file": _FILE, "sheet": "Objective 1", "cell": "C7", "typed": "amber",
             "level": "Amber"},
)  # fmt: skip
RATING_FORMULA = Code(
    "rating-formula", "error", "holds a formula (={formula}) instead of a rating for {key}",
    "choose the rating from the dropdown",
    {"file": _FILE, "sheet": "Theme 1", "cell": "C6", "formula": '"Embedded"', "key": "1.a"},
)  # fmt: skip
RATING_ERROR_VALUE = Code(
    "rating-error-value", "error", "holds the error value {value} instead of a rating for {key}",
    "choose the rating from the dropdown",
    {"file": _FILE, "sheet": "Theme 1", "cell": "C6", "value": "#N/A", "key": "1.a"},
)  # fmt: skip
INPUT_FORMULA = Code(
    "input-formula", "warning", "holds a formula (={formula}); its last result {result!r} was read",
    example={"file": _FILE, "sheet": "Theme 1", "cell": "D6", "formula": "TODAY()",
             "result": "2026-10-31"},
)  # fmt: skip
INPUT_ERROR_VALUE = Code(
    "input-error-value", "warning", "holds the error value {value}; read as empty",
    example={"file": _FILE, "sheet": "Theme 1", "cell": "D6", "value": "#VALUE!"},
)  # fmt: skip

# ----------------------------------------------------------------- typed values, dates

DATE_NOT_REAL_UK = Code(
    "date-not-real-uk", "error",
    "{value!r} is not a real date (dates are read as dd/mm/yyyy, the UK way)",
    example={"file": _FILE, "sheet": "Cover", "cell": "B17", "value": "31/02/2026"},
)  # fmt: skip
DATE_MONTH_FIRST = Code(
    "date-month-first", "error",
    "{value!r} is not a real date (dates are read as dd/mm/yyyy, the UK way)",
    "for {meant} type {typed}",
    {"file": _FILE, "sheet": "Cover", "cell": "B17", "value": "10/31/2026",
     "meant": "31 October 2026", "typed": "31/10/2026"},
)  # fmt: skip
DATE_NOT_REAL = Code(
    "date-not-real", "error", "{value!r} is not a real date",
    example={"file": _FILE, "sheet": "Cover", "cell": "B17", "value": "2026-02-30"},
)  # fmt: skip
DATE_NUMBER_OUT_OF_RANGE = Code(
    "date-number-out-of-range", "error", "{value!r} is not a date",
    example={"file": _FILE, "sheet": "Cover", "cell": "B17", "value": -4.0},
)  # fmt: skip
DATE_NOT_A_DATE = Code(
    "date-not-a-date", "error", "{value!r} is not a date", "type dates as dd/mm/yyyy",
    {"file": _FILE, "sheet": "Cover", "cell": "B17", "value": "soon"},
)  # fmt: skip
DATES_READ_AS_UK = Code(
    "dates-read-as-uk", "warning",
    "dates were typed as text or numbers and read as UK dates: {first}{more}",
    example={"file": _FILE, "first": "Cover!B17 ('31/10/2026' read as 31 October 2026)",
             "more": " and 2 more"},
)  # fmt: skip
VALUE_NOT_A_NUMBER = Code(
    "value-not-a-number", "warning", "{value!r} is not a number; kept as text",
    example={"file": _FILE, "sheet": "Outcomes", "cell": "C6", "value": "about 40"},
)  # fmt: skip
VALUE_NOT_AN_OPTION = Code(
    "value-not-an-option", "warning", "{value!r} is not one of {options}",
    example={"file": _FILE, "sheet": "Action plan", "cell": "F6", "value": "Purple",
             "options": "Red, Amber, Green"},
)  # fmt: skip

# ------------------------------------------------------------------ structure checks

SHEET_RENAMED = Code(
    "sheet-renamed", "warning", "the sheet was renamed to {found!r}; it was read as {expected!r}",
    example={"file": _FILE, "sheet": "Theme 2", "found": "Theme two", "expected": "Theme 2"},
)  # fmt: skip
RATING_SHEET_MISSING = Code(
    "rating-sheet-missing", "error",
    "the sheet is missing (renamed or deleted); the ratings on it cannot be read",
    example={"file": _FILE, "sheet": "Theme 3"},
)  # fmt: skip
SHEET_MISSING = Code(
    "sheet-missing", "warning", "the sheet is missing (renamed or deleted)",
    example={"file": _FILE, "sheet": "Portfolio"},
)  # fmt: skip
SHEET_ADDED = Code(
    "sheet-added", "warning", "an extra sheet was added; it was ignored",
    example={"file": _FILE, "sheet": "Notes"},
)  # fmt: skip
SHEET_COPY_DIFFERS = Code(
    "sheet-copy-differs", "error",
    "a copy of the sheet {original!r} with different ratings (e.g. {key}: {here!r} here, "
    "{there!r} on {original!r})",
    "delete the copy that is not wanted and send the workbook again",
    {"file": _FILE, "sheet": "Theme 1 (2)", "original": "Theme 1", "key": "1.a",
     "here": "Emergent", "there": "Embedded"},
)  # fmt: skip
SHEET_COPY_SAME = Code(
    "sheet-copy-same", "warning",
    "a copy of the sheet {original!r} with the same ratings; it was ignored",
    example={"file": _FILE, "sheet": "Theme 1 (2)", "original": "Theme 1"},
)  # fmt: skip
MERGED_OVER_RATING = Code(
    "merged-over-rating", "error",
    "the cells {merged} were merged over the rating cell{s} {cells} ({keys}), so {pronoun} "
    "cannot be chosen",
    "unmerge them (Home > Merge & Centre) and rate {keys} again",
    {"file": _FILE, "sheet": "Theme 1", "cell": "B6", "merged": "B6:C6", "s": "",
     "cells": "C6", "keys": "1.a", "pronoun": "it"},
)  # fmt: skip
MERGED_OVER_INPUT = Code(
    "merged-over-input", "warning",
    "the cells {merged} were merged over the input cell{s} {cells}, which can no longer be "
    "filled in",
    "unmerge them (Home > Merge & Centre)",
    {"file": _FILE, "sheet": "Theme 1", "cell": "D6", "merged": "D6:E7", "s": "s",
     "cells": "E6, D7, E7"},
)  # fmt: skip
PROTECTION_REMOVED = Code(
    "protection-removed", "warning", "sheet protection was removed",
    example={"file": _FILE, "sheet": "Theme 1"},
)  # fmt: skip
PROTECTION_REMOVED_SHEETS = Code(
    "protection-removed-sheets", "warning", "sheet protection was removed from {count} sheets: "
    "{sheets}",
    example={"file": _FILE, "count": 2, "sheets": "Theme 1, Theme 2"},
)  # fmt: skip
DROPDOWNS_REMOVED = Code(
    "dropdowns-removed", "warning", "the dropdowns (data validation) were removed",
    example={"file": _FILE, "sheet": "Theme 1"},
)  # fmt: skip
DROPDOWNS_REMOVED_SHEETS = Code(
    "dropdowns-removed-sheets", "warning",
    "the dropdowns (data validation) were removed from {count} sheets: {sheets}",
    example={"file": _FILE, "count": 2, "sheets": "Theme 1, Theme 2"},
)  # fmt: skip
