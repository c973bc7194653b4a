"""The library's public entry points, one per thing a user does; the CLI calls these and
nothing else. Each returns a result object and raises
:class:`~awardbooks.errors.AwardbooksError` subclasses with one-line messages.

The stages are imported inside the functions that use them, not at the top: ``awardbooks
--help`` imports this module's names through :mod:`awardbooks` and must stay fast (pydantic,
xlsxwriter, pandas and python-calamine are each tens of milliseconds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from awardbooks import api_collection
from awardbooks.errors import AwardbooksError, GenerateError, ReportError

if TYPE_CHECKING:
    from awardbooks.analyse.tables import Consolidation
    from awardbooks.generate.roster import Setting
    from awardbooks.generate.workbooks import GenerateResult
    from awardbooks.read.encrypted import Passwords
    from awardbooks.read.inputs import ReturnInputs
    from awardbooks.read.returns import ReturnRecord
    from awardbooks.spec.model import Framework

Manifests = str | Path | Iterable[str | Path] | None
"""A manifest.csv, a folder with manifests in it or below, or several of them."""

# The collection's commands (awardbooks/api_collection.py) are part of this API.
add_returns = api_collection.add_returns
chase_term = api_collection.chase_term
collection_status = api_collection.collection_status
draft_term = api_collection.draft_term
generate_term = api_collection.generate_term
in_collection = api_collection.in_collection
new_collection = api_collection.new_collection
open_collection = api_collection.open_collection
rebuild_ledger = api_collection.rebuild_ledger
report_collection = api_collection.report_collection
update = api_collection.update
draft_passwords = api_collection.draft_passwords
purge = api_collection.purge

# --------------------------------------------------------------------------- frameworks


def load_framework(framework: str | Path | Framework) -> Framework:
    """A built-in framework id, a spec path (YAML or authoring workbook), or a framework."""
    from awardbooks.authoring.sources import load_spec
    from awardbooks.spec.model import Framework

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
    from awardbooks.spec import loading

    found = []
    for fid, path in loading.builtin_paths().items():
        fw = loading.load(path)
        found.append(
            FrameworkInfo(
                fid, fw.title, fw.scale.title, len(fw.groups), len(fw.items), fw.status,
                fw.version, path,
            )
        )  # fmt: skip
    return found


def write_template(framework: str | Path | Framework | None, out: Path, *, force: bool = False):
    """Write an authoring workbook: empty, or filled from ``framework``."""
    from awardbooks.authoring import writing

    fw = load_framework(framework) if framework is not None else None
    writing.write_template(fw, Path(out), force=force)
    return fw


def import_template(workbook: str | Path, out: Path | None = None, *, force: bool = False):
    """Read a completed authoring workbook; write it as a YAML spec to ``out`` (default: the
    framework id + .yaml). Returns (framework, the path written)."""
    from awardbooks.authoring import reading
    from awardbooks.spec import export

    fw = reading.import_template(Path(workbook))
    out = Path(out) if out else Path(f"{fw.id}.yaml")
    export.write_yaml(fw, out, force=force, source=Path(workbook).name)
    return fw, out


def spec_schema() -> str:
    """The JSON Schema of the spec format, as text."""
    from awardbooks.spec import export

    return export.schema_text()


# --------------------------------------------------------------------------- generating


def read_roster(path: str | Path) -> list[Setting]:
    """The settings of a roster CSV, every bad row reported at once."""
    from awardbooks.generate.roster import read_roster as _read

    return _read(Path(path))


def generate(
    framework: str | Path | Framework,
    *,
    setting: str | None = None,
    urn: str = "",
    partnership: str = "",
    local_authority: str = "",
    contact_email: str = "",
    roster: str | Path | list[Setting] | None = None,
    year: str | None = None,
    term: str = "baseline",
    out_dir: str | Path = "generated",
    password: str | None = None,
    force: bool = False,
    progress: Callable[[Path], None] | None = None,
    plan_start: str = "",
    scores: str = "",
    encrypt: bool = False,
    encrypt_password: str | None = None,
) -> GenerateResult:
    """Generate one workbook (``setting=``) or one per roster row (``roster=``: a CSV path,
    or the settings :func:`read_roster` gave). ``plan_start``: the first academic year of a
    plan rated over years (default ``year``); ``scores``: the levels' scores instead of the
    spec's, e.g. ``"Red=0,Amber=50,Green=100"`` (recorded in each workbook, so the analyser
    uses them too). A skeleton framework gives a warning that its wording is a placeholder.
    With ``encrypt`` every workbook written is encrypted with a password of its own, kept in
    ``passwords.csv`` beside the manifest (readable by its owner alone), or with
    ``encrypt_password`` for all of them."""
    from awardbooks.common.identity import current_academic_year
    from awardbooks.generate.roster import Setting
    from awardbooks.generate.workbooks import generate_roster, generate_setting
    from awardbooks.spec.rescore import ScoresError, rescore

    fw = load_framework(framework)
    try:
        fw, scores = rescore(fw, scores)
    except ScoresError as exc:
        raise GenerateError(f"{{opt:scores}} {scores!r}: {exc}") from None
    year = year or current_academic_year()
    if (setting is None) == (roster is None):
        raise GenerateError("give either a setting name or a roster file, not both or neither")
    if roster is not None:
        settings = roster if isinstance(roster, list) else read_roster(roster)
        result = generate_roster(
            fw, settings, year=year, term=term, out_dir=Path(out_dir), password=password,
            force=force, progress=progress, plan_start=plan_start, scores=scores,
            encrypt=encrypt, encrypt_password=encrypt_password,
        )  # fmt: skip
    else:
        if not setting or not setting.strip():
            raise GenerateError("the setting name is empty; give the school's name")
        one = Setting(
            setting.strip(), urn.strip(), partnership.strip(), local_authority.strip(),
            contact_email.strip(),
        )  # fmt: skip
        result = generate_setting(
            fw, one, year=year, term=term, out_dir=Path(out_dir), password=password,
            force=force, plan_start=plan_start, scores=scores, encrypt=encrypt,
            encrypt_password=encrypt_password,
        )  # fmt: skip
    if fw.status == "skeleton":
        result.warnings.insert(0, skeleton_warning(fw))
    return result


def skeleton_warning(fw: Framework) -> str:
    """The one-line warning that generating a skeleton framework's workbooks gives."""
    group, item = fw.labels.group.lower(), fw.labels.item.lower()
    return (
        f"{fw.id} is a skeleton: the wording of its {group}s and {item}s is a placeholder "
        "(the source document does not hold it); complete the spec with the licence holder's "
        "wording before schools use these workbooks"
    )


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
    specs: Iterable[str | Path] = (),
    encrypt: bool = False,
    encrypt_password: str | None = None,
) -> GenerateResult:
    """Next term's workbooks, each showing its setting's latest return beside the new cells
    (``encrypt`` as for :func:`generate`; encrypted returns opened with the passwords.csv
    beside a ``roster`` that is a manifest)."""
    from awardbooks.analyse.consolidate import read_all
    from awardbooks.common.identity import current_academic_year
    from awardbooks.generate.carry_forward import generate_next_term as _next

    fw = load_framework(framework)
    inputs = find_returns(returns)
    if not inputs.files:
        raise GenerateError("no returns found in the {opt:from_returns} paths")
    records, _registry = read_all(
        inputs.units, specs=tuple(str(s) for s in specs),
        passwords=passwords_for((), None, roster),
    )  # fmt: skip
    return _next(
        fw, records, year=year or current_academic_year(), term=term, out_dir=Path(out_dir),
        roster=Path(roster) if roster else None, prefill=prefill, password=password, force=force,
        encrypt=encrypt, encrypt_password=encrypt_password,
    )  # fmt: skip


