"""Feedback for each setting: a one-sheet workbook (and a PDF of it) a consultant can email
or print, built from an analysis.

For each setting's latest accepted return (per framework) it shows the setting's scores by
group against the partnership's average for the same framework, year and term (with a bar
chart), what changed since the setting's previous return, the items still at the lowest level
of the scale (the gaps that should drive the action plan), overdue actions, and the return's
warnings. This module gathers that from the analysis tables and writes the files; the sheet
itself is drawn by :mod:`awardbooks.outputs.feedback_sheet`.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awardbooks.analyse.consolidate import term_sort_key
from awardbooks.analyse.tables import Consolidation
from awardbooks.spec.model import Framework

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

    @property
    def lowest(self) -> str:
        return self.framework.scale.labels[0]


@dataclass
class FeedbackResult:
    """What a feedback run wrote and kept, and what the user should know."""

    workbooks: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_reported: int = 0  # returns that were rejected, duplicates or unknown

    @property
    def written(self) -> list[Path]:
        return self.workbooks + self.pdfs


def _num(value: Any) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _who(urn: str, setting: str) -> str:
    return urn if urn else setting.casefold()


def term_title(year: str, term: str, sep: str = " ") -> str:
    return f"{term.capitalize()}{sep}{year}".strip()


def _records(df) -> list[dict[str, Any]]:
    return [] if df is None or df.empty else df.to_dict("records")


def _index(rows: list[dict[str, Any]], *keys: str) -> dict[tuple, list[dict[str, Any]]]:
    """Rows grouped by (framework, setting) plus ``keys``."""
    out: dict[tuple, list[dict[str, Any]]] = {}
    for row in rows:
        who = _who(row["urn"], row["setting"])
        out.setdefault((row["framework"], who, *(row[k] for k in keys)), []).append(row)
    return out


def collect(c: Consolidation, frameworks: dict[str, Framework]) -> list[Feedback]:
    """One :class:`Feedback` per setting and framework: its latest accepted return."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for r in _records(c.returns):
        if r["status"] not in USABLE or r["framework"] not in frameworks:
            continue
        key = (r["framework"], _who(r["urn"], r["setting"]))
        if key not in latest or term_sort_key(r["year"], r["term"]) > term_sort_key(
            latest[key]["year"], latest[key]["term"]
        ):
            latest[key] = r
    tables = {
        "scores": _index(_records(c.scores), "year", "term"),
        "progress": _index(_records(c.progress), "year", "term"),
        "history": _index(_records(c.progress)),
        "ratings": _index(_records(c.ratings), "year", "term"),
        "actions": _index(_records(c.actions), "file"),
        "means": {
            (m["partnership"], m["framework"], m["year"], m["term"], m["group_id"]): m["mean_pct"]
            for m in _records(c.group_means)
        },
        "summary": {
            (s["partnership"], s["framework"], s["year"], s["term"]): s for s in _records(c.summary)
        },
        "problems": c.problems,  # file → what reading it found, placed by their fields
    }
    order = sorted(latest.items(), key=lambda kv: (kv[1]["setting"].casefold(), kv[0]))
    return [_one(frameworks[fid], who, r, tables) for (fid, who), r in order]


def _one(fw: Framework, who: str, r: dict[str, Any], t: dict[str, dict]) -> Feedback:
    from awardbooks.workbook.layout import layout_for

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
            "All items" if gid == "ALL" else row["group_title"],
            _num(row["score_pct"]),
            _num(average),
            int(row["rated"]),
            int(row["total"]),
        )
        if s.previous is not None:
            line.before = _num(before.get(gid, {}).get("score_pct"))
            line.change = _num(now.get(gid, {}).get("change_pct"))
            line.slipped = bool(now.get(gid, {}).get("slipped"))
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
    for problem in t["problems"].get(r["file"], ()):
        if problem.severity == "warning":
            s.warnings.append((problem.where or "Whole file", problem.text))
    return s


def _item_texts(fw: Framework) -> dict[str, str]:
    texts = {item.id: item.text for item in fw.items}
    for g in fw.groups:
        if g.judgement:
            texts[f"{g.id}:judgement"] = f"{fw.labels.judgement} for {fw.labels.group} {g.id}"
    return texts


