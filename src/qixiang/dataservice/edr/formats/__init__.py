"""Output formats of the EDR data queries, one module per format.

Each writer takes :class:`qixiang.dataservice.query.Columns` and returns the body: ``bytes`` for
small documents, an iterator of ``bytes`` where the format streams (GeoJSON, CSV). This module
holds what they share: the format table (``f`` names, media types, file extensions) and the pivot
of one station's values into a times x elements table.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from qixiang.dataservice.query import Columns


@dataclass(frozen=True, slots=True)
class Format:
    name: str  # as the collection lists it and ``f`` takes it
    media_type: str
    extension: str
    streams: bool = False


COVERAGEJSON = Format("CoverageJSON", "application/prs.coverage+json", "covjson")
GEOJSON = Format("GeoJSON", "application/geo+json", "geojson", streams=True)
CSV = Format("CSV", "text/csv; charset=utf-8", "csv", streams=True)
NETCDF = Format("NetCDF", "application/x-netcdf", "nc")
HTML = Format("HTML", "text/html; charset=utf-8", "html")
JSON = Format("JSON", "application/json", "json")

DATA_FORMATS = (COVERAGEJSON, GEOJSON, CSV, NETCDF, HTML)
_BY_NAME = {f.name.lower(): f for f in (*DATA_FORMATS, JSON)}
_BY_NAME.update({"covjson": COVERAGEJSON, "coverage+json": COVERAGEJSON, "nc": NETCDF,
                 "netcdf4": NETCDF, "netcdf-cf": NETCDF, "geo+json": GEOJSON})
_BY_MEDIA = {
    "application/prs.coverage+json": COVERAGEJSON, "application/vnd.cov+json": COVERAGEJSON,
    "application/geo+json": GEOJSON, "text/csv": CSV, "application/x-netcdf": NETCDF,
    "application/netcdf": NETCDF, "text/html": HTML, "application/json": JSON,
}


def by_name(name: str) -> Format | None:
    return _BY_NAME.get(name.strip().lower())


def from_accept(accept: str) -> Format | None:
    """The first format of an ``Accept`` header we serve (quality values respected)."""
    choices = []
    for k, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media in _BY_MEDIA and q > 0:
            choices.append((-q, k, _BY_MEDIA[media]))
    return min(choices)[2] if choices else None


@dataclass(slots=True)
class StationBlock:
    """One station's values pivoted: ``values[i, j]`` is element ``j`` at ``times[i]`` (NaN where
    none); ``flags`` the QC codes (-1 where no value is stored)."""

    station: int  # index into columns.stations
    times: np.ndarray  # int64 seconds since 1970 UTC, ascending, distinct
    values: np.ndarray  # float64 (times, elements)
    flags: np.ndarray  # int16 (times, elements)


def station_blocks(columns: Columns) -> Iterator[StationBlock]:
    """The stations that have values, in order, each pivoted into a :class:`StationBlock`."""
    n = len(columns)
    if not n:
        return
    n_elements = len(columns.elements)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(columns.station)) + 1, [n]))
    for a, b in zip(starts[:-1], starts[1:], strict=True):
        t = columns.time[a:b]
        times = np.unique(t)
        rows = np.searchsorted(times, t)
        cols = columns.element[a:b]
        values = np.full((len(times), n_elements), np.nan)
        flags = np.full((len(times), n_elements), -1, dtype=np.int16)
        values[rows, cols] = columns.value[a:b]
        flags[rows, cols] = columns.qc_flag[a:b]
        yield StationBlock(int(columns.station[a]), times, values, flags)


def iso_times(epochs: np.ndarray) -> list[str]:
    """Seconds since 1970 as RFC 3339 UTC strings (``2026-11-21T06:00:00Z``)."""
    text = np.datetime_as_string(np.asarray(epochs, dtype="datetime64[s]"), unit="s")
    return [s + "Z" for s in text.tolist()]


def clean(value: float) -> float | None:
    """A float for JSON: None for NaN."""
    return None if value != value else float(value)
