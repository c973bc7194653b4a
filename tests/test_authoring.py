"""Authoring workbooks: template → (Excel or LibreOffice) → import, generate and check."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from awardbooks.authoring import reading, writing
from awardbooks.authoring import sheets as L
from awardbooks.cli import cli
from awardbooks.errors import SpecError
from awardbooks.spec import export as specout
from awardbooks.spec import loading as spec
from tests import lofill as lo

from .conftest import BUILTINS

DOCS = Path(__file__).resolve().parent.parent / "docs"
needs_libreoffice = pytest.mark.skipif(lo.skip_reason() is not None, reason=lo.skip_reason() or "")


def run(*args: str):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


def kv(settings, label: str) -> str:
    """The Value cell of a Setting | Value | Help row, e.g. B5."""
    return f"B{2 + [s.label for s in settings].index(label)}"


def level(k: int, column: str) -> str:
    """A cell of level k (1-based) in the Scale sheet's level table."""
    return f"{column}{L.LEVEL_TABLE_ROW + 1 + k}"


# -- round trips ------------------------------------------------------------------------------
@pytest.mark.parametrize("fid", BUILTINS)
def test_template_then_import_gives_back_every_builtin_spec(fid, tmp_path, frameworks):
    book, out = tmp_path / f"{fid}.xlsx", tmp_path / "specs" / f"{fid}.yaml"
    made = run("spec", "template", fid, "--out", book)
    assert made.exit_code == 0, made.output
    assert made.output == (
        f"Wrote {book}: fill it in, then `awardbooks spec import {book} --out NAME.yaml`\n"
    )
    back = run("spec", "import", book, "--out", out)
    assert back.exit_code == 0, back.output
    fw = frameworks[fid]
    assert back.output == (
        f"Wrote {out}: {fw.title} (version {fw.version}), {len(fw.groups)} groups, "
        f"{len(fw.items)} items, {fw.status}\n"
    )
    assert spec.load(out).model_dump() == fw.model_dump()
    assert reading.import_template(book).model_dump() == fw.model_dump()
    data = reading.read_template(book)  # spec data, as a YAML spec holds it
    # a built-in scale by name, but for the MAP, whose RAG words are its own
    own_scale = fid == "achievement-action-plan"
    assert data["id"] == fid and isinstance(data["scale"], str) != own_scale
    assert spec.from_data(data) == fw


def test_imported_yaml_reads_like_the_documented_format(tmp_path, frameworks):
    text = specout.to_yaml(frameworks["lppa"], source="lppa.xlsx")
    lines = text.splitlines()
    assert lines[0] == (
        "# Leading Parent Partnership Award, version 2026.2: written by `awardbooks spec "
        "import` from lppa.xlsx."
    )
    keys = [line.split(":")[0] for line in lines if line[:1].isalpha()]
    assert keys == [
        "format", "id", "title", "short_title", "version", "source", "instructions", "scale",
        "scores_note", "labels", "cover_fields", "audit", "groups", "sheets",
        "previous_editions",
    ]  # fmt: skip
    assert "scale: rag" in lines
    at = lines.index("      - id: '2.2'")  # ids stay text; lists are indented under their key
    assert lines[at + 1] == "        text: |-"  # a multi-line text is a literal block
    assert lines[at + 2] == "          The school completes the IARAP by indicating:"
    assert "  document: >-" in lines  # a long single-line text is a folded block
    assert spec.from_data(yaml.safe_load(text)) == frameworks["lppa"]


