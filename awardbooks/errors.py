"""The errors awardbooks raises. Each message is one plain-English line (or a list of lines)
saying where, what, and how to fix it; the CLI prints it as ``Error: ...``."""

from __future__ import annotations

from collections.abc import Iterable

from awardbooks.problems import Problem


class AwardbooksError(Exception):
    """Base class for every error the library raises on purpose."""


class SpecError(AwardbooksError):
    """A framework spec (or an authoring workbook) is missing or invalid.

    ``problems`` lists what is wrong as :class:`~awardbooks.problems.Problem` data (empty for
    an error raised with only a message); ``str()`` is the text users see: the one problem, or
    ``source: N problems`` and then one indented line per problem."""

    def __init__(self, message: str = "", problems: Iterable[Problem] = ()):
        super().__init__(message)
        self.problems: list[Problem] = list(problems)

    @classmethod
    def of(cls, problems: Iterable[Problem], source: str = "") -> SpecError:
        """The error listing ``problems`` (repeats left out), each in file ``source`` unless
        it names its own file."""
        found = [p if p.file or not source else p.with_file(source) for p in problems]
        found = list(dict.fromkeys(found))
        if len(found) == 1:
            return cls(str(found[0]), found)
        lines = [f"{source}: {len(found)} problems"]
        lines.extend(f"  {problem}" for problem in found)
        return cls("\n".join(lines), found)


class GenerateError(AwardbooksError):
    """A workbook could not be generated (bad roster, output in the way, ...)."""


class ReturnError(AwardbooksError):
    """A returned workbook cannot be read at all (not a workbook, encrypted, too large, ...)."""


class ReportError(AwardbooksError):
    """An output file or folder cannot be written."""
