"""Read one returned workbook: recognise it, check it against its spec, and turn it into tidy
records with errors (cannot be used as is) and warnings (usable, someone should look).

Values come from python-calamine (fast); protection and dropdowns are checked on the sheet
XML bytes. Cached formula results are never trusted: scores are recomputed from ratings.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awardbooks.container import Package, sniff
from awardbooks.errors import ReturnError
from awardbooks.layout import (
    COVER_SHEET,
    HEADER_ROW,
    META_SHEET,
    Cell,
    Layout,
    RatingRow,
    a1,
    layout_for,
)
from awardbooks.model import Column, Framework


@dataclass
class Rating:
    key: str
    group_id: str
    label: str | None  # an exact level label, or None when unrated or invalid
    date: str = ""  # ISO
    comment: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReturnRecord:
    """Everything read from one returned file."""

    file: str
    mtime: float = 0.0
    framework: Framework | None = None
    meta: dict[str, str] = field(default_factory=dict)
    cover: dict[str, Any] = field(default_factory=dict)
    ratings: dict[str, Rating] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.errors:
            return "rejected"
        return "warning" if self.warnings else "accepted"

    def get(self, key: str) -> str:
        return self.meta.get(key, "")


class Registry:
    """The frameworks an analysis knows, by id."""

    def __init__(self, frameworks: Iterable[Framework]):
        self.by_id = {fw.id: fw for fw in frameworks}

    @classmethod
    def default(cls, extra_specs: Iterable[str | Path] = ()) -> Registry:
        from awardbooks import spec

        frameworks = [spec.load(path) for path in spec.builtin_paths().values()]
        frameworks += [spec.load(path) for path in extra_specs]
        return cls(frameworks)


def read_path(path: Path, registry: Registry, name: str | None = None) -> ReturnRecord:
    """Read a return from disk, opened read-only; never raises for a bad file."""
    label = name or str(path)
    try:
        data = Path(path).read_bytes()
        mtime = Path(path).stat().st_mtime
    except OSError as exc:
        return ReturnRecord(label, errors=[f"{label}: cannot be read ({exc.strerror})"])
    return read_bytes(data, label, registry, mtime)


def read_bytes(data: bytes, name: str, registry: Registry, mtime: float = 0.0) -> ReturnRecord:
    """Read a return from bytes; every problem becomes a message, never an exception."""
    record = ReturnRecord(name, mtime)
    try:
        package = sniff(data, name)
        _Reader(package, record, registry).read()
    except ReturnError as exc:
        record.errors.append(f"{name}: {exc}")
    except Exception as exc:  # a file no application would write: report, never crash
        record.errors.append(
            f"{name}: could not be read as a workbook ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200] if str(exc) else 'no detail'})"
        )
    return record


class _Reader:
    def __init__(self, package: Package, record: ReturnRecord, registry: Registry):
        self.pkg = package
        self.rec = record
        self.registry = registry
        self.grids: dict[str, list[list[Any]]] = {}
        self.name = record.file
        self.date_notes: list[str] = []

    # -- messages ------------------------------------------------------------------------
    def error(self, where: str, text: str) -> None:
        self.rec.errors.append(f"{self.name}: {where}: {text}" if where else f"{self.name}: {text}")

    def warn(self, where: str, text: str) -> None:
        self.rec.warnings.append(
            f"{self.name}: {where}: {text}" if where else f"{self.name}: {text}"
        )

    # -- the whole return ----------------------------------------------------------------
    def read(self) -> None:
        from python_calamine import CalamineWorkbook

        try:
            self.book = CalamineWorkbook.from_filelike(io.BytesIO(self.pkg.data))
        except Exception as exc:
            raise ReturnError(
                f"the workbook cannot be opened ({_short(exc)}); open it in Excel and save it again"
            ) from None
        self.sheet_names = list(self.book.sheet_names)
        self.visibility = {m.name: str(m.visible).lower() for m in self.book.sheets_metadata}
        if self.pkg.macro_enabled:
            self.warn("", "macro-enabled workbook (.xlsm): values were read, macros never run")
        framework = self._recognise()
        if framework is None:
            return
        self.rec.framework = framework
        self.layout = layout_for(framework)
        self._check_sheets()
        self._read_cover()
        for sheet in self.layout.audit_sheets:
            self._read_audit(sheet)
        self._read_tables()
        self._check_protection()
        if self.date_notes:
            more = f" and {len(self.date_notes) - 1} more" if len(self.date_notes) > 1 else ""
            self.warn(
                "",
                f"dates were typed as text or numbers and read as UK dates: "
                f"{self.date_notes[0]}{more}",
            )

    def grid(self, sheet: str) -> list[list[Any]] | None:
        if sheet not in self.grids:
            if sheet not in self.sheet_names:
                return None
            self.grids[sheet] = self.book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        return self.grids[sheet]

    def value(self, cell: Cell, grid: list[list[Any]] | None = None, row: int | None = None):
        grid = grid if grid is not None else self.grid(cell.sheet)
        r = cell.row if row is None else row
        if grid is None or r >= len(grid) or cell.col >= len(grid[r]):
            return None
        value = grid[r][cell.col]
        return None if value == "" else value

    # -- which framework -----------------------------------------------------------------
    def _recognise(self) -> Framework | None:
        meta_grid = self.grid(META_SHEET)
        if meta_grid is not None:
            meta = {}
            for row in meta_grid[1:]:
                if len(row) >= 2 and isinstance(row[0], str) and row[0]:
                    meta[row[0]] = _text(row[1])
            self.rec.meta = meta
            if self.visibility.get(META_SHEET) == "visible":
                self.warn(META_SHEET, "the hidden metadata sheet was made visible")
            fw = self.registry.by_id.get(meta.get("framework", ""))
            if fw is None:
                known = ", ".join(sorted(self.registry.by_id))
                self.error(
                    "",
                    f"made from framework {meta.get('framework')!r}, which this "
                    f"analysis does not know (known: {known}); pass its spec with "
                    "--spec FILE",
                )
                return None
            return self._check_edition(fw, meta)
        fw = self._recognise_by_structure()
        if fw is None:
            self.error(
                "",
                "not an awardbooks workbook: it has no awardbooks metadata and its "
                "sheets match no known framework",
            )
            return None
        self.warn(
            "",
            f"the hidden metadata sheet is missing (an application dropped it); "
            f"recognised as {fw.title} from its sheets",
        )
        self.rec.meta = {"framework": fw.id, "spec_version": fw.version}
        return fw

    def _recognise_by_structure(self) -> Framework | None:
        names = set(self.sheet_names)
        best, best_score = None, 0.0
        for fw in self.registry.by_id.values():
            layout = layout_for(fw)
            wanted = set(layout.audit_sheets)
            if not wanted <= names:
                continue
            hits = sum(
                1
                for r in layout.rating_rows[:40]
                if _text(self.value(Cell(r.sheet, r.row, 0))) == r.id_text
            )
            score = hits / min(40, len(layout.rating_rows))
            if score > best_score:
                best, best_score = fw, score
        return best if best_score >= 0.5 else None

    def _check_edition(self, fw: Framework, meta: dict[str, str]) -> Framework | None:
        version = meta.get("spec_version", "")
        if version == fw.version:
            if meta.get("spec_fingerprint") and meta["spec_fingerprint"] != fw.fingerprint():
                self.warn(
                    "",
                    f"made from a differently worded copy of {fw.name} edition "
                    f"{version}; texts are compared with this analysis's copy",
                )
            return fw
        layout = layout_for(fw)
        moved = [
            r for r in layout.rating_rows if _text(self.value(Cell(r.sheet, r.row, 0))) != r.id_text
        ]
        if moved:
            self.error(
                "",
                f"made from edition {version or '?'} of {fw.name}, whose items do not "
                f"match edition {fw.version} (e.g. {moved[0].id_text!r} is not in "
                f"{moved[0].sheet}!A{moved[0].row + 1}); send the school a "
                "workbook of the current edition",
            )
            return None
        self.warn(
            "",
            f"made from edition {version or '?'} of {fw.name}; this analysis uses "
            f"edition {fw.version}; the item ids match, so it was read",
        )
        return fw

    # -- structure -----------------------------------------------------------------------
    def _check_sheets(self) -> None:
        wanted = [n for n in self.layout.sheet_names if n != META_SHEET]
        missing = [n for n in wanted if n not in self.sheet_names]
        for name in missing:
            if name in self.layout.audit_sheets or name == COVER_SHEET:
                self.error(
                    name,
                    "the sheet is missing (renamed or deleted); the ratings on it cannot be read",
                )
            else:
                self.warn(name, "the sheet is missing (renamed or deleted)")
        extra = [n for n in self.sheet_names if n not in self.layout.sheet_names]
        for name in extra:
            self.warn(name, "an extra sheet was added; it was ignored")

    def _read_cover(self) -> None:
        grid = self.grid(COVER_SHEET)
        if grid is None:
            return
        for key, cell in self.layout.cover_inputs.items():
            column = self.layout.cover_input_columns[key]
            self.rec.cover[key] = self._typed(cell, column, self.value(cell, grid))
        if not self.rec.meta.get("setting"):  # recognised by structure: take the cover's
            for key, cell in self.layout.cover_details.items():
                value = _text(self.value(cell, grid))
                if key in ("setting", "urn", "partnership", "local_authority", "year"):
                    self.rec.meta[key] = value
                elif key == "term":
                    self.rec.meta[key] = value.lower()
                elif key == "workbook_id":
                    self.rec.meta[key] = value

    def _read_audit(self, sheet: str) -> None:
        grid = self.grid(sheet)
        if grid is None:
            return
        layout, fw = self.layout, self.rec.framework
        if not self._headers_match(sheet, grid):
            return
        index = {}
        for r, row in enumerate(grid):
            if row and isinstance(row[0], str) and row[0]:
                index.setdefault(row[0].strip(), r)
        items = {item.id: item for item in fw.items}
        shifted = False
        for rr in (r for r in layout.rating_rows if r.sheet == sheet):
            row = rr.row
            if _text(self.value(Cell(sheet, row, 0), grid)) != rr.id_text:
                found = index.get(rr.id_text)
                if found is None:
                    self.error(
                        f"{sheet}!A{row + 1}",
                        f"the row for {rr.id_text!r} is missing (rows were deleted or ids changed)",
                    )
                    continue
                shifted = True
                row = found
            if rr.item_id is not None:
                written = _squash(self.value(Cell(sheet, row, 1), grid))
                if written != _squash(items[rr.item_id].text):
                    self.warn(
                        f"{sheet}!{a1(row, 1)}",
                        f"the wording of {rr.item_id} was changed from the framework's",
                    )
            if rr.rated:
                self.rec.ratings[rr.key] = self._rating(sheet, grid, rr, row)
        if shifted:
            self.warn(sheet, "rows were inserted or deleted; the ratings were found by their ids")

    def _headers_match(self, sheet: str, grid) -> bool:
        fw, cols = self.rec.framework, self.layout.columns
        expected = {cols.id: "ID", cols.text: fw.labels.item, cols.rating: fw.labels.rating}
        if cols.date is not None:
            expected[cols.date] = fw.labels.date
        if cols.comment is not None:
            expected[cols.comment] = fw.labels.comment
        for col, text in expected.items():
            found = _text(self.value(Cell(sheet, HEADER_ROW, col), grid))
            if found != text:
                self.error(
                    f"{sheet}!{a1(HEADER_ROW, col)}",
                    f"expected the heading {text!r} but found {found!r}: columns were "
                    "inserted, deleted or moved, so the ratings cannot be read safely",
                )
                return False
        return True

    def _rating(self, sheet: str, grid, rr: RatingRow, row: int) -> Rating:
        layout, fw = self.layout, self.rec.framework
        cell = Cell(sheet, row, layout.columns.rating)
        raw = self.value(cell, grid)
        label = self._level(cell, raw, fw)
        rating = Rating(rr.key, rr.group_id, label)
        date = layout.date_cell(rr)
        if date is not None:
            rating.date = (
                self._typed(
                    Cell(sheet, row, date.col), _DATE, self.value(Cell(sheet, row, date.col), grid)
                )
                or ""
            )
        comment = layout.comment_cell(rr)
        if comment is not None:
            rating.comment = _text(self.value(Cell(sheet, row, comment.col), grid))
        extra = {c.id: c for c in fw.audit.columns if c.input}
        for cid, column in extra.items():
            c = Cell(sheet, row, layout.columns.extra[cid])
            rating.extra[cid] = self._typed(c, column, self.value(c, grid))
        return rating

    def _level(self, cell: Cell, raw: Any, fw: Framework) -> str | None:
        if raw is None:
            return None
        labels = fw.scale.labels
        if isinstance(raw, str):
            if raw in labels:
                return raw
            folded = {label.casefold(): label for label in labels}
            match = folded.get(raw.strip().casefold())
            if match:
                self.warn(str(cell), f"{raw!r} was read as {match!r}")
                return match
        shown = _text(raw)
        self.error(str(cell), f"{shown!r} is not a level of {'/'.join(labels)}")
        return None

    def _typed(self, cell: Cell, column: Column, raw: Any) -> Any:
        """A value for a typed input column, with messages for what cannot be read."""
        if raw is None:
            return "" if column.type != "number" else None
        if column.type == "date":
            value, problem, note = parse_date(raw)
            if problem:
                self.error(str(cell), problem)
            elif note:
                self.date_notes.append(f"{cell} ({note})")
            return value
        if column.type == "number":
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                return raw
            try:
                return float(str(raw).strip().replace(",", ""))
            except ValueError:
                self.warn(str(cell), f"{_text(raw)!r} is not a number; kept as text")
                return _text(raw)
        text = _text(raw)
        if column.options and text and text not in column.options:
            folded = {o.casefold(): o for o in column.options}
            if text.strip().casefold() in folded:
                return folded[text.strip().casefold()]
            self.warn(str(cell), f"{text!r} is not one of {', '.join(column.options)}")
        return text

    # -- other sheets --------------------------------------------------------------------
    def _read_tables(self) -> None:
        layout = self.layout
        for table, rows in layout.table_rows.items():
            columns = layout.table_columns[table] | layout.table_columns.get(f"{table}_fields", {})
            found = []
            for row in rows:
                if row.sheet not in self.sheet_names:
                    break
                values = {
                    cid: self._typed(cell, columns[cid], self.value(cell))
                    for cid, cell in row.cells.items()
                }
                if any(v not in ("", None) for v in values.values()):
                    found.append({"key": row.key, "row": row.row + 1} | values)
            self.rec.tables[table] = found

    def _check_protection(self) -> None:
        from awardbooks.xmlparts import sheet_parts

        parts = sheet_parts(self.pkg)
        for name in self.layout.sheet_names:
            part = parts.get(name)
            if part is None:
                continue
            head = self.pkg.read(part)
            if not _PROTECTED.search(head):
                self.warn(name, "sheet protection was removed")
            if name in self.layout.audit_sheets and b"dataValidation" not in head:
                self.warn(name, "the dropdowns (data validation) were removed")


_PROTECTED = re.compile(rb"<(?:\w+:)?sheetProtection\b[^>]*\bsheet=\"(?:1|true)\"")
_DATE = Column(id="date", label="Date", type="date")
_UK_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?\s*$")


def parse_date(raw: Any) -> tuple[str, str, str]:
    """(ISO date, error, warning) for a date cell's value: a real date, UK text (31/10/2026),
    ISO text, or an Excel serial number."""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat(), "", ""
    if isinstance(raw, dt.date):
        return raw.isoformat(), "", ""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 1 <= raw < 2958466:
            day = dt.date(1899, 12, 30) + dt.timedelta(days=int(raw))
            return day.isoformat(), "", f"the number {raw:g} read as {day:%d %B %Y}"
        return "", f"{raw!r} is not a date", ""
    text = _text(raw)
    match = _UK_DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
        try:
            value = dt.date(year, month, day)
        except ValueError:
            return (
                "",
                (f"{text!r} is not a real date (dates are read as dd/mm/yyyy, the UK way)"),
                "",
            )
        return value.isoformat(), "", f"{text!r} read as {value:%d %B %Y}"
    match = _ISO_DATE.match(text)
    if match:
        try:
            value = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            return "", f"{text!r} is not a real date", ""
        return value.isoformat(), "", f"{text!r} read as {value:%d %B %Y}"
    return "", f"{text!r} is not a date; type dates as dd/mm/yyyy", ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:g}" if value != int(value) or abs(value) >= 1e15 else str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time, dt.timedelta)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


def _squash(value: Any) -> str:
    """Text compared for tampering: whitespace and line endings do not count."""
    return " ".join(_text(value).split())


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


__all__ = ["Layout", "Rating", "Registry", "ReturnRecord", "parse_date", "read_bytes", "read_path"]