# --------------------------------------------------------------------------- reading returns


def find_returns(paths: Iterable[str | Path]) -> ReturnInputs:
    """The returns under ``paths`` (files, folders, archives, saved emails), walked once;
    ``len()`` of the result is the number of returns, for a progress bar."""
    from awardbooks.read.inputs import gather

    paths = list(paths)
    for given in paths:
        if not Path(given).exists():
            raise AwardbooksError(f"{given}: no such file or folder")
    return gather(paths)


def passwords_for(
    passwords: Iterable[str | Path] = (),
    typed_password: str | None = None,
    manifest: Manifests = None,
) -> Passwords:
    """The passwords files given, those beside each manifest (or below a folder), one typed."""
    from awardbooks.common.passwords import PASSWORDS_FILE, passwords_beside
    from awardbooks.read.encrypted import Passwords

    files = [Path(p) for p in passwords]
    for given in files:
        if not given.is_file():
            raise AwardbooksError(f"{given}: no such passwords file")
    given = [manifest] if isinstance(manifest, str | Path) else list(manifest or ())
    for place in map(Path, given):
        found = place.rglob(PASSWORDS_FILE) if place.is_dir() else [passwords_beside(place)]
        files += sorted(found)
    return Passwords.load(files, typed_password or "")


def check(
    path: str | Path,
    *,
    specs: Iterable[str | Path] = (),
    today: dt.date | None = None,
    lenient: bool = False,
    completion_threshold: float | None = None,
    passwords: Iterable[str | Path] = (),
    typed_password: str | None = None,
) -> ReturnRecord:
    """Check one return as the analyser would (milestones overdue as of ``today``, by
    default the day it runs; ``lenient`` and ``completion_threshold`` as for
    :func:`consolidate`; encrypted: opened with the passwords files given or the password
    typed); returns its ReturnRecord."""
    from awardbooks.read.milestones import flag_overdue
    from awardbooks.read.returns import read_path

    path = Path(path)
    if not path.is_file():
        raise AwardbooksError(f"{path}: no such file")
    record = read_path(path, _registry(specs, lenient, completion_threshold, passwords,
                                       typed_password))  # fmt: skip
    flag_overdue(record, today or dt.date.today())
    return record


