"""What reading a return produces, and what it reads against: a :class:`ReturnRecord` (the
return's metadata, cover, ratings, tables and problems), its :class:`Rating` rows, and the
:class:`Registry` of frameworks (the built-in specs, their kept earlier editions and a user's
own). Everything after reading (checks, analysis, outputs, the collection) depends on these,
not on the reader (:mod:`awardbooks.read.returns`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awardbooks.authoring.sources import load_spec
from awardbooks.problems import Problem
from awardbooks.read.container import Refusal
from awardbooks.read.encrypted import Passwords
from awardbooks.spec.loading import builtin_paths, edition_paths
from awardbooks.spec.model import Framework


@dataclass
class Rating:
    key: str
    group_id: str
    label: str | None  # an exact level label, or None when unrated or invalid
    date: str = ""  # ISO
    comment: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReturnRecord:
    """Everything read from one returned file."""

    file: str
    mtime: float = 0.0
    framework: Framework | None = None
    meta: dict[str, str] = field(default_factory=dict)
    cover: dict[str, Any] = field(default_factory=dict)
    ratings: dict[str, Rating] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    source: dict[str, str] = field(default_factory=dict)  # the email it came from, if any
    annotated: str = ""  # an annotated copy sent back: "annotated copy: N of M problems fixed"
    marks: list = field(default_factory=list)  # what that copy was marked with (read.marks)
    opened_with_typed: bool = False
    """Encrypted, and opened with the password typed (not one of a passwords file)."""

    @property
    def problems(self) -> list[Problem]:
        """The errors, then the warnings."""
        return self.errors + self.warnings

    @property
    def status(self) -> str:
        if self.errors:
            return "rejected"
        return "warning" if self.warnings else "accepted"

    def get(self, key: str) -> str:
        return self.meta.get(key, "")


class Registry:
    """The frameworks an analysis knows, by id."""

    def __init__(
        self,
        frameworks: Iterable[Framework],
        passwords: Passwords | None = None,
        *,
        lenient: bool = False,
        completion_threshold: float | None = None,
    ):
        self.passwords = passwords
        """What encrypted returns are opened with (:mod:`awardbooks.read.encrypted`)."""
        self.lenient = lenient
        """Read a rating that is not a level as unrated, with a warning, rather than reject
        the return (:data:`~awardbooks.read.codes.RATING_READ_AS_UNRATED`)."""
        self.completion_threshold = completion_threshold
        """The % of a return's items rated below which it is incomplete; None: each spec's
        own ``completion_threshold``."""
        self.by_id: dict[str, Framework] = {}
        self.by_version: dict[tuple[str, str], Framework] = {}
        for fw in frameworks:
            self.by_version[(fw.id, fw.version)] = fw
            current = self.by_id.get(fw.id)
            # the current edition is the first loaded, unless a later one lists it as earlier
            if current is None or current.version in {e.version for e in fw.previous_editions}:
                self.by_id[fw.id] = fw

    @classmethod
    def default(
        cls,
        extra_specs: Iterable[str | Path] = (),
        passwords: Passwords | None = None,
        *,
        lenient: bool = False,
        completion_threshold: float | None = None,
    ) -> Registry:
        frameworks = [load_spec(path) for path in builtin_paths().values()]
        frameworks += [load_spec(path) for path in edition_paths()]  # before a user's own
        frameworks += [load_spec(path) for path in extra_specs]
        return cls(
            frameworks, passwords, lenient=lenient, completion_threshold=completion_threshold
        )


def refused(name: str, reason: Refusal, source: dict[str, str] | None = None) -> ReturnRecord:
    """The record of an input that holds no workbook to read (a damaged archive, a saved email
    without a workbook): ``reason`` is the :class:`Refusal` its unit carries instead of bytes
    (or a :class:`~awardbooks.read.emails.MailBytes` made from one)."""
    problem: Problem = reason.problem
    return ReturnRecord(name, errors=[one_line(problem.with_file(name))], source=source or {})


def one_line(problem: Problem) -> Problem:
    """A problem on one line, whatever a hostile file put in its sheet names or values."""
    fields = ("message", "fix", "file", "sheet", "cell")
    if not any(_BREAKS.intersection(getattr(problem, name)) for name in fields):
        return problem
    return dataclasses.replace(
        problem, **{name: " ".join(getattr(problem, name).splitlines()) for name in fields}
    )


_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # what str.splitlines splits on
