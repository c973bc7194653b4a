"""Workbooks issued by a collection: generated for a term from its roster (carrying each
setting's latest accepted return forward from the second term), kept up to date as late
returns arrive, and marked when they are mailed.

Decisions:

- A workbook records the return it carries forward (its digest; '' for a fresh workbook).
  When the latest accepted return before its term is another one (a late fix was accepted, or
  the first return came after the workbook was made), the workbook is out of date: if it has
  not been mailed it is rewritten at once, by ``generate`` or ``update``; once mailed (a
  draft written, ``mail send`` logged it sent, or a return of it came back: it reached the
  school one way or another) it is never replaced silently: it is marked superseded, ``status``
  lists it, and ``generate --force`` replaces it (the old one stays known, so a return of it is
  still counted).
- One folder per term (``workbooks/<term>/``) for every framework, with its manifest.csv, as
  ``awardbooks generate`` writes them: the one-shot commands work on it too.
- The settings' workbooks are written one after another (as carry-forward always was); the
  file names are the ones ``generate`` gives.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.collection.entries import Entry, full_records
from awardbooks.collection.ledger import Ledger, now
from awardbooks.collection.originals import digest_of
from awardbooks.collection.settings import Collection
from awardbooks.common.csvfiles import csv_reader
from awardbooks.common.identity import setting_key, term_sort_key
from awardbooks.common.passwords import passwords_beside, read_passwords, write_passwords
from awardbooks.errors import CollectionError
from awardbooks.generate.carry_forward import (
    latest_returns,
    match_returns,
    next_workbook,
    no_return_warning,
)
from awardbooks.generate.manifest import (
    MANIFEST_COLUMNS,
    read_manifest,
    rows_by_file,
    update_manifest,
)
from awardbooks.generate.roster import Setting, one_row_per_setting, read_roster, setting_of
from awardbooks.generate.workbooks import unique_filenames, workbook_passwords
from awardbooks.read.returns import Registry

USABLE = ("accepted", "warning")
ADOPTED = "*"
"""``carried_from`` of a workbook made before the collection (``new --issued``): what it
carries is not known, so it is never out of date."""
_WORKBOOK = ("workbook_id", "framework", "setting", "urn", "file", "carried_from", "mailed_at",
             "prefilled", "superseded")  # fmt: skip


@dataclass
class Issued:
    """What generating (or keeping up to date) a term's workbooks did."""

    written: list[Path] = field(default_factory=list)  # new workbooks
    rewritten: list[Path] = field(default_factory=list)  # replaced: not mailed, or --force
    kept: list[Path | str] = field(default_factory=list)  # as the ledger names them
    superseded: list[Path] = field(default_factory=list)  # mailed, out of date: kept
    warnings: list[str] = field(default_factory=list)
    manifest: Path | None = None
    passwords: Path | None = None  # the passwords file of the workbooks written encrypted


@dataclass
class _Plan:
    """One setting's workbook for the term: the return to carry (if any) and the workbook it
    has now (if any)."""

    setting: Setting
    source: Entry | None
    existing: dict | None


def _latest(kept: dict[str, list[Entry]], framework, year: str, term: str) -> list:
    """Each setting's latest kept return of ``framework`` before the term (its record, which
    carries its entry as ``entry``), from the kept returns by framework."""
    before = term_sort_key(year, term)
    records = []
    for entry in kept.get(framework.id, ()):
        record = entry.record
        if term_sort_key(record.get("year"), record.get("term")) >= before:
            continue
        record.entry = entry  # type: ignore[attr-defined]
        records.append(record)
    return latest_returns(framework, records)


def _kept(found: list[Entry]) -> dict[str, list[Entry]]:
    """The kept returns of ``found``, by framework."""
    by_framework: dict[str, list[Entry]] = {}
    for entry in found:
        if entry.status in USABLE:
            by_framework.setdefault(entry.record.get("framework"), []).append(entry)
    return by_framework


CAME_BACK = "EXISTS (SELECT 1 FROM returns r WHERE r.workbook_id = workbooks.workbook_id)"
"""SQL: whether a return of the workbook has come back (so it was delivered, mailed or not)."""


