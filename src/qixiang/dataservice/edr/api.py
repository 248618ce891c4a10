"""The OGC API – EDR routes at ``/edr/``: a django-ninja API of its own, so its OpenAPI document
(``/edr/openapi.json``, offline docs at ``/edr/docs``) describes exactly the EDR paths.

Every route goes through :func:`respond.serve` (format, access, ETag, cache). Data queries with no
``datetime`` answer the newest value of each parameter at each station; an instant, a range
``a/b`` or an open range ``../b``, ``a/..`` selects values by time.
"""

from __future__ import annotations

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError

from qixiang.dataservice import query
from qixiang.dataservice.edr import collections as meta
from qixiang.dataservice.edr import formats, params, respond
from qixiang.dataservice.edr.formats import geojson
from qixiang.dataservice.edr.params import EdrError

api = NinjaAPI(
    title="qixiang OGC API – EDR",
    version="1.0.0",
    description="Surface weather observations through OGC API – Environmental Data Retrieval.",
    urls_namespace="dataservice:edr",  # mounted by dataservice/urls.py
    docs_url="/docs",
    openapi_url="/openapi.json",
)

META_FORMATS = (formats.JSON, formats.HTML)
ITEM_FORMATS = (formats.GEOJSON, formats.HTML)

# --- OpenAPI descriptions of the answers ----------------------------------------------------------

_ERROR_SCHEMA = {"type": "object", "required": ["code", "description"],
                 "properties": {"code": {"type": "string"}, "description": {"type": "string"},
                                "parameter": {"type": "string"}}}
_ERROR = {"content": {"application/json": {"schema": _ERROR_SCHEMA}}}
_ANY = {"schema": {}}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_TEXT = {"schema": {"type": "string"}}


def _responses(content: dict, *, data: bool) -> dict:
    out = {"200": {"description": "OK", "content": content},
           "304": {"description": "Not modified (If-None-Match matched the ETag)"},
           "400": {"description": "A parameter is bad; the description names it", **_ERROR},
           "404": {"description": "Unknown collection, location or item", **_ERROR}}
    if data:
        out.update({
            "401": {"description": "Missing or bad API key", **_ERROR},
            "403": {"description": "The key's access does not include this dataset", **_ERROR},
            "413": {"description": "Too many values; the description says how to split",
                    **_ERROR},
            "429": {"description": "Over rate or daily quota; see Retry-After", **_ERROR},
        })
    return {"responses": out}


DATA_RESPONSES = _responses({
    "application/prs.coverage+json": _ANY, "application/geo+json": _ANY,
    "text/csv": _TEXT, "application/x-netcdf": _BINARY, "text/html": _TEXT}, data=True)
META_RESPONSES = _responses({"application/json": _ANY, "text/html": _TEXT}, data=False)
ITEM_RESPONSES = _responses({"application/geo+json": _ANY, "text/html": _TEXT}, data=True)

_F = Query(None, description="Output format: CoverageJSON, GeoJSON, CSV, NetCDF or HTML "
                             "(default CoverageJSON for data, JSON for metadata; Accept is "
                             "honoured when f is absent).")
_DATETIME = Query(None, description="RFC 3339 instant, range start/end, or open range ../end, "
                                    "start/..; absent: the newest value of each parameter.")
_PARAMETERS = Query(None, alias="parameter-name",
                    description="CMA element codes, comma-separated (e.g. TEM,RHU); "
                                "absent: every parameter.")
_Z = Query(None, description="Height; ignored (surface observations).")
_CRS = Query(None, description="Only CRS84 is served.")


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(x) for x in first.get("loc", ()) if x not in ("query", "path")]
    name = loc[-1] if loc else "request"
    return respond.error_response(params.bad(name, first.get("msg", _("invalid value"))))


def _dataset(collection_id: str) -> query.Dataset:
    dataset = query.DATASETS.get(collection_id)
    if dataset is None:
        raise EdrError(404, _("collectionId: no collection %(id)r; see /edr/collections")
                       % {"id": collection_id[:80]}, "collectionId", code="NotFound")
    return dataset


