"""Scores other than a spec's own: ``Red=0,Amber=50,Green=100`` given to ``generate
--scores``, recorded in the workbook's metadata and applied again by the reader, so that the
workbook's formulas, its cached values, the analyser and the feedback report use the same
scores.

The scores of most built-in frameworks are awardbooks' convention (their source documents give
none): this is how a partnership uses its own without writing a spec.
"""

from __future__ import annotations

from awardbooks.spec.model import Framework, Level, Scale, per_framework


class ScoresError(ValueError):
    """Scores that cannot be used with the framework's scale (the message says why)."""


def parse_scores(text: str, scale: Scale) -> dict[str, float]:
    """``"Red=0,Amber=50,Green=100"`` as {level: score}, checked against ``scale``: every
    level given once, each score a number of 0 or more, rising from the lowest level to the
    highest, the top one above 0."""
    given: dict[str, float] = {}
    labels = {label.casefold(): label for label in scale.labels}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        label = labels.get(name.strip().casefold())
        if not sep or label is None:
            raise ScoresError(
                f"{part.strip()!r} is not LEVEL=SCORE for a level of {'/'.join(scale.labels)}"
            )
        if label in given:
            raise ScoresError(f"{label} is given more than once")
        try:
            score = float(value.strip())
        except ValueError:
            raise ScoresError(f"{label}={value.strip()!r}: the score is not a number") from None
        if score < 0 or score != score or score in (float("inf"), float("-inf")):
            raise ScoresError(f"{label}={value.strip()}: a score is a number of 0 or more")
        given[label] = score
    missing = [label for label in scale.labels if label not in given]
    if missing:
        raise ScoresError(f"no score for {', '.join(missing)}; give every level of the scale")
    ordered = [given[label] for label in scale.labels]
    if ordered != sorted(ordered):
        raise ScoresError(
            f"scores must rise from {scale.labels[0]} to {scale.labels[-1]} (lowest level first)"
        )
    if ordered[-1] <= 0:
        raise ScoresError(f"the top level's score ({scale.labels[-1]}) must be above 0")
    return given


def scores_text(scores: dict[str, float]) -> str:
    """{level: score} written back as ``Red=0,Amber=50,Green=100`` (the metadata's form)."""
    return ",".join(f"{label}={score:g}" for label, score in scores.items())


def rescore(framework: Framework, text: str) -> tuple[Framework, str]:
    """``framework`` with its scale's scores replaced by ``text``'s, and the scores written
    in the metadata's form; ``framework`` itself for an empty ``text``. Raises
    :class:`ScoresError`."""
    if not text.strip():
        return framework, ""
    scores = parse_scores(text, framework.scale)
    canonical = scores_text(scores)
    if all(level.score == scores[level.label] for level in framework.scale.levels):
        return framework, canonical  # the spec's own scores: the same framework
    return per_framework(f"rescored:{canonical}", framework, lambda fw: _rescored(fw, scores)), (
        canonical
    )


def _rescored(framework: Framework, scores: dict[str, float]) -> Framework:
    levels = tuple(
        Level(label=lv.label, meaning=lv.meaning, score=scores[lv.label], colour=lv.colour)
        for lv in framework.scale.levels
    )
    scale = framework.scale.model_copy(update={"levels": levels})
    return framework.model_copy(update={"scale": scale})
