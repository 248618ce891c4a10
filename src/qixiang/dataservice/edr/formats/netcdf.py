"""NetCDF-CF: a discrete-sampling-geometry ``timeSeries`` file (CF chapter 9).

The orthogonal multidimensional representation: dimensions ``station`` and ``time``; ``lat``,
``lon``, ``alt`` and ``station_id`` (``cf_role = timeseries_id``) per station; ``time`` in whole
hours (or minutes) since 1970-01-01 UTC; each parameter a ``(station, time)`` variable with its CF
standard name, units, ``_FillValue``, ``cell_methods`` and an ancillary ``<code>_qc`` variable
holding the CMA QC code as CF flags. Written as classic NetCDF (the ``scipy`` writer, no native
library), which xarray, netCDF4, Panoply and the CF checker read.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
from scipy.io import netcdf_file

from qixiang.dataservice.query import Columns, Dataset
from qixiang.observations.models import QCFlag
from qixiang.science import elements as vocabulary

FILL = -9999.0
FLAG_FILL = -1
CONVENTIONS = "CF-1.8"  # the newest version the CF checker (cfchecker 4.1) knows
# canonical unit -> CF (UDUNITS) unit
CF_UNITS = {"degC": "degree_Celsius", "%": "percent", "m/s": "m s-1", "degree": "degree",
            "code": "1"}
# a CF standard name whose canonical unit does not fit ours -> the one that does
CF_NAME_FOR_UNIT = {("precipitation_amount", "mm"): "lwe_thickness_of_precipitation_amount"}


def _chars(texts: list[str], width: int) -> np.ndarray:
    out = np.zeros((len(texts), width), dtype="S1")
    for k, text in enumerate(texts):
        raw = text.encode()[:width]
        out[k, : len(raw)] = np.frombuffer(raw, dtype="S1") if raw else out[k, :0]
    return out


def _time_axis(times: np.ndarray) -> tuple[np.ndarray, str]:
    if not len(times) or not np.any(times % 3600):
        return (times // 3600).astype(np.int32), "hours since 1970-01-01 00:00:00"
    if not np.any(times % 60):
        return (times // 60).astype(np.int32), "minutes since 1970-01-01 00:00:00"
    return times.astype(np.int32), "seconds since 1970-01-01 00:00:00"


def write(columns: Columns, dataset: Dataset, query_text: str = "") -> bytes:
    s = columns.stations
    present = np.unique(columns.station) if len(columns) else np.empty(0, np.intp)
    times = np.unique(columns.time) if len(columns) else np.empty(0, np.int64)
    row = np.searchsorted(present, columns.station)
    col = np.searchsorted(times, columns.time)
    buffer = io.BytesIO()
    nc = netcdf_file(buffer, "w", version=2)
    nc.Conventions = CONVENTIONS
    nc.featureType = "timeSeries"
    nc.title = f"{dataset.title_en} ({dataset.id})"
    nc.institution = "qixiang"
    nc.source = "surface weather station observations, quality-controlled (CMA QC codes)"
    nc.history = (f"{datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')} written by the qixiang "
                  f"OGC API - EDR service")
    nc.references = "OGC API - Environmental Data Retrieval; CF conventions chapter 9"
    if query_text:
        nc.comment = f"query: {query_text}"[:1000]

    ids = [str(x) for x in s.ids[present].tolist()]
    names = [str(x) for x in s.names[present].tolist()]
    nc.createDimension("station", len(present))
    nc.createDimension("time", len(times))
    nc.createDimension("id_strlen", max([len(x.encode()) for x in ids] + [1]))
    nc.createDimension("name_strlen", max([len(x.encode()) for x in names] + [1]))

    lat = nc.createVariable("lat", "d", ("station",))
    lat[:] = s.lat[present]
    lat.standard_name, lat.long_name, lat.units, lat.axis = (
        "latitude", "station latitude", "degrees_north", "Y")
    lon = nc.createVariable("lon", "d", ("station",))
    lon[:] = s.lon[present]
    lon.standard_name, lon.long_name, lon.units, lon.axis = (
        "longitude", "station longitude", "degrees_east", "X")
    alt = nc.createVariable("alt", "d", ("station",))
    alt[:] = np.where(np.isnan(s.elevation[present]), FILL, s.elevation[present])
    alt._FillValue = FILL
    alt.standard_name, alt.long_name, alt.units, alt.positive, alt.axis = (
        "surface_altitude", "station elevation", "m", "up", "Z")
    sid = nc.createVariable("station_id", "c", ("station", "id_strlen"))
    sid[:] = _chars(ids, nc.dimensions["id_strlen"])
    sid.cf_role, sid.long_name = "timeseries_id", "CMA station id"
    sname = nc.createVariable("station_name", "c", ("station", "name_strlen"))
    sname[:] = _chars(names, nc.dimensions["name_strlen"])
    sname.long_name = "station name"

    values, units = _time_axis(times)
    t = nc.createVariable("time", "i", ("time",))
    t[:] = values
    t.standard_name, t.long_name, t.units, t.calendar, t.axis = (
        "time", "observation time (UTC)", units, "standard", "T")

    flag_values = np.array([f.value for f in QCFlag], dtype=np.int16)
    flag_meanings = " ".join(f.name.lower() for f in QCFlag)
    for j, code in enumerate(columns.elements):
        e = vocabulary.get(code)
        mine = columns.element == j
        grid = np.full((len(present), len(times)), FILL)
        grid[row[mine], col[mine]] = np.where(np.isnan(columns.value[mine]), FILL,
                                              columns.value[mine])
        var = nc.createVariable(code, "d", ("station", "time"))
        var[:] = grid
        var._FillValue = FILL
        if e.cf_standard_name:
            var.standard_name = CF_NAME_FOR_UNIT.get((e.cf_standard_name, e.unit),
                                                     e.cf_standard_name)
        var.long_name = e.label_en
        var.units = CF_UNITS.get(e.unit, e.unit)
        var.coordinates = "time lat lon alt station_id"
        var.cma_element = code
        if e.cell_method:
            var.cell_methods = f"time: {e.cell_method}"
        var.ancillary_variables = f"{code}_qc"

        flags = np.full((len(present), len(times)), FLAG_FILL, dtype=np.int16)
        flags[row[mine], col[mine]] = columns.qc_flag[mine]
        qc = nc.createVariable(f"{code}_qc", "h", ("station", "time"))
        qc[:] = flags
        qc._FillValue = np.int16(FLAG_FILL)
        qc.standard_name = "status_flag"
        qc.long_name = f"CMA quality-control code of {code}"
        qc.flag_values = flag_values
        qc.flag_meanings = flag_meanings
    nc.flush()
    data = buffer.getvalue()
    nc.close()
    return data
