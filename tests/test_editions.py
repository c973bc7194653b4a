"""Editions: previous_editions in a spec, edition_map, and align_ratings for progress."""

from __future__ import annotations

import pytest
import yaml

from awardbooks.authoring import reading, writing
from awardbooks.errors import SpecError
from awardbooks.spec import export as specout
from awardbooks.spec import loading as spec
from awardbooks.spec.editions import align_ratings

SPEC = """\
id: mine
title: My framework
version: "2026.1"
source: {document: my notes}
scale: rag
groups:
  - id: "1"
    title: One
    judgement: true
    items:
      - {id: "1.1", text: First}
      - {id: "1.2", text: Second (was 1.2 and 1.3)}
      - {id: "1.4", text: New this edition}
previous_editions:
  - version: "2025.1"
    map: {"1.3": "1.2", "1.5": null, old-1: "1.1"}
  - version: "2024.1"
"""


@pytest.fixture
def fw(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return spec.load(path)


def test_edition_map(fw):
    assert spec.edition_map(fw, "2025.1") == {"1.3": "1.2", "1.5": None, "old-1": "1.1"}
    assert spec.edition_map(fw, "2024.1") == {}
    assert spec.edition_map(fw, "2026.1") == {}
    with pytest.raises(SpecError) as err:
        spec.edition_map(fw, "2023.1")
    assert str(err.value) == (
        "My framework edition 2026.1 declares no map from edition '2023.1' (declared: 2025.1, "
        "2024.1); add it under previous_editions"
    )


def test_previous_editions_do_not_change_the_fingerprint(fw):
    data = fw.model_dump()
    data.pop("previous_editions")
    assert spec.from_data(data).fingerprint() == fw.fingerprint()


def test_a_map_must_point_at_items_of_this_spec(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        SPEC.replace('"1.3": "1.2"', '"1.3": "1.22"').replace('"2024.1"', '"2026.1"'),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as err:
        spec.load(path)
    assert str(err.value).splitlines() == [
        f"{path}: 2 problems",
        f"  {path}: previous_editions[0].map.1.3: '1.22' is not an item id of this spec "
        "(did you mean '1.2'?); map to one of its items, or to nothing (null) if the item was "
        "removed",
        f"  {path}: previous_editions[1].version: '2026.1' is this spec's own version; list "
        "only earlier editions",
    ]


def test_align_renamed_merged_removed_and_unknown(fw):
    old = {
        "1.1": "Green",  # the same id in both editions
        "1.2": "Green",  # merged with 1.3 into 1.2: the lower rating is kept
        "1.3": "Amber",
        "1.5": "Red",  # removed
        "1.9": "Amber",  # not in this edition, and not in the map
        "1.6": None,  # unrated: nothing to report
        "1:judgement": "Amber",
        "7:judgement": "Green",  # a group this edition does not have
    }
    aligned, messages = align_ratings(fw, "2025.1", old)
    assert aligned == {"1.1": "Green", "1.2": "Amber", "1:judgement": "Amber"}
    assert messages == [
        "item '1.5' was removed in My framework edition 2026.1; its rating 'Red' from edition "
        "2025.1 is left out",
        "item '1.9' of edition 2025.1 is not in My framework edition 2026.1, and its map from "
        "edition 2025.1 does not list it; its rating 'Amber' is left out",
        "the best-fit judgement of group '7' (edition 2025.1) has no group to go to in My "
        "framework edition 2026.1; its rating 'Green' is left out",
        "items '1.2' (Green), '1.3' (Amber) of edition 2025.1 were merged into '1.2'; their "
        "ratings differ, so the lowest, 'Amber', is used",
    ]


def test_align_a_rename_and_an_undeclared_edition(fw):
    assert align_ratings(fw, "2025.1", {"old-1": "Red", "1.3": None}) == (
        {"1.1": "Red", "1.2": None},
        [],
    )
    aligned, messages = align_ratings(fw, "2023.1", {"1.1": "Green", "1.3": "Purple"})
    assert aligned == {"1.1": "Green"}
    assert messages == [
        "item '1.3' of edition 2023.1 is not in My framework edition 2026.1, which declares no "
        "map from edition 2023.1 (add one under previous_editions); its rating 'Purple' is "
        "left out"
    ]
    assert align_ratings(fw, "2026.1", {"1.4": "Purple"}) == (
        {"1.4": None},  # the item is there, its rating is not a level
        ["'Purple' (for '1.4', edition 2026.1) is not a level of My framework edition "
         "2026.1's scale (Red, Amber, Green); it is left out"],
    )  # fmt: skip


def test_editions_round_trip_through_the_authoring_workbook_and_yaml(fw, tmp_path):
    book = writing.write_template(fw, tmp_path / "mine.xlsx")
    assert reading.import_template(book) == fw
    text = specout.to_yaml(fw)
    assert "previous_editions:\n  - version: '2025.1'\n    map:\n      '1.3': '1.2'\n" in text
    assert "      '1.5': null\n" in text
    assert spec.from_data(yaml.safe_load(text)) == fw
