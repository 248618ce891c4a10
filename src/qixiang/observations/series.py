"""Time series of one station's stored values, for charts and the series API.

One query per request on the ``(station_id, element, time)`` key, so a month of minute data for a
handful of elements is read by index alone. Values come with their CMA QC flag so a chart can
mark suspect and wrong points instead of hiding them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from qixiang.observations.models import Observation
from qixiang.science import elements as vocabulary
from qixiang.stations.models import Station
from qixiang.stations.resolver import resolve

MAX_PERIOD = timedelta(days=31)  # a month of minute data is ~45,000 points per element


class SeriesRequestError(ValueError):
    """A series request that cannot be answered; the message names the parameter."""


@dataclass(slots=True)
class ElementSeries:
    code: str
    unit: str
    label_zh: str
    label_en: str
    points: list[tuple[datetime, float | None, int]] = field(default_factory=list)
    # (time, check bit mask, reasons) of the values some QC check flagged
    flagged: list[tuple[datetime, int, str]] = field(default_factory=list)


def rfc3339(moment: datetime) -> str:
    """``moment`` in UTC as RFC 3339 with a ``Z`` (``2026-11-21T06:00:00Z``)."""
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def parse_elements(text: str) -> list[str]:
    """Element codes from ``"TEM,DPT"``, each checked against the vocabulary."""
    codes = [c.strip() for c in (text or "").split(",") if c.strip()]
    if not codes:
        raise SeriesRequestError("elements: give at least one CMA element code, e.g. TEM,DPT")
    for code in codes:
        if code not in vocabulary.BY_CODE:
            raise SeriesRequestError(f"elements: unknown element code {code!r}")
    return list(dict.fromkeys(codes))


def resolve_station(identifier: str) -> str:
    """The registry's CMA id for a CMA id, WMO index or WIGOS id; otherwise the identifier (the
    same resolution the ingest stores values under)."""
    identifier = (identifier or "").strip()
    if not identifier:
        raise SeriesRequestError("station: give a CMA station id, WMO index or WIGOS id")
    return resolve(identifier)


def period(start: datetime | None, end: datetime | None,
           default: timedelta = timedelta(hours=24)) -> tuple[datetime, datetime]:
    """The ``[start, end]`` window: defaults to the last 24 h; rejects naive or reversed times."""
    for name, moment in (("start", start), ("end", end)):
        if moment is not None and moment.tzinfo is None:
            raise SeriesRequestError(f"{name}: give an RFC 3339 time with an offset, e.g. "
                                     "2026-11-21T06:00:00Z")
    end = end or datetime.now(UTC)
    start = start or end - default
    if start >= end:
        raise SeriesRequestError(f"start ({rfc3339(start)}) must be before end ({rfc3339(end)})")
    if end - start > MAX_PERIOD:
        raise SeriesRequestError(f"period: at most {MAX_PERIOD.days} days per request")
    return start, end


def station_series(station_id: str, codes: list[str], start: datetime,
                   end: datetime) -> dict[str, ElementSeries]:
    """Each element's points ``(time, value, qc_flag)`` in ``[start, end]``, oldest first, and
    the checks and reasons of the flagged ones."""
    result: dict[str, ElementSeries] = {}
    for code in codes:
        element = vocabulary.get(code)
        result[code] = ElementSeries(code, element.unit, element.label_zh, element.label_en)
    rows = (
        Observation.objects.filter(station_id=station_id, element__in=codes,
                                   time__gte=start, time__lte=end)
        .order_by("element", "time")
        .values_list("element", "time", "value", "qc_flag", "qc_checks", "qc_reason")
    )
    for code, moment, value, flag, checks, reason in rows.iterator(chunk_size=5000):
        result[code].points.append((moment, value, flag))
        if checks or reason:
            result[code].flagged.append((moment, checks or 0, reason or ""))
    return result


def station_known(station_id: str) -> bool:
    """True when the station is registered or has any stored value."""
    return (Station.objects.filter(cma_id=station_id).exists()
            or Observation.objects.filter(station_id=station_id).exists())
