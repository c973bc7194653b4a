"""Workbook passwords: making them, keeping them in a passwords file only the owner can read,
and encrypting a workbook's bytes with one.

Decisions:

- A password is five words drawn with :mod:`secrets` from the EFF's Short Wordlist 1 (bundled
  as ``eff_short_wordlist.txt``, CC BY 3.0 US; its one word with a hyphen is left out, leaving
  1,295 words of 3-5 letters), joined by hyphens: ``acorn-pulse-tidy-vowel-zebra``. Such words
  were chosen by the EFF to be easy to type and to say aloud, so a password can be read to a
  school over the telephone; five of them give about 51.7 bits, and every guess at an Excel
  password costs an attacker 100,000 rounds of SHA-512 (ECMA-376 Agile encryption's default).
- The passwords file (``passwords.csv``: file, setting, urn, password) sits beside the
  manifest it belongs to. It is created with mode 0600 from its first byte (``os.open`` with
  that mode, under a temporary name, then renamed over the old file): never readable by
  anyone else, not even briefly. A workbook keeps its password when its workbook is written
  again.
- Encryption is msoffcrypto-tool's ECMA-376 Agile encryption (AES-256, SHA-512), what Excel
  2010 and later write for File > Info > Protect Workbook > Encrypt with Password, and what
  Excel and LibreOffice open after asking for the password.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from msoffcrypto.format.ooxml import OOXMLFile

PASSWORDS_FILE = "passwords.csv"
PASSWORD_COLUMNS = ("file", "setting", "urn", "password")
WORDS_IN_A_PASSWORD = 5
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@cache
def word_list() -> tuple[str, ...]:
    """The bundled EFF Short Wordlist 1, less its one word with a hyphen."""
    text = (Path(__file__).with_name("eff_short_wordlist.txt")).read_text(encoding="utf-8")
    words = (line.strip() for line in text.splitlines() if not line.startswith("#"))
    return tuple(w for w in words if w.isalpha())


def new_password(words: int = WORDS_IN_A_PASSWORD) -> str:
    """A random password of readable words, e.g. ``acorn-pulse-tidy-vowel-zebra``."""
    choices = word_list()
    return "-".join(secrets.choice(choices) for _ in range(words))


def encrypt(data: bytes, password: str) -> bytes:
    """An .xlsx package's bytes encrypted with ``password`` (ECMA-376 Agile)."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def is_encrypted_file(path: Path) -> bool:
    """Whether the file at ``path`` is an encrypted Office file (a compound file, not a zip)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(8) == OLE_MAGIC
    except OSError:
        return False


@dataclass
class PasswordEntry:
    file: str
    setting: str = ""
    urn: str = ""
    password: str = ""


@dataclass
class PasswordsFile:
    """A passwords file's entries by workbook file name (in the order written)."""

    path: Path
    entries: dict[str, PasswordEntry] = field(default_factory=dict)

    def get(self, file: str) -> str | None:
        entry = self.entries.get(file) or next(
            (e for name, e in self.entries.items() if name.casefold() == file.casefold()), None
        )
        return entry.password if entry else None

    def set(self, file: str, setting: str, urn: str, password: str) -> None:
        self.entries[file] = PasswordEntry(file, setting, urn, password)


def read_passwords(path: Path) -> PasswordsFile:
    """The passwords file at ``path`` (empty if there is none)."""
    found = PasswordsFile(Path(path))
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return found
    for row in csv.DictReader(io.StringIO(text)):
        file = (row.get("file") or "").strip()
        password = row.get("password") or ""
        if file and password:
            found.set(file, row.get("setting") or "", row.get("urn") or "", password)
    return found


def passwords_beside(manifest: Path) -> Path:
    """Where the passwords file of the workbooks listed in ``manifest`` is."""
    return Path(manifest).with_name(PASSWORDS_FILE)


def write_passwords(passwords: PasswordsFile) -> None:
    """Write the passwords file readable and writable by its owner alone (mode 0600 from the
    moment it exists), through a temporary file renamed into place."""
    path = passwords.path
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PASSWORD_COLUMNS)
    for e in passwords.entries.values():
        writer.writerow((e.file, e.setting, e.urn, e.password))
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
