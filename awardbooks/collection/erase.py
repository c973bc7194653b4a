"""Forgetting returns: the ledger rows of returns to read again (those refused for want of a
password, once a password is given) and of returns to erase (``awardbooks purge``).

Decisions:

- A return's rows are in ``returns`` and the tables that refer to it (:data:`RETURN_TABLES`);
  they go together, inside the caller's transaction.
- An encrypted return refused because no password given opened it is read again by the next
  command that has passwords to try (a passwords file beside a term's workbooks, or one
  typed): its rows are forgotten and its kept original read again, as if new.
- A purge is safe to stop: it first writes down (durably) which files it will erase, then
  changes the ledger in its command's one transaction, and only after that commit erases the
  files: the kept originals, the files under ``returns/`` still holding those bytes, the
  setting's feedback reports. :func:`finish_erasure` erases only what the ledger no longer
  holds, so a purge stopped before its commit erases nothing, and one stopped after it is
  finished by the next command. Deleted rows' pages are zeroed as they are freed (the ledger
  runs with ``secure_delete``) and the file is then rewritten without free pages
  (:func:`compact`).
"""

from __future__ import annotations

import json
import posixpath
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.collection.ledger import Ledger
from awardbooks.collection.originals import Originals, digest_of, write_durably
from awardbooks.collection.settings import Collection
from awardbooks.common.passwords import PASSWORDS_FILE, read_passwords, write_passwords
from awardbooks.read.encrypted import Passwords

RETURN_TABLES = (
    "problems", "ratings", "scores", "actions", "outcomes", "return_text", "return_levels",
)  # fmt: skip
"""The tables whose rows belong to one return (by ``return_id``)."""
PASSWORD_CODES = ("file-password-needed", "file-password-wrong", "file-password-changed")


def collection_passwords(collection: Collection, typed: str | None = None) -> Passwords:
    """The passwords of every term's encrypted workbooks, those typed before that opened a
    return (:func:`remember_typed`), and a password typed."""
    folder = collection.root / "workbooks"
    files = sorted(folder.rglob(PASSWORDS_FILE)) if folder.is_dir() else []
    files.append(collection.state / PASSWORDS_FILE)
    passwords = Passwords.load(files, typed or "")
    for store in passwords.files:  # named in messages as the collection's own paths
        store.path = store.path.relative_to(collection.root)
    return passwords


def remember_typed(collection: Collection, names: list[str], typed: str) -> None:
    """Keep a password typed (``update --ask-password``) for the returns it opened, by file
    name, in ``.awardbooks/passwords.csv`` (owner-only): ``rebuild`` and later updates open
    them again without it being typed again; a purge forgets it with them."""
    store = read_passwords(collection.state / PASSWORDS_FILE)
    for name in names:
        store.set(posixpath.basename(name.rsplit("!", 1)[-1]), "", "", typed)
    write_passwords(store)


def forget_returns(ledger: Ledger, ids: list[int]) -> None:
    """Delete the returns ``ids`` and every row that belongs to them."""
    rows = [(i,) for i in ids]
    for table in RETURN_TABLES:
        ledger.conn.executemany(f"DELETE FROM {table} WHERE return_id = ?", rows)
    ledger.conn.executemany("DELETE FROM returns WHERE id = ?", rows)


def refused_for_password(ledger: Ledger) -> dict[int, str]:
    """The returns refused because no password opened them: id -> their file's digest."""
    marks = ", ".join("?" * len(PASSWORD_CODES))
    return dict(
        ledger.execute(
            "SELECT DISTINCT r.id, r.file_digest FROM returns r JOIN problems p "
            f"ON p.return_id = r.id WHERE p.code IN ({marks})",
            PASSWORD_CODES,
        )
    )


# --------------------------------------------------------------------------- purge

PENDING = "erasing.json"
"""In ``.awardbooks/``: the files a purge is erasing, written before its ledger changes."""


@dataclass
class PurgePlan:
    """What a purge removes: returns (ids, digests), their files (digest -> kind), the paths
    of those files under ``returns/``, and feedback reports; files that hold other returns too
    are kept (``shared``)."""

    returns: list[int] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)  # (file digest, return's name)


