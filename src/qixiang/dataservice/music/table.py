"""Values read by the query layer as MUSIC records: one row per station and time, every field a
string, missing values as ``999999`` (``999998`` where the station has no observation task).

Filtering (``eleValueRanges``), ordering (``orderby``, default station then time) and
``limitCnt`` work on typed columns before anything is turned into text, as 天擎's database would:
a condition or sort on a value sees the missing-value code, not a gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qixiang.dataservice import query
from qixiang.dataservice.music.fields import MISSING, NOT_OBSERVED, Field
from qixiang.dataservice.music.request import MusicQuery
from qixiang.observations.models import QCFlag
from qixiang.stations.models import Station

MISSING_NUMBER = float(MISSING)
NOT_OBSERVED_NUMBER = float(NOT_OBSERVED)


@dataclass
class Records:
    """Rows as columns: ``station`` indexes ``stations``, ``time`` is seconds since 1970 UTC,
    ``value``/``flag``/``present`` are (rows, elements)."""

    stations: query.StationColumns
    elements: tuple[str, ...]
    station: np.ndarray
    time: np.ndarray
    value: np.ndarray
    flag: np.ndarray
    present: np.ndarray

    def __len__(self) -> int:
        return len(self.station)

    def take(self, rows: np.ndarray) -> Records:
        return Records(self.stations, self.elements, self.station[rows], self.time[rows],
                       self.value[rows], self.flag[rows], self.present[rows])


def records(columns: query.Columns, instants: list | None = None) -> Records:
    """Group the values of ``columns`` into station x time records (only the ``instants``
    given, as seconds since 1970, when not None)."""
    keep = np.ones(len(columns), dtype=bool)
    if instants is not None:
        keep = np.isin(columns.time, np.asarray(instants, dtype=np.int64))
    station, time = columns.station[keep], columns.time[keep]
    n_el = len(columns.elements)
    if not len(station):
        empty = np.empty((0, n_el))
        return Records(columns.stations, columns.elements, station, time, empty,
                       empty.astype(np.int16), empty.astype(bool))
    keys = np.stack([station.astype(np.int64), time])
    unique, inverse = np.unique(keys, axis=1, return_inverse=True)
    inverse = inverse.reshape(-1)
    n = unique.shape[1]
    value = np.full((n, n_el), np.nan)
    flag = np.full((n, n_el), QCFlag.MISSING, dtype=np.int16)
    present = np.zeros((n, n_el), dtype=bool)
    element = columns.element[keep]
    value[inverse, element] = columns.value[keep]
    flag[inverse, element] = columns.qc_flag[keep]
    present[inverse, element] = True
    return Records(columns.stations, columns.elements, unique[0].astype(np.intp), unique[1],
                   value, flag, present)


def _coded(records_: Records, k: int) -> np.ndarray:
    """Element ``k`` as numbers with the missing-value codes in the gaps."""
    value = records_.value[:, k].copy()
    gap = ~records_.present[:, k] | np.isnan(value)
    no_task = gap & (records_.flag[:, k] == QCFlag.NO_TASK)
    value[gap] = MISSING_NUMBER
    value[no_task] = NOT_OBSERVED_NUMBER
    return value


def _flags(records_: Records, k: int) -> np.ndarray:
    flags = records_.flag[:, k].astype(np.int64)
    flags[~records_.present[:, k]] = QCFlag.MISSING
    return flags


class Table:
    """Typed columns of the fields of a set of records, computed once when first asked for."""

    def __init__(self, records_: Records):
        self.records = records_
        self._cache: dict[str, np.ndarray] = {}
        self._when = records_.time.astype("datetime64[s]")

    def typed(self, f: Field) -> np.ndarray:
        if f.name not in self._cache:
            self._cache[f.name] = self._compute(f)
        return self._cache[f.name]

    def _compute(self, f: Field) -> np.ndarray:
        r = self.records
        st = r.stations
        if f.kind in ("value", "flag"):
            k = r.elements.index(f.element)
            return _coded(r, k) if f.kind == "value" else _flags(r, k)
        if f.name == "Station_Id_C":
            return st.ids[r.station]
        if f.name == "Station_Id_d":
            return np.array([int(s) if s.isdigit() else MISSING_NUMBER
                             for s in st.ids[r.station]], dtype=np.float64)
        if f.name == "Station_Name":
            return st.names[r.station]
        if f.name == "Admin_Code_CHN":
            return st.division[r.station]
        if f.name == "Province":
            ids = np.unique(st.ids[r.station]).tolist()
            names = dict(Station.objects.filter(cma_id__in=ids)
                         .values_list("cma_id", "province"))
            return np.array([names.get(s, "") for s in st.ids[r.station]], dtype=object)
        if f.name == "Lat":
            return st.lat[r.station]
        if f.name == "Lon":
            return st.lon[r.station]
        if f.name == "Alti":
            alt = st.elevation[r.station].copy()
            alt[np.isnan(alt)] = MISSING_NUMBER
            return alt
        if f.name == "Datetime":
            return r.time  # seconds: sorts as time; shown as text
        parts = {"Year": "Y", "Mon": "M", "Day": "D", "Hour": "h", "Min": "m"}
        unit = parts[f.name]
        if unit == "Y":
            return self._when.astype("datetime64[Y]").astype(np.int64) + 1970
        if unit == "M":
            return self._when.astype("datetime64[M]").astype(np.int64) % 12 + 1
        if unit == "D":
            return (self._when.astype("datetime64[D]")
                    - self._when.astype("datetime64[M]")).astype(np.int64) + 1
        seconds = r.time % 86400
        return seconds // 3600 if unit == "h" else seconds % 3600 // 60

    def text(self, f: Field) -> list[str]:
        column = self.typed(f)
        if f.name == "Datetime":
            return [str(t).replace("T", " ") for t in self._when]
        if f.kind == "value":
            fmt = f"{{:.{f.decimals}f}}"
            return [MISSING if v == MISSING_NUMBER else NOT_OBSERVED if v == NOT_OBSERVED_NUMBER
                    else fmt.format(v) for v in column.tolist()]
        if f.name in ("Lat", "Lon", "Alti"):
            fmt = f"{{:.{f.decimals}f}}"
            return [MISSING if v == MISSING_NUMBER else fmt.format(v).rstrip("0").rstrip(".")
                    for v in column.tolist()]
        if f.numeric:
            return [MISSING if v == MISSING_NUMBER else str(int(v)) for v in column.tolist()]
        return [str(v) for v in column.tolist()]


def select(records_: Records, q: MusicQuery) -> Table:
    """Apply ``eleValueRanges``, ``orderby`` and ``limitCnt`` to the records."""
    table = Table(records_)
    keep = np.ones(len(records_), dtype=bool)
    for condition in q.ranges:
        column = table.typed(condition.field)
        keep &= np.fromiter((condition.admits(x) for x in column.tolist()), dtype=bool,
                            count=len(column))
    rows = np.flatnonzero(keep)
    if q.order and len(rows):
        keys = []
        for f, descending in reversed(q.order):  # lexsort: the last key is the primary one
            column = table.typed(f)[rows]
            if column.dtype.kind in "OUS":
                _u, column = np.unique(column.astype(str), return_inverse=True)
            keys.append(-column.astype(np.float64) if descending else column)
        rows = rows[np.lexsort(keys)]
    if q.limit is not None:
        rows = rows[:q.limit]
    return Table(records_.take(rows))
