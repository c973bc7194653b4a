"""Generate workbooks: one for a setting, or one per roster row plus a manifest.

A workbook is never overwritten unless asked (``force``): a school may already have filled it
in. A different setting whose name gives the same file name gets a name of its own. Many
workbooks are written on every core (one process each), in roster order.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.common.files import atomic_write, prepare_out_dir, safe_filename
from awardbooks.common.identity import TERMS, is_academic_year, setting_key
from awardbooks.common.passwords import (
    PasswordsFile,
    encrypt,
    new_password,
    passwords_beside,
    read_passwords,
    write_passwords,
)
from awardbooks.errors import GenerateError, OutputExists
from awardbooks.generate.manifest import rows_by_file, update_manifest
from awardbooks.generate.roster import Setting, one_row_per_setting, setting_of
from awardbooks.spec.model import Framework
from awardbooks.workbook.layout import CARRY_FORWARD, PeriodError, rating_period
from awardbooks.workbook.render import WorkbookInfo, write_workbook


@dataclass
class GenerateResult:
    """What a generate run wrote, skipped and noticed."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    manifest: Path | None = None
    rows: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passwords: Path | None = None
    """The passwords file the workbooks' passwords were written to (``encrypt`` without one
    password typed)."""


def check_year_term(year: str, term: str) -> None:
    if not is_academic_year(year):
        raise GenerateError(
            f"year {year!r} is not an academic year like 2026-27 (the second part is the next year)"
        )
    if term not in TERMS:
        raise GenerateError(f"term {term!r} is not one of {', '.join(TERMS)}")


def check_period(framework: Framework, year: str, term: str, plan_start: str = "") -> None:
    """A framework rated over plan years and terms: the workbook's year and term must be one
    of the plan's periods."""
    if plan_start and not is_academic_year(plan_start):
        raise GenerateError(
            f"{{opt:plan_start}} {plan_start!r} is not an academic year like 2026-27"
        )
    try:
        rating_period(framework, year, term, plan_start)
    except PeriodError as exc:
        raise GenerateError(str(exc)) from None


def workbook_filename(framework: Framework, setting: Setting, year: str, term: str) -> str:
    return f"{safe_filename(setting.setting)}_{framework.id}_{year}_{term}.xlsx"


def generate_one(
    framework: Framework,
    setting: Setting,
    *,
    year: str,
    term: str,
    out_dir: Path,
    password: str | None = None,
    force: bool = False,
    filename: str | None = None,
    ratings: dict[str, str] | None = None,
    previous_workbook_id: str = "",
    previous_term: str = "",
    carry=None,
    plan_start: str = "",
    scores: str = "",
    encrypt_with: str | None = None,
) -> tuple[Path, dict[str, str] | None]:
    """Write one workbook; returns (path, manifest row) or (path, None) if it was skipped.
    With ``carry`` (a writer.CarryForward) it is a next-term workbook. ``plan_start`` is the
    first academic year of a plan rated over years (frameworks with rating periods);
    ``scores`` the scores ``framework`` was rescored with (:func:`rescore`), recorded in the
    workbook's metadata; with ``encrypt_with`` it is encrypted with that password (built in
    memory, never written unencrypted)."""
    check_year_term(year, term)
    check_period(framework, year, term, plan_start)
    out_dir = prepare_out_dir(out_dir)
    path = out_dir / (filename or workbook_filename(framework, setting, year, term))
    if path.exists() and not force:
        return path, None
    info = WorkbookInfo(
        setting=setting.setting,
        urn=setting.urn,
        partnership=setting.partnership,
        local_authority=setting.local_authority,
        contact_email=setting.contact_email,
        workbook_id=str(uuid.uuid4()),
        previous_workbook_id=previous_workbook_id,
        previous_term=previous_term,
        layout_variant=CARRY_FORWARD if carry is not None else "",
        year=year,
        term=term,
        generated_at=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        plan_start=plan_start,
        scores=scores,
    )
    if encrypt_with:
        plain = io.BytesIO()
        write_workbook(framework, info, plain, password=password, ratings=ratings, carry=carry)
        locked = encrypt(plain.getvalue(), encrypt_with)
        atomic_write(path, lambda f: f.write(locked))
    else:
        atomic_write(
            path,
            lambda f: write_workbook(
                framework, info, f, password=password, ratings=ratings, carry=carry
            ),
        )
    row = {
        "workbook_id": info.workbook_id,
        "file": path.name,
        "setting": setting.setting,
        "urn": setting.urn,
        "partnership": setting.partnership,
        "local_authority": setting.local_authority,
        "contact_email": setting.contact_email,
        "framework": framework.id,
        "spec_version": framework.version,
        "year": year,
        "term": term,
        "previous_workbook_id": previous_workbook_id,
    }
    return path, row


