"""The package's layout keeps to its design: stages import only earlier stages, no import
cycles, no private names reached across modules, imports inside functions only where they
keep ``--help`` fast, modules of a readable size, and the wheel lists every subpackage."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "awardbooks"

STAGES = {
    # what every stage may use
    "version": 0, "problems": 0, "errors": 1, "common": 2, "libreoffice": 2,
    # spec -> model -> workbook layout -> rendering
    "spec": 3, "authoring": 4, "workbook": 4, "generate": 5,
    # inputs -> reading and checks -> analysis -> outputs
    "read": 6, "analyse": 7, "outputs": 8, "mail": 8,
    # a collection: a year's workbooks, returns and outputs kept over all of those stages
    "collection": 9,
    # the public API over all of them, the CLI over the API, the package's exports
    "api_collection": 10, "api": 11,
    "cli_common": 12, "cli_collection": 13, "cli_mail": 14, "cli": 15, "__init__": 16,
}  # fmt: skip
"""Each stage's place in the pipeline: a module may import its own stage or an earlier one
(authoring and workbook, outputs and mail, are side by side: neither imports the other)."""

LAZY_IMPORTS_ALLOWED = {
    "awardbooks/api.py": "imports each stage when a function needs it, so --help stays fast",
    "awardbooks/api_collection.py": "the same, for the collection's part of the API",
    "awardbooks/analyse/consolidate.py": "imports pandas while the worker processes read",
}
"""Modules that import other awardbooks modules inside functions, and why (said in each)."""

MAX_LINES = 650


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _stage(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def _imports(path: Path, module: str) -> list[tuple[str, list[str], bool, int]]:
    """(imported module, names, inside a function, line) for each awardbooks import, leaving
    out those only for type checking."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node, in_function: bool, type_checking: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            checking = type_checking or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            )
            if isinstance(child, ast.ImportFrom) and not checking:
                base = child.module or ""
                if child.level:  # relative: from its package
                    package = module.split(".")[: -child.level or None]
                    if path.name == "__init__.py":
                        package = module.split(".")[: len(module.split(".")) - child.level + 1]
                    base = ".".join([*package, base] if base else package)
                if base.split(".")[0] == "awardbooks":
                    names = [a.name for a in child.names]
                    subs = [f"{base}.{n}" for n in names if f"{base}.{n}" in _modules()]
                    found.append((subs[0] if subs else base, names, in_function, child.lineno))
            elif isinstance(child, ast.Import) and not checking:
                for alias in child.names:
                    if alias.name.split(".")[0] == "awardbooks":
                        found.append((alias.name, [], in_function, child.lineno))
            visit(child, inner, checking)

    visit(tree, False, False)
    return found


MODULES = _modules()
IMPORTS = {name: _imports(path, name) for name, path in MODULES.items()}


def test_every_module_belongs_to_a_stage():
    assert sorted({_stage(m) for m in MODULES} - set(STAGES)) == []


def test_no_module_imports_back_up_the_pipeline():
    wrong = []
    for module, imports in IMPORTS.items():
        here = _stage(module)
        for target, _names, _lazy, line in imports:
            there = _stage(target)
            if there == here:
                continue
            if STAGES[there] >= STAGES[here] and not (target == "awardbooks" and here == "cli"):
                wrong.append(f"{MODULES[module].relative_to(ROOT)}:{line}: imports {target}")
    assert wrong == []


def test_no_import_cycles():
    graph = {
        m: {t for t, _n, lazy, _l in IMPORTS[m] if not lazy and t in MODULES and t != m}
        for m in MODULES
    }
    # a package's __init__ is imported on the way to its modules: it may not import them back
    cycles = []
    state: dict[str, int] = {}

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    assert cycles == []


def test_no_private_name_is_imported_from_another_module():
    wrong = [
        f"{MODULES[m].relative_to(ROOT)}:{line}: {target}.{name}"
        for m, imports in IMPORTS.items()
        for target, names, _lazy, line in imports
        for name in names
        if name.startswith("_") and name != "__version__"
    ]
    assert wrong == []


def test_imports_inside_functions_only_where_the_module_says_why():
    wrong = []
    for module, imports in IMPORTS.items():
        where = str(MODULES[module].relative_to(ROOT))
        if where in LAZY_IMPORTS_ALLOWED:
            continue
        wrong += [f"{where}:{line}: {target}" for target, _n, lazy, line in imports if lazy]
    assert wrong == []


@pytest.mark.parametrize("module", sorted(LAZY_IMPORTS_ALLOWED))
def test_modules_with_lazy_imports_say_so(module):
    doc = ast.get_docstring(ast.parse((ROOT / module).read_text(encoding="utf-8"))) or ""
    assert "inside the functions" in " ".join(doc.split())


def test_modules_stay_readable():
    long = {
        str(p.relative_to(ROOT)): n
        for p in MODULES.values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_module_states_its_decisions_in_a_docstring():
    missing = [
        str(p.relative_to(ROOT))
        for p in MODULES.values()
        if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))
    ]
    assert missing == []


def test_the_wheel_lists_every_subpackage():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    listed = set(config["setuptools"]["packages"])
    folders = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")
    }
    assert listed == folders | {"awardbooks.framework_specs"}
    assert config["setuptools"]["package-dir"] == {"awardbooks.framework_specs": "framework_specs"}
