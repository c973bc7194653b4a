"""The public API of a collection, one partnership's year in one folder
(:mod:`awardbooks.collection`): the commands run inside it. Part of :mod:`awardbooks.api`,
which imports every name here (use it from there); kept apart so both stay readable.

As in :mod:`awardbooks.api`, the stages are imported inside the functions that use them, so
``awardbooks --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from awardbooks.errors import GenerateError

if TYPE_CHECKING:
    from awardbooks.collection.commands import Updated
    from awardbooks.collection.settings import Collection
    from awardbooks.collection.status import Status as CollectionStatus

# --------------------------------------------------------------------------- collections
# A collection is one partnership's year in one folder (awardbooks/collection/): these are the
# commands run inside it. ``collection`` is its folder (None: the current folder or the
# nearest above it holding awardbooks.toml) or a Collection already found.


def new_collection(
    folder: str | Path,
    *,
    frameworks: Iterable[str | Path],
    roster: str | Path,
    year: str | None = None,
    title: str | None = None,
    terms: Iterable[str] | None = None,
    issued: Iterable[str | Path] = (),
) -> Collection:
    """Make a collection folder: settings (awardbooks.toml), a copy of the roster, folders for
    workbooks, drafts, returns and outputs, and an empty ledger. ``issued``: folders of
    workbooks already generated for the year (with their manifest.csv) that join it."""
    from awardbooks.authoring.sources import load_spec
    from awardbooks.collection.commands import new
    from awardbooks.common.identity import current_academic_year

    given = [str(f) for f in frameworks]
    if not given:
        raise GenerateError("give the collection's framework with {opt:framework} ID")
    ids = {}
    for framework in given:  # every framework must load before anything is made
        ids[framework] = load_spec(framework).id
        same = [given for given, fid in ids.items() if fid == ids[framework]]
        if len(same) > 1:
            raise GenerateError(
                f"{same[0]} and {same[1]} are both the framework {ids[framework]!r}: a collection "
                "holds each framework once; give one of them, or give your own spec an id of "
                "its own (its id: line)"
            )
    return new(
        Path(folder), frameworks=given, roster=Path(roster),
        year=year or current_academic_year(), title=title,
        terms=list(terms) if terms else None, framework_ids=ids,
        issued=[Path(f) for f in issued],
    )  # fmt: skip


def open_collection(collection: str | Path | Collection | None = None) -> Collection:
    """The collection in ``collection`` (a folder), or else around the current folder."""
    from awardbooks.collection.settings import Collection, find

    if isinstance(collection, Collection):
        return collection
    return find(collection)


def in_collection() -> bool:
    """Whether the current folder is inside a collection."""
    from awardbooks.collection.settings import found_here

    return found_here()


def update(collection: str | Path | Collection | None = None, **options) -> Updated:
    """Take in the return files under the collection's returns/ not seen before (by content),
    record them in its ledger, and bring its outputs and workbooks up to date. Options:
    ``wait`` (seconds to wait for another command holding the collection), ``waiting`` (called
    once with who holds it), ``progress(done, total)``, ``jobs``, ``today``, ``lenient`` (a
    rating that is not a level is read as unrated, with a warning, rather than rejecting the
    return) and ``completion_threshold`` (the % rated below which a return is incomplete;
    default: each spec's own)."""
    from awardbooks.collection.commands import update as _update

    return _update(open_collection(collection), **options)


def add_returns(
    files: Iterable[str | Path], collection: str | Path | Collection | None = None, **options
) -> Updated:
    """Copy return files into the collection's returns/added/ folder, then :func:`update`."""
    from awardbooks.collection.commands import add

    return add(open_collection(collection), [Path(f) for f in files], **options)


def collection_status(
    collection: str | Path | Collection | None = None, today: dt.date | None = None
) -> CollectionStatus:
    """Per framework and term: workbooks issued, returned, accepted, with warnings, rejected,
    missing; who to chase; superseded workbooks; files waiting under returns/."""
    from awardbooks.collection.status import status

    return status(open_collection(collection), today)


def rebuild_ledger(collection: str | Path | Collection | None = None, **options):
    """Make the collection's ledger again from the returns kept in it (the old ledger is kept
    beside it): for a damaged ledger. Returns a Rebuilt."""
    from awardbooks.collection.commands import rebuild

    return rebuild(open_collection(collection), **options)


def draft_passwords(collection: str | Path | Collection | None = None, **options):
    """The password messages and list of a collection's encrypted workbooks of ``term``, in
    ``drafts/TERM/passwords/``; returns (term, PasswordMessages)."""
    from awardbooks.collection.commands import draft_passwords as _draft

    return _draft(open_collection(collection), **options)


def purge(collection: str | Path | Collection | None = None, **options):
    """Erase a setting's returns (``setting``: URN or name) or those taken in ``before`` a date
    from the collection for good (:func:`awardbooks.collection.commands.purge`)."""
    from awardbooks.collection.commands import purge as _purge

    return _purge(open_collection(collection), **options)


def generate_term(
    term: str,
    collection: str | Path | Collection | None = None,
    *,
    framework: str | None = None,
    force: bool = False,
    prefill: bool = False,
    **options,
):
    """The collection's workbooks for ``term``: one per roster setting and framework (or only
    ``framework``), carrying forward each setting's latest accepted return after the first
    term. Workbooks already made and current are kept; one out of date is rewritten if not
    yet mailed, else (superseded) only with ``force``. Returns an Issued."""
    from awardbooks.collection.commands import framework_ids
    from awardbooks.collection.commands import generate_term as _generate

    found = open_collection(collection)
    frameworks = None
    if framework is not None:
        if framework not in framework_ids(found):
            shown = ", ".join(framework_ids(found))
            raise GenerateError(
                f"{framework}: not one of this collection's frameworks ({shown}); add it to "
                "frameworks in awardbooks.toml, or leave it out to generate them all"
            )
        frameworks = [framework]
    return _generate(found, term=term, frameworks=frameworks, force=force, prefill=prefill,
                     **options)  # fmt: skip


def draft_term(collection: str | Path | Collection | None = None, **options):
    """Drafts (.eml) for a term's workbooks not yet mailed, into the collection's
    drafts/TERM/; options ``term`` (default: the latest term issued), ``again``, ``template``,
    ``from_addr``. Returns a Drafted."""
    from awardbooks.collection.commands import draft_term as _draft

    return _draft(open_collection(collection), **options)


def chase_term(
    only: str | Iterable[str], collection: str | Path | Collection | None = None, **options
):
    """Chase drafts (.eml) for a term's settings whose return is missing, rejected or
    incomplete (of the states ``only`` names), into the collection's drafts/TERM/, each
    rejected or incomplete return annotated into outputs/annotated/TERM/ and attached; options
    ``term`` (default: the latest term issued), ``force``, ``template``, ``from_addr`` (a
    missing setting is chased once its workbook was mailed). Returns a Chased."""
    from awardbooks.collection.chase import chase_term as _chase

    return _chase(open_collection(collection), only, **options)


def report_collection(collection: str | Path | Collection | None = None, **options):
    """Feedback reports for the collection's settings in outputs/feedback/, kept current by
    later updates; options ``pdf``, ``force``. Returns a FeedbackResult."""
    from awardbooks.collection.commands import report_collection as _report

    return _report(open_collection(collection), **options)
