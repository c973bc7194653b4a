from __future__ import annotations

from pathlib import Path

import pytest

from awardbooks.generate.roster import Setting
from awardbooks.generate.workbooks import generate_one
from awardbooks.spec import loading as spec

BUILTINS = (
    "family-partnership",
    "multi-agency",
    "lppa",
    "behaviour-attendance",
    "achievement-action-plan",
)


@pytest.fixture(scope="session")
def frameworks():
    return {fid: spec.load(fid) for fid in BUILTINS}


def make_workbook(
    framework,
    folder: Path,
    setting: str = "St Mary's C of E Primary",
    *,
    term="autumn",
    year="2026-27",
    ratings=None,
    urn="100001",
    partnership="North Partnership",
) -> Path:
    path, _row = generate_one(
        framework,
        Setting(setting, urn=urn, partnership=partnership),
        year=year,
        term=term,
        out_dir=folder,
        ratings=ratings,
    )
    return path


@pytest.fixture
def workbook_factory(tmp_path):
    def factory(framework, **kwargs):
        return make_workbook(framework, tmp_path, **kwargs)

    return factory


def pytest_collection_modifyitems(config, items):
    """In CI the LibreOffice tests must run: a missing LibreOffice fails instead of skipping."""
    import os
    import shutil

    from tests import lofill as libreoffice

    reason = libreoffice.skip_reason()
    if not reason and not shutil.which("pdftotext"):  # the print tests measure the PDFs
        reason = "pdftotext is not installed: apt-get install poppler-utils"
    if reason and os.environ.get("AWARDBOOKS_REQUIRE_LIBREOFFICE"):
        raise pytest.UsageError(f"AWARDBOOKS_REQUIRE_LIBREOFFICE is set but {reason}")


def rated_rows(framework):
    from awardbooks.workbook.layout import layout_for

    return [row for row in layout_for(framework).rating_rows if row.rated]


def sample_ratings(framework, skip_every: int = 4):
    """Varied ratings for a framework's rated rows, leaving every n-th row blank."""
    labels = framework.scale.labels
    ratings = {}
    for n, row in enumerate(rated_rows(framework)):
        if skip_every and n % skip_every == skip_every - 1:
            continue
        ratings[row.key] = labels[(n * 7 + 1) % len(labels)]
    return ratings


@pytest.fixture(autouse=True)
def ledgers_stay_sound(request):
    """After every test that used a temporary folder: each collection's ledger in it passes
    SQLite's full integrity check."""
    folder = request.getfixturevalue("tmp_path") if "tmp_path" in request.fixturenames else None
    yield
    if folder is None:
        return
    from tests.collection_tools import sound

    for ledger in folder.rglob(".awardbooks/ledger.sqlite"):
        sound(ledger)
