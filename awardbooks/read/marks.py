"""What an annotated copy says it marked: the problems :mod:`awardbooks.read.annotate` put
on it, recorded in the workbook itself so that a copy the school fixes and sends back can be
read as "annotated copy: 2 of 3 problems fixed", and annotated again without its old notes.

Decisions:

- The marks are rows of the very-hidden metadata sheet, from row :data:`MARK_ROW` down (far
  below its key/value rows): column A the key ``annotated mark``, column B one problem as
  JSON ``[kind, code, sheet, cell]``. The metadata sheet is what every application keeps (the
  reader already relies on it); LibreOffice re-saves the rows as they are (measured by
  tests/test_annotate.py), and a school cannot see or change them.
- A problem counts as fixed when reading the copy no longer finds a problem of the same code
  at the same sheet and cell. Problems found anew are the return's own, counted as usual.
- An annotated copy is named after the return it copies, ``<name> - annotated.xlsx``
  (:func:`copy_names`); a file is known as one by its marks, so a school's file of that
  name is never taken for one.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from awardbooks.problems import Problem

MARK_ROW = 101
"""The first row (as Excel numbers them) of the marks on the metadata sheet."""
MARK_KEY = "annotated mark"
SUFFIX = " - annotated"
"""What an annotated copy's name ends with, before its extension."""

Mark = tuple[str, str, str, str]  # (kind, code, sheet, cell)


def mark_of(kind: str, problem: Problem) -> Mark:
    return (kind, problem.code, problem.sheet, problem.cell)


def encode(mark: Mark) -> str:
    return json.dumps(list(mark), ensure_ascii=False)


def decode_rows(rows: Iterable[Any]) -> list[Mark]:
    """The marks among the metadata sheet's rows from :data:`MARK_ROW` (each a sequence of
    cell values); a row that is not a mark is passed over."""
    marks: list[Mark] = []
    for row in rows:
        if len(row) < 2 or row[0] != MARK_KEY or not isinstance(row[1], str):
            continue
        try:
            value = json.loads(row[1])
        except ValueError:
            continue
        if isinstance(value, list) and len(value) == 4 and all(isinstance(v, str) for v in value):
            marks.append(tuple(value))
    return marks


def annotation(meta_grid: list | None, record: Any) -> tuple[list[Mark], str]:
    """A return's marks, read from its metadata sheet's rows (``meta_grid``), and what they
    say of its problems (``record.problems``): (marks, :func:`fixed_text`)."""
    found = decode_rows(meta_grid[MARK_ROW - 1 :]) if meta_grid else []
    return found, fixed_text(found, record.problems)


def fixed_text(marks: list[Mark], problems: Iterable[Problem]) -> str:
    """'annotated copy: N of M problems fixed' ('' when nothing was marked)."""
    if not marks:
        return ""
    still = {(p.code, p.sheet, p.cell) for p in problems}
    fixed = sum(1 for _kind, code, sheet, cell in marks if (code, sheet, cell) not in still)
    total = len(marks)
    return f"annotated copy: {fixed} of {total} problem{'s' if total != 1 else ''} fixed"


def copy_names(wanted: list[str], folder: Path) -> dict[str, Path]:
    """Each return's copy: named after it, never over a file awardbooks did not write."""
    def base(name: str, parents: int) -> str:
        parts = [p for p in re.split(r"[!/\\]", name) if p]
        stem = Path(parts[-1]).stem
        around = [Path(p).stem for p in parts[-1 - parents : -1]]
        return " - ".join([*around, stem]) + SUFFIX

    first = {name: base(name, 0) for name in wanted}
    taken: set[str] = set()
    found: dict[str, Path] = {}
    for name in wanted:
        stem = first[name]
        if list(first.values()).count(stem) > 1:
            stem = base(name, 1)
        ext = ".xlsm" if name.lower().endswith((".xlsm", ".xltm")) else ".xlsx"
        n, candidate = 1, stem
        while (
            candidate.lower() in taken
            or (folder / (candidate + ext)).exists()
            and not is_annotated_copy(folder / (candidate + ext))
        ):
            n += 1
            candidate = f"{stem} ({n})"
        taken.add(candidate.lower())
        found[name] = folder / (candidate + ext)
    return found


def is_annotated_copy(path: Path) -> bool:
    """Whether a file is an annotated copy awardbooks wrote (it carries the marks)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(
                MARK_KEY.encode() in zf.read(info)
                for info in zf.infolist()
                if info.filename.startswith("xl/") and info.file_size < 50_000_000
                and info.filename.endswith(".xml")
            )
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
