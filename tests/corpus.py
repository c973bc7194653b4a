"""A corpus of foreign, broken and hostile returns, each made from its own freshly generated
workbook (so no two share a workbook id), with the outcome the reader must give it.

Each ``@case`` function writes one file and returns its :class:`Case`: the status, the
exact messages (without the ``<file>: `` prefix every message starts with) and their codes
(:mod:`awardbooks.read.codes`). Foreign applications are imitated by editing the package XML
directly (a zip rewrite), never by re-saving through openpyxl, which would change other
things; LibreOffice's own re-saves (xlsx, xls, ods) are real, made in one ``convert`` call
per format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one
from awardbooks.spec import loading as spec
from awardbooks.spec.model import Framework
from awardbooks.workbook.layout import layout_for

from .pkgedit import (
    Edit,
    number_cell,
    rewrite,
    set_cells,
    sheet_edits,
    text_cell,
    workbook_xml,
)

FP = "family-partnership"
# Family Partnership: Theme 1 holds items 1.a-1.j in rows 6-15 (rating C, date D, comment E);
# themes 2-6 are judgement-only, rated in C6. Scores 35/70/100.
BASE = {
    "1.a": "Embedded",
    "1.b": "Developing",
    "1:judgement": "Developing",
    "2:judgement": "Emergent",
}
BASE_OVERALL = "52.5"  # each theme by its best-fit judgement: (70 + 35) / 2
FP_SHEETS = [
    "Cover", "Summary", "Theme 1", "Theme 2", "Theme 3", "Theme 4", "Theme 5", "Theme 6",
    "Action plan", "Portfolio", "_awardbooks",
]  # fmt: skip
BOMB_BYTES = 320 * 1024 * 1024

LONG_TEXT = ("Evidence of partnership with families, term by term. " * 700)[:32767]
CONTROL_TEXT = (
    "Tab\there; new line\nthere; carriage return\rhere; bell\x07, escape\x1b, unit\x1f, "
    "delete\x7f; a literal _x0041_ stays as typed"
)
RTL_EMOJI_TEXT = (
    "\u062a\u0642\u064a\u064a\u0645 \u0630\u0627\u062a\u064a \u2014 "
    "\u05d4\u05e2\u05e8\u05db\u05d4 \u05e2\u05e6\u05de\u05d9\u05ea \u200f\u202e\u202c "
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 \U0001f1ec\U0001f1e7 "
    "\U0001f3f3\ufe0f\u200d\U0001f308 \U0001d518\U0001d52b\U0001d526 caf\u00e9 e\u0301"
)


@dataclass
class Case:
    status: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # of the errors, then of the warnings
    ratings: dict[str, str] | None = None  # every level read, when the return is usable
    comments: dict[str, str] = field(default_factory=dict)  # item -> text kept exactly
    cover: dict[str, str] = field(default_factory=dict)  # cover inputs read
    hostile: bool = False
    name: str = ""
    path: Path = Path()


BUILDERS: list[Callable[[Corpus], Case]] = []
NEEDS_LIBREOFFICE = {
    "libreoffice_resave", "old_excel_xls", "opendocument_ods", "ods_grid_bomb", "ods_encrypted",
}  # fmt: skip


def case(func: Callable[[Corpus], Case]) -> Callable[[Corpus], Case]:
    BUILDERS.append(func)
    return func


def names(with_libreoffice: bool = True) -> list[str]:
    return [b.__name__ for b in BUILDERS if with_libreoffice or b.__name__ not in NEEDS_LIBREOFFICE]


# ----------------------------------------------------------------------------- the builder


class Corpus:
    """Writes cases into ``folder``; generated workbooks and conversions go to a staging
    folder beside it."""

    def __init__(self, folder: Path, libreoffice: bool):
        self.folder = folder
        self.stage = folder.parent / f"{folder.name}-stage"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.stage.mkdir(parents=True, exist_ok=True)
        self.libreoffice = libreoffice
        self.frameworks: dict[str, Framework] = {}
        self.pending: list[tuple[Path, str, Path, Callable[[Path], None] | None]] = []

    def framework(self, fid: str) -> Framework:
        if fid not in self.frameworks:
            self.frameworks[fid] = spec.load(fid)
        return self.frameworks[fid]

    def workbook(
        self,
        name: str,
        fw: str | Framework = FP,
        ratings: dict[str, str] | None = None,
        setting: str | None = None,
    ) -> Path:
        """A freshly generated workbook in the staging folder, rated with ``BASE``."""
        framework = self.framework(fw) if isinstance(fw, str) else fw
        path, _row = generate_one(
            framework,
            Setting(setting or f"Corpus {name}", urn="", partnership="Corpus"),
            year="2026-27",
            term="autumn",
            out_dir=self.stage,
            filename=f"{name}.xlsx",
            ratings=BASE if ratings is None else ratings,
            force=True,
        )
        return path

    def out(self, name: str, suffix: str = ".xlsx") -> Path:
        return self.folder / f"{name}{suffix}"

    def convert(self, src: Path, fmt: str, dst: Path, after=None) -> None:
        self.pending.append((src, fmt, dst, after))

    def finish(self) -> None:
        """Run the queued LibreOffice conversions: one soffice call per format."""
        from tests import lofill as libreoffice

        by_fmt: dict[str, list[tuple[Path, Path, Callable[[Path], None] | None]]] = {}
        for src, fmt, dst, after in self.pending:
            by_fmt.setdefault(fmt, []).append((src, dst, after))
        for fmt, jobs in by_fmt.items():
            outdir = self.stage / f"converted-{fmt}"
            made = libreoffice.convert(
                [src for src, _dst, _after in jobs], outdir, fmt, profile_dir=self.stage / "lo"
            )
            for produced, (_src, dst, after) in zip(made, jobs):
                produced.replace(dst)
                if after is not None:
                    after(dst)


def build(folder: Path, libreoffice: bool) -> dict[str, Case]:
    """Every case, written into ``folder``; LibreOffice cases only when it is available."""
    corpus = Corpus(folder, libreoffice)
    cases = {}
    for builder in BUILDERS:
        if builder.__name__ in NEEDS_LIBREOFFICE and not libreoffice:
            continue
        made = builder(corpus)
        made.name = builder.__name__
        cases[made.name] = made
    if corpus.pending:
        corpus.finish()
    for name, made in cases.items():
        (made.path,) = folder.glob(f"{name}.*")
    return cases


# ----------------------------------------------------------------- foreign applications


@case
def libreoffice_resave(c: Corpus) -> Case:
    """A real LibreOffice re-save: the metadata sheet becomes merely hidden; nothing the
    analyser checks is lost."""
    src = c.workbook("libreoffice_resave")
    c.convert(src, "xlsx", c.out("libreoffice_resave"))
    return Case("accepted", ratings=BASE)


@case
def google_sheets_like(c: Corpus) -> Case:
    """Sheet protection dropped everywhere; the very-hidden metadata sheet made hidden."""
    src = c.workbook("google_sheets_like")
    unprotect = {s: lambda x: re.sub(rb"<sheetProtection[^>]*/>", b"", x) for s in FP_SHEETS}
    edits = sheet_edits(src, unprotect)
    edits["xl/workbook.xml"] = workbook_xml(lambda x: x.replace("veryHidden", "hidden"))
    rewrite(src, c.out("google_sheets_like"), edits)
    return Case(
        "warning",
        warnings=[
            "sheet protection was removed from 11 sheets: " + ", ".join(FP_SHEETS),
        ],
        ratings=BASE,
        codes=["protection-removed-sheets"],
    )


@case
def numbers_like(c: Corpus) -> Case:
    """Every dropdown (data validation) dropped, as Apple Numbers does."""
    src = c.workbook("numbers_like")
    strip = {
        s: lambda x: re.sub(rb"<dataValidations\b.*?</dataValidations>", b"", x, flags=re.S)
        for s in FP_SHEETS
    }
    rewrite(src, c.out("numbers_like"), sheet_edits(src, strip))
    themes = ", ".join(f"Theme {n}" for n in range(1, 7))
    return Case(
        "warning",
        warnings=[f"the dropdowns (data validation) were removed from 6 sheets: {themes}"],
        ratings=BASE,
        codes=["dropdowns-removed-sheets"],
    )


@case
def libreoffice_like(c: Corpus) -> Case:
    """Workbook structure protection left empty and number formats rewritten, as a
    LibreOffice re-save does: nothing the analyser relies on is lost."""
    src = c.workbook("libreoffice_like")

    def styles(xml: bytes) -> bytes:
        xml = xml.replace(b'formatCode="dd/mm/yyyy"', b'formatCode="DD/MM/YYYY;@"')
        return xml.replace(b'formatCode="0.0%"', b'formatCode="0.0%;[RED]\\-0.0%"')

    edits: dict[str, Edit] = {
        "xl/styles.xml": styles,
        "xl/workbook.xml": workbook_xml(
            lambda x: re.sub(r"(<workbookPr\b[^>]*/>)", r"\1<workbookProtection/>", x)
        ),
    }
    rewrite(src, c.out("libreoffice_like"), edits)
    return Case("accepted", ratings=BASE)


@case
def mac_excel_dates(c: Corpus) -> Case:
    """Excel on a Mac with UK settings: dates rewritten as dd/mm/yyyy text."""
    src = c.workbook("mac_excel_dates")
    edits = sheet_edits(
        src,
        {
            "Cover": set_cells({"B17": text_cell("31/10/2026")}),
            "Theme 1": set_cells({"D6": text_cell("01/11/2026")}),
            "Action plan": set_cells(
                {"C6": text_cell("Coffee mornings"), "F6": text_cell("02/11/2026")}
            ),
        },
    )
    rewrite(src, c.out("mac_excel_dates"), edits)
    return Case(
        "warning",
        warnings=[
            "dates typed as text or numbers were read as UK dates: Cover!B17 "
            "('31/10/2026' read as 31 October 2026) and 2 more"
        ],
        ratings=BASE,
        cover={"completed_on": "2026-10-31"},
        codes=["dates-read-as-uk"],
    )


# ------------------------------------------------------------------- other file formats


@case
def old_excel_xls(c: Corpus) -> Case:
    c.convert(c.workbook("old_excel_xls"), "xls", c.out("old_excel_xls", ".xls"))
    return Case(
        "rejected",
        [
            "this is an old Excel 97-2003 (.xls) file; open it and save it as an Excel "
            "Workbook (.xlsx)"
        ],
        codes=["file-xls"],
    )


@case
def opendocument_ods(c: Corpus) -> Case:
    """A real .ods from LibreOffice: its values are read; what only .xlsx shows is not."""
    c.convert(c.workbook("opendocument_ods"), "ods", c.out("opendocument_ods", ".ods"))
    return Case(
        "warning",
        warnings=[
            "an OpenDocument spreadsheet (.ods): the values were read, but sheet protection, "
            "dropdowns, merged cells and formulas could not be checked; save it as .xlsx to "
            "have them checked"
        ],
        ratings=BASE,
        codes=["workbook-ods"],
    )


@case
def ods_grid_bomb(c: Corpus) -> Case:
    """An .ods whose one row of one value is repeated 1,048,576 times across 16,384 columns:
    a few bytes that a reader would expand into 17 billion cells."""

    def bomb(path: Path) -> None:
        def content(xml: bytes) -> bytes:
            start = xml.index(b'table:name="Theme 1"')
            row = xml.index(b"<table:table-row", start)
            hostile = (
                b'<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
                b'table:number-columns-repeated="16384" office:value-type="string">'
                b"<text:p>x</text:p></table:table-cell></table:table-row>"
            )
            return xml[:row] + hostile + xml[row:]

        staged = c.stage / path.name
        path.replace(staged)
        rewrite(staged, path, {"content.xml": content})

    src = c.workbook("ods_grid_bomb")
    c.convert(src, "ods", c.out("ods_grid_bomb", ".ods"), after=bomb)
    return Case(
        "rejected",
        [
            "Theme 1: values reach row 1,048,592, column 16,384: a grid of 17,180,131,328 "
            "cells, far more than any return; delete what was typed outside the table and save "
            "it again"
        ],
        hostile=True,
        codes=["sheet-too-large"],
    )


@case
def excel_binary_xlsb(c: Corpus) -> Case:
    """An Excel Binary Workbook, as its package declares it."""
    src = c.workbook("excel_binary_xlsb")

    def types(xml: bytes) -> bytes:
        return xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.binary.macroEnabled.main",
        )

    rewrite(src, c.out("excel_binary_xlsb", ".xlsb"), {"[Content_Types].xml": types})
    return Case(
        "rejected",
        [
            "this is an Excel Binary Workbook (.xlsb); open it and save it as an Excel "
            "Workbook (.xlsx)"
        ],
        codes=["file-xlsb"],
    )


@case
def macro_enabled_xlsm(c: Corpus) -> Case:
    src = c.workbook("macro_enabled_xlsm")

    def types(xml: bytes) -> bytes:
        xml = xml.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        return xml.replace(
            b"<Default ",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            b"<Default ",
            1,
        )

    def rels(xml: bytes) -> bytes:
        return xml.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
            b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
        )

    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Sub Auto_Open(): Shell "calc": End Sub' * 8
    rewrite(
        src,
        c.out("macro_enabled_xlsm", ".xlsm"),
        {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels},
        add={"xl/vbaProject.bin": vba},
    )
    return Case(
        "warning",
        warnings=["macro-enabled workbook (.xlsm): values were read, macros never run"],
        ratings=BASE,
        codes=["workbook-macros"],
    )


@case
def password_encrypted(c: Corpus) -> Case:
    """Encrypted with a password (ECMA-376 Agile, as Excel does it), read with no password:
    it says how to give one (tests/test_encrypted.py reads such returns with passwords)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    src = c.workbook("password_encrypted")
    with open(src, "rb") as plain, open(c.out("password_encrypted"), "wb") as sealed:
        OOXMLFile(plain).encrypt("Summer2026", sealed)
    return Case(
        "rejected",
        [
            "the workbook is encrypted with a password, and no password was given for it; give "
            "the passwords file written with the workbooks ({opt:passwords} FILE; analyse finds "
            "the passwords.csv beside each {opt:manifest}, a collection its own), or type the "
            "password ({opt:ask_password})"
        ],
        codes=["file-password-needed"],
    )


