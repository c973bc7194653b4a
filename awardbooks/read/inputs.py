"""The returns given to a run: files and folders walked once into units, one unit per
returned workbook, including those inside .zip archives (up to three deep) and saved emails.

A unit is (name, path, bytes): a plain file is read by path when its turn comes; a workbook
found inside an archive or an email carries its bytes (and, for an email, the message it came
from). An archive or email that cannot be opened is a unit with no path whose bytes hold the
reason. The progress bar's total is the number of units of the same walk that is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from awardbooks.errors import ReturnError
from awardbooks.read import codes
from awardbooks.read.container import Refusal, zip_members
from awardbooks.read.emails import mail_units
from awardbooks.read.names import ARCHIVE_EXTS, RETURN_EXTS, mail_kind, wanted
from awardbooks.read.returns import Registry, ReturnRecord, read_bytes, read_path, refused

Unit = tuple[str, Path | None, bytes | None]


@dataclass
class ReturnInputs:
    """What a run reads: the files found and the returns (units) in them, walked once."""

    files: list[Path]
    units: list[Unit]

    def __len__(self) -> int:
        return len(self.units)


def gather(paths: Iterable[str | Path]) -> ReturnInputs:
    """Find the files under ``paths`` and open every archive and email among them, once."""
    files = find_inputs(paths)
    return ReturnInputs(files, list(return_units(files)))


def find_inputs(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and in folders (recursively) every workbook or .zip archive; hidden
    files and Office lock files (~$name.xlsx) are skipped."""
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if p.is_file())
            candidates = [
                p
                for p in candidates
                if wanted(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            ]
        else:
            candidates = [path]
        for candidate in candidates:
            key = candidate.resolve()
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def return_units(inputs: list[Path]) -> Iterator[Unit]:
    """(name, path, bytes) for every return: files, and the workbooks inside .zip archives and
    saved emails (whose bytes carry the message they came from, see awardbooks.read.emails)."""
    for path in inputs:
        if mail_kind(path):
            yield from mail_units(path, RETURN_EXTS)
        elif path.suffix.lower() in ARCHIVE_EXTS:
            try:
                data = path.read_bytes()
            except OSError as exc:
                yield str(path), None, Refusal(codes.FILE_UNREADABLE(reason=exc.strerror))
                continue
            yield from _archive_units(str(path), path, data)
        else:
            yield str(path), path, None


MAX_ARCHIVE_DEPTH = 3


def _archive_units(name: str, path: Path, data: bytes, depth: int = 1):
    """The returns in a .zip archive, and in archives inside it (up to three deep)."""
    try:
        members = zip_members(data, name, RETURN_EXTS + ARCHIVE_EXTS)
    except ReturnError as exc:
        yield name, None, Refusal(exc.problem)
        return
    if not members:
        yield name, None, Refusal(codes.ARCHIVE_NO_WORKBOOKS())
    for member, content in members:
        if not member.lower().endswith(ARCHIVE_EXTS):
            yield member, path, content
        elif depth >= MAX_ARCHIVE_DEPTH:
            yield member, None, Refusal(codes.ARCHIVE_TOO_DEEP(depth=MAX_ARCHIVE_DEPTH))
        else:
            yield from _archive_units(member, path, content, depth + 1)


def printable(text: str) -> str:
    """A file name or header as text every output can hold: bytes that were not valid in
    the file system's encoding (kept by Python as lone surrogates) become U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def read_unit(unit: Unit, registry: Registry) -> ReturnRecord:
    """Read one unit into its record; never raises for a bad file."""
    name, path, data = unit
    name = printable(name)
    source = {k: printable(v) for k, v in getattr(data, "source", {}).items()}
    # ^ the email a return came from (mailin.MailBytes)
    if path is None:  # an archive or email that could not be opened: data holds the reason
        return refused(name, data, source)
    if data is None:
        return read_path(path, registry, name)
    try:
        mtime = getattr(data, "mtime", 0.0) or path.stat().st_mtime
    except OSError:
        mtime = 0.0
    record = read_bytes(data, name, registry, mtime)
    record.source = source
    return record


