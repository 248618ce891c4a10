"""Reading observations for the data service: stations chosen by id or place, values by time and
element, returned column by column.

Both public interfaces (OGC API – EDR and the MUSIC façade) answer through this module, so the
rules of what is read live in one place:

* A :class:`Selection` says which dataset, elements, stations (ids, bounding box, polygon,
  radius), times (instant, range, open range or the latest value) and region scope a request
  wants. :func:`plan` resolves the stations and estimates the cost (stations x elements x time
  steps) *before* anything is read, so the caller can refuse an oversized request (413) or charge
  a weighted quota. :func:`read` then fetches the values as numpy columns.
* Stations come from the registry, held in memory as numpy arrays (a few thousand rows) and
  filtered there: boxes, polygons (shapely) and great-circle radii cost microseconds, and the
  database is asked only for values.
* Values are read with SQL that walks the ``(station_id, element, time)`` unique key (one range
  per station and element) or, when every station is wanted, the ``time`` index; the newest value
  is one backward seek per station and element. The same statements run on SQLite and
  PostgreSQL (station lists are passed as one JSON array or one text array, not thousands of
  parameters).

Only registered stations are served: a value needs a position to be placed on a map.
"""

from __future__ import annotations

import json
import math
import threading
import time as monotonic_time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from django.db import connection
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qixiang.observations import bulk
from qixiang.science import elements as vocabulary
from qixiang.stations.models import Station

EARTH_RADIUS_KM = 6371.0088
_OBS = "observations_observation"
_TIME = '"time"'  # quoted: a keyword in SQL


@dataclass(frozen=True, slots=True)
class Dataset:
    """A served collection of observations.

    ``step`` is the nominal spacing of values in seconds (the cost of a time span);
    ``top_of_hour`` keeps only values observed at hh:00:00.
    """

    id: str
    step: int
    top_of_hour: bool
    title_zh: str
    title_en: str


HOURLY = Dataset("surface-obs-hourly", 3600, True, "地面逐小时观测", "Surface observations, hourly")
MINUTE = Dataset("surface-obs-minute", 60, False, "地面分钟观测", "Surface observations, minute")
DATASETS: dict[str, Dataset] = {d.id: d for d in (HOURLY, MINUTE)}


class SelectionError(ValueError):
    """A selection that cannot be read; ``parameter`` names the request parameter at fault."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}")
        self.parameter = parameter


# --- stations ---------------------------------------------------------------------------------


@dataclass(slots=True)
class StationColumns:
    """Registry stations as parallel arrays (a snapshot or a subset of one)."""

    ids: np.ndarray  # str
    names: np.ndarray  # str
    lon: np.ndarray  # float64, degrees east
    lat: np.ndarray  # float64, degrees north
    elevation: np.ndarray  # float64 metres, NaN when unknown
    division: np.ndarray  # str, GB/T 2260 code ("" when unknown)
    index: dict[str, int] = field(default_factory=dict)  # id -> position

    def __len__(self) -> int:
        return len(self.ids)

    def take(self, positions: np.ndarray) -> StationColumns:
        positions = np.asarray(positions, dtype=np.intp)
        ids = self.ids[positions]
        return StationColumns(ids, self.names[positions], self.lon[positions],
                              self.lat[positions], self.elevation[positions],
                              self.division[positions], {s: k for k, s in enumerate(ids)})

    def bbox(self) -> tuple[float, float, float, float] | None:
        """``(west, south, east, north)`` of these stations, None when there are none."""
        if not len(self):
            return None
        return (float(self.lon.min()), float(self.lat.min()), float(self.lon.max()),
                float(self.lat.max()))


class _StationCache:
    """The registry as :class:`StationColumns`, reloaded when it changes (checked each second,
    and at once for saves in this process), as the station resolver does."""

    CHECK_INTERVAL = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._columns: StationColumns | None = None
        self._version: tuple | None = None
        self._checked = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._columns = None

    def get(self) -> StationColumns:
        now = monotonic_time.monotonic()
        with self._lock:
            if self._columns is not None and now - self._checked < self.CHECK_INTERVAL:
                return self._columns
            row = Station.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
            version = (row["n"], row["last"], row["top"])
            self._checked = now
            if self._columns is None or version != self._version:
                self._columns = self._load()
                self._version = version
            return self._columns

    @staticmethod
    def _load() -> StationColumns:
        rows = list(Station.objects.filter(active=True).order_by("cma_id").values_list(
            "cma_id", "name", "longitude", "latitude", "elevation", "division_code"))
        ids = np.array([r[0] for r in rows], dtype=str)
        return StationColumns(
            ids=ids,
            names=np.array([r[1] for r in rows], dtype=str),
            lon=np.array([r[2] for r in rows], dtype=np.float64),
            lat=np.array([r[3] for r in rows], dtype=np.float64),
            elevation=np.array([np.nan if r[4] is None else r[4] for r in rows],
                               dtype=np.float64),
            division=np.array([r[5] or "" for r in rows], dtype=str),
            index={s: k for k, s in enumerate(ids)},
        )


_stations = _StationCache()


def stations() -> StationColumns:
    """Every active registry station (cached; do not modify the arrays)."""
    return _stations.get()


@receiver(post_save, sender=Station, dispatch_uid="qixiang.dataservice.query.station_saved")
@receiver(post_delete, sender=Station, dispatch_uid="qixiang.dataservice.query.station_deleted")
def _station_changed(**_kwargs) -> None:
    _stations.invalidate()


def distance_km(lon: float, lat: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Great-circle (haversine) distance in km from ``(lon, lat)`` to each point."""
    lon1, lat1 = math.radians(lon), math.radians(lat)
    lon2, lat2 = np.radians(lons), np.radians(lats)
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _region_mask(table: StationColumns, prefixes: Sequence[str] | None) -> np.ndarray:
    if prefixes is None or any(p == "" for p in prefixes):
        return np.ones(len(table), dtype=bool)
    mask = np.zeros(len(table), dtype=bool)
    for prefix in prefixes:
        mask |= np.char.startswith(table.division, prefix)
    return mask


