"""The workbook's table sheets: membership, outcomes, the action plan (and the completed
actions carried forward), the portfolio and information sheets."""

from __future__ import annotations

import datetime as dt

from awardbooks.workbook.cells import (
    cell_value,
    group_heading,
    item_group,
    sentence,
)
from awardbooks.workbook.layout import (
    COMPLETED_SHEET,
    FIRST_ROW,
    evidence_ref,
)


def year_span(year: str) -> str:
    """An academic year as an action plan's heading gives it: 2026-27 → "2026 to 2027"."""
    try:
        first = int(year[:4])
    except ValueError:
        return year
    return f"{first} to {first + 1}"


class TableSheets:
    """Methods of the renderer (:class:`awardbooks.workbook.render.Renderer`); they use
    its attributes and its helpers."""

    def _info_sheet(self) -> None:
        spec = self.fw.sheets.info
        ws, f = self.sheets[spec.title], self.f
        self._title(ws, spec.heading or spec.title, self.fw.title, 1)
        self._headers(ws, [("Field", 30), ("", 110)])
        for i, info_field in enumerate(spec.fields):
            self._text(ws, FIRST_ROW + i, 0, info_field.label, f["label"])
            self._text(ws, FIRST_ROW + i, 1, info_field.text, f["wrap"])
        self._page(ws, spec.title, 1)
        self._protect(ws)

    def _membership(self) -> None:
        spec = self.fw.sheets.membership
        ws, f = self.sheets[spec.title], self.f
        self._title(ws, spec.heading or spec.title, self.info.setting, 1)
        self._headers(ws, [("Type", 34), ("Name", 60)])
        member = self.layout.table_columns["membership"]["member"]
        done: set[str] = set()
        for row in self.layout.table_rows["membership"]:
            if row.key not in done:
                done.add(row.key)
                ws.write_string(row.row - 1, 0, row.key, f["group"])
                ws.write_string(row.row - 1, 1, "", f["group"])
            ws.write_string(row.row, 0, "", f["locked"])
            self._input(ws, row.cells["member"], member)
        ws.freeze_panes(FIRST_ROW, 0)
        self._page(ws, spec.title, 1)
        self._protect(ws)

    def _outcomes(self) -> None:
        spec = self.fw.sheets.outcomes
        ws, f = self.sheets[spec.title], self.f
        last = 1 + len(spec.columns)
        self._title(ws, spec.heading or spec.title, self.info.setting, last)
        self._headers(ws, [("ID", 7), ("Outcome", 60)] + [(c.label, 22) for c in spec.columns])
        texts = {o.id: o.text for o in spec.outcomes}
        columns = self.layout.table_columns["outcomes"]
        for row in self.layout.table_rows["outcomes"]:
            ws.write_string(row.row, 0, row.key, f["id"])
            if row.key in texts:
                self._text(ws, row.row, 1, texts[row.key], f["locked"])
            before = self.carry.outcomes.get(row.key, {}) if self.carry else {}
            for cid, cell in row.cells.items():
                value = cell_value(before.get(cid))
                if value in (None, ""):
                    self._input(ws, cell, columns[cid])
                elif isinstance(value, dt.date):
                    ws.write_datetime(cell.row, cell.col, value, f["locked_date"])
                else:
                    self._text(ws, cell.row, cell.col, str(value), f["previous"])
        local = [r for r in self.layout.table_rows["outcomes"] if r.key not in texts]
        if local:
            note = spec.blank_note or "Local outcomes"
            ws.merge_range(local[0].row - 1, 0, local[0].row - 1, last, note, f["group_wrap"])
            self._fit(ws, local[0].row - 1, note, 67 + 22 * len(spec.columns))
        ws.freeze_panes(FIRST_ROW, 2)
        self._page(ws, spec.title, last)
        self._protect(ws)

    def _action_plan(self) -> None:
        spec = self.fw.sheets.action_plan
        ws, f = self.sheets[spec.title], self.f
        last = len(spec.columns)
        heading = (spec.heading or spec.title).replace("{year}", year_span(self.info.year))
        self._title(ws, heading, self.info.setting, last)
        ws.merge_range(
            2, 0, 2, last, "One action per row. Yellow cells are for you to fill in.", f["small"]
        )
        self._headers(ws, [("No.", 6)] + [(c.label, c.width) for c in spec.columns])
        rows = self.layout.table_rows["action_plan"]
        for row in rows:
            ws.write_string(row.row, 0, row.key, f["id"])
        for j, column in enumerate(spec.columns):
            self._input_range(ws, rows[0].row, rows[-1].row, 1 + j, column)
        carried = self.carry.open_actions if self.carry else ()
        for row, action in zip(rows, carried):
            for cid, cell in row.cells.items():
                value = cell_value(action.get(cid))
                if value not in (None, ""):
                    self._input(
                        ws,
                        cell,
                        self.layout.table_columns["action_plan"][cid],
                        value,
                        validate=False,
                    )
        if "status" in self.layout.table_columns["action_plan"]:
            col = rows[0].cells["status"].col
            for option in spec.columns[col - 1].options:
                if f"cf:{option}" in f:
                    ws.conditional_format(
                        rows[0].row,
                        col,
                        rows[-1].row,
                        col,
                        {
                            "type": "cell",
                            "criteria": "==",
                            "value": f'"{option}"',
                            "format": f[f"cf:{option}"],
                        },
                    )
        ws.freeze_panes(FIRST_ROW, 1)
        self._page(ws, spec.title, last)
        self._protect(ws)
        if COMPLETED_SHEET in self.sheets:
            self._completed_actions()

    def _completed_actions(self) -> None:
        spec = self.fw.sheets.action_plan
        ws, f = self.sheets[COMPLETED_SHEET], self.f
        last = len(spec.columns)
        self._title(ws, "Completed actions", f"Carried from {self.info.previous_term}", last)
        self._headers(ws, [("No.", 6)] + [(c.label, c.width) for c in spec.columns])
        done = self.carry.completed_actions if self.carry else ()
        for i, action in enumerate(done):
            row = FIRST_ROW + i
            ws.write_string(row, 0, str(action.get("key", i + 1)), f["id"])
            for j, column in enumerate(spec.columns):
                value = cell_value(action.get(column.id))
                if isinstance(value, dt.date):
                    ws.write_datetime(row, 1 + j, value, f["locked_date"])
                else:
                    self._text(ws, row, 1 + j, "" if value is None else str(value), f["locked"])
        if not done:
            ws.write_string(FIRST_ROW, 1, "No completed actions yet.", f["small"])
        self._page(ws, COMPLETED_SHEET, last)
        self._protect(ws)

    def _portfolio(self) -> None:
        rows = self.layout.table_rows["portfolio"]
        for name in dict.fromkeys(row.sheet for row in rows):
            self._portfolio_sheet(name, [row for row in rows if row.sheet == name])

    def _portfolio_sheet(self, name: str, rows: list) -> None:
        """One portfolio sheet: all groups' evidence rows, or one group's (its front sheet)."""
        spec = self.fw.sheets.portfolio
        ws, f, fw = self.sheets[name], self.f, self.fw
        last = 3 + len(spec.columns)
        width = 8 + 45 + 40 + 40 + sum(c.width for c in spec.columns)
        self._title(ws, spec.heading or spec.title, self.info.setting, last)
        line = f"Up to {spec.evidence_per_item} items of evidence per {sentence(fw.labels.item)}."
        ws.merge_range(2, 0, 2, last, line, f["small"])
        guidance = "\n".join(spec.guidance)
        if spec.evidence_age is not None and spec.evidence_age.rule not in guidance:
            guidance = "\n".join(filter(None, [spec.evidence_age.rule, guidance]))
        if guidance:
            ws.merge_range(3, 0, 3, last, guidance, f["small"])
            self._fit(ws, 3, guidance, width * 1.1)
        headers = [
            ("Ref", 8),
            (fw.labels.item, 45),
            ("Examples of evidence to include", 40),
            (spec.evidence_label, 40),
        ] + [(c.label, c.width) for c in spec.columns]
        self._headers(ws, headers)
        columns = self.layout.table_columns["portfolio"]
        fields = self.layout.table_columns["portfolio_fields"]
        items = {item.id: item for item in fw.items}
        groups = {g.id: g for g in fw.groups}
        seen_groups: set[str] = set()
        for row in rows:
            if row.key.endswith(":fields"):
                for fid, cell in row.cells.items():
                    ws.write_string(cell.row, 0, "", f["locked"])
                    ws.merge_range(cell.row, 1, cell.row, 2, fields[fid].label, f["label"])
                    self._input(ws, cell, fields[fid])
                continue
            key, n = row.key.rsplit("#", 1)
            item = items.get(key)
            group = groups[item_group(fw, key)] if item else groups[key]
            if group.id not in seen_groups:
                seen_groups.add(group.id)
                ws.write_string(row.row - 1, 0, group.id, f["group"])
                ws.merge_range(
                    row.row - 1,
                    1,
                    row.row - 1,
                    last,
                    group_heading(fw.labels.group, group),
                    f["group"],
                )
            first = n == "1"
            ref = evidence_ref(row.key) if spec.evidence_refs else (key if first else "")
            ws.write_string(row.row, 0, ref, f["id"])
            text = (
                (item.text if item else f"{fw.labels.group} {group.id} (best fit)") if first else ""
            )
            self._text(ws, row.row, 1, text, f["locked"])
            examples = "\n".join(item.evidence) if (item and first) else ""
            ws.write_string(row.row, 2, examples, f["descriptor"])
            self._fit(ws, row.row, examples, 44)
            preset = item.preset_evidence if item else ()
            for cid, cell in row.cells.items():
                value = preset[int(n) - 1] if cid == "evidence" and int(n) <= len(preset) else None
                self._input(ws, cell, columns[cid], value)
                if value:
                    self._fit(ws, cell.row, value, columns[cid].width)
        ws.freeze_panes(FIRST_ROW, 2)
        self._page(ws, name, last)
        self._protect(ws)