def test_template_and_import_refuse_to_overwrite(tmp_path):
    book = tmp_path / "mine.xlsx"
    assert run("spec", "template", "--out", book).exit_code == 0
    again = run("spec", "template", "lppa", "--out", book)
    assert again.exit_code == 1
    assert again.output == (
        f"Error: {book}: already exists (it may hold your work); use --force to replace it\n"
    )
    assert run("spec", "template", "lppa", "--out", book, "--force").exit_code == 0
    out = tmp_path / "lppa.yaml"
    out.write_text("kept\n", encoding="utf-8")
    refused = run("spec", "import", book, "--out", out)
    assert refused.exit_code == 1
    assert refused.output == (
        f"Error: {out}: already exists; use --force to replace it, or choose another name\n"
    )
    assert out.read_text(encoding="utf-8") == "kept\n"
    assert run("spec", "import", book, "--out", out, "--force").exit_code == 0
    assert spec.load(out).id == "lppa"


def test_generate_takes_an_authoring_workbook_in_place_of_a_spec(tmp_path):
    book = writing.write_template(spec.load("family-partnership"), tmp_path / "fp.xlsx")
    made = run("generate", book, "--setting", "Oak School", "--out", tmp_path / "out")
    assert made.exit_code == 0, made.output
    written = Path(made.output.removeprefix("Wrote ").strip())
    assert written.name.startswith("Oak-School_family-partnership_")
    checked = run("check", written, "--spec", book)
    assert checked.exit_code == 0, checked.output
    missing = run("generate", tmp_path / "nope.xlsx", "--setting", "Oak School")
    assert missing.output == f"Error: {tmp_path / 'nope.xlsx'}: no such spec file\n"


# -- problems, by sheet and cell -----------------------------------------------------------------
def test_every_problem_is_reported_by_sheet_cell_and_heading(tmp_path):
    book = writing.write_template(spec.load("lppa"), tmp_path / "lppa.xlsx")
    wb = openpyxl.load_workbook(book)
    wb[L.FRAMEWORK][kv(L.FRAMEWORK_ROWS, "Framework id")] = "My LPPA"
    scale = wb[L.SCALE]
    scale["B2"] = None  # no built-in scale: two levels of our own instead
    scale[level(1, "B")], scale[level(1, "D")], scale[level(1, "E")] = "Low", 0, "purple"
    scale[level(2, "B")], scale[level(2, "D")] = "High", 100
    wb[L.GROUPS]["D3"] = "Maybe"
    wb[L.ITEM_INFO]["A2"], wb[L.ITEM_INFO]["B2"], wb[L.ITEM_INFO]["C2"] = "1.1", "lead", "x"
    wb[L.COLUMNS]["A2"] = "Action plan"
    wb[L.EDITIONS]["A2"], wb[L.EDITIONS]["B2"], wb[L.EDITIONS]["C2"] = "2025.1", "1.9", "1.99"
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(SpecError) as err:
        reading.import_template(tmp_path / "bad.xlsx", source="bad.xlsx")
    assert str(err.value).splitlines() == [
        "bad.xlsx: 6 problems",
        "  bad.xlsx: Framework!B2 (Framework id): framework id 'My LPPA' may use only "
        "lower-case letters, digits, '-'",
        "  bad.xlsx: Scale!E7 (Colour): 'purple' is not a colour; use one of green, amber, red, "
        "blue, grey, white, or a hex code like #C6EFCE",
        "  bad.xlsx: Groups!D3 (Best-fit judgement): 'Maybe' is not Yes or No; choose from "
        "the list",
        "  bad.xlsx: Item info!B2 (Column id): 'lead' is not a Rating sheets column whose "
        "School fills in is No (on the Columns sheet)",
        "  bad.xlsx: Columns!A2 (Part): the action plan sheet is not included (Sheets!B29 "
        "(Action plan: include) is No); choose Yes there, or delete this row",
        "  bad.xlsx: Editions!C2 (New item id): '1.99' is not an item id on the Items sheet; "
        "type the item's id in this edition, or leave it empty if it was removed",
    ]


