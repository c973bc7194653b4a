"""The corpus of foreign, broken and hostile returns (tests/corpus.py): each file's exact
outcome through the reader and through ``awardbooks check``, then one ``awardbooks analyse``
over all of them and a few good returns: every file accounted for once, the good numbers
exact, the inputs untouched, memory bounded."""

from __future__ import annotations

import csv
import hashlib
import re
import subprocess
import sys
import time
import tracemalloc
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from awardbooks.analyse import tables
from awardbooks.cli import cli, plural
from awardbooks.cli_common import FLAGS
from awardbooks.problems import word
from awardbooks.read.returns import Registry, read_path
from tests import lofill as libreoffice

from . import corpus as corpus_module
from .corpus import BASE, BASE_OVERALL, GOOD, build, good_returns

LIBREOFFICE = libreoffice.skip_reason() is None
ALL_CASES = corpus_module.names()
MEMORY_LIMIT_MB = 500


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    base = tmp_path_factory.mktemp("corpus")
    returns = base / "returns"
    cases = build(returns, libreoffice=LIBREOFFICE)
    good = good_returns(returns)
    return SimpleNamespace(base=base, returns=returns, cases=cases, good=good)


# The corpus is about files, not about how much of them is rated: its returns rate a few
# items each, so it is read with no completion threshold (completeness: test_completeness.py).
NO_THRESHOLD = ["--completion-threshold", "0"]


@pytest.fixture(scope="module")
def registry():
    return Registry.default(completion_threshold=0)


def the_case(corpus, name):
    if name not in corpus.cases:
        pytest.skip(f"needs LibreOffice: {libreoffice.skip_reason()}")
    return corpus.cases[name]


def test_corpus_is_large_and_distinct(corpus):
    assert len(ALL_CASES) == len(set(ALL_CASES)) >= 30
    assert len(corpus.cases) >= 30
    files = [case.path for case in corpus.cases.values()]
    assert len(set(files)) == len(files)
    assert all(path.is_file() for path in files)
    assert {case.status for case in corpus.cases.values()} == {"accepted", "warning", "rejected"}


@pytest.mark.parametrize("name", ALL_CASES)
def test_reader_outcome(corpus, registry, name):
    case = the_case(corpus, name)
    started = time.perf_counter()
    record = read_path(case.path, registry)
    elapsed = time.perf_counter() - started
    prefix = f"{case.path}: "
    assert record.status == case.status
    assert [str(p) for p in record.errors] == [prefix + word(m) for m in case.errors]
    assert [str(p) for p in record.warnings] == [prefix + word(m) for m in case.warnings]
    assert [p.code for p in record.problems] == case.codes
    assert [p.severity for p in record.problems] == (
        ["error"] * len(case.errors) + ["warning"] * len(case.warnings)
    )
    for problem in record.problems:
        assert problem.file == str(case.path)
        assert str(problem) == " ".join(str(problem).splitlines())  # one line each
    if case.ratings is not None:
        assert {k: r.label for k, r in record.ratings.items() if r.label} == case.ratings
    for key, text in case.comments.items():
        assert record.ratings[key].comment == text
    for key, value in case.cover.items():
        assert record.cover[key] == value
    if case.hostile:
        assert elapsed < 2.0, f"{name} took {elapsed:.2f} s"


@pytest.mark.parametrize("name", ALL_CASES)
def test_check_command(corpus, name):
    case = the_case(corpus, name)
    result = CliRunner().invoke(cli, ["check", str(case.path), *NO_THRESHOLD])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == (1 if case.status == "rejected" else 0), result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{case.path}: {case.status} (")
    assert lines[0].endswith(
        f"{plural(len(case.errors), 'error')}, {plural(len(case.warnings), 'warning')})"
    )
    assert lines[1:] == [f"  error: {word(m, FLAGS)}" for m in case.errors] + [
        f"  warning: {word(m, FLAGS)}" for m in case.warnings
    ]


@pytest.mark.parametrize("name", ["bomb_declared", "bomb_lying", "grid_bomb", "ods_grid_bomb"])
def test_bombs_are_refused_in_bounded_time_and_memory(corpus, registry, name):
    case = the_case(corpus, name)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        record = read_path(case.path, registry)
        elapsed = time.perf_counter() - started
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert record.status == "rejected"
    assert elapsed < 2.0
    assert peak < 20 * 1024 * 1024, f"{name}: {peak / 1e6:.1f} MB"


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def analysed(corpus):
    """One ``awardbooks analyse`` over the whole corpus and the good returns, as a separate
    process (so its peak memory is its own), reporting its peak resident memory."""
    inputs = sorted(p for p in corpus.returns.iterdir() if p.is_file())
    before = {p: digest(p) for p in inputs}
    out = corpus.base / "out"
    runner = (
        "import resource, sys\n"
        "from awardbooks.cli import main\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "    print(f'PEAK_KB={peak}', file=sys.stderr)\n"
    )
    args = ["analyse", str(corpus.returns), "--out", str(out / "consolidated.xlsx")]
    args += ["--data", str(out / "data"), "--jobs", "1", *NO_THRESHOLD]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", runner, *args], capture_output=True, text=True, timeout=300
    )
    elapsed = time.perf_counter() - started
    peak = re.search(r"PEAK_KB=(\d+)", done.stderr)
    return SimpleNamespace(
        inputs=inputs,
        before=before,
        out=out,
        result=done,
        seconds=elapsed,
        peak_mb=int(peak.group(1)) / 1024 if peak else None,
    )


