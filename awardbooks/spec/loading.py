"""Load framework specs (YAML) and validate them into :class:`~awardbooks.spec.model.Framework`.

Every problem is collected as a :class:`~awardbooks.problems.Problem` (its code from
:mod:`awardbooks.spec.codes`, its place the key path) and reported with its place,
pyxform-style::

    framework_specs/lppa.yaml: groups[3].items[2]: 'text' is missing

An authoring workbook can stand in for a spec wherever one is asked for; reading one is the
authoring stage's work, which comes after this one, so :func:`load` reads YAML and built-in
ids only. :func:`awardbooks.authoring.sources.load_spec` reads either.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from awardbooks.errors import SpecError
from awardbooks.problems import Problem
from awardbooks.spec import codes
from awardbooks.spec.codes import SpecValueError
from awardbooks.spec.model import BUILTIN_SCALES, CELL_LIMIT, Column, Framework
from awardbooks.spec.sheetnames import sheet_name_problems

PACKAGED_SPEC_DIR = Path(__file__).resolve().parents[1] / "framework_specs"
"""Where an installed wheel keeps the built-in specs (pyproject maps the repository's
``framework_specs/`` to the package ``awardbooks.framework_specs``)."""
CHECKOUT_SPEC_DIR = Path(__file__).resolve().parents[2] / "framework_specs"
"""The repository's ``framework_specs/``, for a source checkout or an editable install."""
YAML_SUFFIXES = {".yaml", ".yml"}
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
"""Authoring workbooks (``awardbooks spec template``) are accepted wherever a spec is, by
:func:`awardbooks.authoring.sources.load_spec`."""


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


def edition_paths() -> list[Path]:
    """Earlier editions of the built-in specs (``framework_specs/editions/``), kept so that
    returns of workbooks made from them are read with their own layout."""
    return [p for folder in spec_dirs() for p in sorted((folder / "editions").glob("*.yaml"))]


def resolve(framework: str | Path) -> Path:
    """A built-in id or a path to a spec file (YAML or an authoring workbook) → its path."""
    candidate = Path(framework)
    if candidate.suffix.lower() in YAML_SUFFIXES | WORKBOOK_SUFFIXES or candidate.exists():
        if not candidate.is_file():
            raise SpecError.of([codes.FILE_MISSING(file=str(candidate))])
        return candidate
    paths = builtin_paths()
    if str(framework) in paths:
        return paths[str(framework)]
    known = ", ".join(sorted(paths)) or "none"
    hint = suggest(str(framework), paths)
    raise SpecError.of([codes.UNKNOWN_FRAMEWORK(name=str(framework), hint=hint, known=known)])


