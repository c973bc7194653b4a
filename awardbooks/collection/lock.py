"""The collection's lock: one command at a time changes a collection.

Decisions:

- An operating-system lock on ``.awardbooks/lock`` (``flock`` on POSIX, ``msvcrt.locking`` on
  Windows), not a lock file's existence: the system releases it when the process ends, however
  it ends (``kill -9``, a power cut), so a lock is never left behind to be cleared by hand.
- The holder writes who it is (process id, command, start time, computer) into the file, so a
  second command can say who holds the collection; it waits for it (a few seconds by default)
  and then stops with that message rather than queueing forever.
- Reading (``status``) takes no lock: SQLite keeps a reader from seeing half a step.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from awardbooks.errors import CollectionError

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


WAIT_SECONDS = 10.0
"""How long a command waits for another to finish with the collection, by default."""


@dataclass(frozen=True)
class Holder:
    """Who holds a collection."""

    pid: int
    command: str
    started: str  # local time, to the second
    host: str

    def __str__(self) -> str:
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"process {self.pid}{where} (awardbooks {self.command}, started {self.started})"


def holder(path: Path) -> Holder | None:
    """Who the lock file says holds the collection (None if it cannot say)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(1)  # past the byte Windows locks
            return Holder(**json.loads(handle.read().decode("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


@contextmanager
def hold(
    path: Path,
    command: str,
    *,
    wait: float = WAIT_SECONDS,
    waiting: Callable[[Holder | None], None] | None = None,
) -> Iterator[Holder | None]:
    """Hold the collection's lock for the block. If another process holds it, call
    ``waiting`` once with who it is, wait up to ``wait`` seconds, then stop with a
    :class:`~awardbooks.errors.CollectionError` naming the holder. Yields the command that
    held it last and never let go (it was killed, or the computer stopped), else None."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        deadline = time.monotonic() + max(0.0, wait)
        told = False
        while not _try_lock(fd):
            who = holder(path)
            if not told and waiting is not None:
                waiting(who)
                told = True
            if time.monotonic() >= deadline:
                by = f"by {who}" if who else "by another awardbooks command"
                raise CollectionError(
                    f"{path.parent.parent}: the collection is in use {by}; run this again when "
                    "it has finished (or wait longer with {opt:wait} SECONDS)"
                )
            time.sleep(0.1)
        interrupted = holder(path)  # a holder that finished leaves the file empty
        me = Holder(
            os.getpid(), command, dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            socket.gethostname(),
        )  # fmt: skip
        # byte 0 is the one Windows locks; who holds it is written after it
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, b"\n" + json.dumps(me.__dict__).encode("utf-8"))
        try:
            yield interrupted
        finally:
            os.ftruncate(fd, 0)
            _unlock(fd)
    finally:
        os.close(fd)
