"""Returns that arrive by email: the workbooks attached to saved messages (.eml, Outlook .msg,
.mbox mailboxes), including those inside attached .zip files and forwarded messages.

Each workbook found becomes a unit for the analyser, named like ``reply.eml!St-Marys.xlsx``,
whose bytes carry the message it came from (sender, date, subject). A message with no
workbook becomes one unit whose bytes are a :class:`~awardbooks.read.container.Refusal`
saying why (one of the codes of :mod:`awardbooks.read.codes`). Size and nesting are limited
as for zip files.
"""

from __future__ import annotations

import datetime as dt
import email
import email.header
import email.policy
import email.utils
import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import olefile

from awardbooks.errors import ReturnError
from awardbooks.problems import Problem
from awardbooks.read import codes, container
from awardbooks.read.container import Refusal
from awardbooks.read.names import MAIL_EXTS, mail_kind  # noqa: F401 - also named here

MAX_DEPTH = 3  # levels of attached messages and archives below a saved message
NO_WORKBOOK = codes.MESSAGE_NO_WORKBOOK.template
_MESSAGE_TYPES = ("message/rfc822", "message/global")
_WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel.sheet.macroenabled.12",
)
_ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "application/x-zip")
_MSG_TYPES = ("application/vnd.ms-outlook",)
_TNEF = ("winmail.dat", "application/ms-tnef", "application/vnd.ms-tnef")


class MailBytes(bytes):
    """A unit's bytes that also carry the message they came from: ``source`` (email_from,
    email_date, email_subject) and ``mtime`` (the message's date as a timestamp, 0 if none),
    and for a unit that holds no workbook, the ``problem`` of its :class:`Refusal`. Pickles
    with all three, for the analyser's reading processes."""

    source: dict[str, str]
    mtime: float
    problem: Problem | None

    def __new__(cls, data: bytes, source: dict[str, str], mtime: float = 0.0) -> MailBytes:
        self = super().__new__(cls, data)
        self.source = dict(source)
        self.mtime = mtime
        self.problem = data.problem if isinstance(data, (Refusal, MailBytes)) else None
        return self

    def __reduce__(self):
        data = Refusal(self.problem) if self.problem is not None else bytes(self)
        return (MailBytes, (data, self.source, self.mtime))


Unit = tuple[str, Path | None, bytes]


@dataclass
class _Attachment:
    filename: str
    content_type: str
    data: bytes = b""
    message: _Mail | None = None  # a forwarded (attached) message


@dataclass
class _Mail:
    source: dict[str, str]
    when: float = 0.0
    attachments: list[_Attachment] = field(default_factory=list)