def _root(request: HttpRequest) -> str:
    return request.build_absolute_uri("/edr").rstrip("/")


def _check_crs(crs: str | None) -> None:
    if crs and crs.strip() not in ("CRS84", meta.CRS84, "EPSG:4326"):
        raise params.bad("crs", _("only CRS84 is served"))


def _json(ctx: respond.Context, document: dict, template: str, extra: dict | None = None
          ) -> respond.Result:
    if ctx.fmt is formats.HTML:
        page = respond.page(ctx.request, template, {"doc": document, **(extra or {})})
        return respond.Result(page.content, formats.HTML.media_type)
    return respond.Result(orjson.dumps(document), "application/json")


def _guard(handler):
    """Run ``handler`` turning an :class:`EdrError` raised before :func:`serve` into its answer."""
    try:
        return handler()
    except EdrError as exc:
        return respond.error_response(exc)


# --- metadata ------------------------------------------------------------------------------------


@api.get("/", summary="Landing page", openapi_extra=META_RESPONSES, url_name="landing")
def landing(request: HttpRequest, f: str | None = _F):
    return respond.serve(
        request, None, lambda ctx: _json(ctx, meta.landing(_root(request)), "landing.html"),
        allowed=META_FORMATS, default=formats.JSON, max_age=respond.META_MAX_AGE)


@api.get("/conformance", summary="Conformance classes", openapi_extra=META_RESPONSES)
def conformance(request: HttpRequest, f: str | None = _F):
    return respond.serve(
        request, None,
        lambda ctx: _json(ctx, {"conformsTo": meta.CONFORMANCE}, "conformance.html"),
        allowed=META_FORMATS, default=formats.JSON, max_age=respond.META_MAX_AGE)


@api.get("/collections", summary="The collections", openapi_extra=META_RESPONSES)
def collections(request: HttpRequest, f: str | None = _F):
    return respond.serve(
        request, None, lambda ctx: _json(ctx, meta.collections(_root(request)),
                                         "collections.html"),
        allowed=META_FORMATS, default=formats.JSON, max_age=respond.META_MAX_AGE)


@api.get("/collections/{collectionId}", summary="One collection", openapi_extra=META_RESPONSES)
def collection(request: HttpRequest, collectionId: str, f: str | None = _F):  # noqa: N803
    def run():
        dataset = _dataset(collectionId)
        def produce(ctx: respond.Context) -> respond.Result:
            doc = meta.collection(dataset, _root(request))
            return _json(ctx, doc, "collection.html", {
                "dataset": dataset,
                "queries": [(k, q["link"]) for k, q in doc["data_queries"].items()],
                "parameters": list(doc["parameter_names"].items())})
        return respond.serve(
            request, None, produce,
            allowed=META_FORMATS, default=formats.JSON, max_age=respond.META_MAX_AGE)
    return _guard(run)


# --- data queries --------------------------------------------------------------------------------


def _selection(dataset, regions, parameter_name, datetime, **where) -> query.Selection:
    codes = params.parameter_names(parameter_name)
    when = params.datetime_filter(datetime)
    try:
        return query.Selection(dataset, codes, start=when.start, end=when.end,
                               latest=when.latest, region_prefixes=regions, **where)
    except query.SelectionError as exc:
        raise params.bad(exc.parameter, str(exc)) from None


def _data_route(request, collection_id, build, *, single=False, not_found=None):
    def run():
        dataset = _dataset(collection_id)

        def produce(ctx: respond.Context) -> respond.Result:
            return respond.data(ctx, build(dataset, ctx.regions), single=single,
                                not_found=not_found)
        return respond.serve(request, dataset, produce, allowed=formats.DATA_FORMATS,
                             default=formats.COVERAGEJSON)
    return _guard(run)


@api.get("/collections/{collectionId}/position", summary="Values at a position (the nearest "
         "station)", openapi_extra=DATA_RESPONSES)
