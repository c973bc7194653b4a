"""Which returns count: each return's status once the others are known. A later-completed
copy of the same workbook, or of the same setting's workbook for the same term, makes the
earlier one a duplicate; a return of a workbook the manifest does not list is unknown; a
manifest's workbook with no return is missing. And the Returns table, one row per return.

Decisions: the return kept of several is the one completed latest (the date on its cover,
then its file time), but never one with nothing rated over one with ratings; every return
demoted says which one was kept and why. Nothing here
reads a file or imports pandas: a collection settles its thousands of returns from the
ledger at every update.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from awardbooks.analyse.tables import RETURNS
from awardbooks.common.identity import setting_key
from awardbooks.read import codes
from awardbooks.read.returns import ReturnRecord, completion_text
from awardbooks.workbook.scoring import pct

USABLE = ("accepted", "warning")


@dataclass
class Settled:
    """Each record's status (by ``id(record)``), what settling said of it, and the manifest
    rows no return came back for."""

    statuses: dict[int, str]
    notes: dict[int, list[str]]
    missing: list[dict[str, str]]


def settle(
    records: list[ReturnRecord],
    manifest_rows: list[dict[str, str]] | None = None,
    manifest_name: str = "",
) -> Settled:
    """Duplicates first, then (with ``manifest_rows``) unknown and missing returns."""
    statuses = {id(r): r.status for r in records}
    notes: dict[int, list[str]] = {id(r): [] for r in records}
    _settle_duplicates(records, statuses, notes)
    missing: list[dict[str, str]] = []
    if manifest_rows is not None:
        missing = _settle_manifest(records, statuses, notes, manifest_rows, manifest_name)
    return Settled(statuses, notes, missing)


def _completed_key(record: ReturnRecord) -> tuple[bool, str, float]:
    """Which of several copies is kept: one with something rated over one with nothing rated
    (an empty workbook sent again by mistake never replaces a school's ratings), then the one
    completed latest, then the one saved or sent latest."""
    return (not nothing_rated(record), str(record.cover.get("completed_on") or ""), record.mtime)


def _settle_duplicates(records, statuses, notes) -> None:
    """Keep the latest completed of each workbook id, then of each setting+framework+term."""
    usable = [r for r in records if statuses[id(r)] in ("accepted", "warning")]

    def settle(key_of: Callable[[ReturnRecord], Any], what: str) -> None:
        groups: dict[Any, list[ReturnRecord]] = {}
        for record in usable:
            if statuses[id(record)] == "duplicate":
                continue
            key = key_of(record)
            if key:
                groups.setdefault(key, []).append(record)
        for group in groups.values():
            if len(group) < 2:
                continue
            keep = max(group, key=_completed_key)
            for record in group:
                if record is not keep:
                    statuses[id(record)] = "duplicate"
                    mine, theirs = _completed_key(record), _completed_key(keep)
                    why = (
                        "which has ratings (this one has none)"
                        if theirs[0] > mine[0]
                        else "which was completed later"
                        if theirs[1] > mine[1]
                        else "which was saved or sent later"
                    )
                    notes[id(record)].append(
                        f"{record.file}: {what} as {keep.file}, {why} and was kept"
                    )

    settle(lambda r: r.get("workbook_id"), "the same workbook")
    settle(
        lambda r: (
            (
                r.get("framework"),
                setting_key("", r.get("setting")),
                r.get("urn"),
                r.get("year"),
                r.get("term"),
            )
            if r.get("setting")
            else None
        ),
        "the same setting, framework, year and term",
    )


def _settle_manifest(records, statuses, notes, rows, manifest_name) -> list[dict[str, str]]:
    ids = {row.get("workbook_id", "") for row in rows}
    returned = {r.get("workbook_id") for r in records if r.get("workbook_id")}
    for record in records:
        wid = record.get("workbook_id")
        if statuses[id(record)] in ("accepted", "warning") and wid and wid not in ids:
            statuses[id(record)] = "unknown"
            notes[id(record)].append(
                f"{record.file}: workbook id {wid} is not in {manifest_name}; check that it "
                "belongs to this collection"
            )
    return [row for row in rows if row.get("workbook_id") not in returned]


NOTHING_RATED = codes.NOTHING_RATED.id
INCOMPLETE = codes.INCOMPLETE.id
LENIENT = codes.RATING_READ_AS_UNRATED.id
"""The codes (:mod:`awardbooks.read.codes`) of an empty return, an incomplete one and a
rating read leniently."""


def nothing_rated(record: ReturnRecord) -> bool:
    """Whether a return has nothing rated: it is left out of the scores, the means and the
    count of settings (its Returns row says so)."""
    return any(p.code == NOTHING_RATED for p in record.warnings)


def returns_rows(
    records: list[ReturnRecord],
    settled: Settled,
    completion: dict[int, tuple[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """The Returns table's rows: one per record, in order, then one per missing workbook.
    ``completion``: (rated, total) of each usable return, by ``id(record)``."""
    completion = completion or {}
    rows = []
    for record in records:
        meta = record.meta
        rated, total = completion.get(id(record), (0, 0))
        usable = settled.statuses[id(record)] in USABLE and total > 0
        lenient = any(p.code == LENIENT for p in record.warnings)
        done = completion_text(rated, total) + (" (read leniently)" if lenient else "")
        rows.append(
            {key: meta.get(key, "") for key in _BASE}
            | {
                "file": record.file,
                "status": settled.statuses[id(record)],
                "spec_version": meta.get("spec_version", ""),
                "local_authority": meta.get("local_authority", ""),
                "workbook_id": meta.get("workbook_id", ""),
                "completed_by": str(record.cover.get("completed_by") or ""),
                "completed_on": str(record.cover.get("completed_on") or ""),
                "errors": "\n".join(map(str, record.errors)),
                "warnings": "\n".join(
                    [*map(str, record.warnings), *settled.notes[id(record)]]
                ),
                "email_from": record.source.get("email_from", ""),
                "completion": done if usable else "",
                "completion_pct": pct(rated / total) if usable else math.nan,
                "codes": " ".join(dict.fromkeys(p.code for p in record.problems)),
                "read_leniently": lenient,
                "email_date": record.source.get("email_date", ""),
                "email_subject": record.source.get("email_subject", ""),
                "contact_email": meta.get("contact_email", ""),
                "annotated": record.annotated,
                "annotated_copy": "",
            }
        )
    for row in settled.missing:
        # a manifest row carries the same fields as a return's row; the rest stay empty
        missing = {col: row.get(col, "") for col in RETURNS}
        missing |= {
            "status": "missing",
            "completed_by": "",
            "completed_on": "",
            "completion": "",
            "completion_pct": math.nan,
            "codes": "",
            "read_leniently": False,
            "errors": "",
            "warnings": "no return received for this manifest entry",
            "annotated": "",
            "annotated_copy": "",
        }
        rows.append(missing)
    return rows


_BASE = ("framework", "setting", "urn", "partnership", "year", "term")
