"""Authoring workbooks: a framework spec as an Excel workbook a consultant fills in.

``write_template`` writes one (empty, or filled from a spec) with xlsxwriter; its sheets and
columns are defined once in :mod:`awardbooks.authoring.sheets`, and
:mod:`awardbooks.authoring.reading` reads them back (``read_template`` / ``import_template``),
reporting every problem by sheet, row and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from awardbooks.authoring import codes
from awardbooks.authoring.keyvalues import SHEETS_ROWS
from awardbooks.authoring.sheets import (
    COLOURS,
    COLUMN_COLUMNS,
    COLUMNS,
    DESCRIPTOR,
    EDITION_COLUMNS,
    EDITIONS,
    FRAMEWORK,
    FRAMEWORK_ROWS,
    GROUP_COLUMNS,
    GROUPS,
    GUIDE,
    INFO_FIELD_COLUMNS,
    INFO_FIELDS,
    INSTRUCTION_ROWS,
    INSTRUCTIONS,
    INSTRUCTIONS_LABEL,
    ITEM_COLUMNS,
    ITEM_INFO,
    ITEM_INFO_COLUMNS,
    ITEMS,
    KV_HEADINGS,
    LAST_ROW,
    LEVEL_HEADINGS,
    LEVEL_TABLE_ROW,
    LIST_COLUMN_COLUMNS,
    LIST_COLUMNS,
    LIST_ROW_COLUMNS,
    LIST_ROWS,
    LIST_SHEET_COLUMNS,
    LISTS,
    MAX_LEVELS,
    OPTIONAL_SHEETS,
    OUTCOME_COLUMNS,
    OUTCOMES,
    PARTS,
    SCALE,
    SCALE_ROWS,
    SHEETS,
    TYPES,
    YES_NO,
    Col,
    KeyValueRow,
)
from awardbooks.common.files import atomic_write, ensure_folder
from awardbooks.common.xlsx import new_workbook
from awardbooks.errors import SpecError
from awardbooks.spec.model import BUILTIN_SCALES, Framework


def write_template(framework: Framework | None, path: str | Path, *, force: bool = False) -> Path:
    """Write an authoring workbook for ``framework`` (or an empty one for None) to ``path``.

    Refuses to replace an existing file (it may hold a consultant's work) unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise SpecError.of([codes.OUTPUT_EXISTS(file=str(path))])
    if path.suffix.lower() != ".xlsx":
        raise SpecError.of([codes.OUTPUT_NOT_XLSX(file=str(path))])
    ensure_folder(path.parent, SpecError)

    def write(handle) -> None:
        book = new_workbook(handle)  # texts stay texts: a spec's "=..." is no formula
        try:
            _Writer(book, framework).write()
        finally:
            book.close()

    atomic_write(path, write)
    return path


def levels_count(framework: Framework | None) -> int:
    return max(MAX_LEVELS, len(framework.scale.levels) if framework else 0)


def builtin_scale_id(framework: Framework) -> str | None:
    """The built-in scale the framework uses unchanged, if any."""
    for sid, scale in BUILTIN_SCALES.items():
        if scale == framework.scale:
            return sid
    return None


def row_value(framework: Framework | None, row: KeyValueRow) -> Any:
    """What a key/value row shows for ``framework`` (its default for an empty template)."""
    if framework is None:
        return row.default
    if row.path in {f"sheets.{name}" for name in OPTIONAL_SHEETS}:
        return "Yes" if getattr(framework.sheets, row.path[7:]) is not None else "No"
    node: Any = framework
    for part in row.path.split("."):
        node = getattr(node, part, None)
        if node is None:
            return row.default if row.path.startswith("sheets.") else None
    if row.kind == "yesno":
        return "Yes" if node else "No"
    if row.kind == "choice":
        return next((shown for shown, value in row.options if value == node), node)
    if row.kind == "lines":
        return "\n".join(node)
    return node


class _Writer:
    def __init__(self, book, framework: Framework | None):
        self.book = book
        self.fw = framework
        self.n_levels = levels_count(framework)
        base = {"text_wrap": True, "valign": "top", "font_size": 10}
        self.f_head = book.add_format(
            {**base, "bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "border": 1}
        )
        self.f_label = book.add_format({**base, "bold": True, "bg_color": "#EDEDED", "border": 1})
        self.f_section = book.add_format({**base, "bold": True, "font_size": 12})
        self.f_help = book.add_format({**base, "italic": True, "font_color": "#595959"})
        self.f_grey = book.add_format({**base, "bg_color": "#EDEDED", "border": 1})
        input_props = {**base, "bg_color": "#FFF2CC", "border": 1, "border_color": "#BFBFBF"}
        self.f_input = book.add_format({**input_props, "locked": False, "num_format": "@"})
        self.f_number = book.add_format({**input_props, "locked": False})
        self.f_title = book.add_format({"bold": True, "font_size": 14})
        self.f_text = book.add_format(base)
        self.widths: dict[tuple[str, int], float] = {}
        self.lines: dict[tuple[str, int], int] = {}

    def write(self) -> None:
        self.instructions()
        self.framework_sheet()
        self.scale_sheet()
        fw = self.fw
        self.table(GROUPS, GROUP_COLUMNS, self.group_rows())
        self.items_sheet()
        self.table(ITEM_INFO, ITEM_INFO_COLUMNS, self.info_rows())
        self.table(COLUMNS, COLUMN_COLUMNS, self.column_rows())
        self.key_value_sheet(SHEETS, SHEETS_ROWS)
        outcomes = fw.sheets.outcomes if fw and fw.sheets.outcomes else None
        rows = [[o.id, o.text, o.kind] for o in outcomes.outcomes] if outcomes else []
        self.table(OUTCOMES, OUTCOME_COLUMNS, rows)
        info = fw.sheets.info if fw and fw.sheets.info else None
        self.table(
            INFO_FIELDS,
            INFO_FIELD_COLUMNS,
            [[f.label, f.text] for f in info.fields] if info else [],
        )
        self.list_tables()
        rows = [
            [e.version, old, new]
            for e in (fw.previous_editions if fw else ())
            for old, new in (e.map.items() or [(None, None)])
        ]
        self.table(EDITIONS, EDITION_COLUMNS, rows)
        self.fit_rows()

    # -- sheets ----------------------------------------------------------------------------
    def sheet(self, name: str):
        """A new worksheet, set up to print landscape, one page wide, headings repeated."""
        ws = self.book.add_worksheet(name)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.set_header(f"&L{name}&R{self.fw.name if self.fw else 'New framework'}")
        return ws

    def instructions(self) -> None:
        ws = self.sheet(INSTRUCTIONS)
        width = 100
        ws.set_column(0, 0, width, self.f_text)
        what = f"filled from {self.fw.title} (version {self.fw.version})" if self.fw else "empty"
        lines = [(f"Authoring workbook for an awardbooks framework ({what})", self.f_title), None]
        for heading, paragraphs in GUIDE:
            lines += [(heading, self.f_section), *((p, self.f_text) for p in paragraphs), None]
        lines.append(("Built-in scales", self.f_section))
        lines += [(f"{sid}: {s.describe()}", self.f_text) for sid, s in BUILTIN_SCALES.items()]
        names = ", ".join(f"{name} ({hex_})" for name, hex_ in COLOURS.items())
        lines += [None, ("Colours", self.f_section)]
        lines.append((f"A colour name: {names}; or any hex code like #C6EFCE.", self.f_text))
        for row, line in enumerate(lines):
            if line is None:
                continue
            text, fmt = line
            ws.write_string(row, 0, text, fmt)
            if fmt is self.f_text and len(text) > width:  # rows do not grow by themselves
                ws.set_row(row, 14 * (1 + len(text) * 11 // (width * 10)))
        ws.activate()

    def framework_sheet(self) -> None:
        ws = self.key_value_sheet(FRAMEWORK, FRAMEWORK_ROWS)
        row = len(FRAMEWORK_ROWS) + 2
        ws.write_string(row, 0, INSTRUCTIONS_LABEL, self.f_label)
        self.fit(ws, row, 0, INSTRUCTIONS_LABEL)
        ws.write_string(row, 2, "What the person filling in the workbook should know.", self.f_help)
        paragraphs = list(self.fw.instructions) if self.fw else []
        for n in range(max(INSTRUCTION_ROWS, len(paragraphs))):
            ws.write_number(row + 1 + n, 0, n + 1, self.f_grey)
            if n < len(paragraphs):
                self.put(ws, row + 1 + n, 1, paragraphs[n], "text")

    def key_value_sheet(self, name: str, rows: tuple[KeyValueRow, ...]):
        ws = self.sheet(name)
        self.set_column(ws, 0, 34)
        self.set_column(ws, 1, 60, self.f_input)
        self.set_column(ws, 2, 60, self.f_help)
        for c, heading in enumerate(KV_HEADINGS):
            ws.write_string(0, c, heading, self.f_head)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        for r, kv in enumerate(rows, start=1):
            if kv.kind == "section":
                ws.write_string(r, 0, kv.label, self.f_section)
                ws.write_blank(r, 1, None, self.f_text)
                continue
            ws.write_string(r, 0, kv.label, self.f_label)
            ws.write_string(r, 2, kv.help, self.f_help)
            self.fit(ws, r, 2, kv.help)
            self.put(ws, r, 1, row_value(self.fw, kv), kv.kind)
            options = kv.options or (YES_NO if kv.kind == "yesno" else ())
            if options:
                self.dropdown(ws, r, 1, r, [shown for shown, _ in options], kv.label)
        return ws

    def scale_sheet(self) -> None:
        fw = self.fw
        builtin = builtin_scale_id(fw) if fw else None
        custom = fw.scale if fw and not builtin else None
        rows = SCALE_ROWS
        ws = self.sheet(SCALE)
        for c, width, fmt in ((0, 16, None), (1, 22, self.f_input), (2, 40, self.f_input),
                              (3, 12, self.f_number), (4, 12, self.f_input)):  # fmt: skip
            self.set_column(ws, c, width, fmt)
        ws.set_column(5, 5, 16)
        ws.set_column(7, 7, 16)
        ws.set_column(8, 8 + len(BUILTIN_SCALES), 26)
        for c, heading in enumerate(KV_HEADINGS):
            ws.write_string(0, c, heading, self.f_head)
        values = (builtin, custom.id if custom else None, custom.title if custom else None)
        for r, (kv, value) in enumerate(zip(rows, values), start=1):
            ws.write_string(r, 0, kv.label, self.f_label)
            ws.write_string(r, 2, kv.help, self.f_help)
            self.fit(ws, r, 2, kv.help)
            self.put(ws, r, 1, value, "text")
        self.dropdown(ws, 1, 1, 1, list(BUILTIN_SCALES), "Built-in scale", error="stop")
        top = LEVEL_TABLE_ROW
        for c, heading in enumerate(LEVEL_HEADINGS):
            ws.write_string(top, c, heading, self.f_head)
        ids = list(BUILTIN_SCALES)
        ws.write_string(top, 7, "Built-in scales:", self.f_label)
        for c, sid in enumerate(ids, start=8):
            ws.write_string(top, c, sid, self.f_head)
        first_id, last_id = _a1(top, 8, True), _a1(top, 7 + len(ids), True)
        levels = custom.levels if custom else ()
        for k in range(self.n_levels):
            r = top + 1 + k
            ws.write_number(r, 0, k + 1, self.f_grey)
            level = levels[k] if k < len(levels) else None
            if level:
                ws.write_string(r, 1, level.label, self.f_input)
                self.put(ws, r, 2, level.meaning, "text")
                ws.write_number(r, 3, level.score, self.f_number)
                ws.write_string(r, 4, level.colour, self.f_input)
            for c, sid in enumerate(ids, start=8):
                scale = BUILTIN_SCALES[sid]
                if k < len(scale.levels):
                    ws.write_string(r, c, scale.levels[k].label, self.f_grey)
            label = f"$B${r + 1}"
            row_ref = f"{_a1(r, 8, True)}:{_a1(r, 7 + len(ids), True)}"
            formula = (
                f'=IF($B$2="",IF({label}="","",{label}),'
                f'IFERROR(""&INDEX({row_ref},MATCH($B$2,{first_id}:{last_id},0)),""))'
            )
            ws.write_formula(r, 5, formula, self.f_grey, self.level_label(k))
        last = top + self.n_levels
        ws.data_validation(top + 1, 3, last, 3, {
            "validate": "decimal", "criteria": ">=", "value": 0, "input_title": "Score",
            "input_message": "A number, 0 or more; scores rise from the first level to the last.",
            "error_title": "Score", "error_message": "Type a number, e.g. 50.",
        })  # fmt: skip
        self.dropdown(ws, top + 1, 4, last, list(COLOURS), "Colour", error="information")
        ws.freeze_panes(top + 1, 0)

    def level_label(self, k: int) -> str:
        if self.fw is None or k >= len(self.fw.scale.levels):
            return ""
        return self.fw.scale.levels[k].label

    def items_sheet(self) -> None:
        fixed = ITEM_COLUMNS
        descriptors = [
            Col(
                f"{DESCRIPTOR} {k + 1}",
                f"level{k + 1}",
                "text",
                30,
                "This item's description at this level of the scale (optional).",
            )
            for k in range(self.n_levels)
        ]
        columns = (*fixed[:3], *descriptors, *fixed[3:])
        fw = self.fw
        rows = []
        for group in fw.groups if fw else ():
            for item in group.items:
                texts = [item.descriptors.get(label) for label in fw.scale.labels]
                texts += [None] * (self.n_levels - len(texts))
                evidence = "\n".join(item.evidence) or None
                preset = "\n".join(item.preset_evidence) or None
                rated = "Yes" if item.rated else "No"
                rows.append([group.id, item.id, item.text, *texts, evidence, preset, rated])
        ws = self.table(ITEMS, columns, rows)
        for k in range(self.n_levels):
            ref = f"{SCALE}!$F${LEVEL_TABLE_ROW + 2 + k}"
            label = self.level_label(k)
            cached = f"{DESCRIPTOR} {k + 1}: " + (label or f"no level {k + 1} in the scale")
            ws.write_formula(
                0, 3 + k,
                f'="{DESCRIPTOR} {k + 1}: "&IF({ref}="","no level {k + 1} in the scale",{ref})',
                self.f_head, cached,
            )  # fmt: skip

    def group_rows(self) -> list[list[Any]]:
        if not self.fw:
            return []
        return [
            [
                g.id, g.title, g.note, "Yes" if g.judgement else "No",
                "best-fit judgement" if g.scored_by == "judgement" else "",
            ]
            for g in self.fw.groups
        ]  # fmt: skip

    def info_rows(self) -> list[list[Any]]:
        if not self.fw:
            return []
        return [[item.id, key, text] for item in self.fw.items for key, text in item.info.items()]

    def column_rows(self) -> list[list[Any]]:
        fw = self.fw
        if not fw:
            return []
        rows = []
        for shown, path in PARTS:
            node: Any = fw
            for part in path.split("."):
                node = getattr(node, part, None) if node is not None else None
            for column in node or ():
                rows.append([shown, *self.column_row(column), *_limit_cells(column)])
        return rows

    def list_tables(self) -> None:
        """The Lists, List rows and List columns sheets (``sheets.lists``)."""
        lists = self.fw.sheets.lists if self.fw else ()
        sheets, rows, columns = [], [], []
        for listed in lists:
            sheets.append([
                listed.id, listed.title, listed.heading or None, "\n".join(listed.intro) or None,
                None if listed.text_label == "Item" else listed.text_label,
                None if listed.answer_lines == 1 else listed.answer_lines,
                listed.due or None, listed.done or None,
            ])  # fmt: skip
            for row in listed.rows:
                info = "\n".join(f"{key}: {text}" for key, text in row.info.items())
                rows.append([listed.id, row.id, row.text, info or None])
            for column in listed.columns:
                columns.append([listed.id, *self.column_row(column)])
        self.table(LISTS, LIST_SHEET_COLUMNS, sheets)
        self.table(LIST_ROWS, LIST_ROW_COLUMNS, rows)
        self.table(LIST_COLUMNS, LIST_COLUMN_COLUMNS, columns)

    @staticmethod
    def column_row(column) -> list[Any]:
        """A column's cells on the Columns sheet, after its part."""
        return [
            column.id, column.label,
            next(s for s, v in TYPES if v == column.type),
            "\n".join(column.choices) or None,
            None if column.width == 24 else column.width,
            "Yes" if column.input else "No",
            column.help or None,
        ]  # fmt: skip

    def table(self, name: str, columns, rows: list[list[Any]]):
        ws = self.sheet(name)
        for c, col in enumerate(columns):
            fmt = self.f_number if col.kind == "number" else self.f_input
            self.set_column(ws, c, col.width, fmt)
            ws.write_string(0, c, col.heading, self.f_head)
            ws.write_comment(0, c, col.help, {"x_scale": 2, "y_scale": 1})
            if col.options:
                self.dropdown(ws, 1, c, LAST_ROW - 1, [s for s, _ in col.options], col.heading)
            elif col.source:
                self.dropdown(ws, 1, c, LAST_ROW - 1, col.source, col.heading)
            elif col.kind == "number":
                ws.data_validation(1, c, LAST_ROW - 1, c, {
                    "validate": "decimal", "criteria": ">", "value": 0,
                    "error_title": col.heading[:32], "error_message": "Type a number.",
                })  # fmt: skip
        for r, values in enumerate(rows, start=1):
            for c, value in enumerate(values):
                self.put(ws, r, c, value, columns[c].kind)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        return ws

    # -- cells -------------------------------------------------------------------------------
    def put(self, ws, r: int, c: int, value: Any, kind: str) -> None:
        if value is None or value == "":
            return
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ws.write_number(r, c, value, self.f_number)
        else:
            ws.write_string(r, c, str(value), self.f_input)
            self.fit(ws, r, c, str(value))

    def fit(self, ws, r: int, c: int, text: str) -> None:
        """Remember how many lines a wrapped text needs (rows do not grow by themselves)."""
        width = int(self.widths.get((ws.name, c), 9) * 1.1)
        lines = sum(max(1, -(-len(line) // width)) for line in text.split("\n"))
        key = (ws.name, r)
        self.lines[key] = max(lines, self.lines.get(key, 1))

    def set_column(self, ws, c: int, width: float, fmt=None) -> None:
        ws.set_column(c, c, width, fmt)
        self.widths[(ws.name, c)] = width

    def fit_rows(self) -> None:
        sheets = {sheet.name: sheet for sheet in self.book.worksheets()}
        for name, sheet in sheets.items():
            if name != INSTRUCTIONS:
                sheet.set_row(0, 27)  # headings on up to two lines
        for (name, r), lines in self.lines.items():
            if lines > 1 and r > 0:
                sheets[name].set_row(r, min(409, 13 * lines + 2))

    def dropdown(self, ws, r1, c, r2, source, title: str, error: str = "stop") -> None:
        message = source if isinstance(source, str) else ", ".join(source)
        options = {
            "validate": "list",
            "source": source,
            "error_type": error,
            "input_title": title[:32],
            "input_message": (
                f"Choose from the list ({message})"[:255]
                if not isinstance(source, str)
                else "Choose from the list (the ids typed on that sheet)."
            ),
        }
        ws.data_validation(r1, c, r2, c, options)


def _limit_cells(column) -> list[Any]:
    """A cover date's limit as the Columns sheet's four date limit cells (empty if none)."""
    limit = column.within
    if limit is None:
        return [None] * 4
    warning = None if limit.warning == "DATE_TOO_LATE" else limit.warning
    return [limit.after, limit.months, warning, limit.rule or None]


def _a1(row: int, col: int, absolute: bool = False) -> str:
    return xl_rowcol_to_cell(row, col, row_abs=absolute, col_abs=absolute)
