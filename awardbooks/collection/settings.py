"""A collection's folder and its settings file, ``awardbooks.toml``.

Decisions:

- The folder is the collection: everything a year needs lives in it (settings, roster,
  workbooks, drafts, returns, outputs, and ``.awardbooks/`` with the ledger and the kept
  originals), so it can be copied, backed up or handed over whole. Paths stored anywhere in it
  are relative to it.
- The settings are a small TOML file an officer can read and edit (the title, the return-by
  dates): only what cannot be worked out is in it. It is read with the standard library's
  ``tomllib``; it is written here, by hand, in a fixed layout with comments.
- A command finds its collection as git finds a repository: the current folder or the nearest
  one above it holding ``awardbooks.toml``, or exactly the folder given (``-C DIR``).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from awardbooks.common.files import atomic_write, ensure_folder
from awardbooks.common.identity import TERMS, is_academic_year, term_sort_key
from awardbooks.errors import CollectionError
from awardbooks.generate.roster import read_roster

SETTINGS_FILE = "awardbooks.toml"
STATE_FOLDER = ".awardbooks"
"""The ledger, the kept originals and the lock: awardbooks' own, not to be edited."""
FOLDERS = ("workbooks", "drafts", "returns", "outputs")
DEFAULT_TERMS = ("autumn", "spring", "summer")


@dataclass(frozen=True)
class Term:
    """A term of the collection's year and the date its returns are due."""

    name: str
    return_by: dt.date | None = None


@dataclass(frozen=True)
class Settings:
    """What ``awardbooks.toml`` says."""

    title: str
    year: str
    frameworks: tuple[str, ...]
    """Built-in framework ids, or spec files relative to the collection."""
    terms: tuple[Term, ...]
    roster: str = "roster.csv"
    password: str = ""
    """Sheet protection password of the workbooks (a deterrent, not security); '' for none."""

    def term(self, name: str) -> Term:
        for term in self.terms:
            if term.name == name:
                return term
        names = ", ".join(t.name for t in self.terms)
        raise CollectionError(
            f"term {name!r} is not one of this collection's terms ({names}); give one of them, "
            f"or add it under [terms] in {SETTINGS_FILE}"
        )


@dataclass(frozen=True)
class Collection:
    """A collection folder and its settings; every path of the collection comes from here."""

    root: Path
    settings: Settings

    @property
    def state(self) -> Path:
        return self.root / STATE_FOLDER

    @property
    def ledger_path(self) -> Path:
        return self.state / "ledger.sqlite"

    @property
    def originals(self) -> Path:
        return self.state / "originals"

    @property
    def returns(self) -> Path:
        return self.root / "returns"

    @property
    def outputs(self) -> Path:
        return self.root / "outputs"

    @property
    def roster(self) -> Path:
        return self.root / self.settings.roster

    def workbooks(self, term: str) -> Path:
        return self.root / "workbooks" / term

    def drafts(self, term: str) -> Path:
        return self.root / "drafts" / term

    @property
    def specs(self) -> tuple[str, ...]:
        """The collection's own framework specs (files), for reading their returns."""
        return tuple(str(self.root / f) for f in self.settings.frameworks if _is_file_spec(f))

    def relative(self, path: Path) -> str:
        """A path inside the collection as stored in the ledger: relative, with '/'."""
        return Path(path).resolve().relative_to(self.root.resolve()).as_posix()

    def here(self, relative: str) -> Path:
        """The path of something the ledger names (relative to the collection)."""
        return self.root / relative

    def shown(self, relative: str) -> str:
        """A path for a message: as the ledger names it, under the collection's folder."""
        return str(self.root / relative)


def _is_file_spec(framework: str) -> bool:
    return framework.lower().endswith((".yaml", ".yml", ".xlsx"))


def find(folder: str | Path | None = None) -> Collection:
    """The collection in ``folder`` (given with ``-C``), or else in the current folder or the
    nearest one above it."""
    if folder is not None:
        root = Path(folder)
        if not (root / SETTINGS_FILE).is_file():
            what = "no such folder" if not root.is_dir() else f"no {SETTINGS_FILE} in it"
            raise CollectionError(
                f"{root}: is not an awardbooks collection ({what}); create one with "
                "awardbooks new DIR --framework ID --roster roster.csv"
            )
        return Collection(root, read_settings(root / SETTINGS_FILE))
    here = Path.cwd()
    for root in (here, *here.parents):
        if (root / SETTINGS_FILE).is_file():
            shown = Path(".") if root == here else root  # messages name paths from here
            return Collection(shown, read_settings(root / SETTINGS_FILE))
    raise CollectionError(
        f"{here}: not inside an awardbooks collection (no {SETTINGS_FILE} here or above); "
        "create one with awardbooks new DIR --framework ID --roster roster.csv, or give its "
        "folder with {opt:collection} DIR"
    )


def found_here() -> bool:
    """Whether the current folder is in a collection (for commands that work either way)."""
    here = Path.cwd()
    return any((root / SETTINGS_FILE).is_file() for root in (here, *here.parents))


