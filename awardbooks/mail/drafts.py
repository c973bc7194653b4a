"""Email out: one ready-to-send message per generated workbook, addressed to the roster's
contact_email, with the workbook attached and a covering note filled from a template.

:func:`write_drafts` writes them as standard .eml files (``X-Unsent: 1``, so Outlook opens
each as a draft); :func:`send` sends the same messages through the user's own SMTP server,
as a dry run unless asked to send, logging every message it sends.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import ipaddress
import os
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path

from awardbooks.errors import AwardbooksError

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DEFAULT_TEMPLATE = Path(__file__).parent / "templates" / "default_email.txt"
PLACEHOLDERS = (
    "setting",
    "framework_title",
    "framework",
    "term",
    "year",
    "return_by",
    "urn",
    "partnership",
    "local_authority",
    "file",
)
TEMPLATE_HEADERS = ("Subject", "Cc", "Reply-To")
LOG_COLUMNS = ("time", "outcome", "file", "setting", "to", "subject", "detail")
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]+@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]+")


class MailError(AwardbooksError):
    """Messages cannot be prepared or sent (bad template, manifest, address or server)."""


# ------------------------------------------------------------------------------ template


@dataclass(frozen=True)
class Template:
    """A covering note: header lines (``Subject:`` required), a blank line, then the body."""

    headers: dict[str, str]
    body: str
    source: str

    @property
    def fields(self) -> set[str]:
        found: set[str] = set()
        for text in [*self.headers.values(), self.body]:
            found.update(
                name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name
            )
        return found

    def render(self, values: dict[str, str]) -> tuple[dict[str, str], str]:
        """(headers, plain-text body) with the placeholders filled in."""
        headers = {k: " ".join(v.format_map(values).split()) for k, v in self.headers.items()}
        return headers, self.body.format_map(values)


def load_template(path: str | Path | None = None) -> Template:
    """Read a template file (the default one without ``path``), checking every placeholder."""
    path = Path(path) if path is not None else DEFAULT_TEMPLATE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MailError(f"{path}: no such template file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MailError(
            f"{path}: cannot read the template ({exc}); save it as UTF-8 text"
        ) from None
    lines = text.replace("\r\n", "\n").split("\n")
    headers: dict[str, str] = {}
    body_from = len(lines)
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            body_from = n
            break
        if line.startswith("#"):
            continue
        name, colon, value = line.partition(":")
        canonical = {h.lower(): h for h in TEMPLATE_HEADERS}.get(name.strip().lower())
        if not colon or canonical is None:
            raise MailError(
                f"{path}: line {n}: {line[:60]!r} is not a header line; start the template with "
                f"header lines ({', '.join(h + ':' for h in TEMPLATE_HEADERS)}), then a blank "
                "line, then the body"
            )
        headers[canonical] = value.strip()
    if "Subject" not in headers:
        raise MailError(f"{path}: the template has no 'Subject:' line; put one on its first line")
    body = "\n".join(lines[body_from:]).strip("\n") + "\n"
    template = Template(headers, body, str(path))
    for n, line in enumerate(lines, start=1):
        _check_fields(path, n, line if not line.startswith("#") or n > body_from else "")
    return template


def _check_fields(path: Path, n: int, line: str) -> None:
    try:
        parsed = list(string.Formatter().parse(line))
    except ValueError:
        raise MailError(
            f"{path}: line {n}: unmatched brace; write {{{{ and }}}} for a literal brace"
        ) from None
    for _lit, name, spec, conv in parsed:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conv:
            shown = "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            raise MailError(
                f"{path}: line {n}: unknown placeholder {shown}; use "
                + ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            )


# ------------------------------------------------------------------------------ messages


@dataclass
class Unsent:
    """A setting that gets no message, and why."""

    setting: str
    file: str
    reason: str
    kind: str = "no email"  # "no email", "bad email" or "no workbook"


@dataclass
class Planned:
    """One message, ready to save or send."""

    row: dict[str, str]
    workbook: Path
    recipients: list[str]  # bare addresses: To, then Cc
    message: EmailMessage

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


def manifest_path(manifest_or_dir: str | Path) -> Path:
    path = Path(manifest_or_dir)
    if path.is_dir():
        path = path / "manifest.csv"
        if not path.is_file():
            raise MailError(
                f"{path.parent}: has no manifest.csv; give the folder that generate --roster "
                "wrote, or its manifest.csv"
            )
    elif not path.is_file():
        raise MailError(f"{path}: no such manifest file or folder")
    return path


def return_by_text(value: str | dt.date | None) -> str:
    """'Friday 11 December 2026' from a date or an ISO date string ('' for None)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise MailError(
                f"--return-by {value!r} is not a date like 2026-12-11 (year-month-day)"
            ) from None
    return f"{value:%A} {value.day} {value:%B %Y}"


