"""awardbooks: generate locked self-evaluation workbooks from framework specs, and read back
and consolidate the returns.

The public API is :mod:`awardbooks.api`, exported here (``awardbooks.analyse(...)``); the
errors it raises are in :mod:`awardbooks.errors`. Everything else is the pipeline's stages:
``spec`` → ``workbook`` → ``generate``; ``read`` → ``analyse`` → ``outputs`` (and ``mail``).
"""

from __future__ import annotations

# The stages ``awardbooks.generate`` and ``awardbooks.analyse`` share their names with the API's
# functions. Importing the two packages first (their __init__ is only a docstring) means the
# functions bound below are never replaced by the packages when a stage is imported later.
import awardbooks.analyse
import awardbooks.generate  # noqa: F401
from awardbooks.api import (
    AnalysisResult,
    FrameworkInfo,
    analyse,
    annotate,
    check,
    check_returns,
    consolidate,
    feedback,
    find_returns,
    frameworks,
    generate,
    generate_next_term,
    holds_several_returns,
    import_template,
    load_framework,
    mail_server,
    rated_of,
    read_roster,
    send_mail,
    spec_schema,
    write_drafts,
    write_template,
)
from awardbooks.errors import (
    AwardbooksError,
    GenerateError,
    OutputExists,
    ReportError,
    ReturnError,
    SpecError,
)
from awardbooks.problems import Problem
from awardbooks.version import __version__

__all__ = [
    "AnalysisResult",
    "AwardbooksError",
    "FrameworkInfo",
    "GenerateError",
    "OutputExists",
    "Problem",
    "ReportError",
    "ReturnError",
    "SpecError",
    "__version__",
    "analyse",
    "annotate",
    "check",
    "check_returns",
    "consolidate",
    "feedback",
    "find_returns",
    "frameworks",
    "generate",
    "generate_next_term",
    "holds_several_returns",
    "import_template",
    "load_framework",
    "mail_server",
    "rated_of",
    "read_roster",
    "send_mail",
    "spec_schema",
    "write_drafts",
    "write_template",
]
