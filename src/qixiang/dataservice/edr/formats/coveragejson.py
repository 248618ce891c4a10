"""CoverageJSON (covjson specification): a PointSeries coverage per station.

One station gives a ``Coverage``; several a ``CoverageCollection`` whose parameters and
referencing are shared. Each coverage's domain has ``x``/``y`` (one value each: the station's
longitude and latitude, CRS84) and ``t`` (its times, RFC 3339 UTC); each range is an ``NdArray``
over ``t`` with ``null`` for a missing value. Parameters carry the CF standard name as observed
property, Chinese and English labels and the UCUM unit.
"""

from __future__ import annotations

import numpy as np
import orjson

from qixiang.dataservice.edr.formats import iso_times, station_blocks
from qixiang.dataservice.query import Columns
from qixiang.science import elements as vocabulary

CF_VOCABULARY = "http://vocab.nerc.ac.uk/standard_name/"
UCUM = "http://www.opengis.net/def/uom/UCUM/"
# canonical unit (science/elements.py) -> UCUM symbol
UCUM_SYMBOLS = {"degC": "Cel", "%": "%", "hPa": "hPa", "mm": "mm", "degree": "deg",
                "m/s": "m/s", "m": "m", "cm": "cm", "K": "K"}
REFERENCING = [
    {"coordinates": ["x", "y"], "system": {
        "type": "GeographicCRS", "id": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
    {"coordinates": ["t"], "system": {"type": "TemporalRS", "calendar": "Gregorian"}},
]


def unit_object(code: str) -> dict:
    unit = vocabulary.get(code).unit
    symbol = UCUM_SYMBOLS.get(unit)
    out: dict = {"label": {"en": unit}}
    if symbol:
        out["symbol"] = {"value": symbol, "type": UCUM}
    elif unit == "code":
        out["label"] = {"en": "WMO code table 4680", "zh-Hans": "WMO 4680 代码表"}
    return out


def parameter(code: str) -> dict:
    """The covjson Parameter object of element ``code`` (also EDR's parameter_names entry)."""
    e = vocabulary.get(code)
    labels = {"zh-Hans": e.label_zh, "en": e.label_en}
    observed: dict = {"label": labels}
    if e.cf_standard_name:
        observed["id"] = f"{CF_VOCABULARY}{e.cf_standard_name}/"
    out = {"type": "Parameter", "id": code, "description": labels,
           "observedProperty": observed, "unit": unit_object(code)}
    if e.cell_method:
        out["measurementType"] = {"method": e.cell_method,
                                  **({"period": f"PT{e.period}M"} if e.period else {})}
    return out


def parameters(codes: tuple[str, ...]) -> dict:
    return {code: parameter(code) for code in codes}


def _coverage(columns: Columns, block, standalone: bool) -> dict:
    s = columns.stations
    k = block.station
    n = len(block.times)
    cov: dict = {
        "type": "Coverage",
        "id": str(s.ids[k]),
        "domain": {
            "type": "Domain",
            "domainType": "PointSeries",
            "axes": {"x": {"values": [float(s.lon[k])]}, "y": {"values": [float(s.lat[k])]},
                     "t": {"values": iso_times(block.times)}},
        },
        "ranges": {
            code: {"type": "NdArray", "dataType": "float", "axisNames": ["t"], "shape": [n],
                   "values": np.ascontiguousarray(block.values[:, j])}
            for j, code in enumerate(columns.elements)
        },
    }
    if standalone:
        cov["domain"]["referencing"] = REFERENCING
        cov["parameters"] = parameters(columns.elements)
    return cov


def write(columns: Columns, single: bool = False) -> bytes:
    """The document: a ``Coverage`` when ``single`` (one station, asked for by position or
    id), else a ``CoverageCollection``."""
    blocks = list(station_blocks(columns))
    option = orjson.OPT_SERIALIZE_NUMPY
    if single:
        if blocks:
            return orjson.dumps(_coverage(columns, blocks[0], True), option=option)
        empty = {"type": "Coverage", "domain": {
            "type": "Domain", "domainType": "PointSeries", "referencing": REFERENCING,
            "axes": {"x": {"values": []}, "y": {"values": []}, "t": {"values": []}}},
            "parameters": parameters(columns.elements),
            "ranges": {code: {"type": "NdArray", "dataType": "float", "axisNames": ["t"],
                              "shape": [0], "values": []} for code in columns.elements}}
        if len(columns.stations):
            empty["id"] = str(columns.stations.ids[0])
            empty["domain"]["axes"]["x"]["values"] = [float(columns.stations.lon[0])]
            empty["domain"]["axes"]["y"]["values"] = [float(columns.stations.lat[0])]
        return orjson.dumps(empty, option=option)
    doc = {
        "type": "CoverageCollection",
        "domainType": "PointSeries",
        "parameters": parameters(columns.elements),
        "referencing": REFERENCING,
        "coverages": [_coverage(columns, b, False) for b in blocks],
    }
    return orjson.dumps(doc, option=option)
