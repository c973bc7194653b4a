"""The consolidated workbook's Summary: the partnership picture an officer puts in front of a
board, on as few printed pages as the data allows.

Decisions:

- A short **To look at** list comes first (:func:`look_at`): the largest falls, the lowest
  groups and the incomplete returns, each at most :data:`LIST_MAX` lines.
- Per framework, the overall % of every partnership for every term side by side (terms in
  order) with the change from its first term to its latest, and a bar chart of the first and
  latest terms beside it.
- Levels are shares of each partnership's ratings in a term, charted as 100 % stacked bars,
  so a bigger partnership does not look better for having more ratings; every bar is
  labelled with its partnership and term.
- The mean % by group in each framework's latest term, with data bars.
- Numbers sit under right-aligned headings; text columns are capped and wrap. Every chart
  text is a cell reference, so no text from a return is ever read as a formula.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from awardbooks.analyse import tables as tb
from awardbooks.analyse.tables import Consolidation
from awardbooks.outputs.frames import (
    completeness,
    completeness_counts,
    frame_records,
    missing,
    period_key,
    s,
)
from awardbooks.outputs.summary import completeness_line
from awardbooks.outputs.xlsheet import LINE_POINTS, Formats, Sheet, first_seen

if TYPE_CHECKING:
    from xlsxwriter.workbook import Workbook

LIST_MAX = 3
"""Lines per heading of the To look at list; the rest are counted ("and 2 more")."""
LABEL_WIDTH = 45
"""The first column's width: partnership, term and group labels wrap within it."""
TITLE_MAX = 60
"""Characters of a group's title shown in a list line."""
CHART_WIDTH = 500
CHART_COLUMN = 6
"""The column charts start in (or the one after a wider table)."""
PCT, CHANGE = "0.0", "+0.0;-0.0;0.0"
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def _short(text: str, limit: int = TITLE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _group_label(group_id: str, title: str) -> str:
    return "overall" if group_id == "ALL" else _short(f"{group_id} {title}".strip())


def _latest_per(records: list[dict[str, Any]], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """The records of each ``keys`` value's latest term."""
    latest: dict[tuple, tuple] = {}
    for r in records:
        key = tuple(s(r[k]) for k in keys)
        period = period_key(r["year"], r["term"])
        if key not in latest or period > latest[key]:
            latest[key] = period
    return [r for r in records if period_key(r["year"], r["term"]) == latest[tuple(
        s(r[k]) for k in keys)]]  # fmt: skip


def _capped(lines: list[str], none: str) -> list[str]:
    if not lines:
        return [none]
    more = len(lines) - LIST_MAX
    return lines[:LIST_MAX] + ([f"… and {more} more"] if more > 0 else [])


def look_at(c: Consolidation) -> list[tuple[str, list[str]]]:
    """The To look at list as (heading, lines), from each setting's latest return:

    - **Largest falls**: the setting's groups (or overall) whose % fell most since its
      previous return (``progress.change_pct`` below 0), most negative first;
    - **Lowest groups**: each partnership's group with the lowest mean % in its latest term
      (per framework), lowest first;
    - **Incomplete returns**: each setting's latest usable return, when it is rated below
      its completion threshold or has nothing rated (the Returns table's ``codes``), least
      complete first.
    """
    progress = _latest_per(
        frame_records(c.progress, tb.PROGRESS), ("framework", "setting", "urn")
    )
    falls = sorted(
        (r for r in progress if not missing(r["change_pct"]) and r["change_pct"] < 0),
        key=lambda r: (r["change_pct"], s(r["setting"]), s(r["group_id"])),
    )
    fall_lines = [
        f"{s(r['setting'])}, {_group_label(s(r['group_id']), s(r['group_title']))}: "
        f"{r['change_pct']:+.1f} points by {s(r['year'])} {s(r['term'])}"
        for r in falls
    ]
    means = _latest_per(
        frame_records(c.group_means, tb.GROUP_MEANS), ("partnership", "framework")
    )
    lowest_of: dict[tuple, dict[str, Any]] = {}
    for r in means:
        key = (s(r["partnership"]), s(r["framework"]))
        if not missing(r["mean_pct"]) and (
            key not in lowest_of or r["mean_pct"] < lowest_of[key]["mean_pct"]
        ):
            lowest_of[key] = r
    lowest = sorted(
        lowest_of.values(), key=lambda r: (r["mean_pct"], s(r["partnership"]), s(r["group_id"]))
    )
    low_lines = [
        f"{s(r['partnership']) or '(no partnership)'}, "
        f"{_group_label(s(r['group_id']), s(r['group_title']))}: {r['mean_pct']:.1f}% "
        f"in {s(r['year'])} {s(r['term'])}"
        for r in lowest
    ]
    usable = [
        r for r in frame_records(c.returns, tb.RETURNS) if s(r["status"]) in ("accepted", "warning")
    ]  # fmt: skip
    incomplete = sorted(
        (
            r for r in _latest_per(usable, ("framework", "setting", "urn"))
            if completeness("" if missing(r["codes"]) else s(r["codes"])) != "complete"
        ),
        key=lambda r: (0 if missing(r["completion_pct"]) else r["completion_pct"],
                       s(r["setting"])),
    )  # fmt: skip
    incomplete_lines = [
        f"{s(r['setting']) or s(r['file'])}, {s(r['year'])} {s(r['term'])}: "
        f"{s(r['completion'])}"
        + (" (nothing rated: left out of the means)"
           if completeness(s(r["codes"])) == "nothing rated" else "")
        for r in incomplete
    ]  # fmt: skip
    return [
        ("Largest falls", _capped(fall_lines, "No falls since the previous return.")),
        ("Lowest groups", _capped(low_lines, "No group scores yet.")),
        ("Incomplete returns",
         _capped(incomplete_lines, "No return is below its completion threshold.")),
    ]


def summary_sheet(wb: Workbook, fmts: Formats, c: Consolidation) -> Sheet:
    sheet = Sheet(wb, fmts, "Summary")
    sheet.caps[0] = LABEL_WIDTH
    sheet.grow(0, 30)
    sheet.ws.write_string(0, 0, "Partnership summary", fmts(bold=True, font_size=14))
    sheet.note(
        1, 0, f"Analysed on {c.analysed_on}. Overall % is the mean of the settings' scores; "
        "levels are each partnership's share of its ratings.",
    )  # fmt: skip
    done = completeness_counts(c.returns)
    if sum(done.values()):
        sheet.note(2, 0, completeness_line(done))
    sheet.ws.write_string(3, 0, "To look at", fmts(bold=True, font_size=12))
    row = 4
    for heading, lines in look_at(c):
        sheet.ws.write_string(row, 0, heading, fmts(bold=True))
        for line in lines:
            row += 1
            sheet.note(row, 0, f"• {line}")
        row += 1
    row += 1
    records = frame_records(c.summary, tb.SUMMARY)
    frames = (c.summary, c.levels, c.group_means)
    frameworks = first_seen(
        s(r["framework"]) for df, cols in zip(frames, (tb.SUMMARY, tb.LEVELS, tb.GROUP_MEANS))
        for r in frame_records(df, cols)
    )  # fmt: skip
    titles = {s(r["framework"]): s(r["framework_title"]) for r in records}
    if not frameworks:
        sheet.put(row, 0, "No rows.", fmts(italic=True))
    for fw in frameworks:
        title = titles.get(fw) or fw
        row = _terms_block(wb, sheet, [r for r in records if s(r["framework"]) == fw], title, row)
        row = _levels_block(wb, sheet, c, fw, title, row)
        row = _groups_block(sheet, c, fw, title, row)
    sheet.finish(None)
    sheet.ws.repeat_rows(0)
    return sheet


def _title_and_header(sheet: Sheet, row: int, title: str, header: list[str]) -> None:
    """A block's title and its headings: the first (labels) left-aligned, the rest (numbers)
    right-aligned, so every number sits under its heading."""
    fmts = sheet.fmts
    sheet.note(row, 0, title)
    sheet.ws.set_row(row, None, fmts(bold=True, font_size=12))
    sheet.header(row + 1, header, filters=False, right=range(1, len(header)))
    for j in range(1, len(header)):
        sheet.grow(j, 9)


def _chart(wb: Workbook, sheet: Sheet, kind: dict[str, str], title_row: int) -> Any:
    chart = wb.add_chart(kind)
    chart.set_title({"name": [sheet.name, title_row, 0], "name_font": {"size": 11}})
    chart.set_legend({"position": "bottom"})
    return chart


def _place(sheet: Sheet, chart: Any, row: int, col: int, bars: int, rows: int) -> int:
    """Insert ``chart`` at ``row``, tall enough for ``bars`` labelled bars; returns the next
    free row below both the chart and its table of ``rows`` rows."""
    height = min(max(240, 110 + 22 * bars), 1400)
    chart.set_size({"width": CHART_WIDTH, "height": height})
    sheet.ws.insert_chart(row, col, chart, {"x_offset": 10})
    return row + max(rows, int(height / (LINE_POINTS * 4 / 3)) + 1) + 2


def _terms_block(wb: Workbook, sheet: Sheet, records: list[dict], title: str, row: int) -> int:
    """Overall % per partnership (rows) and term (columns), the change from each
    partnership's first term to its latest, its settings in the latest term; a chart of the
    first and latest terms beside it."""
    if not records:
        return row
    fmts = sheet.fmts
    periods = sorted({(s(r["year"]), s(r["term"])) for r in records}, key=lambda p: period_key(*p))
    partnerships = sorted({s(r["partnership"]) for r in records})
    by = {(s(r["partnership"]), s(r["year"]), s(r["term"])): r for r in records}
    header = ["Partnership", *(f"{y} {t}" for y, t in periods), "Change", "Settings (latest)"]
    _title_and_header(sheet, row, f"{title}: overall % by term", header)
    first = row + 2
    for i, p in enumerate(partnerships, start=first):
        sheet.put(i, 0, p or "(no partnership)", fmts(text_wrap=True))
        mine = [(y, t) for y, t in periods if (p, y, t) in by]
        for j, (y, t) in enumerate(periods, start=1):
            sheet.put(i, j, by[(p, y, t)]["mean_pct"] if (p, y, t) in by else None,
                      fmts(num_format=PCT))  # fmt: skip
        start, end = by[(p, *mine[0])]["mean_pct"], by[(p, *mine[-1])]["mean_pct"]
        change = None if len(mine) < 2 or missing(start) or missing(end) else end - start
        sheet.put(i, len(periods) + 1, change, fmts(num_format=CHANGE))
        sheet.put(i, len(periods) + 2, by[(p, *mine[-1])]["settings"], fmts(num_format="0"))
    last = first + len(partnerships) - 1
    chart = _chart(wb, sheet, {"type": "bar"}, row)
    for j in dict.fromkeys((1, len(periods))):  # the first term and the latest
        chart.add_series({
            "name": [sheet.name, row + 1, j],
            "categories": [sheet.name, first, 0, last, 0],
            "values": [sheet.name, first, j, last, j],
            "data_labels": {"value": True, "num_format": PCT},
        })  # fmt: skip
    chart.set_x_axis({"min": 0, "max": 100, "name": "Overall %"})
    chart.set_y_axis({"reverse": True, "interval_unit": 1})
    bars = len(partnerships) * min(len(periods), 2)
    return _place(sheet, chart, row, max(CHART_COLUMN, len(header) + 1), bars,
                  len(partnerships) + 2)  # fmt: skip


def _levels_block(wb: Workbook, sheet: Sheet, c: Consolidation, fw: str, title: str,
                  row: int) -> int:  # fmt: skip
    """Each level's share (%) of a partnership's ratings in a term, one row per partnership
    and term, and the number of ratings; a 100 % stacked bar per row beside it."""
    fmts = sheet.fmts
    lv = [r for r in frame_records(c.levels, tb.LEVELS) if s(r["framework"]) == fw]
    if not lv:
        return row
    scale = first_seen(list(c.level_order.get(fw, ())) + [s(r["level"]) for r in lv])
    counts: dict[tuple, dict[str, float]] = {}
    for r in lv:
        key = (s(r["partnership"]), s(r["year"]), s(r["term"]))
        n = 0.0 if missing(r["count"]) else float(r["count"])
        counts.setdefault(key, {})[s(r["level"])] = n
    keys = sorted(counts, key=lambda k: (k[0], period_key(k[1], k[2])))
    header = ["Partnership, term", *scale, "Ratings"]
    _title_and_header(sheet, row, f"{title}: share of ratings by level (%)", header)
    first = row + 2
    for i, key in enumerate(keys, start=first):
        total = sum(counts[key].values())
        sheet.put(i, 0, f"{key[0] or '(no partnership)'}, {key[1]} {key[2]}",
                  fmts(text_wrap=True))  # fmt: skip
        for j, level in enumerate(scale, start=1):
            share = 100 * counts[key].get(level, 0.0) / total if total else None
            sheet.put(i, j, share, fmts(num_format=PCT))
        sheet.put(i, len(scale) + 1, total, fmts(num_format="0"))
    last = first + len(keys) - 1
    chart = _chart(wb, sheet, {"type": "bar", "subtype": "percent_stacked"}, row)
    colours = c.level_colours.get(fw, {})
    for j, level in enumerate(scale, start=1):
        series = {
            "name": [sheet.name, row + 1, j],
            "categories": [sheet.name, first, 0, last, 0],
            "values": [sheet.name, first, j, last, j],
            "gap": 60,
        }
        colour = colours.get(level)
        if isinstance(colour, str) and _COLOUR.fullmatch(colour):
            series |= {"fill": {"color": colour}, "border": {"color": "#595959"}}
        chart.add_series(series)
    chart.set_x_axis({"name": "Share of ratings"})
    chart.set_y_axis({"reverse": True, "interval_unit": 1})
    return _place(sheet, chart, row, max(CHART_COLUMN, len(header) + 1), len(keys),
                  len(keys) + 2)  # fmt: skip


def _groups_block(sheet: Sheet, c: Consolidation, fw: str, title: str, row: int) -> int:
    """Mean % by group (rows) and partnership (columns) in the framework's latest term, with
    data bars."""
    fmts = sheet.fmts
    gm = [r for r in frame_records(c.group_means, tb.GROUP_MEANS) if s(r["framework"]) == fw]
    if not gm:
        return row
    year, term = max(((s(r["year"]), s(r["term"])) for r in gm), key=lambda p: period_key(*p))
    gm = [r for r in gm if (s(r["year"]), s(r["term"])) == (year, term)]
    groups = first_seen((s(r["group_id"]), s(r["group_title"])) for r in gm)
    partnerships = sorted({s(r["partnership"]) for r in gm})
    means = {(s(r["group_id"]), s(r["partnership"])): r["mean_pct"] for r in gm}
    header = ["Group", *(p or "(no partnership)" for p in partnerships)]
    _title_and_header(sheet, row, f"{title}: mean % by group, {year} {term}", header)
    first = row + 2
    for i, (gid, gtitle) in enumerate(groups, start=first):
        sheet.put(i, 0, f"{gid} {gtitle}".strip(), fmts(text_wrap=True))
        for j, p in enumerate(partnerships, start=1):
            sheet.put(i, j, means.get((gid, p)), fmts(num_format=PCT))
    last = first + len(groups) - 1
    sheet.ws.conditional_format(first, 1, last, len(partnerships), {
        "type": "data_bar", "bar_color": "#9BC2E6", "bar_solid": True,
        "min_type": "num", "min_value": 0, "max_type": "num", "max_value": 100,
    })  # fmt: skip
    return last + 3
