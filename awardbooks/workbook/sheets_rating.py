"""The rating sheets: one row per item with its descriptors, a locked dropdown of the scale's
levels, a date and a comment, each group's score formulas, and in a carry-forward workbook
last term's rating locked beside each item."""

from __future__ import annotations

import datetime as dt

from awardbooks.spec.model import Column
from awardbooks.workbook.cells import (
    DATE_COLUMN,
    TEXT_COLUMN,
    cell_value,
    choose,
    group_heading,
    runs,
    sentence,
)
from awardbooks.workbook.layout import (
    FIRST_ROW,
    Cell,
    a1,
    col_letter,
    period_heading,
)


class RatingSheets:
    """Methods of the renderer (:class:`awardbooks.workbook.render.Renderer`); they use
    its attributes and its helpers."""

    def _row_formulas(self, ws, row: int, score, top: float, total: bool = False) -> None:
        cols = self.layout.summary_columns
        f = self.f
        first_level = col_letter(cols[f"level:{self.fw.scale.labels[0]}"])
        last_level = col_letter(cols[f"level:{self.fw.scale.labels[-1]}"])
        r = row + 1
        rated, total_c = a1(row, cols["rated"]), a1(row, cols["total"])
        points = a1(row, cols["points"])
        count_fmt = f["total_count"] if total else f["count"]
        pct_fmt = f["total_pct"] if total else f["pct"]
        ws.write_formula(
            row, cols["rated"], f"=SUM({first_level}{r}:{last_level}{r})", count_fmt, score.rated
        )
        if total:
            letter = col_letter(cols["total"])
            ws.write_formula(
                row,
                cols["total"],
                f"=SUM({letter}{FIRST_ROW + 1}:{letter}{r - 1})",
                count_fmt,
                score.total,
            )
            pletter = col_letter(cols["points"])
            ws.write_formula(
                row,
                cols["points"],
                f"=SUM({pletter}{FIRST_ROW + 1}:{pletter}{r - 1})",
                count_fmt,
                score.points,
            )
        else:
            ws.write_number(row, cols["total"], score.total, count_fmt)
            terms = [
                f"{a1(row, cols[f'level:{lv.label}'])}*{lv.score:g}" for lv in self.fw.scale.levels
            ]
            ws.write_formula(row, cols["points"], "=" + "+".join(terms), count_fmt, score.points)
        ws.write_formula(
            row,
            cols["completion"],
            f"=IF({total_c}=0,0,{rated}/{total_c})",
            pct_fmt,
            score.completion,
        )
        value = score.score(top)
        ws.write_formula(
            row,
            cols["score"],
            f'=IF({rated}=0,"",{points}/{rated}/{top:g})',
            pct_fmt,
            "" if value is None else value,
        )

    # -- rating sheets -------------------------------------------------------------------
    def _audit(self, name: str) -> None:
        ws, fw, layout, f = self.sheets[name], self.fw, self.layout, self.f
        cols = layout.columns
        labels = fw.labels
        groups = [
            g
            for g in fw.groups
            if any(r.sheet == name and r.group_id == g.id for r in layout.rating_rows)
        ]
        if fw.audit.layout == "per_group":
            group = groups[0]
            title = group_heading(labels.group, group)
            subtitle = group.note or self.info.setting
        else:
            title, subtitle = f"{fw.name}: {name}", self.info.setting
        self._title(ws, title, subtitle, cols.last)
        ws.merge_range(
            2,
            0,
            2,
            cols.last,
            f"{choose(labels.rating)} for each row from the dropdown "
            f"({', '.join(fw.scale.labels)}). Yellow cells are for you to fill in."
            + self._period_note(),
            f["small"],
        )
        heads: dict[int, tuple[str, float]] = {cols.id: ("ID", 7), cols.text: (labels.item, 55)}
        for label, col in cols.descriptors.items():
            heads[col] = (label, 38)
        when = self.info.previous_term or "last term"
        previous_heads = {
            "rating": (f"{labels.rating}, {when}", 15),
            "date": (f"{labels.date}, {when}", 12),
            "comment": (f"{labels.comment}, {when}", 34),
        }
        for key, col in cols.previous.items():
            heads[col] = previous_heads[key]
        if cols.periods:
            for key, col in cols.periods.items():
                heads[col] = (period_heading(fw, key), 7)
        else:
            heads[cols.rating] = (labels.rating, 15)
        if cols.date is not None:
            heads[cols.date] = (labels.date, 12)
        for column in fw.audit.columns:
            heads[cols.extra[column.id]] = (column.label, column.width)
        if cols.comment is not None:
            heads[cols.comment] = (labels.comment, 40)
        headers = [heads[col] for col in range(cols.last + 1)]
        items = {item.id: item for item in fw.items}
        on_sheet = [items[r.item_id] for r in layout.rating_rows if r.sheet == name and r.item_id]
        unused = {  # descriptor columns no item of this sheet has text for: not printed
            col
            for label, col in cols.descriptors.items()
            if not any(item.descriptors.get(label) for item in on_sheet)
        }
        self._headers(ws, headers, hidden=unused)
        if cols.periods:  # the source's band heading over the year and term cells
            first, last_period = min(cols.periods.values()), max(cols.periods.values())
            ws.merge_range(3, first, 3, last_period, labels.rating, f["header"])
        widths = self.widths[name]
        extra = {c.id: c for c in fw.audit.columns}
        groups_by_id = {g.id: g for g in fw.groups}
        for heading in layout.headings:
            if heading.sheet != name:
                continue
            group = groups_by_id[heading.group_id]
            text = group_heading(labels.group, group)
            ws.write_string(heading.row, 0, group.id, f["group"])
            ws.merge_range(heading.row, 1, heading.row, cols.last, text, f["group"])
        rating_column = Column(
            id="rating",
            label=labels.rating,
            type="choice",
            choices=fw.scale.labels,
            help=fw.scale.describe(),
        )
        rows = [r for r in layout.rating_rows if r.sheet == name]
        for rr in rows:
            row = rr.row
            ws.write_string(row, cols.id, rr.id_text, f["id"])
            if rr.item_id is None:
                group = groups_by_id[rr.group_id]
                self._text(
                    ws,
                    row,
                    cols.text,
                    f"{labels.judgement} for {sentence(labels.group)} {group.id}: {group.title}",
                    f["judgement"],
                )
                for col in cols.descriptors.values():
                    ws.write_string(row, col, "", f["judgement"])
            else:
                item = items[rr.item_id]
                self._text(ws, row, cols.text, item.text, f["locked"])
                for label, col in cols.descriptors.items():
                    text = item.descriptors.get(label, "")
                    ws.write_string(row, col, text, f["descriptor"])
                    if text:
                        self._fit(ws, row, text, widths[col])
            if cols.previous:
                before = self.carry.previous.get(rr.key, ("", "", "")) if self.carry else ()
                for key, col in cols.previous.items():
                    value = before[("rating", "date", "comment").index(key)] if before else ""
                    value = cell_value(value)
                    if isinstance(value, dt.date):
                        ws.write_datetime(row, col, value, f["locked_date"])
                    else:
                        self._text(ws, row, col, value or "", f["previous"])
            if cols.periods:
                self._history(ws, rr)
            if not rr.rated:
                blank = list(range(cols.rating, cols.last + 1))
                if cols.periods:
                    blank = [*cols.periods.values()]
                    blank += [c for c in (cols.date, cols.comment) if c is not None]
                for col in blank:
                    ws.write_string(row, col, "", f["locked"])
                continue
            value = self.ratings.get(rr.key)
            self._input(ws, Cell(name, row, cols.rating), rating_column, value, validate=False)
            if cols.date is not None:
                self._input(ws, Cell(name, row, cols.date), DATE_COLUMN, validate=False)
            for cid, col in cols.extra.items():
                column = extra[cid]
                if column.input:
                    self._input(ws, Cell(name, row, col), column, validate=False)
                else:
                    info = "" if rr.item_id is None else items[rr.item_id].info.get(cid, "")
                    self._text(ws, row, col, info, f["locked"])
            if cols.comment is not None:
                self._input(ws, Cell(name, row, cols.comment), TEXT_COLUMN, validate=False)
        # one validation rule per column and run of rows: far smaller files than one per cell
        inputs = [(cols.rating, rating_column)]
        if cols.date is not None:
            inputs.append((cols.date, DATE_COLUMN))
        inputs += [(cols.extra[c.id], c) for c in fw.audit.columns if c.input]
        for first, last in runs([r.row for r in rows if r.rated]):
            for col, column in inputs:
                validation = self._validation(column)
                if validation:
                    ws.data_validation(first, col, last, col, validation)
        rated_rows = [r.row for r in rows if r.rated]
        coloured = list(cols.periods.values()) or [cols.rating]
        if rated_rows:
            for level in fw.scale.levels:
                ws.conditional_format(
                    min(rated_rows),
                    min(coloured),
                    max(rated_rows),
                    max(coloured),
                    {
                        "type": "cell",
                        "criteria": "==",
                        "value": f'"{level.label}"',
                        "format": f[f"cf:{level.label}"],
                    },
                )
        ws.freeze_panes(FIRST_ROW, 2)
        self._page(ws, name, cols.last)
        self._protect(ws)

    def _history(self, ws, rr) -> None:
        """A row's rating cells of the other periods, locked: the earlier ones hold the
        ratings carried forward from the setting's last return, the later ones stay empty."""
        cols, f = self.layout.columns, self.f
        history = self.carry.history.get(rr.key, {}) if self.carry else {}
        for key, col in cols.periods.items():
            if col == cols.rating and rr.rated:
                continue  # the open cell, written as an input
            value = history.get(key, "") if col < cols.rating and rr.rated else ""
            ws.write_string(rr.row, col, value, f["previous"] if value else f["locked"])

    def _period_note(self) -> str:
        cols = self.layout.columns
        if not cols.periods:
            return ""
        return (
            f" Rate this term in the {period_heading(self.fw, cols.period)} column; earlier "
            "terms show the ratings of your last return, locked."
        )

    # -- other sheets --------------------------------------------------------------------
