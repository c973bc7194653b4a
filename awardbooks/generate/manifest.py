"""The manifest: one row per workbook generated (``manifest.csv`` beside the workbooks), read
back by the analyser to tell which returns are missing or unknown, and by carry-forward."""

from __future__ import annotations

from pathlib import Path

from awardbooks.common.csvfiles import csv_reader, write_records
from awardbooks.errors import GenerateError

MANIFEST_COLUMNS = (
    "workbook_id",
    "file",
    "setting",
    "urn",
    "partnership",
    "local_authority",
    "contact_email",
    "framework",
    "spec_version",
    "year",
    "term",
    "previous_workbook_id",  # the workbook a next-term workbook carries forward (else empty)
)
def read_manifest(path: Path) -> list[dict[str, str]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise GenerateError(
            f"{path}: is not a CSV text file; a manifest is the manifest.csv that generate writes"
        ) from None
    except OSError as exc:
        raise GenerateError(f"{path}: cannot read the manifest ({exc.strerror})") from None
    reader = csv_reader(text)
    if text.strip() and "workbook_id" not in (reader.fieldnames or []):
        raise GenerateError(f"{path}: not an awardbooks manifest (no 'workbook_id' column)")
    return list(reader)


def read_manifests(given) -> tuple[list[dict[str, str]], str]:
    """The rows of several manifests, each given as a file or a folder (every manifest.csv in
    it or below), and how to name them in a message: a workbook listed in two of them counts
    once (the first row). Every manifest given is read: none is dropped."""
    files: list[Path] = []
    for item in [given] if isinstance(given, str | Path) else list(given):
        path = Path(item)
        if path.is_dir():
            found = sorted(path.rglob("manifest.csv"))
            if not found:
                raise GenerateError(
                    f"{path}: has no manifest.csv in it or below; give the folder that generate "
                    "wrote, or its manifest.csv"
                )
            files += found
        else:
            files.append(path)
    files = list(dict.fromkeys(files))
    rows: dict[str, dict[str, str]] = {}
    for path in files:
        listed = read_manifest(path)
        if not listed:
            raise GenerateError(f"{path}: the manifest lists no workbooks")
        for row in listed:
            rows.setdefault(row.get("workbook_id", ""), row)
    names = [str(p) for p in files]
    if len(names) <= 1:
        return list(rows.values()), "".join(names)
    return list(rows.values()), f"any of {', '.join(names[:-1])} and {names[-1]}"


def write_manifest(path: Path, rows) -> None:
    """Write manifest rows (dicts) atomically, in :data:`MANIFEST_COLUMNS`."""
    write_records(path, MANIFEST_COLUMNS, rows)


def rows_by_file(path: Path) -> dict[str, dict[str, str]]:
    """A folder's manifest rows by workbook file name ({} when it has no manifest yet)."""
    return {r["file"]: r for r in read_manifest(path)} if Path(path).is_file() else {}


def update_manifest(
    path: Path, rows: list[dict[str, str]], old: dict[str, dict[str, str]]
) -> list[dict[str, str]]:
    """Write this run's ``rows`` and every earlier row of ``old`` whose workbook this run did
    not write or keep (re-running never loses a workbook's row); returns all the rows."""
    kept = {r["file"] for r in rows}
    every = [*rows, *(r for f, r in old.items() if f not in kept)]
    write_manifest(path, every)
    return every
