"""The errors awardbooks raises. Each message is one plain-English line (or a list of lines)
saying where, what, and how to fix it; the CLI prints it as ``Error: ...``.

The library does not know the command line: where a message advises an option, it names it
as ``{opt:NAME}`` (NAME being the library's parameter, e.g. ``force``). ``str(error)`` words
it for a library caller (``force=True``); the CLI words it as its flag (``--force``) with
:meth:`AwardbooksError.worded`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from awardbooks.problems import LIBRARY_WORDS, Problem, word


class Advice(str):
    """A warning that advises an option: it reads as the library words it, and :func:`word`
    can word it again for the command line."""

    template: str

    def __new__(cls, template: str) -> Advice:
        advice = super().__new__(cls, word(template))
        advice.template = template
        return advice


class AwardbooksError(Exception):
    """Base class for every error the library raises on purpose."""

    def worded(self, options: Mapping[str, str]) -> str:
        """The message, with each option it advises worded by ``options`` (name → words)."""
        return word(super().__str__(), options)

    def __str__(self) -> str:
        return self.worded(LIBRARY_WORDS)


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
        if len(found) == 1:  # options stay {opt:NAME}: the error words them as it is shown
            return cls(found[0].raw, found)
        lines = [f"{source}: {len(found)} problems"]
        lines.extend(f"  {problem.raw}" for problem in found)
        return cls("\n".join(lines), found)


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


class OutputExists(GenerateError):
    """A file is in the way of an output and may hold someone's work."""

    def __init__(self, path: Path, why: str = "") -> None:
        self.path = Path(path)
        because = f" ({why})" if why else ""
        super().__init__(
            f"{path}: already exists{because}; use {{opt:force}} to replace it, or choose "
            "another {opt:out_dir} folder"
        )


class CollectionError(AwardbooksError):
    """A collection folder cannot be used as asked (none here, its settings are wrong, it is
    busy, its disk is full, its ledger is damaged or too new, ...)."""


class LedgerDamaged(CollectionError):
    """The collection's ledger cannot be read: ``awardbooks rebuild`` recreates it from the
    returns kept in the collection."""