def nearest_station(lon: float, lat: float, within_km: float,
                    region_prefixes: Sequence[str] | None = None) -> str | None:
    """The id of the visible station nearest ``(lon, lat)`` within ``within_km``, else None."""
    table = stations()
    visible = np.flatnonzero(_region_mask(table, region_prefixes))
    if not len(visible):
        return None
    d = distance_km(lon, lat, table.lon[visible], table.lat[visible])
    best = int(np.argmin(d))
    return str(table.ids[visible[best]]) if d[best] <= within_km else None


# --- selection and plan -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Selection:
    """What a request wants; every spatial filter given must hold (they combine with AND).

    ``start``/``end`` bound the times inclusively (None is open); ``latest`` asks for the newest
    value of each element at each station (within ``start``/``end`` when given).
    ``region_prefixes`` limits the stations to GB/T 2260 division codes starting with one of the
    prefixes (None: no limit; ``("",)`` the whole country; ``()`` nothing).
    """

    dataset: Dataset
    elements: tuple[str, ...]
    station_ids: tuple[str, ...] | None = None
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    polygon: object | None = None  # a shapely (Multi)Polygon in lon/lat
    near: tuple[float, float, float] | None = None  # lon, lat, radius km
    start: datetime | None = None
    end: datetime | None = None
    latest: bool = False
    region_prefixes: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.elements:
            raise SelectionError("elements", "give at least one element code")
        for code in self.elements:
            if code not in vocabulary.BY_CODE:
                raise SelectionError("elements", f"unknown element code {code!r}")
        for name, moment in (("start", self.start), ("end", self.end)):
            if moment is not None and moment.tzinfo is None:
                raise SelectionError(name, "give a time with a UTC offset")
        if self.start and self.end and self.start > self.end:
            raise SelectionError("datetime", "the start is after the end")


@dataclass(slots=True)
class Plan:
    """A selection with its stations resolved and its cost estimated; read it with :func:`read`."""

    selection: Selection
    stations: StationColumns
    time_steps: int
    unknown_ids: tuple[str, ...] = ()  # requested ids that are not (visible) registry stations

    @property
    def cost(self) -> int:
        """stations x elements x time steps: the number of values the request may return."""
        return len(self.stations) * len(self.selection.elements) * self.time_steps


