"""Load framework specs (YAML) and validate them into :class:`~awardbooks.spec.model.Framework`.

Every problem is collected and reported with its place, pyxform-style::

    framework_specs/lppa.yaml: groups[3].items[2]: 'text' is missing
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from awardbooks.errors import SpecError

PACKAGED_SPEC_DIR = Path(__file__).resolve().parents[1] / "framework_specs"
"""Where an installed wheel keeps the built-in specs (pyproject maps the repository's
``framework_specs/`` to the package ``awardbooks.framework_specs``)."""
CHECKOUT_SPEC_DIR = Path(__file__).resolve().parents[2] / "framework_specs"
"""The repository's ``framework_specs/``, for a source checkout or an editable install."""
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
"""Authoring workbooks (``awardbooks spec template``) are accepted wherever a spec is."""


def spec_dirs() -> list[Path]:
    """Where built-in specs live: the copy inside an installed package, else the repository's
    folder."""
    return [d for d in (PACKAGED_SPEC_DIR, CHECKOUT_SPEC_DIR) if d.is_dir()][:1]


def builtin_paths() -> dict[str, Path]:
    """Built-in framework id → spec path."""
    found: dict[str, Path] = {}
    for folder in spec_dirs():
        for path in sorted(folder.glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found


def resolve(framework: str | Path) -> Path:
    """A built-in id or a path to a spec file → the spec's path."""
    candidate = Path(framework)
    if candidate.suffix.lower() in {".yaml", ".yml", *WORKBOOK_SUFFIXES} or candidate.exists():
        if not candidate.is_file():
            raise SpecError(f"{candidate}: no such spec file")
        return candidate
    paths = builtin_paths()
    if str(framework) in paths:
        return paths[str(framework)]
    hint = _suggest(str(framework), paths)
    known = ", ".join(sorted(paths)) or "none"
    raise SpecError(f"unknown framework {framework!r}{hint}; built-in frameworks: {known}")


def load(framework: str | Path):  # -> Framework
    """Load and fully validate a spec by built-in id or path."""
    path = resolve(framework)
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _load_cached(path: str, _mtime: int):
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        from awardbooks.authoring.writing import import_template

        return import_template(Path(path), source=_display(Path(path)))
    import yaml

    shown = _display(Path(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{shown}: is not UTF-8 text; save it as UTF-8") from None
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader either way
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f": line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SpecError(f"{shown}{where}: not valid YAML ({problem})") from None
    return from_data(data, shown)


def from_data(data: Any, source: str = "<spec>"):  # -> Framework
    """Validate already-parsed spec data; raise one SpecError listing every problem."""
    framework, problems = check_data(data)
    if problems:
        raise SpecError(_joined(source, problems))
    return framework


def check_data(data: Any) -> tuple[Any, list[str]]:  # -> (Framework | None, problems)
    """Validate already-parsed spec data: the framework (None if invalid) and every problem,
    each as ``place: what`` (e.g. ``groups[3].items[2]: 'text' is missing``)."""
    from pydantic import ValidationError

    from awardbooks.spec.model import BUILTIN_SCALES, Framework

    if not isinstance(data, dict):
        return None, ["a spec must be a mapping of keys (id, title, groups, ...)"]
    data = dict(data)
    problems: list[str] = []
    scale = data.get("scale")
    if isinstance(scale, str):
        if scale in BUILTIN_SCALES:
            data["scale"] = BUILTIN_SCALES[scale].model_dump()
        else:
            hint = _suggest(scale, BUILTIN_SCALES)
            problems.append(
                f"scale: unknown scale {scale!r}{hint}; use one of "
                f"{', '.join(BUILTIN_SCALES)} or define levels"
            )
            data.pop("scale")
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        reported = problems[:]
        problems.extend(
            p for p in _pydantic_problems(exc, data) if not (reported and p == "'scale' is missing")
        )
        return None, problems
    problems.extend(semantic_problems(framework))
    return (None if problems else framework), problems


def semantic_problems(framework) -> list[str]:
    """Cross-field checks a schema cannot express: unique ids, descriptor levels, columns."""
    problems: list[str] = []
    labels = framework.scale.labels
    seen_groups: set[str] = set()
    seen_items: dict[str, str] = {}
    info_columns = {c.id for c in framework.audit.columns if not c.input}
    column_ids = [c.id for c in framework.audit.columns]
    if len(column_ids) != len(set(column_ids)):
        problems.append("audit.columns: two columns share an id")
    for g, group in enumerate(framework.groups):
        where = f"groups[{g}]"
        if group.id in seen_groups:
            problems.append(f"{where}.id: group id {group.id!r} is used twice")
        seen_groups.add(group.id)
        for i, item in enumerate(group.items):
            at = f"{where}.items[{i}]"
            if item.id in seen_items:
                problems.append(
                    f"{at}.id: item id {item.id!r} is already used at {seen_items[item.id]}"
                )
            seen_items.setdefault(item.id, at)
            for level in item.descriptors:
                if level not in labels:
                    hint = _suggest(level, labels)
                    problems.append(
                        f"{at}.descriptors: {level!r} is not a level of the scale{hint} "
                        f"(levels: {', '.join(labels)})"
                    )
            for key in item.info:
                if key not in info_columns:
                    hint = _suggest(key, info_columns)
                    problems.append(
                        f"{at}.info: {key!r} is not an audit column with 'input: false'{hint}"
                    )
    if framework.status == "complete" and not framework.items:
        if not all(group.judgement for group in framework.groups):
            problems.append("groups: a complete framework needs items or best-fit judgements")
    problems.extend(_edition_problems(framework, set(seen_items)))
    return problems


def _edition_problems(framework, item_ids: set[str]) -> list[str]:
    problems: list[str] = []
    versions: set[str] = set()
    for e, edition in enumerate(framework.previous_editions):
        where = f"previous_editions[{e}]"
        if edition.version == framework.version:
            problems.append(
                f"{where}.version: {edition.version!r} is this spec's own version; list only "
                "earlier editions"
            )
        elif edition.version in versions:
            problems.append(f"{where}.version: edition {edition.version!r} is listed twice")
        versions.add(edition.version)
        for old, new in edition.map.items():
            if new is not None and new not in item_ids:
                hint = _suggest(new, item_ids)
                problems.append(
                    f"{where}.map.{old}: {new!r} is not an item id of this spec{hint}; map to "
                    "one of its items, or to nothing (null) if the item was removed"
                )
    return problems


def edition_map(framework, old_version: str) -> dict[str, str | None]:
    """How an earlier edition's item ids map to ``framework``'s: ``{old id: new id or None}``.

    Only renamed, merged (several old ids → one new id) and removed (→ None) items are listed;
    an id missing from the map is the same item in both editions. The framework's own version
    gives an empty map. An edition the spec does not declare raises SpecError."""
    if old_version == framework.version:
        return {}
    for edition in framework.previous_editions:
        if edition.version == old_version:
            return dict(edition.map)
    declared = ", ".join(e.version for e in framework.previous_editions) or "none"
    raise SpecError(
        f"{framework.name} edition {framework.version} declares no map from edition "
        f"{old_version!r} (declared: {declared}); add it under previous_editions"
    )


def _pydantic_problems(exc, data: Any) -> list[str]:
    problems = []
    errors = exc.errors()
    locs = [tuple(e["loc"]) for e in errors]
    for error in errors:
        loc = [part for part in error["loc"] if not _is_union_tag(part)]
        kind = error["type"]
        here = tuple(error["loc"])
        if kind == "too_short" and any(o[: len(here)] == here and o != here for o in locs):
            continue  # a list emptied only because its entries failed: those are reported
        if kind == "missing":
            problems.append(f"{_path(loc[:-1])}'{loc[-1]}' is missing")
        elif kind == "extra_forbidden":
            key = str(loc[-1])
            known = _allowed_keys(data, loc[:-1])
            hint = _suggest(key, known)
            problems.append(f"{_path(loc[:-1])}'{key}' is not a known key{hint}")
        else:
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{_path(loc)}{message}")
    return problems


def _allowed_keys(data: Any, loc: list) -> list[str]:
    """The field names of the model at ``loc``, for did-you-mean hints."""
    from awardbooks.spec import model

    node: Any = model.Framework
    for part in loc:
        if isinstance(part, int):
            continue
        field = node.model_fields.get(str(part)) if hasattr(node, "model_fields") else None
        if field is None:
            return []
        node = _model_of(field.annotation)
        if node is None:
            return []
    return list(node.model_fields) if hasattr(node, "model_fields") else []


def _model_of(annotation: Any):
    from typing import get_args

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part in {"function-after", "str"})


def _path(loc: Iterable) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return f"{text}: " if text else ""


def _suggest(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _joined(source: str, problems: list[str]) -> str:
    if len(problems) == 1:
        return f"{source}: {problems[0]}"
    lines = [f"{source}: {len(problems)} problems"]
    lines.extend(f"  {source}: {p}" for p in problems)
    return "\n".join(lines)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
