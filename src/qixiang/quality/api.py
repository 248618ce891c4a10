"""JSON API of the quality app: indicators, their trend, and review decisions."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from qixiang.accounts.auth import key_or_session
from qixiang.observations.models import Observation
from qixiang.observations.series import rfc3339
from qixiang.quality import indicators as service
from qixiang.quality import review
from qixiang.stations.resolver import resolve

router = Router(tags=["quality"])


class PeriodQuery(Schema):
    start: datetime | None = None
    end: datetime | None = None


class IndicatorQuery(PeriodQuery):
    level: str = "network"


class IndicatorOut(Schema):
    key: str
    name: str
    province: str
    lat: float | None
    lon: float | None
    availability: float | None
    qc_coverage: float | None
    within_1min: float | None
    within_5min: float | None
    expected: int
    arrived: int
    usable: float
    values: int
    checked: int
    missing: int
    suspect: int
    wrong: int
    within_1min_count: int
    within_5min_count: int


class IndicatorsOut(Schema):
    level: str
    start: str
    end: str
    rows: list[IndicatorOut]


def _out(item: service.Indicator) -> dict:
    data = item.as_dict()
    data["within_1min_count"] = int(item.counts.get("within_1min", 0))
    data["within_5min_count"] = int(item.counts.get("within_5min", 0))
    data["within_1min"], data["within_5min"] = item.within_1min, item.within_5min
    return data


def _period(q: PeriodQuery) -> tuple[datetime, datetime]:
    try:
        return service.period(q.start, q.end)
    except service.IndicatorRequestError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/indicators", response=IndicatorsOut, url_name="quality_indicators",
            summary="Availability, QC coverage and timeliness")
def indicators(request, q: Query[IndicatorQuery]):
    """Quality indicators of every ``station`` or ``province`` the caller may see, or of the
    ``network``, over ``[start, end)`` (RFC 3339, whole hours; default the last 24 hours, at most
    366 days). ``availability`` = usable reports / expected reports (schedule: hourly, or every
    minute for minute stations; a report counts by its share of values present and not wrong);
    ``qc_coverage`` = values with a QC flag other than 9 / values stored; ``within_1min`` and
    ``within_5min`` = reports arrived within 1 and 5 minutes of their time / reports arrived.
    Shares are fractions, null when there is nothing to divide by."""
    start, end = _period(q)
    try:
        items = service.indicators(q.level, start, end, request.user)
    except service.IndicatorRequestError as exc:
        raise HttpError(400, str(exc)) from None
    return {"level": q.level, "start": rfc3339(start), "end": rfc3339(end),
            "rows": [_out(i) for i in items]}


class TrendQuery(PeriodQuery):
    step: str = "auto"


@router.get("/trend", response=IndicatorsOut, url_name="quality_trend",
            summary="The network's indicators per hour or per Beijing day")
def trend(request, q: Query[TrendQuery]):
    """The network's indicators (of the stations the caller may see) per hour (``step=hour``)
    or per Beijing day (``step=day``); ``auto`` gives hours up to three days, else days. Each
    row's ``key`` is the hour (RFC 3339) or the date."""
    if q.step not in ("auto", "hour", "day"):
        raise HttpError(400, "step: use auto, hour or day")
    start, end = _period(q)
    return {"level": "network", "start": rfc3339(start), "end": rfc3339(end),
            "rows": [_out(i) for i in service.trend(start, end, request.user, q.step)]}


class DecisionIn(Schema):
    station: str
    element: str
    time: datetime
    flag: int
    reason: str
    value: float | None = None


class DecisionOut(Schema):
    id: int
    station: str
    element: str
    time: str
    old_flag: int
    new_flag: int
    old_value: float | None
    new_value: float | None
    reviewer: str
    reviewed_at: str


@router.post("/reviews", response=DecisionOut, auth=key_or_session, url_name="quality_review",
             summary="Confirm or override a value's QC flag")
def decide(request, body: DecisionIn):
    """Set the CMA flag of one stored value (0 correct, 1 suspect, 2 wrong, 3 corrected with
    ``value``, 4 modified, optionally with ``value``) with a ``reason``; logged with the reviewer.
    Operators and administrators only, on stations of their region."""
    user = getattr(request, "auth", None) or request.user
    try:
        observation = Observation.objects.get(station_id=resolve(body.station),
                                              element=body.element, time=body.time)
    except Observation.DoesNotExist:
        raise HttpError(404, "no stored value of that station, element and time") from None
    try:
        done = review.decide(user, observation, body.flag, body.reason, body.value)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except ValidationError as exc:
        raise HttpError(400, " ".join(exc.messages)) from None
    return {"id": done.pk, "station": done.station_id, "element": done.element,
            "time": rfc3339(done.time), "old_flag": done.old_flag, "new_flag": done.new_flag,
            "old_value": done.old_value, "new_value": done.new_value,
            "reviewer": done.reviewer_name, "reviewed_at": rfc3339(done.reviewed_at)}
