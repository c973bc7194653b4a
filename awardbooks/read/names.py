"""Which files are returns, by their names alone: workbooks, .zip archives and saved emails,
skipping hidden files and folders and Office lock files (``~$name.xlsx``).

Nothing here opens a file or imports a reader, so that a collection's ``status`` can look
through ``returns/`` at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

RETURN_EXTS = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods")
ARCHIVE_EXTS = (".zip",)
MAIL_EXTS = (".eml", ".msg", ".mbox")


def mail_kind(path: Path) -> str:
    """'.eml', '.msg' or '.mbox' for a saved email or mailbox, else ''. Apple Mail exports a
    mailbox as a folder ``Name.mbox`` holding a file called ``mbox``."""
    if path.suffix.lower() in MAIL_EXTS:
        return path.suffix.lower()
    if path.name == "mbox" and path.parent.suffix.lower() == ".mbox":
        return ".mbox"
    return ""


def wanted(path: Path) -> bool:
    """Whether a file found in a folder is read as returns (by its name)."""
    if path.name.startswith((".", "~$")):
        return False
    return path.suffix.lower() in RETURN_EXTS + ARCHIVE_EXTS or bool(mail_kind(path))


def walk(folder: Path) -> Iterator[tuple[str, os.DirEntry]]:
    """(path relative to ``folder`` with '/', its directory entry) for every wanted file in
    ``folder`` and the folders below it, in sorted order, not following links to folders;
    hidden folders are skipped. The entry's ``stat()`` costs no further look at the disk on
    most systems."""

    def visit(directory: str, prefix: str) -> Iterator[tuple[str, os.DirEntry]]:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                yield from visit(entry.path, f"{prefix}{entry.name}/")
            elif entry.is_file() and wanted(Path(entry.path)):
                yield f"{prefix}{entry.name}", entry

    yield from visit(str(folder), "")
