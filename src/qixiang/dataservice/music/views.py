"""``GET /music-ws/api``: one MUSIC request, from signature to signed provenance.

1. Who: a signed request (``userId`` + ``timestamp`` + ``nonce`` + ``sign``) is checked by
   :mod:`.signing`; without a signature the caller is identified as anywhere else in the data
   service (an API key header, a session, or anonymous — anonymous reads public datasets only).
2. What: :mod:`.request` reads the interface and its parameters; the caller's regions (and
   ``adminCodes``) limit the stations.
3. Cost: weighted calls for the stations, elements and times asked for; the request is admitted
   (scope, rate, quota) before a value is read. More than :data:`MAX_VALUES` values is refused
   with a hint to split the request.
4. Answer: records, filtered, ordered and limited, rendered, then stamped with a data id, its
   sha256 and a signed provenance record (headers ``X-Qixiang-*``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from qixiang.dataservice import access, journal, provenance, query, quotas
from qixiang.dataservice.models import AccessLog
from qixiang.dataservice.music import errors, signing
from qixiang.dataservice.music import request as music_request
from qixiang.dataservice.music.render import Answer, render
from qixiang.dataservice.music.table import records, select

MAX_VALUES = 500_000  # stations x elements x time steps in one request


def _principal(request: HttpRequest, params: dict[str, str]) -> access.Principal:
    lower = music_request.lowercase(params)
    if "sign" in lower or "userid" in lower:
        credential = signing.verify(params)
        return access.principal_for_user(credential.api_key.user, via="music",
                                         ip=access.client_ip(request))
    return access.identify(request)


def _plans(q: music_request.MusicQuery,
           regions: tuple[str, ...] | None) -> tuple[list[query.Plan], list[int] | None, float]:
    """The reads that answer ``q``, the instants to keep (seconds) and the weighted cost."""
    dataset = q.dataset
    if q.instants is None:
        start, end = q.start, q.end
    else:
        start, end = q.instants[0], q.instants[-1]
    selection = query.Selection(dataset=dataset, elements=q.elements, station_ids=q.station_ids,
                                bbox=q.bbox, start=start, end=end, region_prefixes=regions)
    base = query.plan(selection)
    if q.instants is None:
        return [base], None, quotas.plan_cost(base)
    seconds = [int(t.timestamp()) for t in q.instants]
    cost = quotas.weighted_calls(len(base.stations), len(q.elements),
                                 len(seconds) * dataset.step)
    if base.time_steps <= 4 * len(seconds):  # close together: one read, then keep the instants
        return [base], seconds, cost
    plans = [query.Plan(dataclasses.replace(selection, start=t, end=t), base.stations, 1)
             for t in q.instants]
    return plans, seconds, cost


def _read(plans: list[query.Plan]) -> query.Columns:
    parts = [query.read(p) for p in plans]
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    joined = {name: np.concatenate([getattr(p, name) for p in parts])
              for name in ("station", "element", "time", "value", "qc_flag")}
    return query.Columns(first.stations, first.elements, **joined)


def _error_response(exc: errors.MusicError, answer: Answer, data_format: str) -> HttpResponse:
    answer.code, answer.message, answer.fields, answer.table = exc.code, exc.message, [], None
    body, content_type, headers = render(answer, data_format)
    response = HttpResponse(body, content_type=content_type, status=exc.status)
    for name, value in {**headers, **exc.headers}.items():
        response[name] = value
    return response


def _denied(exc: access.AccessDenied) -> errors.MusicError:
    code = {401: errors.NOT_AUTHENTICATED, 403: errors.FORBIDDEN,
            429: errors.OVER_LIMIT}.get(exc.status, errors.FORBIDDEN)
    return errors.MusicError(code, exc.message, exc.status, exc.headers)


def music_api(request: HttpRequest) -> HttpResponse:
    """Answer one MUSIC request (see the module docstring)."""
    try:
        return _answer(request)
    finally:
        journal.release()  # a charge not written with an access row goes out now


def _answer(request: HttpRequest) -> HttpResponse:
    answer = Answer()
    params = {key: request.GET.get(key, "") for key in request.GET}
    lower = music_request.lowercase(params)
    wanted = lower.get("dataformat", "json").strip().lower()
    data_format = {f.lower(): f for f in music_request.FORMATS}.get(wanted, "json")
    answer.echo = {k: v for k, v in lower.items() if k not in music_request.ENVELOPE}
    try:
        try:
            principal = _principal(request, params)
        except access.AccessDenied as exc:
            raise _denied(exc) from None
        q = music_request.parse(lower)
        regions = music_request.effective_regions(
            q.admin_prefixes, access.regions_for(principal, q.dataset.id))
        try:
            plans, instants, cost = _plans(q, regions)
        except query.SelectionError as exc:
            raise errors.bad_parameter(exc.parameter, str(exc)) from None
        values = sum(p.cost for p in plans)
        if values > MAX_VALUES:
            raise errors.MusicError(errors.TOO_LARGE, _(
                "The request covers %(n)d values (stations x elements x times), more than "
                "%(max)d: split it by time or by stations.") % {"n": values, "max": MAX_VALUES},
                413)
        try:
            principal = access.admit(principal, q.dataset.id, cost)
        except access.AccessDenied as exc:
            raise _denied(exc) from None
    except errors.MusicError as exc:
        return _error_response(exc, answer, data_format)
    answer.fields = q.fields
    answer.table = select(records(_read(plans), instants), q)
    body, content_type, headers = render(answer, q.data_format)
    response = HttpResponse(body, content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    response["Cache-Control"] = "private, no-store"
    provenance.stamp(response, body, dataset=q.dataset.id,
                     query={"interfaceId": q.interface, **q.echo}, principal=principal,
                     api=AccessLog.Api.MUSIC)
    return response
