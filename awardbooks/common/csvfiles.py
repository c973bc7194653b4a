"""CSV files in and out, in one place: reading what spreadsheet applications save, and
writing UTF-8 CSV atomically with formula-like text made harmless.

Written files use CRLF line ends (RFC 4180): with a bare "\\n" terminator a field holding a lone
carriage return would go unquoted (csv quotes only the terminator's characters) and readers
would split the row. Text a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``,
``@``, tab or carriage return) is prefixed with an apostrophe, as OWASP advises.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from awardbooks.common.files import atomic_write

FORMULA_START = frozenset("=+-@\t\r")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def write_rows(path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a header and ``rows`` (sequences of cell values, written as given) to a UTF-8
    CSV file, atomically, streaming the rows."""

    def write(handle: Any) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows(rows)
        text.flush()
        text.detach()

    atomic_write(path, write)


def write_text(path, columns: Sequence[str], chunks: Iterable[str]) -> None:
    """Write a header and CSV text already made (each chunk whole rows, as :func:`write_rows`
    writes them) to a UTF-8 CSV file, atomically."""

    def write(handle: Any) -> None:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        csv.writer(text, lineterminator="\r\n").writerow(columns)
        for chunk in chunks:
            text.write(chunk)
        text.flush()
        text.detach()

    atomic_write(path, write)


def rows_text(rows: Iterable[Sequence[Any]]) -> str:
    """CSV text of rows, as :func:`write_rows` writes them."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def write_records(
    path, columns: Sequence[str], records: Iterable[Mapping[str, Any]], *, harmless: bool = False
) -> None:
    """Write dict rows to a UTF-8 CSV file, atomically: the ``columns`` of each (missing keys
    empty), with formula-like text neutralised when ``harmless``."""
    clean = neutralise if harmless else (lambda value: value)
    write_rows(path, columns, ([clean(r.get(c, "")) for c in columns] for r in records))


def csv_reader(text: str) -> csv.DictReader:
    """Rows of a CSV as spreadsheet applications save it: comma, or ';' (LibreOffice and Excel
    in many countries), or tab ("Unicode Text") between the values."""
    lines = text.splitlines(keepends=True)  # a quoted value may hold line breaks: keep them
    first = lines[0] if lines else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    return csv.DictReader(lines, delimiter=delimiter)
