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

from awardbooks.errors import AwardbooksError, GenerateError, ReportError

if TYPE_CHECKING:
    from awardbooks.analyse.tables import Consolidation
    from awardbooks.collection.commands import Updated
    from awardbooks.collection.settings import Collection
    from awardbooks.collection.status import Status as CollectionStatus
    from awardbooks.generate.roster import Setting
    from awardbooks.generate.workbooks import GenerateResult
    from awardbooks.read.encrypted import Passwords
    from awardbooks.read.inputs import ReturnInputs
    from awardbooks.read.returns import ReturnRecord
    from awardbooks.spec.model import Framework

Manifests = str | Path | Iterable[str | Path] | None
"""A manifest.csv, a folder with manifests in it or below, or several of them."""

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
    encrypt: bool = False,
    encrypt_password: str | None = None,
) -> GenerateResult:
    """Generate one workbook (``setting=``) or one per roster row (``roster=``: a CSV path,
    or the settings :func:`read_roster` gave). With ``encrypt`` every workbook written is
    encrypted with a password of its own, kept in ``passwords.csv`` beside the manifest
    (readable by its owner alone), or with ``encrypt_password`` for all of them."""
    from awardbooks.common.identity import current_academic_year
    from awardbooks.generate.roster import Setting
    from awardbooks.generate.workbooks import generate_roster, generate_setting

    fw = load_framework(framework)
    year = year or current_academic_year()
    if (setting is None) == (roster is None):
        raise GenerateError("give either a setting name or a roster file, not both or neither")
    if roster is not None:
        settings = roster if isinstance(roster, list) else read_roster(roster)
        return generate_roster(
            fw, settings, year=year, term=term, out_dir=Path(out_dir), password=password,
            force=force, progress=progress, encrypt=encrypt, encrypt_password=encrypt_password,
        )  # fmt: skip
    if not setting or not setting.strip():
        raise GenerateError("the setting name is empty; give the school's name")
    one = Setting(
        setting.strip(), urn.strip(), partnership.strip(), local_authority.strip(),
        contact_email.strip(),
    )  # fmt: skip
    return generate_setting(
        fw, one, year=year, term=term, out_dir=Path(out_dir), password=password, force=force,
        encrypt=encrypt, encrypt_password=encrypt_password,
    )  # fmt: skip


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
    passwords: Iterable[str | Path] = (),
    typed_password: str | None = None,
) -> ReturnRecord:
    """Check one return as the analyser would (encrypted: opened with the passwords files
    given or the password typed); returns its ReturnRecord."""
    from awardbooks.read.returns import Registry, read_path

    path = Path(path)
    if not path.is_file():
        raise AwardbooksError(f"{path}: no such file")
    return read_path(path, Registry.default(specs, passwords_for(passwords, typed_password)))


def check_returns(
    path: str | Path,
    *,
    specs: Iterable[str | Path] = (),
    passwords: Iterable[str | Path] = (),
    typed_password: str | None = None,
) -> list[ReturnRecord]:
    """Check every return in one file as the analyser would: a workbook, a .zip archive or a
    saved email (.eml, .msg, .mbox); returns their ReturnRecords (passwords as :func:`check`)."""
    from awardbooks.read.inputs import read_unit
    from awardbooks.read.returns import Registry

    path = Path(path)
    if not path.is_file():
        raise AwardbooksError(f"{path}: no such file")
    registry = Registry.default(specs, passwords_for(passwords, typed_password))
    return [read_unit(unit, registry) for unit in find_returns([path]).units]


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
    passwords: Iterable[str | Path] = (),
    typed_password: str | None = None,
) -> Consolidation:
    """Read, check and consolidate returns into tidy tables, writing nothing. ``manifest``
    is a manifest.csv, a folder holding manifests, or several of them; encrypted returns are
    opened with the passwords of :func:`passwords_for`."""
    from awardbooks.analyse.consolidate import consolidate as _consolidate
    from awardbooks.generate.manifest import read_manifests

    inputs = inputs if inputs is not None else find_returns(paths)
    given = [manifest] if isinstance(manifest, str | Path) else list(manifest or ())
    rows, name = read_manifests(given) if given else (None, "")
    return _consolidate(
        inputs, manifest_rows=rows, manifest_name=name,
        specs=tuple(str(s) for s in specs), today=today, jobs=jobs, progress=progress,
        meanwhile=_import_outputs,
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

    def summary_lines(self) -> list[str]:
        """The end-of-run summary: files by status, mean % per framework and partnership."""
        from awardbooks.outputs.summary import summary_lines

        return summary_lines(self.consolidation)


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
    passwords: Iterable[str | Path] = (),
    typed_password: str | None = None,
) -> AnalysisResult:
    """Read, check and consolidate returns; write the consolidated workbook and/or CSVs
    (encrypted returns opened as by :func:`consolidate`).

    An existing ``out`` is replaced only if awardbooks wrote it (or with ``force``), and never
    when it is one of the inputs; the previous consolidated workbook is never read as a
    return."""
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
    consolidation = consolidate(
        inputs=inputs, manifest=manifest, specs=specs, jobs=jobs, progress=progress,
        passwords=passwords, typed_password=typed_password,
    )  # fmt: skip
    release_memory()  # what reading and consolidating left behind, before the outputs
    written: list[Path] = []
    notes: list[str] = []
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
    return AnalysisResult(consolidation, written, notes)


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
):
    """One ready-to-send .eml draft per workbook of a manifest (or its folder), addressed to
    the roster's contact_email; returns a DraftsResult."""
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


