"""Test tooling for collections: returns made without LibreOffice (the issued workbook written
again with ratings in it, as the writer's own pre-fill does), a CLI runner that runs inside a
collection folder, and a check that every ledger is sound."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from awardbooks.cli import cli
from awardbooks.read.returns import Registry, read_path
from awardbooks.workbook.layout import layout_for
from awardbooks.workbook.render import WorkbookInfo, write_workbook

ROSTER = (
    "setting,urn,partnership,local_authority,contact_email\n"
    "Ash Primary,100001,North,Borough,office@ash.example.org\n"
    "Birch Primary,100002,North,Borough,head@birch.example.org\n"
    "Cedar Academy,100003,South,Borough,\n"
    "Damson Infants,100004,South,Borough,admin@damson.example.org\n"
)

_REGISTRY = None


def registry() -> Registry:
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = Registry.default()
    return _REGISTRY


def make_return(
    workbook: Path, dst: Path, *, seed: int = 1, share: float = 1.0, when: float | None = None
) -> Path:
    """A return of an issued workbook: the same workbook (id, setting, term) written again
    with ratings chosen by ``seed``, ``share`` of its items rated, all by default, so that it is
    complete (in the plain layout, which the reader takes from the
    metadata); its file time is ``when`` if given."""
    record = read_path(Path(workbook), registry())
    fw, meta = record.framework, record.meta
    rng = random.Random(seed)
    rows = [r for r in layout_for(fw).rating_rows if r.rated]
    ratings = {r.key: rng.choice(fw.scale.labels) for r in rows if rng.random() < share}
    fields = ("setting", "urn", "partnership", "local_authority", "workbook_id",
              "previous_workbook_id", "previous_term", "year", "term")  # fmt: skip
    info = WorkbookInfo(**{k: meta.get(k, "") for k in fields})
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(dst, "wb") as handle:
        write_workbook(fw, info, handle, ratings=ratings)
    if when is not None:
        os.utime(dst, (when, when))
    return dst


def run(folder: Path | None, *args: str, ok: bool = True, input: str | None = None):
    """``awardbooks -C folder ARGS`` (or without -C when folder is None); asserts success
    unless ``ok`` is False. ``input``: what is typed at its prompts."""
    given = ["-C", str(folder)] if folder is not None else []
    result = CliRunner().invoke(cli, [*given, *args], input=input)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def sound(ledger: Path) -> None:
    """SQLite's full integrity check of a ledger passes."""
    conn = sqlite3.connect(ledger)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def dump(ledger: Path) -> list[str]:
    """Every table's rows of a ledger, as text: for "exactly as it was" comparisons."""
    conn = sqlite3.connect(ledger)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def count(ledger: Path, table: str) -> int:
    conn = sqlite3.connect(ledger)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()
