from __future__ import annotations

from pathlib import Path

import pytest

from awardbooks import spec
from awardbooks.generate import Setting, generate_one

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
