"""The column store the analyser keeps rows in, and slippage worked out on its codes."""

from __future__ import annotations

import math
import random

import pandas as pd

from awardbooks.analyse.progress import slipped_groups as _slipped
from awardbooks.analyse.tables import RATINGS
from awardbooks.analyse.tablestore import TableStore
from awardbooks.common.identity import term_sort_key


def test_rows_by_owner_with_codes_floats_and_text():
    store = TableStore(
        ("who", "item", "score", "note", "n"), coded=("who", "item"), floats=("score",)
    )
    store.add(0, ("Oak",), [("b", 1.0, "", 3), ("a", None, "x", 4)])
    store.add(1, ("Elm",), [("a", 2.5, "y", 5)])
    store.add(2, ("Oak",), [])  # a return without rows adds nothing
    assert len(store) == 3
    df = store.frame()
    scores = df.pop("score").tolist()
    assert df.to_dict("list") == {
        "who": ["Oak", "Oak", "Elm"],
        "item": ["b", "a", "a"],
        "note": ["", "x", "y"],
        "n": [3, 4, 5],
    }
    assert scores[0] == 1.0 and math.isnan(scores[1]) and scores[2] == 2.5
    assert str(df["n"].dtype) == "int64"  # whole numbers as pandas would read them
    only = store.frame([1])
    assert only.to_dict("list") == {
        "who": ["Elm"], "item": ["a"], "score": [2.5], "note": ["y"], "n": [5]
    }  # fmt: skip


def test_categorical_columns_match_what_pandas_makes():
    store = TableStore(("who", "item"), coded=("who", "item"), categorical=True)
    store.add(0, ("Oak",), [("b",), ("a",)])
    store.add(1, ("Elm",), [("c",)])
    df = store.frame([0])
    expected = pd.DataFrame({"who": ["Oak", "Oak"], "item": ["b", "a"]}).astype("category")
    pd.testing.assert_frame_equal(df, expected)  # sorted categories, unused ones dropped


def _slipped_reference(ratings) -> set[tuple]:
    """The plain pandas way (the analyser's earlier code), to check the coded one against."""
    r = ratings[
        ["framework", "setting", "urn", "group_id", "item_id", "year", "term", "score"]
    ].astype({"urn": str, "setting": str})
    r["who_"] = r["urn"].where(r["urn"] != "", r["setting"].str.casefold())
    r["order_"] = [term_sort_key(y, t) for y, t in zip(r["year"], r["term"])]
    r = r.sort_values(["framework", "who_", "item_id", "order_"], kind="stable")
    r["prev_"] = r.groupby(["framework", "who_", "item_id"])["score"].shift()
    down = r[r["score"] < r["prev_"]]
    out = set()
    for row in down.itertuples():
        out.add((row.framework, row.who_, row.group_id, row.year, row.term))
        out.add((row.framework, row.who_, "ALL", row.year, row.term))
    return out


def _changes_reference(ratings) -> dict[tuple, tuple[int, int, int]]:
    """(down, same, up) per (framework, who, group, year, term) and "ALL", the plain pandas
    way: of the items rated in a return and in the setting's previous return of them."""
    r = ratings[
        ["framework", "setting", "urn", "group_id", "item_id", "year", "term", "score"]
    ].astype({"urn": str, "setting": str, "framework": str, "group_id": str, "item_id": str,
              "year": str, "term": str})  # fmt: skip
    r["who_"] = r["urn"].where(r["urn"] != "", r["setting"].str.casefold())
    r["order_"] = [term_sort_key(y, t) for y, t in zip(r["year"], r["term"])]
    r = r.sort_values(["framework", "who_", "item_id", "order_"], kind="stable")
    by = r.groupby(["framework", "who_", "item_id"])
    r["prev_"] = by["score"].shift()
    r["later_"] = by.cumcount() > 0
    out: dict[tuple, list[int]] = {}
    for row in r[r["later_"]].itertuples():
        for group in (row.group_id, "ALL"):
            tally = out.setdefault((row.framework, row.who_, group, row.year, row.term),
                                   [0, 0, 0])  # fmt: skip
            if not (math.isnan(row.score) or math.isnan(row.prev_)):
                tally[(row.score > row.prev_) - (row.score < row.prev_) + 1] += 1
    return {k: tuple(v) for k, v in out.items()}


def test_item_changes_agree_with_plain_pandas():
    from awardbooks.analyse.progress import item_changes

    rng = random.Random(5)
    moved = 0
    for _ in range(30):
        rows = []
        for n in range(rng.randint(1, 12)):
            setting = rng.choice(["Oak", "OAK", "Elm"])
            urn = rng.choice(["", "100001"])
            year, term = rng.choice(
                [("2025-26", "summer"), ("2026-27", "autumn"), ("2026-27", "spring")]
            )
            for item in rng.sample(["1.1", "1.2", "2.1", "2.2"], rng.randint(0, 4)):
                score = rng.choice([0.0, 1.0, 2.0, math.nan])
                rows.append((f"f{n}.xlsx", f"w{n}", "lppa", "1", setting, urn, "P", year, term,
                             item[0], item, "", score, "", ""))  # fmt: skip
        df = pd.DataFrame(rows, columns=list(RATINGS))
        categorical = df.astype({c: "category" for c in RATINGS if c not in ("score", "comment")})
        expected = _changes_reference(df)
        assert item_changes(categorical) == expected
        moved += sum(1 for d, _s, u in expected.values() if d and u)
    assert moved >= 5  # groups where items went both ways (a change of 0.0 can hide them)


