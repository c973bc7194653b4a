"""The passwords of encrypted workbooks, sent apart from the workbooks: a short message per
workbook carrying only its password (to send later, or by another route), and a printable
list for telephoning the schools.

Decisions:

- A workbook's own draft never carries its password: not in the message, not in the
  attachment's name (the drafts of :mod:`awardbooks.mail.drafts` are made from the manifest,
  which holds no password). It gets a paragraph saying the workbook is encrypted and that the
  password comes separately (:data:`awardbooks.mail.drafts.ENCRYPTED_NOTE`).
- The password messages go to a folder of their own (``passwords/`` beside the drafts), so
  that they are sent at another time, or not at all when the officer telephones instead;
  the messages and the list are written readable by their owner alone (mode 0600), like the
  passwords file they come from.
- The list (``passwords-to-telephone.csv``) has a row per workbook: setting, URN, contact,
  workbook, password, and an empty column to tick once told; it prints from any spreadsheet
  application.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from awardbooks.common.passwords import passwords_beside, read_passwords
from awardbooks.generate.manifest import read_manifest
from awardbooks.mail.drafts import MailError, manifest_path

PASSWORD_BODY = (
    "Dear colleague,\n\n"
    "This is the password to open {setting}'s workbook {file}, sent apart from the workbook:\n\n"
    "    {password}\n\n"
    "Type it exactly as shown, with the hyphens, when Excel or LibreOffice asks for it.\n\n"
    "Thank you.\n"
)
LIST_NAME = "passwords-to-telephone.csv"
LIST_COLUMNS = ("setting", "urn", "contact_email", "workbook", "password", "told on")


@dataclass
class PasswordMessages:
    """What :func:`write_password_messages` wrote."""

    written: list[Path] = field(default_factory=list)
    listing: Path | None = None
    no_email: list[str] = field(default_factory=list)  # settings only the list reaches


def _private(path: Path, data: bytes) -> None:
    """Write ``path`` readable by its owner alone from its first byte (mode 0600), through a
    temporary file renamed into place."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_password_messages(
    manifest_or_dir: str | Path,
    out_dir: str | Path,
    *,
    from_addr: str | None = None,
    only: set[str] | None = None,
) -> PasswordMessages:
    """A short .eml draft per encrypted workbook (of the workbook ids ``only`` names, when
    given) carrying only its password, to the roster's contact_email, and the printable list
    of every password, in ``out_dir`` (made readable by its owner alone)."""
    manifest = manifest_path(manifest_or_dir)
    store = read_passwords(passwords_beside(manifest))
    rows = [r for r in read_manifest(manifest) if only is None or r.get("workbook_id") in only]
    rows = [r for r in rows if store.get(r.get("file", "")) is not None]
    if not rows:
        raise MailError(
            f"{passwords_beside(manifest)}: no passwords for these workbooks; only those "
            "generate {opt:encrypt} made each have one (a password you typed is yours to tell)"
        )
    out = Path(out_dir)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    result = PasswordMessages()
    listing = io.StringIO()
    writer = csv.writer(listing, lineterminator="\r\n")
    writer.writerow(LIST_COLUMNS)
    for row in rows:
        file, password = row["file"], store.get(row["file"]) or ""
        contact = (row.get("contact_email") or "").strip()
        writer.writerow((row.get("setting", ""), row.get("urn", ""), contact, file, password, ""))
        if not contact:
            result.no_email.append(row.get("setting", ""))
            continue
        message = EmailMessage()
        if from_addr:
            message["From"] = from_addr.strip()
        message["To"] = contact.replace(";", ",")
        message["Subject"] = f"Password for {row.get('setting', '')}'s workbook"
        message["X-Unsent"] = "1"
        message.set_content(
            PASSWORD_BODY.format(setting=row.get("setting", ""), file=file, password=password)
        )
        path = out / (Path(file).stem + ".password.eml")
        _private(path, message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
        result.written.append(path)
    result.listing = out / LIST_NAME
    _private(result.listing, listing.getvalue().encode("utf-8-sig"))
    return result