def _registry(specs, lenient, completion_threshold, passwords, typed_password):
    """The frameworks and reading options :func:`check` and :func:`check_returns` read with."""
    from awardbooks.read.returns import Registry

    return Registry.default(
        specs, passwords_for(passwords, typed_password), lenient=lenient,
        completion_threshold=completion_threshold,
    )  # fmt: skip


def check_returns(
    path: str | Path,
    *,
    specs: Iterable[str | Path] = (),
    today: dt.date | None = None,
    lenient: bool = False,
    completion_threshold: float | None = None,
    passwords: Iterable[str | Path] = (),
    typed_password: str | None = None,
) -> list[ReturnRecord]:
    """Check every return in one file as the analyser would: a workbook, a .zip archive or a
    saved email (.eml, .msg, .mbox); returns their ReturnRecords (passwords as :func:`check`)."""
    from awardbooks.read.inputs import read_unit
    from awardbooks.read.milestones import flag_overdue

    path = Path(path)
    if not path.is_file():
        raise AwardbooksError(f"{path}: no such file")
    registry = _registry(specs, lenient, completion_threshold, passwords, typed_password)
    records = [read_unit(unit, registry) for unit in find_returns([path]).units]
    for record in records:
        flag_overdue(record, today or dt.date.today())
    return records


def rated_of(record: ReturnRecord) -> tuple[int, int]:
    """(rated, total) of a return's scoring units, as its scores count them: items, and the
    best-fit judgements of groups scored by their judgement."""
    from awardbooks.workbook.scoring import score_groups

    if record.framework is None or not record.ratings:
        return 0, 0
    _groups, overall = score_groups(
        record.framework, {key: r.label for key, r in record.ratings.items()}
    )
    return overall.rated, overall.total


def completion_of(record: ReturnRecord) -> str:
    """How complete a return is, as every output says it: '17 of 21 rated, 81 %' ('' for a
    return with nothing to rate, such as a file that is not a workbook)."""
    from awardbooks.read.returns import completion_text

    rated, total = rated_of(record)
    return completion_text(rated, total) if total else ""


def is_encrypted(path: str | Path) -> bool:
    """Whether ``path`` is an encrypted workbook."""
    from awardbooks.common.passwords import is_encrypted_file

    return is_encrypted_file(Path(path))


def holds_several_returns(path: str | Path) -> bool:
    """Whether ``path`` is a container of returns (a .zip archive or a saved email)."""
    from awardbooks.read.emails import mail_kind
    from awardbooks.read.inputs import ARCHIVE_EXTS

    path = Path(path)
    return bool(mail_kind(path)) or path.suffix.lower() in ARCHIVE_EXTS


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


# --------------------------------------------------------------------------- analysing