def position(request: HttpRequest, collectionId: str, coords: str,  # noqa: N803
             datetime: str | None = _DATETIME, parameter_name: str | None = _PARAMETERS,
             z: str | None = _Z, crs: str | None = _CRS, f: str | None = _F):
    """The series of the station nearest ``coords`` (``POINT(lon lat)``) within
    ``QIXIANG_EDR_NEAREST_KM``; 404 when no station is that near."""
    def build(dataset, regions):
        _check_crs(crs)
        lon, lat = params.point(coords)
        selection = _selection(dataset, regions, parameter_name, datetime)  # check all first
        found = query.nearest_station(lon, lat, settings.QIXIANG_EDR_NEAREST_KM, regions)
        if found is None:
            raise EdrError(404, _("coords: no station within %(km)g km of %(lon)g %(lat)g")
                           % {"km": settings.QIXIANG_EDR_NEAREST_KM, "lon": lon, "lat": lat},
                           "coords", code="NotFound")
        return _replace(selection, station_ids=(found,))
    return _data_route(request, collectionId, build, single=True)


def _replace(selection: query.Selection, **changes) -> query.Selection:
    from dataclasses import replace

    return replace(selection, **changes)


@api.get("/collections/{collectionId}/radius", summary="Values of the stations within a radius",
         openapi_extra=DATA_RESPONSES)
def radius(request: HttpRequest, collectionId: str, coords: str,  # noqa: N803
           within: str | None = Query(None, description="The radius."),
           within_units: str | None = Query(None, alias="within-units",
                                            description="km (default), m, mi or nm."),
           datetime: str | None = _DATETIME, parameter_name: str | None = _PARAMETERS,
           z: str | None = _Z, crs: str | None = _CRS, f: str | None = _F):
    def build(dataset, regions):
        _check_crs(crs)
        lon, lat = params.point(coords)
        km = params.within_km(within, within_units)
        return _selection(dataset, regions, parameter_name, datetime, near=(lon, lat, km))
    return _data_route(request, collectionId, build)


@api.get("/collections/{collectionId}/area", summary="Values of the stations inside a polygon",
         openapi_extra=DATA_RESPONSES)
def area(request: HttpRequest, collectionId: str, coords: str,  # noqa: N803
         datetime: str | None = _DATETIME, parameter_name: str | None = _PARAMETERS,
         z: str | None = _Z, crs: str | None = _CRS, f: str | None = _F):
    def build(dataset, regions):
        _check_crs(crs)
        return _selection(dataset, regions, parameter_name, datetime,
                          polygon=params.polygon(coords))
    return _data_route(request, collectionId, build)


@api.get("/collections/{collectionId}/cube", summary="Values of the stations inside a box",
         openapi_extra=DATA_RESPONSES)
def cube(request: HttpRequest, collectionId: str, bbox: str,  # noqa: N803
         datetime: str | None = _DATETIME, parameter_name: str | None = _PARAMETERS,
         z: str | None = _Z, crs: str | None = _CRS, f: str | None = _F):
    def build(dataset, regions):
        _check_crs(crs)
        return _selection(dataset, regions, parameter_name, datetime, bbox=params.bbox(bbox))
    return _data_route(request, collectionId, build)


@api.get("/collections/{collectionId}/locations", summary="The stations (locations)",
         openapi_extra=ITEM_RESPONSES)
def locations(request: HttpRequest, collectionId: str,  # noqa: N803
              bbox: str | None = Query(None, description="west,south,east,north"),
              f: str | None = _F):
    def run():
        dataset = _dataset(collectionId)

        def produce(ctx: respond.Context) -> respond.Result:
            box = params.bbox(bbox) if bbox else None
            chosen, _unknown = query.select_stations(query.Selection(
                dataset, ("TEM",), bbox=box, region_prefixes=ctx.regions))
            ctx.admit(1.0)
            features = [{"type": "Feature", "id": str(chosen.ids[k]),
                         "geometry": geojson._point(chosen, k),
                         "properties": geojson.station_properties(chosen, k)}
                        for k in range(len(chosen))]
            if ctx.fmt is formats.HTML:
                return respond.Result(respond.page(request, "locations.html", {
                    "dataset": dataset, "features": features}).content, ctx.fmt.media_type)
            return respond.Result(geojson.feature_collection(features,
                                                             numberReturned=len(features)),
                                  formats.GEOJSON.media_type)
        return respond.serve(request, dataset, produce, allowed=ITEM_FORMATS,
                             default=formats.GEOJSON, max_age=respond.META_MAX_AGE)
    return _guard(run)


