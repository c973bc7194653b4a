"""The read stage's problems with the file itself, before it is opened as a workbook: what
the file is (the container's refusals), its zip's parts, and the archives and saved emails it
came in. Part of the read stage's catalogue, :mod:`awardbooks.read.codes`, which imports them
all (its docstring states the rules every code follows); kept here so both stay readable.
"""

from __future__ import annotations

from awardbooks.problems import Code

AGAIN = "send the workbook again"
NORMALLY = "send the workbook saved normally"
RESAVE = "open it in Excel and save it again"
AS_XLSX = "open it and save it as an Excel Workbook (.xlsx)"
ITSELF = "send the Excel workbook (.xlsx) itself"
ELSEWHERE = (
    "open it in a spreadsheet application that reads it (LibreOffice Calc does) and save it as "
    "an Excel Workbook (.xlsx)"
)
RIGHT_FILE = "check it is the right file"
TOO_DEEP = (
    "this is nested more than {depth} levels deep in archives and saved messages, so it was not "
    "opened"
)
TOO_DEEP_FIX = "save the workbook itself and analyse that"
FILE = "St Marys.xlsx"
PART = {"file": FILE, "part": "xl/worksheets/sheet3.xml"}

ENCRYPTED_IN_EXCEL = "File > Info > Protect Workbook > Encrypt with Password"
ENCRYPTED_IN_LIBREOFFICE = "in LibreOffice: File > Save As, untick Save with password"
"""Where a password is removed, for :data:`FILE_ENCRYPTED`'s ``how``."""

# ------------------------------------------------------------------- the file and its zip
# A refusal says what the file is, in the words of the person who sent it, and what to do.

