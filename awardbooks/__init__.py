"""awardbooks: generate locked self-evaluation workbooks from framework specs, and read back
and consolidate the returns.

The public API is :mod:`awardbooks.api`, exported here (``awardbooks.analyse(...)``); the
errors it raises are in :mod:`awardbooks.errors`. Everything else is the pipeline's stages:
``spec`` → ``workbook`` → ``generate``; ``read`` → ``analyse`` → ``outputs`` (and ``mail``);
``collection`` keeps a year's workbooks and returns over all of them.
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
    add_returns,
    analyse,
    annotate,
    chase_term,
    check,
    check_returns,
    collection_status,
    consolidate,
    draft_term,
    feedback,
    find_returns,
    frameworks,
    generate,
    generate_next_term,
    generate_term,
    holds_several_returns,
    import_template,
    load_framework,
    mail_server,
    new_collection,
    open_collection,
    rated_of,
    read_roster,
    rebuild_ledger,
    report_collection,
    send_mail,
    spec_schema,
    update,
    write_drafts,
    write_template,
)
from awardbooks.errors import (
    AwardbooksError,
    CollectionError,
    GenerateError,
    LedgerDamaged,
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
    "CollectionError",
    "FrameworkInfo",
    "GenerateError",
    "LedgerDamaged",
    "OutputExists",
    "Problem",
    "ReportError",
    "ReturnError",
    "SpecError",
    "__version__",
    "add_returns",
    "analyse",
    "annotate",
    "chase_term",
    "check",
    "check_returns",
    "collection_status",
    "consolidate",
    "draft_term",
    "feedback",
    "find_returns",
    "frameworks",
    "generate",
    "generate_next_term",
    "generate_term",
    "holds_several_returns",
    "import_template",
    "load_framework",
    "mail_server",
    "new_collection",
    "open_collection",
    "rated_of",
    "read_roster",
    "rebuild_ledger",
    "report_collection",
    "send_mail",
    "spec_schema",
    "update",
    "write_drafts",
    "write_template",
]
