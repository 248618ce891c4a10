"""GeoJSON: one Feature per station and time (data queries) or per station (items, locations).

A data feature's properties are ``station_id``, ``name``, ``datetime`` (RFC 3339 UTC) and, per
parameter, its value (``null`` when missing) and ``<code>_qc`` (the CMA QC code). The collection
is streamed station by station, so a large answer starts at once and is never held whole.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import orjson

from qixiang.dataservice.edr.formats import clean, iso_times, station_blocks
from qixiang.dataservice.query import Columns, StationColumns


def _point(stations: StationColumns, k: int) -> dict:
    return {"type": "Point", "coordinates": [float(stations.lon[k]), float(stations.lat[k])]}


def station_properties(stations: StationColumns, k: int) -> dict:
    elevation = stations.elevation[k]
    return {"station_id": str(stations.ids[k]), "name": str(stations.names[k]),
            "division_code": str(stations.division[k]),
            "elevation": None if np.isnan(elevation) else float(elevation)}


def write(columns: Columns) -> Iterator[bytes]:
    """The FeatureCollection, in chunks of bytes."""
    yield b'{"type":"FeatureCollection","features":['
    first = True
    codes = columns.elements
    s = columns.stations
    for block in station_blocks(columns):
        k = block.station
        sid, name, geometry = str(s.ids[k]), str(s.names[k]), _point(s, k)
        chunk = []
        for i, when in enumerate(iso_times(block.times)):
            props: dict = {"station_id": sid, "name": name, "datetime": when}
            for j, code in enumerate(codes):
                props[code] = clean(block.values[i, j])
                flag = int(block.flags[i, j])
                props[f"{code}_qc"] = None if flag < 0 else flag
            chunk.append(orjson.dumps({"type": "Feature", "id": f"{sid}/{when}",
                                       "geometry": geometry, "properties": props}))
        if chunk:
            yield (b"" if first else b",") + b",".join(chunk)
            first = False
    yield b"]}"


def latest_features(columns: Columns) -> list[dict]:
    """One Feature per selected station with its newest value of each parameter:
    ``<code>`` (value), ``<code>_qc`` and ``<code>_datetime``; ``datetime`` is the newest of
    them. Stations without values are included with nulls."""
    s = columns.stations
    features = [{"type": "Feature", "id": str(s.ids[k]), "geometry": _point(s, k),
                 "properties": {**station_properties(s, k), "datetime": None}}
                for k in range(len(s))]
    when = iso_times(columns.time)
    for k, e, t, v, f, text in zip(columns.station.tolist(), columns.element.tolist(),
                                   columns.time.tolist(), columns.value.tolist(),
                                   columns.qc_flag.tolist(), when, strict=True):
        props = features[k]["properties"]
        code = columns.elements[e]
        props[code] = clean(v)
        props[f"{code}_qc"] = f
        props[f"{code}_datetime"] = text
        if props["datetime"] is None or props["datetime"] < text:
            props["datetime"] = text
        del t
    for feature in features:
        props = feature["properties"]
        for code in columns.elements:
            props.setdefault(code, None)
    return features


def feature_collection(features: list[dict], **members) -> bytes:
    return orjson.dumps({"type": "FeatureCollection", "features": features, **members})
