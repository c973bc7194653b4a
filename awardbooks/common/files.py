"""Writing files safely, in one place: every output is written through a temporary file and
renamed into place, with the permissions an ordinary file would have; folders are made on
demand; file names are readable and safe on every system."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from awardbooks.errors import GenerateError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _umask()

_WINDOWS_RESERVED = (
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


def atomic_write(path: Path, write: Callable) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``: an
    interrupted run never leaves a half-written file in place of a good one."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:  # name the file the user asked for, not the temporary one
        raise OSError(exc.errno, f"cannot write here ({exc.strerror})", str(path)) from None
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # as an ordinary file would be: colleagues can open it
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_folder(folder: Path, error: type[Exception], hint: str = "") -> Path:
    """Create ``folder`` if needed; a file in its place or an unwritable parent is ``error``."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise error(f"{folder}: is a file, not a folder{hint}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error(f"{folder}: cannot create the folder ({exc.strerror})") from None
    return folder


def safe_filename(text: str, fallback: str = "setting") -> str:
    """A readable file-name part for any setting name: keeps letters of any script (Welsh,
    Polish, ...), turns everything else into single hyphens, and drops apostrophes."""
    text = unicodedata.normalize("NFC", text or "")
    text = re.sub(r"['’‘`]", "", text)
    text = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")
    text = text[:80].rstrip("-_")
    if not text or text.upper() in _WINDOWS_RESERVED:
        return fallback
    return text


def prepare_out_dir(out_dir: Path) -> Path:
    """The folder generated files go to, made if needed."""
    return ensure_folder(out_dir, GenerateError, "; choose another {opt:out_dir} folder")
