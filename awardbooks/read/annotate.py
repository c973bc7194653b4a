"""An annotated copy of a return: every problem the checker found, marked on its cell with a
comment and a highlight, so a school can fix its return without reading a log.

The copy is made by editing the workbook's package (zip) directly, never by loading and
saving it with a spreadsheet library: openpyxl, for one, drops every cached formula result and
the chart's caches, and cannot keep parts it does not know (LibreOffice's and Excel's
extensions). Here every part is copied unchanged except, for each sheet that gets comments, its
XML (a highlight style on the marked cells and a ``legacyDrawing`` reference), its
relationships, a comments part and a VML drawing (merged into the sheet's own if it has them),
``styles.xml`` (two fills and the highlighted copies of the cells' styles) and
``[Content_Types].xml``. Data validation, protection, conditional formats, defined names,
charts, cached values and the very-hidden metadata sheet are therefore kept byte for byte.
"""

from __future__ import annotations

import io
import posixpath
import re
import xml.parsers.expat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from awardbooks.common.files import atomic_write
from awardbooks.common.text import excel_text
from awardbooks.errors import AwardbooksError, ReportError, ReturnError
from awardbooks.read import opc
from awardbooks.read.container import Package, sniff
from awardbooks.read.parts import sheet_parts
from awardbooks.read.returns import ReturnRecord
from awardbooks.workbook.layout import COVER_SHEET

AUTHOR = "awardbooks check"
FILLS = {"error": "FFFF8080", "warning": "FFFFE699"}  # salmon red, pale amber
_CELL = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
_TAG = re.compile(rb"<[\w:.-]+(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>")
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
    if out.exists() and out.is_dir():
        raise ReportError(f"{out}: is a folder; give a file name like annotated.xlsx")
    data = src.read_bytes()
    try:
        package = sniff(data, str(src))
    except ReturnError as exc:
        raise AwardbooksError(str(exc.problem.with_file(str(src)))) from None
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
    edited = _Editor(package, parts).apply(notes)
    atomic_write(out, lambda handle: handle.write(edited))
    return AnnotateResult(out, record, notes)


# --------------------------------------------------------------------------- XML by offsets


@dataclass
class _El:
    name: str  # local name
    prefix: bytes  # b"" or b"x:"
    depth: int
    start: int
    tag_end: int
    end: int
    attrs: dict[str, str]


def _scan(data: bytes, wanted: set[str] | None = None) -> list[_El]:
    """Elements of an XML part with their byte offsets (every one when ``wanted`` is None).
    Only parts that passed the container checks (no DTD, no entities) are scanned."""
    found: list[_El] = []
    stack: list[_El] = []
    parser = xml.parsers.expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        pos = parser.CurrentByteIndex
        match = _TAG.match(data, pos)
        tag_end = match.end() if match else data.index(b">", pos) + 1
        prefix, _, local = name.rpartition(":")
        el = _El(
            local, (prefix + ":").encode() if prefix else b"", len(stack), pos, tag_end, 0, attrs
        )
        stack.append(el)
        if wanted is None or local in wanted:
            found.append(el)

    def end(_name: str) -> None:
        el = stack.pop()
        if data[el.tag_end - 2 : el.tag_end] == b"/>":
            el.end = el.tag_end
        else:
            el.end = data.index(b">", parser.CurrentByteIndex) + 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(data, True)
    return found


