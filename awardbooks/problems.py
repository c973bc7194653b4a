"""Problems as data: one type for everything awardbooks finds wrong in a spec, an authoring
workbook, a return or a file, with a catalogue of codes in the manner of pyxform's ``ErrorCode``.

Decisions:

- A :class:`Problem` carries *where* (file, sheet, cell, or a spec's key path), *what* (the
  message) and *how to fix it* as separate fields. Code that needs the place (annotation, the
  feedback report, the CLI, ``returns.csv``) reads the fields; nothing parses a message back.
- ``str(problem)`` is the one-line form users see: ``file: Sheet!C6: message; fix``. The parts
  that are empty are left out.
- Each kind of problem is a :class:`Code` declared once, in the stage that finds it (for
  example :mod:`awardbooks.spec.codes`, :mod:`awardbooks.read.codes`). Its ``template`` and
  ``fix`` are ``str.format`` templates; ``example`` fills them for ``docs/problems.md``, which
  ``scripts/write_problem_docs.py`` writes from every catalogue (a test checks it is current).
- This module imports nothing from the rest of the package, so every stage can use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Severity = Literal["error", "warning"]

_OPTION = re.compile(r"\{opt:(\w+)\}")

LIBRARY_WORDS = {"force": "force=True"}
"""How a message words an option it advises for library callers (else by its parameter name);
the command line words it as its flag instead (see :func:`word`)."""


def word(text: str, options: Mapping[str, str] = LIBRARY_WORDS) -> str:
    """``text`` with each ``{opt:NAME}`` it advises worded by ``options`` (name → words)."""
    return _OPTION.sub(lambda m: options.get(m[1], m[1]), getattr(text, "template", text))


@dataclass(frozen=True)
class Problem:
    """One thing wrong, found by a check: what, where and how to fix it."""

    code: str
    severity: Severity
    message: str
    fix: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""
    path: str = ""
    """A place inside a text file, e.g. a spec's ``groups[3].items[2]``."""
    row: int = 0
    """A whole row of ``sheet`` (1-based, as Excel numbers rows), when no one cell is meant."""
    heading: str = ""
    """The heading of the cell's column, shown after the place: ``Items!C14 (Text)``."""
    values: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The values that filled the code's templates, for code that words a problem its own way
    (e.g. an authoring workbook's reader, which rewords a spec's problems in its own terms)."""

    @property
    def where(self) -> str:
        """The place inside the file: ``Sheet!C6``, ``Sheet row 6``, ``Sheet``, a key path, or
        '', followed by `` (heading)`` when the column's heading is known."""
        if self.sheet and self.cell:
            place = f"{self.sheet}!{self.cell}"
        elif self.sheet and self.row:
            place = f"{self.sheet} row {self.row}"
        else:
            place = self.sheet or self.path
        return f"{place} ({self.heading})" if place and self.heading else place

    @property
    def raw_text(self) -> str:
        """The message and its fix, with any option it advises still as ``{opt:NAME}``."""
        return f"{self.message}; {self.fix}" if self.fix else self.message

    @property
    def raw_located(self) -> str:
        return f"{self.where}: {self.raw_text}" if self.where else self.raw_text

    @property
    def raw(self) -> str:
        """The whole line, options as ``{opt:NAME}``: for code that words them its own way."""
        return f"{self.file}: {self.raw_located}" if self.file else self.raw_located

    @property
    def text(self) -> str:
        """The message and its fix, without the file or the place."""
        return word(self.raw_text)

    @property
    def located(self) -> str:
        """The place and the text, without the file: ``Sheet!C6: message; fix``."""
        return word(self.raw_located)

    def __str__(self) -> str:
        return word(self.raw)

    def with_file(self, file: str) -> Problem:
        """The same problem, in ``file``."""
        return Problem(**{**self.__dict__, "file": file})

    def at(self, **place: Any) -> Problem:
        """The same problem at another place: ``problem.at(sheet="Items", cell="C14")``."""
        return replace(self, **place)


@dataclass(frozen=True)
class Code:
    """One kind of problem: its code, its usual severity and its message templates."""

    id: str
    severity: Severity
    template: str
    fix: str = ""
    example: dict[str, Any] = field(default_factory=dict)
    """Values for the templates, used to show an example message in ``docs/problems.md``."""

    def __call__(
        self,
        *,
        file: str = "",
        sheet: str = "",
        cell: str = "",
        path: str = "",
        severity: Severity | None = None,
        **values: Any,
    ) -> Problem:
        return Problem(
            code=self.id,
            severity=severity or self.severity,
            message=self.template.format(**values),
            fix=self.fix.format(**values),
            file=file,
            sheet=sheet,
            cell=cell,
            path=path,
            values=dict(values),
        )

    def example_problem(self) -> Problem:
        return self(**self.example)


def catalogue(namespace: object) -> list[Code]:
    """The :class:`Code` objects a module or class defines, in the order defined."""
    found = vars(namespace) if not isinstance(namespace, dict) else namespace
    return [value for value in found.values() if isinstance(value, Code)]
