"""awardbooks collection benchmark: a collection holding 10,000 returns over three terms, and
side by side in one run: ``update`` after 10 new returns against a full re-read of every
return (``awardbooks analyse`` over the collection's returns/ and manifests, as the one-shot
commands must; and ``awardbooks rebuild``, the collection reading every kept original again),
``status``, the ledger's size, and peak memory of an update at 1,000 and at 10,000 returns.

Times are of runs alone; peak memory (PSS of the process tree, sampled every 20 ms, which
slows a run) is measured in runs of its own.

    make bench-collection     # or: .venv/bin/python benchmarks/bench_collection.py

Prints medians and writes benchmarks/collection-results.json. Targets: update ≤ 3 s and
≤ 5 % of the full re-read; status < 0.5 s; ledger < 100 MB; memory flat from 1,000 to 10,000.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench import BIN, FRAMEWORKS, make_returns, run_measured

ROOT = Path(__file__).resolve().parent.parent
YEAR = "2026-27"
TERMS = ("autumn", "spring", "summer")
MANIFEST = ("workbook_id", "file", "setting", "urn", "partnership", "local_authority",
            "contact_email", "framework", "spec_version", "year", "term",
            "previous_workbook_id")  # fmt: skip
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _clone(task: tuple[str, str, str, str, str, str]) -> None:
    """A base return made into another setting's return for a term: its workbook id, setting
    name, URN and term replaced in the shared strings (the ratings stay the base's)."""
    src, dst, wid, setting, urn, term = task
    with zipfile.ZipFile(src) as zin:
        parts = {info.filename: zin.read(info.filename) for info in zin.infolist()}
    text = parts["xl/sharedStrings.xml"].decode("utf-8")
    text = _UUID.sub(wid, text, count=1)
    text = re.sub(r"<t>School \d{5}</t>", f"<t>{setting}</t>", text)
    text = re.sub(r"<t>1\d{5}</t>", f"<t>{urn}</t>", text, count=1)
    text = text.replace("<t>autumn</t>", f"<t>{term}</t>")
    text = text.replace("<t>Autumn</t>", f"<t>{term.capitalize()}</t>")
    parts["xl/sharedStrings.xml"] = text.encode("utf-8")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def build(work: Path, count: int, held: int, base: list[Path]) -> tuple[Path, list[list[Path]]]:
    """A collection of ``count`` returns (a third per term, each setting one framework) whose
    workbooks it issued, taken in by a first update; and ``held`` more summer returns, in
    batches of 10, to arrive later."""
    by_framework: dict[str, list[Path]] = {}
    for path in base:
        by_framework.setdefault(path.name.split("_")[1], []).append(path)
    issued = work / "issued"
    rows: dict[str, list[dict]] = {t: [] for t in TERMS}
    tasks, late = [], []
    total = count + held
    settings = (total + 2) // 3
    roster = ["setting,urn,partnership,local_authority,contact_email"]
    for s in range(settings):
        fid = FRAMEWORKS[s % len(FRAMEWORKS)]
        name, urn = f"Setting {s:05d}", str(200000 + s)
        roster.append(f"{name},{urn},P{s % 12},Bench Borough,office{s}@example.org")
        source = by_framework[fid][s % len(by_framework[fid])]
        for t, term in enumerate(TERMS):
            n = 3 * s + t
            if n >= total:
                break
            wid = str(uuid.uuid4())
            file = f"Setting-{s:05d}_{fid}_{YEAR}_{term}.xlsx"
            (issued / term).mkdir(parents=True, exist_ok=True)
            tasks.append((str(source), str(issued / term / file), wid, name, urn, term))
            rows[term].append(dict(zip(MANIFEST, (
                wid, file, name, urn, "", "Bench Borough", f"office{s}@example.org", fid, "",
                YEAR, term, "",
            ))))  # fmt: skip
            if n >= count:
                late.append(issued / term / file)
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(_clone, tasks, chunksize=64))
    for term, term_rows in rows.items():
        with open(issued / term / "manifest.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, MANIFEST)
            writer.writeheader()
            writer.writerows(term_rows)
    (work / "roster.csv").write_text("\n".join(roster) + "\n", encoding="utf-8")
    coll = work / "collection"
    frameworks = [a for fid in FRAMEWORKS for a in ("--framework", fid)]
    adopt = [a for term in TERMS for a in ("--issued", str(issued / term))]
    run_measured([str(BIN), "new", str(coll), *frameworks, "--roster", str(work / "roster.csv"),
                  "--year", YEAR, *adopt])  # fmt: skip
    late_set = set(late)
    for term in TERMS:
        (coll / "returns" / term).mkdir(parents=True)
        for path in sorted((issued / term).glob("*.xlsx")):
            if path not in late_set:
                os.link(path, coll / "returns" / term / path.name)
    batches = [late[i : i + 10] for i in range(0, len(late), 10)]
    return coll, batches


def timed(cmd: list[str]) -> float:
    """Seconds a command takes, end to end (it must succeed)."""
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
    return time.perf_counter() - start


def arrive(coll: Path, batch: list[Path], n: int) -> None:
    folder = coll / "returns" / f"late-{n}"
    folder.mkdir()
    for path in batch:
        shutil.copy(path, folder / path.name)


def sqlite_mb(coll: Path) -> float:
    return (coll / ".awardbooks" / "ledger.sqlite").stat().st_size / 1e6


def measure(work: Path, count: int, repeats: int, base: list[Path], full: bool) -> dict:
    """Build a collection of ``count`` returns and measure it."""
    print(f"Building a collection of {count:,} returns over three terms ...", flush=True)
    started = time.perf_counter()
    coll, batches = build(work / f"c{count}", count, 10 * (repeats + 2), base)
    built = time.perf_counter() - started
    first_s = timed([str(BIN), "-C", str(coll), "update"])
    out: dict = {"returns": count, "build_s": built, "first_update_s": first_s}
    updates = []
    batches = list(batches)
    for n in range(repeats):
        arrive(coll, batches.pop(0), n)
        updates.append(timed([str(BIN), "-C", str(coll), "update"]))
    out["update_10_s"] = statistics.median(updates)
    out["update_10_runs_s"] = updates
    peaks = []
    for n in range(repeats, repeats + 2):  # memory, in runs of its own
        arrive(coll, batches.pop(0), n)
        peaks.append(run_measured([str(BIN), "-C", str(coll), "update"])[1])
    out["update_10_peak_mb"] = max(peaks)
    out["status_s"] = statistics.median(
        timed([str(BIN), "-C", str(coll), "status"]) for _ in range(5)
    )
    out["ledger_mb"] = sqlite_mb(coll)
    out["originals_mb"] = sum(
        p.stat().st_size for p in (coll / ".awardbooks" / "originals").rglob("*") if p.is_file()
    ) / 1e6
    if full:
        runs = []
        for _ in range(repeats):
            target = work / f"full-{uuid.uuid4().hex[:6]}"
            runs.append(timed([
                str(BIN), "analyse", str(coll / "returns"), "--manifest", str(coll / "workbooks"),
                "--out", str(target / "c.xlsx"), "--data", str(target / "data"),
            ]))  # fmt: skip
            shutil.rmtree(target)
        out["full_reread_s"] = statistics.median(runs)
        out["rebuild_s"] = timed([str(BIN), "-C", str(coll), "rebuild"])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--returns", type=int, default=10_000)
    parser.add_argument("--small", type=int, default=1_000, help="returns for the memory run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" /
                        "collection-results.json")  # fmt: skip
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="awardbooks-bench-collection-"))
    results: dict = {"date": dt.datetime.now().isoformat(timespec="seconds"),
                     "cores": os.cpu_count(), "repeats": args.repeats}  # fmt: skip
    try:
        print("Building 1,000 base returns across five frameworks ...", flush=True)
        base = make_returns(work / "base", 1000)
        results["small"] = measure(work, args.small, args.repeats, base, full=False)
        results["big"] = measure(work, args.returns, args.repeats, base, full=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    big, small = results["big"], results["small"]
    share = big["update_10_s"] / big["full_reread_s"]
    flat = big["update_10_peak_mb"] / small["update_10_peak_mb"]
    results["update_share_of_full"] = share
    results["memory_ratio"] = flat
    n, m = big["returns"], small["returns"]
    rows = [
        (f"full re-read: analyse {n:,} returns", f"{big['full_reread_s']:.1f} s", ""),
        (f"full re-read: rebuild the ledger of {n:,}", f"{big['rebuild_s']:.1f} s",
         f"update is {big['update_10_s'] / big['rebuild_s'] * 100:.1f} % of it"),
        (f"update after 10 new ({n:,} in the ledger)", f"{big['update_10_s']:.2f} s",
         f"{share * 100:.1f} % of the full re-read (targets <= 3 s, <= 5 %)"),
        ("status", f"{big['status_s']:.2f} s", "target < 0.5 s"),
        ("ledger size", f"{big['ledger_mb']:.1f} MB", "target < 100 MB"),
        ("kept originals", f"{big['originals_mb']:.0f} MB", ""),
        (f"update peak memory, {m:,} / {n:,} returns",
         f"{small['update_10_peak_mb']:.0f} / {big['update_10_peak_mb']:.0f} MB",
         f"{flat:.2f}x (target: flat)"),
        (f"first update: take in {n:,} returns", f"{big['first_update_s']:.1f} s", ""),
        (f"update after 10 new ({m:,} in the ledger)", f"{small['update_10_s']:.2f} s", ""),
    ]  # fmt: skip
    width = max(len(a) for a, _, _ in rows)
    print(f"\nawardbooks collection benchmark, {results['date']}, medians of {args.repeats} runs "
          f"({results['cores']} cores)")  # fmt: skip
    for a, b, c in rows:
        print(f"{a.ljust(width)}  {b.rjust(14)}  {c}")
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
