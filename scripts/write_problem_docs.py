"""Write docs/problems.md: every problem code awardbooks reports, with an example message,
from the catalogues the stages declare (``awardbooks/**/codes.py``).

    python scripts/write_problem_docs.py        # rewrite docs/problems.md
    python scripts/write_problem_docs.py --check  # exit 1 if it is out of date

``tests/test_problem_docs.py`` runs the check, so the page never drifts from the code.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "problems.md"

STAGES = {
    "spec": "Framework specs (`awardbooks spec check`, and every command that loads a spec)",
    "authoring": "Authoring workbooks (`awardbooks spec import`)",
    "read": "Returns (`awardbooks check`, `analyse`, `report`, `generate --from-returns`)",
}

HEADER = """# Problem codes

Every problem awardbooks reports is a `Problem` (`awardbooks.problems`) with a code, a
severity, where it is (file, sheet and cell, or a spec's key path), what is wrong, and how to
fix it. The command line prints it on one line; `returns.csv` and the Returns sheet list the
messages of each return; `awardbooks.check(...)` gives the `Problem` objects. Codes are stable:
match on the code, not on the wording.

This page is written by `scripts/write_problem_docs.py` from the catalogues in the code
(`awardbooks/*/codes.py`); each example is the message the code makes from sample values, as
the command line words it (the library names a function's parameter, `force=True`, where the
command line names its flag, `--force`).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    sys.path.insert(0, str(ROOT))
    from awardbooks.cli import FLAGS
    from awardbooks.errors import word
    from awardbooks.problems import catalogue

    parts = [HEADER]
    for stage, title in STAGES.items():
        module = importlib.import_module(f"awardbooks.{stage}.codes")
        codes = catalogue(module)
        parts.append(f"\n## {title}\n\n| code | severity | example |\n| --- | --- | --- |\n")
        for code in codes:
            example = word(code.example_problem().raw, FLAGS)  # as the command line says it
            parts.append(f"| `{code.id}` | {code.severity} | {_cell(example)} |\n")
    return "".join(parts)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run python {Path(__file__).name}")
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"Wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
