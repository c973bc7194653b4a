"""The tidy tables as data files: UTF-8 CSV (and Parquet when pyarrow is installed), for
Power BI, DuckDB or pandas.

CSV cells: missing → empty, percentages with one decimal, booleans true/false, text that
starts like a formula prefixed with an apostrophe (numbers are left alone); lone surrogates
become U+FFFD. Each file is written atomically.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from awardbooks.analyse import tables as tb
from awardbooks.analyse.tables import Consolidation
from awardbooks.common.csvfiles import FORMULA_START, neutralise, write_rows, write_text
from awardbooks.common.files import atomic_write, ensure_folder
from awardbooks.common.text import SURROGATE
from awardbooks.errors import ReportError
from awardbooks.outputs.frames import missing

_PCT_COLUMNS = {"score_pct", "change_pct", "completion_pct", "mean_pct", "min_pct", "max_pct"}
_INT_COLUMNS = {"rated", "total", "row", "settings", "count", "items_down", "items_same",
                "items_up"}  # fmt: skip
DATA_FILES = {
    "ratings": tb.RATINGS,
    "scores": tb.SCORES,
    "progress": tb.PROGRESS,
    "returns": tb.RETURNS_CSV,
    "actions": tb.ACTIONS,
    "outcomes": tb.OUTCOMES,
}
"""file stem (also the Consolidation attribute) → the columns written."""
COLLECTION_FILES = {"status": tb.STATUS, "chase": tb.CHASE}
GATHERED_FILES = {"inputs": tb.INPUTS}
"""Written (CSV and Parquet) when the consolidation gathered them (not None): everything
the schools typed, gathered when returns are read (``analyse``), not from a ledger."""
"""Written as CSV too when the consolidation is a collection's (it has them)."""


def csv_value(col: str, value: Any) -> str:
    if missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            return ""
        if col in _PCT_COLUMNS:
            text = f"{number:.1f}"
            return "0.0" if text == "-0.0" else text
        if isinstance(value, numbers.Integral) or (col in _INT_COLUMNS and number.is_integer()):
            return str(int(number))
        return repr(number)
    return neutralise(SURROGATE.sub("\ufffd", str(value)))


def _csv_column(col: str, series: pd.Series) -> list[str]:
    """One column's CSV cells, as :func:`csv_value` would write them, a column at a time
    (typed columns skip the per-cell type tests)."""
    if isinstance(series.dtype, pd.CategoricalDtype):  # each distinct value written once
        distinct = _csv_column(col, pd.Series(series.cat.categories, dtype=object)) + [""]
        return [distinct[code] for code in series.cat.codes.tolist()]  # code -1: missing
    if pd.api.types.is_bool_dtype(series):
        return ["true" if v else "false" for v in series.tolist()]
    if pd.api.types.is_float_dtype(series):
        values = series.tolist()
        if col in _PCT_COLUMNS:
            return [
                "" if not math.isfinite(v) else ("0.0" if f"{v:.1f}" == "-0.0" else f"{v:.1f}")
                for v in values
            ]
        if col in _INT_COLUMNS:
            return [
                "" if not math.isfinite(v) else str(int(v)) if v.is_integer() else repr(v)
                for v in values
            ]
        return ["" if not math.isfinite(v) else repr(v) for v in values]
    if pd.api.types.is_integer_dtype(series):
        return [str(v) for v in series.tolist()]
    out = []
    for value in series.tolist():
        if isinstance(value, str):
            if value[:1] in FORMULA_START or SURROGATE.search(value):
                value = neutralise(SURROGATE.sub("\ufffd", value))
            out.append(value)
        else:
            out.append(csv_value(col, value))
    return out


def csv_rows(df: pd.DataFrame | None, columns: tuple[str, ...], chunk: int = 20_000):
    """The frame's CSV rows, converted a column at a time in chunks (bounded memory)."""
    if df is None or len(df) == 0:
        return
    frame = df.reindex(columns=list(columns))
    for start in range(0, len(frame), chunk):
        part = frame.iloc[start : start + chunk]
        yield from zip(*(_csv_column(col, part[col]) for col in columns))


def write_data(
    c: Consolidation,
    folder: Path,
    parquet: bool = True,
    text: Mapping[str, Iterable[str]] | None = None,
) -> list[Path]:
    """Write ratings, scores, progress, returns, actions and outcomes as UTF-8 CSV (and as
    Parquet when pyarrow is installed and ``parquet``), each atomically; returns the paths.
    A table in ``text`` (file stem → its rows' CSV text, made by :func:`csv_rows` earlier)
    is written from that text rather than from the consolidation's table.

    CSV cells: missing → empty, percentages with one decimal, booleans true/false, text that
    starts like a formula prefixed with an apostrophe (numbers are left alone). Parquet keeps
    the values as they are (not neutralised); a mixed text/number column is stored as text."""
    folder = ensure_folder(folder, ReportError)
    written: list[Path] = []
    for stem, columns in DATA_FILES.items():
        path = folder / f"{stem}.csv"
        if text is not None and stem in text:
            write_text(path, columns, text[stem])
        else:
            write_rows(path, columns, csv_rows(getattr(c, stem), columns))
        written.append(path)
    for stem, columns in (COLLECTION_FILES | GATHERED_FILES).items():
        if getattr(c, stem) is not None:
            path = folder / f"{stem}.csv"
            write_rows(path, columns, csv_rows(getattr(c, stem), columns))
            written.append(path)
    if parquet:
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            return written
        gathered = {k: v for k, v in GATHERED_FILES.items() if getattr(c, k) is not None}
        for stem, columns in (DATA_FILES | gathered).items():
            frame = _parquet_frame(getattr(c, stem), columns)
            path = folder / f"{stem}.parquet"
            atomic_write(path, lambda handle, frame=frame: frame.to_parquet(handle, index=False))
            written.append(path)
    return written


def _parquet_frame(df: pd.DataFrame | None, columns: tuple[str, ...]) -> pd.DataFrame:
    """``df`` in ``columns`` with every object column of one Parquet type: all numbers → a
    numeric column, anything mixed (an outcome's value can be 12 or "-3 pupils") → text."""
    frame = (df if df is not None else pd.DataFrame()).reindex(columns=list(columns))
    for col in frame.columns:
        if frame[col].dtype != object:
            continue
        values = [v for v in frame[col] if not missing(v)]
        if all(isinstance(v, bool | np.bool_) for v in values):
            continue
        if all(isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_) for v in values):
            frame[col] = pd.to_numeric(frame[col])
        else:
            frame[col] = [
                None if missing(v) else SURROGATE.sub("\ufffd", str(v)) for v in frame[col]
            ]
    return frame


# --------------------------------------------------------------------------- CLI summary


