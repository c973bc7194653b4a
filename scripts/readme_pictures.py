"""Make the README's pictures of printed pages from the demo's outputs (as ``make demo`` makes
them): an LPPA workbook's first objective sheet (docs/rating-sheet-example.png) and the
consolidated workbook's Summary (docs/consolidated-summary-example.png).

Each workbook is printed to PDF by LibreOffice (A4 landscape, as the workbooks ask) and a page
is turned into a PNG by poppler's ``pdftoppm`` at a modest resolution, so each picture stays
small enough to keep in the repository (about 100 KB). Run from the repository's root:

    .venv/bin/python scripts/readme_pictures.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from awardbooks import api
from awardbooks.libreoffice.convert import convert

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
RESOLUTION = 80
"""Dots per inch of the pictures: an A4 page is about 935 × 660 pixels."""


def page_where(pdf: Path, starts: str) -> int:
    """The number of the first page of ``pdf`` whose text starts with ``starts`` after the
    header line (or anywhere on it, for pages without one)."""
    count = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    for page in range(1, count + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        if starts in text:
            return page
    raise SystemExit(f"{pdf.name}: no page shows {starts!r}")


def picture(pdf: Path, page: int, out: Path) -> None:
    """Page ``page`` of ``pdf`` as the PNG ``out``."""
    stem = out.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(RESOLUTION), "-f", str(page), "-l", str(page),
         "-singlefile", str(pdf), str(stem)],
        check=True,
    )  # fmt: skip
    print(f"Wrote {out} ({out.stat().st_size // 1024} KB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        api.generate(
            "lppa", roster=SAMPLES / "roster.csv", year="2026-27", term="autumn",
            out_dir=work / "sample-partnership",
        )  # fmt: skip
        workbook = sorted((work / "sample-partnership").glob("*.xlsx"))[0]
        api.analyse(
            [SAMPLES / "returns"], manifest=SAMPLES / "manifest.csv",
            out=work / "consolidated.xlsx", data_dir=work / "data", jobs=1,
        )  # fmt: skip
        rating_pdf, summary_pdf = convert(
            [workbook, work / "consolidated.xlsx"], work / "pdf", fmt="pdf"
        )
        args.out.mkdir(parents=True, exist_ok=True)
        picture(rating_pdf, page_where(rating_pdf, "Objective 1:"),
                args.out / "rating-sheet-example.png")  # fmt: skip
        picture(summary_pdf, page_where(summary_pdf, "Partnership summary"),
                args.out / "consolidated-summary-example.png")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
