"""The end-of-run summary the CLI prints: files by status, then the overall mean % per
framework and partnership for the latest term each has."""

from __future__ import annotations

import unicodedata
from typing import Any

from awardbooks.analyse import tables as tb
from awardbooks.analyse.tables import Consolidation
from awardbooks.outputs.data_files import csv_value
from awardbooks.outputs.frames import frame_records, frame_rows, missing, period_key, s


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
