"""Carry-forward: next term's workbooks built from each setting's latest accepted return."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from awardbooks.common.files import prepare_out_dir
from awardbooks.common.identity import setting_key, term_sort_key
from awardbooks.errors import GenerateError
from awardbooks.generate.manifest import read_manifest, rows_by_file, update_manifest
from awardbooks.generate.roster import Setting, one_row_per_setting, read_roster, setting_of
from awardbooks.generate.workbooks import (
    GenerateResult,
    check_year_term,
    generate_one,
    unique_filenames,
    workbook_passwords,
)
from awardbooks.spec.model import Framework
from awardbooks.spec.rescore import rescore
from awardbooks.workbook.layout import HISTORY_TABLE, PeriodError, rating_period
from awardbooks.workbook.render import CarryForward

DONE = ("green", "complete", "completed", "done")


def latest_returns(framework: Framework, records: Iterable) -> list:
    """Each setting's latest usable return of this framework (by year and term, then the
    date on its cover, then file time), from records read by :mod:`awardbooks.read`."""
    latest: dict[str, tuple] = {}
    for record in records:
        if record.status not in ("accepted", "warning") or record.framework is None:
            continue
        if record.framework.id != framework.id:
            continue
        key = setting_of(record)
        order = (
            term_sort_key(record.get("year"), record.get("term")),
            str(record.cover.get("completed_on") or ""),
            record.mtime,
        )
        if key not in latest or order > latest[key][0]:
            latest[key] = (order, record)
    return [pair[1] for pair in latest.values()]


def carry_for(record, framework: Framework):
    """The CarryForward a previous return gives its next workbook."""
    previous = {
        key: (r.label or "", r.date or "", r.comment or "") for key, r in record.ratings.items()
    }
    open_actions, completed = [], []
    for row in record.tables.get("action_plan", []):
        status = str(row.get("status") or "").casefold()
        (completed if status in DONE else open_actions).append(row)
    outcomes = {
        row["key"]: {k: v for k, v in row.items() if k not in ("key", "row")}
        for row in record.tables.get("outcomes", [])
    }
    own = {column.id for column in framework.cover_fields}  # not who completed it, or when
    cover = {k: v for k, v in record.cover.items() if k in own and v not in ("", None)}
    return CarryForward(
        previous,
        tuple(open_actions),
        tuple(completed),
        outcomes,
        history_of(record, framework),
        cover=cover,
        inputs={table: tuple(rows) for table, rows in record.tables.items() if rows},
    )


def history_of(record, framework: Framework) -> dict[str, dict[str, str]]:
    """With rating periods: each row's ratings by period as the return holds them, its
    earlier (carried) cells and its own period's rating: {row key: {period: rating}}."""
    if framework.audit.periods is None:
        return {}
    history: dict[str, dict[str, str]] = {}
    for row in record.tables.get(HISTORY_TABLE, []):
        if row.get("rating"):
            history.setdefault(str(row["key"]), {})[str(row["period"])] = str(row["rating"])
    try:
        own = rating_period(
            framework, record.get("year"), record.get("term"), record.get("plan_start")
        )
    except PeriodError:
        return history
    for key, rating in record.ratings.items():
        if rating.label:
            history.setdefault(key, {})[own] = rating.label
    return history


def match_returns(settings_rows: list[dict[str, str]], records: list) -> tuple[list, list[str]]:
    """Pair roster/manifest rows with returns: by workbook id, else URN, else name."""
    by_id = {r.get("workbook_id"): r for r in records if r.get("workbook_id")}
    by_urn = {r.get("urn"): r for r in records if r.get("urn")}
    by_name = {setting_key("", r.get("setting")): r for r in records}
    pairs, used = [], set()
    for row in settings_rows:
        record = (
            by_id.get(row.get("workbook_id", ""))
            or by_urn.get(row.get("urn", ""))
            or by_name.get(setting_key("", row.get("setting", "")))
        )
        if record is not None:
            used.add(id(record))
        pairs.append((row, record))
    unmatched = [r.file for r in records if id(r) not in used]
    return pairs, unmatched