@case
def password_encrypted_damaged(c: Corpus) -> Case:
    """An encrypted package whose encryption details are not ECMA-376's (a compound file with
    EncryptionInfo and EncryptedPackage streams of junk)."""
    import olefile
    from msoffcrypto.format.ooxml import OOXMLFile

    src = c.workbook("password_encrypted_damaged")
    target = c.out("password_encrypted_damaged")
    with open(src, "rb") as plain, open(target, "wb") as sealed:
        OOXMLFile(plain).encrypt("Summer2026", sealed)
    with olefile.OleFileIO(str(target), write_mode=True) as ole:
        size = len(ole.openstream("EncryptionInfo").read())
        ole.write_stream("EncryptionInfo", b"\x04\x00\x04\x00\x40\x00\x00\x00" + bytes(size - 8))
    return Case(
        "rejected",
        [
            "the workbook is encrypted, and its encryption details cannot be read; ask the "
            "school to save it again in Excel or LibreOffice (with a password or without)"
        ],
        codes=["file-encryption-unreadable"],
    )


@case
def password_encrypted_costly(c: Corpus) -> Case:
    """Encrypted with a password whose every guess would cost 90,000,000 rounds of SHA-512
    (ECMA-376 allows 10,000,000): refused at once, never ground through."""
    import olefile
    from msoffcrypto.format.ooxml import OOXMLFile

    src = c.workbook("password_encrypted_costly")
    target = c.out("password_encrypted_costly")
    with open(src, "rb") as plain, open(target, "wb") as sealed:
        OOXMLFile(plain).encrypt("Summer2026", sealed)
    with olefile.OleFileIO(str(target), write_mode=True) as ole:
        info = ole.openstream("EncryptionInfo").read()
        costly = info.replace(b'spinCount="100000"', b'spinCount="90000000"').replace(
            b"    <keyData", b"  <keyData", 1
        )
        assert len(costly) == len(info) and costly != info
        ole.write_stream("EncryptionInfo", costly)
    return Case(
        "rejected",
        [
            "the workbook is encrypted, and its encryption asks for more than 10,000,000 rounds "
            "of hashing per password (the limit); ask the school to save it again in Excel or "
            "LibreOffice (with a password or without)"
        ],
        codes=["file-encryption-unreadable"],
    )


