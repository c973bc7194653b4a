"""Writing an analysis' outputs safely: the consolidated workbook never replaces a return or
a file awardbooks did not write, and the data files are written even if the workbook fails.

For a small consolidation the CSVs are written in a forked process while this one writes
the workbook (each is a single-core job); above :data:`SIDE_BY_SIDE_MAX` rating rows, one
after the other, so that a run's memory does not grow with the second process's copy.
"""

from __future__ import annotations

import multiprocessing
import os
import zipfile
from pathlib import Path

from awardbooks.analyse.consolidate import release_memory
from awardbooks.analyse.tables import Consolidation
from awardbooks.common.files import ensure_folder
from awardbooks.errors import AwardbooksError, ReportError
from awardbooks.outputs.consolidated import CONSOLIDATED_TITLE, write_consolidated
from awardbooks.outputs.data_files import write_data

SIDE_BY_SIDE_MAX = 100_000
"""Rating rows up to which the data files are written in a second process while this one
writes the workbook; above it they are written one after the other."""


def is_consolidated(path: Path) -> bool:
    """Whether ``path`` is a consolidated workbook awardbooks wrote (its document title)."""
    try:
        with zipfile.ZipFile(path) as zf:
            core = zf.read("docProps/core.xml")[:4096]
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return CONSOLIDATED_TITLE.encode() in core


def check_output(out: Path, inputs: list[Path], force: bool) -> None:
    """Before any reading: the consolidated workbook may not replace a return or a file
    awardbooks did not write, and its folder must be makeable."""
    if out.suffix.lower() != ".xlsx":
        raise AwardbooksError(f"{out}: the consolidated workbook's name must end in .xlsx")
    if out.is_dir():
        raise AwardbooksError(f"{out}: is a folder; give a file name like consolidated.xlsx")
    if out.exists():
        resolved = out.resolve()
        if any(p.resolve() == resolved for p in inputs):
            raise AwardbooksError(
                f"{out}: is one of the returns being read; write the consolidated workbook "
                "somewhere else"
            )
        if not force and not is_consolidated(out):
            raise AwardbooksError(
                f"{out}: already exists and was not written by awardbooks analyse; choose "
                "another {opt:out}, or add {opt:force} to replace it"
            )
    ensure_folder(out.parent, AwardbooksError)


def write_outputs(consolidation: Consolidation, out: Path | None, data_dir: Path) -> list[Path]:
    """The consolidated workbook (unless ``out`` is None) and the data files."""
    big = len(consolidation.ratings) > SIDE_BY_SIDE_MAX
    if out is None or big or not hasattr(os, "fork"):
        written: list[Path] = []
        failed: Exception | None = None
        if out is not None:
            try:
                write_consolidated(consolidation, out)
                written.append(out)
            except Exception as exc:  # the data files are still written, as side by side
                failed = exc
            release_memory()
        written += write_data(consolidation, data_dir)
        if failed is not None:
            raise failed
        return written
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_write_data_child, args=(consolidation, data_dir, send))
    child.start()
    send.close()
    try:
        write_consolidated(consolidation, out)
    finally:
        outcome = receive.recv() if receive.poll(600) else ("error", "writing the CSVs timed out")
        child.join()
    if outcome[0] == "error":
        raise ReportError(outcome[1])
    return [out, *outcome[1]]


def _write_data_child(consolidation: Consolidation, data_dir: Path, send) -> None:
    try:
        send.send(("ok", write_data(consolidation, data_dir)))
    except Exception as exc:  # reported by the parent as one line
        send.send(("error", str(exc) or type(exc).__name__))
