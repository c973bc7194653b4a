"""Chasing (``mail drafts --only missing,rejected,incomplete``): a message to each setting
whose workbook came back with nothing usable, could not be used, or came back incomplete,
saying plainly what is wrong and what to do, with the file to do it in attached.

Decisions:

- Who is chased is worked out per workbook issued (a manifest row), from the Returns table
  (``returns.csv`` from ``analyse --data``, or a collection's): a workbook with a usable
  return is *incomplete* when that return's problem codes include ``nothing-rated``,
  ``return-incomplete`` (the completeness warnings' codes) or ``rating-read-as-unrated`` (a
  rating read as unrated with ``--lenient``); one with only rejected returns is
  *rejected* (the latest one is meant); one with none at all is *missing*. So
  ``missing`` needs the manifest: the workbooks issued.
- A missing setting gets its original workbook again (from the manifest's folder); a rejected
  or incomplete one gets the annotated copy ``analyse --annotate`` wrote (the Returns table's
  ``annotated_copy``), each problem marked on its cell. Without one (analyse was run without
  ``--annotate``), a return that is a file of its own is read again and annotated into the
  drafts' ``annotated/`` folder; one inside an archive or email gets a message that lists the
  problems and asks for the school's own workbook to be corrected.
- The problems are the Returns table's messages without the file name (the school knows which
  file): the place, what is wrong and how to fix it.
- The message comes from its own template (``templates/chase_email.txt``), whose
  ``{what_is_wrong}`` and ``{what_to_do}`` awardbooks words for each state.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from awardbooks.common.csvfiles import csv_reader
from awardbooks.common.files import atomic_write, prepare_out_dir
from awardbooks.common.passwords import is_encrypted_file
from awardbooks.errors import AwardbooksError
from awardbooks.generate.manifest import read_manifest
from awardbooks.mail.drafts import (
    ENCRYPTED_NOTE,
    PLACEHOLDERS,
    DraftsResult,
    MailError,
    Planned,
    Template,
    Unsent,
    addresses,
    compose,
    due_and_sender,
    framework_title,
    load_template,
    manifest_path,
)
from awardbooks.read import codes as read_codes
from awardbooks.read.annotate import annotate_bytes
from awardbooks.read.marks import copy_names
from awardbooks.read.returns import Registry, read_path

CHASE_TEMPLATE = Path(__file__).parent / "templates" / "chase_email.txt"
CHASE_PLACEHOLDERS = (*PLACEHOLDERS, "state", "what_is_wrong", "what_to_do")
STATES = ("missing", "rejected", "incomplete")
STATE_WORDS = {
    "missing": "not received yet",
    "rejected": "needs correcting",
    "incomplete": "is incomplete",
}
COMPLETENESS = (read_codes.NOTHING_RATED, read_codes.INCOMPLETE, read_codes.RATING_READ_AS_UNRATED)
"""The warnings that make a usable return incomplete: nothing rated, rated below the
threshold, or a rating read as unrated with ``--lenient`` (the school still has to choose it)."""
INCOMPLETE_CODES = frozenset(code.id for code in COMPLETENESS)
"""Their codes (compared without case, ``_`` as ``-``)."""
USABLE = ("accepted", "warning")


@dataclass
class Chase:
    """One setting to chase: why, the workbook issued (a manifest row), and its return."""

    state: str
    workbook: dict[str, str]
    returned: dict[str, str] | None


def parse_only(text: str | Iterable[str]) -> list[str]:
    """``missing,rejected`` → ['missing', 'rejected'], or a MailError naming the choices."""
    items = text.split(",") if isinstance(text, str) else list(text)
    chosen = [item.strip().lower() for item in items if item.strip()]
    wrong = [item for item in chosen if item not in STATES]
    if wrong or not chosen:
        raise MailError(
            f"{{opt:only}} {','.join(wrong) or repr(text)}: choose from "
            f"{', '.join(STATES)} (one or more, separated by commas)"
        )
    return list(dict.fromkeys(chosen))


def read_returns_csv(path: str | Path) -> tuple[list[dict[str, str]], Path]:
    """The rows of a returns.csv that analyse wrote (or of the one in folder ``path``)."""
    path = Path(path)
    if path.is_dir():
        path = path / "returns.csv"
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MailError(
            f"{path}: no such file; give the returns.csv that analyse {{opt:data}} wrote, or "
            "its folder"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MailError(f"{path}: cannot read it ({exc})") from None
    reader = csv_reader(text)
    if not {"file", "status", "workbook_id"} <= set(reader.fieldnames or []):
        raise MailError(f"{path}: not a returns.csv written by analyse (no file/status columns)")
    return list(reader), path


def _codes(row: dict[str, str]) -> set[str]:
    return {c.lower().replace("_", "-") for c in (row.get("codes") or "").split()}


def who_to_chase(
    workbooks: list[dict[str, str]], returns: list[dict[str, str]], only: Collection[str]
) -> list[Chase]:
    """Each workbook issued that is missing, rejected or incomplete (of the states ``only``
    names), in the manifest's order."""
    by_id: dict[str, list[dict[str, str]]] = {}
    for row in returns:
        if row.get("workbook_id") and row.get("status") != "missing":
            by_id.setdefault(row["workbook_id"], []).append(row)
    found = []
    for workbook in workbooks:
        rows = by_id.get(workbook.get("workbook_id", ""), [])
        usable = [r for r in rows if r.get("status") in USABLE]
        rejected = [r for r in rows if r.get("status") == "rejected"]
        if usable:
            state, returned = "incomplete", usable[-1]
            if not _codes(returned) & INCOMPLETE_CODES:
                continue
        elif rejected:
            state, returned = "rejected", rejected[-1]
        else:
            state, returned = "missing", None
        if state in only:
            found.append(Chase(state, workbook, returned))
    return found


