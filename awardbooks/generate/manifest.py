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