def select_stations(selection: Selection) -> tuple[StationColumns, tuple[str, ...]]:
    """The visible stations the selection names, and the requested ids that matched none."""
    table = stations()
    mask = _region_mask(table, selection.region_prefixes)
    unknown: tuple[str, ...] = ()
    if selection.station_ids is not None:
        wanted = np.zeros(len(table), dtype=bool)
        missing = []
        for sid in selection.station_ids:
            k = table.index.get(sid)
            if k is None or not mask[k]:
                missing.append(sid)
            else:
                wanted[k] = True
        mask &= wanted
        unknown = tuple(missing)
    if selection.bbox is not None:
        west, south, east, north = selection.bbox
        lon_ok = ((table.lon >= west) & (table.lon <= east) if west <= east
                  else (table.lon >= west) | (table.lon <= east))  # across the antimeridian
        mask &= lon_ok & (table.lat >= south) & (table.lat <= north)
    if selection.near is not None:
        lon, lat, radius = selection.near
        candidates = np.flatnonzero(mask)
        inside = distance_km(lon, lat, table.lon[candidates], table.lat[candidates]) <= radius
        mask = np.zeros(len(table), dtype=bool)
        mask[candidates[inside]] = True
    if selection.polygon is not None:
        import shapely

        candidates = np.flatnonzero(mask)
        inside = shapely.intersects_xy(selection.polygon, table.lon[candidates],
                                       table.lat[candidates])
        mask = np.zeros(len(table), dtype=bool)
        mask[candidates[inside]] = True
    return table.take(np.flatnonzero(mask)), unknown


def time_extent(dataset: Dataset | None = None) -> tuple[datetime, datetime] | None:
    """The earliest and latest stored observation time (two seeks on the time index)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN({_epoch(_TIME)}), MAX({_epoch(_TIME)}) FROM {_OBS}")
        low, high = cursor.fetchone()
    if low is None:
        return None
    low, high = int(low), int(high)
    if dataset is not None and dataset.top_of_hour:
        low, high = -(-low // 3600) * 3600, high // 3600 * 3600
    return datetime.fromtimestamp(low, UTC), datetime.fromtimestamp(high, UTC)


def time_steps(dataset: Dataset, start: datetime | None, end: datetime | None,
               latest: bool = False) -> int:
    """How many values one station and element may have between ``start`` and ``end``."""
    if latest:
        return 1
    if start is None or end is None:
        extent = time_extent(dataset)
        if extent is None:
            return 0
        start = start or extent[0]
        end = end or extent[1]
    if start > end:
        return 0
    if start == end:
        return 1
    return int((end - start).total_seconds() // dataset.step) + 1


def plan(selection: Selection) -> Plan:
    """Resolve the selection's stations and estimate its cost, reading no value."""
    chosen, unknown = select_stations(selection)
    steps = time_steps(selection.dataset, selection.start, selection.end, selection.latest)
    return Plan(selection, chosen, steps, unknown)


def estimate_cost(selection: Selection) -> int:
    """stations x elements x time steps of ``selection`` (what a weighted quota charges)."""
    return plan(selection).cost


# --- reading ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Columns:
    """Values read for a plan, one entry per value, ordered by station, element and time.

    ``station`` indexes ``stations``; ``element`` indexes ``elements``; ``time`` is seconds since
    1970-01-01 UTC; ``value`` is in the element's canonical unit, NaN when missing.
    """

    stations: StationColumns
    elements: tuple[str, ...]
    station: np.ndarray  # intp
    element: np.ndarray  # intp
    time: np.ndarray  # int64
    value: np.ndarray  # float64
    qc_flag: np.ndarray  # int16

    def __len__(self) -> int:
        return len(self.value)

    def times(self) -> np.ndarray:
        """The distinct times, ascending (seconds since 1970 UTC)."""
        return np.unique(self.time)


def _epoch(column: str) -> str:
    if connection.vendor == "postgresql":
        return f'CAST(EXTRACT(EPOCH FROM {column}) AS bigint)'
    return f"unixepoch({column})"


