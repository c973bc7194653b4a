from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner

from awardbooks.cli import cli
from awardbooks.errors import SpecError
from awardbooks.spec import loading as spec


def counts(fw):
    return [len(g.items) for g in fw.groups]


def test_lppa_has_ten_objectives_and_56_kpis(frameworks):
    fw = frameworks["lppa"]
    assert counts(fw) == [4, 5, 5, 7, 4, 7, 7, 6, 6, 5]
    assert sum(counts(fw)) == 56
    assert fw.scale.labels == ("Red", "Amber", "Green")
    assert fw.items[0].text == "LPPA co-ordinator in place"
    assert [i.id for i in fw.groups[2].items] == ["3.1", "3.2", "3.3", "3.4", "3.5"]


def test_behaviour_attendance_has_4_areas_21_elements_with_four_descriptors(frameworks):
    fw = frameworks["behaviour-attendance"]
    assert counts(fw) == [6, 8, 3, 4]
    assert fw.scale.labels == ("Developing", "Developed", "Established", "Enhancing")
    for item in fw.items:
        assert set(item.descriptors) == set(fw.scale.labels), item.id
        assert all(text.strip() for text in item.descriptors.values()), item.id
    assert fw.sheets.membership.categories == (
        "Secondary schools",
        "Primary schools",
        "Special schools",
        "PRUs and alternative provision",
        "FE",
        "SSP",
    )
    assert len(fw.sheets.outcomes.outcomes) == 8


def test_action_plan_has_32_actions(frameworks):
    fw = frameworks["achievement-action-plan"]
    ids = [i.id for i in fw.items]
    assert len(ids) == 32
    assert ids[:3] == ["2.1a", "2.1b", "2.1c"]
    assert ids[-7:] == ["i", "ii", "iii", "iv", "v", "vi", "vii"]
    assert "2.6e" in ids


def test_family_partnership_themes(frameworks):
    fw = frameworks["family-partnership"]
    assert len(fw.groups) == 6
    assert [i.id for i in fw.groups[0].items] == [f"1.{c}" for c in "abcdefghij"]
    assert all(g.judgement for g in fw.groups)
    assert [g.judgement_only for g in fw.groups] == [True] * 6  # every theme by its judgement
    assert [g.scored_by for g in fw.groups] == ["judgement"] + ["items"] * 5  # 2-6: no items
    assert fw.scale.labels == ("Emergent", "Developing", "Embedded")
    assert [lv.score for lv in fw.scale.levels] == [35, 70, 100]


def test_multi_agency_is_a_labelled_skeleton(frameworks):
    fw = frameworks["multi-agency"]
    assert fw.status == "skeleton"
    assert len(fw.groups) == 9
    assert all("licence holder" in i.text for i in fw.items)


def test_item_ids_unique_everywhere(frameworks):
    for fw in frameworks.values():
        dupes = [k for k, n in Counter(i.id for i in fw.items).items() if n > 1]
        assert dupes == [], fw.id


def write(tmp_path, text):
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """\
id: mine
title: My framework
version: "1"
source: {document: my notes}
scale: rag
groups:
  - id: "1"
    title: One
    items:
      - {id: "1.1", text: First}
"""


def test_every_problem_reported_with_place_and_hint(tmp_path):
    path = write(
        tmp_path,
        GOOD.replace("scale: rag", "scale: rgb").replace(
            '{id: "1.1", text: First}', '{id: "1.1", txt: First}'
        ),
    )
    with pytest.raises(SpecError) as err:
        spec.load(path)
    lines = str(err.value).splitlines()
    assert lines[0] == f"{path}: 3 problems"
    assert (
        f"  {path}: scale: unknown scale 'rgb' (did you mean 'rag'?); use one of "
        "emergent-developing-embedded, developing-to-enhancing, rag or define levels" in lines
    )
    assert f"  {path}: groups[0].items[0]: 'text' is missing" in lines
    assert f"  {path}: groups[0].items[0]: 'txt' is not a known key (did you mean 'text'?)" in lines


def test_semantic_problems(tmp_path):
    text = GOOD + '      - {id: "1.1", text: Again, descriptors: {Gren: x}}\n'
    with pytest.raises(SpecError) as err:
        spec.load(write(tmp_path, text))
    message = str(err.value)
    assert "groups[0].items[1].id: item id '1.1' is already used at groups[0].items[0]" in message
    assert (
        "groups[0].items[1].descriptors: 'Gren' is not a level of the scale "
        "(did you mean 'Green'?) (levels: Red, Amber, Green)" in message
    )


def test_bad_yaml_names_the_line(tmp_path):
    path = write(tmp_path, "id: x\ntitle: [unclosed\n")
    with pytest.raises(SpecError, match=r"line \d+, column \d+: not valid YAML"):
        spec.load(path)


def test_unknown_framework_suggests(tmp_path):
    with pytest.raises(SpecError, match=r"unknown framework 'lpa' \(did you mean 'lppa'\?\)"):
        spec.load("lpa")


def test_spec_check_cli(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["spec", "check", str(write(tmp_path, GOOD))])
    assert ok.exit_code == 0, ok.output
    assert ok.output.endswith(": OK: My framework (version 1), 1 groups, 1 items, complete\n")
    bad = runner.invoke(
        cli, ["spec", "check", str(write(tmp_path, GOOD.replace("title:", "titel:", 1)))]
    )
    assert bad.exit_code == 1
    assert "Error: " in bad.output and "'title' is missing" in bad.output
    assert "Traceback" not in bad.output
