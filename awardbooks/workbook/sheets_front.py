"""The workbook's front sheets: the cover (who it is for, how to fill it in) and the live
summary (scores by group with formulas whose cached values are right, a data bar, a chart)."""

from __future__ import annotations

from awardbooks.workbook.cells import (
    cell_value,
    range_refs,
    sentence,
)
from awardbooks.workbook.layout import (
    COVER_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    PLAN_YEARS,
    SUMMARY_SHEET,
    col_letter,
    period_heading,
)
from awardbooks.workbook.scoring import score_groups


class FrontSheets:
    """Methods of the renderer (:class:`awardbooks.workbook.render.Renderer`); they use
    its attributes and its helpers."""

    def _cover(self) -> None:
        ws, fw, info, layout = self.sheets[COVER_SHEET], self.fw, self.info, self.layout
        f = self.f
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 80)
        self._title(ws, fw.title, "Self-evaluation workbook", 1)
        ws.write_string(2, 0, "About this workbook", f["group"])
        ws.write_string(2, 1, "", f["group"])
        labels = {
            "setting": "Setting",
            "urn": "URN",
            "partnership": "Partnership",
            "local_authority": "Local authority",
            "year": "Academic year",
            "term": "Term",
            "framework_title": "Framework",
            "spec_version": "Framework edition",
            "workbook_id": "Workbook id",
        }
        values = info.meta(fw) | {"term": info.term.capitalize()}
        for key, cell in layout.cover_details.items():
            ws.write_string(cell.row, 0, labels[key], f["label"])
            ws.write_string(cell.row, 1, values.get(key, ""), f["locked"])
        first_input = min(c.row for c in layout.cover_inputs.values())
        ws.write_string(first_input - 1, 0, "Completed by the setting", f["group"])
        ws.write_string(first_input - 1, 1, "", f["group"])
        for key, cell in layout.cover_inputs.items():
            column = layout.cover_input_columns[key]
            self._text(ws, cell.row, 0, column.label, f["label"], 27)  # a long label wraps
            carried = self.carry.cover.get(key) if self.carry else None
            self._input(ws, cell, column, cell_value(carried))
        row = max(c.row for c in layout.cover_inputs.values()) + 2
        if fw.status == "skeleton":  # for schools: the spec's notes are for its authors
            group, item = sentence(fw.labels.group), sentence(fw.labels.item)
            note = (
                f"SKELETON FRAMEWORK: the wording of its {group}s and {item}s is not in the "
                "public source document, and stands in brackets until the framework's licence "
                "holder supplies it."
            )
            ws.merge_range(row, 0, row, 1, note, f["warning"])
            self._fit(ws, row, note, 105)
            row += 2
        ws.write_string(row, 0, "How to fill in this workbook", f["group"])
        ws.write_string(row, 1, "", f["group"])
        row += 1
        for paragraph in self._how_to() + list(fw.instructions):
            ws.merge_range(row, 0, row, 1, paragraph, f["wrap"])
            self._fit(ws, row, paragraph, 110)
            row += 1
        row += 1
        ws.write_string(row, 0, "Rating scale", f["group"])
        ws.write_string(row, 1, "", f["group"])
        for level in fw.scale.levels:
            row += 1
            meaning = f" ({level.meaning})" if level.meaning else ""
            ws.write_string(row, 0, level.label, self.f[f"level:{level.label}"])
            ws.write_string(row, 1, f"{level.label}{meaning}: scores {level.score:g}", f["wrap"])
        if self.info.scores:
            row += 1
            text = "Scores set for this partnership when the workbook was generated."
            ws.merge_range(row, 0, row, 1, text, f["wrap"])
        elif fw.scores_note:
            row += 1
            ws.merge_range(row, 0, row, 1, fw.scores_note, f["wrap"])
            self._fit(ws, row, fw.scores_note, 110)
        periods = self.layout.columns.periods
        if periods:
            row += 2
            start = self.info.plan_start or self.info.year
            text = (
                f"{PLAN_YEARS}{start}. This workbook rates "
                f"{period_heading(fw, self.layout.columns.period)}."
            )
            ws.merge_range(row, 0, row, 1, text, f["wrap"])
        row += 2
        ws.merge_range(row, 0, row, 1, f"Source: {fw.source.document}", f["small"])
        self._fit(ws, row, f"Source: {fw.source.document}", 120)
        self._page(ws, COVER_SHEET, 1, repeat=False)
        ws.set_portrait()
        self._protect(ws)

    def _how_to(self) -> list[str]:
        fw = self.fw
        rating = fw.labels.rating
        return [
            "Fill in the yellow cells only: everything else is locked so that the workbook "
            "can be read back and consolidated.",
            f"Choose each {sentence(rating)} from the dropdown list; the levels are "
            f"{', '.join(fw.scale.labels)} (see the rating scale below).",
            "Type dates as dd/mm/yyyy, for example 31/10/2026.",
            "Do not insert, delete, move or rename rows, columns or sheets, and do not paste "
            "over the dropdowns: type or choose values instead.",
            "The Summary sheet updates as you rate. When you have finished, save the file as "
            ".xlsx (Excel workbook) and send it back.",
        ]

    # -- summary -------------------------------------------------------------------------
    def _summary(self) -> None:
        ws, fw, layout, f = self.sheets[SUMMARY_SHEET], self.fw, self.layout, self.f
        cols = layout.summary_columns
        last = cols["judgement"]
        self._title(ws, f"{fw.name}: summary", f"{self.info.setting}", last)
        ws.merge_range(
            2,
            0,
            2,
            last,
            "This sheet updates itself from your ratings. Score % is the mean score of the "
            f"rated {sentence(fw.labels.item)}s as a percentage of the top score "
            f"({fw.scale.top_score:g}); completion % is the share rated.",
            f["small"],
        )
        headers = [("ID", 8), (fw.labels.group, 40)]
        headers += [(label, 11) for label in fw.scale.labels]
        headers += [("Rated", 8), ("Total", 8), ("Completion %", 12), ("Score %", 10)]
        judged = any(g.judgement for g in fw.groups)
        headers += [(fw.labels.judgement if judged else "", 16)]
        # without best-fit judgements the last column is empty: hidden, so never printed
        self._headers(ws, headers, hidden=() if judged else {cols["judgement"]})
        ws.write_string(HEADER_ROW, cols["points"], "Points", f["header"])
        ws.set_column(cols["points"], cols["points"], 8, None, {"hidden": True})
        groups, overall = score_groups(fw, self.ratings)
        top = fw.scale.top_score
        for summary, score in zip(layout.summary, groups):
            row = summary.row
            ws.write_string(row, 0, summary.group.id, f["id"])
            self._text(ws, row, 1, summary.group.title, f["locked"])
            refs = range_refs(summary.rating_cells)
            for level in fw.scale.levels:
                col = cols[f"level:{level.label}"]
                formula = "+".join(f'COUNTIF({r},"{level.label}")' for r in refs) or "0"
                ws.write_formula(row, col, "=" + formula, f["count"], score.counts[level.label])
            self._row_formulas(ws, row, score, top)
            if summary.judgement is not None:
                ref = summary.judgement.ref()
                ws.write_formula(
                    row,
                    cols["judgement"],
                    f'=IF({ref}="","",{ref})',
                    f["locked"],
                    score.judgement or "",
                )
            else:
                ws.write_string(row, cols["judgement"], "", f["locked"])
        total_row = layout.summary_total_row
        first, last_row = FIRST_ROW + 1, total_row
        ws.write_string(total_row, 0, "ALL", f["total_id"])
        ws.write_string(total_row, 1, "Overall", f["total"])
        for level in fw.scale.levels:
            col = cols[f"level:{level.label}"]
            letter = col_letter(col)
            ws.write_formula(
                total_row,
                col,
                f"=SUM({letter}{first}:{letter}{last_row})",
                f["total_count"],
                overall.counts[level.label],
            )
        self._row_formulas(ws, total_row, overall, top, total=True)
        ws.write_string(total_row, cols["judgement"], "", f["total"])
        score_col = cols["score"]
        ws.conditional_format(
            FIRST_ROW,
            score_col,
            total_row,
            score_col,
            {
                "type": "data_bar",
                "bar_color": "#5B9BD5",
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        )
        for level in fw.scale.levels:
            ws.conditional_format(
                FIRST_ROW,
                cols["judgement"],
                total_row - 1,
                cols["judgement"],
                {
                    "type": "cell",
                    "criteria": "==",
                    "value": f'"{level.label}"',
                    "format": self.f[f"cf:{level.label}"],
                },
            )
        chart = self.wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "Score %",
                # by id: a group's title is beside its id in the table above; long titles would
                # crowd the axis and leave every other bar unlabelled
                "categories": [SUMMARY_SHEET, FIRST_ROW, 0, total_row - 1, 0],
                "values": [SUMMARY_SHEET, FIRST_ROW, score_col, total_row - 1, score_col],
                "fill": {"color": "#5B9BD5"},
                "data_labels": {"value": True, "num_format": "0%"},
            }
        )
        chart.set_title({"name": f"Score % by {sentence(fw.labels.group)}"})
        chart.set_x_axis(
            {"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True}}
        )
        chart.set_y_axis(
            {"reverse": True, "interval_unit": 1, "name": fw.labels.group, "num_font": {"size": 9}}
        )
        chart.set_legend({"none": True})
        # the table and its chart print together on one A4 landscape page: the chart is as
        # wide as the table and only as tall as its bars need
        table_px = int(sum(self.widths[SUMMARY_SHEET].values()) * 7.2)
        chart.set_size({"width": table_px, "height": 70 + 24 * len(layout.summary)})
        ws.insert_chart(total_row + 2, 0, chart)
        ws.freeze_panes(FIRST_ROW, 2)
        self._page(ws, SUMMARY_SHEET, last)
        ws.fit_to_pages(1, 1)
        self._protect(ws)