# ------------------------------------------------------------------ text kept faithfully


def _comment_case(c: Corpus, name: str, text: str, setting: str | None = None) -> Case:
    src = c.workbook(name, setting=setting)
    edits = sheet_edits(src, {"Theme 1": set_cells({"E6": text_cell(text)})})
    rewrite(src, c.out(name), edits)
    return Case("accepted", ratings=BASE, comments={"1.a": text})


@case
def long_comment(c: Corpus) -> Case:
    """A comment of 32,767 characters, the most a cell holds."""
    return _comment_case(c, "long_comment", LONG_TEXT)


@case
def control_characters(c: Corpus) -> Case:
    return _comment_case(c, "control_characters", CONTROL_TEXT)


@case
def rtl_and_emoji(c: Corpus) -> Case:
    return _comment_case(
        c, "rtl_and_emoji", RTL_EMOJI_TEXT, setting="\u0645\u062f\u0631\u0633\u0629 \U0001f31f"
    )


# ---------------------------------------------------------------------------------- dates


def _date_case(c: Corpus, name: str, sheet: str, ref: str, value: bytes, style=True) -> Path:
    src = c.workbook(name)
    edit = set_cells({ref: value}, keep_style=style)
    return rewrite(src, c.out(name), sheet_edits(src, {sheet: edit}))


