"""How every workbook awardbooks writes is opened with xlsxwriter, in one place.

Text is always written as text: xlsxwriter is told never to turn strings into numbers,
formulas or links (a comment starting "=" stays a comment). Workbooks are built in memory,
so a temporary-file folder is never needed and the caller writes the result atomically.
"""

from __future__ import annotations

from typing import IO, Any

import xlsxwriter

WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "in_memory": True,
}


def new_workbook(target: str | IO[bytes], **options: Any):
    """An xlsxwriter Workbook writing to ``target`` with :data:`WORKBOOK_OPTIONS` (and any
    further ``options``)."""
    return xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, **options})
