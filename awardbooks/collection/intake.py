"""Taking in returns: the files under ``returns/`` that the ledger has not seen, by content.

Decisions:

- A file is known by its SHA-256 digest, not its name: a file renamed, moved or saved twice
  is not read again; a file overwritten with new content is a new file (the old content stays
  in the ledger and among the kept originals). To know which files to hash at all, the ledger
  keeps each path's size and modification time (as git does): an unchanged path is not read.
- A new file is first kept (:mod:`awardbooks.collection.originals`), then read from the kept
  copy, never from ``returns/``: what is read is exactly the bytes of the digest recorded,
  even if someone saves over the file meanwhile.
- Within a file (an archive, a saved email, a mailbox) each workbook is a return, known by the
  digest of its bytes: a workbook that comes again inside another email or a re-exported
  mailbox is the same return and is not read twice.
- Everything one update learns is written to the ledger in one transaction: if the update is
  stopped, nothing of it is recorded and the next update takes those files in again.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.analyse.consolidate import read_all, rows_of, slim
from awardbooks.analyse.inputs import kept_tables
from awardbooks.collection.entries import insert_return
from awardbooks.collection.erase import (
    collection_passwords,
    forget_returns,
    refused_for_password,
    remember_typed,
)
from awardbooks.collection.ledger import Ledger, now
from awardbooks.collection.originals import Changed, Origin, Originals, digest_bytes, digest_of
from awardbooks.collection.settings import Collection
from awardbooks.collection.status import known_paths, unplaced
from awardbooks.read.encrypted import Passwords
from awardbooks.read.inputs import Unit, return_units
from awardbooks.read.names import mail_kind, walk
from awardbooks.read.returns import ReturnRecord


@dataclass
class Seen:
    """A file under ``returns/`` whose path is new or changed: its digest and file facts."""

    path: Path
    rel: str
    digest: str
    size: int
    mtime_ns: int

    @property
    def kind(self) -> str:
        return mail_kind(self.path) or self.path.suffix.lower()


@dataclass
class Intake:
    """What an update found under ``returns/`` and took in."""

    files: list[str] = field(default_factory=list)  # new files, by their path
    returns: list[ReturnRecord] = field(default_factory=list)  # the new returns read
    copies: list[tuple[str, str]] = field(default_factory=list)  # (path, the same file's path)
    repeated: int = 0  # workbooks inside new files that were taken in before
    busy: list[str] = field(default_factory=list)  # files still being saved: left for later
    gone: list[str] = field(default_factory=list)  # files taken in, now gone from returns/
    bytes_new: int = 0
    opened_with_typed: list[str] = field(default_factory=list)  # returns the typed one opened


def scan(collection: Collection, ledger: Ledger) -> tuple[list[Seen], list[str], int]:
    """The files under ``returns/`` whose path is new or changed since the ledger last saw it
    (hashed), the paths the ledger knows that are gone, and the number of files unchanged."""
    known = known_paths(ledger)
    seen: list[Seen] = []
    present: set[str] = set()
    unchanged = 0
    for name, entry in walk(collection.returns):
        rel = f"returns/{name}"
        try:
            st = entry.stat()
        except OSError:  # removed while we looked
            continue
        present.add(rel)
        if known.get(rel) == (st.st_size, st.st_mtime_ns):
            unchanged += 1
            continue
        path = Path(entry.path)
        try:
            digest, size = digest_of(path)
        except OSError:
            continue
        seen.append(Seen(path, rel, digest, size, st.st_mtime_ns))
    gone = sorted(set(known) - present)
    return seen, gone, unchanged


def _relabel(units: list[Unit], kept: Path, rel: str) -> list[Unit]:
    """Units read from a kept original, named as the file under ``returns/`` is."""
    prefix = str(kept)
    return [(rel + name[len(prefix):] if name.startswith(prefix) else name, path, data)
            for name, path, data in units]  # fmt: skip


def _unit_digest(unit: Unit, file_digest: str, rel: str) -> str:
    """A return's identity: the digest of its workbook's bytes (of the file itself for a
    plain workbook); for an input that holds no workbook, of where it is in its file."""
    name, path, data = unit
    if path is not None and data is None:
        return file_digest
    if path is None or getattr(data, "problem", None) is not None:
        return digest_bytes(f"{file_digest}\0{name[len(rel):]}".encode())
    return digest_bytes(bytes(data))


@dataclass(frozen=True)
class NewFile:
    """A return file to read: kept in the originals, not yet in the ledger."""

    rel: str  # where it was found, in the collection
    digest: str
    size: int
    kind: str
    mtime: float
    first_seen: str
    kept: Path  # the kept original, which is what is read


def take_in(
    collection: Collection,
    ledger: Ledger,
    *,
    run: int,
    today: dt.date,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    lenient: bool = False,
    completion_threshold: float | None = None,
    typed_password: str | None = None,
) -> Intake:
    """Find, keep, read and record every new return file (see the module's decisions);
    ``lenient`` and ``completion_threshold`` as :class:`~awardbooks.read.records.Registry`'s;
    with ``typed_password``, read again the encrypted returns refused before for want of a
    password, and remember it for those it opens (:func:`~.erase.remember_typed`)."""
    seen, gone, _unchanged = scan(collection, ledger)
    store = Originals(collection.originals)
    store.clean()
    intake = Intake()
    known_files = _known(ledger, "files", "digest", [s.digest for s in seen])
    new: list[NewFile] = []
    origin_of: dict[str, str] = {}
    first_seen = now()
    for item in seen:
        if item.digest in known_files or item.digest in origin_of:
            earlier = origin_of.get(item.digest) or ledger.one(
                "SELECT origin FROM files WHERE digest = ?", (item.digest,)
            )
            intake.copies.append((item.rel, str(earlier)))
            continue
        mtime = item.mtime_ns / 1e9
        origin = Origin(item.digest, item.kind, item.rel, item.size, mtime, first_seen)
        try:
            kept = store.keep(item.path, origin)
        except Changed:
            intake.busy.append(item.rel)
            continue
        origin_of[item.digest] = item.rel
        new.append(NewFile(item.rel, item.digest, item.size, item.kind, mtime, first_seen, kept))
        intake.files.append(item.rel)
        intake.bytes_new += item.size
    with ledger.transaction():
        busy = set(intake.busy)
        before = set(unplaced(ledger)) if gone or seen else set()
        record_files(ledger, new, run)
        ledger.conn.executemany(
            "INSERT OR REPLACE INTO paths VALUES (?, ?, ?, ?)",
            [(s.rel, s.digest, s.size, s.mtime_ns) for s in seen if s.rel not in busy],
        )
        ledger.conn.executemany("DELETE FROM paths WHERE path = ?", [(p,) for p in gone])
        if gone or seen:
            intake.gone = [origin for origin in unplaced(ledger) if origin not in before]
        passwords = collection_passwords(collection, typed_password)
        if typed_password:
            new += _again(ledger, store, {n.digest for n in new})
        read_and_record(
            collection, ledger, new, today=today, jobs=jobs, progress=progress, intake=intake,
            lenient=lenient, completion_threshold=completion_threshold, passwords=passwords,
        )  # fmt: skip
        if typed_password and intake.opened_with_typed:
            remember_typed(collection, intake.opened_with_typed, typed_password)
    return intake


def _again(ledger: Ledger, store: Originals, taken: set[str]) -> list[NewFile]:
    """The kept files of returns refused for want of a password, their returns forgotten to
    be read again (inside the caller's transaction)."""
    refused = refused_for_password(ledger)
    if not refused:
        return []
    forget_returns(ledger, list(refused))
    again = []
    for digest in sorted(set(refused.values()) - taken):
        row = ledger.execute(
            "SELECT size, kind, origin, mtime, first_seen FROM files WHERE digest = ?", (digest,)
        ).fetchone()
        if row is None:
            continue
        size, kind, origin, mtime, first_seen = row
        kept = store.path(digest, kind)
        if kept.is_file():
            again.append(NewFile(origin, digest, size, kind, mtime, first_seen, kept))
    return again


def record_files(ledger: Ledger, new: list[NewFile], run: int) -> None:
    ledger.conn.executemany(
        "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(f.digest, f.size, f.kind, f.rel, f.mtime, f.first_seen, run) for f in new],
    )


_VERSION = re.compile(r" \(version \d+\)$")


def _unique(ledger: Ledger, units: list[Unit]) -> list[Unit]:
    """Units named so that no two returns share a name: a file overwritten with new content
    under ``returns/`` gives 'returns/x.xlsx (version 2)'."""
    names = ledger.execute("SELECT name FROM returns")
    taken = Counter(_VERSION.sub("", name) for (name,) in names)
    named = []
    for name, path, data in units:
        count = taken[name]
        taken[name] += 1
        named.append((name if not count else f"{name} (version {count + 1})", path, data))
    return named


def read_and_record(
    collection: Collection,
    ledger: Ledger,
    new: list[NewFile],
    *,
    today: dt.date,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    intake: Intake,
    lenient: bool = False,
    completion_threshold: float | None = None,
    passwords: Passwords | None = None,
) -> None:
    """Read the returns in new files (those not taken in before, by digest) and record them,
    inside the caller's transaction; ``passwords`` open encrypted returns."""
    units: list[Unit] = []
    owners: list[tuple[str, NewFile]] = []  # (unit digest, its file) of each unit read
    done: set[str] = set()
    for item in new:
        found = _relabel(list(return_units([item.kept])), item.kept, item.rel)
        digests = [_unit_digest(u, item.digest, item.rel) for u in found]
        known = _known(ledger, "returns", "digest", digests)
        for unit, digest in zip(found, digests):
            if digest in known or digest in done:
                intake.repeated += 1
                continue
            done.add(digest)
            units.append(unit)
            owners.append((digest, item))
    if not units:
        return
    units = _unique(ledger, units)
    position = iter(owners)

    def record(rec: ReturnRecord) -> None:
        digest, item = next(position)
        insert_return(
            ledger, rec, rows_of(rec, today), digest=digest, file_digest=item.digest,
            first_seen=item.first_seen, tables=kept_tables(rec),
        )  # fmt: skip
        slim(rec)
        intake.returns.append(rec)
        if rec.opened_with_typed:
            intake.opened_with_typed.append(rec.file)
        if progress:
            progress(len(intake.returns), len(units))

    read_all(
        units, specs=collection.specs, jobs=jobs, progress=record, digest_on=today,
        keep_tables=True, lenient=lenient, completion_threshold=completion_threshold,
        passwords=passwords,
    )  # fmt: skip


def _known(ledger: Ledger, table: str, column: str, values: list[str]) -> set[str]:
    """Which of ``values`` the ledger's ``table`` holds in ``column``."""
    found: set[str] = set()
    for start in range(0, len(values), 500):
        part = values[start : start + 500]
        marks = ", ".join("?" * len(part))
        found.update(
            v for (v,) in ledger.execute(
                f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", part
            )
        )  # fmt: skip
    return found
