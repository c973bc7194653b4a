"""awardbooks benchmark: builds its own data and measures, side by side, awardbooks against
the floor (decompress + python-calamine) and the naive peer (pandas.read_excel + openpyxl).

    make bench            # or: .venv/bin/python benchmarks/bench.py

Prints a table of medians and ratios and writes benchmarks/results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "awardbooks"
FRAMEWORKS = (
    "lppa",
    "behaviour-attendance",
    "family-partnership",
    "multi-agency",
    "achievement-action-plan",
)


# -- data ------------------------------------------------------------------------------------
def _make_return(args: tuple[str, int, str]) -> str:
    """One filled return: varied ratings, written with correct cached summary values."""
    from awardbooks.generate.roster import Setting
    from awardbooks.generate.workbooks import generate_one
    from awardbooks.spec import loading as spec
    from awardbooks.workbook.layout import layout_for

    fid, n, folder = args
    fw = spec.load(fid)
    rng = random.Random(n)
    labels = fw.scale.labels
    ratings = {
        row.key: rng.choice(labels)
        for row in layout_for(fw).rating_rows
        if row.rated and rng.random() < 0.85
    }
    setting = Setting(f"School {n:05d}", urn=str(100000 + n), partnership=f"P{n % 12}")
    path, _ = generate_one(
        fw, setting, year="2026-27", term="autumn", out_dir=Path(folder), ratings=ratings
    )
    return str(path)


def make_returns(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    tasks = [(FRAMEWORKS[n % len(FRAMEWORKS)], n, str(folder)) for n in range(count)]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        return [Path(p) for p in pool.map(_make_return, tasks, chunksize=16)]


def _clone(args: tuple[str, str, int]) -> None:
    """Copy a return under a new workbook id and setting name (so it is no duplicate)."""
    src, dst, copy = args
    with zipfile.ZipFile(src) as zin:
        parts = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    strings = parts["xl/sharedStrings.xml"].decode("utf-8")
    new_id = str(uuid.uuid4())
    import re

    old_id = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", strings)
    strings = strings.replace(old_id.group(0), new_id)
    strings = re.sub(r"School (\d{5})", rf"School \1 copy {copy}", strings)
    parts["xl/sharedStrings.xml"] = strings.encode("utf-8")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def make_many(returns: list[Path], folder: Path, total: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tasks = [
        (str(returns[n % len(returns)]), str(folder / f"r{n:06d}.xlsx"), n // len(returns))
        for n in range(total)
    ]
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(_clone, tasks, chunksize=64))


# -- measurements ----------------------------------------------------------------------------
def _floor_one(path: str) -> int:
    from python_calamine import CalamineWorkbook

    data = Path(path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            zf.read(info.filename)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = 0
    for name in book.sheet_names:
        cells += len(book.get_sheet_by_name(name).to_python())
    return cells


def floor(paths: list[Path], processes: int) -> float:
    start = time.perf_counter()
    if processes == 1:
        for p in paths:
            _floor_one(str(p))
    else:
        with ProcessPoolExecutor(processes) as pool:
            list(pool.map(_floor_one, [str(p) for p in paths], chunksize=32))
    return time.perf_counter() - start


def naive(paths: list[Path]) -> float:
    import warnings

    import pandas as pd

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in paths:
            pd.read_excel(p, sheet_name=None, engine="openpyxl")
    return time.perf_counter() - start


def run_measured(cmd: list[str]) -> tuple[float, float]:
    """(seconds, peak resident MB of the process tree) for a command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-500:]}")
    return seconds, peak / 1024


