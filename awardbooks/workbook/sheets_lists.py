"""The workbook's list sheets (``sheets.lists`` of a spec): listed rows of the spec's text,
each with the input cells the school fills in, e.g. an award journey's milestones with their
dates, or questions with a tall answer cell each."""

from __future__ import annotations

from awardbooks.spec.model import ListSheet
from awardbooks.workbook.layout import FIRST_ROW, LIST_TEXT_COL

INTRO_ROW = 2
"""The row of a list sheet's introduction (its lines, one paragraph each), above the headings."""


class ListSheets:
    """Methods of the renderer (:class:`awardbooks.workbook.render.Renderer`); they use
    its attributes and its helpers."""

    def _lists(self) -> None:
        for listed in self.fw.sheets.lists:
            self._list_sheet(listed)

    def _list_sheet(self, listed: ListSheet) -> None:
        ws, f = self.sheets[listed.title], self.f
        last = 1 + len(listed.columns)
        self._title(ws, listed.heading or listed.title, self.info.setting, last)
        longest = max(len(row.id) for row in listed.rows)
        headers = [("No.", max(6, min(16, longest + 2))), (listed.text_label, 50)]
        headers += [(c.label, c.width) for c in listed.columns]
        self._headers(ws, headers)
        widths = self.widths[ws.name]
        if listed.intro:
            intro = "\n".join(listed.intro)
            ws.merge_range(INTRO_ROW, 0, INTRO_ROW, last, intro, f["subtitle"])
            self._fit(ws, INTRO_ROW, intro, sum(widths.values()))
        cells = {row.key: row for row in self.layout.table_rows[listed.id]}
        inputs = self.layout.table_columns[listed.id]
        lines = self.lines.setdefault(ws.name, {})
        for n, row in enumerate(listed.rows):
            at = FIRST_ROW + n
            ws.write_string(at, 0, row.id, f["id"])
            self._text(ws, at, LIST_TEXT_COL, row.text, f["locked"])
            for j, column in enumerate(listed.columns):
                if column.input:
                    self._input(ws, cells[row.id].cells[column.id], inputs[column.id])
                else:
                    self._text(ws, at, 2 + j, row.info.get(column.id, ""), f["descriptor"])
            lines[at] = max(lines.get(at, 1), listed.answer_lines)
        ws.freeze_panes(FIRST_ROW, 2)
        self._page(ws, listed.title, last)
        self._protect(ws)
