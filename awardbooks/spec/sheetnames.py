"""The names of the sheets a framework's workbook gets, and Excel's rules for those names.

A spec names some sheets itself (``sheets.action_plan.title`` and the like; ``audit.title``
for a single rating sheet); one rating sheet per group is named from the word for a group
and the group's id (``Theme 3``); and the workbook has sheets of its own (:data:`OWN_SHEETS`).
:mod:`awardbooks.workbook.layout` takes the names and their order from here, and spec
validation checks them here (:func:`sheet_name_problems`), so a spec whose names Excel would
refuse is reported when it is loaded, not by a traceback from the workbook writer.
"""

from __future__ import annotations

from awardbooks.problems import Problem
from awardbooks.spec import codes
from awardbooks.spec.model import Framework, Group

COVER_SHEET = "Cover"
SUMMARY_SHEET = "Summary"
COMPLETED_SHEET = "Completed actions"
"""A next-term (carry-forward) workbook's sheet of the actions completed last term."""
META_SHEET = "_awardbooks"
"""The very hidden sheet of metadata and dropdown lists."""
OWN_SHEETS = (COVER_SHEET, SUMMARY_SHEET, COMPLETED_SHEET, META_SHEET)
"""The workbook's own sheets: no sheet a spec names may be called any of these."""

MAX_LENGTH = 31
"""Excel's longest sheet name, in UTF-16 code units (as Excel and xlsxwriter count)."""
FORBIDDEN_CHARACTERS = "[]:*?/\\"
EXCEL_NAMES = ("History",)
"""Names Excel keeps for itself (the change-history sheet of a shared workbook)."""

_TITLED = ("info", "membership", "outcomes", "action_plan", "portfolio")


def audit_sheet_name(framework: Framework, group: Group) -> str:
    """The name of the rating sheet ``group`` is on."""
    if framework.audit.layout == "single":
        return framework.audit.title
    return _cut(f"{framework.labels.group} {group.id}")


def portfolio_sheet_names(framework: Framework) -> dict[str, str]:
    """Group id → the portfolio sheet its evidence is on: ``Portfolio 3`` when the portfolio
    has a front sheet per group, else the one portfolio sheet (empty: no portfolio)."""
    port = framework.sheets.portfolio
    if port is None:
        return {}
    if not port.front_sheets:
        return {group.id: port.title for group in framework.groups}
    return {group.id: _cut(f"{port.title} {group.id}") for group in framework.groups}


def sheet_names(framework: Framework, carry: bool = False) -> tuple[str, ...]:
    """The workbook's sheets in order (``carry`` for a next-term workbook)."""
    sheets = framework.sheets
    audit = dict.fromkeys(audit_sheet_name(framework, group) for group in framework.groups)
    names = [COVER_SHEET, SUMMARY_SHEET]
    names += [s.title for s in (sheets.info, sheets.membership, sheets.outcomes) if s]
    names += audit
    if sheets.action_plan:
        names.append(sheets.action_plan.title)
        if carry:
            names.append(COMPLETED_SHEET)
    if sheets.portfolio:
        names += dict.fromkeys(portfolio_sheet_names(framework).values())
    names += [listed.title for listed in sheets.lists]
    names.append(META_SHEET)
    return tuple(names)


def sheet_name_problems(framework: Framework) -> list[Problem]:
    """Every sheet name Excel would refuse, or that two sheets would share, at the spec key
    that names it. Excel compares names regardless of case."""
    problems: list[Problem] = []
    taken = {name.lower(): (name, "") for name in OWN_SHEETS}
    per_group = framework.audit.layout == "per_group"
    named: list[tuple[str, str]] = [] if per_group else [("audit.title", framework.audit.title)]
    for key in _TITLED:
        sheet = getattr(framework.sheets, key)
        if sheet is not None and not (key == "portfolio" and sheet.front_sheets):
            named.append((f"sheets.{key}.title", sheet.title))
    fronts = dict.fromkeys(portfolio_sheet_names(framework).values())
    if framework.sheets.portfolio is not None and framework.sheets.portfolio.front_sheets:
        named += [("sheets.portfolio.title", name) for name in fronts]
    for n, listed in enumerate(framework.sheets.lists):
        named.append((f"sheets.lists[{n}].title", listed.title))
    if per_group and framework.groups:
        # the word for a group is in every rating sheet's name: its faults are reported once
        first = audit_sheet_name(framework, framework.groups[0])
        problems += _name_problems(first, "labels.group", check_length=False)
    for g, group in enumerate(framework.groups if per_group else ()):
        name, path = audit_sheet_name(framework, group), f"groups[{g}].id"
        if name.lower() not in taken:
            taken[name.lower()] = (name, group.id)
            continue
        owner, other = taken[name.lower()]
        if not other:
            problems.append(codes.SHEET_NAME_RESERVED(path=path, name=name, own=owner))
        else:
            problems.append(
                codes.GROUP_SHEET_NAME_REPEATED(path=path, group=group.id, other=other, name=name)
            )
    for path, name in named:
        found = _name_problems(name, path)
        problems += found
        if found:
            continue
        if name.lower() not in taken:
            taken[name.lower()] = (name, path)
            continue
        owner, other = taken[name.lower()]
        if other:
            problems.append(codes.SHEET_NAME_REPEATED(path=path, name=name))
        else:
            problems.append(codes.SHEET_NAME_RESERVED(path=path, name=name, own=owner))
    return problems


def _name_problems(name: str, path: str, check_length: bool = True) -> list[Problem]:
    """What is wrong with one sheet name by Excel's rules (not counting other sheets)."""
    if not name:
        return [codes.SHEET_NAME_EMPTY(path=path)]
    found = []
    if check_length and _length(name) > MAX_LENGTH:
        found.append(codes.SHEET_NAME_TOO_LONG(path=path, name=name, limit=MAX_LENGTH))
    bad = next((ch for ch in name if ch in FORBIDDEN_CHARACTERS), None)
    if bad is not None:
        forbidden = " ".join(FORBIDDEN_CHARACTERS)
        found.append(
            codes.SHEET_NAME_CHARACTER(path=path, name=name, character=bad, forbidden=forbidden)
        )
    if any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in name):
        found.append(codes.SHEET_NAME_CONTROL(path=path, name=name))
    if name.startswith("'") or name.endswith("'"):
        found.append(codes.SHEET_NAME_APOSTROPHE(path=path, name=name))
    if name.lower() in {n.lower() for n in EXCEL_NAMES}:
        found.append(codes.SHEET_NAME_FORBIDDEN(path=path, name=name))
    return found


def _length(name: str) -> int:
    return len(name.encode("utf-16-le")) // 2


def _cut(name: str) -> str:
    """``name`` cut to Excel's length, never inside a character that takes two code units."""
    while _length(name) > MAX_LENGTH:
        name = name[:-1]
    return name