@case
def date_uk_text(c: Corpus) -> Case:
    _date_case(c, "date_uk_text", "Theme 1", "D6", text_cell("31/10/2026"))
    return Case(
        "warning",
        warnings=[
            "a date typed as text or a number was read as a UK date: Theme 1!D6 "
            "('31/10/2026' read as 31 October 2026)"
        ],
        ratings=BASE,
        codes=["dates-read-as-uk"],
    )


@case
def date_iso_text(c: Corpus) -> Case:
    _date_case(c, "date_iso_text", "Cover", "B17", text_cell("2026-10-31"))
    return Case(
        "warning",
        warnings=[
            "a date typed as text or a number was read as a UK date: Cover!B17 "
            "('2026-10-31' read as 31 October 2026)"
        ],
        ratings=BASE,
        cover={"completed_on": "2026-10-31"},
        codes=["dates-read-as-uk"],
    )


@case
def date_us_impossible(c: Corpus) -> Case:
    _date_case(c, "date_us_impossible", "Cover", "B17", text_cell("10/31/2026"))
    return Case(  # a date that cannot be read never loses the ratings: it is left empty
        "warning",
        warnings=[
            "Cover!B17: '10/31/2026' is not a real date (dates are read as dd/mm/yyyy, the UK "
            "way); left empty; for 31 October 2026 type 31/10/2026"
        ],
        ratings=BASE,
        cover={"completed_on": ""},
        codes=["date-month-first"],
    )


