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
