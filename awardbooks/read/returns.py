"""Read one returned workbook: recognise it, check it against its spec, and turn it into tidy
records with errors (cannot be used as is) and warnings (usable, someone should look), each a
:class:`~awardbooks.problems.Problem` of one of the codes of :mod:`awardbooks.read.codes`.

Values come from python-calamine (fast); protection, dropdowns, merged cells, formulas and
error values are checked on the sheet XML bytes (:mod:`awardbooks.read.sheetscan`), and so is how
far a sheet's values reach before its grid is built. Cached formula results are never
trusted: scores are recomputed from ratings, and a formula in a rating cell is an error.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from awardbooks.errors import ReturnError
from awardbooks.problems import Problem
from awardbooks.read import checks, codes, marks
from awardbooks.read.cellvalues import clip as _clip
from awardbooks.read.cellvalues import parse_date
from awardbooks.read.cellvalues import short as _short
from awardbooks.read.cellvalues import squash as _squash
from awardbooks.read.cellvalues import text as _text
from awardbooks.read.completeness import check_completion, completion_text
from awardbooks.read.container import Package, sniff
from awardbooks.read.datechecks import check_dates
from awardbooks.read.encrypted import decrypt, is_encrypted_package
from awardbooks.read.grids import Grid, id_index
from awardbooks.read.lists import located_rows
from awardbooks.read.opening import READER_FAILURES, open_workbook
from awardbooks.read.parts import sheet_parts
from awardbooks.read.records import Rating, Registry, ReturnRecord, one_line, refused
from awardbooks.read.sheetscan import MAX_CELLS, SheetFacts, ods_extents, scan_sheet
from awardbooks.spec.editions import align_ratings
from awardbooks.spec.model import Column, Framework, per_framework
from awardbooks.spec.rescore import ScoresError, rescore
from awardbooks.workbook.layout import (
    AUDIT_TABLE,
    COVER_SHEET,
    HEADER_ROW,
    HISTORY_TABLE,
    META_SHEET,
    PLAN_YEARS,
    Cell,
    Layout,
    PeriodError,
    RatingRow,
    layout_for,
    period_heading,
    rating_period,
)


def read_path(path: Path, registry: Registry, name: str | None = None) -> ReturnRecord:
    """Read a return from disk, opened read-only; never raises for a bad file."""
    label = name or str(path)
    try:
        data = Path(path).read_bytes()
        mtime = Path(path).stat().st_mtime
    except OSError as exc:
        problem = codes.FILE_UNREADABLE(file=label, reason=exc.strerror)
        return ReturnRecord(label, errors=[one_line(problem)])
    return read_bytes(data, label, registry, mtime)


def read_bytes(data: bytes, name: str, registry: Registry, mtime: float = 0.0) -> ReturnRecord:
    """Read a return from bytes; every problem becomes a :class:`Problem`, never an exception."""
    record = ReturnRecord(name, mtime)
    try:
        if is_encrypted_package(data):  # decrypted in memory, then checked as any workbook
            data, used = decrypt(data, name, registry.passwords)
            record.opened_with_typed = used == getattr(registry.passwords, "typed", None)
        package = sniff(data, name)
        ReturnReader(package, record, registry).read()
    except ReturnError as exc:
        record.errors.append(one_line(exc.problem.with_file(name)))
    except READER_FAILURES as exc:  # a file no application would write: report, never crash
        problem = codes.WORKBOOK_CRASH(file=name, exception=type(exc).__name__, reason=_short(exc))
        record.errors.append(one_line(problem))
    return record


class ReturnReader:
    """Reads one return: recognises its framework and edition, reads its cover, rating sheets
    and tables into its :class:`ReturnRecord`, and runs the structure checks of
    :mod:`awardbooks.read.checks` (it is the :class:`~awardbooks.read.checks.ReturnBeingRead`
    they look at). Every problem found goes into the record through :meth:`report`."""

    def __init__(self, package: Package, record: ReturnRecord, registry: Registry):
        self.pkg = package
        self.rec = record
        self.registry = registry
        self.grids: dict[str, Grid] = {}
        self.name = record.file
        self.date_notes: list[str] = []
        self.alias: dict[str, str] = {}  # a sheet's expected name -> its name in this file
        self.inputs: dict[str, dict[tuple[int, int], str]] = {}  # sheet -> cell -> rating key
        self._facts: dict[str, SheetFacts | None] = {}
        self._special: dict[str, bool] = {}  # sheet -> whether any cell has a formula/error
        self._parts: dict[str, str] | None = None
        self.older_edition = False

    # -- problems ------------------------------------------------------------------------
    def report(self, problem: Problem) -> None:
        """Add a problem found in this file to the record: an error or a warning by its
        severity."""
        problem = one_line(problem.with_file(self.name))
        (self.rec.errors if problem.severity == "error" else self.rec.warnings).append(problem)

    def actual(self, sheet: str) -> str:
        """The name the sheet has in this file (it may have been renamed)."""
        return self.alias.get(sheet, sheet)

    def at(self, cell: Cell) -> dict[str, str]:
        """Where a cell is, as the person who opens this file sees it (the ``sheet`` and
        ``cell`` of a problem): {'sheet': 'Obj 3', 'cell': 'C6'}."""
        return {"sheet": self.actual(cell.sheet), "cell": cell.a1}

    # -- the whole return ----------------------------------------------------------------
    def read(self) -> None:
        if self.pkg.kind == "ods":  # the reader builds every sheet's grid as it opens
            for sheet, (rows, cols) in ods_extents(self.pkg.read("content.xml")).items():
                if rows * cols > MAX_CELLS:
                    raise ReturnError(checks.too_large(sheet, rows, cols, ""))
        self.book = open_workbook(self.pkg)
        self.sheet_names = list(self.book.sheet_names)
        self.visibility = {  # "visible", "hidden" or "veryhidden"
            m.name: str(m.visible).rsplit(".", 1)[-1].lower() for m in self.book.sheets_metadata
        }
        if self.pkg.macro_enabled:
            what = "template (.xltm)" if self.pkg.extension == ".xltm" else "workbook (.xlsm)"
            self.report(codes.WORKBOOK_MACROS(what=what))
        framework = self._recognise()
        if framework is None:
            return
        current = self.registry.by_id.get(framework.id, framework)
        same = current is framework
        framework = self._rescored(framework)
        if framework is None:
            return
        self.rec.framework = framework
        self.layout = layout_for(
            framework, self.rec.meta.get("layout_variant", ""), self._period(framework)
        )
        self.older_edition = self.rec.meta.get("spec_version", "") not in ("", framework.version)
        self.current = framework if same else self._rescored(current)
        checks.check_sheets(self)
        self._read_cover()
        for sheet in self.layout.audit_sheets:
            self._read_audit(sheet)
        self._audit_table()
        self._read_tables()
        check_dates(self, self.rec.cover, self.rec.tables)
        checks.check_merges(self)
        checks.check_protection(self)
        if self.current is not framework:
            self._align_edition(framework, self.current)
        if self.pkg.kind == "ods":
            self.report(codes.WORKBOOK_ODS())
        check_completion(self.rec, self.registry, self.report)
        if self.date_notes:
            more = f" and {len(self.date_notes) - 1} more" if len(self.date_notes) > 1 else ""
            what = (
                "dates typed as text or numbers were read as UK dates" if more
                else "a date typed as text or a number was read as a UK date"
            )  # fmt: skip
            self.report(codes.DATES_READ_AS_UK(what=what, first=self.date_notes[0], more=more))
        self.rec.marks, self.rec.annotated = marks.annotation(self.grids.get(META_SHEET), self.rec)

    def _rescored(self, framework: Framework) -> Framework | None:
        """The framework with the scores the workbook was generated with (``generate
        --scores``, kept in its metadata); None (and an error) when they cannot be used."""
        given = self.rec.meta.get("scores", "")
        try:
            return rescore(framework, given)[0]
        except ScoresError as exc:
            self.report(codes.METADATA_SCORES(scores=_clip(given), reason=str(exc)))
            return None

    def _period(self, framework: Framework) -> str:
        """The rating period this workbook rates (frameworks with rating periods)."""
        meta = self.rec.meta
        try:
            return rating_period(
                framework, meta.get("year", ""), meta.get("term", ""), meta.get("plan_start", "")
            )
        except PeriodError:
            return ""

    def grid(self, sheet: str) -> Grid | None:
        """A sheet's values (by its expected or actual name), once its reach is checked."""
        name = self.actual(sheet)
        if name not in self.grids:
            if name not in self.sheet_names:
                return None
            facts = self.facts(name)
            if facts is not None and facts.cells > MAX_CELLS:
                raise ReturnError(checks.too_large(name, facts.rows, facts.cols, facts.farthest))
            try:
                grid = self.book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except READER_FAILURES as exc:
                raise ReturnError(codes.SHEET_UNREADABLE(sheet=name, reason=_short(exc))) from None
            self.grids[name] = grid
        return self.grids[name]

    def facts(self, name: str) -> SheetFacts | None:
        """What the sheet's XML says beyond values (None for .ods, or a sheet without XML)."""
        if name not in self._facts:
            if self._parts is None:
                self._parts = sheet_parts(self.pkg) if self.pkg.kind == "xlsx" else {}
            part = self._parts.get(name)
            self._facts[name] = scan_sheet(self.pkg.read(part)) if part else None
        return self._facts[name]

    def input_value(self, cell: Cell, grid=None, key: str = "") -> Any:
        """An input cell's value; a formula or an error value in it is reported (an error
        for a rating cell, whose value is then None; a warning for other inputs)."""
        name = self.alias.get(cell.sheet, cell.sheet)
        where = (cell.row, cell.col)
        inputs = self.inputs.get(name)
        if inputs is None:
            inputs = self.inputs[name] = {}
        inputs[where] = key
        raw = self.value(cell, grid)
        if not self._is_special(name):  # no formula or error value on the sheet: the usual
            return raw
        facts = self.facts(name)
        formula = facts.formulas.get(where)
        error = facts.errors.get(where)
        if formula is None and error is None:
            return raw
        if formula is not None:
            formula = _clip(formula, squash=True)
            if key:
                self.report(codes.RATING_FORMULA(**self.at(cell), formula=formula, key=key))
                return None
            result = _clip(_text(raw))
            self.report(codes.INPUT_FORMULA(**self.at(cell), formula=formula, result=result))
            return raw
        value = _clip(error or "", squash=True)
        if key:
            self.report(codes.RATING_ERROR_VALUE(**self.at(cell), value=value, key=key))
        else:
            self.report(codes.INPUT_ERROR_VALUE(**self.at(cell), value=value))
        return None

    def _is_special(self, name: str) -> bool:
        """Whether any cell of the sheet holds a formula or an error value (asked once)."""
        special = self._special.get(name)
        if special is None:
            facts = self.facts(name)
            special = self._special[name] = facts is not None and facts.special
        return special

    def _blank_row(self, row: Any, grid: Grid | None) -> bool:
        """Whether a table row's input cells are all empty on a sheet without formulas or
        error values (registered as inputs, as :meth:`input_value` would): the quick path
        for the many rows a return leaves blank."""
        name = self.actual(row.sheet)
        if self._is_special(name):
            return False
        inputs = self.inputs.setdefault(name, {})
        line = grid[row.row] if grid is not None and row.row < len(grid) else ()
        blank = True
        for cell in row.cells.values():
            inputs[(cell.row, cell.col)] = ""
            if cell.col < len(line) and line[cell.col] != "":
                blank = False
        return blank

    def value(self, cell: Cell, grid: Grid | None = None, row: int | None = None) -> Any:
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
            for row in meta_grid[1 : marks.MARK_ROW - 1]:  # below: an annotated copy's marks
                if len(row) >= 2 and isinstance(row[0], str) and row[0]:
                    meta[row[0]] = _text(row[1])
            self.rec.meta = meta
            if self.visibility.get(META_SHEET) == "visible":
                self.report(codes.METADATA_VISIBLE(sheet=META_SHEET))
            fw = self.registry.by_id.get(meta.get("framework", ""))
            if fw is None:
                known = ", ".join(sorted(self.registry.by_id))
                self.report(codes.FRAMEWORK_UNKNOWN(framework=meta.get("framework"), known=known))
                return None
            return self._check_edition(fw, meta)
        fw = self._recognise_by_structure()
        if fw is None and self._is_own_output():
            self.report(codes.CONSOLIDATED_NOT_RETURN())
            return None
        if fw is None:
            self.report(codes.NOT_AWARDBOOKS())
            return None
        self.report(codes.METADATA_MISSING(title=fw.title))
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

    def _align_edition(self, old: Framework, current: Framework) -> None:
        """A return of an earlier edition, read with that edition's spec, lined up with the
        current edition through the current spec's map of earlier item ids."""
        labels = {key: rating.label for key, rating in self.rec.ratings.items()}
        aligned, messages = align_ratings(current, old.version, labels)
        groups = {item.id: group.id for group in current.groups for item in group.items}
        ratings = {}
        for key, label in aligned.items():
            group = groups.get(key) or key.removesuffix(":judgement")
            before = self.rec.ratings.get(key)
            ratings[key] = Rating(
                key, group, label, before.date if before else "", before.comment if before else ""
            )
        self.rec.ratings = ratings
        self.rec.framework = current
        self.report(
            codes.EDITION_LINED_UP(version=old.version, name=current.name, current=current.version)
        )
        for message in messages:
            self.report(codes.EDITION_RATING_LEFT_OUT(note=message))

    def _is_own_output(self) -> bool:
        """Whether this is awardbooks' own consolidated workbook (by its document title)."""
        if self.pkg.kind != "xlsx" or not self.pkg.has("docProps/core.xml"):
            return False
        core = self.pkg.read("docProps/core.xml")[:4096]
        return b"awardbooks consolidated returns" in core or b"awardbooks feedback report" in core

    def _check_edition(self, fw: Framework, meta: dict[str, str]) -> Framework | None:
        version = meta.get("spec_version", "")
        if version != fw.version and (fw.id, version) in self.registry.by_version:
            return self.registry.by_version[(fw.id, version)]  # read with its own edition
        if version == fw.version:
            if meta.get("spec_fingerprint") and meta["spec_fingerprint"] != _printed(fw, meta):
                self.report(codes.EDITION_REWORDED(name=fw.name, version=version))
            return fw
        layout = layout_for(fw)
        moved = [
            r for r in layout.rating_rows if _text(self.value(Cell(r.sheet, r.row, 0))) != r.id_text
        ]
        if moved:
            self.report(
                codes.EDITION_ITEMS_DIFFER(
                    version=version or "?", name=fw.name, current=fw.version,
                    item=moved[0].id_text, sheet_name=moved[0].sheet, row=moved[0].row + 1,
                )
            )  # fmt: skip
            return None
        self.report(codes.EDITION_OLDER(version=version or "?", name=fw.name, current=fw.version))
        return fw

    # -- structure -----------------------------------------------------------------------
    # -- sheets --------------------------------------------------------------------------
    def _read_cover(self) -> None:
        grid = self.grid(COVER_SHEET)
        if grid is None:
            return
        for key, cell in self.layout.cover_inputs.items():
            column = self.layout.cover_input_columns[key]
            self.rec.cover[key] = self._typed(cell, column, self.input_value(cell, grid))
        if not self.rec.meta.get("setting"):  # recognised by structure: take the cover's
            for key, cell in self.layout.cover_details.items():
                value = _text(self.value(cell, grid))
                if key in ("setting", "urn", "partnership", "local_authority", "year"):
                    self.rec.meta[key] = value
                elif key == "term":
                    self.rec.meta[key] = value.lower()
                elif key == "workbook_id":
                    self.rec.meta[key] = value
            if self.layout.columns.periods:  # the period from the cover's plan years line
                for row in grid:
                    text = _text(row[0]) if row else ""
                    if text.startswith(PLAN_YEARS):
                        self.rec.meta["plan_start"] = text[len(PLAN_YEARS) :][:7]
                fw = self.rec.framework
                self.layout = layout_for(fw, self.layout.variant, self._period(fw))

    def _read_audit(self, sheet: str) -> None:
        grid = self.grid(sheet)
        if grid is None:
            return
        layout, fw = self.layout, self.rec.framework
        if not self._headers_match(sheet, grid):
            return
        index = id_index(grid)
        wording = _wording(fw)
        shifted = False
        for rr in (r for r in layout.rating_rows if r.sheet == sheet):
            row = rr.row
            if _text(self.value(Cell(sheet, row, 0), grid)) != rr.id_text:
                found = index.get(rr.id_text)
                if found is None:
                    self.report(codes.ROW_MISSING(**self.at(Cell(sheet, row, 0)), item=rr.id_text))
                    continue
                shifted = True
                row = found
            if rr.item_id is not None:
                written = _squash(self.value(Cell(sheet, row, 1), grid))
                if written != wording[rr.item_id]:
                    at = self.at(Cell(sheet, row, 1))
                    self.report(codes.WORDING_CHANGED(**at, item=rr.item_id))
            if rr.rated:
                self.rec.ratings[rr.key] = self._rating(sheet, grid, rr, row)
                if layout.columns.periods:
                    self._history(sheet, grid, rr, row)
        if shifted:
            self.report(codes.ROWS_MOVED(sheet=self.actual(sheet)))

    def _history(self, sheet: str, grid, rr: RatingRow, row: int) -> None:
        """A row's earlier periods' ratings (locked, carried forward) into the history
        table; a value there that is not a level is reported as in a rating cell."""
        cols, fw = self.layout.columns, self.rec.framework
        found = self.rec.tables.setdefault(HISTORY_TABLE, [])
        for period, col in cols.periods.items():
            if col >= cols.rating:
                break
            cell = Cell(sheet, row, col)
            label = self._level(cell, self.input_value(cell, grid), fw)
            if label:
                found.append({"key": rr.key, "row": row + 1, "period": period, "rating": label})

    def _headers_match(self, sheet: str, grid) -> bool:
        for col, text in self.expected_headings().items():
            found = _text(self.value(Cell(sheet, HEADER_ROW, col), grid))
            if found != text:
                at = self.at(Cell(sheet, HEADER_ROW, col))
                self.report(codes.HEADING_CHANGED(**at, expected=text, found=found))
                return False
        return True

    def expected_headings(self) -> dict[int, str]:
        fw, cols = self.rec.framework, self.layout.columns
        rating = fw.labels.rating
        if cols.periods:
            rating = period_heading(fw, cols.period)
        expected = {cols.id: "ID", cols.text: fw.labels.item, cols.rating: rating}
        if cols.date is not None:
            expected[cols.date] = fw.labels.date
        if cols.comment is not None:
            expected[cols.comment] = fw.labels.comment
        return expected

    def _rating(self, sheet: str, grid, rr: RatingRow, row: int) -> Rating:
        layout, fw = self.layout, self.rec.framework
        cell = Cell(sheet, row, layout.columns.rating)
        raw = self.input_value(cell, grid, rr.key)
        label = self._level(cell, raw, fw)
        rating = Rating(rr.key, rr.group_id, label)
        date = layout.date_cell(rr)
        if date is not None:
            at = Cell(sheet, row, date.col)
            rating.date = self._typed(at, _DATE, self.input_value(at, grid)) or ""
        comment = layout.comment_cell(rr)
        if comment is not None:
            rating.comment = _text(self.input_value(Cell(sheet, row, comment.col), grid))
        for column in fw.audit.columns:
            if column.input:
                at = Cell(sheet, row, layout.columns.extra[column.id])
                rating.extra[column.id] = self._typed(at, column, self.input_value(at, grid))
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
                self.report(codes.RATING_CASE(**self.at(cell), typed=raw, level=match))
                return match
        value = _clip(_text(raw))
        levels = "/".join(labels)
        if self.registry.lenient:
            self.report(codes.RATING_READ_AS_UNRATED(**self.at(cell), value=value, levels=levels))
        else:
            self.report(codes.RATING_NOT_A_LEVEL(**self.at(cell), value=value, levels=levels))
        return None

    def _typed(self, cell: Cell, column: Column, raw: Any) -> Any:
        """A value for a typed input column, with problems for what cannot be read."""
        if raw is None:
            return "" if column.type != "number" else None
        where = self.at(cell)
        if column.type == "date":
            value, problem, note = parse_date(raw)
            if problem is not None:
                self.report(dataclasses.replace(problem, **where))
            elif note:
                self.date_notes.append(f"{where['sheet']}!{where['cell']} ({note})")
            return value
        if column.type == "number":
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                return raw
            try:
                return float(str(raw).strip().replace(",", ""))
            except ValueError:
                self.report(codes.VALUE_NOT_A_NUMBER(**where, value=_clip(_text(raw))))
                return _text(raw)
        text = _text(raw)
        if column.options and text and text not in column.options:
            folded = {o.casefold(): o for o in column.options}
            if text.strip().casefold() in folded:
                return folded[text.strip().casefold()]
            options = ", ".join(column.options)
            self.report(codes.VALUE_NOT_AN_OPTION(**where, value=_clip(text), options=options))
        return text

    def _audit_table(self) -> None:
        """The rating sheets' input columns (an IARAP's current position, action, who delivers
        ...) as the table ``audit``: a row per rated row with anything typed in them, keyed by
        the row's key, like every other table (so carry-forward and the exports take them
        with the rest)."""
        ids = [c.id for c in self.rec.framework.audit.columns if c.input]
        if not ids:
            return
        found = []
        for rr in self.layout.rating_rows:
            rating = self.rec.ratings.get(rr.key)
            if rating is None:
                continue
            values = {cid: rating.extra.get(cid) for cid in ids}
            if any(v not in ("", None) for v in values.values()):
                found.append({"key": rr.key, "row": rr.row + 1} | values)
        self.rec.tables[AUDIT_TABLE] = found

    def _read_tables(self) -> None:
        layout = self.layout
        lists = {listed.id: listed for listed in layout.framework.sheets.lists}
        for table, rows in layout.table_rows.items():
            columns = layout.table_columns[table] | layout.table_columns.get(f"{table}_fields", {})
            if table in lists and self.actual(rows[0].sheet) in self.sheet_names:
                rows = located_rows(self, lists[table], rows)  # by their ids
            found = []
            for row in rows:
                if self.actual(row.sheet) not in self.sheet_names:
                    break
                grid = self.grid(row.sheet)
                if self._blank_row(row, grid):
                    continue
                values = {
                    cid: self._typed(cell, columns[cid], self.input_value(cell, grid))
                    for cid, cell in row.cells.items()
                }
                if any(v not in ("", None) for v in values.values()):
                    found.append({"key": row.key, "row": row.row + 1} | values)
            self.rec.tables[table] = found


def _printed(fw: Framework, meta: dict[str, str]) -> str:
    """The fingerprint a workbook of ``fw`` generated with its metadata's scores carries."""
    try:
        return rescore(fw, meta.get("scores", ""))[0].fingerprint()
    except ScoresError:
        return fw.fingerprint()  # reported when the framework is rescored


def _wording(fw: Framework) -> dict[str, str]:
    """Each item's text as compared for tampering, worked out once per framework."""
    return per_framework("wording", fw, lambda f: {i.id: _squash(i.text) for i in f.items})


_DATE = Column(id="date", label="Date", type="date")


__all__ = [
    "Layout", "Rating", "Registry", "ReturnReader", "ReturnRecord", "completion_text", "one_line",
    "parse_date",
    "read_bytes", "read_path", "refused",
]  # fmt: skip
