"""Turning cell values from returns into text and dates, the UK way, with a problem for each
value that cannot be read as it stands."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from awardbooks.problems import Problem
from awardbooks.read import codes

_UK_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?\s*$")
_SERIAL_TEXT = re.compile(r"^\s*(\d{5})(?:\.0+)?\s*$")
FIRST_SERIAL, LAST_SERIAL = 36526, 73415  # 1 Jan 2000 .. 31 Dec 2100, as the dropdowns allow
_EPOCH = dt.date(1899, 12, 30)


def parse_date(raw: Any) -> tuple[str, Problem | None, str]:
    """(ISO date, error, note) for a date cell's value: a real date, UK text (31/10/2026),
    ISO text, an Excel serial number, or a serial number typed as text. The error is a
    :class:`Problem` without its place (the reader adds it); the note says how a date typed
    as text or a number was read."""
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
    match = _UK_DATE.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
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
