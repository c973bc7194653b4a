"""Read a completed authoring workbook back into spec data, and validate it.

Every problem is reported by sheet, cell and heading in the consultant's terms, all at once::

    my-framework.xlsx: Items!C14 (Text): empty; every item needs its wording

Values are read with python-calamine: it is fast, is already the analyser's reader, and also
reads the workbook if the consultant saved it as .ods or .xls. Nothing here needs formats,
dropdowns or protection, which only openpyxl would give.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from awardbooks.authoring import codes
from awardbooks.authoring import sheets as A
from awardbooks.authoring.sheets import Loc, text_of, value_of
from awardbooks.errors import SpecError
from awardbooks.problems import Code, Problem
from awardbooks.spec import codes as spec_codes
from awardbooks.spec.loading import check_data, display_path, suggest
from awardbooks.spec.model import BUILTIN_SCALES, Framework

HINTS = {
    (A.FRAMEWORK, "Framework id"): "give the framework a short id of lower-case letters, "
    "digits and -, e.g. my-framework",
    (A.FRAMEWORK, "Title"): "give the framework's full title",
    (A.FRAMEWORK, "Version"): "give this edition's version, e.g. 2026.1",
    (A.FRAMEWORK, "Source document"): "say where the wording comes from",
    (A.SCALE, "Built-in scale"): "choose a built-in scale, or type your own levels in the "
    "table below",
    (A.SCALE, "Label"): "every level needs a label",
    (A.SCALE, "Score"): "every level needs a score, e.g. 50",
    (A.GROUPS, "Group id"): "every group needs an id, e.g. 1",
    (A.GROUPS, "Title"): "every group needs a title",
    (A.ITEMS, "Item id"): "every item needs an id, e.g. 1.1",
    (A.ITEMS, "Text"): "every item needs its wording",
    (A.COLUMNS, "Column id"): "every column needs an id, e.g. lead",
    (A.COLUMNS, "Heading"): "every column needs a heading",
    (A.OUTCOMES, "Outcome id"): "every outcome needs an id, e.g. K1",
    (A.OUTCOMES, "Text"): "every outcome needs its wording",
    (A.INFO_FIELDS, "Heading"): "every field needs a heading",
    (A.INFO_FIELDS, "Text"): "every field needs its text",
    (A.SHEETS, "Info sheet: title"): "the info sheet needs a name",
    (A.SHEETS, "Membership: categories"): "list the categories, one per line",
}
CHECKED_HERE = {
    code.id
    for code in (
        spec_codes.GROUP_ID_REPEATED,
        spec_codes.ITEM_ID_REPEATED,
        spec_codes.UNKNOWN_LEVEL,
        spec_codes.UNKNOWN_INFO_COLUMN,
        spec_codes.COLUMN_ID_REPEATED,
        spec_codes.EDITION_OWN_VERSION,
        spec_codes.EDITION_REPEATED,
        spec_codes.EDITION_UNKNOWN_ITEM,
    )
}
"""The spec's cross-field checks this reader makes per cell (in the workbook's terms) as it
reads: the spec's own reports of them are left out."""
REWORDED: dict[str, Code] = {
    spec_codes.TEXT_TOO_LONG.id: codes.TOO_LONG,
    spec_codes.CELL_TEXT_TOO_LONG.id: codes.TOO_LONG,
    spec_codes.TOO_SMALL.id: codes.AT_LEAST,
    spec_codes.NOT_ABOVE.id: codes.MORE_THAN,
    spec_codes.TOO_LARGE.id: codes.AT_MOST,
}
"""The spec's problems with a limit, in the workbook's words (``limit`` fills both)."""


def read_template(path: str | Path, *, source: str | None = None) -> dict:
    """A completed authoring workbook → spec data (as a YAML spec would hold it); SpecError
    lists every problem found while reading. The data is not yet validated as a spec."""
    reader = _Reader(path, source)
    data = reader.read()
    reader.raise_problems()
    return data


