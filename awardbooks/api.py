"""The library's entry points. Each returns a result object and raises
:class:`~awardbooks.errors.AwardbooksError` subclasses with one-line messages."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awardbooks.authoring.sources import load_spec
from awardbooks.generate.workbooks import (
    MANIFEST_COLUMNS,
    GenerateResult,
    Setting,
    _unique_names,
    current_academic_year,
    generate_one,
    generate_roster,
    read_manifest,
    read_roster,
    write_csv,
)
from awardbooks.mail.drafts import DraftsResult, SendResult, write_drafts  # noqa: F401 - email out
from awardbooks.mail.drafts import send as send_mail  # noqa: F401
from awardbooks.spec import loading as _spec
from awardbooks.spec.model import Framework


def load_framework(framework: str | Path | Framework) -> Framework:
    """A built-in framework id, a spec path (YAML or an authoring workbook), or an
    already-loaded framework."""
    if isinstance(framework, Framework):
        return framework
    return load_spec(framework)


@dataclass(frozen=True)
class FrameworkInfo:
    id: str
    title: str
    scale: str
    groups: int
    items: int
    status: str
    version: str
    path: Path


def frameworks() -> list[FrameworkInfo]:
    """The built-in frameworks."""
    found = []
    for fid, path in _spec.builtin_paths().items():
        fw = _spec.load(path)
        found.append(
            FrameworkInfo(
                fid,
                fw.title,
                fw.scale.title,
                len(fw.groups),
                len(fw.items),
                fw.status,
                fw.version,
                path,
            )
        )
    return found


def generate(
    framework: str | Path | Framework,
    *,
    setting: str | None = None,
    urn: str = "",
    partnership: str = "",
    local_authority: str = "",
    contact_email: str = "",
    roster: str | Path | None = None,
    year: str | None = None,
    term: str = "baseline",
    out_dir: str | Path = "generated",
    password: str | None = None,
    force: bool = False,
    progress: Callable[[Path], None] | None = None,
) -> GenerateResult:
    """Generate one workbook (``setting=``) or one per roster row (``roster=``)."""
    from awardbooks.errors import GenerateError

    fw = load_framework(framework)
    year = year or current_academic_year()
    out = Path(out_dir)
    if (setting is None) == (roster is None):
        raise GenerateError("give either a setting name or a roster file, not both or neither")
    if roster is not None:
        settings = read_roster(Path(roster))
        return generate_roster(
            fw,
            settings,
            year=year,
            term=term,
            out_dir=out,
            password=password,
            force=force,
            progress=progress,
        )
    if not setting or not setting.strip():
        raise GenerateError("the setting name is empty; give the school's name")
    one = Setting(
        setting.strip(),
        urn.strip(),
        partnership.strip(),
        local_authority.strip(),
        contact_email.strip(),
    )
    manifest = out / "manifest.csv"
    old_rows = {r["file"]: r for r in read_manifest(manifest)} if manifest.is_file() else {}
    # a name another setting's workbook in this folder already has is never reused
    name = _unique_names(fw, [one], year, term, old_rows)[0] if old_rows else None
    path, row = generate_one(
        fw, one, year=year, term=term, out_dir=out, password=password, force=force, filename=name
    )
    if row is not None and old_rows:
        rows = [r for f, r in old_rows.items() if f != path.name] + [row]
        write_csv(manifest, MANIFEST_COLUMNS, rows)
    if row is None:
        raise GenerateError(
            f"{path}: already exists (a school may have filled it in); use --force to replace "
            "it, or choose another --out folder"
        )
    return GenerateResult(written=[path], rows=[row])


def generate_next_term(
    framework: str | Path | Framework,
    returns: Iterable[str | Path],
    *,
    year: str | None = None,
    term: str,
    out_dir: str | Path = "generated",
    roster: str | Path | None = None,
    prefill: bool = False,
    password: str | None = None,
    force: bool = False,
) -> GenerateResult:
    """Next term's workbooks, each showing its setting's latest return beside the new cells."""
    from awardbooks.generate.carry_forward import generate_next_term as _next

    fw = load_framework(framework)
    return _next(
        fw,
        returns,
        year=year or current_academic_year(),
        term=term,
        out_dir=Path(out_dir),
        roster=Path(roster) if roster else None,
        prefill=prefill,
        password=password,
        force=force,
    )


@dataclass
class AnalysisResult:
    """An analysis run: the tables, and the files it wrote."""

    consolidation: Any
    written: list[Path]
    notes: list[str] = field(default_factory=list)


def analyse(
    paths: Iterable[str | Path],
    *,
    out: str | Path | None = "consolidated.xlsx",
    data_dir: str | Path | None = None,
    manifest: str | Path | None = None,
    specs: Iterable[str | Path] = (),
    jobs: int | None = None,
    progress: Callable[[Any], None] | None = None,
    inputs: list[Path] | None = None,
    force: bool = False,
) -> AnalysisResult:
    """Read, check and consolidate returns; write the consolidated workbook and/or CSVs.

    An existing ``out`` is replaced only if awardbooks wrote it (or with ``force``), and never
    when it is one of the inputs."""
    from awardbooks.analyse.consolidate import analyse as _analyse
    from awardbooks.analyse.consolidate import find_inputs, release_memory
    from awardbooks.errors import AwardbooksError

    paths = list(paths)
    for given in paths:
        if not Path(given).exists():
            raise AwardbooksError(f"{given}: no such file or folder")
    inputs = inputs if inputs is not None else find_inputs(paths)
    if out is not None and Path(out).exists() and _is_consolidated(Path(out)):
        own = Path(out).resolve()  # the previous run's output, saved among the returns
        inputs = [p for p in inputs if p.resolve() != own]
    if not inputs:
        shown = ", ".join(str(p) for p in paths)
        raise AwardbooksError(f"no returns found in {shown} (.xlsx, .zip or saved emails)")
    out = None if out is None else Path(out)
    if out is not None:
        _check_output(out, inputs, force)
    if data_dir is not None:
        from awardbooks.errors import ReportError
        from awardbooks.generate.workbooks import ensure_folder

        ensure_folder(Path(data_dir), ReportError)
    consolidation = _analyse(
        paths, manifest=manifest, specs=specs, jobs=jobs, progress=progress, inputs=inputs
    )
    release_memory()  # what reading and consolidating left behind, before the outputs
    from awardbooks.outputs.consolidated import ratings_too_many, write_consolidated

    written: list[Path] = []
    notes: list[str] = []
    if out is not None:
        if data_dir is None and ratings_too_many(consolidation):
            data_dir = out.with_name(f"{out.stem}-data")
            notes.append(
                f"{len(consolidation.ratings):,} ratings are too many for the Ratings "
                f"sheet; they are in {data_dir}/ratings.csv"
            )
    if data_dir is not None:
        written.extend(_write_outputs(consolidation, out, Path(data_dir)))
    elif out is not None:
        write_consolidated(consolidation, out)
        written.append(out)
    return AnalysisResult(consolidation, written, notes)


CONSOLIDATED_TITLE = "awardbooks consolidated returns"


def _check_output(out: Path, inputs: list[Path], force: bool) -> None:
    """Before any reading: the consolidated workbook may not replace a return or a file
    awardbooks did not write, and its folder must be makeable."""
    from awardbooks.errors import AwardbooksError
    from awardbooks.generate.workbooks import ensure_folder

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
        if not force and not _is_consolidated(out):
            raise AwardbooksError(
                f"{out}: already exists and was not written by awardbooks analyse; choose "
                "another --out, or add --force to replace it"
            )
    ensure_folder(out.parent, AwardbooksError)


def _is_consolidated(path: Path) -> bool:
    """Whether ``path`` is a consolidated workbook awardbooks wrote (its document title)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            core = zf.read("docProps/core.xml")[:4096]
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return CONSOLIDATED_TITLE.encode() in core


