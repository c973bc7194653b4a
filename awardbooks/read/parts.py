"""Find a workbook's parts from its package bytes, without an XML parser (so nothing in a
hostile file is ever expanded): where each sheet is, and what each sheet's link says."""

from __future__ import annotations

import re
from dataclasses import dataclass

from awardbooks.read import opc
from awardbooks.read.container import Package

_SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet\b([^>]*)>")


@dataclass
class SheetLink:
    """A ``<sheet>`` of the workbook part and what its relationship says of it."""

    name: str
    link: str  # the relationship's id
    type: str = ""  # the relationship's type, '' when there is no such relationship
    part: str = ""  # the zip name it points to


def sheet_links(package: Package) -> list[SheetLink] | None:
    """Every sheet the workbook part lists, with its relationship; None when the workbook part
    or its relationships part is missing."""
    rels_part = opc.rels_of(package.workbook)
    if not package.has(package.workbook) or not package.has(rels_part):
        return None
    rels = {}
    for rel in opc.relationships(package.read(rels_part)):
        rels[rel.get("Id", "")] = rel
    links = []
    for match in _SHEET.finditer(package.read(package.workbook)):
        attrs = opc.attrs(match.group(1).rstrip(b"/"))
        link = SheetLink(attrs.get("name", ""), attrs.get("id", ""))
        rel = rels.get(link.link)
        if rel is not None:
            link.type = rel.get("Type", "")
            link.part = opc.resolve(package.workbook, rel.get("Target", ""))
        links.append(link)
    return links


def sheet_parts(package: Package) -> dict[str, str]:
    """Sheet name → the zip member holding its XML."""
    found = {}
    for link in sheet_links(package) or []:
        part = opc.find(package.zf.NameToInfo, link.part) if link.part else None
        if part:
            found[link.name] = part
    return found