def test_an_empty_template_says_what_to_fill_in_first(tmp_path):
    book = writing.write_template(None, tmp_path / "new.xlsx")
    with pytest.raises(SpecError) as err:
        reading.import_template(book, source="new.xlsx")
    assert str(err.value).splitlines() == [
        "new.xlsx: 6 problems",
        "  new.xlsx: Framework!B2 (Framework id): empty; give the framework a short id of "
        "lower-case letters, digits and -, e.g. my-framework",
        "  new.xlsx: Framework!B3 (Title): empty; give the framework's full title",
        "  new.xlsx: Framework!B5 (Version): empty; give this edition's version, e.g. 2026.1",
        "  new.xlsx: Framework!B7 (Source document): empty; say where the wording comes from",
        "  new.xlsx: Scale!B2 (Built-in scale): empty; choose a built-in scale, or type your "
        "own levels in the table below",
        "  new.xlsx: Groups: there are no groups; add at least one, from row 2",
    ]


def test_a_file_that_is_not_an_authoring_workbook(tmp_path):
    other = tmp_path / "other.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Data"
    wb.save(other)
    with pytest.raises(SpecError) as err:
        reading.import_template(other, source="other.xlsx")
    assert str(err.value) == (
        "other.xlsx: has no sheet Framework, Scale, Groups, Items; is it an authoring workbook "
        "from `awardbooks spec template`?"
    )
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(SpecError, match=r"^notes.xlsx: cannot be read as a workbook \("):
        reading.import_template(text, source="notes.xlsx")


# -- the JSON Schema -----------------------------------------------------------------------------
def test_published_schema_is_what_spec_schema_prints():
    printed = run("spec", "schema")
    assert printed.exit_code == 0
    assert (DOCS / "spec-schema.json").read_text(encoding="utf-8") == printed.output
    schema = json.loads(printed.output)
    assert schema["required"] == ["id", "title", "version", "source", "scale", "groups"]
    assert schema["properties"]["scale"]["anyOf"][0]["enum"] == [
        "emergent-developing-embedded",
        "developing-to-enhancing",
        "rag",
    ]
    assert schema["properties"]["scale"]["anyOf"][1] == {"$ref": "#/$defs/Scale"}
    assert schema["$defs"]["Item"]["additionalProperties"] is False
    assert "previous_editions" in schema["properties"]


