"""Drive LibreOffice headless: convert workbooks and fill them the way a person does.

``convert`` re-saves many files in one ``soffice --convert-to`` call; ``fill`` and
``fill_many`` open workbooks through LibreOffice's UNO API (run by the system Python in
``_uno_fill.py``), type values into cells, recalculate and save as xlsx. Every call runs
LibreOffice with a private profile that recalculates all formulas on load, so cached
formula values in the outputs are never stale.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

from awardbooks.errors import AwardbooksError

#: The interpreter that has LibreOffice's ``uno`` module (Debian: python3-uno).
UNO_PYTHON = "/usr/bin/python3"

#: The script ``fill``/``fill_many`` run under ``UNO_PYTHON``.
UNO_SCRIPT = Path(__file__).with_name("_uno_fill.py")

INSTALL_HINT = "apt-get install -y --no-install-recommends libreoffice-calc python3-uno"

#: ``--convert-to`` arguments per output format.
CONVERT_FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "ods": "ods",
    "pdf": "pdf",
}

_SOFFICE_CANDIDATES = (
    "/usr/lib/libreoffice/program/soffice",
    "/usr/local/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)

_OOR = "http://openoffice.org/2001/registry"
_PROFILE_ITEMS = (
    # Recalculate every formula when a file is loaded (0 = always, 1 = never, 2 = ask).
    ("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "int", "0"),
    ("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "int", "0"),
    # Leave no .~lock.NAME# files beside the workbooks we open.
    # (UseLocking; UseDocumentOOoLockFile=false alone still leaves the lock file.)
    ("/org.openoffice.Office.Common/Misc", "UseLocking", "boolean", "false"),
)


class LibreOfficeError(AwardbooksError):
    """LibreOffice is missing, failed, timed out or refused an edit (one-line message)."""


def find_soffice() -> str | None:
    """Return the path of the soffice/libreoffice executable, or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _SOFFICE_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


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
    if find_soffice() is None:
        return f"LibreOffice is not installed: {INSTALL_HINT}"
    problem = _uno_python_problem()
    if problem:
        return f"LibreOffice's Python bridge is not usable ({problem}): {INSTALL_HINT}"
    return None


def available() -> bool:
    """True when convert, fill and fill_many can run here."""
    return skip_reason() is None


def make_profile(dir: Path) -> str:
    """Create (or update) a LibreOffice user installation in ``dir`` that always
    recalculates formulas on load; return its file:// URL for -env:UserInstallation."""
    from xml.etree import ElementTree as ET

    dir = Path(dir).resolve()
    xcu = dir / "user" / "registrymodifications.xcu"
    xcu.parent.mkdir(parents=True, exist_ok=True)
    ET.register_namespace("oor", _OOR)
    ET.register_namespace("xs", "http://www.w3.org/2001/XMLSchema")
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    root = None
    if xcu.exists():
        try:
            root = ET.parse(xcu).getroot()
        except ET.ParseError:
            root = None  # a damaged profile: start it again
    if root is None:
        root = ET.Element(f"{{{_OOR}}}items")
    wanted = {(path, name) for path, name, _, _ in _PROFILE_ITEMS}
    for item in list(root):
        prop = item.find("prop")
        if (
            prop is not None
            and (item.get(f"{{{_OOR}}}path"), prop.get(f"{{{_OOR}}}name")) in wanted
        ):
            root.remove(item)
    for path, name, _type, value in _PROFILE_ITEMS:
        item = ET.SubElement(root, "item", {f"{{{_OOR}}}path": path})
        prop = ET.SubElement(item, "prop", {f"{{{_OOR}}}name": name, f"{{{_OOR}}}op": "fuse"})
        ET.SubElement(prop, "value").text = value
    tmp = xcu.with_name(xcu.name + ".tmp")
    ET.ElementTree(root).write(tmp, encoding="UTF-8", xml_declaration=True)
    os.replace(tmp, xcu)
    return dir.as_uri()


