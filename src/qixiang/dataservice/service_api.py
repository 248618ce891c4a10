"""The MUSIC (天擎) interface and the provenance routes, as two small django-ninja APIs, each
with its OpenAPI document and offline docs: ``/music-ws/api`` (``/music-ws/openapi.json``,
``/music-ws/docs``) and ``/provenance/keys``, ``/provenance/<data id>``
(``/provenance/openapi.json``, ``/provenance/docs``). Each is mounted under its own prefix, so
neither answers the site root.

The MUSIC route reads its parameters itself (names are case-insensitive in 天擎); the schema
below lists them for the docs and for contract tests.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Schema
from ninja.errors import ValidationError

from qixiang.dataservice import provenance
from qixiang.dataservice.music import views as music_views

music_api = NinjaAPI(
    title="qixiang MUSIC (天擎) interface",
    version="1.0.0",
    description="A 天擎/CIMISS MUSIC-compatible interface over the surface observations. "
                "See docs/api.md.",
    urls_namespace="dataservice:music",  # mounted by dataservice/urls.py
    docs_url="/docs",
    openapi_url="/openapi.json",
)
provenance_api = NinjaAPI(
    title="qixiang provenance records",
    version="1.0.0",
    description="The signed provenance record of every data response, and the public keys "
                "that verify them. See docs/api.md.",
    urls_namespace="dataservice:provenance",
    docs_url="/docs",
    openapi_url="/openapi.json",
)

_MUSIC_ANSWER = {
    "type": "object",
    "required": ["returnCode", "returnMessage", "rowCount", "colCount", "fieldNames",
                 "fieldUnits", "DS"],
    "properties": {
        "returnCode": {"type": "string", "description": '"0" success; negative: an error'},
        "returnMessage": {"type": "string"},
        "rowCount": {"type": "string"}, "colCount": {"type": "string"},
        "requestParams": {"type": "string"}, "requestTime": {"type": "string"},
        "responseTime": {"type": "string"}, "takeTime": {"type": "string"},
        "fieldNames": {"type": "string"}, "fieldUnits": {"type": "string"},
        "DS": {"type": "array", "items": {"type": "object",
                                          "additionalProperties": {"type": "string"}}},
    },
}
_MUSIC_CONTENT = {"application/json": {"schema": _MUSIC_ANSWER},
                  "application/xml": {"schema": {"type": "string"}},
                  "text/csv": {"schema": {"type": "string"}},
                  "text/plain": {"schema": {"type": "string"}}}
_MUSIC_ERROR = {"content": {"application/json": {"schema": _MUSIC_ANSWER}}}
MUSIC_RESPONSES = {"responses": {
    "200": {"description": "Records (returnCode 0)", "content": _MUSIC_CONTENT},
    "400": {"description": "A bad parameter (returnCode -1); the message names it",
            **_MUSIC_ERROR},
    "401": {"description": "Not signed, unknown userId, bad signature (-1001), stale timestamp "
                           "(-1002), replayed nonce (-1003), or a dataset that needs a key "
                           "(-1005)", **_MUSIC_ERROR},
    "403": {"description": "The dataset is outside the user's access (-1004)", **_MUSIC_ERROR},
    "413": {"description": "Too many values (-2); split the request", **_MUSIC_ERROR},
    "429": {"description": "Over rate or daily quota (-5004); see Retry-After",
            **_MUSIC_ERROR},
}}


class MusicParams(Schema):
    """The parameters of a MUSIC request (names are case-insensitive)."""

    interfaceId: str | None = None  # noqa: N815 - MUSIC's own parameter names
    dataCode: str | None = None  # noqa: N815
    elements: str | None = None
    times: str | None = None
    timeRange: str | None = None  # noqa: N815
    staIds: str | None = None  # noqa: N815
    minLat: str | None = None  # noqa: N815
    minLon: str | None = None  # noqa: N815
    maxLat: str | None = None  # noqa: N815
    maxLon: str | None = None  # noqa: N815
    adminCodes: str | None = None  # noqa: N815
    orderby: str | None = None
    limitCnt: str | None = None  # noqa: N815
    eleValueRanges: str | None = None  # noqa: N815
    dataFormat: str | None = None  # noqa: N815
    serviceNodeId: str | None = None  # noqa: N815
    userId: str | None = None  # noqa: N815
    timestamp: str | None = None
    nonce: str | None = None
    sign: str | None = None


def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(x) for x in first.get("loc", ()) if x not in ("query", "path")]
    return JsonResponse({"code": "400", "description": f"{'.'.join(loc) or 'request'}: "
                         f"{first.get('msg', _('invalid value'))}"}, status=400)


for _api in (music_api, provenance_api):
    _api.add_exception_handler(ValidationError, _invalid)


@music_api.get("/api", summary="MUSIC (天擎) data request", tags=["MUSIC"],
         openapi_extra=MUSIC_RESPONSES, url_name="music")
def music(request: HttpRequest, params: Query[MusicParams]):
    """One 天擎-style request: ``interfaceId`` (getSurfEleByTime, getSurfEleByTimeRange,
    getSurfEleByTimeAndStaID, getSurfEleByTimeRangeAndStaID, getSurfEleInRectByTime,
    getSurfEleInRectByTimeRange, getSurfEleInRegionByTime, getSurfEleInRegionByTimeRange),
    ``dataCode`` (SURF_CHN_MUL_HOR, SURF_CHN_MUL_MIN), ``elements``, ``times`` or ``timeRange``
    (UTC, yyyyMMddHHmmss), ``staIds``, ``minLat``..``maxLon``, ``adminCodes``, ``orderby``,
    ``limitCnt``, ``eleValueRanges``, ``dataFormat`` (json, xml, csv, tabText), signed with
    ``userId``, ``timestamp``, ``nonce`` and ``sign`` (uppercase MD5 of the sorted parameters
    and the password). Public datasets answer without a signature."""
    return music_views.music_api(request)


_KEYS = {"type": "object", "properties": {"keys": {"type": "array", "items": {
    "type": "object", "properties": {"kty": {"type": "string"}, "crv": {"type": "string"},
                                     "x": {"type": "string"}, "kid": {"type": "string"},
                                     "status": {"type": "string"}}}}}}
_RECORD = {"type": "object", "required": ["data_id", "state"], "properties": {
    "data_id": {"type": "string"}, "state": {"type": "string"}, "jws": {"type": "string"},
    "kid": {"type": "string"}, "record": {"type": "object"}}}
_JSON_ERROR = {"content": {"application/json": {"schema": {"type": "object"}}}}


@provenance_api.get("/keys", summary="Public keys of provenance records (JWK set)",
         tags=["provenance"], url_name="provenance_keys", openapi_extra={"responses": {
             "200": {"description": "Ed25519 public keys by kid",
                     "content": {"application/json": {"schema": _KEYS}}}}})
def provenance_keys(request: HttpRequest):
    """Every key that signed or signs provenance records: ``status`` current, previous or
    retired. A record's JWS header names its ``kid``."""
    from qixiang.dataservice import provenance_keys as keys

    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@provenance_api.get("/{data_id}", summary="The signed provenance record of a data response",
         tags=["provenance"], url_name="provenance_record", openapi_extra={"responses": {
             "200": {"description": "The record (decoded) and its compact JWS",
                     "content": {"application/json": {"schema": _RECORD}}},
             "202": {"description": "A streamed response still being sent",
                     "content": {"application/json": {"schema": _RECORD}}},
             "404": {"description": "No response with this data id", **_JSON_ERROR}}})
def provenance_record(request: HttpRequest, data_id: str):
    """The record of the response whose ``X-Qixiang-Data-Id`` was ``data_id``: dataset, query,
    sha256 and size of the bytes, QC version, time, requester, signed by ``kid``."""
    row = provenance.lookup(data_id[:64])
    if row is None:
        return JsonResponse({"code": "404", "description": _("No data response has id %(id)s.")
                             % {"id": data_id[:64]}}, status=404,
                            json_dumps_params={"ensure_ascii": False})
    document = provenance.record_document(row)
    status = 202 if row.state == row.State.STREAMING else 200
    response = JsonResponse(document, status=status, json_dumps_params={"ensure_ascii": False})
    if status == 202:
        response["Retry-After"] = "1"
    return response
