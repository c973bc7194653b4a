"""An annotated copy of a return: every problem the checker found, marked on its cell with a
comment and a highlight, so a school can fix its return without reading a log.

The copy is made by editing the workbook's package (zip) directly, never by loading and
saving it with a spreadsheet library: openpyxl, for one, drops every cached formula result and
the chart's caches, and cannot keep parts it does not know (LibreOffice's and Excel's
extensions). Here every part is copied unchanged except, for each sheet that gets comments, its
XML (a highlight style on the marked cells and a ``legacyDrawing`` reference), its
relationships, a comments part and a VML drawing (merged into the sheet's own if it has them),
``styles.xml`` (the highlight fills and borders and the highlighted copies of the cells'
styles), ``[Content_Types].xml``, and the very-hidden metadata sheet, which gets a row per
problem marked below its own rows (:mod:`awardbooks.read.marks`). Data validation,
protection, conditional formats, defined names, charts and cached values are therefore kept
byte for byte.

Decisions:

- The highlight (:mod:`awardbooks.read.highlight`) is a hatched fill and a heavy border for
  an error, a dashed border for a warning, in colours no rating scale uses: a rating's own
  colour comes from a conditional format, which would hide a plain fill, and the salmon fill
  used before looked like a Red rating. The border shows whatever the cell holds.
- Annotating an annotated copy again (a school sent it back with some cells still wrong)
  first takes the old notes away: on the cells the earlier annotation marked (its marks) and
  on A1, every comment by :data:`AUTHOR`, or worded as ours ("Error: ", "Warning: " -
  LibreOffice keeps no comment author, measured), with its note shape; any note text of ours
  added under a school's own comment; the highlight of each cell no longer marked (given back
  the style it was copied from, or a plain one); and the old marks. So each problem has
  exactly one note however often a return goes round, and a school's own comments stay. A
  workbook never annotated is not cleaned at all.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from awardbooks.common.files import atomic_write
from awardbooks.errors import AwardbooksError, ReportError, ReturnError
from awardbooks.read import opc
from awardbooks.read.container import Package, sniff
from awardbooks.read.highlight import Styles
from awardbooks.read.marks import MARK_KEY, MARK_ROW, Mark, decode_rows, encode, mark_of
from awardbooks.read.opening import READER_FAILURES, open_workbook
from awardbooks.read.parts import sheet_parts
from awardbooks.read.returns import ReturnRecord
from awardbooks.read.xmledit import El, append, inner, scan, set_attr, splice, xml_text
from awardbooks.workbook.layout import COVER_SHEET, META_SHEET

AUTHOR = "awardbooks check"
_OUR_TEXT = re.compile(r"^\s*(?:Error|Warning)(?: \(this sheet\))?: ")
_CELL = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_COMMENTS_TYPE = _RELS_NS + "/comments"
_VML_TYPE = _RELS_NS + "/vmlDrawing"
_COMMENTS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
_VML_CT = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_VML_NAMESPACES = (
    b'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    b'xmlns:x="urn:schemas-microsoft-com:office:excel"'
)
_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# worksheet children that come after <legacyDrawing> (ECMA-376 CT_Worksheet order)
_AFTER_LEGACY = (
    "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst",
)  # fmt: skip


@dataclass(frozen=True)
class Note:
    """One problem placed on a cell: ``on_cell`` when the problem is about that cell (it is
    then highlighted), otherwise it sits on A1 of its sheet or of the cover."""

    sheet: str
    cell: str
    text: str
    kind: str  # "error" or "warning"
    on_cell: bool

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}"


def notes_for(record: ReturnRecord, sheets: list[str]) -> list[Note]:
    """The record's errors and warnings as notes on the sheets of the workbook, placed by
    each problem's sheet and cell. A problem about the whole file, or about a sheet the
    workbook does not have (one missing or renamed), goes on the cover, saying where."""
    fallback = COVER_SHEET if COVER_SHEET in sheets else sheets[0]
    notes = []
    for kind, problems in (("error", record.errors), ("warning", record.warnings)):
        label = "Error" if kind == "error" else "Warning"
        for problem in problems:
            sheet, cell = problem.sheet, problem.cell
            if sheet not in sheets:
                notes.append(Note(fallback, "A1", f"{label}: {problem.located}", kind, False))
            elif not cell:
                text = f"{label} (this sheet): {problem.text}"
                notes.append(Note(sheet, "A1", text, kind, False))
            else:
                notes.append(Note(sheet, cell, f"{label}: {problem.text}", kind, True))
    return notes


@dataclass
class AnnotateResult:
    """An annotated copy (``out`` is None when there was nothing to mark)."""

    out: Path | None
    record: ReturnRecord
    notes: list[Note]


def annotate(
    src: str | Path, out: str | Path, record: ReturnRecord, *, force: bool = False
) -> AnnotateResult:
    """Write a copy of the return ``src`` to ``out`` with ``record``'s problems marked; the
    return itself is only read."""
    src, out = Path(src), Path(out)
    if out.resolve() == src.resolve() or (out.exists() and out.samefile(src)):
        raise ReportError(
            f"{out}: is the return itself; give another name for the annotated copy "
            "(the return is never changed)"
        )
    return annotate_bytes(src.read_bytes(), str(src), out, record, force=force)


def annotate_bytes(
    data: bytes, name: str, out: str | Path, record: ReturnRecord, *, force: bool = False
) -> AnnotateResult:
    """Write an annotated copy of the return whose bytes are ``data`` (``name``: where it came
    from, e.g. ``reply.eml!St-Marys.xlsx``) to ``out``."""
    out, src = Path(out), Path(name)
    if out.exists() and out.is_dir():
        raise ReportError(f"{out}: is a folder; give a file name like annotated.xlsx")
    try:
        package = sniff(data, name)
    except ReturnError as exc:
        raise AwardbooksError(str(exc.problem.with_file(name))) from None
    if package.kind != "xlsx":
        raise AwardbooksError(
            f"{src}: annotated copies can be made of .xlsx and .xlsm returns only; open it "
            "and save it as an Excel Workbook (.xlsx), then check that file"
        )
    wanted = ".xlsm" if package.macro_enabled else ".xlsx"
    if out.suffix.lower() != wanted:
        raise ReportError(f"{out}: the annotated copy of {src.name} must end in {wanted}")
    parts = {  # worksheets only: a chart sheet cannot hold comments
        name: part
        for name, part in sheet_parts(package).items()
        if re.search(rb"<(?:\w+:)?worksheet\b", package.read(part)[:4096])
    }
    if not parts:
        raise AwardbooksError(f"{src}: has no sheets that can be annotated")
    notes = notes_for(record, list(parts))
    if not notes:
        return AnnotateResult(None, record, [])
    if out.exists() and not force:
        raise ReportError(
            f"{out}: already exists; use {{opt:force}} to replace it, or choose another name"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    marks = [mark_of("error", p) for p in record.errors]
    marks += [mark_of("warning", p) for p in record.warnings]
    editor = _Editor(package, parts)
    editor.earlier = _earlier_marks(package)
    edited = editor.apply(notes, marks, parts.get(META_SHEET))
    atomic_write(out, lambda handle: handle.write(edited))
    return AnnotateResult(out, record, notes)


# --------------------------------------------------------------------------- XML by offsets


def _run(p: bytes, text: str) -> bytes:
    """A comment's text run (9 pt), in the comments part's namespace prefix ``p``."""
    return (
        b"<" + p + b"r><" + p + b"rPr><" + p + b'sz val="9"/></' + p + b"rPr><" + p
        + b't xml:space="preserve">' + xml_text(text) + b"</" + p + b"t></" + p + b"r>"
    )  # fmt: skip


def _cell_position(ref: str) -> tuple[int, int]:
    match = _CELL.match(ref)
    col = 0
    for ch in match.group(1):
        col = col * 26 + ord(ch) - 64
    return int(match.group(2)) - 1, col - 1


def _rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


class _Editor:
    """Collects the edited and new parts of one package, then writes the new zip."""

    def __init__(self, package: Package, parts: dict[str, str]):
        self.pkg = package
        self.parts = parts  # sheet name → part
        self.names = {info.filename for info in package.zf.infolist()}
        self.changed: dict[str, bytes] = {}
        self.added: dict[str, bytes] = {}
        self.overrides: list[tuple[str, str]] = []
        self.next_shape = 1 + max(
            [1024]
            + [
                int(n)
                for name in self.names
                if name.lower().endswith(".vml")
                for n in re.findall(rb"_x0000_s(\d+)", package.read(name))
            ]
        )
        self.styles: Styles | None = None
        self.earlier: list[Mark] = []  # what an earlier annotation marked

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        if name in self.added:
            return self.added[name]
        return self.pkg.read(name)

    def has(self, name: str) -> bool:
        return name in self.names or name in self.added

    def free_name(self, pattern: str) -> str:
        lower = {n.lower() for n in self.names} | {n.lower() for n in self.added}
        n = 1
        while pattern.format(n).lower() in lower:
            n += 1
        return pattern.format(n)

    def apply(self, notes: list[Note], marks: list[Mark], meta: str | None) -> bytes:
        if self.has("xl/styles.xml"):
            self.styles = Styles(self.pkg.read("xl/styles.xml"))
        by_sheet: dict[str, dict[str, list[Note]]] = {}
        for note in notes:
            by_sheet.setdefault(note.sheet, {}).setdefault(note.cell, []).append(note)
        for sheet, part in self.parts.items():
            cells = by_sheet.get(sheet, {})
            if self.earlier or (self.styles is not None and self.styles.ours):
                marked = {cell for _k, _c, at, cell in self.earlier if at == sheet and cell}
                highlighted = {ref for ref, ns in cells.items() if any(n.on_cell for n in ns)}
                self.clean(part, highlighted, marked | {"A1"})
            if cells:
                self.sheet(part, cells)
        if meta is not None:
            self.record(meta, marks)
        if self.styles is not None and self.styles.added:
            self.changed["xl/styles.xml"] = self.styles.data()
        self.content_types()
        return self.write()

    # -- an earlier annotation taken away -------------------------------------------------
    def clean(self, part: str, highlighted: set[str], noted: set[str]) -> None:
        """Take away an earlier annotation's notes from a sheet, and the highlight of each cell
        not highlighted again."""
        data = self.read(part)
        if self.styles is not None and self.styles.ours:
            edits = []
            for el in scan(data, {"c"}):
                style = int(el.attrs.get("s", "0") or 0)
                if style in self.styles.ours and el.attrs.get("r") not in highlighted:
                    tag = data[el.start : el.tag_end]
                    plain = str(self.styles.plain(style)).encode()
                    edits.append((el.start, el.tag_end, set_attr(tag, b"s", plain)))
            if edits:
                self.changed[part] = splice(data, edits)
        rels_name = _rels_part(part)
        if not self.has(rels_name):
            return
        targets = _relationships(self.read(rels_name))
        for _id, kind, target in targets:
            found = opc.resolve(part, target)
            if kind == _COMMENTS_TYPE and self.has(found):
                gone = self.clean_comments(found, noted)
                if gone:
                    for _i, ty, t in targets:
                        vml = opc.resolve(part, t)
                        if ty == _VML_TYPE and self.has(vml):
                            self.clean_vml(vml, gone)

    def clean_comments(self, part: str, noted: set[str]) -> set[tuple[int, int]]:
        """Our comments out of a comments part, and our text out of the school's, on the cells
        an earlier annotation put notes on (``noted``); returns the (row, column) of each
        comment taken out whole."""
        data = self.read(part)
        if AUTHOR.encode() not in data and b"Error" not in data and b"Warning" not in data:
            return set()
        elements = scan(data, {"author", "comment", "r", "t"})
        authors = [inner(data, el) for el in elements if el.name == "author"]
        ours = {str(n) for n, name in enumerate(authors) if name == AUTHOR}
        edits: list[tuple[int, int, bytes]] = []
        gone: set[tuple[int, int]] = set()
        comments = [el for el in elements if el.name == "comment"]
        for comment in comments:
            ref = comment.attrs.get("ref", "")
            if ref not in noted and comment.attrs.get("authorId") not in ours:
                continue
            texts = [
                el for el in elements if el.name == "t" and comment.start < el.start < comment.end
            ]
            runs = [
                el for el in elements if el.name == "r" and comment.start < el.start < comment.end
            ]
            mine = [  # LibreOffice keeps no author: our notes are known by their words
                run for run in runs
                if any(run.start < t.start < run.end and _OUR_TEXT.match(inner(data, t))
                       for t in texts)
            ]  # fmt: skip
            bare = [t for t in texts if not any(r.start < t.start < r.end for r in runs)]
            whole = comment.attrs.get("authorId") in ours or (
                len(mine) == len(runs) and all(_OUR_TEXT.match(inner(data, t)) for t in bare)
            )
            if whole and _CELL.match(ref):
                edits.append((comment.start, comment.end, b""))
                gone.add(_cell_position(ref))
                continue
            edits += [(run.start, run.end, b"") for run in mine]
        if edits:
            self.put(part, splice(data, edits))
        return gone

    def clean_vml(self, part: str, cells: set[tuple[int, int]]) -> None:
        """The note shapes of ``cells`` out of a VML drawing."""
        data = self.read(part)

        def keep(match: re.Match) -> bytes:
            shape = match.group(0)
            row = re.search(rb"<(?:[\w.-]+:)?Row>\s*(\d+)\s*<", shape)
            col = re.search(rb"<(?:[\w.-]+:)?Column>\s*(\d+)\s*<", shape)
            if row and col and (int(row.group(1)), int(col.group(1))) in cells:
                return b""
            return shape

        shapes = re.compile(rb"<(v:)?shape\b(?:(?!</(?:v:)?shape>).)*</(?:v:)?shape>", re.DOTALL)
        self.put(part, shapes.sub(keep, data))

    def record(self, part: str, marks: list[Mark]) -> None:
        """The problems marked, as rows of the metadata sheet from MARK_ROW (any earlier
        annotation's rows replaced)."""
        data = self.read(part)
        elements = scan(data, {"worksheet", "sheetData", "row", "dimension"})
        root = next(el for el in elements if el.name == "worksheet")
        p = root.prefix
        edits = [
            (el.start, el.end, b"")
            for el in elements
            if el.name == "row" and el.depth == 2 and int(el.attrs.get("r", "0") or 0) >= MARK_ROW
        ]
        rows = b""
        for n, mark in enumerate(marks):
            r = str(MARK_ROW + n).encode()
            cells = b"".join(
                b"<" + p + b'c r="' + col + r + b'" t="inlineStr"><' + p + b"is><" + p + b"t>"
                + xml_text(text) + b"</" + p + b"t></" + p + b"is></" + p + b"c>"
                for col, text in ((b"A", MARK_KEY), (b"B", encode(mark)))
            )  # fmt: skip
            rows += b"<" + p + b'row r="' + r + b'">' + cells + b"</" + p + b"row>"
        sheet_data = next((el for el in elements if el.name == "sheetData"), None)
        if sheet_data is None:
            return
        edits.append(append(data, sheet_data, rows))
        dimension = next((el for el in elements if el.name == "dimension"), None)
        if dimension is not None and marks:
            last = f"A1:B{MARK_ROW + len(marks) - 1}".encode()
            tag = set_attr(data[dimension.start : dimension.tag_end], b"ref", last)
            edits.append((dimension.start, dimension.tag_end, tag))
        self.put(part, splice(data, edits))

    # -- one sheet ------------------------------------------------------------------------
    def sheet(self, part: str, cells: dict[str, list[Note]]) -> None:
        data = self.read(part)
        elements = scan(data, {"worksheet", "c", "legacyDrawing", "drawing", *_AFTER_LEGACY})
        root = next(el for el in elements if el.name == "worksheet")
        edits: list[tuple[int, int, bytes]] = []
        styled = {el.attrs.get("r"): el for el in elements if el.name == "c"}
        for ref, notes in cells.items():
            el = styled.get(ref)
            highlight = [n for n in notes if n.on_cell]
            if el is None or not highlight or self.styles is None or not self.styles.usable():
                continue
            kind = "error" if any(n.kind == "error" for n in highlight) else "warning"
            style = self.styles.highlighted(int(el.attrs.get("s", "0") or 0), kind)
            tag = set_attr(data[el.start : el.tag_end], b"s", str(style).encode())
            edits.append((el.start, el.tag_end, tag))
        rels_name = _rels_part(part)
        rels = self.read(rels_name) if self.has(rels_name) else None
        targets = _relationships(rels or b"")
        comments_part = next(
            (opc.resolve(part, t) for _i, ty, t in targets if ty == _COMMENTS_TYPE), None
        )
        legacy = next((el for el in elements if el.name == "legacyDrawing" and el.depth == 1), None)
        vml_part = None
        new_rels: list[tuple[str, str, str]] = []  # (id, type, target)
        if legacy is not None:
            rid = next((v for k, v in legacy.attrs.items() if k.endswith(":id")), "")
            vml_part = next((opc.resolve(part, t) for i, _ty, t in targets if i == rid), None)
        if vml_part is None or not self.has(vml_part):
            vml_part = self.free_name("xl/drawings/vmlDrawing{}.vml")
            self.added[vml_part] = b""
            rid = _free_rid(targets, new_rels)
            new_rels.append((rid, _VML_TYPE, _relative(vml_part, part)))
            element = (
                b"<" + root.prefix + b'legacyDrawing xmlns:r="' + _RELS_NS.encode()
                + b'" r:id="' + rid.encode() + b'"/>'
            )  # fmt: skip
            if legacy is not None:  # it pointed at nothing: replace it
                edits.append((legacy.start, legacy.end, element))
            else:
                where = _legacy_position(elements, data, root)
                edits.append((where, where, element))
        if comments_part is None or not self.has(comments_part):
            comments_part = self.free_name("xl/comments{}.xml")
            self.added[comments_part] = b""
            self.overrides.append(("/" + comments_part, _COMMENTS_CT))
            rid = _free_rid(targets, new_rels)
            new_rels.append((rid, _COMMENTS_TYPE, _relative(comments_part, part)))
        new = self.comments(comments_part, cells)
        self.vml(vml_part, {ref: cells[ref] for ref in new})
        self.changed[part] = splice(data, edits)
        if new_rels:
            self.put(rels_name, _add_relationships(rels, new_rels))

    def put(self, name: str, data: bytes) -> None:
        if name in self.names:
            self.changed[name] = data
        else:
            self.added[name] = data

    def comments(self, part: str, cells: dict[str, list[Note]]) -> list[str]:
        """Add the notes to a comments part; returns the cells that had no comment yet."""
        data = self.read(part)
        if not data:
            data = (
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="'
                + _MAIN_NS + b'"><authors></authors><commentList></commentList></comments>'
            )  # fmt: skip
        elements = scan(
            data, {"comments", "author", "authors", "commentList", "comment", "text", "t"}
        )
        root = next(el for el in elements if el.name == "comments")
        p = root.prefix
        authors = next(el for el in elements if el.name == "authors")
        names = [inner(data, el) for el in elements if el.name == "author"]
        edits = []
        if AUTHOR in names:  # an earlier annotation's, kept
            author_id = names.index(AUTHOR)
        else:
            author_id = len(names)
            new_author = b"<" + p + b"author>" + xml_text(AUTHOR) + b"</" + p + b"author>"
            edits.append(append(data, authors, new_author))
        existing = {el.attrs.get("ref"): el for el in elements if el.name == "comment"}
        texts = [el for el in elements if el.name == "text"]
        added = b""
        for ref, notes in cells.items():
            body = "\n\n".join(n.text for n in notes)
            if ref in existing:  # the school's own comment stays; ours is added below it
                comment = existing[ref]
                text = next(t for t in texts if comment.start < t.start < comment.end)
                theirs = "".join(  # a blank line between: LibreOffice may keep one "\n"
                    inner(data, t) for t in elements
                    if t.name == "t" and comment.start < t.start < comment.end
                )  # fmt: skip
                gap = "\n" * max(0, 2 - (len(theirs) - len(theirs.rstrip("\n"))))
                edits.append(append(data, text, _run(p, gap + body)))
                continue
            added += (
                b"<" + p + b"comment ref=" + quoteattr(ref).encode() + b' authorId="'
                + str(author_id).encode() + b'"><' + p + b"text>" + _run(p, body) + b"</" + p
                + b"text></" + p + b"comment>"
            )  # fmt: skip
        listing = next(el for el in elements if el.name == "commentList")
        edits.append(append(data, listing, added))
        self.put(part, splice(data, edits))
        return [ref for ref in cells if ref not in existing]

    def vml(self, part: str, cells: dict[str, list[Note]]) -> None:
        """Add a (hidden, shown on hover) note shape for each cell to a VML drawing."""
        data = self.read(part)
        if not cells and data:
            return
        block = self.next_shape // 1024
        if not data:
            data = (
                b'<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-'
                b'com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">'
                b'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="'
                + str(block).encode() + b'"/></o:shapelayout></xml>'
            )  # fmt: skip
        elif not re.search(rb'data="[^"]*\b' + str(block).encode() + rb"\b", data):
            data = re.sub(  # whatever prefix the drawing gives the office namespace
                rb'(<(?:[\w.-]+:)?idmap\b[^>]*\bdata=")([^"]*)"',
                lambda m: m.group(1) + m.group(2) + b"," + str(block).encode() + b'"',
                data,
                count=1,
            )
        # Each added element declares the prefixes it uses: a drawing written by another
        # library (openpyxl) declares its namespaces on each element, not on the root.
        shapes = b""
        if b'id="_x0000_t202"' not in data:
            shapes += (
                b"<v:shapetype " + _VML_NAMESPACES + b' id="_x0000_t202" coordsize="21600,21600" '
                b'o:spt="202" '
                b'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path '
                b'gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            )
        for ref, notes in cells.items():
            row, col = _cell_position(ref)
            lines = sum(1 + len(n.text) // 40 for n in notes)
            top = max(row - 1, 0)
            anchor = f"{col + 1}, 15, {top}, 10, {col + 4}, 15, {top + max(4, lines + 1)}, 4"
            shapes += (
                f'<v:shape {_VML_NAMESPACES.decode()} id="_x0000_s{self.next_shape}" '
                f'type="#_x0000_t202" style="position:'
                f"absolute;margin-left:60pt;margin-top:{15 * top + 2}pt;width:180pt;"
                f'height:{max(60, 14 * lines + 14)}pt;z-index:1;visibility:hidden" '
                'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow '
                'on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox '
                'style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
                '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
                f"<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row}"
                f"</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
            ).encode()
            self.next_shape += 1
        end = data.rfind(b"</xml>")
        if end < 0:
            raise AwardbooksError(f"{part}: the sheet's drawing part is damaged; cannot annotate")
        self.put(part, data[:end] + shapes + data[end:])
        self.next_shape = (self.next_shape // 1024 + 1) * 1024 + 1  # next part: next block

    # -- package --------------------------------------------------------------------------
    def content_types(self) -> None:
        name = "[Content_Types].xml"
        data = self.read(name)
        extra = b""
        if not re.search(rb'<(?:\w+:)?Default\b[^>]*Extension="vml"', data, re.IGNORECASE):
            extra += b'<Default Extension="vml" ContentType="' + _VML_CT.encode() + b'"/>'
        for part, _ctype in self.overrides:  # a stale Override for a part not in the zip
            data = re.sub(
                rb"<(?:\w+:)?Override\b[^>]*PartName=[\"']" + re.escape(part.encode())
                + rb"[\"'][^>]*/>",
                b"",
                data,
                flags=re.IGNORECASE,
            )  # fmt: skip
        for part, ctype in self.overrides:
            extra += (
                b"<Override PartName=" + quoteattr(part).encode() + b' ContentType="'
                + ctype.encode() + b'"/>'
            )  # fmt: skip
        if extra:
            end = data.rfind(b"</")
            self.changed[name] = data[:end] + extra + data[end:]
        elif data != self.read(name):
            self.changed[name] = data

    def write(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in self.pkg.zf.infolist():
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type = info.compress_type
                copy.external_attr = info.external_attr
                zout.writestr(copy, self.changed.get(info.filename) or self.pkg.read(info.filename))
            for name, data in self.added.items():
                zout.writestr(name, data)
        return buffer.getvalue()


def _earlier_marks(package: Package) -> list[Mark]:
    """What an earlier annotation of this workbook marked (none when it was never annotated,
    or its metadata sheet cannot be read)."""
    try:
        sheet = open_workbook(package).get_sheet_by_name(META_SHEET)
        return decode_rows(sheet.to_python(skip_empty_area=False)[MARK_ROW - 1 :])
    except (ReturnError, *READER_FAILURES):
        return []


def _legacy_position(elements: list[El], data: bytes, root: El) -> int:
    """Where a new <legacyDrawing> goes among the worksheet's children."""
    top = [el for el in elements if el.depth == 1]
    drawing = next((el for el in top if el.name == "drawing"), None)
    if drawing is not None:
        return drawing.end
    later = [el.start for el in top if el.name in _AFTER_LEGACY]
    if later:
        return min(later)
    return data.rindex(b"</" + root.prefix + b"worksheet")


def _relationships(data: bytes) -> list[tuple[str, str, str]]:
    """(Id, Type, Target) of every relationship in a .rels part."""
    return [
        (rel.get("Id", ""), rel.get("Type", ""), rel.get("Target", ""))
        for rel in opc.relationships(data)
    ]


def _relative(target: str, source_part: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source_part))


def _free_rid(targets: list[tuple[str, str, str]], new: list[tuple[str, str, str]]) -> str:
    used = {t[0] for t in targets} | {n[0] for n in new}
    n = 1
    while f"rId{n}" in used:
        n += 1
    return f"rId{n}"


def _add_relationships(rels: bytes | None, new: list[tuple[str, str, str]]) -> bytes:
    if not rels:
        rels = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            b'"http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
        )
    extra = b"".join(
        b"<Relationship Id=" + quoteattr(rid).encode() + b" Type=" + quoteattr(kind).encode()
        + b" Target=" + quoteattr(target).encode() + b"/>"
        for rid, kind, target in new
    )  # fmt: skip
    root = next(el for el in scan(rels, {"Relationships"}))
    return splice(rels, [append(rels, root, extra)])