def _top_of_hour(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('hour', {column}) = {column}"
    return f"substr({column}, 15) = '00:00'"  # SQLite keeps 'YYYY-MM-DD HH:MM:SS'


def _list_param(values: Sequence[str]):
    """A list passed as one parameter: a JSON array on SQLite, a text array on PostgreSQL."""
    return list(values) if connection.vendor == "postgresql" else json.dumps(list(values))


def _in_list(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)"
    return f"{column} IN (SELECT value FROM json_each(%s))"


def _time_conditions(selection: Selection, column: str) -> tuple[list[str], list]:
    adapt = bulk.time_adapter(connection)
    where, params = [], []
    if selection.start is not None:
        where.append(f"{column} >= %s")
        params.append(adapt(selection.start))
    if selection.end is not None:
        where.append(f"{column} <= %s")
        params.append(adapt(selection.end))
    if selection.dataset.top_of_hour:
        where.append(_top_of_hour(column))
    return where, params


def _all_stations_cheaper(chosen: StationColumns) -> bool:
    """True when the plan covers (nearly) every registered station: then the time index serves
    better than one key range per station."""
    return len(chosen) > 0.8 * len(stations()) and len(chosen) > 200


def _series_sql(plan_: Plan) -> tuple[str, list]:
    s = plan_.selection
    where, params = [], []
    if not _all_stations_cheaper(plan_.stations):
        where.append(_in_list("station_id"))
        params.append(_list_param(plan_.stations.ids.tolist()))
    where.append(_in_list("element"))
    params.append(_list_param(s.elements))
    more, more_params = _time_conditions(s, _TIME)
    where += more
    params += more_params
    conditions = " AND ".join(where)
    sql = (f"SELECT station_id, element, {_epoch(_TIME)}, value, qc_flag "
           f"FROM {_OBS} WHERE {conditions}")
    return sql, params


def _latest_sql(plan_: Plan) -> tuple[str, list]:
    s = plan_.selection
    more, more_params = _time_conditions(s, 'i."time"')
    cond = "".join(f" AND {c}" for c in more)
    if connection.vendor == "postgresql":
        sql = (f'SELECT o.station_id, o.element, {_epoch("o.time")}, o.value, o.qc_flag '
               f"FROM unnest(%s::text[]) AS s(id) CROSS JOIN unnest(%s::text[]) AS e(code) "
               f"CROSS JOIN LATERAL (SELECT i.station_id, i.element, i.time, i.value, i.qc_flag "
               f"FROM {_OBS} i WHERE i.station_id = s.id AND i.element = e.code{cond} "
               f'ORDER BY i."time" DESC LIMIT 1) AS o')
    else:
        sql = (f'SELECT o.station_id, o.element, {_epoch("o.time")}, o.value, o.qc_flag '
               f"FROM json_each(%s) AS s CROSS JOIN json_each(%s) AS e "
               f"CROSS JOIN {_OBS} AS o WHERE o.id = (SELECT i.id FROM {_OBS} AS i "
               f"WHERE i.station_id = s.value AND i.element = e.value{cond} "
               f'ORDER BY i."time" DESC LIMIT 1)')
    params = [_list_param(plan_.stations.ids.tolist()), _list_param(s.elements), *more_params]
    return sql, params


def read(plan_: Plan) -> Columns:
    """The values of ``plan_`` as columns (see :class:`Columns`)."""
    s = plan_.selection
    chosen = plan_.stations
    if not len(chosen) or not plan_.time_steps:
        rows: list = []
    else:
        sql, params = _latest_sql(plan_) if s.latest else _series_sql(plan_)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    element_index = {code: k for k, code in enumerate(s.elements)}
    station_index = chosen.index
    if rows:
        sids, codes, times, values, flags = zip(*rows, strict=True)
        station = np.fromiter((station_index.get(x, -1) for x in sids), dtype=np.intp,
                              count=len(rows))
        element = np.fromiter((element_index[x] for x in codes), dtype=np.intp, count=len(rows))
        t = np.fromiter(times, dtype=np.int64, count=len(rows))
        value = np.array(values, dtype=np.float64)  # None -> nan
        flag = np.fromiter(flags, dtype=np.int16, count=len(rows))
        keep = station >= 0  # rows of unregistered stations (time-index path)
        order = np.lexsort((t[keep], element[keep], station[keep]))
        station, element, t, value, flag = (a[keep][order] for a in
                                            (station, element, t, value, flag))
    else:
        station = np.empty(0, np.intp)
        element = np.empty(0, np.intp)
        t = np.empty(0, np.int64)
        value = np.empty(0, np.float64)
        flag = np.empty(0, np.int16)
    return Columns(chosen, s.elements, station, element, t, value, flag)


def query(selection: Selection) -> Columns:
    """Plan and read ``selection`` in one call (no cost check)."""
    return read(plan(selection))