def import_template(path: str | Path, *, source: str | None = None) -> Framework:
    """A completed authoring workbook → a validated Framework; SpecError lists every problem
    by sheet, row and column."""
    reader = _Reader(path, source)
    data = reader.read()
    framework, problems = check_data(data)
    reader.add_spec_problems(problems)
    reader.raise_problems()
    assert framework is not None
    return framework


class _Reader:
    def __init__(self, path: Path, source: str | None):
        self.path = Path(path)
        self.source = source or display_path(self.path)
        self.problems: list[tuple[Loc | None, Problem]] = []
        self.where: dict[str, Loc] = {}
        self.grids: dict[str, list[list[Any]]] = {}

    # -- problems --------------------------------------------------------------------------
    def problem(self, loc: Loc | None, problem: Problem) -> None:
        """Record ``problem`` (made without a place) at ``loc``."""
        self.problems.append((loc, problem))

    def raise_problems(self) -> None:
        if not self.problems:
            return
        ordered = sorted(self.problems, key=lambda p: p[0].sort_key() if p[0] else (-2,))
        found = [loc.place(problem) if loc else problem.at(path="") for loc, problem in ordered]
        raise SpecError.of(found, self.source)

    def add_spec_problems(self, problems: list[Problem]) -> None:
        """Place spec.check_data's problems (each at a spec key path) at the workbook's cells,
        in the workbook's words where the spec's are about the YAML."""
        cells = {(loc.sheet, loc.row, loc.col) for loc, _ in self.problems if loc}
        rows = {(loc.sheet, loc.row) for loc, _ in self.problems if loc}
        for problem in problems:
            if problem.code in CHECKED_HERE:
                continue
            path, missing = problem.path, problem.code == spec_codes.MISSING_KEY.id
            if missing:
                key = problem.values["key"]
                path = f"{path}.{key}" if path else key
            loc, exact = self.locate(path)
            if loc and (
                (loc.sheet, loc.row, loc.col) in cells
                or (loc.col is None and (loc.sheet, loc.row) in rows)
            ):
                continue  # already reported for this cell or row
            if missing and loc and exact and loc.row:
                heading = loc.heading if loc.col is not None else ""
                problem = codes.EMPTY(hint=HINTS.get((loc.sheet, heading), "fill it in"))
            elif missing and loc and exact and loc.sheet == A.GROUPS:
                problem = codes.NO_GROUPS()
            elif missing and not (loc and exact):
                problem = codes.NEEDS_VALUE(what=key.replace("_", " "))
            elif problem.code in REWORDED:
                problem = REWORDED[problem.code](limit=problem.values["limit"])
            elif problem.code == spec_codes.TOO_FEW.id:
                noun = re.sub(r"\[\d+\]", "", path).rsplit(".", 1)[-1].replace("_", " ")
                problem = codes.TOO_FEW(
                    limit=problem.values["limit"],
                    noun=noun.removesuffix("s"),
                    actual=problem.values["actual"],
                )
            self.problem(loc, problem)

    def locate(self, path: str) -> tuple[Loc | None, bool]:
        """The place of a spec path (or of its nearest parent); True if exactly that path."""
        exact = True
        while path:
            if path in self.where:
                return self.where[path], exact
            shorter = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
            if shorter == path:
                break
            path, exact = shorter, False
        return None, False

    # -- the workbook ----------------------------------------------------------------------
    def read(self) -> dict:
        # python_calamine is imported here, not at the top: `awardbooks --help` need not wait
        from python_calamine import CalamineWorkbook

        if not self.path.is_file():
            raise SpecError.of([codes.FILE_MISSING(file=self.source)])
        try:
            book = CalamineWorkbook.from_path(str(self.path))
            for name in book.sheet_names:
                self.grids[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except Exception as exc:  # a damaged or non-workbook file: one line, never a traceback
            detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
            raise SpecError.of([codes.UNREADABLE(file=self.source, detail=detail)]) from None
        missing = [name for name in A.REQUIRED_SHEETS if name not in self.grids]
        if missing:
            sheets = ", ".join(missing)
            raise SpecError.of([codes.NOT_A_TEMPLATE(file=self.source, sheets=sheets)])
        data: dict[str, Any] = {"format": 1}
        self.key_values(A.FRAMEWORK, A.FRAMEWORK_ROWS, data)
        self.where.setdefault("source", self.where.get("source.document", Loc(A.FRAMEWORK)))
        data["instructions"] = self.instructions()
        levels = self.scale(data)
        groups = self.groups(data)
        columns = self.columns(data)
        self.items(data, groups, levels)
        self.item_info(data, groups, columns)
        self.sheets(data)
        self.editions(data)
        return {key: value for key, value in data.items() if value not in (None, [], {})}

    def grid(self, name: str) -> list[list[Any]]:
        return self.grids.get(name, [])

    def key_values(self, name: str, rows: tuple[A.KeyValueRow, ...], data: dict) -> None:
        """Fill ``data`` from a key/value sheet's Value column, found by the rows' labels."""
        found = {text_of(row[0]): (r, row) for r, row in enumerate(self.grid(name)) if row}
        for kv in rows:
            if kv.kind == "section" or kv.label not in found:
                continue
            r, row = found[kv.label]
            loc = Loc(name, r + 1, 1, kv.label)
            self.where[kv.path] = loc
            value = self.convert(row[1] if len(row) > 1 else None, kv.kind, loc, kv.options)
            if value is not None:
                _put(data, kv.path, value)

    def instructions(self) -> list[str]:
        grid, found = self.grid(A.FRAMEWORK), []
        marks = (r for r, row in enumerate(grid) if row and row[0] == A.INSTRUCTIONS_LABEL)
        start = next(marks, None)
        for r in range(start + 1 if start is not None else len(grid), len(grid)):
            text = self.convert(grid[r][1] if len(grid[r]) > 1 else None, "text", None)
            if text is not None:
                loc = Loc(A.FRAMEWORK, r + 1, 1, "Instruction")
                self.where[f"instructions[{len(found)}]"] = loc
                found.append(text)
        return found

    def scale(self, data: dict) -> dict[int, str]:
        """Fill data["scale"]; return level position (1-based) → label."""
        grid = self.grid(A.SCALE)
        top = next(
            (r for r, row in enumerate(grid) if row and text_of(row[0]) == A.LEVEL_HEADINGS[0]),
            None,
        )
        found: dict[str, Any] = {}
        self.key_values(A.SCALE, A.SCALE_ROWS, found)
        scale: dict[str, Any] = found.get("scale", {})
        self.where["scale"] = self.where.pop("scale.builtin", Loc(A.SCALE))
        levels, positions = [], {}
        for r in range(top + 1 if top is not None else len(grid), len(grid)):
            row = (grid[r] + [""] * 5)[:5]
            if all(text_of(v) == "" for v in row[1:5]):
                continue
            at = f"scale.levels[{len(levels)}]"
            self.where[at] = Loc(A.SCALE, r + 1)
            level: dict[str, Any] = {}
            for c, key, kind in ((1, "label", "text"), (2, "meaning", "text"),
                                 (3, "score", "number"), (4, "colour", "colour")):  # fmt: skip
                loc = Loc(A.SCALE, r + 1, c, A.LEVEL_HEADINGS[c])
                self.where[f"{at}.{key}"] = loc
                value = self.convert(row[c], kind, loc)
                if value is not None:
                    level[key] = value
            positions[r - top] = level.get("label") or f"level {r - top}"
            levels.append(level)
        builtin = scale.pop("builtin", None)
        if builtin and levels:
            self.problem(self.where["scale"], codes.SCALE_TWICE())
        if builtin:
            data["scale"] = builtin
            chosen = BUILTIN_SCALES.get(builtin)
            return {k + 1: lv.label for k, lv in enumerate(chosen.levels)} if chosen else {}
        if levels:
            fid = data.get("id") or "custom"
            scale.setdefault("id", f"{fid}-scale")
            scale.setdefault("title", " / ".join(str(lv.get("label", "?")) for lv in levels))
            data["scale"] = {**scale, "levels": levels}
        return positions

    def table(self, name: str, columns) -> list[tuple[int, dict[str, Any]]]:
        """The entries of a table sheet: (Excel row, {key: value}) for every non-empty row."""
        grid = self.grid(name)
        if not grid:
            return []
        headings = {text_of(value): c for c, value in enumerate(grid[0])}
        wanted = {col.heading: col for col in columns}
        lost = [h for h in wanted if h not in headings]
        if lost:
            self.problem(Loc(name, 1), codes.HEADING_MISSING(headings=", ".join(map(repr, lost))))
        found = []
        for r in range(1, len(grid)):
            row = grid[r]
            raw = {
                c: row[c]
                for heading, c in headings.items()
                if c < len(row)
                and text_of(row[c])
                and (heading in wanted or heading.startswith(A.DESCRIPTOR))
            }
            if not raw:
                continue  # an empty row (or only notes in a column of the consultant's own)
            entry: dict[str, Any] = {"_raw": raw}
            for heading, c in headings.items():
                col = wanted.get(heading)
                if col is not None and c < len(row):
                    loc = Loc(name, r + 1, c, heading)
                    entry[col.key] = (self.convert(row[c], col.kind, loc, col.options), loc)
            found.append((r + 1, entry))
        return found

    def groups(self, data: dict) -> dict[str, dict]:
        groups, first_row = [], {}
        for row, entry in self.table(A.GROUPS, A.GROUP_COLUMNS):
            at = f"groups[{len(groups)}]"
            group = self.entry(at, row, entry, A.GROUPS)
            gid = group.get("id")
            if gid in first_row:
                self.problem(
                    _loc(entry, "id"), codes.GROUP_ID_REPEATED(group=gid, row=first_row[gid])
                )
            first_row.setdefault(gid, row)
            groups.append(group)
        data["groups"] = groups
        self.where["groups"] = Loc(A.GROUPS)
        by_id: dict[str, dict] = {}
        for group in groups:
            if "id" in group:
                by_id.setdefault(group["id"], group)  # the first of a repeated id
        return by_id

    def items(self, data: dict, groups: dict[str, dict], levels: dict[int, str]) -> None:
        grid = self.grid(A.ITEMS)
        heads = [text_of(v) for v in grid[0]] if grid else []
        text_col = heads.index("Text") if "Text" in heads else None
        ev_col = heads.index("Evidence examples") if "Evidence examples" in heads else len(heads)
        between = range(text_col + 1, ev_col) if text_col is not None else range(0)
        described = {
            c: int(m.group(1)) if (m := re.match(rf"{A.DESCRIPTOR} (\d+)", heads[c])) else n + 1
            for n, c in enumerate(between)
        }
        ids: dict[str, int] = {}
        known = ", ".join(groups) or "none yet"
        for row, entry in self.table(A.ITEMS, A.ITEM_COLUMNS):
            gid, gloc = entry.get("group", (None, Loc(A.ITEMS, row)))
            if gid is None:
                hint = "type the id of the item's group (from the Groups sheet)"
                self.problem(gloc, codes.EMPTY(hint=hint))
                continue
            group = groups.get(gid)
            if group is None:
                hint = suggest(gid, groups)
                self.problem(gloc, codes.UNKNOWN_GROUP(group=gid, hint=hint, known=known))
                continue
            g = data["groups"].index(group)
            at = f"groups[{g}].items[{len(group.setdefault('items', []))}]"
            entry.pop("group")
            item = self.entry(at, row, entry, A.ITEMS)
            iid = item.get("id")
            if iid in ids:
                self.problem(_loc(entry, "id"), codes.ITEM_ID_REPEATED(item=iid, row=ids[iid]))
            ids.setdefault(iid, row)
            descriptors = {}
            for c, k in described.items():
                text = self.convert(entry["_raw"].get(c), "text", None)
                if text is None:
                    continue
                loc = Loc(A.ITEMS, row, c, f"{A.DESCRIPTOR} {k}")
                if k not in levels:
                    names = ", ".join(levels.values()) or "none yet"
                    self.problem(loc, codes.DESCRIPTOR_WITHOUT_LEVEL(level=k, levels=names))
                    continue
                descriptors[levels[k]] = text
                self.where[f"{at}.descriptors.{levels[k]}"] = loc
            if descriptors:
                item["descriptors"] = descriptors
            group["items"].append(item)
        for g, group in enumerate(data["groups"]):
            if not group.get("items") and group.get("judgement") is not True:
                loc = self.where.get(f"groups[{g}].judgement") or self.where[f"groups[{g}]"]
                self.problem(loc, codes.GROUP_EMPTY(group=group.get("id", "?")))

    def item_info(self, data: dict, groups: dict[str, dict], columns: dict[str, Loc]) -> None:
        items = {
            item["id"]: (f"groups[{g}].items[{i}]", item)
            for g, group in reversed(list(enumerate(data["groups"])))
            for i, item in reversed(list(enumerate(group.get("items", []))))
            if "id" in item
        }
        seen: dict[tuple[str, str], int] = {}
        for row, entry in self.table(A.ITEM_INFO, A.ITEM_INFO_COLUMNS):
            (iid, iloc), (cid, cloc), (text, tloc) = (
                entry.get(k, (None, Loc(A.ITEM_INFO, row))) for k in ("item", "column", "text")
            )
            bad = False
            for value, loc, known, what, unknown, key in (
                (
                    iid,
                    iloc,
                    items,
                    "an item id on the Items sheet",
                    codes.INFO_UNKNOWN_ITEM,
                    "item",
                ),
                (
                    cid,
                    cloc,
                    columns,
                    "a Rating sheets column whose School fills in is No (on the Columns sheet)",
                    codes.INFO_UNKNOWN_COLUMN,
                    "column",
                ),
            ):
                if value is None:
                    self.problem(loc, codes.EMPTY(hint=f"type {what}"))
                    bad = True
                elif value not in known:
                    hint = suggest(value, known)
                    self.problem(loc, unknown(**{key: value}, hint=hint))
                    bad = True
            if text is None:
                self.problem(tloc, codes.EMPTY(hint="type the text, or delete the row"))
            elif not bad and (iid, cid) in seen:
                self.problem(cloc, codes.INFO_REPEATED(column=cid, item=iid, row=seen[(iid, cid)]))
            elif not bad:
                seen[(iid, cid)] = row
                at, item = items[iid]
                item.setdefault("info", {})[cid] = text
                self.where[f"{at}.info.{cid}"] = tloc

    def columns(self, data: dict) -> dict[str, Loc]:
        """Fill every part's columns; return the Rating sheets' locked (info) column ids."""
        info, parts, seen = {}, {}, {}
        for row, entry in self.table(A.COLUMNS, A.COLUMN_COLUMNS):
            part, ploc = entry.pop("part", (None, Loc(A.COLUMNS, row)))
            if part is None:
                self.problem(ploc, codes.EMPTY(hint="choose where the column goes"))
                continue
            column = {
                k: pair[0] for k, pair in entry.items() if k != "_raw" and pair[0] is not None
            }
            for key in [k for k in column if "." in k]:  # within.after → within: {after}
                outer, inner = key.split(".", 1)
                column.setdefault(outer, {})[inner] = column.pop(key)
            if column.get("choices") and "type" not in column:
                column["type"] = "choice"
            if column.get("type", "text") == "choice" and not column.get("choices"):
                hint = "a choice column needs its choices, one per line"
                self.problem(Loc(A.COLUMNS, row, 4, "Choices"), codes.EMPTY(hint=hint))
                column.pop("type")
            elif column.get("choices") and column.get("type") != "choice":
                self.problem(_loc(entry, "type"), codes.CHOICES_WITHOUT_CHOICE())
                column.pop("choices")
            cid = column.get("id")
            if (part, cid) in seen:
                repeated = codes.COLUMN_ID_REPEATED(column=cid, row=seen[(part, cid)])
                self.problem(_loc(entry, "id"), repeated)
            seen.setdefault((part, cid), row)
            at = f"{part}[{len(parts.setdefault(part, []))}]"
            self.where[at] = Loc(A.COLUMNS, row)
            for key, pair in entry.items():
                if key != "_raw":
                    self.where[f"{at}.{key}"] = pair[1]
            parts[part].append(column)
            if part == "audit.columns" and column.get("input") is False and cid:
                info[cid] = _loc(entry, "id")
            self.where.setdefault(part, ploc)
        self.parts = parts
        for part, columns in parts.items():
            if not part.startswith("sheets."):
                _put(data, part, columns)
        return info

    def sheets(self, data: dict) -> None:
        values: dict[str, Any] = {}
        self.key_values(A.SHEETS, A.SHEETS_ROWS, values)
        data["audit"] = {**values.get("audit", {}), **data.get("audit", {})} or None
        chosen = values.get("sheets", {})
        lists = {
            "outcomes": ("outcomes", self.table(A.OUTCOMES, A.OUTCOME_COLUMNS), A.OUTCOMES),
            "info": ("fields", self.table(A.INFO_FIELDS, A.INFO_FIELD_COLUMNS), A.INFO_FIELDS),
        }
        result = {}
        for name in A.OPTIONAL_SHEETS:
            value = chosen.get(name)
            include = value is True or isinstance(value, dict) and value.get("include") is True
            include_loc = self.where.get(f"sheets.{name}", Loc(A.SHEETS))
            parts = [p for p in self.parts if p.startswith(f"sheets.{name}.")]
            key, rows, sheet = lists.get(name, (None, [], None))
            if not include:
                shown = name.replace("_", " ")
                for part in parts:
                    self.problem(self.where[part], codes.SHEET_NOT_INCLUDED(
                        part=shown, include=include_loc, remedy="delete this row"))  # fmt: skip
                if rows:
                    self.problem(Loc(sheet, rows[0][0]), codes.SHEET_NOT_INCLUDED(
                        part=shown, include=include_loc, remedy="clear this sheet"))  # fmt: skip
                continue
            fields = dict(value) if isinstance(value, dict) else {}
            fields.pop("include", None)
            for part in parts:
                fields[part.rsplit(".", 1)[1]] = self.parts[part]
            if key:
                fields[key] = [
                    self.entry(f"sheets.{name}.{key}[{n}]", row, entry, sheet)
                    for n, (row, entry) in enumerate(rows)
                ]
            needs = {"action_plan": "column (Part: Action plan on the Columns sheet)",
                     "outcomes": "column (Part: Outcomes on the Columns sheet)",
                     "info": "field on the Info fields sheet"}  # fmt: skip
            need_key = "fields" if name == "info" else "columns"
            if name in needs and not fields.get(need_key):
                shown = name.replace("_", " ")
                self.problem(include_loc, codes.SHEET_NEEDS(part=shown, what=needs[name]))
            result[name] = fields
            self.where[f"sheets.{name}"] = include_loc
        lists = self.lists()
        if lists:
            result["lists"] = lists
        data["sheets"] = result or None

    def lists(self) -> list[dict]:
        """The list sheets: one per row of Lists, their rows and columns from List rows and
        List columns, under its id."""
        found: list[dict] = []
        by_id: dict[str, dict] = {}
        for row, entry in self.table(A.LISTS, A.LIST_SHEET_COLUMNS):
            listed = self.entry(f"sheets.lists[{len(found)}]", row, entry, A.LISTS)
            by_id.setdefault(listed.get("id"), listed)
            found.append(listed)
        known = ", ".join(k for k in by_id if k) or "none yet"
        for name, columns, key in (
            (A.LIST_ROWS, A.LIST_ROW_COLUMNS, "rows"),
            (A.LIST_COLUMNS, A.LIST_COLUMN_COLUMNS, "columns"),
        ):
            for row, entry in self.table(name, columns):
                lid, lloc = entry.pop("list", (None, Loc(name, row)))
                if lid is None:
                    hint = "type the id of its list (from the Lists sheet)"
                    self.problem(lloc, codes.EMPTY(hint=hint))
                    continue
                listed = by_id.get(lid)
                if listed is None:
                    hint = suggest(lid, [k for k in by_id if k])
                    self.problem(lloc, codes.UNKNOWN_LIST(list_id=lid, hint=hint, known=known))
                    continue
                n = next(i for i, x in enumerate(found) if x is listed)
                at = f"sheets.lists[{n}].{key}[{len(listed.setdefault(key, []))}]"
                value = self.entry(at, row, entry, name)
                if key == "rows" and "info" in value:
                    value["info"] = self.info_lines(value["info"], _loc(entry, "info"))
                if key == "columns" and value.get("choices") and "type" not in value:
                    value["type"] = "choice"
                listed[key].append(value)
        return found

    def info_lines(self, lines: list[str], loc: Loc | None) -> dict[str, str]:
        """'when: September' lines → {'when': 'September'}."""
        info = {}
        for line in lines:
            key, colon, text = line.partition(":")
            if not colon or not key.strip() or not text.strip():
                self.problem(loc, codes.LIST_INFO_LINE(line=line))
                continue
            info[key.strip()] = text.strip()
        return info

    def editions(self, data: dict) -> None:
        editions: dict[str, dict] = {}
        items = [i["id"] for g in data["groups"] for i in g.get("items", []) if "id" in i]
        for row, entry in self.table(A.EDITIONS, A.EDITION_COLUMNS):
            (version, vloc), (old, oloc), (new, nloc) = (
                entry.get(k, (None, Loc(A.EDITIONS, row))) for k in ("version", "old", "new")
            )
            if version is None:
                hint = "type the earlier edition's version, e.g. 2025.1"
                self.problem(vloc, codes.EMPTY(hint=hint))
                continue
            if version == data.get("version"):
                where = self.where.get("version", Loc(A.FRAMEWORK))
                self.problem(vloc, codes.EDITION_OWN_VERSION(version=version, where=where))
                continue
            if new is not None and new not in items:
                hint = suggest(new, items)
                self.problem(nloc, codes.EDITION_UNKNOWN_ITEM(item=new, hint=hint))
            if version not in editions:
                self.where[f"previous_editions[{len(editions)}]"] = vloc
                self.where[f"previous_editions[{len(editions)}].version"] = vloc
                editions[version] = {"version": version, "map": {}, "_rows": {}}
            edition = editions[version]
            if old is None:
                if new is not None:
                    hint = "type the item's id in the earlier edition"
                    self.problem(oloc, codes.EMPTY(hint=hint))
                continue
            if old in edition["map"]:
                mapped = codes.EDITION_MAP_REPEATED(item=old, row=edition["_rows"][old])
                self.problem(oloc, mapped)
                continue
            edition["map"][old] = new
            edition["_rows"][old] = row
            e = list(editions).index(version)
            self.where[f"previous_editions[{e}].map.{old}"] = nloc
        data["previous_editions"] = [
            {k: v for k, v in e.items() if k != "_rows"} for e in editions.values()
        ]

    def entry(self, at: str, row: int, entry: dict, sheet: str) -> dict[str, Any]:
        """A table row as spec data (blanks left out), remembering where each value is."""
        self.where[at] = Loc(sheet, row)
        out = {}
        for key, pair in entry.items():
            if key == "_raw":
                continue
            value, loc = pair
            self.where[f"{at}.{key}"] = loc
            if value is not None:
                out[key] = value
        return out

    # -- values ----------------------------------------------------------------------------
    def convert(self, raw: Any, kind: str, loc: Loc | None, options=()) -> Any:
        """A cell's value as ``kind``; None if empty or wrong (a problem is recorded)."""
        value, problem = value_of(raw, kind, loc.heading if loc else "", options)
        if problem:
            self.problem(loc, problem)
        return value


def _loc(entry: dict, key: str) -> Loc | None:
    return entry[key][1] if key in entry else None


def _put(data: dict, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {} if child is None else {"include": child}
        node = child
    if isinstance(node.get(last), dict):
        node[last]["include"] = value
    else:
        node[last] = value
