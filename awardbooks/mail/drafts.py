"""Email out: one ready-to-send message per generated workbook, addressed to the roster's
contact_email, with the workbook attached and a covering note filled from a template.

:func:`write_drafts` writes them as standard .eml files (``X-Unsent: 1``, so Outlook opens
each as a draft); :mod:`awardbooks.mail.send` sends the same messages through the user's own
SMTP server.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import string
from collections.abc import Collection
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from pathlib import Path

from awardbooks.common.files import atomic_write, prepare_out_dir
from awardbooks.common.passwords import is_encrypted_file as encrypted
from awardbooks.errors import AwardbooksError
from awardbooks.generate.manifest import read_manifest
from awardbooks.spec import loading as spec_loading

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
    "term_words",
    "to_add",
)
"""``term_words``: 'autumn term', or 'baseline' (which is no term); ``to_add``: what the school
adds beside each rating, as the end of a sentence: ' and add your dates and comments', ' and
add your comments', or '' for a framework with no date or comment column."""
TEMPLATE_HEADERS = ("Subject", "Cc", "Reply-To")
ENCRYPTED_NOTE = (
    "The workbook is encrypted with a password: Excel or LibreOffice asks for it when you open "
    "the file. The password comes to you separately, never with the workbook. Excel and "
    "LibreOffice keep the password when you save, so the workbook you send back is protected "
    "too."
)
"""The paragraph added to the message of an encrypted workbook (it names no password)."""
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


def load_template(
    path: str | Path | None = None,
    *,
    placeholders: tuple[str, ...] = PLACEHOLDERS,
    default: Path = DEFAULT_TEMPLATE,
) -> Template:
    """Read a template file (``default`` without ``path``), checking every placeholder is one
    of ``placeholders``."""
    path = Path(path) if path is not None else default
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
        _check_fields(
            path, n, line if not line.startswith("#") or n > body_from else "", placeholders
        )
    return template


def _check_fields(path: Path, n: int, line: str, placeholders: tuple[str, ...]) -> None:
    try:
        parsed = list(string.Formatter().parse(line))
    except ValueError:
        raise MailError(
            f"{path}: line {n}: unmatched brace; write {{{{ and }}}} for a literal brace"
        ) from None
    for _lit, name, spec, conv in parsed:
        if name is None:
            continue
        if name not in placeholders or spec or conv:
            shown = "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            raise MailError(
                f"{path}: line {n}: unknown placeholder {shown}; use "
                + ", ".join("{" + p + "}" for p in placeholders)
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
                f"{path.parent}: has no manifest.csv; give the folder that generate {{opt:roster}} "
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
                f"{{opt:return_by}} {value!r} is not a date like 2026-12-11 (year-month-day)"
            ) from None
    return f"{value:%A} {value.day} {value:%B %Y}"


def plan(
    manifest_or_dir: str | Path,
    template: str | Path | Template | None = None,
    *,
    from_addr: str | None = None,
    return_by: str | dt.date | None = None,
    draft: bool = True,
    only: Collection[str] | None = None,
) -> tuple[list[Planned], list[Unsent]]:
    """The message for every manifest row (of the workbook ids ``only`` names, when given)
    that has a usable address and workbook file, and the rows that get none (with the
    reason)."""
    manifest = manifest_path(manifest_or_dir)
    rows = read_manifest(manifest)
    if only is not None:
        rows = [row for row in rows if row.get("workbook_id") in only]
    tpl = template if isinstance(template, Template) else load_template(template)
    due, sender = due_and_sender(tpl, return_by, from_addr, "the workbooks are due")
    titles: dict[str, str] = {}
    adds: dict[str, str] = {}  # framework -> its to_add
    planned: list[Planned] = []
    unsent: list[Unsent] = []
    for row in rows:
        setting, file = row.get("setting", ""), row.get("file", "")
        contact = (row.get("contact_email") or "").strip()
        workbook = manifest.parent / file
        try:
            to = addresses(contact, "contact_email") if contact else []
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
            titles[framework] = framework_title(framework)
            adds[framework] = _to_add(framework)
        values = {p: row.get(p, "") or "" for p in PLACEHOLDERS}
        values |= {"framework_title": titles[framework], "return_by": due, "file": file}
        term = values["term"]
        values["term_words"] = term if term in ("baseline", "") else f"{term} term"
        values["to_add"] = adds[framework]
        message, cc = compose(
            tpl, values, to, from_addr=from_addr, sender=sender, draft=draft,
            attachment=(workbook, file),
            note=ENCRYPTED_NOTE if encrypted(workbook) else "",  # its password comes apart
        )  # fmt: skip
        bare = [parseaddr(a)[1] for a in to + cc]
        planned.append(Planned(row, workbook, bare, message))
    return planned, unsent


