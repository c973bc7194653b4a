"""Turning cell values from returns into text and dates, the UK way, with a message for each
value that cannot be read as it stands."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

_UK_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?\s*$")
_SERIAL_TEXT = re.compile(r"^\s*(\d{5})(?:\.0+)?\s*$")
FIRST_SERIAL, LAST_SERIAL = 36526, 73415  # 1 Jan 2000 .. 31 Dec 2100, as the dropdowns allow
_EPOCH = dt.date(1899, 12, 30)


def parse_date(raw: Any) -> tuple[str, str, str]:
    """(ISO date, error, warning) for a date cell's value: a real date, UK text (31/10/2026),
    ISO text, an Excel serial number, or a serial number typed as text."""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat(), "", ""
    if isinstance(raw, dt.date):
        return raw.isoformat(), "", ""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if math.isfinite(raw) and 1 <= raw < 2958466:
            day = _EPOCH + dt.timedelta(days=int(raw))
            return day.isoformat(), "", f"the number {raw:g} read as {day:%d %B %Y}"
        return "", f"{raw!r} is not a date", ""
    value = text(raw)
    match = _UK_DATE.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if year < 100:
            year += 2000
        try:
            date = dt.date(year, month, day)
        except ValueError:
            hint = ""
            try:
                swapped = dt.date(year, day, month)
                hint = f"; for {swapped:%d %B %Y} type {swapped:%d/%m/%Y}"
            except ValueError:
                pass
            return (
                "",
                f"{value!r} is not a real date (dates are read as dd/mm/yyyy, the UK way){hint}",
                "",
            )
        return date.isoformat(), "", f"{value!r} read as {date:%d %B %Y}"
    match = _ISO_DATE.match(value)
    if match:
        try:
            date = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            return "", f"{value!r} is not a real date", ""
        return date.isoformat(), "", f"{value!r} read as {date:%d %B %Y}"
    match = _SERIAL_TEXT.match(value)
    if match and FIRST_SERIAL <= int(match.group(1)) <= LAST_SERIAL:
        date = _EPOCH + dt.timedelta(days=int(match.group(1)))
        return date.isoformat(), "", f"the text {value!r} read as the date {date:%d %B %Y}"
    return "", f"{value!r} is not a date; type dates as dd/mm/yyyy", ""


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


def short(exc: BaseException) -> str:
    """The first line of an exception's message, for a one-line reason."""
    lines = str(exc).strip().splitlines()
    return lines[0][:160] if lines else type(exc).__name__