def problem_lines(row: dict[str, str], state: str) -> list[str]:
    """The problems to tell the school of, without the file name: a rejected return's
    errors, an incomplete return's completeness warnings (else all its warnings). The table's
    codes are each listed once, not one per line, so a warning is known by its code's fix,
    which ends its line and is worded only by that code."""
    prefix = f"{row.get('file', '')}: "
    errors = [line for line in (row.get("errors") or "").split("\n") if line.strip()]
    warnings = [line for line in (row.get("warnings") or "").split("\n") if line.strip()]
    if state == "rejected":
        lines = errors
    else:
        ends = tuple(f"; {code.fix}" for code in COMPLETENESS)
        lines = [line for line in warnings if line.endswith(ends)] or warnings
    return [line.removeprefix(prefix) for line in lines]


def wording(chase: Chase, values: dict[str, str], attachment: str) -> tuple[str, str]:
    """({what_is_wrong}, {what_to_do}) for one setting."""
    term = f"{values['setting']}'s {values['framework_title']} return for the {values['term']} " \
        f"term of {values['year']}"  # fmt: skip
    by = f", by {values['return_by']}" if values.get("return_by") else ""
    reply = f"send it back by replying to this email{by}"
    if chase.state == "missing":
        return (
            f"We have not yet received {term}.",
            f"The workbook is attached again ({attachment}). Please fill it in and {reply}.",
        )
    lines = problem_lines(chase.returned or {}, chase.state)
    listed = "\n".join(f"- {line}" for line in lines)
    many = f"{len(lines)} problem{'s' if len(lines) != 1 else ''}"
    if chase.state == "rejected":
        wrong = f"Thank you for sending {term}. We could not use it, because of {many}:"
        marked = "marks each problem on its cell, with a note. Please correct those cells"
    else:
        wrong = f"Thank you for sending {term}. It is not complete yet:"
        marked = "marks where, with a note. Please complete it"
    if attachment:
        todo = f"The attached copy ({attachment}) {marked} in that copy and {reply}."
    elif chase.state == "rejected":
        todo = f"Please correct your workbook and {reply}."
    else:
        todo = f"Please complete your workbook and {reply}."
    return f"{wrong}\n\n{listed}" if listed else wrong, todo


def _attachment(chase: Chase, folder: Path, returns_csv: Path | None) -> Path | None:
    """The file to attach: the workbook issued, or the return's annotated copy."""
    if chase.state == "missing":
        path = folder / chase.workbook.get("file", "")
        return path if chase.workbook.get("file") and path.is_file() else None
    given = (chase.returned or {}).get("annotated_copy") or ""
    if not given:
        return None
    return next((p for p in _candidates(given, returns_csv) if p.is_file()), None)


def _candidates(given: str, returns_csv: Path | None) -> list[Path]:
    """Where a path from returns.csv may be: as written (from the folder analyse ran in), or
    beside the returns.csv or its folder."""
    path = Path(given)
    if path.is_absolute() or returns_csv is None:
        return [path]
    return [path, returns_csv.parent / path, returns_csv.parent.parent / path]


def _annotate_now(
    row: dict[str, str], returns_csv: Path | None, folder: Path, registry: Registry
) -> Path | None:
    """An annotated copy of a return that is a file of its own (not inside an archive or an
    email), read again for its problems; None when there is none to make."""
    name = row.get("file") or ""
    if not name or "!" in name:
        return None
    path = next((p for p in _candidates(name, returns_csv) if p.is_file()), None)
    if path is None:
        return None
    record = read_path(path, registry, name)
    if not record.problems:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    try:
        done = annotate_bytes(path.read_bytes(), name, copy_names([name], folder)[name], record,
                              force=True)  # fmt: skip
    except (AwardbooksError, OSError):
        return None
    return done.out


