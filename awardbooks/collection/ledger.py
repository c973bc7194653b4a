"""The ledger: an SQLite database in the collection (the standard library's ``sqlite3``; no
server) holding every workbook issued, every return file seen and every return read from
them, with its problems, ratings, scores, actions and outcomes, and every output written.

Decisions:

- One writer at a time (the collection's lock, :mod:`awardbooks.collection.lock`); readers
  such as ``status`` need no lock (SQLite's own locks keep them from a half-written step).
  The rollback journal (SQLite's default), not WAL: WAL needs shared memory, which network
  drives, where officers often keep their files, do not give.
  ``synchronous=FULL``: a commit is on the disk before a command says it is done.
- A command that changes the ledger is one transaction (:meth:`Ledger.transaction`): an
  interrupted command, even by ``kill -9`` or a full disk, leaves the ledger exactly as it was
  before the command. SQLite's own journal does that; the rest of awardbooks writes files only
  through a temporary file and a rename, so files are whole, and anything written for a
  command that did not finish is written again by the next.
- The schema is versioned with ``PRAGMA user_version``. :data:`MIGRATIONS` holds every step
  from an empty file to the current version, in order, never edited once released: a ledger
  made by an older awardbooks is brought up to date, step by step, in one transaction, when a
  command first opens it; one made by a newer awardbooks is refused.
- A damaged file (SQLite reports it corrupt, or it is not a database) is one clear error,
  :class:`~awardbooks.errors.LedgerDamaged`, which names ``awardbooks rebuild``: every return's
  original bytes are kept beside the ledger (:mod:`awardbooks.collection.originals`), so the
  ledger can always be made again.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from awardbooks.errors import CollectionError, LedgerDamaged

MIGRATIONS: tuple[str, ...] = (
    # 1: the first ledger
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        command TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started TEXT NOT NULL,
        finished TEXT,
        outcome TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE workbooks (
        workbook_id TEXT PRIMARY KEY,
        framework TEXT NOT NULL,
        spec_version TEXT NOT NULL DEFAULT '',
        setting TEXT NOT NULL,
        urn TEXT NOT NULL DEFAULT '',
        partnership TEXT NOT NULL DEFAULT '',
        local_authority TEXT NOT NULL DEFAULT '',
        contact_email TEXT NOT NULL DEFAULT '',
        year TEXT NOT NULL,
        term TEXT NOT NULL,
        file TEXT NOT NULL,
        digest TEXT NOT NULL,
        generated_at TEXT NOT NULL,
        previous_workbook_id TEXT NOT NULL DEFAULT '',
        carried_from TEXT NOT NULL DEFAULT '',
        prefilled INTEGER NOT NULL DEFAULT 0,
        mailed_at TEXT,
        superseded INTEGER NOT NULL DEFAULT 0,
        replaced_by TEXT
    );
    CREATE INDEX workbooks_by_term ON workbooks(framework, year, term);
    CREATE TABLE files (
        digest TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        kind TEXT NOT NULL,
        origin TEXT NOT NULL,
        mtime REAL NOT NULL,
        first_seen TEXT NOT NULL,
        run_id INTEGER
    );
    CREATE TABLE paths (
        path TEXT PRIMARY KEY,
        digest TEXT NOT NULL REFERENCES files(digest),
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL
    );
    CREATE TABLE returns (
        id INTEGER PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        file_digest TEXT NOT NULL REFERENCES files(digest),
        name TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        mtime REAL NOT NULL,
        read_status TEXT NOT NULL,
        status TEXT,
        notes TEXT NOT NULL DEFAULT '',
        framework TEXT NOT NULL DEFAULT '',
        spec_version TEXT NOT NULL DEFAULT '',
        setting TEXT NOT NULL DEFAULT '',
        urn TEXT NOT NULL DEFAULT '',
        partnership TEXT NOT NULL DEFAULT '',
        local_authority TEXT NOT NULL DEFAULT '',
        year TEXT NOT NULL DEFAULT '',
        term TEXT NOT NULL DEFAULT '',
        workbook_id TEXT NOT NULL DEFAULT '',
        completed_by TEXT NOT NULL DEFAULT '',
        completed_on TEXT NOT NULL DEFAULT '',
        email_from TEXT NOT NULL DEFAULT '',
        email_date TEXT NOT NULL DEFAULT '',
        email_subject TEXT NOT NULL DEFAULT '',
        tables BLOB
    );
    CREATE INDEX returns_by_workbook ON returns(workbook_id);
    CREATE INDEX returns_by_term ON returns(framework, year, term);
    CREATE TABLE problems (
        return_id INTEGER NOT NULL REFERENCES returns(id),
        seq INTEGER NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        problem TEXT NOT NULL,
        PRIMARY KEY (return_id, seq)
    ) WITHOUT ROWID;
    CREATE TABLE ratings (
        return_id INTEGER NOT NULL REFERENCES returns(id),
        group_id TEXT NOT NULL,
        item_id TEXT NOT NULL,
        rating TEXT NOT NULL,
        score REAL,
        date TEXT NOT NULL,
        comment TEXT NOT NULL
    );
    CREATE INDEX ratings_by_return ON ratings(return_id);
    CREATE TABLE scores (
        return_id INTEGER NOT NULL REFERENCES returns(id),
        group_id TEXT NOT NULL,
        group_title TEXT NOT NULL,
        rated INTEGER NOT NULL,
        total INTEGER NOT NULL,
        score_pct REAL,
        completion_pct REAL,
        score_exact REAL
    );
    CREATE INDEX scores_by_return ON scores(return_id);
    CREATE TABLE actions (
        return_id INTEGER NOT NULL REFERENCES returns(id),
        row INTEGER NOT NULL,
        action TEXT NOT NULL,
        lead TEXT NOT NULL,
        start TEXT NOT NULL,
        "end" TEXT NOT NULL,
        status TEXT NOT NULL,
        details TEXT NOT NULL
    );
    CREATE INDEX actions_by_return ON actions(return_id);
    CREATE TABLE outcomes (
        return_id INTEGER NOT NULL REFERENCES returns(id),
        outcome_id TEXT NOT NULL,
        outcome TEXT NOT NULL,
        measure TEXT NOT NULL,
        value
    );
    CREATE INDEX outcomes_by_return ON outcomes(return_id);
    CREATE TABLE outputs (
        path TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        digest TEXT NOT NULL,
        inputs TEXT NOT NULL,
        sources TEXT NOT NULL DEFAULT '',
        written_at TEXT NOT NULL,
        run_id INTEGER
    );
    """,
    # 2: what an update rebuilds the outputs from without redoing every return's work: each
    # return's rows as CSV text and its ratings counted by level (made once per return; a
    # ledger of version 1 gets them at its first update); each setting's progress rows, and
    # each partnership's summary, group means and level counts per framework and term, with
    # the returns they were worked out from
    """
    CREATE TABLE return_text (
        return_id INTEGER PRIMARY KEY REFERENCES returns(id),
        ratings BLOB NOT NULL,
        scores BLOB NOT NULL,
        outcomes BLOB NOT NULL
    );
    CREATE TABLE return_levels (
        return_id INTEGER NOT NULL REFERENCES returns(id),
        level TEXT NOT NULL,
        count INTEGER NOT NULL
    );
    CREATE INDEX return_levels_by_return ON return_levels(return_id);
    CREATE TABLE setting_progress (
        framework TEXT NOT NULL,
        who TEXT NOT NULL,
        inputs TEXT NOT NULL,
        rows BLOB NOT NULL,
        text BLOB NOT NULL,
        PRIMARY KEY (framework, who)
    ) WITHOUT ROWID;
    CREATE TABLE term_summary (
        partnership TEXT NOT NULL,
        framework TEXT NOT NULL,
        year TEXT NOT NULL,
        term TEXT NOT NULL,
        inputs TEXT NOT NULL,
        rows BLOB NOT NULL,
        PRIMARY KEY (partnership, framework, year, term)
    ) WITHOUT ROWID;
    """,
)
"""Every step of the schema, from an empty file; step n makes ``user_version`` n."""