FILE_UNREADABLE = Code(
    "file-unreadable", "error", "cannot be read ({reason})",
    example={"file": FILE, "reason": "Permission denied"},
)  # fmt: skip
FILE_EMPTY = Code("file-empty", "error", "the file is empty (0 bytes)", AGAIN, {"file": FILE})
FILE_TOO_LARGE = Code(
    "file-too-large", "error",
    "the file is {mb} MB, larger than any return should be ({limit} MB)", RIGHT_FILE,
    {"file": FILE, "mb": 64, "limit": 50},
)  # fmt: skip
FILE_ENCRYPTED = Code(
    "file-encrypted", "error", "the workbook is encrypted with a password",
    "open it, remove the password ({how}) and save it again",
    {"file": FILE, "how": ENCRYPTED_IN_EXCEL},
)  # fmt: skip
"""An encrypted .xlsx (an Office compound file holding EncryptionInfo) or .ods (its manifest
declares encryption data); ``how`` says where the password is removed in its application."""
FILE_PASSWORD_NEEDED = Code(
    "file-password-needed", "error",
    "the workbook is encrypted with a password, and no password was given for it",
    "give the passwords file written with the workbooks ({{opt:passwords}} FILE; analyse finds "
    "the passwords.csv beside each {{opt:manifest}}, a collection its own), or type the "
    "password ({{opt:ask_password}})",
    {"file": FILE},
)  # fmt: skip
"""An encrypted .xlsx (ECMA-376 encryption, as Excel's Encrypt with Password and LibreOffice's
Save with password write it) read with no password at all."""
FILE_PASSWORD_WRONG = Code(
    "file-password-wrong", "error", "{tried}",
    "if the school saved it with a password of its own, ask them for it and type it "
    "({{opt:ask_password}}); else give the passwords file written with this workbook "
    "({{opt:passwords}} FILE)",
    {"file": FILE, "tried": "none of the 3 passwords in workbooks/passwords.csv opens the "
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
    {"file": FILE, "passwords": "workbooks/autumn/passwords.csv"},
)  # fmt: skip
"""An encrypted return whose file name is in a passwords file, but whose password there (and
any typed) does not open it."""
FILE_ENCRYPTION_UNREADABLE = Code(
    "file-encryption-unreadable", "error",
    "the workbook is encrypted, and its encryption {what}",
    "ask the school to save it again in Excel or LibreOffice (with a password or without)",
    {"file": FILE, "what": "details cannot be read"},
)  # fmt: skip
"""An encrypted .xlsx whose encryption details are damaged, of a kind awardbooks does not
read, or set to cost more than the ECMA-376 limit of 10,000,000 rounds to open, or whose
decrypted contents fail their integrity check."""
FILE_XLS = Code(
    "file-xls", "error", "this is an old {version} (.xls) file", AS_XLSX,
    {"file": FILE, "version": "Excel 97-2003"},
)  # fmt: skip
"""``version``: Excel 97-2003 (a Workbook stream), Excel 5.0/95 (a Book stream), or Excel 4.0,
3.0 or 2.x (their BOF record at the start of the file)."""
FILE_PDF = Code(
    "file-pdf", "error", "this is a PDF, not a workbook", "send the .xlsx file itself",
    {"file": FILE},
)  # fmt: skip
FILE_CSV = Code(
    "file-csv", "error", "this is a CSV file: the values of one sheet as plain text, not the "
    "workbook",
    "send the Excel workbook (.xlsx) itself, not a copy saved as CSV", {"file": FILE},
)  # fmt: skip
FILE_LOTUS = Code(
    "file-lotus", "error", "this is a Lotus 1-2-3 file, not an Excel workbook (.xlsx)",
    ELSEWHERE, {"file": FILE},
)  # fmt: skip
FILE_QUATTRO_PRO = Code(
    "file-quattro-pro", "error", "this is a Quattro Pro file, not an Excel workbook (.xlsx)",
    ELSEWHERE, {"file": FILE},
)  # fmt: skip
FILE_DBASE = Code(
    "file-dbase", "error", "this is a dBASE database file (.dbf), not an Excel workbook (.xlsx)",
    AS_XLSX, {"file": FILE},
)  # fmt: skip
FILE_NOT_WORKBOOK = Code(
    "file-not-workbook", "error",
    "this is {kind}, not an Excel workbook (.xlsx), whatever its name", ITSELF,
    {"file": FILE, "kind": "a text file"},
)  # fmt: skip
"""``kind``: a text file, a document of another program (an Office compound file of no kind
known), or a file of a kind awardbooks does not recognise."""
FILE_DAMAGED = Code(
    "file-damaged", "error", "the file is damaged or incomplete ({reason})", AGAIN,
    {"file": FILE, "reason": "its end is missing or unreadable"},
)  # fmt: skip
FILE_ODF_NOT_SPREADSHEET = Code(
    "file-odf-not-spreadsheet", "error", "this is {kind}, not a spreadsheet", ITSELF,
    {"file": FILE, "kind": "an OpenDocument text document (.odt)"},
)  # fmt: skip
FILE_PLAIN_ZIP = Code(
    "file-plain-zip", "error", "this is a zip file, not an Excel workbook (.xlsx)", ITSELF,
    {"file": FILE},
)  # fmt: skip
FILE_XLSB = Code(
    "file-xlsb", "error", "this is an Excel Binary Workbook (.xlsb)", AS_XLSX, {"file": FILE}
)
FILE_OFFICE_NOT_EXCEL = Code(
    "file-office-not-excel", "error", "this is {kind}, not an Excel workbook (.xlsx)", ITSELF,
    {"file": FILE, "kind": "a Word document (.docx)"},
)  # fmt: skip
"""``kind``: what its main part's content type (or, in a compound file, its streams) says."""
FILE_PACKAGE_RELS = Code(
    "file-package-rels", "error", "the file is damaged: its list of parts (_rels/.rels) {what}",
    AGAIN, {"file": FILE, "what": "cannot be read"},
)  # fmt: skip
"""``what``: is missing, cannot be read (cut short or not XML), or does not name the workbook."""
FILE_NO_WORKBOOK_PART = Code(
    "file-no-workbook-part", "error", "the file is damaged: its workbook part ({part}) is missing",
    AGAIN, {"file": FILE, "part": "xl/workbook.xml"},
)  # fmt: skip
FILE_TOO_MANY_PARTS = Code(
    "file-too-many-parts", "error",
    "the {what} has {count:,} {items}, too many to read safely (the limit is {limit:,})",
    RIGHT_FILE, {"file": FILE, "what": "workbook", "count": 6000, "items": "parts",
                  "limit": 5000},
)  # fmt: skip
FILE_EXPANDS_TOO_FAR = Code(
    "file-expands-too-far", "error",
    "the {what} expands to {mb:,} MB, too large to read safely (the limit is {limit:,} MB)",
    RIGHT_FILE, {"file": FILE, "what": "workbook", "mb": 250, "limit": 200},
)  # fmt: skip
PART_BOMB = Code(
    "part-bomb", "error",
    "the {what} {part} expands to {size}, too large to read safely (the limit is {limit})",
    "if it is the right file, delete what was pasted into it beyond the return (very long "
    "texts, rows far below the table) and save it again",
    PART | {"what": "part", "size": "4.7 MB, compressed 1,030 to 1",
             "limit": "200 to 1 for a part over 1 MB"},
)  # fmt: skip
"""A part over the size limit, or one over 1 MB that compresses far better than a spreadsheet's
parts do (a decompression bomb, or a legitimate file with very long repeated texts: both are
refused, with the limit; the message calls neither a bomb)."""
PART_ENCRYPTED = Code(
    "part-encrypted", "error",
    "the part {part} is encrypted inside the zip, which spreadsheet applications never do",
    NORMALLY, PART,
)  # fmt: skip
PART_COMPRESSION = Code(
    "part-compression", "error",
    "the part {part} uses a compression method ({method}) that spreadsheet applications never "
    "write",
    NORMALLY, PART | {"method": 14},
)  # fmt: skip
PART_BACKSLASH = Code(
    "part-backslash", "error",
    "the part {part} is named with backslashes, which spreadsheet applications never write: the "
    "file was zipped again by another program",
    NORMALLY, PART | {"part": "xl\\worksheets\\sheet3.xml"},
)  # fmt: skip
PART_OVERLAPS = Code(
    "part-overlaps", "error",
    "the part {part} overlaps {other} inside the zip, which spreadsheet applications never "
    "write; the file was refused for safety",
    NORMALLY, PART | {"other": "the part xl/styles.xml"},
)  # fmt: skip
PART_MISPLACED = Code(
    "part-misplaced", "error",
    "the file is damaged (the part {part} is not where the zip directory says)", AGAIN, PART,
)  # fmt: skip
PART_MISNAMED = Code(
    "part-misnamed", "error",
    "the file is damaged (the part {part} is named differently in its own header)", AGAIN,
    PART,
)  # fmt: skip
PART_CUT_SHORT = Code(
    "part-cut-short", "error",
    "the file is damaged or incomplete (the part {part} is cut short)", AGAIN, PART,
)  # fmt: skip
PART_CORRUPT = Code(
    "part-corrupt", "error", "the file is damaged (the part {part} cannot be decompressed)",
    AGAIN, PART,
)  # fmt: skip
PART_OVERFLOWS = Code(
    "part-overflows", "error",
    "the file is damaged (the part {part} holds more than the {declared:,} bytes its zip "
    "directory declares)",
    AGAIN, PART | {"declared": 20480},
)  # fmt: skip
PART_DOCTYPE = Code(
    "part-doctype", "error",
    "the part {part} declares an XML document type or entities, which spreadsheet applications "
    "never write; the file was refused for safety",
    NORMALLY, PART,
)  # fmt: skip
PART_CHECKSUM = Code(
    "part-checksum", "error",
    "the file is damaged (the part {part} does not match its checksum)", AGAIN, PART,
)  # fmt: skip
PART_UNREADABLE = Code(
    "part-unreadable", "error", "the file is damaged ({part}: {reason})", AGAIN,
    PART | {"reason": "its data does not match its checksum"},
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
    "archive-too-deep", "error", TOO_DEEP, TOO_DEEP_FIX,
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
    "message-nested-too-deep", "error", TOO_DEEP, TOO_DEEP_FIX,
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

__all__ = [
    "ENCRYPTED_IN_EXCEL",
    "ENCRYPTED_IN_LIBREOFFICE",
    "FILE_UNREADABLE",
    "FILE_EMPTY",
    "FILE_TOO_LARGE",
    "FILE_ENCRYPTED",
    "FILE_PASSWORD_NEEDED",
    "FILE_PASSWORD_WRONG",
    "FILE_PASSWORD_CHANGED",
    "FILE_ENCRYPTION_UNREADABLE",
    "FILE_XLS",
    "FILE_PDF",
    "FILE_CSV",
    "FILE_LOTUS",
    "FILE_QUATTRO_PRO",
    "FILE_DBASE",
    "FILE_NOT_WORKBOOK",
    "FILE_DAMAGED",
    "FILE_ODF_NOT_SPREADSHEET",
    "FILE_PLAIN_ZIP",
    "FILE_XLSB",
    "FILE_OFFICE_NOT_EXCEL",
    "FILE_PACKAGE_RELS",
    "FILE_NO_WORKBOOK_PART",
    "FILE_TOO_MANY_PARTS",
    "FILE_EXPANDS_TOO_FAR",
    "PART_BOMB",
    "PART_ENCRYPTED",
    "PART_COMPRESSION",
    "PART_BACKSLASH",
    "PART_OVERLAPS",
    "PART_MISPLACED",
    "PART_MISNAMED",
    "PART_CUT_SHORT",
    "PART_CORRUPT",
    "PART_OVERFLOWS",
    "PART_DOCTYPE",
    "PART_CHECKSUM",
    "PART_UNREADABLE",
    "PART_LOCKED",
    "ARCHIVE_DAMAGED",
    "ARCHIVE_NO_WORKBOOKS",
    "ARCHIVE_TOO_DEEP",
    "MESSAGE_TOO_LARGE",
    "MAILBOX_TOO_LARGE",
    "MAILBOX_EMPTY",
    "MESSAGE_NO_WORKBOOK",
    "MESSAGE_WINMAIL",
    "MESSAGE_TOO_MANY_ATTACHMENTS",
    "MESSAGE_NESTED_TOO_DEEP",
    "MESSAGE_EMPTY",
    "MESSAGE_UNREADABLE",
    "MESSAGE_PARTS_TOO_DEEP",
    "MESSAGE_NOT_OUTLOOK",
    "MESSAGE_OUTLOOK_DAMAGED",
]
