"""Returns checked as a fuzzer would: arbitrary values typed into the input cells of a
generated workbook (by editing the sheet XML), and a valid return's bytes mutated. The
analyser must never crash, must classify every file, and must give every problem a specific
one-line reason (never the catch-all "could not be read as a workbook")."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awardbooks.api import consolidate as analyse
from awardbooks.outputs.consolidated import write_consolidated
from awardbooks.outputs.data_files import write_data
from awardbooks.read.returns import Registry, read_bytes

from .corpus import BASE, Corpus
from .pkgedit import error_cell, formula_cell, number_cell, set_cells, sheet_part, text_cell

STATUSES = {"accepted", "warning", "rejected"}
CATCH_ALL = "workbook-crash"  # the code of the reader's last resort: a fuzzed value never gets it
RATING_CELLS = {f"C{row}": key for row, key in zip(range(6, 16), "abcdefghij")}
INPUT_CELLS = (
    [("Theme 1", f"{col}{row}") for col in "CDE" for row in range(6, 16)]
    + [("Theme 2", "C6"), ("Cover", "B15"), ("Cover", "B17"), ("Cover", "B18")]
    + [("Action plan", ref) for ref in ("B6", "C6", "F6", "G6", "J6")]
)
ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A generated Family Partnership return rated with BASE: its parts, and where each
    sheet's XML is."""
    corpus = Corpus(tmp_path_factory.mktemp("fuzz") / "returns", libreoffice=False)
    path = corpus.workbook("fuzz")
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info.filename) for info in zf.infolist()}
    sheets = {sheet: sheet_part(path, sheet) for sheet, _ref in INPUT_CELLS}
    registry = Registry.default(completion_threshold=0)  # BASE rates a few judgements
    return Base({"path": path, "parts": parts, "sheets": sheets, "registry": registry})


class Base(dict):
    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return "<the generated return>"


def package(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def check_record(record, name: str) -> None:
    assert record.status in STATUSES
    for problem in record.problems:
        message = str(problem)
        assert problem.file == name and message.startswith(f"{name}: ")
        assert message == " ".join(message.splitlines()), message
        assert problem.code != CATCH_ALL, message


def serial(day: dt.date) -> str:
    return str((day - dt.date(1899, 12, 30)).days)


cell_values = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=300).map(text_cell),
    st.sampled_from(["Embedded", "embedded ", "Developing", "Emergent", "31/10/2026"]).map(
        text_cell
    ),
    st.integers(-(10**20), 10**20).map(number_cell),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda x: number_cell(repr(x))),
    st.dates().map(lambda day: number_cell(serial(day))),
    st.one_of(st.sampled_from(ERRORS), st.text(max_size=20)).map(error_cell),
    st.tuples(st.text(max_size=80), st.none() | st.text(max_size=40)).map(
        lambda f: formula_cell(*f)
    ),
    st.sampled_from([' t="b"><v>1</v></c>', ' t="b"><v>0</v></c>']).map(str.encode),
)


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(typed=st.dictionaries(st.sampled_from(INPUT_CELLS), cell_values, min_size=1, max_size=6))
def test_any_value_in_any_input_cell(base, tmp_path_factory, typed):
    per_sheet: dict[str, dict[str, bytes]] = {}
    for (sheet, ref), value in typed.items():
        per_sheet.setdefault(sheet, {})[ref] = value
    parts = dict(base["parts"])
    for sheet, cells in per_sheet.items():
        part = base["sheets"][sheet]
        parts[part] = set_cells(cells)(parts[part])
    data = package(parts)
    record = read_bytes(data, "fuzz.xlsx", base["registry"])
    check_record(record, "fuzz.xlsx")
    touched = {
        f"1.{RATING_CELLS[ref]}"
        for sheet, ref in typed
        if ref in RATING_CELLS and sheet == "Theme 1"
    } | ({"2:judgement"} if ("Theme 2", "C6") in typed else set())
    if not any(p.code == "sheet-unreadable" for p in record.errors):
        for key, label in BASE.items():  # what was not typed over is read as it was
            if key not in touched:
                assert record.ratings[key].label == label
    # the whole analyser, outputs included, over the same file
    folder = tmp_path_factory.mktemp("fuzzed")
    (folder / "fuzz.xlsx").write_bytes(data)
    consolidation = analyse([folder], completion_threshold=0)  # BASE rates a few judgements
    assert list(consolidation.returns["status"]) == [record.status]
    write_data(consolidation, folder / "data", parquet=False)
    write_consolidated(consolidation, folder / "consolidated.xlsx")


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One seeded mutation: flip bytes, truncate, insert, zero a run, or duplicate a slice."""
    kind = rng.choice(["flip", "truncate", "insert", "zero", "duplicate"])
    at = rng.randrange(len(data))
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            out[rng.randrange(len(out))] ^= rng.randint(1, 255)
        return bytes(out)
    if kind == "truncate":
        return data[:at]
    if kind == "insert":
        return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]
    if kind == "zero":
        return data[:at] + bytes(rng.randint(1, 256)) + data[at + 256 :]
    size = rng.randint(1, 512)
    return data[:at] + data[at : at + size] * 2 + data[at + size :]


def test_mutated_bytes_are_always_classified(base, tmp_path):
    """250 seeded mutants of a valid return's bytes, then 250 of its XML parts' bytes
    (re-zipped, so that they reach the reader past the zip checks): each classified with a
    specific reason, and one batch over all of them accounts for every file."""
    data = base["path"].read_bytes()
    xml_parts = sorted(n for n in base["parts"] if n.endswith((".xml", ".rels")))
    rng = random.Random(20261031)
    folder = tmp_path / "mutants"
    folder.mkdir()
    outcomes = {}
    for n in range(500):
        if n < 250:
            mutant = mutate(data, rng)
        else:
            parts = dict(base["parts"])
            part = rng.choice(xml_parts)
            parts[part] = mutate(parts[part], rng)
            mutant = package(parts)
        name = f"mutant{n:03}.xlsx"
        (folder / name).write_bytes(mutant)
        record = read_bytes(mutant, name, base["registry"])
        check_record(record, name)
        outcomes[str(folder / name)] = record.status
    consolidation = analyse(  # one batch: no mutant stops the others
        [folder], jobs=1, completion_threshold=0
    )
    statuses = dict(zip(consolidation.returns["file"], consolidation.returns["status"]))
    assert sorted(statuses) == sorted(outcomes)
    for file, status in statuses.items():  # the same, but for later copies of one workbook
        assert status == outcomes[file] or (status == "duplicate" and outcomes[file] != "rejected")
    assert set(outcomes.values()) == STATUSES
