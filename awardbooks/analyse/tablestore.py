"""Table rows kept column by column while returns are read, so memory holds a few bytes
per cell rather than a Python tuple per row.

A return's rows share their first columns (file, workbook id, setting, term ...); the rest
vary per row. Texts in "coded" columns are stored once each, as integer codes; numbers in
"float" columns as doubles; other columns (free text such as comments) as a list whose
repeated strings are shared. Rows remember which return they came from, so a return found
later to be a duplicate is left out when the frame is built.

numpy and pandas are imported inside the functions that build frames, not at the top: rows
are stored while the worker processes read, and pandas is imported meanwhile (see
:mod:`awardbooks.analyse.consolidate`).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


class TableStore:
    """One table's rows, by column; :meth:`frame` builds the DataFrame."""

    def __init__(
        self,
        columns: Sequence[str],
        *,
        coded: Iterable[str] = (),
        floats: Iterable[str] = (),
        categorical: bool = False,
    ) -> None:
        self.columns = tuple(columns)
        self.categorical = categorical  # coded columns as pandas categoricals, not text
        self._coded = set(coded)
        self._floats = set(floats)
        self._codes: dict[str, dict[Any, int]] = {c: {} for c in self._coded}
        self._data: dict[str, Any] = {
            c: array("i") if c in self._coded else array("d") if c in self._floats else []
            for c in self.columns
        }
        self._shared: dict[Any, Any] = {}  # one copy of each repeated value in list columns
        self._owner = array("i")
        self._rows = 0

    def __len__(self) -> int:
        return self._rows

    def add(self, owner: int, head: Sequence[Any], rows: Sequence[Sequence[Any]]) -> None:
        """Rows of return number ``owner``: ``head`` holds the values of the first columns,
        the same for every row; each row holds the rest."""
        n = len(rows)
        if not n:
            return
        self._owner.extend(array("i", [owner]) * n)
        for col, value in zip(self.columns, head):
            self._extend(col, [value] * n)
        for j, col in enumerate(self.columns[len(head) :]):
            self._extend(col, [row[j] for row in rows])
        self._rows += n

    def _extend(self, col: str, values: list[Any]) -> None:
        data = self._data[col]
        if col in self._coded:
            codes = self._codes[col]
            data.extend([codes.setdefault(v, len(codes)) for v in values])
        elif col in self._floats:
            data.extend([math.nan if v is None else float(v) for v in values])
        else:
            shared = self._shared
            data.extend([shared.setdefault(v, v) for v in values])

    def owners(self) -> list[int]:
        """Each row's return number, in row order."""
        return self._owner.tolist()

    def frame(self, owners: Iterable[int] | None = None) -> pd.DataFrame:
        """The rows (of ``owners`` only, when given) as a DataFrame in column order."""
        import numpy as np
        import pandas as pd

        keep = None
        if owners is not None:
            owner = np.frombuffer(self._owner, dtype=np.int32) if self._rows else np.array([])
            keep = np.isin(owner, np.fromiter(owners, dtype=np.int32))
        out: dict[str, Any] = {}
        for col in self.columns:
            data = self._data[col]
            if col in self._coded:
                out[col] = self._decoded(col, data, keep)
            elif col in self._floats:
                values = np.frombuffer(data, dtype=np.float64) if len(data) else np.array([])
                out[col] = values[keep] if keep is not None else values.copy()
            else:
                values = np.empty(len(data), dtype=object)
                values[:] = data
                values = pd.Series(values[keep] if keep is not None else values)
                out[col] = values.infer_objects()  # whole numbers as integers, as pandas reads
        return pd.DataFrame(out, columns=list(self.columns))

    def _decoded(self, col: str, data: array, keep: Any) -> Any:
        """A coded column: categories in sorted order (as pandas would make them), unused
        ones dropped; or plain text values when the store is not categorical."""
        import numpy as np
        import pandas as pd

        values = list(self._codes[col])
        codes = np.frombuffer(data, dtype=np.int32) if len(data) else np.array([], dtype=np.int32)
        if keep is not None:
            codes = codes[keep]
        if not self.categorical:
            table = np.empty(len(values), dtype=object)
            table[:] = values
            return table[codes]
        order = sorted(range(len(values)), key=lambda i: str(values[i]))
        remap = np.empty(len(values), dtype=np.int32)
        remap[order] = np.arange(len(values), dtype=np.int32)
        result = pd.Categorical.from_codes(remap[codes], categories=[values[i] for i in order])
        return result.remove_unused_categories()
