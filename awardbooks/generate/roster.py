"""Rosters: the settings (schools) a partnership's workbooks are made for, read from the CSV an
officer keeps, each problem reported by row, all at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from awardbooks.common.csvfiles import csv_reader
from awardbooks.common.identity import setting_key
from awardbooks.errors import GenerateError

ROSTER_COLUMNS = ("setting", "urn", "partnership", "local_authority", "contact_email")


@dataclass(frozen=True)
class Setting:
    """A school or other setting, as a roster row describes it."""

    setting: str
    urn: str = ""
    partnership: str = ""
    local_authority: str = ""
    contact_email: str = ""


def read_roster(path: Path) -> list[Setting]:
    """Read a roster CSV, reporting every bad row at once."""
    path = Path(path)
    if not path.is_file():
        raise GenerateError(f"{path}: no such roster file")
    raw = path.read_bytes()
    try:
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text"
            raw = raw.decode("utf-16").encode("utf-8")
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            raise GenerateError(f"{path}: is not a text CSV file; save it as 'CSV UTF-8'") from None
    reader = csv_reader(text)
    headers = [h.strip().lower().replace(" ", "_") for h in (reader.fieldnames or [])]
    if "setting" not in headers:
        found = ", ".join(reader.fieldnames or []) or "none"
        raise GenerateError(
            f"{path}: the roster needs a 'setting' column (columns found: {found}); optional "
            f"columns are {', '.join(ROSTER_COLUMNS[1:])}"
        )
    settings: list[Setting] = []
    problems: list[str] = []
    for line, row in enumerate(reader, start=2):
        values = {
            h: (v or "").strip()
            for h, v in zip(headers, (row.get(k) for k in reader.fieldnames or []))
        }
        if not any(values.values()):
            continue
        if not values.get("setting"):
            problems.append(f"{path}: row {line}: 'setting' is empty; give the setting's name")
            continue
        settings.append(Setting(**{k: values.get(k, "") for k in ROSTER_COLUMNS}))
    if problems:
        raise GenerateError("\n".join(problems))
    if not settings:
        raise GenerateError(f"{path}: the roster has no settings")
    return settings


def one_row_per_setting(rows: list, key) -> tuple[list, list]:
    """(rows, repeats): one row per setting (by URN, else name), the last one standing for
    it (a manifest of several terms lists a setting once per workbook sent)."""
    latest: dict[str, object] = {}
    repeats = []
    for row in rows:
        k = key(row)
        if k in latest:
            repeats.append(row)
            latest.pop(k)
        latest[k] = row
    return list(latest.values()), repeats




def setting_of(row) -> str:
    """The identity (:func:`~awardbooks.common.identity.setting_key`) of a :class:`Setting` or of
    a manifest or record row."""
    if isinstance(row, Setting):
        return setting_key(row.urn, row.setting)
    return setting_key(row.get("urn"), row.get("setting"))