def _splice(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Replace data[start:end] by each replacement (edits must not overlap)."""
    for start, stop, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        data = data[:start] + new + data[stop:]
    return data


def _set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """A start tag with attribute ``name`` set to ``value`` (added after the tag name)."""
    pattern = re.compile(rb"(\s" + re.escape(name) + rb"\s*=\s*)(\"[^\"]*\"|'[^']*')")
    if pattern.search(tag):
        return pattern.sub(lambda m: m.group(1) + b'"' + value + b'"', tag, count=1)
    head = re.match(rb"<[\w:.-]+", tag).end()
    return tag[:head] + b" " + name + b'="' + value + b'"' + tag[head:]


def _xml_text(text: str) -> bytes:
    return escape(excel_text(text)).encode("utf-8")


def _run(p: bytes, text: str) -> bytes:
    """A comment's text run (9 pt), in the comments part's namespace prefix ``p``."""
    return (
        b"<" + p + b"r><" + p + b"rPr><" + p + b'sz val="9"/></' + p + b"rPr><" + p
        + b't xml:space="preserve">' + _xml_text(text) + b"</" + p + b"t></" + p + b"r>"
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
        self.styles: _Styles | None = None

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

    def apply(self, notes: list[Note]) -> bytes:
        if self.has("xl/styles.xml"):
            self.styles = _Styles(self.pkg.read("xl/styles.xml"))
        by_sheet: dict[str, dict[str, list[Note]]] = {}
        for note in notes:
            by_sheet.setdefault(note.sheet, {}).setdefault(note.cell, []).append(note)
        for sheet, cells in by_sheet.items():
            self.sheet(self.parts[sheet], cells)
        if self.styles is not None and self.styles.added:
            self.changed["xl/styles.xml"] = self.styles.data()
        self.content_types()
        return self.write()

    # -- one sheet ------------------------------------------------------------------------
    def sheet(self, part: str, cells: dict[str, list[Note]]) -> None:
        data = self.read(part)
        elements = _scan(data, {"worksheet", "c", "legacyDrawing", "drawing", *_AFTER_LEGACY})
        root = next(el for el in elements if el.name == "worksheet")
        edits: list[tuple[int, int, bytes]] = []
        styled = {el.attrs.get("r"): el for el in elements if el.name == "c"}
        for ref, notes in cells.items():
            el = styled.get(ref)
            highlight = [n for n in notes if n.on_cell]
            if el is None or not highlight or self.styles is None:
                continue
            kind = "error" if any(n.kind == "error" for n in highlight) else "warning"
            style = self.styles.highlighted(int(el.attrs.get("s", "0") or 0), kind)
            tag = _set_attr(data[el.start : el.tag_end], b"s", str(style).encode())
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
        self.changed[part] = _splice(data, edits)
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
        elements = _scan(data, {"comments", "author", "authors", "commentList", "comment", "text"})
        root = next(el for el in elements if el.name == "comments")
        p = root.prefix
        authors = next(el for el in elements if el.name == "authors")
        author_id = sum(1 for el in elements if el.name == "author")
        new_author = b"<" + p + b"author>" + _xml_text(AUTHOR) + b"</" + p + b"author>"
        edits = [_append(data, authors, new_author)]
        existing = {el.attrs.get("ref"): el for el in elements if el.name == "comment"}
        texts = [el for el in elements if el.name == "text"]
        added = b""
        for ref, notes in cells.items():
            body = "\n\n".join(n.text for n in notes)
            if ref in existing:  # the school's own comment stays; ours is added below it
                comment = existing[ref]
                text = next(t for t in texts if comment.start < t.start < comment.end)
                edits.append(_append(data, text, _run(p, "\n\n" + body)))
                continue
            added += (
                b"<" + p + b"comment ref=" + quoteattr(ref).encode() + b' authorId="'
                + str(author_id).encode() + b'"><' + p + b"text>" + _run(p, body) + b"</" + p
                + b"text></" + p + b"comment>"
            )  # fmt: skip
        listing = next(el for el in elements if el.name == "commentList")
        edits.append(_append(data, listing, added))
        self.put(part, _splice(data, edits))
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


def _legacy_position(elements: list[_El], data: bytes, root: _El) -> int:
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


def _append(data: bytes, el: _El, content: bytes) -> tuple[int, int, bytes]:
    """The edit that puts ``content`` at the end of element ``el`` (even if it is empty)."""
    tag = data[el.start : el.tag_end]
    if tag.endswith(b"/>"):
        name = re.match(rb"<([\w:.-]+)", tag).group(1)
        return el.start, el.end, tag[:-2].rstrip() + b">" + content + b"</" + name + b">"
    stop = data.rindex(b"</", el.start, el.end)
    return stop, stop, content


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
    root = next(el for el in _scan(rels, {"Relationships"}))
    return _splice(rels, [_append(rels, root, extra)])


class _Styles:
    """styles.xml with highlighted copies of cell styles appended."""

    def __init__(self, data: bytes):
        self.original = data
        elements = _scan(data, {"styleSheet", "fills", "fill", "cellXfs", "xf"})
        self.fills = next((el for el in elements if el.name == "fills"), None)
        self.xfs_el = next((el for el in elements if el.name == "cellXfs"), None)
        self.fill_count = sum(
            1
            for el in elements
            if el.name == "fill" and self.fills and el.depth == self.fills.depth + 1
        )
        self.xfs = [
            el
            for el in elements
            if el.name == "xf" and self.xfs_el and self.xfs_el.start < el.start < self.xfs_el.end
        ]
        self.added: dict[tuple[int, str], int] = {}
        self.kinds: list[str] = []

    def highlighted(self, xf: int, kind: str) -> int:
        """The index of a copy of cell style ``xf`` with the ``kind`` highlight fill."""
        if self.fills is None or self.xfs_el is None or not self.xfs:
            return xf
        if (xf, kind) not in self.added:
            if kind not in self.kinds:
                self.kinds.append(kind)
            self.added[(xf, kind)] = len(self.xfs) + len(self.added)
        return self.added[(xf, kind)]

    def data(self) -> bytes:
        data = self.original
        p = self.fills.prefix
        fill_ids = {kind: self.fill_count + i for i, kind in enumerate(self.kinds)}
        new_fills = b"".join(
            b"<" + p + b"fill><" + p + b'patternFill patternType="solid"><' + p + b'fgColor rgb="'
            + FILLS[kind].encode() + b'"/><' + p + b'bgColor indexed="64"/></' + p
            + b"patternFill></" + p + b"fill>"
            for kind in self.kinds
        )  # fmt: skip
        new_xfs = b""
        for (xf, kind), _index in sorted(self.added.items(), key=lambda kv: kv[1]):
            el = self.xfs[xf] if xf < len(self.xfs) else self.xfs[0]
            tag = data[el.start : el.tag_end]
            tag = _set_attr(tag, b"fillId", str(fill_ids[kind]).encode())
            tag = _set_attr(tag, b"applyFill", b"1")
            new_xfs += tag + data[el.tag_end : el.end]
        edits = []
        for el, extra, count in (
            (self.fills, new_fills, self.fill_count + len(self.kinds)),
            (self.xfs_el, new_xfs, len(self.xfs) + len(self.added)),
        ):
            start, stop, content = _append(data, el, extra)
            if start == el.start:  # an empty element, rewritten whole
                content = _set_attr(content, b"count", str(count).encode())
                edits.append((start, stop, content))
                continue
            tag = _set_attr(data[el.start : el.tag_end], b"count", str(count).encode())
            edits += [(el.start, el.tag_end, tag), (start, stop, content)]
        return _splice(data, edits)
