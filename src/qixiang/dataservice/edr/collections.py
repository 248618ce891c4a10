"""What each EDR collection is: extent, parameters, output formats and the data queries it
answers, as ``/edr/collections/{id}`` describes it."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qixiang.dataservice import query
from qixiang.dataservice.edr import formats
from qixiang.dataservice.edr.formats import iso_times
from qixiang.dataservice.edr.formats.coveragejson import parameter
from qixiang.dataservice.edr.params import KM_PER_UNIT
from qixiang.science import elements as vocabulary

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CRS84_WKT = ('GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
             'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433],AXIS["Lon",EAST],'
             'AXIS["Lat",NORTH]]')
TRS = ('TIMECRS["DateTime",TDATUM["Gregorian Calendar"],CS[TemporalDateTime,1],'
       'AXIS["Time (T)",future]]')
QUERY_TYPES = ("position", "radius", "area", "cube", "locations", "items")
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-common-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-common-2/1.0/conf/collections",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/core",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.2/conf/core",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/covjson",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/html",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-edr-1/1.1/conf/queries",
]


def _titles(dataset: query.Dataset) -> tuple[str, str]:
    if (get_language() or "zh-hans").startswith("en"):
        return dataset.title_en, _description(dataset, en=True)
    return dataset.title_zh, _description(dataset, en=False)


def _description(dataset: query.Dataset, en: bool) -> str:
    if dataset.top_of_hour:
        return ("Surface station observations at the top of each hour, quality-controlled "
                "(CMA QC codes)." if en else "地面气象站整点观测资料，经质量控制（CMA 质控码）。")
    return ("Surface station observations at every minute they were reported, "
            "quality-controlled (CMA QC codes)." if en else
            "地面气象站分钟观测资料，经质量控制（CMA 质控码）。")


def parameter_names(language: str | None = None) -> dict:
    """EDR parameter_names: label and description as text in ``language``."""
    en = (language or get_language() or "zh-hans").startswith("en")
    out = {}
    for e in vocabulary.ELEMENTS:
        p = parameter(e.code)
        label = e.label_en if en else e.label_zh
        p["label"] = label
        p["description"] = label
        p["observedProperty"]["label"] = label
        if e.cf_standard_name:
            p["x-cf-standard-name"] = e.cf_standard_name
        p["x-canonical-unit"] = e.unit
        out[e.code] = p
    return out


def _query_link(base: str, kind: str) -> dict:
    href = f"{base}/{kind}"
    variables: dict = {
        "title": {"position": _("Position query"), "radius": _("Radius query"),
                  "area": _("Area query"), "cube": _("Cube query"),
                  "locations": _("Locations query"), "items": _("Items query")}[kind],
        "query_type": kind,
        "output_formats": [f.name for f in formats.DATA_FORMATS],
        "default_output_format": formats.COVERAGEJSON.name,
        "crs_details": [{"crs": "CRS84", "wkt": CRS84_WKT}],
    }
    if kind == "radius":
        variables["within_units"] = list(KM_PER_UNIT)
    if kind == "items":
        variables["output_formats"] = [formats.GEOJSON.name, formats.HTML.name]
        variables["default_output_format"] = formats.GEOJSON.name
    return {"link": {"href": href, "rel": "data", "title": variables["title"],
                     "variables": variables}}


def collection(dataset: query.Dataset, root: str) -> dict:
    """The collection document; ``root`` is the absolute URL of ``/edr``."""
    base = f"{root}/collections/{dataset.id}"
    title, description = _titles(dataset)
    bbox = query.stations().bbox() or (-180.0, -90.0, 180.0, 90.0)
    extent = query.time_extent(dataset)
    import numpy as np

    interval = ([iso_times(np.array([int(extent[0].timestamp()), int(extent[1].timestamp())]))]
                if extent else [[None, None]])
    return {
        "id": dataset.id,
        "title": title,
        "description": description,
        "keywords": ["surface observations", "地面观测", "CMA"],
        "links": [
            {"href": base, "rel": "self", "type": "application/json", "title": title},
            {"href": f"{base}?f=html", "rel": "alternate", "type": "text/html", "title": title},
        ],
        "extent": {
            "spatial": {"bbox": [list(bbox)], "crs": CRS84},
            "temporal": {"interval": interval, "trs": TRS},
        },
        "data_queries": {kind: _query_link(base, kind) for kind in QUERY_TYPES},
        "crs": [CRS84],
        "output_formats": [f.name for f in formats.DATA_FORMATS],
        "parameter_names": parameter_names(),
        "x-time-step-seconds": dataset.step,
    }


def landing(root: str) -> dict:
    return {
        "title": _("qixiang open data service (OGC API – EDR)"),
        "description": _("Surface weather observations by position, radius, area, cube, "
                         "station and item, as CoverageJSON, GeoJSON, CSV, NetCDF-CF or HTML."),
        "links": [
            {"href": f"{root}/", "rel": "self", "type": "application/json",
             "title": _("This document")},
            {"href": f"{root}/?f=html", "rel": "alternate", "type": "text/html",
             "title": _("This document as HTML")},
            {"href": f"{root}/openapi.json", "rel": "service-desc",
             "type": "application/vnd.oai.openapi+json;version=3.0",
             "title": _("The API definition")},
            {"href": f"{root}/docs", "rel": "service-doc", "type": "text/html",
             "title": _("The API documentation")},
            {"href": f"{root}/conformance", "rel": "conformance", "type": "application/json",
             "title": _("Conformance classes")},
            {"href": f"{root}/collections", "rel": "data", "type": "application/json",
             "title": _("Collections")},
        ],
    }


def collections(root: str) -> dict:
    return {
        "links": [{"href": f"{root}/collections", "rel": "self", "type": "application/json"},
                  {"href": f"{root}/collections?f=html", "rel": "alternate",
                   "type": "text/html"}],
        "collections": [collection(d, root) for d in query.DATASETS.values()],
    }
