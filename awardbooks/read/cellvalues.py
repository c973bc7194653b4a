"""Turning cell values from returns into text and dates, the UK way, with a problem for each
value that cannot be read as it stands."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from awardbooks.problems import Problem
from awardbooks.read import codes

_UK_DATE = re.compile(r"^\s*(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})\s*$")
_MONTHS = {
    name: n
    for n, names in enumerate(
        (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")),
        start=1,
    )
    for name in names
}  # fmt: skip
_DAY = r"(\d{1,2})(?:st|nd|rd|th)?"
_MONTH = r"([a-z]+)\.?"
_YEAR = r"(\d{4}|\d{2})"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_DAY_MONTH = re.compile(
    rf"^{_WEEKDAY}{_DAY}(?:\s+of)?[\s\-/.]*{_MONTH}[\s,\-/.]*{_YEAR}$", re.IGNORECASE
)  # 16th Oct 2026, 16 October 2026, 16-Oct-26, Friday 16th of October 2026
_MONTH_DAY = re.compile(rf"^{_WEEKDAY}{_MONTH}\s+{_DAY},?\s+{_YEAR}$", re.IGNORECASE)
# October 16th 2026, Oct 16, 2026: the month is named, so the order is not in doubt
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?\s*$")
_SERIAL_TEXT = re.compile(r"^\s*(\d{5})(?:\.0+)?\s*$")
FIRST_SERIAL, LAST_SERIAL = 36526, 73415  # 1 Jan 2000 .. 31 Dec 2100, as the dropdowns allow
_EPOCH = dt.date(1899, 12, 30)


def parse_date(raw: Any) -> tuple[str, Problem | None, str]:
    """(ISO date, problem, note) for a date cell's value: a real date; UK text, day first
    (31/10/2026, 31/10/26, 31-10-2026, 31.10.2026: never month first, so 01/02/26 is
    1 February 2026); a date with its month named (16th Oct 2026, 16 October 2026,
    16-Oct-26, Friday 16th of October 2026, October 16th 2026, Oct 16, 2026); ISO text; an
    Excel serial number, or one typed as text. A two-digit year is 20yy; a date without a
    year is not read. The problem (a warning: the date is left empty) is a :class:`Problem`
    without its place (the reader adds it); the note says how a date typed as text or a
    number was read."""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat(), None, ""
    if isinstance(raw, dt.date):
        return raw.isoformat(), None, ""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if math.isfinite(raw) and 1 <= raw < 2958466:
            day = _EPOCH + dt.timedelta(days=int(raw))
            return day.isoformat(), None, f"the number {raw:g} read as {day:%d %B %Y}"
        return "", codes.DATE_NUMBER_OUT_OF_RANGE(value=raw), ""
    value = text(raw)
    named = _named_month(value)
    if named is not None:
        return named
    match = _UK_DATE.match(value)
    if match:
        day, _sep, month, year = match.groups()
        day, month, year = int(day), int(month), int(year)
        if year < 100:
            year += 2000
        try:
            date = dt.date(year, month, day)
        except ValueError:
            try:
                meant = dt.date(year, day, month)
            except ValueError:
                return "", codes.DATE_NOT_REAL_UK(value=value), ""
            problem = codes.DATE_MONTH_FIRST(
                value=value, meant=f"{meant:%d %B %Y}", typed=f"{meant:%d/%m/%Y}"
            )
            return "", problem, ""
        return date.isoformat(), None, f"{value!r} read as {date:%d %B %Y}"
    match = _ISO_DATE.match(value)
    if match:
        try:
            date = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            return "", codes.DATE_NOT_REAL(value=value), ""
        return date.isoformat(), None, f"{value!r} read as {date:%d %B %Y}"
    match = _SERIAL_TEXT.match(value)
    if match and FIRST_SERIAL <= int(match.group(1)) <= LAST_SERIAL:
        date = _EPOCH + dt.timedelta(days=int(match.group(1)))
        return date.isoformat(), None, f"the text {value!r} read as the date {date:%d %B %Y}"
    return "", codes.DATE_NOT_A_DATE(value=value), ""


def _named_month(value: str) -> tuple[str, Problem | None, str] | None:
    """A date written with its month's name ('16th Oct 2026', 'October 16th 2026'), or None
    when ``value`` is not written so."""
    squashed = " ".join(value.split())
    match = _DAY_MONTH.match(squashed)
    if match:
        day, month, year = match.groups()
    else:
        match = _MONTH_DAY.match(squashed)
        if not match:
            return None
        month, day, year = match.groups()
    number = _MONTHS.get(month.casefold())
    if number is None:
        return None
    full = int(year) + 2000 if len(year) == 2 else int(year)
    try:
        date = dt.date(full, number, int(day))
    except ValueError:
        return "", codes.DATE_NOT_REAL(value=value), ""
    return date.isoformat(), None, f"{value!r} read as {date:%d %B %Y}"


def text(value: Any) -> str:
    """A cell value as the text a person would see (dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:g}" if value != int(value) or abs(value) >= 1e15 else str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def squash(value: Any) -> str:
    """Text compared for tampering: whitespace and line endings do not count."""
    return " ".join(text(value).split())


def clip(text: str, limit: int = 80, squash: bool = False) -> str:
    """Text from a file, short enough to quote in a message (and on one line if squashed)."""
    text = " ".join(str(text).split()) if squash else str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def short(exc: BaseException) -> str:
    """The first line of an exception's message, for a one-line reason."""
    lines = str(exc).strip().splitlines()
    return lines[0][:160] if lines else type(exc).__name__
