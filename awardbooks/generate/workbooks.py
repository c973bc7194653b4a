"""Generate workbooks: one for a setting, or one per roster row plus a manifest."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.errors import GenerateError
from awardbooks.spec.model import Framework
from awardbooks.workbook.layout import CARRY_FORWARD, TERMS

MANIFEST_COLUMNS = (
    "workbook_id",
    "file",
    "setting",
    "urn",
    "partnership",
    "local_authority",
    "contact_email",
    "framework",
    "spec_version",
    "year",
    "term",
    "previous_workbook_id",  # the workbook a next-term workbook carries forward (else empty)
)
ROSTER_COLUMNS = ("setting", "urn", "partnership", "local_authority", "contact_email")


@dataclass(frozen=True)
class Setting:
    """A school or other setting, as a roster row describes it."""

    setting: str
    urn: str = ""
    partnership: str = ""
    local_authority: str = ""
    contact_email: str = ""


@dataclass
class GenerateResult:
    """What a generate run wrote, skipped and noticed."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    manifest: Path | None = None
    rows: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def current_academic_year(today: dt.date | None = None) -> str:
    """'2026-27' from September 2026 to August 2027."""
    today = today or dt.date.today()
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def check_year_term(year: str, term: str) -> None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", year or "")
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise GenerateError(
            f"year {year!r} is not an academic year like 2026-27 (the second part is the next year)"
        )
    if term not in TERMS:
        raise GenerateError(f"term {term!r} is not one of {', '.join(TERMS)}")


def safe_filename(text: str, fallback: str = "setting") -> str:
    """A readable file-name part for any setting name: keeps letters of any script (Welsh,
    Polish, ...), turns everything else into single hyphens, and drops apostrophes."""
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"['’‘`]", "", text)
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")
    text = text[:80].rstrip("-_")
    if not text or text.upper() in _WINDOWS_RESERVED:
        return fallback
    return text