def mail_units(path: Path, workbook_exts: tuple[str, ...]) -> Iterator[Unit]:
    """(name, path, bytes) for every workbook in a saved .eml, .msg or .mbox file; a unit whose
    path is None carries the reason it could not be read, a :class:`Refusal` (as for a damaged
    .zip)."""
    name = str(path)
    kind = mail_kind(path) or path.suffix.lower()
    # a saved message may be as large as a zip member, a mailbox as a zip's whole content
    limit = container.MAX_UNCOMPRESSED if kind == ".mbox" else container.MAX_MEMBER
    try:
        size = path.stat().st_size
        if size > limit:
            code = codes.MAILBOX_TOO_LARGE if kind == ".mbox" else codes.MESSAGE_TOO_LARGE
            yield _note(name, code(mb=size // (1024 * 1024), limit=limit // (1024 * 1024)))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield _note(name, codes.FILE_UNREADABLE(reason=exc.strerror))
        return
    walker = _Walker(path, workbook_exts)
    if kind == ".mbox":
        messages = split_mbox(data)
        if not messages:
            yield _note(name, codes.MAILBOX_EMPTY())
        for n, raw in enumerate(messages, start=1):
            yield from walker.message(f"{name}!message {n}", raw, ".eml")
    else:
        yield from walker.message(name, data, kind)


def _note(name: str, problem: Problem) -> Unit:
    return name, None, Refusal(problem)


class _Walker:
    """Finds the workbooks in one saved message, within the size and nesting limits."""

    def __init__(self, path: Path, exts: tuple[str, ...]):
        self.path = path
        self.exts = exts

    def message(self, name: str, raw: bytes, kind: str) -> Iterator[Unit]:
        try:
            mail = parse_message(raw, kind)
        except ReturnError as exc:
            yield _note(name, exc.problem)
            return
        self.total = 0
        self.count = 0
        self.tnef = False
        units = list(self._walk(name, mail, 1))
        if not units:
            code = codes.MESSAGE_WINMAIL if self.tnef else codes.MESSAGE_NO_WORKBOOK
            units = [_note(name, code())]
        for label, path, data in units:
            yield label, path, MailBytes(data, mail.source, mail.when)

    def _walk(self, name: str, mail: _Mail, depth: int) -> Iterator[Unit]:
        for n, att in enumerate(mail.attachments, start=1):
            label = f"{name}!{att.filename or f'attachment {n}'}"
            self.count += 1
            self.total += len(att.data)
            if self.count > container.MAX_MEMBERS or self.total > container.MAX_UNCOMPRESSED:
                yield _note(label, codes.MESSAGE_TOO_MANY_ATTACHMENTS())
                return
            if att.message is not None:
                yield from self._nested(label, depth, lambda m=att.message: m)
            else:
                yield from self._item(label, att.filename, att.content_type, att.data, depth)

    def _item(self, label: str, filename: str, ctype: str, data: bytes, depth: int):
        lower = filename.lower()
        if lower.endswith(self.exts) or ctype in _WORKBOOK_TYPES:
            yield label, self.path, data
        elif lower.endswith(".zip") or ctype in _ZIP_TYPES:
            yield from self._zip(label, data, depth)
        elif lower.endswith((".eml", ".msg")) or ctype in _MESSAGE_TYPES + _MSG_TYPES:
            kind = ".msg" if lower.endswith(".msg") or ctype in _MSG_TYPES else ".eml"
            yield from self._nested(label, depth, lambda: parse_message(data, kind))
        elif lower in _TNEF or ctype in _TNEF:
            self.tnef = True

    def _nested(self, label: str, depth: int, load) -> Iterator[Unit]:
        if depth >= MAX_DEPTH:
            yield _note(label, codes.MESSAGE_NESTED_TOO_DEEP(depth=MAX_DEPTH))
            return
        try:
            inner = load()
        except ReturnError as exc:
            yield _note(label, exc.problem)
            return
        yield from self._walk(label, inner, depth + 1)

    def _zip(self, label: str, data: bytes, depth: int) -> Iterator[Unit]:
        if depth >= MAX_DEPTH:
            yield _note(label, codes.MESSAGE_NESTED_TOO_DEEP(depth=MAX_DEPTH))
            return
        try:
            members = container.zip_members(data, label, self.exts + (".zip", ".eml", ".msg"))
        except ReturnError as exc:
            yield _note(label, exc.problem)
            return
        for member_name, member in members:
            base = member_name[len(label) + 1 :].rsplit("/", 1)[-1]
            self.total += len(member)
            yield from self._item(member_name, base, "", member, depth + 1)


# ------------------------------------------------------------------------------ mailboxes

_FROM_LINE = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)
_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox mailbox (each after its ``From `` line, with mboxrd quoting of
    ``>From`` lines undone)."""
    starts = list(_FROM_LINE.finditer(data))  # as the standard library's mailbox.mbox reads
    messages = []
    for n, match in enumerate(starts):
        end = starts[n + 1].start() if n + 1 < len(starts) else len(data)
        body = data[match.end() : end]
        if body.strip():
            messages.append(_QUOTED_FROM.sub(rb"\1", body))
    return messages


# ------------------------------------------------------------------------------ messages


def parse_message(raw: bytes, kind: str) -> _Mail:
    """A saved message (.eml/RFC 5322 or Outlook .msg) as its source and attachments."""
    if kind == ".msg" or raw.startswith(container.OLE_MAGIC):
        return _parse_msg(raw)
    if not raw.strip():
        raise ReturnError(codes.MESSAGE_EMPTY())
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        return _Mail(_source(msg), _when(msg), list(_eml_attachments(msg)))
    except ReturnError:
        raise
    except Exception as exc:  # a message no mail program would write: report, never crash
        raise ReturnError(codes.MESSAGE_UNREADABLE(exception=type(exc).__name__)) from None


def _header(msg, name: str) -> str:
    raw = msg.get(name)
    if raw is None:
        return ""
    try:
        text = str(email.header.make_header(email.header.decode_header(str(raw))))
    except Exception:  # undecodable encoded words: keep the text as it is
        text = str(raw)
    return " ".join(text.split())


def _source(msg) -> dict[str, str]:
    date = _header(msg, "Date")
    parsed = _parse_date(date)
    return {
        "email_from": _header(msg, "From"),
        "email_date": parsed.isoformat() if parsed else date,
        "email_subject": _header(msg, "Subject"),
    }


def _parse_date(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _when(msg) -> float:
    parsed = _parse_date(_header(msg, "Date"))
    return parsed.timestamp() if parsed else 0.0


def _eml_attachments(msg, level: int = 0) -> Iterator[_Attachment]:
    if level > 50:
        raise ReturnError(codes.MESSAGE_PARTS_TOO_DEEP())
    ctype = msg.get_content_type()
    if ctype in _MESSAGE_TYPES:
        payload = msg.get_payload()
        if isinstance(payload, list) and payload:
            inner = payload[0]
            yield _Attachment(
                _filename(msg) or _forward_name(inner),
                ctype,
                message=_Mail(
                    _source(inner), _when(inner), list(_eml_attachments(inner, level + 1))
                ),
            )
        return
    if msg.is_multipart():
        for part in msg.get_payload():
            yield from _eml_attachments(part, level + 1)
        return
    filename = _filename(msg)
    if not filename and msg.get_content_maintype() in ("text", "multipart"):
        return  # the body
    data = msg.get_payload(decode=True) or b""
    yield _Attachment(filename, ctype, data)


def _filename(part) -> str:
    name = part.get_filename() or ""
    if "=?" in name:  # RFC 2047 words in a parameter, as some mail programs write
        try:
            name = str(email.header.make_header(email.header.decode_header(name)))
        except Exception:
            pass
    return _clean_name(name)


def _clean_name(name: str) -> str:
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).replace("\\", "/").rsplit("/", 1)[-1]
    return name.strip()


def _forward_name(inner) -> str:
    subject = _clean_name(_header(inner, "Subject").replace("/", "-"))
    return f"{subject or 'forwarded message'}.eml"


# ------------------------------------------------------------------ Outlook .msg (MS-OXMSG)

_PT_STRING = 0x001F  # UTF-16LE
_PT_STRING8 = 0x001E
_PT_SYSTIME = 0x0040
_ATTACH_EMBEDDED = 5


def _parse_msg(raw: bytes) -> _Mail:
    if not raw.startswith(container.OLE_MAGIC):
        raise ReturnError(codes.MESSAGE_NOT_OUTLOOK())
    try:
        ole = olefile.OleFileIO(io.BytesIO(raw))
        entries = {tuple(e): tuple(e) for e in ole.listdir(streams=True, storages=True)}
        return _MsgReader(ole, entries).mail((), 32)
    except ReturnError:
        raise
    except Exception as exc:  # damaged compound file: report, never crash
        raise ReturnError(codes.MESSAGE_OUTLOOK_DAMAGED(exception=type(exc).__name__)) from None


class _MsgReader:
    def __init__(self, ole, entries: dict[tuple[str, ...], tuple[str, ...]]):
        self.ole = ole
        self.entries = {tuple(p.lower() for p in key): path for key, path in entries.items()}

    def has(self, path: tuple[str, ...]) -> bool:
        return tuple(p.lower() for p in path) in self.entries

    def stream(self, path: tuple[str, ...]) -> bytes | None:
        if not self.has(path):
            return None
        return self.ole.openstream(list(path)).read()

    def text(self, at: tuple[str, ...], prop: int) -> str:
        for ptype, codec in ((_PT_STRING, "utf-16-le"), (_PT_STRING8, "cp1252")):
            data = self.stream(at + (f"__substg1.0_{prop:04X}{ptype:04X}",))
            if data is not None:
                return data.decode(codec, errors="replace").rstrip("\x00").strip()
        return ""

    def fixed(self, at: tuple[str, ...], header: int) -> dict[int, tuple[int, bytes]]:
        """Fixed-size properties: {property id: (type, 8 value bytes)}."""
        data = self.stream(at + ("__properties_version1.0",)) or b""
        found = {}
        for offset in range(header, len(data) - 15, 16):
            tag, _flags, value = struct.unpack_from("<II8s", data, offset)
            found[tag >> 16] = (tag & 0xFFFF, value)
        return found

    def mail(self, at: tuple[str, ...], header: int) -> _Mail:
        props = self.fixed(at, header)
        when = None
        for prop in (0x0039, 0x0E06):  # client submit time, delivery time
            ptype, value = props.get(prop, (0, b""))
            if ptype == _PT_SYSTIME:
                when = _filetime(struct.unpack("<Q", value)[0])
                break
        headers = email.message_from_string(self.text(at, 0x007D) or "\n")
        if when is None:
            when = _parse_date(_header(headers, "Date"))
        name = self.text(at, 0x0C1A) or self.text(at, 0x0042)
        address = self.text(at, 0x5D01) or self.text(at, 0x5D02)
        if not address:
            address = next(
                (a for a in (self.text(at, 0x0C1F), self.text(at, 0x0065)) if "@" in a), ""
            )
        sender = f"{name} <{address}>" if name and address and name != address else name or address
        source = {
            "email_from": " ".join((sender or _header(headers, "From")).split()),
            "email_date": when.isoformat() if when else "",
            "email_subject": " ".join(self.text(at, 0x0037).split()) or _header(headers, "Subject"),
        }
        mail = _Mail(source, when.timestamp() if when else 0.0)
        key = tuple(p.lower() for p in at)
        storages = sorted(
            e[-1] for e in self.entries if len(e) == len(at) + 1 and e[: len(at)] == key
        )
        for storage in storages:
            if storage.startswith("__attach_version1.0_#"):
                attachment = self.attachment(at + (storage,))
                if attachment is not None:
                    mail.attachments.append(attachment)
        return mail

    def attachment(self, at: tuple[str, ...]) -> _Attachment | None:
        props = self.fixed(at, 8)
        method = props.get(0x3705, (0, b"\0" * 8))
        filename = _clean_name(
            self.text(at, 0x3707) or self.text(at, 0x3704) or self.text(at, 0x3001)
        )
        ctype = self.text(at, 0x370E).lower()
        embedded = at + ("__substg1.0_3701000D",)
        if struct.unpack_from("<I", method[1])[0] == _ATTACH_EMBEDDED and self.has(embedded):
            inner = self.mail(embedded, 24)
            name = filename or f"{inner.source['email_subject'] or 'forwarded message'}.msg"
            return _Attachment(_clean_name(name.replace("/", "-")), "message/rfc822", message=inner)
        data = self.stream(at + ("__substg1.0_37010102",))
        if data is None:
            return None
        return _Attachment(filename, ctype, data)


def _filetime(value: int) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime(1601, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=value // 10)
    except OverflowError:
        return None
