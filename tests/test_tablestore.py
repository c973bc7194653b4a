"""The column store the analyser keeps rows in, and slippage worked out on its codes."""

from __future__ import annotations

import math
import random

import pandas as pd

from awardbooks.analysis import _slipped, term_sort_key
from awardbooks.tables import RATINGS
from awardbooks.tablestore import TableStore


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
                rows.append((f"f{n}.xlsx", f"w{n}", fw, "1", setting, urn, "P", year, term,
                             item[0], item, "", score, "", ""))  # fmt: skip
        df = pd.DataFrame(rows, columns=list(RATINGS))
        categorical = df.astype({c: "category" for c in RATINGS if c not in ("score", "comment")})
        expected = _slipped_reference(df)
        assert _slipped(categorical) == expected
        found += bool(expected)
    assert found >= 10  # the cases do slip
