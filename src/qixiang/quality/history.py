"""Earlier values of one element for the stations of one batch, as a station × time array.

The temporal checks read each station's values at fixed offsets before each value's time
(:meth:`ElementHistory.matrix`). A station is a minute station when the batch holds values of it
between the hours or the database holds one ``probe_minutes`` before a batch time; a minute
station is read at the minute offsets, an hourly one at the hourly offsets (see
``platform.toml``). Everything is read with two indexed queries per element and batch, and
the batch's own values are written in as they are checked (:meth:`ElementHistory.record`), so a
file of 24 hours is checked hour after hour against itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import numpy as np

from qixiang.quality import stored


def top_of_hour(moment: datetime) -> bool:
    return moment.minute == 0 and moment.second == 0 and moment.microsecond == 0


class ElementHistory:
    def __init__(self, element: str, stations: Sequence[str], batch_times: Sequence[datetime],
                 between_hours: set[str], offsets_hourly: Sequence[timedelta],
                 offsets_minute: Sequence[timedelta], probe: timedelta,
                 outlier_bits: int) -> None:
        self.element = element
        self.index = {s: i for i, s in enumerate(stations)}
        n = len(stations)
        self.minute = np.array([s in between_hours for s in stations], dtype=bool)
        probes = sorted({t - probe for t in batch_times})
        unsure = [s for s in stations if s not in between_hours]
        for station, _when, _value in stored.earlier_values(element, unsure, probes,
                                                             outlier_bits):
            self.minute[self.index[station]] = True
        wanted = {False: {t - o for t in batch_times for o in offsets_hourly},
                  True: {t - o for t in batch_times for o in offsets_minute}}
        axis = sorted(wanted[False] | wanted[True] | set(batch_times))
        self.column = {t: k for k, t in enumerate(axis)}
        self.values = np.full((n, len(axis)), np.nan)
        for is_minute in (False, True):
            group = [s for s in stations if self.minute[self.index[s]] == is_minute]
            for station, when, value in stored.earlier_values(element, group,
                                                              sorted(wanted[is_minute]),
                                                              outlier_bits):
                self.values[self.index[station], self.column[when]] = value

    def rows(self, stations: Sequence[str]) -> np.ndarray:
        return np.array([self.index[s] for s in stations], dtype=np.intp)

    def matrix(self, rows: np.ndarray, when: datetime, offsets: Sequence[timedelta]
               ) -> np.ndarray:
        """(len(offsets), len(rows)) earlier values; NaN where there is none (or an outlier)."""
        columns = [self.column.get(when - o, -1) for o in offsets]
        out = np.full((len(offsets), len(rows)), np.nan)
        for k, column in enumerate(columns):
            if column >= 0:
                out[k] = self.values[rows, column]
        return out

    def record(self, rows: np.ndarray, when: datetime, usable: np.ndarray) -> None:
        """The batch's checked values at ``when`` (NaN for outliers), for its later times."""
        self.values[rows, self.column[when]] = usable