VERSION = len(MIGRATIONS)
CONNECT_PRAGMAS: tuple[str, ...] = (
    "foreign_keys = ON",
    "journal_mode = DELETE",
    "synchronous = FULL",
    "cache_size = -65536",
    "secure_delete = ON",
)
"""Set on every connection (see the module's decisions; a 64 MB page cache keeps a long
command's changes in memory, so readers are not kept waiting until it commits; a deleted
row's bytes are overwritten with zeros, so nothing deleted can be read back from the file)."""
BUSY_SECONDS = 30
"""How long a reader waits for a writer's commit to finish."""
_HEADER = b"SQLite format 3\x00"


def now() -> str:
    """The time as the ledger records it: UTC, to the second, ISO."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def damaged(exc: BaseException) -> bool:
    """Whether an sqlite3 error means the file is damaged or is not a database."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)


def busy(exc: BaseException) -> bool:
    """Whether an sqlite3 error means another command kept the ledger locked too long."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def disk_full(exc: BaseException) -> bool:
    """Whether an error (sqlite3's or the system's) means the disk is full."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_FULL
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class Ledger:
    """An open ledger; a new one is made when ``create``. One made by an older awardbooks is
    brought up to date as it is opened."""

    def __init__(self, path: Path, *, create: bool = False):
        self.path = Path(path)
        exists = self.path.is_file() and self.path.stat().st_size > 0
        if not exists and not create:
            raise CollectionError(
                f"{self.path}: the collection's ledger is missing; run awardbooks rebuild to "
                "make it again from the returns kept in the collection"
            )
        if exists:
            with open(self.path, "rb") as handle:
                if handle.read(16) != _HEADER:
                    raise self.damage("it is not an SQLite database")
        try:
            self.conn = sqlite3.connect(
                self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
            )
            for pragma in CONNECT_PRAGMAS:
                self.conn.execute(f"PRAGMA {pragma}")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise self.fault(exc) from None
        if version > VERSION:
            self.conn.close()
            raise CollectionError(
                f"{self.path}: was written by a newer awardbooks (ledger version {version}; "
                f"this awardbooks knows up to {VERSION}); upgrade awardbooks "
                "(pip install --upgrade awardbooks)"
            )
        self.migrated_from = version if 0 < version < VERSION else None
        if version < VERSION:
            self._migrate(version)

    def fault(self, exc: sqlite3.DatabaseError) -> Exception:
        """What to raise for an sqlite3 error: a damaged ledger, a busy one, or the error."""
        if damaged(exc):
            return self.damage(str(exc))
        if busy(exc):
            return CollectionError(
                f"{self.path}: the ledger is busy (another awardbooks command has been writing "
                f"to it for over {BUSY_SECONDS} seconds); run this again when it has finished"
            )
        return exc

    def damage(self, detail: str) -> LedgerDamaged:
        """The error for a damaged ledger: what SQLite said and how to recover."""
        return LedgerDamaged(
            f"{self.path}: the ledger is damaged ({detail}); run awardbooks rebuild to make it "
            "again from the returns kept in the collection (the damaged file is kept beside it)"
        )

    def _migrate(self, version: int) -> None:
        """Apply every migration after ``version`` in one transaction."""
        with self.transaction():
            for step in range(version, VERSION):
                for statement in _statements(MIGRATIONS[step]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {step + 1}")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One step: everything in it is written, or (on any error, or if the process dies)
        nothing is. ``BEGIN IMMEDIATE`` takes SQLite's write lock at once. Inside another
        transaction it is part of that one (a command is one step as a whole)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise self.fault(exc) from None
        try:
            yield self.conn
            self.commit()
        except BaseException:
            if self.conn.in_transaction:
                self.conn.rollback()
            raise

    def commit(self) -> None:
        """Commit the open transaction (one method, so a test can stop a command here)."""
        self.conn.commit()

    def execute(self, sql: str, params=()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            if disk_full(exc):
                raise  # the command says how much to free
            raise self.fault(exc) from None

    def one(self, sql: str, params=()):
        """The first value of the first row (None when there is no row)."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def check(self, full: bool = False) -> None:
        """SQLite's own check of every page (``quick_check``, or ``integrity_check`` when
        ``full``); a problem is :class:`~awardbooks.errors.LedgerDamaged`."""
        pragma = "integrity_check" if full else "quick_check"
        found = [row[0] for row in self.execute(f"PRAGMA {pragma}").fetchall()]
        if found != ["ok"]:
            more = f" and {len(found) - 1} more problems" if len(found) > 1 else ""
            raise self.damage(f"{found[0]}{more}")

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, command: str) -> int:
        """Record a command (inside its transaction: a command that does not finish leaves
        no trace)."""
        cursor = self.execute(
            "INSERT INTO runs (command, pid, started) VALUES (?, ?, ?)",
            (command, os.getpid(), now()),
        )
        return int(cursor.lastrowid)

    def finish_run(self, run: int, outcome: str) -> None:
        self.execute(
            "UPDATE runs SET finished = ?, outcome = ? WHERE id = ?", (now(), outcome, run)
        )


def _statements(script: str) -> list[str]:
    """The statements of a migration, for ``execute`` one by one (``executescript`` would
    commit the open transaction first)."""
    return [s.strip() for s in script.split(";") if s.strip()]


def create_at(path: Path) -> Ledger:
    """A new, empty ledger at ``path``."""
    return Ledger(path, create=True)