def plan(
    manifest_or_dir: str | Path,
    template: str | Path | Template | None = None,
    *,
    from_addr: str | None = None,
    return_by: str | dt.date | None = None,
    draft: bool = True,
) -> tuple[list[Planned], list[Unsent]]:
    """The message for every manifest row that has a usable address and workbook file, and the
    rows that get none (with the reason)."""
    from awardbooks.generate.workbooks import read_manifest

    manifest = manifest_path(manifest_or_dir)
    rows = read_manifest(manifest)
    tpl = template if isinstance(template, Template) else load_template(template)
    due = return_by_text(return_by)
    if "return_by" in tpl.fields and not due:
        which = "the default message" if _is_default(tpl) else f"{tpl.source}"
        raise MailError(
            f"{which} says when the workbooks are due ({{return_by}}); give the date with "
            "--return-by, e.g. --return-by 2026-12-11"
        )
    sender = _addresses(from_addr, "--from") if from_addr else []
    if from_addr and len(sender) != 1:
        raise MailError(f"--from {from_addr!r}: give one email address, like office@school.example")
    titles: dict[str, str] = {}
    planned: list[Planned] = []
    unsent: list[Unsent] = []
    for row in rows:
        setting, file = row.get("setting", ""), row.get("file", "")
        contact = (row.get("contact_email") or "").strip()
        workbook = manifest.parent / file
        try:
            to = _addresses(contact, "contact_email") if contact else []
        except MailError as exc:
            unsent.append(Unsent(setting, file, str(exc), "bad email"))
            continue
        if not to:
            unsent.append(Unsent(setting, file, "no contact_email in the roster"))
            continue
        if not file or not workbook.is_file():
            unsent.append(
                Unsent(setting, file, f"the workbook {workbook} is missing", "no workbook")
            )
            continue
        framework = row.get("framework", "")
        if framework not in titles:
            titles[framework] = _framework_title(framework)
        values = {p: row.get(p, "") or "" for p in PLACEHOLDERS}
        values |= {"framework_title": titles[framework], "return_by": due, "file": file}
        headers, text = tpl.render(values)
        cc = _addresses(headers["Cc"], f"{tpl.source}: Cc") if headers.get("Cc") else []
        reply_to = headers.get("Reply-To", "")
        if reply_to:
            _addresses(reply_to, f"{tpl.source}: Reply-To")
        message = EmailMessage()
        if from_addr:
            message["From"] = from_addr.strip()
        message["To"] = ", ".join(to)
        if cc:
            message["Cc"] = ", ".join(cc)
        if reply_to:
            message["Reply-To"] = reply_to
        message["Subject"] = headers["Subject"]
        if draft:
            message["X-Unsent"] = "1"
        else:
            message["Date"] = formatdate(localtime=True)
            domain = parseaddr(sender[0])[1].rpartition("@")[2] if sender else "awardbooks.invalid"
            message["Message-ID"] = make_msgid(domain=domain)
        message.set_content(text)
        message.add_alternative(to_html(text), subtype="html")
        message.add_attachment(
            workbook.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=file
        )
        bare = [parseaddr(a)[1] for a in to + cc]
        planned.append(Planned(row, workbook, bare, message))
    return planned, unsent


def _addresses(text: str, where: str) -> list[str]:
    """Addresses separated by ';' or ',' (each 'a@b.example' or 'Name <a@b.example>')."""
    found = []
    for item in re.split(r"[;,]", text):
        item = item.strip()
        if not item:
            continue
        name, address = parseaddr(item)
        if not _ADDRESS.fullmatch(address) or "\n" in item or "\r" in item:
            raise MailError(f"{where}: {item!r} is not an email address")
        found.append(formataddr((name, address)) if name else address)
    return found


def _framework_title(framework: str) -> str:
    from awardbooks.spec import loading as spec

    try:
        return spec.load(framework).title if framework in spec.builtin_paths() else framework
    except AwardbooksError:
        return framework


