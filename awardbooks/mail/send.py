"""Sending the drafts' messages through the user's own SMTP server: a dry run unless asked
to send; every message sent or failed is logged as it happens, and a message the log shows
as already sent is never sent twice (unless asked)."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import ipaddress
import os
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from awardbooks.common.csvfiles import neutralise
from awardbooks.mail.drafts import (
    MailError,
    Planned,
    Template,
    Unsent,
    manifest_path,
    plan,
)

LOG_COLUMNS = ("time", "outcome", "file", "setting", "to", "subject", "detail")
@dataclass
class Outcome:
    """What happened to one message."""

    time: str
    outcome: str  # "sent", "failed", "skipped" or "dry run"
    file: str
    setting: str
    to: str
    subject: str
    detail: str = ""


@dataclass
class SendResult:
    outcomes: list[Outcome] = field(default_factory=list)
    unsent: list[Unsent] = field(default_factory=list)
    log: Path | None = None
    dry_run: bool = True

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)


def parse_server(text: str) -> tuple[str, int]:
    """('smtp.example.org', 587) from 'smtp.example.org:587' (IPv6 as '[::1]:25')."""
    match = re.fullmatch(r"\s*(\[[^\]]+\]|[^:\s]+):(\d{1,5})\s*", text or "")
    if not match or not 0 < int(match[2]) < 65536:
        raise MailError(
            f"{{opt:smtp}} {text!r}: give the mail server as HOST:PORT, like smtp.example:587"
        )
    return match[1].strip("[]"), int(match[2])


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def send(
    manifest_or_dir: str | Path,
    template: str | Path | Template | None = None,
    *,
    from_addr: str,
    smtp: str,
    starttls: bool = False,
    user: str | None = None,
    password: str | Callable[[], str] | None = None,
    really_send: bool = False,
    log: str | Path | None = None,
    return_by: str | dt.date | None = None,
    resend: bool = False,
    report: Callable[[Outcome], None] | None = None,
) -> SendResult:
    """Send each workbook's message through an SMTP server; a dry run unless ``really_send``.

    ``password`` may be a function, called only when connecting (after every other check).
    One message's failure is recorded and the rest continue. Every message sent or failed is
    appended to the log CSV (default: mail-log.csv beside the manifest) as it happens; a message
    the log shows as already sent is skipped unless ``resend``."""
    host, port = parse_server(smtp)
    if not from_addr:
        raise MailError("give the address the messages come from with {opt:from_addr}")
    if user and not starttls and not _is_loopback(host):
        raise MailError(
            f"{{opt:user}} without {{opt:starttls}} would send your password to {host} "
            "unencrypted; add {opt:starttls} (most servers use port 587 for it)"
        )
    planned, unsent = plan(
        manifest_or_dir, template, from_addr=from_addr, return_by=return_by, draft=False
    )
    log_path = Path(log) if log else manifest_path(manifest_or_dir).parent / "mail-log.csv"
    result = SendResult(unsent=unsent, log=log_path, dry_run=not really_send)
    sent_before = _already_sent(log_path)  # checks the log can be kept, before any sending
    done = {} if resend else sent_before
    if callable(password):  # ask once, however often the connection is made again
        password = functools.cache(password)
    envelope_from = parseaddr(from_addr)[1]

    def record(item: Planned, outcome: str, detail: str = "") -> Outcome:
        now = dt.datetime.now().astimezone().replace(microsecond=0).isoformat()
        row = item.row
        entry = Outcome(now, outcome, row["file"], row["setting"], item.to, item.subject, detail)
        result.outcomes.append(entry)
        if report:
            report(entry)
        if outcome in ("sent", "failed"):
            try:
                _append_log(log_path, entry)
            except OSError as exc:
                raise MailError(
                    f"{log_path}: could not record that the message to {item.to} was "
                    f"{outcome} ({exc.strerror}); stopped so that nobody is sent a message "
                    "twice"
                ) from None
        return entry

    connection = None
    try:
        for item in planned:
            key = (item.row["file"], item.to)
            if key in done:
                record(item, "skipped", f"already sent on {done[key]} (see {log_path.name})")
                continue
            if not really_send:
                record(item, "dry run")
                continue
            if connection is None or connection.sock is None:  # first, or the server hung up
                try:
                    connection = _connect(host, port, starttls, user, password)
                except MailError as exc:
                    sent = result.count("sent")
                    raise MailError(
                        f"{exc.args[0]}; {sent} of {len(planned)} messages were sent before this "
                        f"(listed in {log_path})"
                        if sent
                        else f"{exc.args[0]}; nothing was sent"
                    ) from None
            try:
                refused = connection.send_message(
                    item.message, from_addr=envelope_from, to_addrs=item.recipients
                )
            except Exception as exc:  # one message's failure never stops the rest
                record(item, "failed", _smtp_reason(exc))
                if not _still_connected(exc):
                    _close(connection)
                    connection = None
                continue
            detail = "; ".join(f"{a} refused ({_smtp_reason(r)})" for a, r in refused.items())
            record(item, "sent", detail)
    finally:
        if connection is not None:
            _close(connection)
    return result


def _connect(host: str, port: int, starttls: bool, user: str | None, password):
    where = f"{host}:{port}"
    try:
        connection = smtplib.SMTP(host, port, timeout=60)
    except (OSError, smtplib.SMTPException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else _smtp_reason(exc)
        if isinstance(exc, socket.gaierror):
            reason = "no such host"
        raise MailError(
            f"cannot connect to the mail server {where} ({reason}), check {{opt:smtp}}"
        ) from None
    try:
        if starttls:
            connection.starttls(context=ssl.create_default_context())
        if user:
            connection.login(user, (password() if callable(password) else password) or "")
    except smtplib.SMTPNotSupportedError as exc:
        _close(connection)
        what = "STARTTLS" if "STARTTLS" in str(exc) else "logging in (AUTH), needed for {opt:user}"
        raise MailError(
            f"the mail server {where} does not offer {what}, check {{opt:smtp}}"
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        _close(connection)
        raise MailError(
            f"the mail server {where} refused the user name or password for {user} "
            f"({_smtp_reason(exc)})"
        ) from None
    except ssl.SSLError as exc:
        _close(connection)
        raise MailError(f"the secure connection to {where} failed ({exc.reason or exc})") from None
    except (OSError, smtplib.SMTPException) as exc:
        _close(connection)
        raise MailError(f"the mail server {where} failed ({_smtp_reason(exc)})") from None
    return connection


def _smtp_reason(exc) -> str:
    if isinstance(exc, tuple) and len(exc) == 2:  # a refused recipient: (code, message)
        code, message = exc
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{code} {text}".strip()
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{a} refused ({_smtp_reason(r)})" for a, r in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return _smtp_reason((exc.smtp_code, exc.smtp_error))
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split())


def _still_connected(exc: BaseException) -> bool:
    return isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)


def _close(connection) -> None:
    try:
        connection.quit()
    except Exception:  # the server may already have gone
        connection.close()


def _already_sent(log_path: Path) -> dict[tuple[str, str], str]:
    """What the log shows as sent. Checked before anything is sent: a log that cannot be
    written, or a file that is not a mail log, would let a school be sent twice."""
    if log_path.is_dir():
        raise MailError(f"{log_path}: is a folder; give the mail log's file name with {{opt:log}}")
    if not log_path.is_file():
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with log_path.open("a", encoding="utf-8"):
                pass
            log_path.unlink()
        except OSError as exc:
            raise MailError(
                f"{log_path}: the mail log cannot be written here "
                f"({exc.strerror}); choose another {{opt:log}}"
            ) from None
        return {}
    try:
        text = log_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise MailError(
            f"{log_path}: is not a mail log written by awardbooks; choose another {{opt:log}}"
        ) from None
    except OSError as exc:
        raise MailError(f"{log_path}: cannot read the mail log ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    if text.strip() and tuple(reader.fieldnames or ()) != tuple(LOG_COLUMNS):
        raise MailError(
            f"{log_path}: is not a mail log written by awardbooks (its columns "
            "differ); choose another {opt:log}"
        )
    if not os.access(log_path, os.W_OK):
        raise MailError(f"{log_path}: the mail log cannot be written; choose another {{opt:log}}")
    return {(r["file"], r["to"]): r["time"] for r in reader if r.get("outcome") == "sent"}


def _append_log(log_path: Path, entry: Outcome) -> None:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    new = not log_path.exists() or log_path.stat().st_size == 0
    with log_path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        if new:
            writer.writerow(LOG_COLUMNS)
        writer.writerow([neutralise(getattr(entry, c)) for c in LOG_COLUMNS])