def plan_chase(
    chases: list[Chase],
    folder: Path,
    template: str | Path | Template | None = None,
    *,
    from_addr: str | None = None,
    return_by: str | dt.date | None = None,
    returns_csv: Path | None = None,
) -> tuple[list[Planned], list[Unsent]]:
    """The chase message for each setting (``folder``: where the workbooks issued are)."""
    tpl = (
        template
        if isinstance(template, Template)
        else load_template(template, placeholders=CHASE_PLACEHOLDERS, default=CHASE_TEMPLATE)
    )
    due, sender = due_and_sender(tpl, return_by, from_addr, "the returns are due")
    planned: list[Planned] = []
    unsent: list[Unsent] = []
    titles: dict[str, str] = {}
    for chase in chases:
        row = chase.workbook
        setting, file = row.get("setting", ""), row.get("file", "")
        contact = (row.get("contact_email") or "").strip()
        try:
            to = addresses(contact, "contact_email") if contact else []
        except MailError as exc:
            unsent.append(Unsent(setting, file, str(exc), "bad email"))
            continue
        if not to:
            unsent.append(Unsent(setting, file, "no contact_email in the roster"))
            continue
        attach = _attachment(chase, folder, returns_csv)
        if attach is None and chase.state == "missing":
            workbook = folder / file
            unsent.append(
                Unsent(setting, file, f"the workbook {workbook} is missing", "no workbook")
            )
            continue
        framework = row.get("framework", "")
        if framework not in titles:
            titles[framework] = framework_title(framework)
        values = {p: row.get(p, "") or "" for p in PLACEHOLDERS}
        values |= {"framework_title": titles[framework], "return_by": due, "file": file}
        wrong, todo = wording(chase, values, attach.name if attach else "")
        values |= {"state": STATE_WORDS[chase.state], "what_is_wrong": wrong, "what_to_do": todo}
        message, cc = compose(
            tpl, values, to, from_addr=from_addr, sender=sender, draft=True,
            attachment=(attach, attach.name) if attach else None,
            note=ENCRYPTED_NOTE if attach and is_encrypted_file(attach) else "",
        )  # fmt: skip
        bare = [parseaddr(a)[1] for a in to + cc]
        planned.append(Planned(row | {"state": chase.state}, attach or folder / file, bare,
                               message))  # fmt: skip
    return planned, unsent


def write_chase_drafts(
    manifest_or_dir: str | Path,
    returns_csv: str | Path,
    only: str | Iterable[str],
    template: str | Path | None = None,
    out_dir: str | Path = "drafts",
    from_addr: str | None = None,
    *,
    return_by: str | dt.date | None = None,
    force: bool = False,
) -> DraftsResult:
    """A chase draft (.eml) for each setting of the manifest that is missing, rejected or
    incomplete (of the states ``only`` names) by ``returns_csv``, named
    ``<workbook> - <state>.eml``; an existing draft is kept unless ``force``."""
    states = parse_only(only)
    manifest = manifest_path(manifest_or_dir)
    rows, csv_path = read_returns_csv(returns_csv)
    chases = who_to_chase(read_manifest(manifest), rows, states)
    registry = None
    for chase in chases:  # annotated now, when analyse was run without --annotate
        if chase.returned is None or _attachment(chase, manifest.parent, csv_path) is not None:
            continue
        registry = registry or Registry.default()
        made = _annotate_now(chase.returned, csv_path, Path(out_dir) / "annotated", registry)
        if made is not None:
            chase.returned = chase.returned | {"annotated_copy": str(made)}
    planned, unsent = plan_chase(
        chases, manifest.parent, template, from_addr=from_addr, return_by=return_by,
        returns_csv=csv_path,
    )  # fmt: skip
    return save_drafts(planned, unsent, Path(out_dir), force)


def save_drafts(
    planned: list[Planned], unsent: list[Unsent], out_dir: Path, force: bool
) -> DraftsResult:
    """Write each planned chase message as ``<workbook> - <state>.eml`` in ``out_dir``."""
    out = prepare_out_dir(out_dir)
    result = DraftsResult(unsent=unsent)
    for item in planned:
        path = out / f"{Path(item.row['file']).stem} - {item.row['state']}.eml"
        if path.exists() and not force:
            result.kept.append(path)
            continue
        data = item.message.as_bytes(policy=item.message.policy.clone(linesep="\r\n"))
        atomic_write(path, lambda handle, data=data: handle.write(data))
        result.written.append(path)
        result.drafted[item.row["workbook_id"]] = path
    return result
