"""Feedback for each setting: a one-sheet workbook (and a PDF of it) a consultant can email
or print, built from an analysis.

For each setting's latest accepted return (per framework) it shows the setting's scores by
group against the partnership's average for the same framework, year and term (with a bar
chart), what changed since the setting's previous return, the items still at the lowest level
of the scale (the gaps that should drive the action plan), overdue actions, and the return's
warnings. This module gathers that from the analysis tables; the sheet is drawn by
:mod:`awardbooks.outputs.feedback_sheet` and the files written by
:mod:`awardbooks.outputs.feedback_files`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from awardbooks.analyse.tables import Consolidation
from awardbooks.common.identity import setting_key, term_sort_key
from awardbooks.spec.model import Framework
from awardbooks.version import __version__
from awardbooks.workbook.layout import layout_for

USABLE = ("accepted", "warning")


@dataclass
class GroupLine:
    group_id: str  # "ALL" for the overall row
    label: str  # "Objective 3" or "Overall"
    title: str
    pct: float | None
    average: float | None = None
    rated: int = 0
    total: int = 0
    before: float | None = None
    change: float | None = None
    slipped: bool = False
    moved: tuple[int, int, int] | None = None
    """Of the items rated both times: how many went down, stayed the same and went up."""


@dataclass
class Feedback:
    """Everything one setting's feedback shows."""

    framework: Framework
    setting: str
    urn: str
    partnership: str
    year: str
    term: str
    file: str
    status: str
    completed_on: str
    completed_by: str
    settings_in_average: int = 0
    groups: list[GroupLine] = field(default_factory=list)
    previous: tuple[str, str] | None = None  # (year, term) of the setting's previous return
    went_down: list[tuple[str, str, str, str]] = field(default_factory=list)  # id, text, was, now
    gaps: list[tuple[str, str, str]] = field(default_factory=list)  # id, text, group label
    unrated: int = 0
    overdue: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # where, message
    plan: list[tuple[str, str, str]] | None = field(default_factory=list)
    """What the setting typed in the rating sheets' input columns (an LPPA's IARAP): per row
    (ID as shown, item text, "Column: value" lines); None when the inputs were not gathered
    (a collection's reports, built from its ledger)."""

    @property
    def lowest(self) -> str:
        return self.framework.scale.labels[0]

    def fingerprint(self) -> str:
        """A hash of everything the report shows (and of the awardbooks that draws it): a
        report whose fingerprint is unchanged needs no rewriting."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        fw = self.framework
        data["framework"] = (fw.id, fw.version, fw.fingerprint(), __version__)
        data["groups"] = [dataclasses.astuple(g) for g in self.groups]
        text = json.dumps(data, default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def records(df) -> list[dict[str, Any]]:
    return [] if df is None or df.empty else df.to_dict("records")


def _index(rows: list[dict[str, Any]], *keys: str) -> dict[tuple, list[dict[str, Any]]]:
    """Rows grouped by (framework, setting) plus ``keys``."""
    out: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        who = setting_key(row["urn"], row["setting"])
        out.setdefault((row["framework"], who, *(row[k] for k in keys)), []).append(row)
    return out


def collect(c: Consolidation, frameworks: dict[str, Framework]) -> list[Feedback]:
    """One :class:`Feedback` per setting and framework: its latest accepted return."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records(c.returns):
        if r["status"] not in USABLE or r["framework"] not in frameworks:
            continue
        key = (r["framework"], setting_key(r["urn"], r["setting"]))
        if key not in latest or term_sort_key(r["year"], r["term"]) > term_sort_key(
            latest[key]["year"], latest[key]["term"]
        ):
            latest[key] = r
    tables = {
        "scores": _index(records(c.scores), "year", "term"),
        "progress": _index(records(c.progress), "year", "term"),
        "history": _index(records(c.progress)),
        "ratings": _index(records(c.ratings), "year", "term"),
        "actions": _index(records(c.actions), "file"),
        "inputs": _index(records(c.inputs), "file"),
        "gathered": c.inputs is not None,
        "means": {
            (m["partnership"], m["framework"], m["year"], m["term"], m["group_id"]): m["mean_pct"]
            for m in records(c.group_means)
        },
        "summary": {
            (s["partnership"], s["framework"], s["year"], s["term"]): s for s in records(c.summary)
        },
        "problems": c.problems,  # file → what reading it found, placed by their fields
    }
    order = sorted(latest.items(), key=lambda kv: (kv[1]["setting"].casefold(), kv[0]))
    return [_one(frameworks[fid], who, r, tables) for (fid, who), r in order]