def due_and_sender(
    tpl: Template, return_by: str | dt.date | None, from_addr: str | None, what: str
) -> tuple[str, list[str]]:
    """The return-by date as the messages say it, and the sender (one address, or none):
    a MailError when the template needs a date that was not given (``what``: "the workbooks
    are due") or the sender is not one address."""
    due = return_by_text(return_by)
    if "return_by" in tpl.fields and not due:
        which = "the default message" if is_default_template(tpl) else f"{tpl.source}"
        raise MailError(
            f"{which} says when {what} ({{return_by}}); give the date with "
            "{opt:return_by}, e.g. {opt:return_by} 2026-12-11"
        )
    sender = addresses(from_addr, "{opt:from_addr}") if from_addr else []
    if from_addr and len(sender) != 1:
        raise MailError(
            f"{{opt:from_addr}} {from_addr!r}: give one email address, like office@school.example"
        )
    return due, sender


def compose(
    tpl: Template,
    values: dict[str, str],
    to: list[str],
    *,
    from_addr: str | None,
    sender: list[str],
    draft: bool,
    attachment: tuple[Path, str] | None,
    note: str = "",
) -> tuple[EmailMessage, list[str]]:
    """One message from the template filled with ``values``, to ``to``, with ``attachment``
    (a workbook and the name it goes by) when given and ``note`` as the paragraph before its
    sign-off; and its Cc addresses."""
    headers, text = tpl.render(values)
    if note:  # before the sign-off (the last paragraph), or last if the message is one
        paragraphs = text.rstrip("\n").split("\n\n")
        paragraphs.insert(len(paragraphs) - 1 if len(paragraphs) > 1 else 1, note)
        text = "\n\n".join(paragraphs) + "\n"
    cc = addresses(headers["Cc"], f"{tpl.source}: Cc") if headers.get("Cc") else []
    reply_to = headers.get("Reply-To", "")
    if reply_to:
        addresses(reply_to, f"{tpl.source}: Reply-To")
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
    if attachment is not None:
        path, name = attachment
        message.add_attachment(
            path.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name
        )
    return message, cc


def addresses(text: str, where: str) -> list[str]:
    """Addresses separated by ';' or ',' (each 'a@b.example' or 'Name <a@b.example>'); a
    MailError naming ``where`` for one that is not an address."""
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


def _to_add(framework: str) -> str:
    """What a school adds beside each rating of a built-in framework, as the end of a sentence
    (' and add your dates and comments'); a framework of your own: dates and comments."""
    try:
        if framework not in spec_loading.builtin_paths():
            return " and add your dates and comments"
        audit = spec_loading.load(framework).audit
    except AwardbooksError:
        return " and add your dates and comments"
    words = [w for w, on in (("dates", audit.date_column), ("comments", audit.comment_column))
             if on]  # fmt: skip
    return f" and add your {' and '.join(words)}" if words else ""


def framework_title(framework: str) -> str:
    try:
        if framework in spec_loading.builtin_paths():
            return spec_loading.load(framework).title
        return framework
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
    drafted: dict[str, Path] = field(default_factory=dict)  # workbook id -> its draft written

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
    only: Collection[str] | None = None,
) -> DraftsResult:
    """One .eml draft per workbook in the manifest (of the workbook ids ``only`` names, when
    given), named like the workbook; an existing draft is kept unless ``force``."""
    planned, unsent = plan(
        manifest_or_dir, template, from_addr=from_addr, return_by=return_by, only=only
    )
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
        result.drafted[item.row["workbook_id"]] = path
    return result


# ------------------------------------------------------------------------------ sending


def is_default_template(tpl) -> bool:
    """Whether a template is the one that ships with awardbooks."""
    return Path(str(tpl.source)).name == "default_email.txt" and "awardbooks" in str(tpl.source)