def sent_by_mail(folder: Path) -> dict[str, str]:
    """Workbook file → when ``awardbooks mail send`` logged it sent (the mail log beside the
    term's manifest)."""
    log = folder / "mail-log.csv"
    if not log.is_file():
        return {}
    rows = csv_reader(log.read_text(encoding="utf-8-sig"))
    return {r.get("file", ""): r.get("time", "") for r in rows if r.get("outcome") == "sent"}


def _existing(collection, ledger: Ledger, framework: str, term: str) -> dict[str, dict]:
    """The live workbooks of a framework and term, by setting; ``mailed`` when a draft was
    written, it was sent (``mail send`` logged it), or a return of it came back."""
    rows = ledger.execute(
        f"SELECT {', '.join(_WORKBOOK)}, {CAME_BACK} FROM workbooks WHERE framework = ? "
        "AND year = ? AND term = ? AND replaced_by IS NULL ORDER BY rowid",
        (framework, collection.settings.year, term),
    ).fetchall()
    sent = sent_by_mail(collection.workbooks(term))
    found = {}
    for r in rows:
        row = dict(zip(_WORKBOOK, r))
        row["mailed"] = bool(row["mailed_at"] or r[-1] or row["file"].rsplit("/", 1)[-1] in sent)
        found[setting_key(r[3], r[2])] = row
    return found


def _plans(collection, ledger, framework, term, kept, *, roster: bool, only=None) -> list[_Plan]:
    """What each setting's workbook should carry: every roster setting (``roster``), or only
    those that have a workbook for the term (and are among ``only``, (framework, setting
    key) pairs, when given)."""
    year = collection.settings.year
    existing = _existing(collection, ledger, framework.id, term)
    if roster:
        settings, _repeats = one_row_per_setting(read_roster(collection.roster), setting_of)
    else:
        settings = [
            Setting(w["setting"], w["urn"]) for key, w in existing.items()
            if only is None or (framework.id, key) in only
        ]  # matched by identity below; the rest of the row is kept from the workbook
    rows = [vars(s) for s in settings]
    pairs, _unmatched = match_returns(rows, _latest(kept, framework, year, term))
    plans = []
    for setting, (_row, record) in zip(settings, pairs):
        entry = getattr(record, "entry", None) if record is not None else None
        plans.append(_Plan(setting, entry, existing.get(setting_of(setting))))
    return plans


