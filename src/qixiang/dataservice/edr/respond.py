"""One EDR request from parameters to bytes: format, access, ETag, cache, cost limit, writer.

:func:`serve` is shared by every route. It picks the format (``f``, else ``Accept``), asks the
access module who is calling and which regions they may see, and derives the cache key from the
normalised request and that scope. A matching ``If-None-Match`` is answered 304 and a cached body
is sent as is — both without reading a value; otherwise the route's ``produce`` function plans
the query, refuses it with 413 when it asks for more than ``QIXIANG_EDR_MAX_VALUES`` values,
charges its cost, reads and writes the body. Access refusals come from
:mod:`qixiang.dataservice.access` (401, 403, 429); parameter errors are :class:`EdrError`.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlencode

import orjson
from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from qixiang.dataservice import cache, journal, query
from qixiang.dataservice.edr import formats
from qixiang.dataservice.edr.formats import coveragejson, csv, geojson, netcdf
from qixiang.dataservice.edr.params import EdrError

VARY = "Accept, Accept-Language, Cookie, Authorization, X-API-Key"
DATA_MAX_AGE = 30  # seconds a client may reuse a data answer before revalidating (ETag)
META_MAX_AGE = 300
STREAM_ABOVE = 200_000  # values: larger GeoJSON/CSV answers stream and are not cached
HTML_ROWS = 2_000  # rows an HTML data page shows


@lru_cache(maxsize=8)
def _optional(name: str):
    try:
        return importlib.import_module(f"qixiang.dataservice.{name}")
    except ImportError:  # the access module is optional: without it every request is allowed
        return None


def error_response(exc: EdrError) -> HttpResponse:
    response = HttpResponse(orjson.dumps(exc.body()), status=exc.status,
                            content_type="application/json")
    for name, value in exc.headers.items():
        response[name] = value
    return response


@dataclass(slots=True)
class Answer:
    """A finished answer held in memory (a cached body, or a 304): the fast path sends it as it
    is, without building a Django response; Django gets :meth:`response`."""

    status: int
    headers: dict[str, str]
    body: bytes = b""

    def response(self) -> HttpResponse:
        return HttpResponse(self.body, status=self.status, headers=self.headers)


@dataclass(slots=True)
class Result:
    body: bytes | Iterable[bytes]
    content_type: str
    cost: float = 1.0
    filename: str | None = None
    cacheable: bool = True


@dataclass(slots=True)
class Context:
    request: HttpRequest
    dataset: query.Dataset | None
    fmt: formats.Format
    regions: tuple[str, ...] | None
    admit: Callable[[float], None]
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Query:
    """What a query string says that every answer needs: ``f`` and the provenance text."""

    f: str | None
    text: str  # path and sorted parameters, as the provenance record names the request


_QUERIES: dict[tuple[str, str], _Query] = {}
_MAX_QUERIES = 10_000


def _query(request: HttpRequest) -> _Query:
    """The request's :class:`_Query`, parsed once per distinct path and query string (hot
    answers are asked again and again)."""
    key = (request.path, request.META.get("QUERY_STRING", ""))
    found = _QUERIES.get(key)
    if found is None:
        items = sorted((k, v) for k, values in request.GET.lists() for v in values)
        text = f"{request.path}?{urlencode(items)}" if items else request.path
        found = _Query(request.GET.get("f"), text)
        if len(_QUERIES) >= _MAX_QUERIES:
            _QUERIES.clear()
        _QUERIES[key] = found
    return found


@lru_cache(maxsize=256)
def _accepted(accept: str) -> formats.Format | None:
    return formats.from_accept(accept)


def negotiate(request: HttpRequest, allowed: tuple[formats.Format, ...],
              default: formats.Format) -> formats.Format:
    name = _query(request).f
    if name is not None and name.strip():
        fmt = formats.by_name(name)
        if fmt is None or fmt not in allowed:
            raise EdrError(400, _("f: unknown output format %(f)r; give one of %(names)s")
                           % {"f": name[:40], "names": ", ".join(f.name for f in allowed)}, "f")
        return fmt
    accepted = _accepted(request.META.get("HTTP_ACCEPT", ""))
    if accepted is formats.JSON and default is formats.COVERAGEJSON:
        return default
    return accepted if accepted in allowed else default


def cache_key(request: HttpRequest, fmt: formats.Format, regions) -> str:
    """The request normalised: path, its parameters sorted (``f`` apart: the format stands
    instead), format, language and region scope. Built from the raw query string (cheap:
    this runs on every cache hit)."""
    parts = sorted(p for p in request.META.get("QUERY_STRING", "").split("&")
                   if p and not p.startswith("f="))
    return (f"{request.path}?{'&'.join(parts)}|{fmt.name}|{get_language()}|"
            f"{','.join(regions) if regions is not None else '*'}")


def serve(request: HttpRequest, dataset: query.Dataset | None,
          produce: Callable[[Context], Result] | None, *, allowed: tuple[formats.Format, ...],
          default: formats.Format, max_age: int = DATA_MAX_AGE,
          cached_only: bool = False) -> HttpResponse | Answer | None:
    """The answer to ``request``; with ``cached_only`` (the fast path) only a 304 or a cached
    answer as an :class:`Answer` (or a refusal), else None (nothing charged, nothing read)."""
    access = _optional("access")
    try:
        try:
            fmt = negotiate(request, allowed, default)
        except EdrError:
            if cached_only:
                return None
            raise
        principal = access.identify(request) if access else None
        dataset_id = dataset.id if dataset else None
        regions = (access.regions_for(principal, dataset_id)
                   if access and dataset_id else None)

        admitted = []

        def admit(cost: float) -> None:
            if access and dataset_id:
                admitted.append(access.admit(principal, dataset_id, cost))

        key = cache_key(request, fmt, regions)
        version = cache.data_version.current()
        tag = cache.etag(key, version)
        # Data answers carry a provenance record naming their requester: no shared cache may
        # hand one requester's answer to another. Metadata is the same for everyone.
        scope = "private" if dataset_id else "public"
        headers = {"ETag": tag, "Vary": VARY, "Cache-Control": f"{scope}, max-age={max_age}"}
        if cache.matches(request.META.get("HTTP_IF_NONE_MATCH"), tag):
            admit(1.0)
            answer = Answer(304, headers)
            return answer if cached_only else answer.response()
        entry = cache.responses.get(key, version)
        if entry is not None:
            admit(entry.cost)
            answer = Answer(200, {**headers, "Content-Type": entry.content_type, **entry.headers},
                            entry.body)
            _stamp(request, answer.headers, entry.body, dataset_id, admitted, entry.sha256)
            return answer if cached_only else answer.response()
        if cached_only:
            return None
        result = produce(Context(request, dataset, fmt, regions, admit))
        if result.filename:
            headers["Content-Disposition"] = f'inline; filename="{result.filename}"'
        if isinstance(result.body, bytes | bytearray):
            body = bytes(result.body)
            sha256 = hashlib.sha256(body).hexdigest()
            if result.cacheable:
                extra = {k: v for k, v in headers.items() if k == "Content-Disposition"}
                cache.responses.put(key, cache.Entry(version, tag, body, result.content_type,
                                                     result.cost, extra, sha256=sha256))
            response = _with(HttpResponse(body, content_type=result.content_type), headers)
            _stamp(request, response, body, dataset_id, admitted, sha256)
            return response
        response = _with(StreamingHttpResponse(result.body, content_type=result.content_type),
                         headers)
        _stamp(request, response, None, dataset_id, admitted)
        return response
    except EdrError as exc:
        return error_response(exc)
    except Exception as exc:
        if access and isinstance(exc, access.AccessDenied):
            return exc.response()
        raise
    finally:
        journal.release()  # a charge not written with an access row goes out now


def query_text(request: HttpRequest) -> str:
    """The request as the provenance record names it: path and sorted parameters."""
    return _query(request).text


def _stamp(request: HttpRequest, response: HttpResponse | dict[str, str], body: bytes | None,
           dataset_id: str | None, admitted: list, sha256: str | None = None) -> None:
    """Give a data response (or an :class:`Answer`'s headers) its data id, sha256 and signed
    provenance record, and log it (:mod:`qixiang.dataservice.provenance`); a streamed body is
    signed when it ends."""
    provenance = _optional("provenance")
    if provenance is None or dataset_id is None or not admitted:
        return
    query_ = query_text(request)
    if body is None:
        provenance.stamp_stream(response, dataset=dataset_id, query=query_,
                                principal=admitted[-1])
    else:
        provenance.stamp(response, body, dataset=dataset_id, query=query_,
                         principal=admitted[-1], sha256=sha256)


def _with(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    for name, value in headers.items():
        response[name] = value
    return response


# --- data queries -------------------------------------------------------------------------------


def check_size(plan: query.Plan) -> None:
    """413 when ``plan`` may return more values than allowed, with a hint how to split it."""
    limit = settings.QIXIANG_EDR_MAX_VALUES
    if plan.cost <= limit:
        return
    n_stations, n_elements = len(plan.stations), len(plan.selection.elements)
    step = plan.selection.dataset.step
    per_step = n_stations * n_elements
    if per_step <= limit:
        hours = limit // per_step * step / 3600
        hint = _("ask for at most %(hours)g hours at a time (split datetime into shorter "
                 "ranges), or fewer parameters or a smaller area") % {"hours": hours}
    elif n_stations <= limit:
        hint = _("ask for at most %(n)d parameters at a time for this area, or a smaller "
                 "area") % {"n": max(1, limit // n_stations)}
    else:
        hint = _("ask for a smaller area (at most %(n)d stations per request)") % {"n": limit}
    raise EdrError(
        413,
        _("The request asks for up to %(cost)d values (%(stations)d stations x %(elements)d "
          "parameters x %(steps)d times); the limit is %(limit)d: %(hint)s.")
        % {"cost": plan.cost, "stations": n_stations, "elements": n_elements,
           "steps": plan.time_steps, "limit": limit, "hint": hint},
        code="PayloadTooLarge")


def plan_cost(plan: query.Plan) -> float:
    quotas = _optional("quotas")
    return quotas.plan_cost(plan) if quotas else float(plan.cost)


def data(ctx: Context, selection: query.Selection, *, single: bool,
         not_found: Callable[[query.Plan], None] | None = None) -> Result:
    """Plan, check, charge, read and write a data query."""
    plan = query.plan(selection)
    if not_found:
        not_found(plan)
    check_size(plan)
    cost = plan_cost(plan)
    ctx.admit(cost)
    columns = query.read(plan)
    return write(ctx, columns, single=single, cost=cost)


def write(ctx: Context, columns: query.Columns, *, single: bool, cost: float) -> Result:
    fmt = ctx.fmt
    dataset = ctx.dataset
    stem = dataset.id if dataset else "data"
    if fmt is formats.COVERAGEJSON:
        return Result(coveragejson.write(columns, single=single), fmt.media_type, cost)
    if fmt is formats.NETCDF:
        query_text = f"{ctx.request.path}?{ctx.request.META.get('QUERY_STRING', '')}"
        return Result(netcdf.write(columns, dataset, query_text), fmt.media_type, cost,
                      filename=f"{stem}.nc")
    if fmt in (formats.GEOJSON, formats.CSV):
        writer = geojson.write if fmt is formats.GEOJSON else csv.write
        chunks: Iterator[bytes] = writer(columns)
        filename = f"{stem}.{fmt.extension}"
        if len(columns) > STREAM_ABOVE:
            return Result(chunks, fmt.media_type, cost, filename=filename, cacheable=False)
        return Result(b"".join(chunks), fmt.media_type, cost, filename=filename)
    return Result(html_table(ctx, columns), fmt.media_type, cost)


def html_table(ctx: Context, columns: query.Columns) -> bytes:
    rows = []
    s = columns.stations
    for block in formats.station_blocks(columns):
        k = block.station
        for i, when in enumerate(formats.iso_times(block.times)):
            cells = [(formats.clean(block.values[i, j]), int(block.flags[i, j]))
                     for j in range(len(columns.elements))]
            rows.append({"station": s.ids[k], "name": s.names[k], "time": when, "cells": cells})
            if len(rows) >= HTML_ROWS:
                break
        if len(rows) >= HTML_ROWS:
            break
    return page(ctx.request, "data.html", {
        "dataset": ctx.dataset, "elements": columns.elements, "rows": rows,
        "truncated": len(rows) >= HTML_ROWS, "total": len(columns),
        "links": alternates(ctx.request)}).content


def alternates(request: HttpRequest) -> list[tuple[str, str]]:
    """The same request in each data format (for the HTML page's download links)."""
    params = request.GET.copy()
    out = []
    for fmt in formats.DATA_FORMATS:
        if fmt is formats.HTML:
            continue
        params["f"] = fmt.name
        out.append((fmt.name, f"{request.path}?{params.urlencode()}"))
    return out


def page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, f"dataservice/edr/{template}", context)