def read_settings(path: Path) -> Settings:
    """``awardbooks.toml``, checked: every problem says where and how to fix it."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise CollectionError(f"{path}: {exc}; correct the file (see the README)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CollectionError(f"{path}: cannot be read ({exc})") from None

    def text(key: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise CollectionError(f'{path}: {key} must be text, e.g. {key} = "..."')
        return value.strip()

    year = text("year")
    if not is_academic_year(year):
        raise CollectionError(f'{path}: year {year!r} is not an academic year like "2026-27"')
    frameworks = data.get("frameworks")
    if (
        not isinstance(frameworks, list)
        or not frameworks
        or not all(isinstance(f, str) and f.strip() for f in frameworks)
    ):
        raise CollectionError(f'{path}: frameworks must be a list, e.g. frameworks = ["lppa"]')
    terms_table = data.get("terms", {})
    if not isinstance(terms_table, dict) or not terms_table:
        raise CollectionError(f"{path}: [terms] must list the terms, e.g. [terms.autumn]")
    terms = []
    for name, table in terms_table.items():
        if name not in TERMS:
            raise CollectionError(
                f"{path}: [terms.{name}]: {name!r} is not a term; use {', '.join(TERMS)}"
            )
        return_by = table.get("return_by") if isinstance(table, dict) else None
        if return_by is not None and type(return_by) is not dt.date:
            raise CollectionError(
                f"{path}: [terms.{name}]: return_by must be a date like 2026-12-11 (no quotes)"
            )
        terms.append(Term(name, return_by))
    terms.sort(key=lambda t: term_sort_key(year, t.name))
    return Settings(
        title=text("title", year),
        year=year,
        frameworks=tuple(f.strip() for f in frameworks),
        terms=tuple(terms),
        roster=text("roster", "roster.csv"),
        password=str(data.get("password", "") or ""),
    )


def settings_text(settings: Settings) -> str:
    """``awardbooks.toml`` as written by ``awardbooks new``: every setting, with notes."""

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        "# An awardbooks collection: one partnership's year. Edit the title and the return-by",
        "# dates freely; the other settings are used by every command run in this folder.",
        f"title = {quoted(settings.title)}",
        f"year = {quoted(settings.year)}",
        "frameworks = [" + ", ".join(quoted(f) for f in settings.frameworks) + "]",
        f"roster = {quoted(settings.roster)}",
        *([f"password = {quoted(settings.password)}"] if settings.password else [
            '# password = "..."  # to protect the workbooks\' sheets (a deterrent, not security)'
        ]),
        "",
        "# The terms workbooks are issued for, and when the returns are due (year-month-day).",
    ]
    for term in settings.terms:
        lines += ["", f"[terms.{term.name}]"]
        if term.return_by is not None:
            lines.append(f"return_by = {term.return_by.isoformat()}")
    return "\n".join(lines) + "\n"


def default_return_by(year: str, term: str) -> dt.date:
    """A date before each term's holiday, to be edited: the second Friday of October
    (baseline) and of December (autumn), the third Friday of March (spring), the second
    Friday of July (summer)."""
    first = int(year[:4])
    when = {"baseline": (first, 10, 2), "autumn": (first, 12, 2), "spring": (first + 1, 3, 3),
            "summer": (first + 1, 7, 2)}[term]  # fmt: skip
    start = dt.date(when[0], when[1], 1)
    first_friday = start + dt.timedelta(days=(4 - start.weekday()) % 7)
    return first_friday + dt.timedelta(weeks=when[2] - 1)


def create(
    folder: Path,
    *,
    frameworks: list[str],
    roster: Path,
    year: str,
    title: str | None = None,
    terms: list[str] | None = None,
    framework_ids: dict[str, str] | None = None,
) -> Collection:
    """Make a new collection folder: its settings, a copy of the roster (checked) and of any
    spec file among ``frameworks``, and the empty folders. A folder that already holds a
    collection, or anything else but hidden files, is refused."""
    folder = Path(folder)
    if (folder / SETTINGS_FILE).exists():
        raise CollectionError(f"{folder}: is already a collection ({SETTINGS_FILE} is there)")
    if folder.exists() and not folder.is_dir():
        raise CollectionError(f"{folder}: is a file; give a new folder's name")
    if folder.is_dir() and any(not p.name.startswith(".") for p in folder.iterdir()):
        raise CollectionError(f"{folder}: is not empty; give a new folder's name")
    if not is_academic_year(year):
        raise CollectionError(
            f"year {year!r} is not an academic year like 2026-27 (the second part is the next "
            "year)"
        )
    terms = list(terms or DEFAULT_TERMS)
    for term in terms:
        if term not in TERMS:
            raise CollectionError(f"term {term!r} is not one of {', '.join(TERMS)}")
    read_roster(Path(roster))  # every problem in it, before anything is made
    ensure_folder(folder, CollectionError)
    stored = []
    for framework in frameworks:
        if _is_file_spec(framework):
            fid = (framework_ids or {}).get(framework) or Path(framework).stem
            target = folder / "frameworks" / f"{fid}{Path(framework).suffix.lower()}"
            ensure_folder(target.parent, CollectionError)
            shutil.copyfile(framework, target)
            stored.append(target.relative_to(folder).as_posix())
        else:
            stored.append(framework)
    shutil.copyfile(roster, folder / "roster.csv")
    for name in FOLDERS:
        ensure_folder(folder / name, CollectionError)
    ensure_folder(folder / STATE_FOLDER, CollectionError)
    ordered = sorted(dict.fromkeys(terms), key=lambda t: term_sort_key(year, t))
    settings = Settings(
        title=(title or _default_title(folder.resolve().name, year)).strip(),
        year=year,
        frameworks=tuple(stored),
        terms=tuple(Term(t, default_return_by(year, t)) for t in ordered),
    )
    text = settings_text(settings)
    atomic_write(folder / SETTINGS_FILE, lambda handle: handle.write(text.encode("utf-8")))
    return Collection(folder, read_settings(folder / SETTINGS_FILE))


def _default_title(name: str, year: str) -> str:
    """The folder's name, with the year unless the name already holds it ("north-2026-27")."""
    return name if year in name else f"{name} {year}"
