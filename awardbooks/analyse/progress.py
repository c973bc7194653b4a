"""Progress and summaries, worked out on the consolidated tables: each setting's score by
group and term with the change since its previous return, how many of the items rated both
times went down, stayed the same and went up (and so whether a rating slipped), the means per
partnership, the level counts.

The tables can hold hundreds of thousands of rows, so rows are compared as integer codes with
numpy, never as rows of text. Scores are compared unrounded (:data:`EXACT`) and rounded once.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from awardbooks.analyse.tables import EXACT, GROUP_MEANS, LEVELS, PROGRESS, SUMMARY
from awardbooks.common.identity import setting_key, term_sort_key


def round1(value: float) -> float:
    """One decimal, halves rounded up (as people round), NaN kept."""
    if value != value:  # NaN
        return value
    return math.floor(value * 10 + 0.5 + 1e-9) / 10


def progress_table(scores, ratings, frameworks):
    """Each setting's score per group and term, in order, with the change since its previous
    return and whether any rating slipped. Sorted and compared on integer codes: the scores
    table has a row per group per return."""

    if scores.empty:
        return pd.DataFrame(columns=PROGRESS)
    fw_code, fw_names = pd.factorize(scores["framework"], sort=True, use_na_sentinel=False)
    who_code, who_names = _who(scores)
    gid_code, gid_names = pd.factorize(scores["group_id"], sort=True, use_na_sentinel=False)
    position = {(fid, g.id): n for fid, fw in frameworks.items() for n, g in enumerate(fw.groups)}
    pair, first = _pairs(scores["framework"], scores["group_id"])
    group_n = np.array(  # each group's place in its framework, worked out once per pair
        [position.get((f, g), -1) for f, g in zip(scores["framework"].iloc[first],
                                                 scores["group_id"].iloc[first])]
    )[pair]  # fmt: skip
    by = np.lexsort((_when(scores), group_n, who_code, fw_code))  # stable, as a sort by all
    key = (fw_code * len(who_names) + who_code) * len(gid_names) + gid_code
    exact = scores[EXACT].to_numpy(dtype=float)[by]
    key = key[by]
    within = np.argsort(key, kind="stable")  # each group's rows, in the order above
    change = np.full(len(by), np.nan)
    same = key[within][1:] == key[within][:-1]
    change[within[1:][same]] = exact[within[1:][same]] - exact[within[:-1][same]]
    with np.errstate(invalid="ignore"):
        rounded = np.floor(change * 10 + 0.5 + 1e-9) / 10  # as _round1: halves up, NaN kept
    out = scores.iloc[by][[c for c in PROGRESS if c in scores.columns]].reset_index(drop=True)
    out["change_pct"] = rounded
    counts = item_changes(ratings)
    keys = list(zip(
        fw_names[fw_code[by]], who_names[who_code[by]], gid_names[gid_code[by]],
        out["year"].astype(object), out["term"].astype(object),
    ))  # fmt: skip
    compared = [counts.get(tuple(map(str, key))) for key in keys]
    for n, col in enumerate(("items_down", "items_same", "items_up")):
        out[col] = np.array(
            [np.nan if c is None else c[n] for c in compared], dtype=float
        )  # NaN: no earlier return to compare with
    out["slipped"] = [c is not None and c[0] > 0 for c in compared]
    return out[list(PROGRESS)]


def item_changes(ratings) -> dict[tuple, tuple[int, int, int]]:
    """(framework, who, group id, year, term) -> (down, same, up): of the items rated both in a
    setting's return and in its previous one, how many went down, stayed the same and went up,
    per group and overall ("ALL"); only returns that have a previous one are keyed. Worked on
    integer codes (one row per rating can be hundreds of thousands)."""

    if ratings.empty:
        return {}
    person, who_names = _who(ratings)
    when = _when(ratings)
    fw = _codes(ratings["framework"])
    item = _codes(ratings["item_id"])
    score = ratings["score"].to_numpy(dtype=float)
    by = np.lexsort((when, item, person, fw))  # stable, like a sort by all four
    same_item = (fw[by][1:] == fw[by][:-1]) & (person[by][1:] == person[by][:-1])
    same_item &= item[by][1:] == item[by][:-1]
    later, earlier = score[by][1:], score[by][:-1]
    rated = same_item & ~np.isnan(later) & ~np.isnan(earlier)
    change = np.zeros(len(by), dtype=np.int8)  # -1 down, 0 same, 1 up
    change[1:][rated] = np.sign(later[rated] - earlier[rated]).astype(np.int8)
    compared = np.zeros(len(by), dtype=bool)
    compared[1:] = rated
    # every return after a setting's first has its (possibly zero) counts
    has_before = np.zeros(len(by), dtype=bool)
    has_before[1:] = same_item
    rows = by[has_before]
    found = ratings.iloc[rows][["framework", "group_id", "year", "term"]].astype(str)
    found.insert(1, "who", who_names[person[rows]])
    moved, looked = change[has_before], compared[has_before]
    found["down"] = (looked & (moved < 0)).astype(int)
    found["same"] = (looked & (moved == 0)).astype(int)
    found["up"] = (looked & (moved > 0)).astype(int)
    overall = found.assign(group_id="ALL")
    keys = ["framework", "who", "group_id", "year", "term"]
    summed = pd.concat([found, overall]).groupby(keys, sort=False)[["down", "same", "up"]].sum()
    return {
        tuple(str(k) for k in key): (int(d), int(s), int(u))
        for key, d, s, u in zip(summed.index, summed["down"], summed["same"], summed["up"])
    }


def slipped_groups(ratings) -> set[tuple]:
    """(framework, who, group id, year, term) of each group, and of "ALL", in which any
    item's score went down since the setting's previous return (the progress table's
    ``slipped``: an ``items_down`` above 0)."""
    return {key for key, (down, _same, _up) in item_changes(ratings).items() if down}


def _who(df):
    """Each row's setting as a code (its URN, or its name case-folded when it has none; codes
    in sorted order), and the texts the codes stand for. Worked out once per distinct pair."""

    pair, first = _pairs(df["urn"], df["setting"])
    texts = [
        setting_key(urn, setting)
        for urn, setting in zip(df["urn"].iloc[first], df["setting"].iloc[first])
    ]
    codes, names = pd.factorize(pd.Series(texts, dtype=object), sort=True)
    return codes[pair], names.to_numpy(dtype=object)


def _when(df):
    """Each row's term as its rank in time (by year, then baseline, autumn, spring, summer)."""

    pair, first = _pairs(df["year"], df["term"])
    order = [
        term_sort_key(y, t)
        for y, t in zip(df["year"].iloc[first], df["term"].iloc[first])
    ]
    rank = {key: n for n, key in enumerate(sorted(set(order)))}
    return np.array([rank[key] for key in order])[pair]