def generate_roster(
    framework: Framework,
    settings: list[Setting],
    *,
    year: str,
    term: str,
    out_dir: Path,
    password: str | None = None,
    force: bool = False,
    progress: Callable[[Path], None] | None = None,
    jobs: int | None = None,
    plan_start: str = "",
    scores: str = "",
    encrypt: bool = False,
    encrypt_password: str | None = None,
) -> GenerateResult:
    """One workbook per setting plus ``manifest.csv``; existing workbooks are kept unless
    ``force`` (their manifest rows are kept too). With ``encrypt`` each workbook written is
    encrypted with a password of its own, kept in the passwords file beside the manifest
    (written before any workbook), or with ``encrypt_password`` when given."""
    check_year_term(year, term)
    check_period(framework, year, term, plan_start)
    out_dir = prepare_out_dir(out_dir)
    result = GenerateResult()
    settings, repeats = one_row_per_setting(settings, setting_of)
    for repeat in repeats:
        result.warnings.append(f"{repeat.setting}: listed more than once; one workbook made")
    manifest_path = out_dir / "manifest.csv"
    old_rows = rows_by_file(manifest_path)
    names = unique_filenames(framework, settings, year, term, old_rows)
    store = workbook_passwords(
        out_dir, list(zip(names, settings)), encrypt=encrypt, typed=encrypt_password, force=force
    )
    result.passwords = store.path if store and encrypt else None
    tasks = [
        dict(
            setting=setting,
            filename=name,
            year=year,
            term=term,
            out_dir=out_dir,
            password=password,
            force=force,
            plan_start=plan_start,
            scores=scores,
            encrypt_with=encrypt_password or (store.get(name) if store else None),
        )
        for setting, name in zip(settings, names)
    ]
    for path, row in _run_tasks(framework, tasks, jobs):
        name = path.name
        if row is None:
            result.skipped.append(path)
            if name in old_rows:
                result.rows.append(old_rows[name])
            else:
                result.warnings.append(
                    f"{path.name}: already exists and is not in manifest.csv; left as it is"
                )
        else:
            result.written.append(path)
            result.rows.append(row)
        if progress:
            progress(path)
    result.rows = update_manifest(manifest_path, result.rows, old_rows)
    result.manifest = manifest_path
    return result


def workbook_passwords(
    out_dir: Path,
    planned: list[tuple[str, Setting]],
    *,
    encrypt: bool,
    typed: str | None = None,
    force: bool = False,
) -> PasswordsFile | None:
    """The passwords file of ``out_dir`` with a new password for each planned workbook (file
    name, setting) about to be written that has none (a workbook listed keeps its password),
    written before any workbook is; None when no passwords file is used (not encrypting, or
    one password typed for all)."""
    path = passwords_beside(out_dir / "manifest.csv")
    if typed or not (encrypt or path.exists()):
        return None
    store = read_passwords(path)
    added = False
    for name, setting in planned:
        if store.get(name) is None and encrypt and (force or not (out_dir / name).exists()):
            store.set(name, setting.setting, setting.urn, new_password())
            added = True
    if added:
        write_passwords(store)
    return store if store.entries else None


PARALLEL_FROM = 32  # workbooks; below this a process pool costs more than it saves
_WORKER_FRAMEWORK: Framework | None = None


def _init_worker(framework: Framework) -> None:
    global _WORKER_FRAMEWORK
    _WORKER_FRAMEWORK = framework


def _task(task: dict) -> tuple[Path, dict[str, str] | None]:
    return generate_one(_WORKER_FRAMEWORK, **task)


def _run_tasks(framework: Framework, tasks: list[dict], jobs: int | None):
    """Generate workbooks in order, on every core when there are many."""
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1 and len(tasks) >= PARALLEL_FROM:
        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(framework,)) as pool:
            yield from pool.map(_task, tasks, chunksize=8)
    else:
        for task in tasks:
            yield generate_one(framework, **task)


def unique_filenames(
    framework: Framework,
    settings: list[Setting],
    year: str,
    term: str,
    old_rows: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """A file name per setting that no other setting has, in this run or in the folder's
    manifest: 'St Mary's' and 'St Marys' of different URNs get different workbooks."""
    owners: dict[str, tuple[str, str]] = {
        name.casefold(): (row.get("urn", ""), row.get("setting", ""))
        for name, row in (old_rows or {}).items()
    }

    used: set[str] = set()  # names given in this run: never twice, even to the same URN

    def free(name: str, setting: Setting) -> bool:
        if name.casefold() in used:
            return False
        owner = owners.get(name.casefold())
        if owner is None:
            return True
        urn, who = owner
        if urn and setting.urn:
            return urn == setting.urn
        return setting_key("", who) == setting_key("", setting.setting)

    names: list[str] = []
    for setting in settings:
        name = workbook_filename(framework, setting, year, term)
        if not free(name, setting) and setting.urn:
            stem = f"{safe_filename(setting.setting)}-{safe_filename(setting.urn)}"
            name = f"{stem}_{framework.id}_{year}_{term}.xlsx"
        n, base = 2, name
        while not free(name, setting):
            name = base.replace(".xlsx", f"-{n}.xlsx")
            n += 1
        owners[name.casefold()] = (setting.urn, setting.setting)
        used.add(name.casefold())
        names.append(name)
    return names




def generate_setting(
    framework: Framework,
    setting: Setting,
    *,
    year: str,
    term: str,
    out_dir: Path,
    password: str | None = None,
    force: bool = False,
    plan_start: str = "",
    scores: str = "",
    encrypt: bool = False,
    encrypt_password: str | None = None,
) -> GenerateResult:
    """One workbook for one setting. In a folder that has a manifest, the workbook never takes
    a file name another setting's workbook has, and its row joins the manifest. ``encrypt``
    and ``encrypt_password`` as for :func:`generate_roster`."""
    out = prepare_out_dir(Path(out_dir))
    manifest = out / "manifest.csv"
    old_rows = rows_by_file(manifest)
    name = unique_filenames(framework, [setting], year, term, old_rows)[0]
    store = workbook_passwords(
        out, [(name, setting)], encrypt=encrypt, typed=encrypt_password, force=force
    )
    path, row = generate_one(
        framework, setting, year=year, term=term, out_dir=out, password=password, force=force,
        filename=name, plan_start=plan_start, scores=scores,
        encrypt_with=encrypt_password or (store.get(name) if store else None),
    )  # fmt: skip
    if row is None:
        raise OutputExists(path, "a school may have filled it in")
    if old_rows:
        update_manifest(manifest, [row], old_rows)
    return GenerateResult(
        written=[path], rows=[row], passwords=store.path if store and encrypt else None
    )
