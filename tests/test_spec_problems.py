"""Problems as data for specs and authoring workbooks: codes, places, and every rule that keeps
a spec from failing later, in ``generate``, reported by ``spec check`` instead."""

from __future__ import annotations

import re
import string
import subprocess
import sys

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from awardbooks.authoring import codes as authoring_codes
from awardbooks.authoring import sheets as L
from awardbooks.authoring.reading import import_template
from awardbooks.authoring.sources import load_spec
from awardbooks.authoring.writing import write_template
from awardbooks.cli import cli
from awardbooks.errors import SpecError
from awardbooks.problems import Code, catalogue
from awardbooks.spec import codes
from awardbooks.spec import loading as spec
from awardbooks.spec.sheetnames import OWN_SHEETS, sheet_names
from awardbooks.workbook.layout import CARRY_FORWARD, layout_for

from .conftest import BUILTINS

BASE = {
    "id": "mine",
    "title": "My framework",
    "version": "1",
    "source": {"document": "my notes"},
    "scale": "rag",
    "groups": [
        {"id": "1", "title": "One", "items": [{"id": "1.1", "text": "First"}]},
        {"id": "2", "title": "Two", "judgement": True},
    ],
    "sheets": {
        "action_plan": {"columns": [{"id": "action", "label": "Action"}]},
        "portfolio": {},
        "outcomes": {"columns": [{"id": "met", "label": "Met"}], "outcomes": []},
    },
}


def changed(*edits: tuple[str, object]) -> dict:
    """BASE with ``key.path`` → value edits (an int part indexes a list)."""
    data = yaml.safe_load(yaml.safe_dump(BASE))
    for path, value in edits:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        node = data
        for part in parents:
            node = node[part]
        node[last] = value
    return data


def forbidden(character: str) -> tuple:
    return (
        changed(("sheets.action_plan.title", f"Plan {character} 2026")),
        codes.SHEET_NAME_CHARACTER,
        "sheets.action_plan.title",
        f"sheet name {f'Plan {character} 2026'!r} contains '{character}'; leave it out: Excel "
        "allows none of [ ] : * ? / \\ in a sheet's name",
    )


