"""Build samples/returns/: the sample partnership's LPPA returns, filled in LibreOffice.

    .venv/bin/python scripts/make_sample_returns.py

Six schools (samples/roster.csv) get autumn workbooks; five are filled in LibreOffice the way
a school fills them, with the typical problems: one pasted misspelling, one school returning
twice, one school never returning (samples/returns/autumn/). Two schools also return a
spring workbook (samples/returns/spring/), so the progress table has something to show.
samples/workbooks/<term>/ holds the workbooks sent out, as generate wrote them (with their
manifest.csv: make demo's collection takes the autumn ones in with new --issued), and
samples/manifest.csv lists them all.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
import tempfile
from pathlib import Path

from awardbooks.common.csvfiles import write_records as write_csv
from awardbooks.generate.manifest import MANIFEST_COLUMNS
from awardbooks.generate.roster import read_roster
from awardbooks.generate.workbooks import generate_roster
from awardbooks.spec import loading as spec
from awardbooks.workbook.layout import layout_for

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import lofill as libreoffice  # noqa: E402 - test tooling, from the checkout

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "samples" / "returns"
ISSUED = ROOT / "samples" / "workbooks"


PORTFOLIO = {
    "1.1#1": ("Letter appointing the LPPA co-ordinator", "2026-09-10", "Headteacher"),
    "2.3#1": ("Newsletter item on the school's LPPA work", "2026-10-12", "LPPA co-ordinator"),
}
"""Evidence every sample return lists on its portfolio front sheets: key -> (evidence, date,
who gathers it)."""


def values_for(fw, ratings: dict[str, str], completed_on: str, comment: str = "") -> dict:
    layout = layout_for(fw)
    rows = layout.rows_by_key
    values: dict[str, dict] = {}
    for key, label in ratings.items():
        values.setdefault(rows[key].sheet, {})[layout.rating_cell(rows[key]).a1] = label
    cover = values.setdefault("Cover", {})
    cover[layout.cover_inputs["completed_by"].a1] = "LPPA co-ordinator"
    cover[layout.cover_inputs["completed_on"].a1] = {"date": completed_on}
    cover[layout.cover_inputs["stage"].a1] = "Initial Audit"
    cover[layout.cover_inputs["initial_audit_date"].a1] = {"date": "2026-09-23"}
    evidence = {row.key: row.cells for row in layout.table_rows["portfolio"]}
    for key, (text, day, who) in PORTFOLIO.items():  # within the two-year rule
        cells = evidence[key]
        sheet = values.setdefault(cells["evidence"].sheet, {})
        sheet[cells["evidence"].a1] = text
        sheet[cells["date"].a1] = {"date": day}
        sheet[cells["gathered_by"].a1] = who
    if comment:
        first = layout.rating_rows[0]
        col = layout.columns.extra["current_position"]
        values.setdefault(first.sheet, {})[f"{chr(65 + col)}{first.row + 1}"] = comment
    return values


def ratings_for(fw, seed: int, share: float, lift: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    labels = fw.scale.labels
    out = {}
    for item in fw.items:
        if rng.random() < share:
            out[item.id] = labels[min(len(labels) - 1, rng.randrange(len(labels)) + lift)]
    return out


def main() -> int:
    reason = libreoffice.skip_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    fw = spec.load("lppa")
    settings = read_roster(ROOT / "samples" / "roster.csv")
    for folder in (OUT, ISSUED):
        if folder.exists():
            shutil.rmtree(folder)
    (OUT / "autumn").mkdir(parents=True)
    (OUT / "spring").mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        autumn = generate_roster(
            fw, settings, year="2026-27", term="autumn", out_dir=tmp_path / "autumn"
        )
        spring = generate_roster(
            fw, settings[:2], year="2026-27", term="spring", out_dir=tmp_path / "spring"
        )
        a, s = autumn.written, spring.written
        jobs = [
            (
                a[0],
                OUT / "autumn" / "RE St Marys LPPA audit.xlsx",
                values_for(
                    fw,
                    ratings_for(fw, 1, 0.9),
                    "2026-10-14",
                    "- co-ordinator appointed in September; governors informed",
                ),
            ),
            (
                a[1],
                OUT / "autumn" / "Oakfield_LPPA_autumn.xlsx",
                values_for(fw, ratings_for(fw, 2, 0.8), "2026-10-20"),
            ),
            (
                a[2],
                OUT / "autumn" / "Riverside LPPA.xlsx",
                values_for(fw, ratings_for(fw, 3, 0.7) | {"3.2": "Greeen"}, "2026-10-21"),
            ),
            (
                a[3],
                OUT / "autumn" / "Ysgol Gymraeg Llyn - first go.xlsx",
                values_for(fw, ratings_for(fw, 4, 0.5), "2026-10-02"),
            ),
            (
                a[3],
                OUT / "autumn" / "Ysgol Gymraeg Llyn - final.xlsx",
                values_for(fw, ratings_for(fw, 4, 0.95), "2026-10-30"),
            ),
            (
                a[4],
                OUT / "autumn" / "Hill View audit.xlsx",
                values_for(fw, ratings_for(fw, 5, 0.85), "2026-10-25"),
            ),
            (
                s[0],
                OUT / "spring" / "St Marys spring.xlsx",
                values_for(fw, ratings_for(fw, 1, 0.95, lift=1), "2027-03-10"),
            ),
            (
                s[1],
                OUT / "spring" / "Oakfield spring.xlsx",
                values_for(fw, ratings_for(fw, 2, 0.9, lift=1), "2027-03-12"),
            ),
        ]
        libreoffice.fill_many(jobs, profile_dir=tmp_path / "profile")
        rows = autumn.rows + spring.rows
        shutil.copytree(tmp_path / "autumn", ISSUED / "autumn")
        shutil.copytree(tmp_path / "spring", ISSUED / "spring")
    write_csv(ROOT / "samples" / "manifest.csv", MANIFEST_COLUMNS, rows)
    print(f"Wrote {len(jobs)} returns to {OUT} and samples/manifest.csv ({len(rows)} sent)")
    with open(ROOT / "samples" / "manifest.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