def consolidate(
    paths: Iterable[str | Path] = (),
    *,
    inputs: ReturnInputs | None = None,
    manifest: Manifests = None,
    specs: Iterable[str | Path] = (),
    jobs: int | None = None,
    today: dt.date | None = None,
    progress: Callable[[Any], None] | None = None,
    lenient: bool = False,
    completion_threshold: float | None = None,
    passwords: Iterable[str | Path] = (),
    typed_password: str | None = None,
) -> Consolidation:
    """Read, check and consolidate returns into tidy tables, writing nothing. ``manifest``
    is a manifest.csv, a folder holding manifests, or several of them. ``lenient``: a rating
    that is not a level is read as unrated, with a warning, rather than rejecting the return;
    ``completion_threshold``: the % rated below which a return is incomplete (default: each
    spec's own); encrypted returns are opened with the passwords of :func:`passwords_for`."""
    from awardbooks.analyse.consolidate import consolidate as _consolidate
    from awardbooks.generate.manifest import read_manifests

    inputs = inputs if inputs is not None else find_returns(paths)
    given = [manifest] if isinstance(manifest, str | Path) else list(manifest or ())
    rows, name = read_manifests(given) if given else (None, "")
    return _consolidate(
        inputs, manifest_rows=rows, manifest_name=name,
        specs=tuple(str(s) for s in specs), today=today, jobs=jobs, progress=progress,
        meanwhile=_import_outputs, lenient=lenient, completion_threshold=completion_threshold,
        passwords=passwords_for(passwords, typed_password, given),
    )  # fmt: skip


def _import_outputs() -> None:
    """Import what writes the outputs while the worker processes read (see consolidate)."""
    import awardbooks.outputs.writing  # noqa: F401


@dataclass
class AnalysisResult:
    """An analysis run: the tables, and the files it wrote."""

    consolidation: Consolidation
    written: list[Path]
    notes: list[str] = field(default_factory=list)
    annotated: Any = None  # with annotate: what outputs.annotated.annotate_all wrote

    def summary_lines(self) -> list[str]:
        """The end-of-run summary: files by status, mean % per framework and partnership."""
        from awardbooks.outputs.summary import summary_lines

        return summary_lines(self.consolidation)

    def nothing_usable(self) -> str:
        """Why no return could be used ('' when one could): a run whose every return was
        rejected, a duplicate, unknown or had nothing rated has no score to show."""
        from awardbooks.outputs.summary import nothing_usable

        return nothing_usable(self.consolidation)


def analyse(
    paths: Iterable[str | Path] = (),
    *,
    out: str | Path | None = "consolidated.xlsx",
    data_dir: str | Path | None = None,
    manifest: Manifests = None,
    specs: Iterable[str | Path] = (),
    jobs: int | None = None,
    progress: Callable[[Any], None] | None = None,
    inputs: ReturnInputs | None = None,
    force: bool = False,
    annotate: str | Path | None = None,
    today: dt.date | None = None,
    lenient: bool = False,
    completion_threshold: float | None = None,
    passwords: Iterable[str | Path] = (),
    typed_password: str | None = None,
) -> AnalysisResult:
    """Read, check and consolidate returns; write the consolidated workbook and/or CSVs, and
    with ``annotate`` (a folder outside the returns) an annotated copy of every return that
    was rejected or has warnings, named in the Returns table's ``annotated_copy``
    (``lenient``, ``completion_threshold`` and encrypted returns as for :func:`consolidate`).

    An existing ``out`` is replaced only if awardbooks wrote it (or with ``force``), and never
    when it is one of the inputs; the previous consolidated workbook is never read as a
    return. ``today`` is the analysis date (overdue actions and milestones), by default the
    day it runs."""
    from awardbooks.analyse.consolidate import release_memory
    from awardbooks.common.files import ensure_folder
    from awardbooks.outputs.consolidated import ratings_too_many, write_consolidated
    from awardbooks.outputs.writing import check_output, is_consolidated, write_outputs
    from awardbooks.read.inputs import ReturnInputs

    paths = list(paths)
    inputs = inputs if inputs is not None else find_returns(paths)
    out = None if out is None else Path(out)
    if out is not None and out.exists() and is_consolidated(out):
        own = out.resolve()  # the previous run's output, saved among the returns
        inputs = ReturnInputs(
            [p for p in inputs.files if p.resolve() != own],
            [u for u in inputs.units if u[1] is None or u[1].resolve() != own],
        )
    if not inputs.units:
        shown = ", ".join(str(p) for p in paths)
        raise AwardbooksError(f"no returns found in {shown} (.xlsx, .zip or saved emails)")
    if out is not None:
        check_output(out, inputs.files, force)
    if data_dir is not None:
        ensure_folder(Path(data_dir), ReportError)
    if annotate is not None:
        from awardbooks.outputs.annotated import check_folder

        check_folder(Path(annotate), inputs.files, [Path(p) for p in paths])
    consolidation = consolidate(
        inputs=inputs, manifest=manifest, specs=specs, jobs=jobs, progress=progress,
        today=today, lenient=lenient, completion_threshold=completion_threshold,
        passwords=passwords, typed_password=typed_password,
    )  # fmt: skip
    release_memory()  # what reading and consolidating left behind, before the outputs
    written: list[Path] = []
    notes: list[str] = []
    annotated = None
    if annotate is not None:
        from awardbooks.outputs.annotated import annotate_all

        annotated = annotate_all(consolidation, inputs.units, Path(annotate))
        copies = {name: str(path) for name, path in annotated.written.items()}
        table = consolidation.returns
        table["annotated_copy"] = [copies.get(str(f), "") for f in table["file"]]
    if out is not None and data_dir is None and ratings_too_many(consolidation):
        data_dir = out.with_name(f"{out.stem}-data")
        notes.append(
            f"{len(consolidation.ratings):,} ratings are too many for the Ratings "
            f"sheet; they are in {data_dir}/ratings.csv"
        )
    if data_dir is not None:
        written.extend(write_outputs(consolidation, out, Path(data_dir)))
    elif out is not None:
        write_consolidated(consolidation, out)
        written.append(out)
    return AnalysisResult(consolidation, written, notes, annotated)