CLIPS = "Evidence " + "\N{PAPERCLIP}" * 12  # 21 characters, but 33 UTF-16 code units
CAPITALS = "(Excel ignores the difference between capitals and small letters)"
RULES = {
    "empty": (
        changed(("sheets.action_plan.title", "")),
        codes.SHEET_NAME_EMPTY,
        "sheets.action_plan.title",
        "a sheet's name is empty; give the sheet a name",
    ),
    "too long (Excel counts UTF-16 units)": (
        changed(("sheets.portfolio.title", CLIPS)),
        codes.SHEET_NAME_TOO_LONG,
        "sheets.portfolio.title",
        f"sheet name {CLIPS!r} is longer than Excel's 31 characters; shorten it",
    ),
    **{f"character {c}": forbidden(c) for c in "[]:*?/\\"},
    "line break": (
        changed(("sheets.outcomes.title", "Our\noutcomes")),
        codes.SHEET_NAME_CONTROL,
        "sheets.outcomes.title",
        "sheet name 'Our\\noutcomes' contains a line break, a tab or another control character; "
        "write the name on one line",
    ),
    "leading apostrophe": (
        changed(("sheets.action_plan.title", "'Plan")),
        codes.SHEET_NAME_APOSTROPHE,
        "sheets.action_plan.title",
        'sheet name "\'Plan" begins or ends with an apostrophe; leave the apostrophe out: Excel '
        "does not allow it there",
    ),
    "trailing apostrophe": (
        changed(("sheets.action_plan.title", "Schools' plan'")),
        codes.SHEET_NAME_APOSTROPHE,
        "sheets.action_plan.title",
        "sheet name \"Schools' plan'\" begins or ends with an apostrophe; leave the apostrophe "
        "out: Excel does not allow it there",
    ),
    "History": (
        changed(("sheets.portfolio.title", "history")),
        codes.SHEET_NAME_FORBIDDEN,
        "sheets.portfolio.title",
        "Excel keeps the sheet name 'history' for itself; choose another name",
    ),
    **{
        f"reserved {own}": (
            changed(("sheets.action_plan.title", own.upper())),
            codes.SHEET_NAME_RESERVED,
            "sheets.action_plan.title",
            f"sheet name {own.upper()!r} is taken by the workbook's own {own!r} sheet; choose "
            f"another name {CAPITALS}",
        )
        for own in OWN_SHEETS
    },
    "two titles": (
        changed(("sheets.portfolio.title", "action PLAN")),
        codes.SHEET_NAME_REPEATED,
        "sheets.portfolio.title",
        f"two sheets would be called 'action PLAN'; rename one in the spec {CAPITALS}",
    ),
    "a title and a rating sheet": (
        changed(("sheets.outcomes.title", "Group 2")),
        codes.SHEET_NAME_REPEATED,
        "sheets.outcomes.title",
        f"two sheets would be called 'Group 2'; rename one in the spec {CAPITALS}",
    ),
    "a single rating sheet": (
        changed(("audit", {"layout": "single", "title": "Summary"})),
        codes.SHEET_NAME_RESERVED,
        "audit.title",
        f"sheet name 'Summary' is taken by the workbook's own 'Summary' sheet; choose another "
        f"name {CAPITALS}",
    ),
    "group ids differing in capitals": (
        changed(("groups.1.id", "B"), ("groups.0.id", "b")),
        codes.GROUP_SHEET_NAME_REPEATED,
        "groups[1].id",
        "the sheets of groups 'b' and 'B' would both be called 'Group B'; give the groups ids "
        "that differ in more than capitals, or a shorter word for a group (labels.group): a "
        "sheet's name is cut at 31 characters",
    ),
    "group ids cut at 31": (
        changed(
            ("labels", {"group": "Area of the whole-school self-evaluation"}),
            ("groups.1.id", "3"),
        ),
        codes.GROUP_SHEET_NAME_REPEATED,
        "groups[1].id",
        "the sheets of groups '1' and '3' would both be called 'Area of the whole-school self-e'; "
        "give the groups ids that differ in more than capitals, or a shorter word for a group "
        "(labels.group): a sheet's name is cut at 31 characters",
    ),
    "the word for a group": (
        changed(("labels", {"group": "Area:"})),
        codes.SHEET_NAME_CHARACTER,
        "labels.group",
        "sheet name 'Area: 1' contains ':'; leave it out: Excel allows none of [ ] : * ? / \\ in "
        "a sheet's name",
    ),
    # not sheet names, but specs that generate crashed on, or wrote workbooks that could not be
    # read back: found by generating mutated copies of the built-in specs
    "no heading for the ratings": (
        changed(("labels", {"rating": " "})),
        codes.TEXT_TOO_SHORT,
        "labels.rating",
        "String should have at least 1 character",
    ),
    "levels too long for a dropdown": (
        changed(
            (
                "scale",
                {
                    "id": "long",
                    "title": "Long",
                    "levels": [{"label": f"{n} " + "x" * 38, "score": n} for n in range(7)],
                },
            ),
        ),  # fmt: skip
        codes.LEVELS_TOO_LONG,
        "scale",
        "scale 'long': its level labels exceed Excel's 255-character limit for a dropdown; "
        "shorten the labels (they are listed with a comma between each)",
    ),
    "an outcome with an open row's id": (
        changed(("sheets.outcomes.outcomes", [{"id": "L2", "text": "Ours"}])),
        codes.OUTCOME_ID_OPEN_ROW,
        "sheets.outcomes.outcomes[0].id",
        "outcome id 'L2' is the id of one of the open rows for the setting's own outcomes (L1 to "
        "L3); choose another id, e.g. K1",
    ),
    "an outcome id twice": (
        changed(("sheets.outcomes.outcomes", [{"id": "K", "text": "a"}, {"id": "K", "text": "b"}])),
        codes.OUTCOME_ID_REPEATED,
        "sheets.outcomes.outcomes[1].id",
        "outcome id 'K' is used twice",
    ),
    "a column id twice": (
        changed(("sheets.action_plan.columns", [{"id": "a", "label": "A"}] * 2)),
        codes.COLUMN_ID_REPEATED,
        "sheets.action_plan.columns",
        "two columns share an id",
    ),
    "more than a cell holds": (
        changed(("groups.0.items.0.text", "x" * 32768)),
        codes.CELL_TEXT_TOO_LONG,
        "groups[0].items[0].text",
        "the text has 32768 characters, more than an Excel cell holds (32767); shorten it",
    ),
}


