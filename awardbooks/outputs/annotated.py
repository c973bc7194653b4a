"""Annotated copies of an analysis' returns (``analyse --annotate DIR``): one per return that
was rejected or read with warnings, each problem marked on its cell
(:mod:`awardbooks.read.annotate`), ready to send back to the school.

Decisions:

- A copy is named after the return it copies, ``<name> - annotated.xlsx`` (a return inside
  an archive or a saved email: its own name; two returns of one name: the archive's or
  email's name in front, then a number), so the officer and the school see which it is.
- Nothing a school sent is ever replaced: the folder may not be among the returns being read
  (the copies would be read as returns next time), and a file already there is replaced only
  when it is an annotated copy awardbooks wrote; otherwise the copy takes the next free name.
- A return that cannot be annotated (not an .xlsx or .xlsm, or not a workbook at all) is
  passed over with the reason: the analysis itself never fails for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.analyse.tables import Consolidation
from awardbooks.errors import AwardbooksError, ReportError
from awardbooks.read.annotate import annotate_bytes
from awardbooks.read.marks import copy_names
from awardbooks.read.returns import ReturnRecord

ANNOTATED = ("rejected", "warning")
"""The statuses of the returns that get an annotated copy."""


@dataclass
class Annotated:
    """What :func:`annotate_all` wrote (return name → its copy) and passed over (and why)."""

    written: dict[str, Path] = field(default_factory=dict)
    passed_over: list[tuple[str, str]] = field(default_factory=list)


def check_folder(folder: Path, inputs: list[Path], given: list[Path]) -> None:
    """Before any reading: the folder for the copies is not among the returns being read."""
    where = folder.resolve()
    for path in [*given, *inputs]:
        path = Path(path).resolve()
        if where == path or (path.is_dir() and path in where.parents):
            raise ReportError(
                f"{folder}: is among the returns being read, so the annotated copies would be "
                "read as returns next time; give a folder outside them, e.g. to-fix/"
            )
    if folder.exists() and not folder.is_dir():
        raise ReportError(f"{folder}: is a file; give a folder for the annotated copies")


def annotate_all(
    consolidation: Consolidation, units: list[tuple], folder: Path
) -> Annotated:
    """An annotated copy in ``folder`` of every return the analysis rejected or read with
    warnings; ``units`` are the (name, path, bytes) the returns were read from."""
    by_name = {name: (path, data) for name, path, data in units}
    rows = consolidation.returns
    wanted = [
        str(name)
        for name, status in zip(rows["file"], rows["status"])
        if status in ANNOTATED and name in by_name
    ]
    result = Annotated()
    if not wanted:
        return result
    folder.mkdir(parents=True, exist_ok=True)
    names = copy_names(wanted, folder)
    for name in wanted:
        path, data = by_name[name]
        if path is None:  # a damaged archive, an email with no workbook: its data is why
            result.passed_over.append((name, "it holds no workbook to annotate"))
            continue
        problems = consolidation.problems.get(name, [])
        record = ReturnRecord(
            name,
            errors=[p for p in problems if p.severity == "error"],
            warnings=[p for p in problems if p.severity != "error"],
        )
        try:
            raw = data if isinstance(data, bytes) else Path(path).read_bytes()
            done = annotate_bytes(raw, name, names[name], record, force=True)
        except (AwardbooksError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            result.passed_over.append((name, reason.removeprefix(f"{name}: ")))
            continue
        if done.out is not None:
            result.written[name] = done.out
    return result
