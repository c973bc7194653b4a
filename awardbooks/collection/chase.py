"""``mail drafts --only missing,rejected,incomplete`` in a collection: chase messages for a
term's settings, worked out from the ledger as :mod:`awardbooks.mail.chase` works them out
from a returns.csv.

Decisions:

- The workbooks chased are the term's live ones (its ``workbooks/TERM/manifest.csv``); their
  returns are the ledger's, settled as ``update`` settles them.
- A rejected or incomplete return is annotated then and there, from the original the
  collection kept (never from the file under ``returns/``, which may have changed), into
  ``outputs/annotated/TERM/`` (the collection's own folder: never read as returns), and that
  copy is attached. Each run writes the copies again, so they match the ledger.
- The drafts go to ``drafts/TERM/`` as ``<workbook> - <state>.eml``; chasing does not count
  a workbook as mailed (its first message does), and an existing chase draft is replaced
  only with ``force``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from awardbooks.analyse.settle import returns_rows
from awardbooks.collection.commands import WAIT_SECONDS, Waiting, latest_term, session
from awardbooks.collection.refresh import settled_entries
from awardbooks.collection.settings import Collection
from awardbooks.errors import AwardbooksError, CollectionError
from awardbooks.generate.manifest import read_manifest
from awardbooks.mail.chase import parse_only, plan_chase, save_drafts, who_to_chase
from awardbooks.mail.drafts import DraftsResult
from awardbooks.read.annotate import annotate_bytes
from awardbooks.read.inputs import return_units
from awardbooks.read.marks import copy_names
from awardbooks.read.returns import Registry, ReturnRecord


@dataclass
class Chased:
    term: str
    result: DraftsResult
    annotated: dict[str, Path]  # return name → its annotated copy
    not_yet: list[tuple[str, str, str]] = field(default_factory=list)
    """Missing settings not chased: (setting, workbook file, why): its workbook not mailed
    yet."""


def chase_term(
    collection: Collection,
    only: str | Iterable[str],
    *,
    term: str | None = None,
    force: bool = False,
    template: Path | None = None,
    from_addr: str | None = None,
    wait: float = WAIT_SECONDS,
    waiting: Waiting | None = None,
) -> Chased:
    """Chase drafts for ``term`` (default: the latest term issued) into ``drafts/TERM/``;
    a missing setting only once its workbook was mailed."""
    states = parse_only(only)
    with session(collection, "mail drafts --only", wait=wait, waiting=waiting) as s:
        term = term or latest_term(collection, s.ledger)
        folder = collection.workbooks(term)
        manifest = folder / "manifest.csv"
        if not manifest.is_file():
            raise CollectionError(
                f"{term}: no workbooks issued for this term; run awardbooks generate "
                f"{{opt:term}} {term} first"
            )
        registry = Registry.default(collection.specs)
        found, settled = settled_entries(s.ledger, registry)
        rows = returns_rows([e.record for e in found], settled)
        chases = who_to_chase(read_manifest(manifest), rows, states)
        chases, not_yet = _owed(s.ledger, chases)
        records = {e.record.file: e.record for e in found}
        digests = dict(s.ledger.execute("SELECT name, file_digest FROM returns").fetchall())
        wanted = [c.returned["file"] for c in chases if c.returned is not None]
        out = collection.outputs / "annotated" / term
        names = copy_names(wanted, out)
        annotated: dict[str, Path] = {}
        for name in wanted:
            copy = _annotate(collection, name, digests.get(name, ""), records[name], names[name])
            if copy is not None:
                annotated[name] = copy
        for chase in chases:
            if chase.returned is not None:
                copy = annotated.get(chase.returned["file"])
                chase.returned = chase.returned | {"annotated_copy": str(copy or "")}
        due = collection.settings.term(term).return_by
        planned, unsent = plan_chase(
            chases, folder, template, from_addr=from_addr, return_by=due
        )
        result = save_drafts(planned, unsent, collection.drafts(term), force)
        s.outcome = f"{len(result.written)} chase drafts"
    return Chased(term, result, annotated, not_yet)


def _owed(ledger, chases: list) -> tuple[list, list[tuple[str, str, str]]]:
    """The chases to write, and the missing settings not chased yet: a workbook is chased
    as missing only once it was mailed (its first message comes from ``mail drafts``, not
    from a chase); one with no contact email is listed as such, to contact another way.
    Rejected and incomplete returns are always chased."""
    mailed = {
        wid for (wid,) in ledger.execute(
            "SELECT workbook_id FROM workbooks WHERE mailed_at IS NOT NULL"
        )
    }  # fmt: skip
    kept, not_yet = [], []
    for chase in chases:
        row = chase.workbook
        if chase.state == "missing" and row.get("contact_email") and (
            row.get("workbook_id") not in mailed
        ):
            why = "its workbook is not mailed yet: awardbooks mail drafts writes its message"
            not_yet.append((row.get("setting", ""), row.get("file", ""), why))
        else:
            kept.append(chase)
    return kept, not_yet


def _annotate(
    collection: Collection, name: str, digest: str, record: ReturnRecord, out: Path
) -> Path | None:
    """An annotated copy of the return ``name`` from its kept original (None if it cannot
    be made: not an .xlsx, or its original is gone)."""
    kept = sorted((collection.originals / digest[:2]).glob(f"{digest}.*")) if digest else []
    found = [p for p in kept if p.suffix != ".json"]  # beside it: where it came from
    if not found:
        return None
    original = found[0]
    member = name.partition("!")[2]
    data = None
    for unit_name, _path, unit_data in return_units([original]):
        if not member and unit_name == str(original):
            data = original.read_bytes()
        elif member and unit_name.partition("!")[2] == member and isinstance(unit_data, bytes):
            data = bytes(unit_data)
        if data is not None:
            break
    if data is None:
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        done = annotate_bytes(data, name, out, record, force=True)
    except (AwardbooksError, OSError):
        return None
    return done.out