_WINDOWS_RESERVED = (
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


def workbook_filename(framework: Framework, setting: Setting, year: str, term: str) -> str:
    return f"{safe_filename(setting.setting)}_{framework.id}_{year}_{term}.xlsx"


def prepare_out_dir(out_dir: Path) -> Path:
    return ensure_folder(out_dir, GenerateError, "; choose another --out folder")


def ensure_folder(folder: Path, error: type[Exception], hint: str = "") -> Path:
    """Create ``folder`` if needed; a file in its place or an unwritable parent is ``error``."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise error(f"{folder}: is a file, not a folder{hint}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error(f"{folder}: cannot create the folder ({exc.strerror})") from None
    return folder


def read_roster(path: Path) -> list[Setting]:
    """Read a roster CSV, reporting every bad row at once."""
    path = Path(path)
    if not path.is_file():
        raise GenerateError(f"{path}: no such roster file")
    raw = path.read_bytes()
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text"
            raw = raw.decode("utf-16").encode("utf-8")
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise GenerateError(f"{path}: is not a text CSV file; save it as 'CSV UTF-8'") from None
    reader = csv_reader(text)
    headers = [h.strip().lower().replace(" ", "_") for h in (reader.fieldnames or [])]
    if "setting" not in headers:
        found = ", ".join(reader.fieldnames or []) or "none"
        raise GenerateError(
            f"{path}: the roster needs a 'setting' column (columns found: {found}); optional "
            f"columns are {', '.join(ROSTER_COLUMNS[1:])}"
        )
    settings: list[Setting] = []
    problems: list[str] = []
    for line, row in enumerate(reader, start=2):
        values = {
            h: (v or "").strip()
            for h, v in zip(headers, (row.get(k) for k in reader.fieldnames or []))
        }
        if not any(values.values()):
            continue
        if not values.get("setting"):
            problems.append(f"{path}: row {line}: 'setting' is empty; give the setting's name")
            continue
        settings.append(Setting(**{k: values.get(k, "") for k in ROSTER_COLUMNS}))
    if problems:
        raise GenerateError("\n".join(problems))
    if not settings:
        raise GenerateError(f"{path}: the roster has no settings")
    return settings


def csv_reader(text: str) -> csv.DictReader:
    """Rows of a CSV as spreadsheet applications save it: comma, or ';' (LibreOffice and Excel
    in many countries), or tab ("Unicode Text") between the values."""
    lines = text.splitlines()
    first = lines[0] if lines else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    return csv.DictReader(lines, delimiter=delimiter)


def one_row_per_setting(rows: list, key) -> tuple[list, list]:
    """(rows, repeats): one row per setting (by URN, else name), the last one standing for
    it (a manifest of several terms lists a setting once per workbook sent)."""
    latest: dict[str, object] = {}
    repeats = []
    for row in rows:
        k = key(row)
        if k in latest:
            repeats.append(row)
            latest.pop(k)
        latest[k] = row
    return list(latest.values()), repeats


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
) -> tuple[Path, dict[str, str] | None]:
    """Write one workbook; returns (path, manifest row) or (path, None) if it was skipped.
    With ``carry`` (a writer.CarryForward) it is a next-term workbook."""
    from awardbooks.workbook.render import WorkbookInfo, write_workbook

    check_year_term(year, term)
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
    )
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
) -> GenerateResult:
    """One workbook per setting plus ``manifest.csv``; existing workbooks are kept unless
    ``force`` (their manifest rows are kept too)."""
    check_year_term(year, term)
    out_dir = prepare_out_dir(out_dir)
    result = GenerateResult()
    settings, repeats = one_row_per_setting(
        settings, lambda s: s.urn or s.setting.casefold().strip()
    )
    for repeat in repeats:
        result.warnings.append(f"{repeat.setting}: listed more than once; one workbook made")
    manifest_path = out_dir / "manifest.csv"
    old_rows = (
        {r["file"]: r for r in read_manifest(manifest_path)} if manifest_path.exists() else {}
    )
    names = _unique_names(framework, settings, year, term, old_rows)
    tasks = [
        dict(
            setting=setting,
            filename=name,
            year=year,
            term=term,
            out_dir=out_dir,
            password=password,
            force=force,
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
    kept = {r["file"] for r in result.rows}
    result.rows.extend(r for f, r in old_rows.items() if f not in kept)
    write_csv(manifest_path, MANIFEST_COLUMNS, result.rows)
    result.manifest = manifest_path
    return result


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
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(framework,)) as pool:
            yield from pool.map(_task, tasks, chunksize=8)
    else:
        for task in tasks:
            yield generate_one(framework, **task)


def _unique_names(
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
        return who.casefold().strip() == setting.setting.casefold().strip()

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


def read_manifest(path: Path) -> list[dict[str, str]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise GenerateError(
            f"{path}: is not a CSV text file; a manifest is the manifest.csv that generate writes"
        ) from None
    except OSError as exc:
        raise GenerateError(f"{path}: cannot read the manifest ({exc.strerror})") from None
    reader = csv_reader(text)
    if text.strip() and "workbook_id" not in (reader.fieldnames or []):
        raise GenerateError(f"{path}: not an awardbooks manifest (no 'workbook_id' column)")
    return list(reader)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()


def atomic_write(path: Path, write: Callable) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``: an
    interrupted run never leaves a half-written file in place of a good one."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # name the file the user asked for, not the temporary one
        raise OSError(exc.errno, f"cannot write here ({exc.strerror})", str(path)) from None
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # as an ordinary file would be: colleagues can open it
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(path: Path, columns, rows, *, neutralise: bool = False) -> None:
    """Write a UTF-8 CSV atomically (optionally neutralising formula-like cells)."""
    import io

    def write(handle) -> None:
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            if neutralise:
                row = {k: neutralise_cell(v) for k, v in row.items()}
            writer.writerow(row)
        handle.write(text.getvalue().encode("utf-8"))

    atomic_write(path, write)


def neutralise_cell(value):
    """Prefix text that a spreadsheet would run as a formula with an apostrophe (OWASP)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
