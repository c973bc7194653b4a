"""How complete a return is: the warning for a return with nothing rated
(:data:`~awardbooks.read.codes.NOTHING_RATED`) and for one rated below its completion threshold
(:data:`~awardbooks.read.codes.INCOMPLETE`, naming the groups left blank), and the words every
output uses for it ("17 of 21 rated, 81 %").

Decisions:

- Completion counts scoring units, as the scores do (``rated`` of ``total`` in scores.csv):
  items, and the best-fit judgements of groups scored by their judgement.
- A return with nothing rated is a warning, not an error: it is read and listed, but left out
  of the scores, the means and the count of settings (:mod:`awardbooks.analyse`), so that an
  empty workbook sent back by mistake never lowers a partnership's mean.
- The threshold is the spec's ``completion_threshold`` (80 by default), or the one the run
  was given (:class:`~awardbooks.read.returns.Registry`); a return with errors is not judged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from awardbooks.common.text import listed, plural
from awardbooks.problems import Problem
from awardbooks.read import codes
from awardbooks.spec.model import Framework
from awardbooks.workbook.cells import sentence
from awardbooks.workbook.scoring import score_groups


class _Record(Protocol):
    framework: Framework | None
    ratings: dict[str, Any]
    errors: list[Problem]


class _Options(Protocol):
    completion_threshold: float | None


def completion(fw: Framework, ratings: dict[str, Any]) -> tuple[int, int]:
    """(rated, total) of a return's scoring units, as its scores count them (``ratings``:
    row key -> a :class:`~awardbooks.read.returns.Rating`)."""
    _groups, overall = score_groups(fw, {key: r.label for key, r in ratings.items()})
    return overall.rated, overall.total


def completion_text(rated: int, total: int) -> str:
    """'17 of 21 rated, 81 %': how complete a return is, as every output says it (the % is
    rounded to a whole number, but a return short of all is never shown as 100 %)."""
    whole = int(rated * 100 / total + 0.5) if total else 0
    return f"{rated} of {total} rated, {min(whole, 99) if rated < total else whole} %"


def check_completion(
    record: _Record, options: _Options, report: Callable[[Problem], None]
) -> None:
    """Report a return with nothing rated, or rated below the completion threshold (naming
    the groups with nothing rated)."""
    fw = record.framework
    if fw is None or record.errors or not record.ratings:
        return
    rated, total = completion(fw, record.ratings)
    if total == 0:
        return
    if not any(r.label for r in record.ratings.values()):
        unit = _unit(fw)
        none = f"none of the {plural(total, unit)} has a rating" if total > 1 else (
            f"its one {unit} has no rating"
        )  # fmt: skip
        report(codes.NOTHING_RATED(none=none))
        return
    threshold = options.completion_threshold
    if threshold is None:
        threshold = fw.completion_threshold
    if rated * 100 >= threshold * total:
        return
    rated_groups = {r.group_id for r in record.ratings.values() if r.label}
    blank = [
        f"{fw.labels.group} {g.id} ({_short(g.title)})" for g in fw.groups
        if g.id not in rated_groups
    ]  # fmt: skip
    where = f"; nothing is rated in {listed(blank)}" if blank else ""
    report(
        codes.INCOMPLETE(
            completion=completion_text(rated, total), threshold=f"{threshold:g}", blank=where
        )
    )


TITLE_MAX = 50
"""Characters of a group's title in the warning: a longer one is cut at a word, with '…'."""


def _short(title: str) -> str:
    if len(title) <= TITLE_MAX:
        return title
    return title[: TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _unit(fw: Framework) -> str:
    """What a framework's scoring units are called: its items, or its judgements when every
    group is scored by its judgement."""
    if all(g.judgement_only for g in fw.groups):
        return sentence(fw.labels.judgement)
    return sentence(fw.labels.item)
