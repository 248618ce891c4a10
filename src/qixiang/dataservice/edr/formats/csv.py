"""CSV: one row per station and time, a value and QC column per parameter.

Columns: ``station_id, name, longitude, latitude, elevation, datetime`` (RFC 3339 UTC), then
``<code>, <code>_qc`` for each parameter; values in the canonical units of
``parameter_names``; an empty cell is a missing value. Streamed station by station.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import numpy as np

from qixiang.dataservice.edr.formats import iso_times, station_blocks
from qixiang.dataservice.query import Columns


def header(codes: tuple[str, ...]) -> list[str]:
    cols = ["station_id", "name", "longitude", "latitude", "elevation", "datetime"]
    for code in codes:
        cols += [code, f"{code}_qc"]
    return cols


def write(columns: Columns) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(columns.elements))
    s = columns.stations
    for block in station_blocks(columns):
        k = block.station
        elevation = s.elevation[k]
        fixed = [str(s.ids[k]), str(s.names[k]), repr(float(s.lon[k])), repr(float(s.lat[k])),
                 "" if np.isnan(elevation) else repr(float(elevation))]
        values = block.values.tolist()
        flags = block.flags.tolist()
        for i, when in enumerate(iso_times(block.times)):
            row = [*fixed, when]
            for v, f in zip(values[i], flags[i], strict=True):
                row += ["" if v != v else repr(v), "" if f < 0 else str(f)]
            writer.writerow(row)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    rest = buffer.getvalue()
    if rest:
        yield rest.encode()