def report_filename(s: Feedback, taken: set[str]) -> str:
    """A safe, readable, unique file stem for a setting's report."""
    from awardbooks.generate.workbooks import safe_filename

    tail = f"{s.framework.id}_{s.year}_{s.term}_feedback"
    stem = f"{safe_filename(s.setting)}_{tail}"
    if stem.casefold() in taken and s.urn:
        stem = f"{safe_filename(s.setting)}-{safe_filename(s.urn)}_{tail}"
    base, n = stem, 2
    while stem.casefold() in taken:
        stem, n = f"{base}-{n}", n + 1
    taken.add(stem.casefold())
    return stem


def pdf_problem() -> str | None:
    """How to install LibreOffice when it is missing (PDFs cannot be made), or None."""
    from awardbooks.libreoffice import convert as libreoffice

    if libreoffice.find_soffice() is None:
        return libreoffice.INSTALL_HINT
    return None


def feedback_reports(
    c: Consolidation,
    out_dir: str | Path,
    *,
    pdf: bool = True,
    force: bool = False,
    specs: Iterable[str | Path] = (),
) -> FeedbackResult:
    """Write a feedback workbook per setting into ``out_dir``, then PDFs of them all in one
    LibreOffice call. Existing reports are kept unless ``force``."""
    from awardbooks.errors import ReportError
    from awardbooks.generate.workbooks import atomic_write
    from awardbooks.outputs.feedback_sheet import write_workbook
    from awardbooks.read.returns import Registry

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out}: is a file, not a folder; choose another --out folder")
    out.mkdir(parents=True, exist_ok=True)
    frameworks = Registry.default(specs).by_id
    settings = collect(c, frameworks)
    if not settings:
        read = sum(1 for r in _records(c.returns) if r["status"] != "missing")
        raise ReportError(
            f"no accepted returns among the {read} file{'s' if read != 1 else ''} read, so there "
            "is nothing to report on; "
            "awardbooks analyse lists each return's status and the reasons"
        )
    result = FeedbackResult()
    result.not_reported = sum(
        1 for r in _records(c.returns) if r["status"] not in (*USABLE, "missing")
    )
    taken: set[str] = set()
    for s in settings:
        stem = report_filename(s, taken)
        path = out / f"{stem}.xlsx"
        if not force and (path.exists() or (pdf and path.with_suffix(".pdf").exists())):
            result.kept.append(path)
            continue
        atomic_write(path, lambda handle, s=s: write_workbook(s, handle, c.analysed_on))
        result.workbooks.append(path)
    if pdf and result.workbooks:
        problem = pdf_problem()
        if problem:
            result.warnings.append(
                f"PDFs need LibreOffice, which is not installed here ({problem}); the workbooks "
                "were written: run again with --force once it is installed to add the PDFs"
            )
        else:
            result.pdfs = _to_pdf(result.workbooks, out, result.warnings)
    return result


def write_feedback(
    consolidation: Consolidation,
    out_dir: str | Path,
    *,
    pdf: bool = True,
    force: bool = False,
    specs: Iterable[str | Path] = (),
) -> list[Path]:
    """Write the feedback workbooks (and PDFs); returns every file written. Use
    :func:`feedback_reports` to also learn what was kept and any warnings."""
    return feedback_reports(consolidation, out_dir, pdf=pdf, force=force, specs=specs).written


def _to_pdf(workbooks: list[Path], out: Path, warnings: list[str]) -> list[Path]:
    """Convert every workbook in one LibreOffice call, into a private folder first (so a
    failed run leaves no half-written PDF), then move the PDFs beside the workbooks."""
    from awardbooks.libreoffice import convert as libreoffice

    with tempfile.TemporaryDirectory(prefix=".pdf-", dir=out) as tmp:
        try:
            made = libreoffice.convert(workbooks, Path(tmp), fmt="pdf")
        except libreoffice.LibreOfficeError as exc:
            warnings.append(f"the PDFs could not be made ({exc}); the workbooks were written")
            return []
        pdfs = []
        for made_pdf, workbook in zip(made, workbooks):
            target = workbook.with_suffix(".pdf")
            os.replace(made_pdf, target)
            pdfs.append(target)
    return pdfs
