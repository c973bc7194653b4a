"""The end-of-run summary the CLI prints: files by status, then the overall mean % per
framework and partnership for the latest term each has."""

from __future__ import annotations

import unicodedata
from typing import Any

from awardbooks.analyse import tables as tb
from awardbooks.analyse.tables import Consolidation
from awardbooks.common.text import plural
from awardbooks.outputs.data_files import csv_value
from awardbooks.outputs.frames import (
    completeness_counts,
    frame_records,
    frame_rows,
    missing,
    period_key,
    s,
)


def _display_width(text: str) -> int:
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _table_lines(rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(_display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            pad = " " * (widths[i] - _display_width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return lines


def completeness_line(done: dict[str, int]) -> str:
    """'Usable returns: 5 complete, 2 incomplete, 1 with nothing rated (left out of the
    means).'"""
    empty = done["nothing rated"]
    left_out = f", {empty} with nothing rated (left out of the means)" if empty else ""
    complete, incomplete = done["complete"], done["incomplete"]
    return f"Usable returns: {complete} complete, {incomplete} incomplete{left_out}."


def nothing_usable(c: Consolidation) -> str:
    """Why none of the returns could be used: 'none of the 3 returns could be used (2
    rejected, 1 with nothing rated)'; '' when one could."""
    statuses = [s(r[0]) for r in frame_rows(c.returns, ["status"]) if s(r[0]) != "missing"]
    done = completeness_counts(c.returns)
    if not statuses or done["complete"] or done["incomplete"]:
        return ""
    why = [
        f"{n} rejected" if status == "rejected" else f"{n} unknown" if status == "unknown"
        else plural(n, "duplicate")
        for status in ("rejected", "duplicate", "unknown")
        if (n := statuses.count(status))
    ]  # fmt: skip
    if done["nothing rated"]:
        why.append(f"{done['nothing rated']} with nothing rated")
    returns = "the return" if len(statuses) == 1 else f"none of the {len(statuses)} returns"
    could = "could not be used" if len(statuses) == 1 else "could be used"
    return f"{returns} {could} ({', '.join(why)})"


def summary_lines(c: Consolidation) -> list[str]:
    """The end-of-run summary: files by status, then the overall mean % per framework and
    partnership for the latest term each has."""
    statuses = [s(r[0]) for r in frame_rows(c.returns, ["status"])]
    count = statuses.count
    rows = [
        ["Files read", str(len(statuses) - count("missing"))],
        ["  accepted", str(count("accepted"))],
        ["  with warnings", str(count("warning"))],
        ["  rejected", str(count("rejected"))],
        ["  duplicates", str(count("duplicate"))],
        ["  unknown", str(count("unknown"))],
        ["Missing (expected, not returned)", str(count("missing"))],
    ]
    other = len(statuses) - sum(count(s) for s in tb.STATUSES)
    if other:
        rows.insert(6, ["  other status", str(other)])
    lines = _table_lines(rows, {1})
    done = completeness_counts(c.returns)
    if sum(done.values()):
        lines.append(completeness_line(done))
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    found = frame_records(c.summary, tb.SUMMARY)
    for r in sorted(found, key=lambda r: period_key(r["year"], r["term"])):
        latest[(s(r["framework"]), s(r["partnership"]))] = r  # the latest term wins
    if latest:
        table = [["Framework", "Partnership", "Term", "Settings", "Mean %"]]
        for (fw, p), r in sorted(latest.items()):
            mean = r["mean_pct"]
            table.append([
                fw, p or "(none)", f"{s(r['year'])} {s(r['term'])}".strip(),
                csv_value("settings", r["settings"]),
                "-" if missing(mean) else f"{float(mean):.1f}",
            ])  # fmt: skip
        lines += [""] + _table_lines(table, {3, 4})
    return lines
