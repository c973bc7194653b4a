"""An Office package's own bookkeeping, read from bytes without an XML parser (so nothing in a
hostile file is ever expanded): its relationships (``_rels/*.rels``), its content types
(``[Content_Types].xml``) and the part names they lead to.

Decisions:

- What kind of package a file is comes from the content type of the one part that
  ``_rels/.rels`` names as the office document, never from a content type found anywhere in
  ``[Content_Types].xml`` (SheetJS declares the .xlsb type for ``.bin`` in every .xlsx).
- Part names compare without regard to ASCII case, as the Open Packaging Conventions say;
  a part is looked up by its exact zip name first.
"""

from __future__ import annotations

import html
import posixpath
import re
import urllib.parse

_REL = re.compile(rb"<(?:[\w.-]+:)?Relationship\b([^>]*)>")
_OVERRIDE = re.compile(rb"<(?:[\w.-]+:)?Override\b([^>]*)>")
_DEFAULT = re.compile(rb"<(?:[\w.-]+:)?Default\b([^>]*)>")
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_END = re.compile(rb"(?:</(?:[\w.-]+:)?Relationships\s*>|<(?:[\w.-]+:)?Relationships\b[^>]*/>)\s*$")

OFFICE_DOCUMENT = "/relationships/officeDocument"
"""How the type of the relationship to the main part ends (transitional and strict)."""


def attrs(blob: bytes) -> dict[str, str]:
    """The attributes of one start tag's inside, by local name, unescaped."""
    out = {}
    for key, value in _ATTR.findall(blob):
        name = key.decode("ascii", "replace").split(":")[-1]
        out[name] = html.unescape(value[1:-1].decode("utf-8", "replace"))
    return out


def relationships(xml: bytes) -> list[dict[str, str]]:
    """Each ``<Relationship>`` of a .rels part: its Id, Type, Target and TargetMode."""
    return [attrs(match.group(1).rstrip(b"/")) for match in _REL.finditer(xml)]


def complete(xml: bytes) -> bool:
    """Whether a .rels part ends as a whole one does (a part cut short does not)."""
    return _END.search(xml.rstrip(b"\x00")) is not None


def resolve(source: str, target: str) -> str:
    """The zip name of the part a relationship of the part ``source`` ("" for the package
    itself) points to: relative targets are taken from the source's folder."""
    target = urllib.parse.unquote(target.strip())
    if target.startswith("/"):
        path = target
    else:
        path = posixpath.join("/" + posixpath.dirname(source), target)
    return posixpath.normpath(path).lstrip("/")


def main_part(package_rels: bytes) -> str | None:
    """The part ``_rels/.rels`` names as the office document, or None."""
    for rel in relationships(package_rels):
        if rel.get("Type", "").endswith(OFFICE_DOCUMENT) and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            if target:
                return resolve("", target)
    return None


def content_type(types: bytes, part: str) -> str:
    """The content type ``[Content_Types].xml`` gives the part (its Override, else the Default
    for its extension), lower case and without parameters; '' if none."""
    wanted = "/" + part.lower()
    for match in _OVERRIDE.finditer(types):
        found = attrs(match.group(1).rstrip(b"/"))
        if found.get("PartName", "").lower() == wanted:
            return _bare(found.get("ContentType", ""))
    extension = posixpath.splitext(part)[1].lstrip(".").lower()
    for match in _DEFAULT.finditer(types):
        found = attrs(match.group(1).rstrip(b"/"))
        if found.get("Extension", "").lower() == extension:
            return _bare(found.get("ContentType", ""))
    return ""


def _bare(ctype: str) -> str:
    return ctype.split(";", 1)[0].strip().lower()


def find(names: dict[str, object], part: str) -> str | None:
    """The zip name of ``part`` among ``names``: exactly, else ignoring ASCII case."""
    if part in names:
        return part
    lower = part.lower()
    return next((name for name in names if name.lower() == lower), None)


def rels_of(part: str) -> str:
    """The name of the part that holds ``part``'s relationships: ``xl/_rels/workbook.xml.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")