def to_html(text: str) -> str:
    """The plain-text body as simple HTML: paragraphs at blank lines, escaped."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head>\n'
        '<body style="font-family: Calibri, Arial, sans-serif; font-size: 11pt">\n'
        f"{body}\n</body></html>\n"
    )


# ------------------------------------------------------------------------------ drafts


@dataclass
class DraftsResult:
    """What :func:`write_drafts` wrote, kept and could not write."""

    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # existing drafts, left as they were
    unsent: list[Unsent] = field(default_factory=list)

    @property
    def no_email(self) -> list[Unsent]:
        """The settings with no usable email address."""
        return [u for u in self.unsent if u.kind != "no workbook"]


def write_drafts(
    manifest_or_dir: str | Path,
    template: str | Path | Template | None = None,
    out_dir: str | Path = "drafts",
    from_addr: str | None = None,
    *,
    return_by: str | dt.date | None = None,
    force: bool = False,
) -> DraftsResult:
    """One .eml draft per workbook in the manifest, named like the workbook; an existing draft
    is kept unless ``force``."""
    from awardbooks.generate.workbooks import atomic_write, prepare_out_dir

    planned, unsent = plan(manifest_or_dir, template, from_addr=from_addr, return_by=return_by)
    out = prepare_out_dir(Path(out_dir))
    result = DraftsResult(unsent=unsent)
    for item in planned:
        path = out / (Path(item.row["file"]).stem + ".eml")
        if path.exists() and not force:
            result.kept.append(path)
            continue
        data = item.message.as_bytes(policy=item.message.policy.clone(linesep="\r\n"))
        atomic_write(path, lambda handle, data=data: handle.write(data))
        result.written.append(path)
    return result


# ------------------------------------------------------------------------------ sending


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
            f"--smtp {text!r}: give the mail server as HOST:PORT, like smtp.example:587"
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
        raise MailError("give the address the messages come from with --from")
    if user and not starttls and not _is_loopback(host):
        raise MailError(
            f"--user without --starttls would send your password to {host} unencrypted; "
            "add --starttls (most servers use port 587 for it)"
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
                        f"{exc}; {sent} of {len(planned)} messages were sent before this "
                        f"(listed in {log_path})"
                        if sent
                        else f"{exc}; nothing was sent"
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
    import smtplib
    import socket
    import ssl

    where = f"{host}:{port}"
    try:
        connection = smtplib.SMTP(host, port, timeout=60)
    except (OSError, smtplib.SMTPException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else _smtp_reason(exc)
        if isinstance(exc, socket.gaierror):
            reason = "no such host"
        raise MailError(
            f"cannot connect to the mail server {where} ({reason}), check --smtp"
        ) from None
    try:
        if starttls:
            connection.starttls(context=ssl.create_default_context())
        if user:
            connection.login(user, (password() if callable(password) else password) or "")
    except smtplib.SMTPNotSupportedError as exc:
        _close(connection)
        what = "STARTTLS" if "STARTTLS" in str(exc) else "logging in (AUTH), needed for --user"
        raise MailError(f"the mail server {where} does not offer {what}, check --smtp") from None
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
    import smtplib

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
    import smtplib

    return isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)


def _close(connection) -> None:
    try:
        connection.quit()
    except Exception:  # the server may already have gone
        connection.close()


def _is_default(tpl) -> bool:
    """Whether a template is the one that ships with awardbooks."""
    return Path(str(tpl.source)).name == "default_email.txt" and "awardbooks" in str(tpl.source)


def _already_sent(log_path: Path) -> dict[tuple[str, str], str]:
    """What the log shows as sent. Checked before anything is sent: a log that cannot be
    written, or a file that is not a mail log, would let a school be sent twice."""
    if log_path.is_dir():
        raise MailError(f"{log_path}: is a folder; give the mail log's file name with --log")
    if not log_path.is_file():
        try:
            log_path.parent.mkdir(parents=True, exist_ok=True)
            with log_path.open("a", encoding="utf-8"):
                pass
            log_path.unlink()
        except OSError as exc:
            raise MailError(
                f"{log_path}: the mail log cannot be written here "
                f"({exc.strerror}); choose another --log"
            ) from None
        return {}
    try:
        text = log_path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise MailError(
            f"{log_path}: is not a mail log written by awardbooks; choose another --log"
        ) from None
    except OSError as exc:
        raise MailError(f"{log_path}: cannot read the mail log ({exc.strerror})") from None
    reader = csv.DictReader(text.splitlines())
    if text.strip() and tuple(reader.fieldnames or ()) != tuple(LOG_COLUMNS):
        raise MailError(
            f"{log_path}: is not a mail log written by awardbooks (its columns "
            "differ); choose another --log"
        )
    if not os.access(log_path, os.W_OK):
        raise MailError(f"{log_path}: the mail log cannot be written; choose another --log")
    return {(r["file"], r["to"]): r["time"] for r in reader if r.get("outcome") == "sent"}


def _append_log(log_path: Path, entry: Outcome) -> None:
    from awardbooks.generate.workbooks import neutralise_cell

    log_path.parent.mkdir(parents=True, exist_ok=True)
    new = not log_path.exists() or log_path.stat().st_size == 0
    with log_path.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        if new:
            writer.writerow(LOG_COLUMNS)
        writer.writerow([neutralise_cell(getattr(entry, c)) for c in LOG_COLUMNS])