def issue(
    collection: Collection,
    ledger: Ledger,
    registry: Registry,
    found: list[Entry],
    *,
    term: str,
    frameworks: list[str],
    roster: bool = True,
    force: bool = False,
    prefill: bool = False,
    progress: Callable[[Path], None] | None = None,
    only: set[tuple[str, str]] | None = None,
    encrypt: bool = False,
) -> Issued:
    """Write the term's workbooks that are missing or out of date (see the decisions); with
    ``only``, look at those settings' workbooks alone. With ``encrypt`` each new workbook is
    encrypted with a password of its own, kept in the term's ``passwords.csv``; a workbook
    listed there is always written again encrypted, with the same password."""
    settings = collection.settings
    year = settings.year
    first = settings.terms[0].name == term
    folder = collection.workbooks(term)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.csv"
    old_rows = rows_by_file(manifest)
    done = Issued(manifest=manifest)
    kept = _kept(found)
    rows: list[dict[str, str]] = []
    made: list[tuple[dict, str, str, bool]] = []  # (row, carried digest, replaced id, prefilled)
    stale: list[str] = []  # mailed workbooks now out of date
    for fid in frameworks:
        framework = registry.by_id.get(fid)
        if framework is None:
            raise CollectionError(f"{fid}: no such framework; check frameworks in awardbooks.toml")
        plans = _plans(collection, ledger, framework, term, kept, roster=roster, only=only)
        root = str(collection.root)
        fresh = [p for p in plans if p.existing is None
                 or not os.path.isfile(os.path.join(root, p.existing["file"]))]  # fmt: skip
        names = iter(unique_filenames(framework, [p.setting for p in fresh], year, term,
                                      old_rows) if fresh else [])  # fmt: skip
        work: list[tuple[_Plan, Path, list[Path]]] = []
        for plan in plans:
            wanted = plan.source.digest if plan.source else ""
            old = plan.existing
            if plan in fresh:
                work.append((plan, folder / next(names), done.written))
            elif old["carried_from"] in (wanted, ADOPTED):
                done.kept.append(old["file"])
            elif old["mailed"] and not force:
                done.superseded.append(collection.here(old["file"]))
                stale.append(old["workbook_id"])
            else:
                work.append((plan, collection.here(old["file"]), done.rewritten))
        sources = full_records(
            ledger, [p.source.id for p, _path, _to in work if p.source], registry.by_id
        )
        store = workbook_passwords(
            folder, [(path.name, plan.setting) for plan, path, _to in work], encrypt=encrypt,
            force=True,
        )  # fmt: skip
        if store is not None and work:
            done.passwords = store.path
        for plan, path, target in work:
            old = plan.existing
            if roster and plan.source is None and not first and old is None:
                done.warnings.append(no_return_warning(plan.setting))
            setting = plan.setting
            if old is not None and not roster:  # the roster row it was made from
                setting = _setting_of(ledger, old["workbook_id"])
            record = sources.get(plan.source.id) if plan.source else None
            prefilled = prefill or bool(old and old["prefilled"])
            _path, row = next_workbook(
                framework, setting, record, year=year, term=term, out_dir=folder,
                filename=path.name, prefill=prefilled, password=settings.password or None,
                encrypt_with=store.get(path.name) if store else None,
            )  # fmt: skip
            target.append(path)
            rows.append(row)
            carried = plan.source.digest if plan.source else ""
            made.append((row, carried, old["workbook_id"] if old else "", prefilled))
            if progress:
                progress(path)
    if rows:
        update_manifest(manifest, rows, old_rows)
    with ledger.transaction():
        ledger.conn.executemany(
            "UPDATE workbooks SET superseded = 1 WHERE workbook_id = ?", [(w,) for w in stale]
        )
        for row, carried, replaces, prefilled in made:
            _record(collection, ledger, row, folder, carried, prefilled)
            if not replaces:
                continue
            if ledger.one(
                f"SELECT mailed_at IS NOT NULL OR {CAME_BACK} FROM workbooks WHERE workbook_id = ?",
                (replaces,),
            ):
                ledger.execute(
                    "UPDATE workbooks SET replaced_by = ?, superseded = 0 WHERE workbook_id = ?",
                    (row["workbook_id"], replaces),
                )
            else:  # it never left the collection: forget it
                ledger.execute("DELETE FROM workbooks WHERE workbook_id = ?", (replaces,))
    return done


def _setting_of(ledger: Ledger, workbook_id: str) -> Setting:
    row = ledger.execute(
        "SELECT setting, urn, partnership, local_authority, contact_email FROM workbooks "
        "WHERE workbook_id = ?",
        (workbook_id,),
    ).fetchone()
    return Setting(*row)


def _record(collection, ledger, row, folder: Path, carried: str, prefilled: bool) -> None:
    path = folder / row["file"]
    digest, _size = digest_of(path)
    values = {k: row.get(k, "") or "" for k in MANIFEST_COLUMNS}
    values["file"] = collection.relative(path)
    ledger.execute(
        "INSERT OR REPLACE INTO workbooks (workbook_id, framework, spec_version, setting, urn, "
        "partnership, local_authority, contact_email, year, term, file, digest, generated_at, "
        "previous_workbook_id, carried_from, prefilled) VALUES "
        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (values["workbook_id"], values["framework"], values["spec_version"], values["setting"],
         values["urn"], values["partnership"], values["local_authority"],
         values["contact_email"], values["year"], values["term"], values["file"], digest,
         now(), values["previous_workbook_id"], carried, int(prefilled)),
    )  # fmt: skip