def load(framework: str | Path) -> Framework:
    """Load and fully validate a YAML spec by built-in id or path."""
    path = resolve(framework)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        raise SpecError.of([codes.IS_WORKBOOK(file=display_path(path))])
    return _load_cached(str(path.resolve()), path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _load_cached(path: str, _mtime: int) -> Framework:
    # yaml is imported here, not at the top: `awardbooks --help` need not wait for it
    import yaml

    shown = display_path(Path(path))
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise SpecError.of([codes.NOT_UTF8(file=shown)]) from None
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader either way
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        detail = getattr(exc, "problem", None) or str(exc)
        raise SpecError.of([codes.NOT_YAML(file=shown, path=where, detail=detail)]) from None
    return from_data(data, shown)


def from_data(data: Any, source: str = "<spec>") -> Framework:
    """Validate already-parsed spec data; raise one SpecError listing every problem."""
    framework, problems = check_data(data)
    if problems:
        raise SpecError.of(problems, source)
    assert framework is not None
    return framework


def check_data(data: Any) -> tuple[Framework | None, list[Problem]]:
    """Validate already-parsed spec data: the framework (None if invalid) and every problem,
    each at its key path (e.g. ``groups[3].items[2]``: ``'text' is missing``)."""
    if not isinstance(data, dict):
        return None, [codes.NOT_MAPPING()]
    data = dict(data)
    problems: list[Problem] = []
    scale = data.get("scale")
    if isinstance(scale, str):
        if scale in BUILTIN_SCALES:
            data["scale"] = BUILTIN_SCALES[scale].model_dump()
        else:
            hint = suggest(scale, BUILTIN_SCALES)
            known = ", ".join(BUILTIN_SCALES)
            problems.append(codes.UNKNOWN_SCALE(path="scale", scale=scale, hint=hint, known=known))
            data.pop("scale")
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        reported = bool(problems)  # the scale: reported above, so not missing too
        problems.extend(
            p
            for p in _schema_problems(exc, data)
            if not (reported and p.code == codes.MISSING_KEY.id and p.values["key"] == "scale")
        )
        return None, problems
    problems.extend(semantic_problems(framework))
    return (None if problems else framework), problems


def semantic_problems(framework: Framework) -> list[Problem]:
    """Cross-field checks a schema cannot express: unique ids, descriptor levels, columns,
    editions, and the names of the workbook's sheets."""
    problems: list[Problem] = []
    labels = framework.scale.labels
    seen_groups: set[str] = set()
    seen_items: dict[str, str] = {}
    info_columns = {c.id for c in framework.audit.columns if not c.input}
    for path, columns in _column_lists(framework):
        column_ids = [c.id for c in columns]
        if len(column_ids) != len(set(column_ids)):
            problems.append(codes.COLUMN_ID_REPEATED(path=path))
    for g, group in enumerate(framework.groups):
        where = f"groups[{g}]"
        if group.id in seen_groups:
            problems.append(codes.GROUP_ID_REPEATED(path=f"{where}.id", group=group.id))
        seen_groups.add(group.id)
        for i, item in enumerate(group.items):
            at = f"{where}.items[{i}]"
            if item.id in seen_items:
                problems.append(
                    codes.ITEM_ID_REPEATED(path=f"{at}.id", item=item.id, first=seen_items[item.id])
                )
            seen_items.setdefault(item.id, at)
            for level in item.descriptors:
                if level not in labels:
                    problems.append(
                        codes.UNKNOWN_LEVEL(
                            path=f"{at}.descriptors",
                            level=level,
                            hint=suggest(level, labels),
                            levels=", ".join(labels),
                        )
                    )
            for key in item.info:
                if key not in info_columns:
                    hint = suggest(key, info_columns)
                    problems.append(
                        codes.UNKNOWN_INFO_COLUMN(path=f"{at}.info", column=key, hint=hint)
                    )
    problems.extend(
        codes.CELL_TEXT_TOO_LONG(path=path, length=len(text), limit=CELL_LIMIT)
        for path, text in _texts(framework.model_dump(), ())
        if len(text) > CELL_LIMIT
    )
    problems.extend(_outcome_problems(framework))
    problems.extend(_list_problems(framework))
    problems.extend(_date_problems(framework))
    problems.extend(_edition_problems(framework, set(seen_items)))
    problems.extend(sheet_name_problems(framework))
    return problems


def _texts(node: Any, at: tuple) -> Iterable[tuple[str, str]]:
    """Every text in dumped spec data, with its key path."""
    if isinstance(node, str):
        yield key_path(at), node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _texts(value, (*at, str(key)))
    elif isinstance(node, (list, tuple)):
        for n, value in enumerate(node):
            yield from _texts(value, (*at, n))


def _column_lists(framework: Framework) -> list[tuple[str, tuple[Column, ...]]]:
    """Every list of columns in the spec, at its key path."""
    sheets = framework.sheets
    found = [("cover_fields", framework.cover_fields), ("audit.columns", framework.audit.columns)]
    if sheets.action_plan:
        found.append(("sheets.action_plan.columns", sheets.action_plan.columns))
    if sheets.outcomes:
        found.append(("sheets.outcomes.columns", sheets.outcomes.columns))
    if sheets.portfolio:
        found.append(("sheets.portfolio.columns", sheets.portfolio.columns))
        found.append(("sheets.portfolio.fields", sheets.portfolio.fields))
    for n, listed in enumerate(sheets.lists):
        found.append((f"sheets.lists[{n}].columns", listed.columns))
    return found


def _list_problems(framework: Framework) -> list[Problem]:
    """List sheets: ids unique, row ids unique within a sheet, info only for locked columns."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for n, listed in enumerate(framework.sheets.lists):
        where = f"sheets.lists[{n}]"
        if listed.id in seen:
            problems.append(codes.LIST_ID_REPEATED(path=f"{where}.id", list_id=listed.id))
        seen.add(listed.id)
        rows: set[str] = set()
        locked = [c.id for c in listed.columns if not c.input]
        for r, row in enumerate(listed.rows):
            at = f"{where}.rows[{r}]"
            if row.id in rows:
                problems.append(
                    codes.LIST_ROW_ID_REPEATED(path=f"{at}.id", row=row.id, list_id=listed.id)
                )
            rows.add(row.id)
            for key in row.info:
                if key not in locked:
                    hint = suggest(key, locked)
                    problems.append(
                        codes.LIST_UNKNOWN_INFO_COLUMN(path=f"{at}.info", column=key, hint=hint)
                    )
    return problems


def _date_problems(framework: Framework) -> list[Problem]:
    """Date limits are on cover dates and name a cover date; pre-entered evidence fits the
    portfolio's rows; the evidence age rule names a date column and a cover date."""
    problems: list[Problem] = []
    dates = {c.id: c for c in framework.cover_fields if c.type == "date"}
    dates["completed_on"] = Column(id="completed_on", label="Date completed", type="date")
    for n, column in enumerate(framework.cover_fields):
        if column.within is None:
            continue
        where = f"cover_fields[{n}].within"
        if column.type != "date":
            problems.append(codes.DATE_LIMIT_NOT_DATE(path=where, column=column.id))
        after = column.within.after
        if after not in dates:
            hint = suggest(after, dates)
            problems.append(codes.DATE_FIELD_UNKNOWN(path=f"{where}.after", field=after, hint=hint))
    for path, columns in _column_lists(framework)[1:]:  # every list but the cover's
        for n, column in enumerate(columns):
            if column.within is not None:
                problems.append(codes.DATE_LIMIT_NOT_COVER(path=f"{path}[{n}].within"))
    port = framework.sheets.portfolio
    rows = port.evidence_per_item if port else 0
    for g, group in enumerate(framework.groups):
        for i, item in enumerate(group.items):
            if len(item.preset_evidence) > rows:
                where = f"the portfolio has {rows} evidence row{'s' * (rows > 1)} per item"
                if port is None:
                    where = "the workbook has no portfolio sheet"
                problems.append(codes.PRESET_EVIDENCE_TOO_MANY(
                    path=f"groups[{g}].items[{i}].preset_evidence",
                    count=len(item.preset_evidence), item=item.id, rows=where))  # fmt: skip
    rule = port.evidence_age if port else None
    if port is not None and rule is not None:
        where = "sheets.portfolio.evidence_age"
        columns = {c.id: c for c in port.columns if c.type == "date"}
        if rule.column not in columns:
            hint = suggest(rule.column, columns)
            problems.append(
                codes.EVIDENCE_AGE_COLUMN(path=f"{where}.column", column=rule.column, hint=hint)
            )
        if rule.at not in dates:
            hint = suggest(rule.at, dates)
            problems.append(codes.DATE_FIELD_UNKNOWN(path=f"{where}.at", field=rule.at, hint=hint))
    return problems


def _outcome_problems(framework: Framework) -> list[Problem]:
    outcomes = framework.sheets.outcomes
    if outcomes is None:
        return []
    problems: list[Problem] = []
    seen: set[str] = set()
    open_rows = outcomes.open_row_ids
    for n, outcome in enumerate(outcomes.outcomes):
        path = f"sheets.outcomes.outcomes[{n}].id"
        if outcome.id in open_rows:
            problems.append(
                codes.OUTCOME_ID_OPEN_ROW(
                    path=path,
                    outcome=outcome.id,
                    first=open_rows[0],
                    last=open_rows[-1],
                    number=n + 1,
                )
            )
        elif outcome.id in seen:
            problems.append(codes.OUTCOME_ID_REPEATED(path=path, outcome=outcome.id))
        seen.add(outcome.id)
    return problems


def _edition_problems(framework: Framework, item_ids: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    versions: set[str] = set()
    for e, edition in enumerate(framework.previous_editions):
        where = f"previous_editions[{e}]"
        if edition.version == framework.version:
            problems.append(
                codes.EDITION_OWN_VERSION(path=f"{where}.version", version=edition.version)
            )
        elif edition.version in versions:
            problems.append(
                codes.EDITION_REPEATED(path=f"{where}.version", version=edition.version)
            )
        versions.add(edition.version)
        for old, new in edition.map.items():
            if new is not None and new not in item_ids:
                hint = suggest(new, item_ids)
                problems.append(
                    codes.EDITION_UNKNOWN_ITEM(path=f"{where}.map.{old}", item=new, hint=hint)
                )
    return problems


def edition_map(framework: Framework, old_version: str) -> dict[str, str | None]:
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
    raise SpecError.of(
        [
            codes.EDITION_UNDECLARED(
                framework=framework.name,
                version=framework.version,
                old=old_version,
                declared=declared,
            )
        ]
    )


# -- pydantic's errors as problems -----------------------------------------------------------
def _schema_problems(exc: ValidationError, data: Any) -> list[Problem]:
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
            problems.append(codes.MISSING_KEY(path=key_path(loc[:-1]), key=str(loc[-1])))
        elif kind == "extra_forbidden":
            key = str(loc[-1])
            hint = suggest(key, _allowed_keys(loc[:-1]))
            problems.append(codes.UNKNOWN_KEY(path=key_path(loc[:-1]), key=key, hint=hint))
        else:
            problems.append(_value_problem(error, key_path(loc)))
    return problems


_LIMITS = {
    "greater_than_equal": (codes.TOO_SMALL, "ge"),
    "greater_than": (codes.NOT_ABOVE, "gt"),
    "less_than_equal": (codes.TOO_LARGE, "le"),
}


def _value_problem(error: Any, path: str) -> Problem:
    """One of pydantic's errors about a value as a problem with a code."""
    kind, ctx, message = error["type"], error.get("ctx") or {}, error["msg"]
    raised = ctx.get("error")
    if isinstance(raised, SpecValueError):
        return raised.code(path=path, **raised.values)
    if kind in ("string_too_short", "string_too_long"):
        limit = ctx["min_length" if kind == "string_too_short" else "max_length"]
        code = codes.TEXT_TOO_SHORT if kind == "string_too_short" else codes.TEXT_TOO_LONG
        return code(path=path, limit=limit, unit="character" if limit == 1 else "characters")
    if kind == "too_short":
        limit, actual = ctx["min_length"], ctx["actual_length"]
        unit = "item" if limit == 1 else "items"
        return codes.TOO_FEW(path=path, limit=limit, unit=unit, actual=actual)
    if kind in _LIMITS:
        code, key = _LIMITS[kind]
        return code(path=path, limit=_number(ctx[key]))
    for prefix, code in (
        ("Input should be a valid integer", codes.NOT_INTEGER),
        ("Input should be a valid number", codes.NOT_NUMBER),
    ):
        if message.startswith(prefix):
            return code(path=path, detail=message.removeprefix(prefix))
    if message.startswith("Input should be "):
        return codes.WRONG_TYPE(path=path, expected=message.removeprefix("Input should be "))
    return codes.INVALID(path=path, detail=message.removeprefix("Value error, "))


def _number(value: Any) -> Any:
    """0.0 → 0, as pydantic words its limits."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _allowed_keys(loc: list) -> list[str]:
    """The field names of the model at ``loc``, for did-you-mean hints."""
    node: Any = Framework
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


def _model_of(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and ("[" in part or part in {"function-after", "str"})


# -- shared with the authoring workbook's reader ---------------------------------------------
def key_path(loc: Iterable) -> str:
    """A spec key path from its parts: ``("groups", 3, "items", 2)`` → ``groups[3].items[2]``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or ''."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