# -- a consultant's own framework, typed in LibreOffice -----------------------------------------
F = L.FRAMEWORK_ROWS
CONSULTANT = {
    L.FRAMEWORK: {
        kv(F, "Framework id"): "reading-together",
        kv(F, "Title"): "Reading Together Award",
        kv(F, "Version"): "2026.1",
        kv(F, "Source document"): "Written by the consultant, March 2026",
        kv(F, "Group word"): "Strand",
        kv(F, "Item word"): "Statement",
        f"B{len(F) + 4}": "Rate each statement with your reading lead.",
        f"B{len(F) + 5}": "Add a comment where you can.",
    },
    L.SCALE: {
        "B3": "four-step",
        level(1, "B"): "Starting",
        level(1, "C"): "just begun",
        level(1, "D"): 25,
        level(1, "E"): "red",
        level(2, "B"): "Growing",
        level(2, "D"): 50,
        level(2, "E"): "amber",
        level(3, "B"): "Secure",
        level(3, "D"): 75,
        level(3, "E"): "#ddebf7",
        level(4, "B"): "Leading",
        level(4, "D"): 100,
        level(4, "E"): "green",
    },  # fmt: skip
    L.GROUPS: {
        "A2": "R",
        "B2": "Reading for pleasure",
        "A3": "F",
        "B3": "Families reading",
        "C3": "Judge the strand as a whole.",
        "D3": "Yes",
    },  # fmt: skip
    L.ITEMS: {
        "A2": "R",
        "B2": "R.1",
        "C2": "Every class has a reading corner",
        "D2": "A few books on a shelf",
        "G2": "Pupils run the corner",
        "A3": "R",
        "B3": "R.2",
        "C3": "Staff read aloud every day",
        "A4": "F",
        "B4": "F.1",
        "C4": "Families borrow books",
        "J4": "Loan records\nPhotos",
    },  # fmt: skip
    L.COLUMNS: {
        "A2": "Action plan",
        "B2": "action",
        "C2": "Action",
        "A3": "Action plan",
        "B3": "lead",
        "C3": "Lead person",
        "A4": "Action plan",
        "B4": "due",
        "C4": "Due by",
        "D4": "date",
        "A5": "Cover sheet",
        "B5": "stage",
        "C5": "Stage",
        "D5": "choice",
        "E5": "Baseline\nReview",
    },  # fmt: skip
    L.SHEETS: {kv(L.SHEETS_ROWS, "Action plan: include"): "Yes"},
}
MISTAKES = {
    L.FRAMEWORK: {
        kv(F, "Framework id"): "mistakes",
        kv(F, "Title"): "Mistakes",
        kv(F, "Version"): "1",
        kv(F, "Source document"): "a test",
    },
    L.SCALE: {
        level(1, "B"): "Red",
        level(1, "D"): 0,
        level(2, "B"): "Amber",
        level(2, "D"): "fifty",
        level(3, "B"): "Green",
        level(3, "D"): 100,
    },  # fmt: skip
    L.GROUPS: {"A2": "1", "B2": "One", "A3": "2", "B3": "Two"},
    L.ITEMS: {
        "A2": "1",
        "B2": "1.1",
        "C2": "First",
        "A3": "1",
        "B3": "1.2",
        "A4": "2",
        "B4": "1.1",
        "C4": "Again",
        "A5": "9",
        "B5": "9.1",
        "C5": "Lost",
        "A6": "2",
        "B6": "2.1",
        "C6": "Fourth",
        "G6": "Beyond the scale",
    },  # fmt: skip
}


@pytest.fixture(scope="module")
def typed(tmp_path_factory, frameworks):
    """Authoring workbooks typed into (or just re-saved) by LibreOffice, in one call."""
    folder = tmp_path_factory.mktemp("authoring")
    empty = writing.write_template(None, folder / "empty.xlsx")
    jobs = [(empty, folder / "my.xlsx", CONSULTANT), (empty, folder / "mistakes.xlsx", MISTAKES)]
    for fid in ("behaviour-attendance", "achievement-action-plan"):
        filled = writing.write_template(frameworks[fid], folder / f"{fid}-template.xlsx")
        jobs.append((filled, folder / f"{fid}.xlsx", {}))
    lo.fill_many(jobs, profile_dir=folder / "profile")
    return folder


@needs_libreoffice
def test_a_new_framework_typed_into_the_empty_template(typed):
    fw = reading.import_template(typed / "my.xlsx")
    assert (fw.id, fw.title, fw.version, fw.status) == (
        "reading-together",
        "Reading Together Award",
        "2026.1",
        "complete",
    )
    assert fw.instructions == (
        "Rate each statement with your reading lead.",
        "Add a comment where you can.",
    )
    assert (fw.labels.group, fw.labels.item, fw.labels.rating) == ("Strand", "Statement", "Rating")
    assert fw.scale.id == "four-step"
    assert fw.scale.title == "Starting / Growing / Secure / Leading"
    assert [(lv.label, lv.meaning, lv.score, lv.colour) for lv in fw.scale.levels] == [
        ("Starting", "just begun", 25, "#FFC7CE"),
        ("Growing", "", 50, "#FFEB9C"),
        ("Secure", "", 75, "#DDEBF7"),
        ("Leading", "", 100, "#C6EFCE"),
    ]
    assert [(g.id, g.title, g.note, g.judgement) for g in fw.groups] == [
        ("R", "Reading for pleasure", "", False),
        ("F", "Families reading", "Judge the strand as a whole.", True),
    ]
    r1, r2, f1 = fw.items
    assert (r1.id, r1.text) == ("R.1", "Every class has a reading corner")
    assert r1.descriptors == {
        "Starting": "A few books on a shelf",
        "Leading": "Pupils run the corner",
    }
    assert (r2.id, r2.descriptors, r2.rated) == ("R.2", {}, True)
    assert (f1.id, f1.evidence) == ("F.1", ("Loan records", "Photos"))
    assert [(c.id, c.label, c.type) for c in fw.sheets.action_plan.columns] == [
        ("action", "Action", "text"),
        ("lead", "Lead person", "text"),
        ("due", "Due by", "date"),
    ]
    assert fw.sheets.action_plan.rows == 30
    assert [(c.id, c.type, c.choices) for c in fw.cover_fields] == [
        ("stage", "choice", ("Baseline", "Review"))
    ]
    assert fw.sheets.portfolio is None and fw.sheets.outcomes is None


