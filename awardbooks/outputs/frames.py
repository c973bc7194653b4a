"""Reading the consolidated tables (pandas frames) back as rows and plain values, for every
output: the consolidated workbook, the data files and the end-of-run summary."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from awardbooks.common.identity import term_sort_key
from awardbooks.read import codes as read_codes


def missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def s(value: Any) -> str:
    """A value as plain text for keys and labels ('' when missing)."""
    return "" if missing(value) else str(value)


def frame_rows(df: pd.DataFrame | None, columns: Iterable[str]) -> list[tuple]:
    """The frame's rows as tuples in exactly ``columns`` order (absent columns are NaN)."""
    if df is None or len(df) == 0:
        return []
    frame = df.reindex(columns=list(columns))
    return list(zip(*(column_values(frame[col]) for col in frame.columns)))


def column_values(series: pd.Series) -> list[Any]:
    """A column's values as a list; repeated texts share one Python object (a text column
    of 100,000 rows holds a few hundred distinct values, not 100,000 copies)."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        if pd.api.types.infer_dtype(series, skipna=True) not in ("string", "empty"):
            return series.tolist()  # numbers, booleans, mixed values: each kept as it is
        series = series.astype("category")
    distinct = series.cat.categories.tolist() + [math.nan]  # code -1: a missing value
    return [distinct[code] for code in series.cat.codes.tolist()]


def frame_records(df: pd.DataFrame | None, columns: Iterable[str]) -> list[dict[str, Any]]:
    columns = list(columns)
    return [dict(zip(columns, row)) for row in frame_rows(df, columns)]


def period_key(year: Any, term: Any) -> tuple:
    """Sort key of a (year, term) read from a table (missing values as '')."""
    return term_sort_key(s(year), s(term))




COMPLETENESS = ("complete", "incomplete", "nothing rated")
"""How complete a usable return is, by the codes of its problems (its Returns row's
``codes``): nothing rated (``nothing-rated``), incomplete (``return-incomplete``: rated below
the completion threshold), else complete."""


def completeness(codes: str) -> str:
    """One of :data:`COMPLETENESS` for a usable return's space-separated problem codes."""
    found = str(codes or "").split()
    if read_codes.NOTHING_RATED.id in found:
        return "nothing rated"
    return "incomplete" if read_codes.INCOMPLETE.id in found else "complete"


def completeness_counts(returns: pd.DataFrame | None) -> dict[str, int]:
    """How many usable returns (accepted or with warnings) of the Returns table are complete,
    incomplete and with nothing rated."""
    counts = dict.fromkeys(COMPLETENESS, 0)
    for status, codes in frame_rows(returns, ["status", "codes"]):
        if status in ("accepted", "warning"):
            counts[completeness("" if missing(codes) else codes)] += 1
    return counts
