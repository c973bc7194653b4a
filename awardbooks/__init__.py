"""awardbooks: generate locked self-evaluation workbooks from framework specs, and read back
and consolidate the returns."""

from __future__ import annotations

__version__ = "0.1.0"