@needs_libreoffice
def test_the_typed_workbook_imports_generates_and_reads_back(typed, tmp_path):
    book = typed / "my.xlsx"
    out = tmp_path / "reading-together.yaml"
    imported = run("spec", "import", book, "--out", out)
    assert imported.exit_code == 0, imported.output
    assert imported.output == (
        f"Wrote {out}: Reading Together Award (version 2026.1), 2 groups, 3 items, complete\n"
    )
    assert spec.load(out) == reading.import_template(book)
    made = run("generate", book, "--setting", "Oak School", "--year", "2026-27", "--term",
               "autumn", "--out", tmp_path / "out")  # fmt: skip
    assert made.exit_code == 0, made.output
    written = tmp_path / "out" / "Oak-School_reading-together_2026-27_autumn.xlsx"
    assert made.output == f"Wrote {written}\n"
    checked = run("check", written, "--spec", book)
    assert checked.exit_code == 0, checked.output
    assert checked.output == (  # a fresh workbook: nothing rated yet
        f"{written}: warning (Reading Together Award, Oak School; 0 of 3 rated, 0 %; "
        "0 errors, 1 warning)\n"
        "  warning: nothing rated: none of the 3 statements has a rating, so the return is left "
        "out of the scores, the means and the count of settings; rate each item with the "
        "dropdown and send the workbook again\n"
    )


@needs_libreoffice
def test_mistakes_typed_into_the_template_are_listed_by_cell(typed, monkeypatch):
    monkeypatch.chdir(typed)
    expected = [
        "mistakes.xlsx: 5 problems",
        "  mistakes.xlsx: Scale!D8 (Score): 'fifty' is not a number; type the level's score, "
        "e.g. 50",
        "  mistakes.xlsx: Items!C3 (Text): empty; every item needs its wording",
        "  mistakes.xlsx: Items!B4 (Item id): item id '1.1' is already used in row 2",
        "  mistakes.xlsx: Items!A5 (Group id): '9' is not a group id on the Groups sheet "
        "(group ids: 1, 2)",
        "  mistakes.xlsx: Items!G6 (Descriptor 4): the scale has no level 4 (levels: Red, "
        "Amber, Green); delete this descriptor or add the level on the Scale sheet",
    ]
    with pytest.raises(SpecError) as err:
        reading.import_template(Path("mistakes.xlsx"))
    assert str(err.value).splitlines() == expected
    failed = run("spec", "import", "mistakes.xlsx", "--out", "mistakes.yaml")
    assert failed.exit_code == 1
    assert failed.output.splitlines() == [f"Error: {expected[0]}", *expected[1:]]
    assert not Path("mistakes.yaml").exists()


@needs_libreoffice
@pytest.mark.parametrize("fid", ["behaviour-attendance", "achievement-action-plan"])
def test_a_template_saved_by_libreoffice_imports_unchanged(fid, typed, frameworks):
    assert reading.import_template(typed / f"{fid}.xlsx").model_dump() == (
        frameworks[fid].model_dump()
    )
