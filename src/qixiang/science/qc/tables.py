"""Per-station limit tables (climatological limits, station records) and their CSV files.

A table row is (station, element, month, low, high); month 0 means every month and station
``*`` every station without a row of its own. Lookups are vectorised over a batch's stations.
CSV files have the header ``station,element,month,low,high`` (month optional).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

WILDCARD = "*"


class TableError(ValueError):
    """A limit table file that cannot be read; the message names the file, line and field."""


@dataclass
class LimitTable:
    """Rows of (station, element, month, low, high) with vectorised lookup."""

    station: np.ndarray = field(default_factory=lambda: np.array([], dtype=str))
    element: np.ndarray = field(default_factory=lambda: np.array([], dtype=str))
    month: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.int64))
    low: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.float64))
    high: np.ndarray = field(default_factory=lambda: np.array([], dtype=np.float64))

    def __post_init__(self) -> None:
        self.station = np.asarray(self.station).astype(str)
        self.element = np.asarray(self.element).astype(str)
        self.month = np.asarray(self.month, dtype=np.int64)
        self.low = np.asarray(self.low, dtype=np.float64)
        self.high = np.asarray(self.high, dtype=np.float64)
        self._index: dict[tuple[str, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.station)

    def _rows(self, element: str, month: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        key = (element, month)
        if key not in self._index:
            rows = np.flatnonzero((self.element == element) & (self.month == month))
            order = rows[np.argsort(self.station[rows], kind="stable")]
            self._index[key] = (self.station[order], self.low[order], self.high[order])
        return self._index[key]

    def lookup(self, element: str, station_ids: np.ndarray, month: int = 0
               ) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) per station, NaN where the table has no row for it.

        A station's own row for ``month`` wins, then its month-0 row, then the ``*`` rows.
        """
        ids = np.asarray(station_ids).astype(str)
        low = np.full(ids.shape, np.nan)
        high = np.full(ids.shape, np.nan)
        months = (month, 0) if month else (0,)
        for wanted in months:
            stations, lows, highs = self._rows(element, wanted)
            if len(stations) == 0:
                continue
            at = np.minimum(np.searchsorted(stations, ids), len(stations) - 1)
            found = (stations[at] == ids) & np.isnan(low)
            low[found], high[found] = lows[at[found]], highs[at[found]]
        for wanted in months:
            stations, lows, highs = self._rows(element, wanted)
            star = np.flatnonzero(stations == WILDCARD)
            if len(star):
                fill = np.isnan(low)
                low[fill], high[fill] = lows[star[0]], highs[star[0]]
        return low, high

    def write_csv(self, path: str | Path) -> None:
        with open(path, "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["station", "element", "month", "low", "high"])
            for row in zip(self.station, self.element, self.month, self.low, self.high, strict=True):
                out.writerow([row[0], row[1], int(row[2]), f"{row[3]:.6g}", f"{row[4]:.6g}"])


def read_csv(path: str | Path) -> LimitTable:
    """The table in CSV file ``path``; raises :class:`TableError` naming line and field."""
    path = Path(path)
    return _read_cached(str(path), os.stat(path).st_mtime_ns if path.exists() else 0)


@cache
def _read_cached(path: str, mtime: int) -> LimitTable:
    columns: dict[str, list] = {"station": [], "element": [], "month": [], "low": [], "high": []}
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = {"station", "element", "low", "high"} - set(reader.fieldnames or [])
            if missing:
                raise TableError(f"{path}: header lacks column(s) {', '.join(sorted(missing))}")
            for line, row in enumerate(reader, start=2):
                for name in columns:
                    raw = (row.get(name) or "").strip()
                    if name in ("station", "element"):
                        if not raw:
                            raise TableError(f"{path}: line {line}: field {name!r} is empty")
                        columns[name].append(raw)
                        continue
                    try:
                        columns[name].append(int(raw or 0) if name == "month" else float(raw))
                    except ValueError:
                        raise TableError(f"{path}: line {line}: field {name!r} is not a number: "
                                         f"{raw!r}") from None
                if not 0 <= columns["month"][-1] <= 12:
                    raise TableError(f"{path}: line {line}: field 'month' must be 0-12")
    except OSError as exc:
        raise TableError(f"{path}: cannot read limit table: {exc.strerror}") from exc
    return LimitTable(**columns)


def resolve(table: object) -> LimitTable | None:
    """A table given as a parameter: a :class:`LimitTable`, a CSV path, or empty for none."""
    if isinstance(table, LimitTable):
        return table
    if table:
        return read_csv(str(table))
    return None
