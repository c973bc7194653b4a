"""The library as a program uses it: the top-level functions of ``awardbooks`` work however
often they are called, and its messages name its own parameters, not the command line's
flags."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

import awardbooks as ab
from awardbooks.cli import cli
from awardbooks.errors import OutputExists, SpecError


def test_the_api_can_be_called_again_and_again(tmp_path):
    """``awardbooks.generate`` and ``awardbooks.analyse`` share their names with stages of
    the package; importing a stage never replaces the function."""
    for name in ("Ash Primary", "Beech Academy"):
        ab.generate("lppa", setting=name, year="2026-27", term="autumn", out_dir=tmp_path)
    for _ in range(2):
        run = ab.analyse([tmp_path], out=None)
        assert len(run.consolidation.returns) == 2
    assert callable(ab.generate) and callable(ab.analyse) and callable(ab.feedback)


def test_library_errors_name_parameters_the_cli_names_flags(tmp_path):
    ab.generate("lppa", setting="Ash Primary", year="2026-27", term="autumn", out_dir=tmp_path)
    with pytest.raises(OutputExists) as caught:
        ab.generate("lppa", setting="Ash Primary", year="2026-27", term="autumn", out_dir=tmp_path)
    path = tmp_path / "Ash-Primary_lppa_2026-27_autumn.xlsx"
    assert str(caught.value) == (
        f"{path}: already exists (a school may have filled it in); use force=True to replace "
        "it, or choose another out_dir folder"
    )
    result = CliRunner().invoke(cli, [
        "generate", "lppa", "--setting", "Ash Primary", "--year", "2026-27", "--term", "autumn",
        "--out", str(tmp_path),
    ])  # fmt: skip
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: already exists (a school may have filled it in); use --force to "
        "replace it, or choose another --out folder\n"
    )


def test_a_spec_problem_reads_in_the_library_words(tmp_path):
    spec = tmp_path / "lppa.yaml"
    spec.write_text("format: 1\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        ab.import_template(ab.write_template("lppa", tmp_path / "l.xlsx") and tmp_path / "l.xlsx",
                           spec)  # fmt: skip
    (problem,) = caught.value.problems
    assert problem.code == "spec-output-exists"
    assert problem.text == "already exists; use force=True to replace it, or choose another name"
    assert problem.raw_text == (
        "already exists; use {opt:force} to replace it, or choose another name"
    )


def test_a_report_on_no_returns_says_so_and_makes_no_folder(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(cli, ["report", str(empty), "--out", str(tmp_path / "fb")])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: no returns found in {empty} (.xlsx, .zip or saved emails)"
    )  # as analyse says it
    assert not (tmp_path / "fb").exists()


def test_drafts_advice_names_the_roster_flag(tmp_path):
    result = CliRunner().invoke(
        cli, ["mail", "drafts", str(tmp_path), "--out", str(tmp_path / "d"),
              "--return-by", "2026-12-11"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path}: has no manifest.csv; give the folder that generate --roster "
        "wrote, or its manifest.csv\n"
    )
