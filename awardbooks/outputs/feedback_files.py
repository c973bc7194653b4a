"""Feedback reports as files: a workbook per setting (drawn by
:mod:`awardbooks.outputs.feedback_sheet` from :func:`awardbooks.outputs.feedback.collect`),
and PDFs of them all made in one LibreOffice call. Existing reports are kept unless asked."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.analyse.tables import Consolidation
from awardbooks.common.files import atomic_write, ensure_folder, safe_filename
from awardbooks.errors import Advice, ReportError
from awardbooks.libreoffice import convert as libreoffice
from awardbooks.outputs.feedback import USABLE, Feedback, collect, records
from awardbooks.outputs.feedback_sheet import write_workbook
from awardbooks.read.returns import Registry


@dataclass
class FeedbackResult:
    """What a feedback run wrote and kept, and what the user should know."""

    workbooks: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_reported: int = 0  # returns that were rejected, duplicates or unknown
    reports: dict[Path, Feedback] = field(default_factory=dict)
    """Each report's workbook (written or kept) and what it shows."""

    @property
    def written(self) -> list[Path]:
        return self.workbooks + self.pdfs


def report_filename(s: Feedback, taken: set[str]) -> str:
    """A safe, readable, unique file stem for a setting's report."""
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
    current: Callable[[Path, Feedback], bool] | None = None,
) -> FeedbackResult:
    """Write a feedback workbook per setting into ``out_dir``, then PDFs of them all in one
    LibreOffice call. Existing reports are kept unless ``force``; with ``current`` (given the
    workbook's path and what it would show) only those it says are not current are
    rewritten, existing or not."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ReportError(f"{out}: is a file, not a folder; choose another {{opt:out_dir}} folder")
    frameworks = Registry.default(specs).by_id
    settings = collect(c, frameworks)
    if not settings:
        read = sum(1 for r in records(c.returns) if r["status"] != "missing")
        raise ReportError(
            f"no accepted returns among the {read} file{'s' if read != 1 else ''} read, so there "
            "is nothing to report on; "
            "awardbooks analyse lists each return's status and the reasons"
        )
    ensure_folder(out, ReportError, "; choose another {opt:out_dir} folder")
    result = FeedbackResult()
    result.not_reported = sum(
        1 for r in records(c.returns) if r["status"] not in (*USABLE, "missing")
    )
    taken: set[str] = set()
    for s in settings:
        stem = report_filename(s, taken)
        path = out / f"{stem}.xlsx"
        result.reports[path] = s
        if current is not None:
            up_to_date = current(path, s)
        else:
            up_to_date = path.exists() or (pdf and path.with_suffix(".pdf").exists())
        if not force and up_to_date:
            result.kept.append(path)
            continue
        atomic_write(path, lambda handle, s=s: write_workbook(s, handle, c.analysed_on))
        result.workbooks.append(path)
    if pdf and result.workbooks:
        problem = pdf_problem()
        if problem:
            result.warnings.append(
                Advice(
                    f"PDFs need LibreOffice, which is not installed here ({problem}); the "
                    "workbooks were written: run again with {opt:force} once it is installed "
                    "to add the PDFs"
                )
            )
        else:
            result.pdfs = _to_pdf(result.workbooks, out, result.warnings)
    return result


def _to_pdf(workbooks: list[Path], out: Path, warnings: list[str]) -> list[Path]:
    """Convert every workbook in one LibreOffice call, into a private folder first (so a
    failed run leaves no half-written PDF), then move the PDFs beside the workbooks."""
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