def feedback(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    manifest: Manifests = None,
    specs: Iterable[str | Path] = (),
    pdf: bool = True,
    *,
    force: bool = False,
    progress: Callable[[Any], None] | None = None,
    inputs: ReturnInputs | None = None,
):
    """Analyse returns and write a feedback workbook (and PDF) per setting into ``out_dir``,
    for each setting's latest accepted return; returns a FeedbackResult."""
    from awardbooks.outputs.feedback_files import feedback_reports

    specs = tuple(specs)
    paths = list(paths)
    inputs = inputs if inputs is not None else find_returns(paths)
    if not inputs.units:
        shown = ", ".join(str(p) for p in paths)
        raise AwardbooksError(f"no returns found in {shown} (.xlsx, .zip or saved emails)")
    tables = consolidate(inputs=inputs, manifest=manifest, specs=specs, progress=progress)
    return feedback_reports(tables, out_dir, pdf=pdf, force=force, specs=specs)


# --------------------------------------------------------------------------- email out


def write_password_messages(
    manifest: str | Path, out_dir: str | Path, from_addr: str | None = None
):
    """A .eml draft carrying only its password per encrypted workbook of a manifest, and
    ``passwords-to-telephone.csv``, in ``out_dir`` (owner-only). Returns PasswordMessages."""
    from awardbooks.mail.passwords import write_password_messages as _write

    return _write(manifest, out_dir, from_addr=from_addr)


def write_drafts(
    manifest: str | Path,
    template: str | Path | None = None,
    out_dir: str | Path = "drafts",
    from_addr: str | None = None,
    *,
    return_by: str | dt.date | None = None,
    force: bool = False,
    only: str | Iterable[str] | None = None,
    returns: str | Path | None = None,
):
    """One ready-to-send .eml draft per workbook of a manifest (or its folder), addressed to
    the roster's contact_email; returns a DraftsResult. With ``only`` (of ``missing``,
    ``rejected``, ``incomplete``): chase drafts instead for the settings in those states by
    ``returns`` (analyse's returns.csv), from the chase template (:mod:`awardbooks.mail.chase`)."""
    if only is not None:
        from awardbooks.mail.chase import parse_only, write_chase_drafts

        only = parse_only(only)
        if returns is None:
            raise AwardbooksError(
                "{opt:only} chases from the returns analyse read: give {opt:returns} with the "
                "returns.csv that analyse {opt:data} wrote"
            )
        return write_chase_drafts(
            manifest, returns, only, template, out_dir, from_addr, return_by=return_by,
            force=force,
        )  # fmt: skip
    if returns is not None:
        raise AwardbooksError("{opt:returns} is for chasing: add {opt:only}, e.g. missing,rejected")
    from awardbooks.mail.drafts import write_drafts as _write

    return _write(manifest, template, out_dir, from_addr, return_by=return_by, force=force)


def send_mail(manifest, template=None, **options):
    """Send each workbook of a manifest through an SMTP server (a dry run unless
    ``really_send``); see :func:`awardbooks.mail.send.send`."""
    from awardbooks.mail.send import send

    return send(manifest, template, **options)


def mail_server(text: str) -> tuple[str, int]:
    """(host, port) of a ``HOST:PORT`` mail server, or a MailError saying how to write it."""
    from awardbooks.mail.send import parse_server

    return parse_server(text)