# --------------------------------------------------------------------------- collections
# A collection is one partnership's year in one folder (awardbooks/collection/): these are the
# commands run inside it. ``collection`` is its folder (None: the current folder or the
# nearest above it holding awardbooks.toml) or a Collection already found.


def new_collection(
    folder: str | Path,
    *,
    frameworks: Iterable[str | Path],
    roster: str | Path,
    year: str | None = None,
    title: str | None = None,
    terms: Iterable[str] | None = None,
    issued: Iterable[str | Path] = (),
) -> Collection:
    """Make a collection folder: settings (awardbooks.toml), a copy of the roster, folders for
    workbooks, drafts, returns and outputs, and an empty ledger. ``issued``: folders of
    workbooks already generated for the year (with their manifest.csv) that join it."""
    from awardbooks.collection.commands import new
    from awardbooks.common.identity import current_academic_year

    given = [str(f) for f in frameworks]
    if not given:
        raise GenerateError("give the collection's framework with {opt:framework} ID")
    ids = {}
    for framework in given:  # every framework must load before anything is made
        ids[framework] = load_framework(framework).id
    return new(
        Path(folder), frameworks=given, roster=Path(roster),
        year=year or current_academic_year(), title=title,
        terms=list(terms) if terms else None, framework_ids=ids,
        issued=[Path(f) for f in issued],
    )  # fmt: skip


def open_collection(collection: str | Path | Collection | None = None) -> Collection:
    """The collection in ``collection`` (a folder), or else around the current folder."""
    from awardbooks.collection.settings import Collection, find

    if isinstance(collection, Collection):
        return collection
    return find(collection)


def in_collection() -> bool:
    """Whether the current folder is inside a collection."""
    from awardbooks.collection.settings import found_here

    return found_here()


def update(collection: str | Path | Collection | None = None, **options) -> Updated:
    """Take in the return files under the collection's returns/ not seen before (by content),
    record them in its ledger, and bring its outputs and workbooks up to date. Options:
    ``wait`` (seconds to wait for another command holding the collection), ``waiting`` (called
    once with who holds it), ``progress(done, total)``, ``jobs``, ``today``."""
    from awardbooks.collection.commands import update as _update

    return _update(open_collection(collection), **options)


def add_returns(
    files: Iterable[str | Path], collection: str | Path | Collection | None = None, **options
) -> Updated:
    """Copy return files into the collection's returns/added/ folder, then :func:`update`."""
    from awardbooks.collection.commands import add

    return add(open_collection(collection), [Path(f) for f in files], **options)


def collection_status(
    collection: str | Path | Collection | None = None, today: dt.date | None = None
) -> CollectionStatus:
    """Per framework and term: workbooks issued, returned, accepted, with warnings, rejected,
    missing; who to chase; superseded workbooks; files waiting under returns/."""
    from awardbooks.collection.status import status

    return status(open_collection(collection), today)


def rebuild_ledger(collection: str | Path | Collection | None = None, **options):
    """Make the collection's ledger again from the returns kept in it (the old ledger is kept
    beside it): for a damaged ledger. Returns a Rebuilt."""
    from awardbooks.collection.commands import rebuild

    return rebuild(open_collection(collection), **options)


def draft_passwords(collection: str | Path | Collection | None = None, **options):
    """The password messages and list of a collection's encrypted workbooks of ``term``, in
    ``drafts/TERM/passwords/``; returns (term, PasswordMessages)."""
    from awardbooks.collection.commands import draft_passwords as _draft

    return _draft(open_collection(collection), **options)


def purge(collection: str | Path | Collection | None = None, **options):
    """Erase a setting's returns (``setting``: URN or name) or those taken in ``before`` a date
    from the collection for good (:func:`awardbooks.collection.commands.purge`)."""
    from awardbooks.collection.commands import purge as _purge

    return _purge(open_collection(collection), **options)


def generate_term(
    term: str,
    collection: str | Path | Collection | None = None,
    *,
    framework: str | None = None,
    force: bool = False,
    prefill: bool = False,
    **options,
):
    """The collection's workbooks for ``term``: one per roster setting and framework (or only
    ``framework``), carrying forward each setting's latest accepted return after the first
    term. Workbooks already made and current are kept; one out of date is rewritten if not
    yet mailed, else (superseded) only with ``force``. Returns an Issued."""
    from awardbooks.collection.commands import framework_ids
    from awardbooks.collection.commands import generate_term as _generate

    found = open_collection(collection)
    frameworks = None
    if framework is not None:
        if framework not in framework_ids(found):
            shown = ", ".join(framework_ids(found))
            raise GenerateError(
                f"{framework}: not one of this collection's frameworks ({shown}); add it to "
                "frameworks in awardbooks.toml, or leave it out to generate them all"
            )
        frameworks = [framework]
    return _generate(found, term=term, frameworks=frameworks, force=force, prefill=prefill,
                     **options)  # fmt: skip


def draft_term(collection: str | Path | Collection | None = None, **options):
    """Drafts (.eml) for a term's workbooks not yet mailed, into the collection's
    drafts/TERM/; options ``term`` (default: the latest term issued), ``again``, ``template``,
    ``from_addr``. Returns a Drafted."""
    from awardbooks.collection.commands import draft_term as _draft

    return _draft(open_collection(collection), **options)


def report_collection(collection: str | Path | Collection | None = None, **options):
    """Feedback reports for the collection's settings in outputs/feedback/, kept current by
    later updates; options ``pdf``, ``force``. Returns a FeedbackResult."""
    from awardbooks.collection.commands import report_collection as _report

    return _report(open_collection(collection), **options)