@pytest.mark.parametrize("rule", RULES)
def test_spec_check_and_generate_report_the_rule(rule, tmp_path):
    data, code, path, text = RULES[rule]
    spec_file = tmp_path / "mine.yaml"
    spec_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec(spec_file)
    assert [(p.code, p.path, p.text) for p in err.value.problems] == [(code.id, path, text)]
    runner = CliRunner()
    line = f"Error: {spec_file}: {path}: {text}\n"
    checked = runner.invoke(cli, ["spec", "check", str(spec_file)])
    assert (checked.exit_code, checked.output) == (1, line)
    made = runner.invoke(
        cli, ["generate", str(spec_file), "--setting", "Oak", "--out", str(tmp_path / "out")]
    )
    assert (made.exit_code, made.output) == (1, line)
    assert not (tmp_path / "out").exists()


def test_the_base_spec_is_fine_and_generates(tmp_path):
    spec_file = tmp_path / "mine.yaml"
    spec_file.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    made = CliRunner().invoke(
        cli, ["generate", str(spec_file), "--setting", "Oak", "--out", str(tmp_path / "out")]
    )
    assert made.exit_code == 0, made.output


@pytest.mark.parametrize("fid", BUILTINS)
def test_the_layout_takes_its_sheet_names_from_the_spec(fid, frameworks):
    fw = frameworks[fid]
    assert layout_for(fw).sheet_names == sheet_names(fw)
    assert layout_for(fw, CARRY_FORWARD).sheet_names == sheet_names(fw, carry=True)
    outcomes = fw.sheets.outcomes
    if outcomes:  # the spec's rule and the layout agree on the open rows' ids
        keys = {row.key for row in layout_for(fw).table_rows["outcomes"]}
        assert keys - {o.id for o in outcomes.outcomes} == set(outcomes.open_row_ids)


# -- the codes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("module", [codes, authoring_codes], ids=["spec", "authoring"])
def test_every_code_is_documented_by_its_example(module):
    found = catalogue(module)
    prefix = module.__name__.split(".")[1]
    assert len({c.id for c in found}) == len(found)
    for code in found:
        assert re.fullmatch(rf"{prefix}-[a-z0-9]+(-[a-z0-9]+)*", code.id), code.id
        fields = {f[1] for f in string.Formatter().parse(code.template + code.fix)}
        assert not fields & {"file", "sheet", "cell", "path", "severity"}, code.id
        problem = code.example_problem()  # every template value has an example
        assert problem.code == code.id and problem.message


def test_problems_of_a_yaml_spec_carry_codes_and_key_paths(tmp_path):
    data = changed(("scale", "rgb"), ("groups.0.items.0", {"id": "1.1", "txt": "First"}))
    with pytest.raises(SpecError) as err:
        spec.from_data(data, "mine.yaml")
    assert [(p.code, p.file, p.path, p.values) for p in err.value.problems] == [
        ("spec-unknown-scale", "mine.yaml", "scale",
         {"scale": "rgb", "hint": " (did you mean 'rag'?)",
          "known": "emergent-developing-embedded, developing-to-enhancing, rag"}),
        ("spec-missing-key", "mine.yaml", "groups[0].items[0]", {"key": "text"}),
        ("spec-unknown-key", "mine.yaml", "groups[0].items[0]",
         {"key": "txt", "hint": " (did you mean 'text'?)"}),
    ]  # fmt: skip