def test_slippage_agrees_with_plain_pandas():
    rng = random.Random(7)
    found = 0
    for _ in range(30):
        rows = []
        for n in range(rng.randint(1, 12)):  # returns
            setting = rng.choice(["Oak", "OAK", "Elm", "Ash"])
            urn = rng.choice(["", "100001", "100002"])
            year, term = rng.choice(
                [("2025-26", "summer"), ("2026-27", "autumn"), ("2026-27", "spring")]
            )
            fw = rng.choice(["lppa", "fpa"])
            for item in rng.sample(["1.1", "1.2", "2.1", "2.2"], rng.randint(0, 4)):
                score = rng.choice([0.0, 1.0, 2.0, math.nan])
                # file labels repeat: two attachments of one email can share a name
                rows.append((f"reply.eml!f{n % 2}.xlsx", f"w{n}", fw, "1", setting, urn, "P",
                             year, term, item[0], item, "", score, "", ""))  # fmt: skip
        df = pd.DataFrame(rows, columns=list(RATINGS))
        categorical = df.astype({c: "category" for c in RATINGS if c not in ("score", "comment")})
        expected = _slipped_reference(df)
        assert _slipped(categorical) == expected
        found += bool(expected)
    assert found >= 10  # the cases do slip


def _progress_reference(scores, ratings, frameworks):
    """The plain pandas way (the analyser's earlier code), to check the coded one against."""
    from awardbooks.analyse.progress import round1 as _round1
    from awardbooks.analyse.tables import EXACT, PROGRESS

    df = scores.copy()
    df["order_"] = [term_sort_key(y, t) for y, t in zip(df["year"], df["term"])]
    df["who_"] = df["urn"].where(df["urn"] != "", df["setting"].str.casefold())
    position = {(fid, g.id): n for fid, fw in frameworks.items() for n, g in enumerate(fw.groups)}
    df["group_n_"] = [position.get((f, g), -1) for f, g in zip(df["framework"], df["group_id"])]
    df = df.sort_values(["framework", "who_", "group_n_", "order_"], kind="stable")
    change = df.groupby(["framework", "who_", "group_id"])[EXACT].diff()
    df["change_pct"] = [_round1(v) for v in change]
    changes = _changes_reference(ratings)
    found = [
        changes.get((f, w, g, y, t))
        for f, w, g, y, t in zip(
            df["framework"], df["who_"], df["group_id"], df["year"], df["term"]
        )
    ]
    df["slipped"] = [c is not None and c[0] > 0 for c in found]
    for n, col in enumerate(("items_down", "items_same", "items_up")):
        df[col] = [math.nan if c is None else float(c[n]) for c in found]
    return df[list(PROGRESS)].reset_index(drop=True)


def test_progress_agrees_with_plain_pandas(frameworks):
    from awardbooks.analyse.progress import progress_table as _progress
    from awardbooks.analyse.tables import EXACT, SCORES

    used = {"lppa": frameworks["lppa"]}
    groups = [g.id for g in frameworks["lppa"].groups][:3] + ["X9", "ALL"]
    rng = random.Random(11)
    for _ in range(25):
        scores, ratings = [], []
        for n in range(rng.randint(1, 14)):
            setting = rng.choice(["Oak", "OAK", "Elm", "Ash"])
            urn = rng.choice(["", "100001", "100002"])
            year, term = rng.choice(
                [("2025-26", "summer"), ("2026-27", "autumn"), ("2026-27", "spring"), ("", "x")]
            )
            for gid in rng.sample(groups, rng.randint(1, len(groups))):
                exact = rng.choice([12.5, 50.0, 66.66666, 100.0, math.nan])
                scores.append((f"w{n}", "lppa", setting, urn, "P", year, term, gid, f"T {gid}",
                               1, 2, round(exact, 1), 50.0, exact))  # fmt: skip
                score = rng.choice([0.0, 1.0, 2.0])
                ratings.append((f"f{n}.xlsx", f"w{n}", "lppa", "1", setting, urn, "P", year,
                                term, gid, f"{gid}.1", "", score, "", ""))  # fmt: skip
        s = pd.DataFrame(scores, columns=[*SCORES, EXACT])
        r = pd.DataFrame(ratings, columns=list(RATINGS))
        r = r.astype({c: "category" for c in RATINGS if c not in ("score", "comment")})
        got, expected = _progress(s, r, used), _progress_reference(s, r, used)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)
