"""The library's entry points. Each returns a result object and raises
:class:`~awardbooks.errors.AwardbooksError` subclasses with one-line messages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from awardbooks import spec as _spec
from awardbooks.generate import (
    GenerateResult,
    Setting,
    current_academic_year,
    generate_one,
    generate_roster,
    read_roster,
)
from awardbooks.model import Framework


def load_framework(framework: str | Path | Framework) -> Framework:
    """A built-in framework id, a spec path, or an already-loaded framework."""
    if isinstance(framework, Framework):
        return framework
    return _spec.load(framework)


@dataclass(frozen=True)
class FrameworkInfo:
    id: str
    title: str
    scale: str
    groups: int
    items: int
    status: str
    version: str
    path: Path


def frameworks() -> list[FrameworkInfo]:
    """The built-in frameworks."""
    found = []
    for fid, path in _spec.builtin_paths().items():
        fw = _spec.load(path)
        found.append(
            FrameworkInfo(
                fid,
                fw.title,
                fw.scale.title,
                len(fw.groups),
                len(fw.items),
                fw.status,
                fw.version,
                path,
            )
        )
    return found


def generate(
    framework: str | Path | Framework,
    *,
    setting: str | None = None,
    urn: str = "",
    partnership: str = "",
    local_authority: str = "",
    contact_email: str = "",
    roster: str | Path | None = None,
    year: str | None = None,
    term: str = "baseline",
    out_dir: str | Path = "generated",
    password: str | None = None,
    force: bool = False,
    progress: Callable[[Path], None] | None = None,
) -> GenerateResult:
    """Generate one workbook (``setting=``) or one per roster row (``roster=``)."""
    from awardbooks.errors import GenerateError

    fw = load_framework(framework)
    year = year or current_academic_year()
    out = Path(out_dir)
    if (setting is None) == (roster is None):
        raise GenerateError("give either a setting name or a roster file, not both or neither")
    if roster is not None:
        settings = read_roster(Path(roster))
        return generate_roster(
            fw,
            settings,
            year=year,
            term=term,
            out_dir=out,
            password=password,
            force=force,
            progress=progress,
        )
    if not setting or not setting.strip():
        raise GenerateError("the setting name is empty; give the school's name")
    one = Setting(
        setting.strip(),
        urn.strip(),
        partnership.strip(),
        local_authority.strip(),
        contact_email.strip(),
    )
    path, row = generate_one(
        fw, one, year=year, term=term, out_dir=out, password=password, force=force
    )
    if row is None:
        raise GenerateError(
            f"{path}: already exists (a school may have filled it in); use --force to replace "
            "it, or choose another --out folder"
        )
    return GenerateResult(written=[path], rows=[row])