def test_problems_of_an_authoring_workbook_carry_cells(tmp_path):
    book = write_template(None, tmp_path / "new.xlsx")
    wb = openpyxl.load_workbook(book)
    wb[L.SCALE]["B2"] = "rag"
    wb[L.GROUPS]["A2"], wb[L.GROUPS]["B2"] = "1", "One"
    wb[L.ITEMS]["A2"], wb[L.ITEMS]["B2"] = "1", "1.1"
    wb[L.OUTCOMES]["A2"], wb[L.OUTCOMES]["B2"] = "K1", "Families feel welcome"
    wb.save(book)
    with pytest.raises(SpecError) as err:
        import_template(book, source="new.xlsx")
    found = [(p.code, p.sheet, p.cell, p.row, p.heading) for p in err.value.problems]
    assert found == [
        ("authoring-empty", "Framework", "B2", 0, "Framework id"),
        ("authoring-empty", "Framework", "B3", 0, "Title"),
        ("authoring-empty", "Framework", "B5", 0, "Version"),
        ("authoring-empty", "Framework", "B7", 0, "Source document"),
        ("authoring-empty", "Items", "C2", 0, "Text"),
        ("authoring-sheet-not-included", "Outcomes", "", 2, ""),
    ]
    assert str(err.value.problems[-1]) == (
        "new.xlsx: Outcomes row 2: the outcomes sheet is not included (Sheets!B22 (Outcomes: "
        "include) is No); choose Yes there, or clear this sheet"
    )


def test_rewording_a_spec_message_changes_nothing_in_the_workbook(tmp_path, monkeypatch):
    """The reader goes by codes and values, never by the spec's wording."""
    book = write_template(None, tmp_path / "new.xlsx")
    with pytest.raises(SpecError) as before:
        import_template(book, source="new.xlsx")
    for name in ("MISSING_KEY", "TOO_FEW", "TEXT_TOO_LONG", "GROUP_ID_REPEATED"):
        old = getattr(codes, name)
        monkeypatch.setattr(codes, name, Code(old.id, old.severity, "reworded: " + old.template))
    with pytest.raises(SpecError) as after:
        import_template(book, source="new.xlsx")
    assert str(after.value) == str(before.value)
    with pytest.raises(SpecError, match="reworded: 'title' is missing"):
        spec.from_data(_without("title"))


def _without(key: str) -> dict:
    data = changed()
    data.pop(key)
    return data


# -- the pipeline's order ----------------------------------------------------------------------
def test_loading_a_spec_imports_nothing_from_later_stages():
    code = (
        "import sys; import awardbooks.spec.loading as s; s.load('lppa'); "
        "late = sorted(m for m in sys.modules if m.startswith(('awardbooks.authoring', "
        "'awardbooks.workbook', 'awardbooks.generate.', 'awardbooks.read'))); print(late)"
    )  # (the bare awardbooks.generate package, a docstring, is imported by awardbooks itself)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout == "[]\n", done.stderr


def test_a_workbook_is_read_by_load_spec_not_by_spec_load(tmp_path):
    book = write_template(load_spec("lppa"), tmp_path / "lppa.xlsx")
    assert load_spec(book) == load_spec("lppa")
    with pytest.raises(SpecError) as err:
        spec.load(book)
    assert [p.code for p in err.value.problems] == ["spec-is-workbook"]
    checked = CliRunner().invoke(cli, ["spec", "check", str(book)])
    assert checked.exit_code == 0 and ": OK: Leading Parent Partnership Award" in checked.output
