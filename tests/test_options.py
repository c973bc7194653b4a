"""No option given twice is dropped without a word, and analyse takes a manifest per term
(repeated, or a folder of them)."""

from __future__ import annotations

import shutil

import click
import pytest
from click.testing import CliRunner

from awardbooks.cli import cli
from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_roster


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


SINGLE = [
    (path, option)
    for path, command in _commands(cli)
    for option in command.params
    if isinstance(option, click.Option)
    and not (option.multiple or option.is_flag or option.count)
    and option.opts[0] != "--help"
]


def test_there_are_single_options_to_check():
    assert len(SINGLE) > 20


@pytest.mark.parametrize(
    ("path", "option"), SINGLE, ids=[f"{' '.join(p)} {o.opts[0]}" for p, o in SINGLE]
)
def test_an_option_given_twice_is_refused(path, option):
    value = "x"
    if isinstance(option.type, click.Choice):
        value = option.type.choices[0]
    elif isinstance(option.type, click.types.IntRange | click.types.IntParamType):
        value = "1"
    flag = option.opts[0]
    result = CliRunner().invoke(cli, [*path, flag, value, flag, value])
    assert result.exit_code == 2, result.output
    assert f"Error: {flag} was given 2 times ('{value}', '{value}'); give it once" in result.output


def _statuses(out):
    from awardbooks.common.csvfiles import csv_reader

    rows = list(csv_reader((out / "returns.csv").read_text(encoding="utf-8")))
    return sorted((r["status"], r["setting"], r["term"]) for r in rows)


def test_analyse_takes_a_folder_of_manifests(tmp_path, frameworks):
    fw = frameworks["lppa"]
    settings = [Setting("Ash Primary", "100001"), Setting("Birch Primary", "100002")]
    returns = tmp_path / "returns"
    for term in ("autumn", "spring"):
        made = generate_roster(
            fw, settings, year="2026-27", term=term, out_dir=tmp_path / "workbooks" / term
        )
        returns.mkdir(exist_ok=True)
        shutil.copy(made.written[0], returns / f"ash-{term}.xlsx")
    stray = generate_roster(
        fw, [Setting("Cedar", "100003")], year="2026-27", term="autumn", out_dir=tmp_path / "x"
    )
    shutil.copy(stray.written[0], returns / "cedar.xlsx")
    for given in (
        [str(tmp_path / "workbooks")],
        [str(tmp_path / "workbooks" / "autumn"), str(tmp_path / "workbooks" / "spring")],
    ):
        out = tmp_path / "out"
        args = [a for folder in given for a in ("--manifest", folder)]
        result = CliRunner().invoke(
            cli,
            ["analyse", str(returns), *args, "--out", str(out / "c.xlsx"), "--data", str(out)],
        )
        # the returns are the blank workbooks: nothing rated, so nothing to consolidate
        assert result.exit_code == 1, result.output
        assert result.output.splitlines()[-1] == (
            "Error: none of the 3 returns could be used (1 unknown, 2 with nothing rated); the "
            f"Returns sheet of {out / 'c.xlsx'} says why"
        )
        assert _statuses(out) == [
            ("missing", "Birch Primary", "autumn"),
            ("missing", "Birch Primary", "spring"),
            ("unknown", "Cedar", "autumn"),
            ("warning", "Ash Primary", "autumn"),
            ("warning", "Ash Primary", "spring"),
        ]
        rows = (out / "returns.csv").read_text(encoding="utf-8")
        autumn_csv = tmp_path / "workbooks" / "autumn" / "manifest.csv"
        spring_csv = tmp_path / "workbooks" / "spring" / "manifest.csv"
        assert f"is not in any of {autumn_csv} and {spring_csv}; check that it" in rows


def test_a_folder_without_manifests_is_refused(tmp_path):
    (tmp_path / "returns").mkdir()
    (tmp_path / "returns" / "a.xlsx").write_text("not a workbook")
    result = CliRunner().invoke(
        cli, ["analyse", str(tmp_path / "returns"), "--manifest", str(tmp_path / "returns")]
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] + "\n" == (
        f"Error: {tmp_path / 'returns'}: has no manifest.csv in it or below; give the folder "
        "that generate wrote, or its manifest.csv\n"
    )
