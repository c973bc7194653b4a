"""Editing an XML part of a workbook's package by byte offsets, leaving every byte not
edited as it was: elements found with their offsets (:func:`scan`), edits spliced in.

Only parts that passed the container checks (no DTD, no entities) are scanned.
"""

from __future__ import annotations

import html
import re
import xml.parsers.expat
from dataclasses import dataclass
from xml.sax.saxutils import escape

from awardbooks.common.text import excel_text

_TAG = re.compile(rb"<[\w:.-]+(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>")


@dataclass
class El:
    """An element of an XML part and where it is (byte offsets of its start, the end of its
    start tag, and its end)."""

    name: str  # local name
    prefix: bytes  # b"" or b"x:"
    depth: int
    start: int
    tag_end: int
    end: int
    attrs: dict[str, str]


def scan(data: bytes, wanted: set[str] | None = None) -> list[El]:
    """Elements of an XML part with their byte offsets (every one when ``wanted`` is None).
    Only parts that passed the container checks (no DTD, no entities) are scanned."""
    found: list[El] = []
    stack: list[El] = []
    parser = xml.parsers.expat.ParserCreate()

    def start(name: str, attrs: dict[str, str]) -> None:
        pos = parser.CurrentByteIndex
        match = _TAG.match(data, pos)
        tag_end = match.end() if match else data.index(b">", pos) + 1
        prefix, _, local = name.rpartition(":")
        el = El(
            local, (prefix + ":").encode() if prefix else b"", len(stack), pos, tag_end, 0, attrs
        )
        stack.append(el)
        if wanted is None or local in wanted:
            found.append(el)

    def end(_name: str) -> None:
        el = stack.pop()
        if data[el.tag_end - 2 : el.tag_end] == b"/>":
            el.end = el.tag_end
        else:
            el.end = data.index(b">", parser.CurrentByteIndex) + 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(data, True)
    return found


def splice(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Replace data[start:end] by each replacement (edits must not overlap)."""
    for start, stop, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        data = data[:start] + new + data[stop:]
    return data


def set_attr(tag: bytes, name: bytes, value: bytes) -> bytes:
    """A start tag with attribute ``name`` set to ``value`` (added after the tag name)."""
    pattern = re.compile(rb"(\s" + re.escape(name) + rb"\s*=\s*)(\"[^\"]*\"|'[^']*')")
    if pattern.search(tag):
        return pattern.sub(lambda m: m.group(1) + b'"' + value + b'"', tag, count=1)
    head = re.match(rb"<[\w:.-]+", tag).end()
    return tag[:head] + b" " + name + b'="' + value + b'"' + tag[head:]


def append(data: bytes, el: El, content: bytes) -> tuple[int, int, bytes]:
    """The edit that puts ``content`` at the end of element ``el`` (even if it is empty)."""
    tag = data[el.start : el.tag_end]
    if tag.endswith(b"/>"):
        name = re.match(rb"<([\w:.-]+)", tag).group(1)
        return el.start, el.end, tag[:-2].rstrip() + b">" + content + b"</" + name + b">"
    stop = data.rindex(b"</", el.start, el.end)
    return stop, stop, content


def inner(data: bytes, el: El) -> str:
    """The text inside a simple element (``<t>text</t>``), unescaped."""
    if el.end == el.tag_end:
        return ""
    return html.unescape(data[el.tag_end : data.rindex(b"</", el.start, el.end)].decode("utf-8"))


def xml_text(text: str) -> bytes:
    return escape(excel_text(text)).encode("utf-8")