def _one(fw: Framework, who: str, r: dict[str, Any], t: dict[str, dict]) -> Feedback:
    fid, period = fw.id, (r["year"], r["term"])
    s = Feedback(
        fw, r["setting"], r["urn"], r["partnership"], r["year"], r["term"], r["file"],
        r["status"], r["completed_on"], r["completed_by"],
    )  # fmt: skip
    place = (r["partnership"], fid, *period)
    overall = t["summary"].get(place, {})
    s.settings_in_average = int(overall.get("settings") or 0)
    history = {(p["year"], p["term"]) for p in t["history"].get((fid, who), [])}
    earlier = sorted(p for p in history if term_sort_key(*p) < term_sort_key(*period))
    s.previous = max(earlier, key=lambda p: term_sort_key(*p)) if earlier else None
    before = {p["group_id"]: p for p in t["progress"].get((fid, who, *(s.previous or ())), [])}
    now = {p["group_id"]: p for p in t["progress"].get((fid, who, *period), [])}
    for row in t["scores"].get((fid, who, *period), []):
        gid = row["group_id"]
        average = overall.get("mean_pct") if gid == "ALL" else t["means"].get((*place, gid))
        line = GroupLine(
            gid,
            "Overall" if gid == "ALL" else f"{fw.labels.group} {gid}",
            "All" if gid == "ALL" else row["group_title"],
            _num(row["score_pct"]),
            _num(average),
            int(row["rated"]),
            int(row["total"]),
        )
        if s.previous is not None:
            line.before = _num(before.get(gid, {}).get("score_pct"))
            line.change = _num(now.get(gid, {}).get("change_pct"))
            line.slipped = bool(now.get(gid, {}).get("slipped"))
            counts = [_num(now.get(gid, {}).get(k)) for k in ("items_down", "items_same",
                                                             "items_up")]  # fmt: skip
            if all(n is not None for n in counts):
                line.moved = (int(counts[0]), int(counts[1]), int(counts[2]))
        s.groups.append(line)
    s.groups.sort(key=lambda g: g.group_id == "ALL")
    texts = _item_texts(fw)
    rating_rows = layout_for(fw).rating_rows
    order = {row.key: n for n, row in enumerate(rating_rows)}
    shown = {row.key: row.id_text for row in rating_rows}  # as the workbook shows it: 1.a, 3*
    current = sorted(
        (x for x in t["ratings"].get((fid, who, *period), []) if x["file"] == r["file"]),
        key=lambda x: order.get(x["item_id"], 0),
    )
    s.unrated = sum(1 for x in current if not x["rating"])
    s.gaps = [
        (shown.get(x["item_id"], x["item_id"]), texts.get(x["item_id"], ""),
         f"{fw.labels.group} {x['group_id']}")
        for x in current
        if x["rating"] == s.lowest
    ]  # fmt: skip
    was = {x["item_id"]: x for x in t["ratings"].get((fid, who, *(s.previous or ())), [])}
    for x in current:
        old = was.get(x["item_id"], {})
        if _num(x["score"]) is not None and _num(old.get("score")) is not None:
            if x["score"] < old["score"]:
                item = x["item_id"]
                s.went_down.append((shown.get(item, item), texts.get(item, ""), old["rating"],
                                    x["rating"]))  # fmt: skip
    s.overdue = [a for a in t["actions"].get((fid, who, r["file"]), []) if a["overdue"]]
    if t["gathered"]:
        s.plan = _plan(fw, t["inputs"].get((fid, who, r["file"]), []), shown, texts)
    else:
        s.plan = None
    for problem in t["problems"].get(r["file"], ()):
        if problem.severity == "warning":
            s.warnings.append((problem.where or "Whole file", problem.text))
    return s


def _plan(fw: Framework, typed: list[dict[str, Any]], shown: dict[str, str], texts) -> list:
    """The rating sheets' input columns as typed, a line per column, in the workbook's order."""
    audit = {c.id for c in fw.audit.columns if c.input}
    lines: dict[str, list[str]] = {}
    for x in typed:
        if x["column_id"] in audit and x["row_key"] in shown:
            lines.setdefault(x["row_key"], []).append(f"{x['column']}: {x['value']}")
    return [(shown[key], texts.get(key, ""), "\n".join(found)) for key, found in lines.items()]


def _item_texts(fw: Framework) -> dict[str, str]:
    texts = {item.id: item.text for item in fw.items}
    for g in fw.groups:
        if g.judgement:
            texts[f"{g.id}:judgement"] = f"{fw.labels.judgement} for {fw.labels.group} {g.id}"
    return texts


