"""The errors awardbooks raises. Each message is one plain-English line (or a list of lines)
saying where, what, and how to fix it; the CLI prints it as ``Error: ...``."""

from __future__ import annotations

from awardbooks.problems import Problem


class AwardbooksError(Exception):
    """Base class for every error the library raises on purpose."""


class SpecError(AwardbooksError):
    """A framework spec is missing or invalid."""


class GenerateError(AwardbooksError):
    """A workbook could not be generated (bad roster, output in the way, ...)."""


class ReturnError(AwardbooksError):
    """A returned workbook cannot be read at all (not a workbook, encrypted, too large, ...).

    It carries the :class:`~awardbooks.problems.Problem` that says why (one of the codes of
    :mod:`awardbooks.read.codes`); its text is the problem's, without the file unless the
    problem names one."""

    def __init__(self, problem: Problem):
        super().__init__(problem)
        self.problem = problem

    def __str__(self) -> str:
        return str(self.problem)


class ReportError(AwardbooksError):
    """An output file or folder cannot be written."""
