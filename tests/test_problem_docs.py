"""docs/problems.md lists every problem code with an example message, and is current; every
code is unique, and each example fills its templates."""

from __future__ import annotations

import importlib

import pytest

from awardbooks.problems import catalogue
from scripts.write_problem_docs import DOC, STAGES, render


def test_the_problem_codes_page_is_current():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/problems.md is out of date: run python scripts/write_problem_docs.py"
    )


def test_codes_are_unique_across_stages():
    modules = [importlib.import_module(f"awardbooks.{stage}.codes") for stage in STAGES]
    ids = [code.id for module in modules for code in catalogue(module)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_every_code_has_an_example_that_fills_its_templates(stage):
    for code in catalogue(importlib.import_module(f"awardbooks.{stage}.codes")):
        problem = code.example_problem()  # a KeyError here: the example misses a value
        assert problem.message and "{" not in problem.message.replace("{{", ""), code.id
