"""Test and sample tooling, not part of the installed package: fill workbooks the way a
person does, through LibreOffice's UNO API.

``fill`` and ``fill_many`` open workbooks in LibreOffice (run by the system Python that has
``uno``, in ``lo_uno_fill.py``), type values into cells, recalculate and save as xlsx. The rest
of LibreOffice (``convert``, the private profile) comes from :mod:`awardbooks.libreoffice`,
re-exported here so tests have one module to import.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import subprocess
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from awardbooks.libreoffice.convert import (  # noqa: F401 - re-exported for the tests
    INSTALL_HINT,
    LibreOfficeError,
    _last_line,
    _require_soffice,
    _run,
    convert,
    find_soffice,
    make_profile,
)
from awardbooks.libreoffice.convert import skip_reason as _soffice_missing

#: The interpreter that has LibreOffice's ``uno`` module (Debian: python3-uno).
UNO_PYTHON = "/usr/bin/python3"

#: The script ``fill``/``fill_many`` run under ``UNO_PYTHON``.
UNO_SCRIPT = Path(__file__).with_name("lo_uno_fill.py")


@functools.lru_cache(maxsize=1)
def _uno_python_problem() -> str | None:
    """Say why UNO_PYTHON cannot import uno, or None when it can."""
    if not os.access(UNO_PYTHON, os.X_OK):
        return f"{UNO_PYTHON} is missing"
    try:
        done = subprocess.run(
            [UNO_PYTHON, "-I", "-c", "import uno"],
            capture_output=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{UNO_PYTHON} cannot be run ({exc})"
    if done.returncode != 0:
        return f"{UNO_PYTHON} cannot import uno"
    return None


def skip_reason() -> str | None:
    """Return None when soffice and UNO_PYTHON with uno are usable, else why not."""
    missing = _soffice_missing()
    if missing:
        return missing
    problem = _uno_python_problem()
    if problem:
        return f"LibreOffice's Python bridge is not usable ({problem}): {INSTALL_HINT}"
    return None


def available() -> bool:
    """True when convert, fill and fill_many can run here."""
    return skip_reason() is None


def _encode_value(where: str, value: object) -> object:
    """Turn a Python cell value into the JSON form _uno_fill.py understands."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise LibreOfficeError(f"{where}: cannot enter True/False; use 1/0 or a string")
    if isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise LibreOfficeError(f"{where}: cannot enter {value}")
        return value
    if isinstance(value, _dt.datetime):
        raise LibreOfficeError(f"{where}: cannot enter a datetime; give a date")
    if isinstance(value, _dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, Mapping) and set(value) == {"date"}:
        try:
            return {"date": _dt.date.fromisoformat(str(value["date"])).isoformat()}
        except ValueError:
            raise LibreOfficeError(f"{where}: {value['date']!r} is not a YYYY-MM-DD date") from None
    raise LibreOfficeError(f"{where}: cannot enter a value of type {type(value).__name__}")


def fill_many(
    jobs: Sequence[tuple[Path, Path, Mapping[str, Mapping[str, object]]]],
    *,
    respect_locks: bool = True,
    profile_dir: Path | None = None,
    timeout: float = 120,
    password: str | None = None,
    save_password: str | None = None,
) -> None:
    """Fill several workbooks in one LibreOffice session: for each (src, dst, values)
    type ``values`` ({sheet: {"C7": value}}) into src, recalculate and save dst as xlsx.
    ``password`` opens encrypted workbooks (as a person types it when asked);
    ``save_password`` saves them encrypted with it (File > Save As, Save with password).

    Values: str (a leading "=" makes a formula, English names, ";" between arguments),
    int/float, None (clear the cell), a ``datetime.date`` or {"date": "YYYY-MM-DD"}.
    With several jobs an error message starts with the source file's name.
    """
    encoded = []
    for src, dst, values in jobs:
        src, dst = Path(src).resolve(), Path(dst).resolve()
        if not src.is_file():
            raise LibreOfficeError(f"Cannot fill {src}: no such file")
        if dst == src:
            raise LibreOfficeError(f"Refusing to overwrite {src.name}: give a different dst")
        if not dst.parent.is_dir():
            raise LibreOfficeError(f"Cannot save {dst}: folder {dst.parent} does not exist")
        cells = {
            str(sheet): {
                str(addr): _encode_value(f"{sheet}!{addr}", value)
                for addr, value in sheet_values.items()
            }
            for sheet, sheet_values in values.items()
        }
        encoded.append({"src": str(src), "dst": str(dst), "values": cells,
                        "password": password, "save_password": save_password})  # fmt: skip
    if not encoded:
        return
    reason = skip_reason()
    if reason:
        raise LibreOfficeError(reason)
    soffice = _require_soffice()
    with tempfile.TemporaryDirectory(prefix="awardbooks-lo-") as tmp:
        tmpdir = Path(tmp)
        job = {
            "soffice": soffice,
            "profile_url": make_profile(Path(profile_dir) if profile_dir else tmpdir / "profile"),
            "pipe": f"awardbooks_{os.getpid()}_{uuid.uuid4().hex}",
            "respect_locks": respect_locks,
            "timeout": timeout,
            "jobs": encoded,
            "result": str(tmpdir / "result.json"),
            "log": str(tmpdir / "soffice.log"),
        }
        job_file = tmpdir / "job.json"
        job_file.write_text(json.dumps(job), encoding="utf-8")
        code, out, err = _run(
            [UNO_PYTHON, "-I", str(UNO_SCRIPT), str(job_file)],
            timeout,
            f"filling {len(encoded)} workbook(s)",
        )
        result_file = tmpdir / "result.json"
        result = (
            json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else None
        )
    if result is None:
        detail = _last_line(err, out) or f"exit code {code}"
        raise LibreOfficeError(f"The LibreOffice fill script failed: {detail}")
    if "error" in result:
        message = result["error"]
        index = result.get("job")
        if len(encoded) > 1 and index is not None:
            message = f"{Path(encoded[index]['src']).name}: {message}"
        raise LibreOfficeError(message)


def fill(
    src: Path,
    dst: Path,
    values: Mapping[str, Mapping[str, object]],
    *,
    respect_locks: bool = True,
    profile_dir: Path | None = None,
    timeout: float = 120,
    password: str | None = None,
    save_password: str | None = None,
) -> None:
    """Type ``values`` ({sheet: {"C7": value}}) into ``src`` as a person would, then
    recalculate and save as xlsx to ``dst``; a locked cell raises "Sheet!C7 is locked".
    ``password`` and ``save_password`` as for :func:`fill_many`."""
    fill_many(
        [(src, dst, values)], respect_locks=respect_locks, profile_dir=profile_dir,
        timeout=timeout, password=password, save_password=save_password,
    )  # fmt: skip
