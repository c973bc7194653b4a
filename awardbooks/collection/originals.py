"""The kept originals: the bytes of every return file the collection has taken in, stored by
their SHA-256 digest under ``.awardbooks/originals/``, so that deleting or overwriting a file
under ``returns/`` never loses a return, and the ledger can be made again from them.

Decisions:

- Content-addressed: a file's name is its digest (two levels, ``ab/abcdef....xlsx``), so the
  same bytes are kept once however often they arrive, and a file that was half-written by an
  interrupted command is simply written again. Its extension is the one it arrived with
  (``.xlsx``, ``.zip``, ``.eml``, ``.msg``, ``.mbox``): it says how to open it.
- Beside each original, ``<digest>.json`` records where it came from (its path in the
  collection, its file time, when it was first seen): what ``awardbooks rebuild`` needs that
  the bytes cannot say.
- Every file is written durably before the ledger records it: to a temporary file, flushed to
  the disk (``fsync``), then renamed into place, and the folder flushed; a failed write leaves
  no partial file behind. The originals are made read-only.
- A file is copied while it is hashed, and kept only if the copy's digest is the one first
  read: a file still being saved into ``returns/`` is left for the next update.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


def digest_of(path: Path) -> tuple[str, int]:
    """(SHA-256 hex digest, size) of a file, read in chunks."""
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_durably(path: Path, write: Callable[[BinaryIO], None], mode: int = 0o444) -> None:
    """Write ``path`` through a temporary file in its folder, flushed to the disk before it is
    renamed into place (and the folder after): after a crash the file is whole or absent,
    never partly written. On any error the temporary file is removed and the error raised."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries to the disk (POSIX; Windows has no such call, nor needs it)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Origin:
    """Where a kept original came from."""

    digest: str
    kind: str  # the extension that says how to open it: .xlsx, .zip, .eml, .msg, .mbox ...
    origin: str  # its path in the collection when it was first seen
    size: int
    mtime: float  # its file time then
    first_seen: str  # ISO, UTC


class Changed(Exception):
    """The file changed while it was being copied (someone is still saving it)."""


class Originals:
    """The store of kept originals of one collection."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, digest: str, kind: str) -> Path:
        return self.folder / digest[:2] / f"{digest}{kind}"

    def _sidecar(self, digest: str) -> Path:
        return self.folder / digest[:2] / f"{digest}.json"

    def has(self, digest: str, kind: str, size: int) -> bool:
        path = self.path(digest, kind)
        try:
            return path.stat().st_size == size and self._sidecar(digest).is_file()
        except OSError:
            return False

    def keep(self, source: Path, origin: Origin) -> Path:
        """Copy ``source`` (whose digest and size ``origin`` holds) into the store with its
        record of origin; :class:`Changed` if the copy's digest is not the one given."""
        target = self.path(origin.digest, origin.kind)
        if self.has(origin.digest, origin.kind, origin.size):
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256()

        def copy(handle: BinaryIO) -> None:
            with open(source, "rb") as src:
                while chunk := src.read(CHUNK):
                    sha.update(chunk)
                    handle.write(chunk)
            if sha.hexdigest() != origin.digest:
                raise Changed(str(source))

        write_durably(target, copy)
        os.utime(target, (origin.mtime, origin.mtime))
        record = json.dumps(origin.__dict__, indent=1).encode("utf-8")
        write_durably(self._sidecar(origin.digest), lambda handle: handle.write(record))
        return target

    def each(self) -> Iterator[tuple[Origin, Path]]:
        """Every kept original with its origin, in the order they were first seen; an
        original whose bytes do not match its digest is left out (and reported by
        :meth:`check`)."""
        found = []
        for sidecar in self.folder.glob("*/*.json"):
            try:
                origin = Origin(**json.loads(sidecar.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue
            path = self.path(origin.digest, origin.kind)
            if path.is_file():
                found.append((origin, path))
        found.sort(key=lambda pair: (pair[0].first_seen, pair[0].origin))
        return iter(found)

    def damaged(self) -> list[Path]:
        """Kept originals whose bytes no longer match their digest."""
        return [path for origin, path in self.each() if digest_of(path)[0] != origin.digest]

    def clean(self) -> None:
        """Remove temporary files an interrupted command left (only ever while the
        collection's lock is held)."""
        for tmp in self.folder.glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)

    def size(self) -> int:
        return sum(p.stat().st_size for p in self.folder.glob("*/*") if p.is_file())
