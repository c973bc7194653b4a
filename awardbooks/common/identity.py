"""Who a row is about and when: one definition each of a setting's identity and of term
order, used by generation, carry-forward, duplicates, progress and feedback.

- A setting is its URN when it has one, else its name with surrounding spaces removed and
  case folded ("St Mary's" and " st mary's " are one setting; "St Marys" is another).
- Terms run baseline, autumn, spring, summer within an academic year ("2026-27"); years sort
  as text, which for that form is their order in time. An unknown term sorts after the four.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

TERMS = ("baseline", "autumn", "spring", "summer")
TERM_ORDER = {term: n for n, term in enumerate(TERMS)}


def setting_key(urn: Any, setting: Any) -> str:
    """The one identity of a setting: its URN, else its name stripped and case-folded."""
    urn = "" if urn is None else str(urn).strip()
    return urn or ("" if setting is None else str(setting)).strip().casefold()


def term_sort_key(year: Any, term: Any) -> tuple[str, int, str]:
    """Sort key of a (year, term): by year, then baseline, autumn, spring, summer, then any
    other term by name."""
    year = "" if year is None else str(year)
    term = "" if term is None else str(term)
    return (year, TERM_ORDER.get(term, len(TERMS)), term)


def current_academic_year(today: dt.date | None = None) -> str:
    """'2026-27' from September 2026 to August 2027."""
    today = today or dt.date.today()
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def term_title(year: str, term: str, sep: str = " ") -> str:
    """'Spring 2026-27'."""
    return f"{term.capitalize()}{sep}{year}".strip()


def is_academic_year(year: Any) -> bool:
    """Whether ``year`` is an academic year written like 2026-27 (the second part being the
    next year)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(year or ""))
    return bool(match) and (int(match[1]) + 1) % 100 == int(match[2])