def purge_plan(ledger: Ledger, *, setting: str | None, before: str | None) -> PurgePlan:
    """The returns of ``setting`` (a URN or a setting's name, as the roster has it; a return
    refused before anything was read counts when it has the file name of the setting's
    workbook) or taken in before the date ``before`` (ISO), and everything kept of them."""
    plan = PurgePlan()
    if setting is not None:
        key = setting.strip().casefold()
        rows = ledger.execute(
            "SELECT id, digest, file_digest, setting, name FROM returns WHERE urn = ? "
            "OR lower(setting) = ? OR workbook_id IN (SELECT workbook_id FROM workbooks "
            "WHERE urn = ? OR lower(setting) = ?)",
            (setting.strip(), key, setting.strip(), key),
        ).fetchall()
        issued = {posixpath.basename(f).casefold() for (f,) in ledger.execute(
            "SELECT file FROM workbooks WHERE urn = ? OR lower(setting) = ?",
            (setting.strip(), key))}  # fmt: skip
        unread = ledger.execute(  # refused before anything was read (e.g. no password)
            "SELECT id, digest, file_digest, setting, name FROM returns WHERE setting = ''"
        ).fetchall()
        rows += [r for r in unread
                 if posixpath.basename(r[4].rsplit("!", 1)[-1]).casefold() in issued]  # fmt: skip
        rows = list({r[0]: r for r in rows}.values())
    else:
        rows = ledger.execute(
            "SELECT id, digest, file_digest, setting, name FROM returns WHERE first_seen < ?",
            (str(before),),
        ).fetchall()
    ids = {r[0] for r in rows}
    plan.returns = sorted(ids)
    plan.settings = sorted({r[3] for r in rows if r[3]})
    plan.names = sorted({(r[2], r[4]) for r in rows})
    digests = {r[1] for r in rows}
    for file_digest in sorted({r[2] for r in rows}):
        others = ledger.execute(
            "SELECT COUNT(*) FROM returns WHERE file_digest = ?", (file_digest,)
        ).fetchone()[0] - sum(1 for r in rows if r[2] == file_digest)
        origin, kind = ledger.execute(
            "SELECT origin, kind FROM files WHERE digest = ?", (file_digest,)
        ).fetchone()
        if others:
            plan.shared.append(origin)
            continue
        plan.files[file_digest] = kind
        plan.paths += [p for (p,) in ledger.execute(
            "SELECT path FROM paths WHERE digest = ?", (file_digest,))]  # fmt: skip
    for path, sources in ledger.execute(
        "SELECT path, sources FROM outputs WHERE kind = 'feedback'"
    ).fetchall():
        if digests.intersection(json.loads(sources or "[]")):
            plan.feedback += [path, str(Path(path).with_suffix(".pdf"))]
    plan.carried = [f for (f,) in ledger.execute(
        "SELECT file FROM workbooks WHERE carried_from IN (SELECT value FROM json_each(?))",
        (json.dumps(sorted(digests)),))]  # fmt: skip
    return plan


def forget_purged(collection: Collection, ledger: Ledger, plan: PurgePlan) -> None:
    """Inside the caller's transaction: note the files to erase (durably, before anything
    changes), then delete the returns' rows, their files' rows, their feedback reports' rows
    and the caches worked out from them (made again by the refresh that follows)."""
    pending = {"files": plan.files, "paths": plan.paths, "feedback": plan.feedback,
               "names": plan.names}  # fmt: skip
    text = json.dumps(pending, indent=1).encode("utf-8")
    write_durably(collection.state / PENDING, lambda handle: handle.write(text), mode=0o600)
    forget_returns(ledger, plan.returns)
    digests = [(d,) for d in plan.files]
    ledger.conn.executemany("DELETE FROM paths WHERE digest = ?", digests)
    ledger.conn.executemany("DELETE FROM files WHERE digest = ?", digests)
    ledger.conn.executemany(
        "DELETE FROM outputs WHERE path = ?", [(p,) for p in plan.feedback]
    )
    ledger.execute("DELETE FROM setting_progress")
    ledger.execute("DELETE FROM term_summary")


def finish_erasure(collection: Collection, ledger: Ledger) -> list[str]:
    """Erase what a purge noted (:data:`PENDING`) and its ledger no longer holds: the kept
    originals, the files under ``returns/`` still holding those bytes, the feedback reports.
    After a purge stopped before its ledger changed, nothing is erased (the ledger still holds
    them). Returns the paths erased, relative to the collection."""
    marker = collection.state / PENDING
    try:
        pending = json.loads(marker.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except ValueError:  # cut short: written before the ledger changed, so nothing to erase
        marker.unlink(missing_ok=True)
        return []
    kept = {d for (d,) in ledger.execute("SELECT digest FROM files")}
    store = Originals(collection.originals)
    erased = []
    for digest, kind in pending.get("files", {}).items():
        if digest in kept:
            continue
        for path in (store.path(digest, kind), store.path(digest, ".json")):
            if path.exists():
                path.chmod(0o600)
                path.unlink()
                erased.append(collection.relative(path))
        for rel in pending.get("paths", []):
            path = collection.root / rel
            if path.is_file() and digest_of(path)[0] == digest:
                path.unlink()
                erased.append(rel)
    typed = read_passwords(collection.state / PASSWORDS_FILE)  # remembered for these returns
    gone = [name for digest, name in pending.get("names", []) if digest not in kept]
    bases = {posixpath.basename(name.rsplit("!", 1)[-1]) for name in gone}
    if bases & set(typed.entries):
        typed.entries = {f: e for f, e in typed.entries.items() if f not in bases}
        write_passwords(typed)
    written = {p for (p,) in ledger.execute("SELECT path FROM outputs")}
    for rel in pending.get("feedback", []):
        path = collection.root / rel
        if rel not in written and path.is_file():
            path.unlink()
            erased.append(rel)
    marker.unlink()
    return erased


def compact(ledger_path: Path) -> None:
    """Rewrite the ledger file without its free pages (``VACUUM``), deleted rows' pages zeroed
    first (``secure_delete``): no deleted text stays in the file. The rollback journal SQLite
    writes meanwhile is deleted when it is done (``journal_mode = DELETE``)."""
    conn = sqlite3.connect(ledger_path, isolation_level=None)
    try:
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("VACUUM")
    finally:
        conn.close()