def _tree_rss(pid: int) -> int:
    """Proportional resident KB (PSS) of a process and all its descendants, from /proc:
    pages shared between a parent and its forked workers are counted once, not per process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total


def median_of(repeats: int, fn) -> float:
    return statistics.median(fn() for _ in range(repeats))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=1000)
    parser.add_argument("--big", type=int, default=10000, help="returns for the memory run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-sample", type=int, default=100)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="awardbooks-bench-"))
    results: dict = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "cores": cores,
        "returns": args.returns,
        "big": args.big,
        "repeats": args.repeats,
    }
    try:
        print(f"Building {args.returns} returns across {len(FRAMEWORKS)} frameworks ...")
        returns = make_returns(work / "returns", args.returns)
        n = len(returns)

        # generation
        roster = work / "roster.csv"
        roster.write_text(
            "setting,urn,partnership\n"
            + "".join(f"School {i:05d},{100000 + i},P{i % 12}\n" for i in range(1000)),
            encoding="utf-8",
        )

        def gen() -> float:
            out = work / f"gen-{uuid.uuid4().hex[:6]}"
            seconds, _ = run_measured(
                [
                    str(BIN),
                    "generate",
                    "lppa",
                    "--roster",
                    str(roster),
                    "--out",
                    str(out),
                    "--year",
                    "2026-27",
                ]
            )
            shutil.rmtree(out)
            return seconds

        results["generate_1000_s"] = median_of(args.repeats, gen)
        from awardbooks.spec import loading as spec
        from awardbooks.workbook.render import WorkbookInfo, write_workbook

        fw = spec.load("lppa")
        info = WorkbookInfo(setting="X", workbook_id="x", year="2026-27", term="autumn")

        def one() -> float:
            start = time.perf_counter()
            for _ in range(20):
                write_workbook(fw, info, io.BytesIO())
            return (time.perf_counter() - start) / 20

        results["generate_ms_per_workbook_one_core"] = median_of(args.repeats, one) * 1000

        # reading: floor, naive peer, awardbooks
        results["floor_1proc_s"] = median_of(args.repeats, lambda: floor(returns, 1))
        results["floor_2proc_s"] = median_of(args.repeats, lambda: floor(returns, cores))
        sample = returns[: args.naive_sample]
        results["naive_s_per_return"] = median_of(args.repeats, lambda: naive(sample)) / len(sample)

        def analyse(folder: Path, count: int) -> tuple[float, float]:
            out = work / f"out-{uuid.uuid4().hex[:6]}"
            seconds, peak = run_measured(
                [
                    str(BIN),
                    "analyse",
                    str(folder),
                    "--out",
                    str(out / "c.xlsx"),
                    "--data",
                    str(out / "data"),
                ]
            )
            shutil.rmtree(out)
            return seconds, peak

        runs = [analyse(work / "returns", n) for _ in range(args.repeats)]
        results["analyse_s"] = statistics.median(r[0] for r in runs)
        results["analyse_peak_mb"] = max(r[1] for r in runs)

        # start-up
        sample_file = str(returns[0])
        results["help_s"] = median_of(5, lambda: run_measured([str(BIN), "--help"])[0])
        results["check_s"] = median_of(5, lambda: run_measured([str(BIN), "check", sample_file])[0])

        # memory at scale
        if args.big:
            print(f"Building {args.big} returns for the memory run ...")
            make_many(returns, work / "big", args.big)
            seconds, peak = analyse(work / "big", args.big)
            results["analyse_big_s"] = seconds
            results["analyse_big_peak_mb"] = peak
    finally:
        shutil.rmtree(work, ignore_errors=True)

    r = results
    rate = n / r["analyse_s"]
    r["analyse_per_s"] = rate
    r["naive_per_s"] = 1 / r["naive_s_per_return"]
    r["ratio_vs_naive"] = rate / r["naive_per_s"]
    r["ratio_vs_floor_same_cores"] = r["analyse_s"] / r["floor_2proc_s"]
    r["ratio_vs_floor_1proc"] = r["analyse_s"] / r["floor_1proc_s"]
    r["generate_per_s_per_core"] = 1000 / r["generate_ms_per_workbook_one_core"]
    rows = [
        ("machine cores", f"{cores}", ""),
        (
            f"analyse {n} returns, end to end",
            f"{r['analyse_s']:.2f} s",
            f"{rate:.0f} returns/s (target >= 300)",
        ),
        (
            "naive peer (pandas + openpyxl)",
            f"{r['naive_s_per_return'] * 1000:.1f} ms/return",
            f"awardbooks is {r['ratio_vs_naive']:.1f}x faster (target >= 10x)",
        ),
        (
            f"floor: unzip + calamine, {cores} processes",
            f"{r['floor_2proc_s']:.2f} s",
            f"awardbooks takes {r['ratio_vs_floor_same_cores']:.1f}x the floor (target <= 3x)",
        ),
        (
            "floor: unzip + calamine, 1 process",
            f"{r['floor_1proc_s']:.2f} s",
            f"{r['ratio_vs_floor_1proc']:.1f}x",
        ),
        (f"analyse peak memory, {n} returns", f"{r['analyse_peak_mb']:.0f} MB", ""),
    ]
    if args.big:
        rows.append(
            (
                f"analyse {args.big} returns",
                f"{r['analyse_big_s']:.1f} s",
                f"{args.big / r['analyse_big_s']:.0f} returns/s",
            )
        )
        rows.append(
            (
                f"analyse peak memory, {args.big} returns",
                f"{r['analyse_big_peak_mb']:.0f} MB",
                f"{r['analyse_big_peak_mb'] / r['analyse_peak_mb']:.2f}x the {n}-return "
                "peak (targets < 400 MB, <= 1.5x)",
            )
        )
    rows += [
        (
            "generate --roster, 1000 LPPA workbooks",
            f"{r['generate_1000_s']:.1f} s",
            "target < 15 s",
        ),
        (
            "generate, one LPPA workbook, one core",
            f"{r['generate_ms_per_workbook_one_core']:.1f} ms",
            f"{r['generate_per_s_per_core']:.0f}/s per core (target >= 40)",
        ),
        ("awardbooks --help", f"{r['help_s']:.2f} s", "target < 0.3 s"),
        ("awardbooks check FILE", f"{r['check_s']:.2f} s", "target < 0.3 s"),
    ]
    width = max(len(a) for a, _, _ in rows)
    print(f"\nawardbooks benchmark, {r['date']}, medians of {args.repeats} runs")
    for a, b, c in rows:
        print(f"{a.ljust(width)}  {b.rjust(14)}  {c}")
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