@case
def date_serial_as_text(c: Corpus) -> Case:
    _date_case(c, "date_serial_as_text", "Theme 1", "D6", text_cell("46326"))
    return Case(
        "warning",
        warnings=[
            "a date typed as text or a number was read as a UK date: Theme 1!D6 (the text "
            "'46326' read as the date 31 October 2026)"
        ],
        ratings=BASE,
        codes=["dates-read-as-uk"],
    )


@case
def date_serial_number(c: Corpus) -> Case:
    """A serial number in a date cell whose date format was lost."""
    _date_case(c, "date_serial_number", "Theme 1", "D6", number_cell(46326), style=False)
    return Case(
        "warning",
        warnings=[
            "a date typed as text or a number was read as a UK date: Theme 1!D6 (the "
            "number 46326 read as 31 October 2026)"
        ],
        ratings=BASE,
        codes=["dates-read-as-uk"],
    )


# ---------------------------------------------------------------------- other frameworks


def _variant(fw: Framework, **changes) -> Framework:
    data = fw.model_dump()
    data.update(changes)
    return Framework.model_validate(data)


@case
def other_framework(c: Corpus) -> Case:
    fw = _variant(c.framework(FP), id="sports-partnership", title="Sports Partnership")
    src = c.workbook("other_framework", fw)
    src.replace(c.out("other_framework"))
    from awardbooks.spec.loading import builtin_paths

    known = ", ".join(sorted(builtin_paths()))
    return Case(
        "rejected",
        [
            f"made from framework 'sports-partnership', which this analysis does not know "
            f"(known: {known}); pass its spec with --spec FILE"
        ],
        codes=["framework-unknown"],
    )