def _pairs(a, b):
    """For two columns: each row's number of its (a, b) pair of values, and for each pair
    the first row holding it."""

    ca, cb = _codes(a).astype(np.int64), _codes(b).astype(np.int64)
    key = (ca + 1) * (int(cb.max()) + 2) + (cb + 1)
    _unique, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return inverse, first


def _codes(series):
    """Integer codes of a column's values (a categorical's own codes; no text copied)."""

    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy()
    return pd.factorize(series, use_na_sentinel=False)[0]


def summary_table(scores, frameworks):

    overall = scores[scores["group_id"] == "ALL"]
    if overall.empty:
        return pd.DataFrame(columns=SUMMARY)
    keys = ["partnership", "framework", "year", "term"]
    g = overall.groupby(keys, dropna=False)["score_pct"]
    exact = overall.groupby(keys, dropna=False)[EXACT].mean()
    out = pd.DataFrame(
        {
            "settings": g.size(),
            "mean_pct": [round1(v) for v in exact],
            "min_pct": g.min(),
            "max_pct": g.max(),
        }
    ).reset_index()
    out["framework_title"] = [
        frameworks[f].title if f in frameworks else f for f in out["framework"]
    ]
    return out[list(SUMMARY)]


def level_counts(ratings, by: tuple[str, ...] = ()):
    """How many ratings are at each level, per partnership, framework, year and term (and
    ``by`` columns): the :data:`LEVELS` columns, then ``by``."""
    rated = ratings[ratings["rating"] != ""]
    if rated.empty:
        return pd.DataFrame(columns=[*LEVELS, *by])
    keys = ["partnership", "framework", "year", "term", *by]
    out = rated.groupby(keys + ["rating"], observed=True).size().reset_index(name="count")
    return out.rename(columns={"rating": "level"})[[*LEVELS, *by]]


def levels_table(counts):
    """The level counts per partnership, framework, year and term, summed from
    :func:`level_counts` rows (of one return each, or of many)."""
    if counts.empty:
        return pd.DataFrame(columns=LEVELS)
    keys = ["partnership", "framework", "year", "term", "level"]
    out = counts.groupby(keys, observed=True)["count"].sum().reset_index()
    out["count"] = out["count"].astype(int)
    return out[list(LEVELS)]


def group_means_table(scores):

    groups = scores[scores["group_id"] != "ALL"]
    if groups.empty:
        return pd.DataFrame(columns=GROUP_MEANS)
    keys = ["partnership", "framework", "year", "term", "group_id", "group_title"]
    out = groups.groupby(keys, sort=False)[EXACT].mean().reset_index()
    out["mean_pct"] = [round1(v) for v in out[EXACT]]
    return out[list(GROUP_MEANS)]
