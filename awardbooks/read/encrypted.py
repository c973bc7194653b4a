"""Encrypted returns: an .xlsx encrypted with a password (ECMA-376 Agile or Standard
encryption, what Excel's Encrypt with Password, LibreOffice's Save with password and
``generate --encrypt`` write) is decrypted in memory with the passwords given, and the
workbook inside goes through the same container checks as any other.

Decisions:

- Passwords come from passwords files (``passwords.csv``, written by ``generate --encrypt``
  beside the manifest) and from one password typed at a prompt (:class:`Passwords`). The
  password listed for the return's file name is tried first, then the one typed, then every
  other password listed (a school may have renamed the file).
- The decrypted bytes are never written to disk: they are handed to
  :func:`~awardbooks.read.container.sniff`, which applies the size and zip limits to them as
  to any workbook. They are never larger than the encrypted file (already within its limit).
- What costs time is set by the file: an encrypted file asking for more than ECMA-376's limit
  of 10,000,000 rounds of hashing per password tried is refused (msoffcrypto-tool refuses it
  as it reads the details), not ground through. Agile encryption's integrity check (an HMAC
  over the encrypted package) is verified.
- Which reason a return gets: no password at all (:data:`~codes.FILE_PASSWORD_NEEDED`); its
  file name listed in a passwords file but that password fails, so the school set one of its
  own (:data:`~codes.FILE_PASSWORD_CHANGED`); else what was tried failed
  (:data:`~codes.FILE_PASSWORD_WRONG`).
"""

from __future__ import annotations

import io
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

import olefile
from msoffcrypto.exceptions import InvalidKeyError
from msoffcrypto.format.ooxml import OOXMLFile

from awardbooks.common.passwords import OLE_MAGIC, PasswordsFile, read_passwords
from awardbooks.errors import ReturnError
from awardbooks.read import codes

MAX_SPIN = 10_000_000  # ECMA-376's limit on the rounds of hashing a password costs


@dataclass
class Passwords:
    """The passwords a run may open encrypted returns with."""

    files: list[PasswordsFile] = field(default_factory=list)
    typed: str = ""

    @classmethod
    def load(cls, paths=(), typed: str = "") -> Passwords:
        """The passwords files at ``paths`` (those that exist) and a password typed."""
        seen: set[Path] = set()
        files = []
        for path in paths:
            key = Path(path).resolve()
            if key not in seen and Path(path).is_file():
                seen.add(key)
                files.append(read_passwords(Path(path)))
        return cls(files, typed or "")

    def __bool__(self) -> bool:
        return bool(self.typed) or any(f.entries for f in self.files)

    def listed(self, name: str) -> tuple[str, Path] | None:
        """The password a passwords file lists for the workbook named ``name``, and where."""
        base = posixpath.basename(name.replace("\\", "/").rsplit("!", 1)[-1])
        for store in self.files:
            found = store.get(base)
            if found is not None:
                return found, store.path
        return None

    def candidates(self, name: str) -> list[str]:
        """Every password to try for ``name``, best first, each once."""
        listed = self.listed(name)
        order = [listed[0]] if listed else []
        if self.typed:
            order.append(self.typed)
        for store in self.files:
            order += [e.password for e in store.entries.values()]
        return list(dict.fromkeys(order))

    def describe(self) -> str:
        """That what was tried (the password typed, the passwords files) fails, in words."""
        count = sum(len(f.entries) for f in self.files)
        where = ", ".join(str(f.path) for f in self.files if f.entries)
        listed = f"the {count} passwords in {where}" if count != 1 else f"the password in {where}"
        if self.typed and count:
            return f"neither the password typed nor any of {listed} opens the workbook"
        if self.typed:
            return "the password typed does not open the workbook"
        if count == 1:
            return f"{listed} does not open the workbook"
        return f"none of {listed} opens the workbook"


def is_encrypted_package(data: bytes) -> bool:
    """Whether ``data`` is an Office compound file holding an encrypted package."""
    if not data.startswith(OLE_MAGIC):
        return False
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            return ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage")
    except Exception:  # a damaged compound file: the container says what it looks like
        return False


def decrypt(data: bytes, name: str, passwords: Passwords | None) -> tuple[bytes, str]:
    """The workbook inside an encrypted package, decrypted in memory, and the password that
    opened it; a :class:`ReturnError` saying why not (see the module's decisions)."""
    try:
        office = OOXMLFile(io.BytesIO(data))
        kind = office.type
    except Exception as exc:  # msoffcrypto-tool refuses a spin count over ECMA-376's limit
        what = "details cannot be read"
        if "spincount" in str(exc).casefold():
            what = f"asks for more than {MAX_SPIN:,} rounds of hashing per password (the limit)"
        raise ReturnError(codes.FILE_ENCRYPTION_UNREADABLE(what=what)) from None
    if kind not in ("agile", "standard"):
        raise ReturnError(
            codes.FILE_ENCRYPTION_UNREADABLE(what="is of a kind awardbooks cannot open")
        )
    passwords = passwords or Passwords()
    tries = passwords.candidates(name)
    if not tries:
        raise ReturnError(codes.FILE_PASSWORD_NEEDED())
    for password in tries:
        try:
            office.load_key(password=password, verify_password=True)
        except InvalidKeyError:
            continue
        except Exception:
            raise ReturnError(
                codes.FILE_ENCRYPTION_UNREADABLE(what="details cannot be read")
            ) from None
        out = io.BytesIO()
        try:
            office.decrypt(out, verify_integrity=kind == "agile")
        except Exception:
            what = "opens with the password, but its contents fail their integrity check"
            raise ReturnError(codes.FILE_ENCRYPTION_UNREADABLE(what=what)) from None
        return out.getvalue(), password
    listed = passwords.listed(name)
    if listed is not None:
        raise ReturnError(codes.FILE_PASSWORD_CHANGED(passwords=str(listed[1])))
    raise ReturnError(codes.FILE_PASSWORD_WRONG(tried=passwords.describe()))
