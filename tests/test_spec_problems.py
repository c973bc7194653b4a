"""Problems as data for specs and authoring workbooks: codes, places, and loading a spec
without the later stages."""

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
        "new.xlsx: Outcomes row 2: the outcomes sheet is not included (Sheets!B19 (Outcomes: "
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
        "'awardbooks.workbook', 'awardbooks.generate', 'awardbooks.read'))); print(late)"
    )
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