def _unknown_station(plan: query.Plan) -> None:
    if plan.unknown_ids:
        raise EdrError(404, _("locationId: no station %(id)r in this collection")
                       % {"id": plan.unknown_ids[0][:40]}, "locationId", code="NotFound")


@api.get("/collections/{collectionId}/locations/{locationId}",
         summary="Values of one station", openapi_extra=DATA_RESPONSES)
def location(request: HttpRequest, collectionId: str, locationId: str,  # noqa: N803
             datetime: str | None = _DATETIME, parameter_name: str | None = _PARAMETERS,
             crs: str | None = _CRS, f: str | None = _F):
    def build(dataset, regions):
        _check_crs(crs)
        return _selection(dataset, regions, parameter_name, datetime,
                          station_ids=(locationId.strip(),))
    return _data_route(request, collectionId, build, single=True, not_found=_unknown_station)


def _items(request, collection_id, parameter_name, station_ids=None, bbox=None, limit=None,
           offset=None, single=False):
    def run():
        dataset = _dataset(collection_id)

        def produce(ctx: respond.Context) -> respond.Result:
            box = params.bbox(bbox) if bbox else None
            first = params.positive_int(offset, "offset", 0, 10**7)
            count = params.positive_int(limit, "limit", 10_000, 10_000)
            selection = _selection(dataset, ctx.regions, parameter_name, None, bbox=box,
                                   station_ids=station_ids)
            plan = query.plan(selection)
            if single:
                _unknown_station(plan)
            matched = len(plan.stations)
            chosen = plan.stations.take(range(min(first, len(plan.stations)),
                                              min(first + count, len(plan.stations))))
            plan = query.Plan(selection, chosen, 1)
            respond.check_size(plan)
            cost = respond.plan_cost(plan)
            ctx.admit(cost)
            features = geojson.latest_features(query.read(plan))
            if ctx.fmt is formats.HTML:
                for feature in features:
                    feature["cells"] = [feature["properties"].get(c) for c in selection.elements]
                return respond.Result(respond.page(request, "items.html", {
                    "dataset": dataset, "features": features,
                    "elements": selection.elements}).content, ctx.fmt.media_type, cost)
            if single:
                return respond.Result(orjson.dumps(features[0]), formats.GEOJSON.media_type,
                                      cost)
            return respond.Result(geojson.feature_collection(
                features, numberMatched=matched, numberReturned=len(features)), formats.GEOJSON.media_type, cost)
        return respond.serve(request, dataset, produce, allowed=ITEM_FORMATS,
                             default=formats.GEOJSON)
    return _guard(run)


@api.get("/collections/{collectionId}/items", summary="Stations with their newest values",
         openapi_extra=ITEM_RESPONSES)
def items(request: HttpRequest, collectionId: str,  # noqa: N803
          bbox: str | None = Query(None, description="west,south,east,north"),
          parameter_name: str | None = _PARAMETERS,
          limit: str | None = Query(None, description="At most this many items (10,000)."),
          offset: str | None = Query(None, description="Skip this many items."),
          f: str | None = _F):
    return _items(request, collectionId, parameter_name, bbox=bbox, limit=limit, offset=offset)


@api.get("/collections/{collectionId}/items/{itemId}", summary="One station with its newest "
         "values", openapi_extra=ITEM_RESPONSES)
def item(request: HttpRequest, collectionId: str, itemId: str,  # noqa: N803
         parameter_name: str | None = _PARAMETERS, f: str | None = _F):
    return _items(request, collectionId, parameter_name, station_ids=(itemId.strip(),),
                  single=True)