def _require_soffice() -> str:
    soffice = find_soffice()
    if soffice is None:
        raise LibreOfficeError(f"LibreOffice is not installed: {INSTALL_HINT}")
    return soffice


def _kill_group(proc: subprocess.Popen) -> None:
    """Kill the process group a start_new_session child leads (soffice forks soffice.bin),
    then reap the child and close its pipes."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        pass
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


def _run(cmd: list[str], timeout: float, what: str) -> tuple[int, str, str]:
    """Run cmd in its own process group; kill the whole group on timeout."""
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )
    except OSError as exc:
        raise LibreOfficeError(f"Could not start {cmd[0]}: {exc}") from exc
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise LibreOfficeError(f"LibreOffice did not finish {what} within {timeout:g} s") from None
    except BaseException:
        _kill_group(proc)
        raise
    # soffice.bin normally exits with its parent; make sure nothing is left either way.
    _kill_group(proc)
    return proc.returncode, out, err


def _last_line(*texts: str) -> str:
    """The last meaningful line of some output, ignoring LibreOffice's java warning."""
    for text in reversed(texts):
        for line in reversed(text.strip().splitlines()):
            line = line.strip()
            if line and "javaldx" not in line:
                return line
    return ""


def convert(
    paths: Sequence[Path],
    outdir: Path,
    fmt: str = "xlsx",
    profile_dir: Path | None = None,
    timeout: float = 120,
) -> list[Path]:
    """Convert ``paths`` to ``fmt`` (xlsx, xls, ods, pdf) in ``outdir`` with one soffice
    call, recalculating every formula; return the output paths in input order."""
    if fmt not in CONVERT_FILTERS:
        raise LibreOfficeError(
            f"Cannot convert to {fmt!r}: choose one of {', '.join(CONVERT_FILTERS)}"
        )
    sources = [Path(p).resolve() for p in paths]
    if not sources:
        return []
    outdir = Path(outdir).resolve()
    outputs: list[Path] = []
    seen: dict[Path, Path] = {}
    for src in sources:
        if not src.is_file():
            raise LibreOfficeError(f"Cannot convert {src}: no such file")
        if src.parent == outdir:
            raise LibreOfficeError(
                f"Refusing to convert {src.name} into its own folder {outdir}: "
                "choose another outdir"
            )
        out = outdir / f"{src.stem}.{fmt}"
        if out in seen:
            raise LibreOfficeError(f"{seen[out]} and {src} would both be converted to {out}")
        seen[out] = src
        outputs.append(out)
    soffice = _require_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    for out in outputs:  # so a missing output cannot be mistaken for an old one
        out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="awardbooks-lo-") as tmp:
        profile_url = make_profile(Path(profile_dir) if profile_dir else Path(tmp) / "profile")
        cmd = [
            soffice,
            "--headless",
            "--norestore",
            "--nolockcheck",
            f"-env:UserInstallation={profile_url}",
            "--convert-to",
            CONVERT_FILTERS[fmt],
            "--outdir",
            str(outdir),
            *map(str, sources),
        ]
        _code, out, err = _run(cmd, timeout, f"converting {len(sources)} file(s) to {fmt}")
    for src, dst in zip(sources, outputs):
        if not dst.is_file() or dst.stat().st_size == 0:
            detail = _last_line(err, out)
            raise LibreOfficeError(
                f"LibreOffice did not produce {dst} from {src.name}"
                + (f" ({detail})" if detail else "")
            )
    return outputs


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
) -> None:
    """Fill several workbooks in one LibreOffice session: for each (src, dst, values)
    type ``values`` ({sheet: {"C7": value}}) into src, recalculate and save dst as xlsx.

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
        encoded.append({"src": str(src), "dst": str(dst), "values": cells})
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
) -> None:
    """Type ``values`` ({sheet: {"C7": value}}) into ``src`` as a person would, then
    recalculate and save as xlsx to ``dst``; a locked cell raises "Sheet!C7 is locked"."""
    fill_many(
        [(src, dst, values)], respect_locks=respect_locks, profile_dir=profile_dir, timeout=timeout
    )
