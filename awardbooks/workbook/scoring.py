"""Scoring rules, in one place, used by the writer (cached formula values) and the analyser.

- an item's score is its level's score;
- a group's % is the mean of its rated items' scores divided by the scale's top score;
- a group with no rated items, or whose spec says ``scored_by: judgement``, is scored by its
  best-fit judgement alone (its items are then the evidence beside the judgement);
- the overall % is the mean over every scoring unit of the framework: each rated item of a
  group scored by its items, and each judgement of a group scored by its judgement;
- unrated items count only in completion %.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from awardbooks.spec.model import Framework


@dataclass(frozen=True)
class GroupScore:
    group_id: str
    title: str
    counts: dict[str, int]
    rated: int
    total: int
    points: float
    judgement: str | None

    @property
    def completion(self) -> float:
        """Fraction of scoring units rated (0–1)."""
        return self.rated / self.total if self.total else 0.0

    def score(self, top: float) -> float | None:
        """Fraction of the top score (0–1), or None when nothing is rated."""
        return self.points / self.rated / top if self.rated else None


def score_groups(
    framework: Framework, ratings: Mapping[str, str | None]
) -> tuple[list[GroupScore], GroupScore]:
    """Per-group scores and the overall row from ``{row key: level label or None}``.

    Keys are item ids, and ``"<group id>:judgement"`` for best-fit judgements. Labels must
    already be exact level labels; anything else counts as unrated.
    """
    scale = framework.scale
    scores = {level.label: level.score for level in scale.levels}
    groups = []
    for group in framework.groups:
        keys = [item.id for item in group.rated_items]
        if group.judgement_only:
            keys = [f"{group.id}:judgement"]
        counts = {label: 0 for label in scale.labels}
        points = 0.0
        for key in keys:
            label = ratings.get(key)
            if label in counts:
                counts[label] += 1
                points += scores[label]
        judgement = ratings.get(f"{group.id}:judgement") if group.judgement else None
        groups.append(
            GroupScore(
                group.id,
                group.title,
                counts,
                sum(counts.values()),
                len(keys),
                points,
                judgement if judgement in counts else None,
            )
        )
    overall_counts = {label: sum(g.counts[label] for g in groups) for label in scale.labels}
    overall = GroupScore(
        "ALL",
        "Overall",
        overall_counts,
        sum(g.rated for g in groups),
        sum(g.total for g in groups),
        sum(g.points for g in groups),
        None,
    )
    return groups, overall


def pct(fraction: float | None) -> float | None:
    """A 0–1 fraction as a 0–100 percentage with one decimal, as every output shows it."""
    return None if fraction is None else round(fraction * 100 + 1e-9, 1)