@case
def much_older_edition(c: Corpus) -> Case:
    """Edition 2009.1, before item 1.j was added: the items do not match."""
    current = c.framework(FP)
    data = current.model_dump()
    data["version"] = "2009.1"
    data["groups"][0]["items"] = data["groups"][0]["items"][:-1]
    src = c.workbook("much_older_edition", Framework.model_validate(data))
    src.replace(c.out("much_older_edition"))
    moved = layout_for(current).rows_by_key["1.j"]
    return Case(
        "rejected",
        [
            f"made from edition 2009.1 of {current.name}, whose items do not match edition "
            f"{current.version} (e.g. '1.j' is not in Theme 1!A{moved.row + 1}); send the "
            "school a workbook of the current edition, or pass that edition's spec with --spec "
            "to line its ratings up with this one"
        ],
        codes=["edition-items-differ"],
    )


# ------------------------------------------------------------------------- good returns

GOOD = {
    # framework: (ratings, {group: score_pct}) — worked by hand
    "lppa": (
        {"1.1": "Green", "1.2": "Amber", "1.3": "Red", "2.1": "Green"},
        {"1": "50.0", "2": "100.0", "ALL": "62.5"},  # (100+50+0)/3; 100; 250/4
    ),
    "behaviour-attendance": (
        {"1.1": "Enhancing", "1.2": "Developed", "2.1": "Established"},
        {"1": "75.0", "2": "75.0", "ALL": "75.0"},  # (100+50)/2; 75; 225/3
    ),
    "family-partnership": (BASE, {"1": "70.0", "2": "35.0", "ALL": BASE_OVERALL}),
    "achievement-action-plan": (
        {"2.1a": "Green", "2.1b": "Amber", "2.2a": "Red"},
        {"2.1": "75.0", "2.2": "0.0", "ALL": "50.0"},  # (100+50)/2; 0; 150/3
    ),
}


def good_returns(folder: Path) -> dict[str, Path]:
    """One clean return per framework in GOOD, in ``folder``."""
    out = {}
    for fid, (ratings, _scores) in GOOD.items():
        path, _row = generate_one(
            spec.load(fid),
            Setting(f"Good {fid}", urn="", partnership="Corpus"),
            year="2026-27",
            term="autumn",
            out_dir=folder,
            filename=f"good_{fid}.xlsx",
            ratings=ratings,
            force=True,
        )
        out[fid] = path
    return out


from . import corpus_foreign, corpus_hostile, corpus_structure  # noqa: E402, F401  (more cases)
