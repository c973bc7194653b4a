"""Where a framework comes from: a built-in id, a YAML spec, or an authoring workbook.

Every command that takes a spec (``generate``, ``check --spec``, ``spec check``, ...) takes
any of the three, through :func:`load_spec`. It lives here, in the authoring stage, because
reading a workbook is this stage's work: :mod:`awardbooks.spec` comes first in the pipeline
and knows nothing of workbooks beyond their file names.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from awardbooks.authoring.reading import import_template
from awardbooks.spec import loading
from awardbooks.spec.model import Framework


def load_spec(framework: str | Path) -> Framework:
    """A validated framework from a built-in id, a YAML spec's path or an authoring
    workbook's path; SpecError lists every problem (a workbook's by sheet and cell)."""
    path = loading.resolve(framework)
    if path.suffix.lower() in loading.WORKBOOK_SUFFIXES:
        return _workbook(str(path.resolve()), path.stat().st_mtime_ns)
    return loading.load(path)


@lru_cache(maxsize=16)
def _workbook(path: str, _mtime: int) -> Framework:
    """A workbook read once per version of the file: every return checked against it asks."""
    return import_template(Path(path), source=loading.display_path(Path(path)))