SIDE_BY_SIDE_MAX = 100_000
"""Rating rows up to which the data files are written in a second process while this one
writes the workbook; above it they are written one after the other, so that the memory a
run needs does not grow with the second process's copy of a large consolidation."""


def _write_outputs(consolidation, out: Path | None, data_dir: Path) -> list[Path]:
    """The consolidated workbook and the data files: for a small consolidation side by side,
    the CSVs in a forked process while this one writes the workbook (each is a single-core
    job); for a large one, one after the other."""
    import multiprocessing

    from awardbooks.analyse.consolidate import release_memory
    from awardbooks.outputs.consolidated import write_consolidated, write_data

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
        from awardbooks.errors import ReportError

        raise ReportError(outcome[1])
    return [out, *outcome[1]]


def _write_data_child(consolidation, data_dir: Path, send) -> None:
    from awardbooks.outputs.consolidated import write_data

    try:
        send.send(("ok", write_data(consolidation, data_dir)))
    except Exception as exc:  # reported by the parent as one line
        send.send(("error", str(exc) or type(exc).__name__))


def check(path: str | Path, *, specs: Iterable[str | Path] = ()):
    """Check one return as the analyser would; returns its ReturnRecord."""
    from awardbooks.read.returns import Registry, read_path

    path = Path(path)
    if not path.is_file():
        from awardbooks.errors import AwardbooksError

        raise AwardbooksError(f"{path}: no such file")
    return read_path(path, Registry.default(specs))


def check_returns(path: str | Path, *, specs: Iterable[str | Path] = ()) -> list:
    """Check every return in one file as the analyser would: a workbook, a .zip archive or a
    saved email (.eml, .msg, .mbox); returns their ReturnRecords."""
    from awardbooks.analyse.consolidate import _read_unit, _units
    from awardbooks.read.returns import Registry

    path = Path(path)
    if not path.is_file():
        from awardbooks.errors import AwardbooksError

        raise AwardbooksError(f"{path}: no such file")
    registry = Registry.default(specs)
    return [_read_unit(unit, registry) for unit in _units([path])]


def annotate(
    path: str | Path,
    out: str | Path,
    *,
    specs: Iterable[str | Path] = (),
    force: bool = False,
    record: Any = None,
):
    """Check one return (or take its ``record``) and write a copy of it to ``out`` with each
    problem marked on its cell (a comment and a highlight); the return itself is never
    changed. Returns an AnnotateResult (``out`` is None when there was nothing to mark)."""
    from awardbooks.read.annotate import annotate as _annotate

    record = record if record is not None else check(path, specs=specs)
    return _annotate(path, out, record, force=force)


def feedback(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    manifest: str | Path | None = None,
    specs: Iterable[str | Path] = (),
    pdf: bool = True,
    *,
    force: bool = False,
    progress: Callable[[Any], None] | None = None,
    inputs: list[Path] | None = None,
):
    """Analyse returns and write a feedback workbook (and PDF) per setting into ``out_dir``,
    for each setting's latest accepted return; returns a FeedbackResult."""
    from awardbooks.outputs.feedback import feedback_reports

    specs = tuple(specs)
    run = analyse(paths, out=None, manifest=manifest, specs=specs, progress=progress, inputs=inputs)
    return feedback_reports(run.consolidation, out_dir, pdf=pdf, force=force, specs=specs)