def generate_next_term(
    framework: Framework,
    returns: Iterable,
    *,
    year: str,
    term: str,
    out_dir: Path,
    roster: Path | None = None,
    prefill: bool = False,
    password: str | None = None,
    force: bool = False,
    progress: Callable[[Path], None] | None = None,
    encrypt: bool = False,
    encrypt_password: str | None = None,
) -> GenerateResult:
    """Write next term's workbook for every setting (of the roster, or of the returns), from
    ``returns``: the records of the returns read (:class:`awardbooks.read.returns.ReturnRecord`).
    ``encrypt`` and ``encrypt_password`` as for
    :func:`~awardbooks.generate.workbooks.generate_roster`."""
    check_year_term(year, term)
    records = latest_returns(framework, returns)
    later = [
        r
        for r in records
        if term_sort_key(r.get("year"), r.get("term")) >= term_sort_key(year, term)
    ]
    if later:
        shown = ", ".join(sorted({f"{r.get('term')} {r.get('year')}" for r in later}))
        raise GenerateError(
            f"{{opt:term}} {term} {{opt:year}} {year} is not after the returns' term ({shown}); "
            "give the term the new workbooks are for"
        )
    out_dir = prepare_out_dir(out_dir)
    result = GenerateResult()
    manifest_path = out_dir / "manifest.csv"
    old_rows = rows_by_file(manifest_path)
    if roster is not None:
        rows, _repeats = one_row_per_setting(
            _roster_rows(Path(roster)),
            setting_of,
        )
        pairs, unmatched = match_returns(rows, records)
        for file in unmatched:
            result.warnings.append(f"{file}: its setting is not in {roster}; no workbook made")
    else:
        pairs = [
            (
                {
                    "setting": r.get("setting"),
                    "urn": r.get("urn"),
                    "partnership": r.get("partnership"),
                    "local_authority": r.get("local_authority"),
                    "contact_email": r.get("contact_email"),
                },
                r,
            )
            for r in records
        ]
        if not pairs:
            raise GenerateError(
                f"no accepted {framework.name} returns in the {{opt:from_returns}} paths; "
                "check them with awardbooks check"
            )
    settings = [
        Setting(
            row.get("setting", ""),
            row.get("urn", ""),
            row.get("partnership", ""),
            row.get("local_authority", ""),
            row.get("contact_email", ""),
        )
        for row, _record in pairs
    ]
    names = unique_filenames(framework, settings, year, term, old_rows)
    store = workbook_passwords(
        out_dir, list(zip(names, settings)), encrypt=encrypt, typed=encrypt_password, force=force
    )
    result.passwords = store.path if store and encrypt else None
    for (row, record), setting, name in zip(pairs, settings, names):
        path = out_dir / name
        if path.exists() and not force:
            result.skipped.append(path)
            if path.name in old_rows:
                result.rows.append(old_rows[path.name])
            continue
        if record is None:
            result.warnings.append(no_return_warning(setting))
        _path, row = next_workbook(
            framework, setting, record, year=year, term=term, out_dir=out_dir,
            filename=path.name, prefill=prefill, password=password,
            encrypt_with=encrypt_password or (store.get(name) if store else None),
        )  # fmt: skip
        result.written.append(path)
        result.rows.append(row)
        if progress:
            progress(path)
    result.rows = update_manifest(manifest_path, result.rows, old_rows)
    result.manifest = manifest_path
    return result


def no_return_warning(setting: Setting) -> str:
    return (
        f"{setting.setting}: no usable return to carry forward (none came back, or none could "
        "be used: the Returns sheet says why); a fresh workbook was made"
    )


def next_workbook(
    framework: Framework,
    setting: Setting,
    record,
    *,
    year: str,
    term: str,
    out_dir: Path,
    filename: str,
    prefill: bool = False,
    password: str | None = None,
    encrypt_with: str | None = None,
) -> tuple[Path, dict[str, str]]:
    """Write (or replace) one setting's workbook for the term: carrying ``record`` (its
    latest accepted return) forward, or a fresh workbook when it is None. Returns (path,
    manifest row)."""
    scores, plan_start = "", ""
    if record is not None:  # the plan's first year and the scores go on from the return
        framework, scores = rescore(framework, record.get("scores"))
        plan_start = record.get("plan_start")
    carry = carry_for(record, framework) if record is not None else None
    ratings = {k: v[0] for k, v in carry.previous.items() if v[0]} if carry and prefill else None
    path, row = generate_one(
        framework,
        setting,
        year=year,
        term=term,
        out_dir=out_dir,
        password=password,
        force=True,
        filename=filename,
        ratings=ratings,
        carry=carry,
        previous_workbook_id=record.get("workbook_id") if record is not None else "",
        previous_term=(f"{record.get('term')} {record.get('year')}" if record else ""),
        plan_start=plan_start,
        scores=scores,
        encrypt_with=encrypt_with,
    )
    assert row is not None  # force: always written
    return path, row


def _roster_rows(path: Path) -> list[dict[str, str]]:
    """A roster CSV or a manifest CSV (with workbook ids) as plain rows."""
    head = path.read_text(encoding="utf-8-sig", errors="replace").split("\n", 1)[0]
    if "workbook_id" in head:
        return read_manifest(path)
    return [vars(s) for s in read_roster(path)]
