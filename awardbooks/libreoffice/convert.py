"""Drive LibreOffice headless to convert workbooks (the feedback reports' PDFs).

``convert`` re-saves many files in one ``soffice --convert-to`` call, with a private profile
that recalculates all formulas on load, so cached formula values in the outputs are never
stale. Filling workbooks as a person does is test tooling and lives in ``tests/lofill.py``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from xml.etree import ElementTree as ET

from awardbooks.errors import AwardbooksError

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


def skip_reason() -> str | None:
    """Return None when soffice is usable, else why not."""
    if find_soffice() is None:
        return f"LibreOffice is not installed: {INSTALL_HINT}"
    return None


def available() -> bool:
    """True when :func:`convert` can run here."""
    return skip_reason() is None


def make_profile(dir: Path) -> str:
    """Create (or update) a LibreOffice user installation in ``dir`` that always
    recalculates formulas on load; return its file:// URL for -env:UserInstallation."""
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
