"""Text from returns made safe for a cell or a file, in one place.

Text copied from returns is untrusted. Characters XML cannot hold (control characters other
than tab, newline and carriage return, U+FFFE, U+FFFF) are dropped; lone surrogates (from
undecodable file names) become U+FFFD, since no UTF-8 file can hold them; text longer than an
Excel cell holds (32,767 characters, counted as Excel counts them, in UTF-16 units) is cut at
that length with no marker.
"""

from __future__ import annotations

import re
from typing import Any

CELL_MAX = 32_767
ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SURROGATE = re.compile(r"[\ud800-\udfff]")  # lone halves, e.g. from undecodable file names


def excel_text(value: Any) -> str:
    """``value`` as text an Excel cell can hold: XML-illegal characters dropped, cut to
    32,767 UTF-16 units (never inside a surrogate pair); everything else kept as it is."""
    text = SURROGATE.sub("\ufffd", ILLEGAL_XML.sub("", str(value)))
    if len(text) > CELL_MAX // 2:  # only then can it exceed the limit in UTF-16 units
        units = 0
        for i, char in enumerate(text):
            units += 2 if ord(char) > 0xFFFF else 1
            if units > CELL_MAX:
                return text[:i]
    return text


def plural(count: int, word: str, many: str = "") -> str:
    """'1 workbook', '2 workbooks' ('2 boxes', or ``many`` when the plural is irregular)."""
    if count == 1:
        return f"{count} {word}"
    if many:
        return f"{count} {many}"
    ending = "es" if word.endswith(("s", "sh", "ch", "x")) else "s"
    return f"{count} {word}{ending}"


def listed(texts: list[str], last: str = "and") -> str:
    """'A', 'A and B', 'A, B and C' (``last`` joins the last two)."""
    if len(texts) <= 1:
        return "".join(texts)
    return f"{', '.join(texts[:-1])} {last} {texts[-1]}"
