"""Find a workbook's parts from its package bytes, without an XML parser (so nothing in a
hostile file is ever expanded)."""

from __future__ import annotations

import html
import posixpath
import re

from awardbooks.read.container import Package

_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ATTR = re.compile(rb"([\w:]+)\s*=\s*(\"[^\"]*\"|'[^']*')")


def _attrs(blob: bytes) -> dict[str, str]:
    out = {}
    for key, value in _ATTR.findall(blob):
        name = key.decode("ascii", "replace").split(":")[-1]
        out[name] = html.unescape(value[1:-1].decode("utf-8", "replace"))
    return out


def sheet_parts(package: Package) -> dict[str, str]:
    """Sheet name → the zip member holding its XML."""
    if not package.has("xl/workbook.xml") or not package.has("xl/_rels/workbook.xml.rels"):
        return {}
    rels = {}
    for match in _REL.finditer(package.read("xl/_rels/workbook.xml.rels")):
        attrs = _attrs(match.group(1))
        target = attrs.get("Target", "")
        if target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = posixpath.normpath(posixpath.join("xl", target))
        rels[attrs.get("Id", "")] = part
    found = {}
    for match in _SHEET.finditer(package.read("xl/workbook.xml")):
        attrs = _attrs(match.group(1))
        part = rels.get(attrs.get("id", ""))
        if part and package.has(part):
            found[attrs.get("name", "")] = part
    return found
