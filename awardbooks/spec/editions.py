"""Line up ratings from an earlier edition of a framework with the current edition's items.

A spec's ``previous_editions`` says which earlier item ids were renamed, merged (several old
ids → one new id) or removed (→ None); ids not listed are the same item in both editions. The
analyser calls :func:`align_ratings` on a return of an older edition before comparing it with
later returns, and reports the messages it gives back.
"""

from __future__ import annotations

from awardbooks.errors import SpecError
from awardbooks.spec.loading import edition_map
from awardbooks.spec.model import Framework

JUDGEMENT = ":judgement"
"""Rating keys of best-fit judgements are ``<group id>:judgement`` (as in ratings.csv)."""


def align_ratings(
    framework: Framework, old_version: str, ratings: dict[str, str | None]
) -> tuple[dict[str, str | None], list[str]]:
    """Ratings keyed by edition ``old_version``'s ids → keyed by ``framework``'s ids.

    ``ratings`` maps an item id (or ``<group>:judgement``) to a level label, or None when
    unrated. Returns the aligned ratings (only ids of ``framework``) and one plain message per
    rating that could not be carried over: removed items, ids this edition does not know, and
    merged items rated differently (the lowest level is kept, as the cautious reading)."""
    try:
        mapping = edition_map(framework, old_version)
        declared = True
    except SpecError:
        mapping, declared = {}, False
    items = {item.id for item in framework.items}
    judged = {group.id for group in framework.groups if group.judgement}
    order = {label: n for n, label in enumerate(framework.scale.labels)}
    name = f"{framework.name} edition {framework.version}"
    merged: dict[str, list[tuple[str, str | None]]] = {}
    messages: list[str] = []
    for old, label in ratings.items():
        if old.endswith(JUDGEMENT):
            if old.removesuffix(JUDGEMENT) in judged:
                merged.setdefault(old, []).append((old, label))
            elif label is not None:
                messages.append(
                    f"the best-fit judgement of group {old.removesuffix(JUDGEMENT)!r} "
                    f"(edition {old_version}) has no group to go to in {name}; "
                    f"its rating {label!r} is left out"
                )
            continue
        if old in mapping:
            new = mapping[old]
            if new is None:
                if label is not None:
                    messages.append(
                        f"item {old!r} was removed in {name}; its rating {label!r} from "
                        f"edition {old_version} is left out"
                    )
                continue
        elif old in items:
            new = old
        else:
            if label is not None:
                if old_version == framework.version:
                    why = ""
                elif declared:
                    why = f", and its map from edition {old_version} does not list it"
                else:
                    why = (
                        f", which declares no map from edition {old_version} (add one under "
                        "previous_editions)"
                    )
                messages.append(
                    f"item {old!r} of edition {old_version} is not in {name}{why}; "
                    f"its rating {label!r} is left out"
                )
            continue
        merged.setdefault(new, []).append((old, label))
    aligned: dict[str, str | None] = {}
    for new, sources in merged.items():
        labels = [label for _old, label in sources if label is not None]
        unknown = [label for label in labels if label not in order]
        for label in unknown:
            messages.append(
                f"{label!r} (for {new!r}, edition {old_version}) is not a level of {name}'s "
                f"scale ({', '.join(order)}); it is left out"
            )
        known = [label for label in labels if label in order]
        if not known:
            aligned[new] = None
            continue
        lowest = min(known, key=order.__getitem__)
        if len(set(known)) > 1:
            olds = ", ".join(f"{old!r} ({label})" for old, label in sources if label in order)
            messages.append(
                f"items {olds} of edition {old_version} were merged into {new!r}; their ratings "
                f"differ, so the lowest, {lowest!r}, is used"
            )
        aligned[new] = lowest
    return aligned, messages