def keep_up_to_date(
    collection: Collection,
    ledger: Ledger,
    registry: Registry,
    found: list[Entry],
    only: set[tuple[str, str]] | None = None,
) -> Issued:
    """After new returns: rewrite the workbooks not yet mailed whose carried return changed,
    and mark the mailed ones superseded, in every term that has workbooks (of the settings
    ``only`` names, as (framework, setting key), when given: those whose returns changed)."""
    if only is not None and not only:
        return Issued()
    done = Issued()
    terms = ledger.execute(
        "SELECT DISTINCT framework, term FROM workbooks WHERE year = ? AND replaced_by IS NULL",
        (collection.settings.year,),
    ).fetchall()
    by_term: dict[str, list[str]] = {}
    for fid, term in terms:
        if fid in registry.by_id:
            by_term.setdefault(term, []).append(fid)
    for term, fids in by_term.items():
        one = issue(collection, ledger, registry, found, term=term, frameworks=sorted(fids),
                    roster=False, only=only)  # fmt: skip
        done.rewritten += one.rewritten
        done.superseded += one.superseded
        done.kept += one.kept
    return done


def mark_mailed(ledger: Ledger, workbook_ids: list[str]) -> None:
    """Record that these workbooks went out (their drafts were written, or they were sent)."""
    with ledger.transaction():
        ledger.conn.executemany(
            "UPDATE workbooks SET mailed_at = ? WHERE workbook_id = ?",
            [(now(), wid) for wid in workbook_ids],
        )


def to_mail(ledger: Ledger, year: str, term: str, *, again: bool = False) -> list[str]:
    """The live workbooks of a term not yet mailed (all of them when ``again``)."""
    sql = "SELECT workbook_id FROM workbooks WHERE year = ? AND term = ? AND replaced_by IS NULL"
    if not again:
        sql += f" AND mailed_at IS NULL AND NOT {CAME_BACK}"
    return [wid for (wid,) in ledger.execute(sql, (year, term))]


def adopt(collection: Collection, ledger: Ledger, folder: Path) -> list[Path]:
    """Workbooks generated for this year before the collection existed (a folder ``generate``
    wrote, with its manifest.csv) join it as issued: copied into ``workbooks/<term>/`` and
    recorded; they count as mailed once a draft is written or a return of one comes back."""
    folder = Path(folder)
    manifest = folder / "manifest.csv" if folder.is_dir() else folder
    if not manifest.is_file():
        raise CollectionError(
            f"{folder}: has no manifest.csv; give a folder that awardbooks generate wrote"
        )
    settings = collection.settings
    by_term: dict[str, list[dict[str, str]]] = {}
    for row in read_manifest(manifest):
        where = f"{manifest}: {row.get('file', '')}"
        if row.get("year") != settings.year:
            raise CollectionError(
                f"{where}: is for {row.get('year')}, not this collection's year {settings.year}"
            )
        settings.term(row.get("term", ""))
        if not (manifest.parent / row["file"]).is_file():
            raise CollectionError(f"{where}: the workbook is missing")
        by_term.setdefault(row["term"], []).append(row)
    copied = []
    for term, rows in by_term.items():
        target = collection.workbooks(term)
        target.mkdir(parents=True, exist_ok=True)
        old_rows = rows_by_file(target / "manifest.csv")
        for row in rows:
            destination = target / row["file"]
            if destination.exists():
                raise CollectionError(f"{destination}: already exists; adopt each folder once")
            shutil.copy2(manifest.parent / row["file"], destination)
            copied.append(destination)
        update_manifest(target / "manifest.csv", rows, old_rows)
        given = read_passwords(passwords_beside(manifest))  # of encrypted workbooks
        if any(given.get(row["file"]) for row in rows):
            kept = read_passwords(passwords_beside(target / "manifest.csv"))
            for row in rows:
                if given.get(row["file"]):
                    kept.set(row["file"], row.get("setting", ""), row.get("urn", ""),
                             given.get(row["file"]) or "")  # fmt: skip
            write_passwords(kept)
        with ledger.transaction():
            for row in rows:
                _record(collection, ledger, row, target, ADOPTED, False)
    return copied