def expected_statuses(corpus):
    statuses = {str(case.path): case.status for case in corpus.cases.values()}
    statuses |= {str(path): "accepted" for path in corpus.good.values()}
    return statuses


def test_analyse_accounts_for_every_file(corpus, analysed):
    done = analysed.result
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    rows = read_csv(analysed.out / "data" / "returns.csv")
    files = [row["file"] for row in rows]
    assert sorted(files) == sorted(str(p) for p in analysed.inputs)  # each exactly once
    assert {row["file"]: row["status"] for row in rows} == expected_statuses(corpus)
    for row in rows:
        case = next((c for c in corpus.cases.values() if str(c.path) == row["file"]), None)
        if case is not None:
            prefix = f"{case.path}: "
            assert row["errors"] == "\n".join(prefix + word(m) for m in case.errors)
            assert row["warnings"] == "\n".join(prefix + word(m) for m in case.warnings)


def test_analyse_summary_adds_up(corpus, analysed):
    counts = {}
    for line in analysed.result.stdout.splitlines():
        match = re.match(r"^\s*(Files read|accepted|with warnings|rejected|duplicates|unknown)"
                         r"\s+(\d+)$", line)  # fmt: skip
        if match:
            counts[match.group(1)] = int(match.group(2))
    statuses = list(expected_statuses(corpus).values())
    assert counts == {
        "Files read": len(analysed.inputs),
        "accepted": statuses.count("accepted"),
        "with warnings": statuses.count("warning"),
        "rejected": statuses.count("rejected"),
        "duplicates": 0,
        "unknown": 0,
    }
    parts = ("accepted", "with warnings", "rejected", "duplicates", "unknown")
    assert sum(counts[k] for k in parts) == counts["Files read"]


def test_analyse_keeps_good_numbers_exact(corpus, analysed):
    returns = read_csv(analysed.out / "data" / "returns.csv")
    file_of = {row["workbook_id"]: row["file"] for row in returns if row["workbook_id"]}
    by_file: dict[str, dict[str, str]] = {}
    for row in read_csv(analysed.out / "data" / "scores.csv"):
        by_file.setdefault(file_of[row["workbook_id"]], {})[row["group_id"]] = row["score_pct"]
    for fid, (_ratings, expected) in GOOD.items():
        got = by_file[str(corpus.good[fid])]
        assert {g: got[g] for g in expected} == expected, fid
    usable = [c for c in corpus.cases.values() if c.ratings == BASE]
    assert len(usable) >= 15
    for case in usable:
        assert by_file[str(case.path)]["ALL"] == BASE_OVERALL, case.name
    assert len(by_file) == len(usable) + len(GOOD)  # nothing else was scored


def test_analyse_keeps_text_faithfully(corpus, analysed):
    """Comments come out exactly in ratings.csv, and in consolidated.xlsx (read as Excel
    reads it) exactly but for the control characters XML cannot hold, which report.py drops
    by design (tab, newline and carriage return are kept)."""
    from python_calamine import CalamineWorkbook

    ratings = read_csv(analysed.out / "data" / "ratings.csv")
    book = CalamineWorkbook.from_path(str(analysed.out / "consolidated.xlsx"))
    sheet = book.get_sheet_by_name("Ratings").to_python()
    header = next(i for i, row in enumerate(sheet) if "Comment" in row)
    names = {tables.heading(c): c for c in tables.RATINGS}
    cols = {names.get(name, name): n for n, name in enumerate(sheet[header])}
    in_workbook = {
        (row[cols["file"]], row[cols["item_id"]]): row[cols["comment"]]
        for row in sheet[header + 1 :]
    }
    checked = 0
    for case in corpus.cases.values():
        for key, text in case.comments.items():
            row = next(r for r in ratings if r["file"] == str(case.path) and r["item_id"] == key)
            assert row["comment"] == text, case.name
            kept = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
            assert in_workbook[(str(case.path), key)] == kept, case.name
            checked += 1
    assert checked == 3
    assert "\x07" in corpus_module.CONTROL_TEXT and "\r" in corpus_module.CONTROL_TEXT
    rtl = corpus.cases["rtl_and_emoji"]
    row = next(r for r in ratings if r["file"] == str(rtl.path))
    assert row["setting"] == "\u0645\u062f\u0631\u0633\u0629 \U0001f31f"


def test_analyse_leaves_inputs_untouched_within_memory(analysed):
    assert {p: digest(p) for p in analysed.inputs} == analysed.before
    assert analysed.peak_mb is not None
    assert analysed.peak_mb < MEMORY_LIMIT_MB, f"peak {analysed.peak_mb:.0f} MB"
