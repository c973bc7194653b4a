"""The errors awardbooks raises. Each message is one plain-English line (or a list of lines)
saying where, what, and how to fix it; the CLI prints it as ``Error: ...``."""

from __future__ import annotations


class AwardbooksError(Exception):
    """Base class for every error the library raises on purpose."""


class SpecError(AwardbooksError):
    """A framework spec is missing or invalid."""


class GenerateError(AwardbooksError):
    """A workbook could not be generated (bad roster, output in the way, ...)."""


class ReturnError(AwardbooksError):
    """A returned workbook cannot be read at all (not a workbook, encrypted, too large, ...)."""


class ReportError(AwardbooksError):
    """An output file or folder cannot be written."""
