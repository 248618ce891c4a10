"""The quality indicators of the plan, per station, province and network over any period.

Definitions (after the CMA's evaluation of surface observation data: 可用率 = (应观测数 − 缺测数
− 错误数) / 应观测数, counted per scheduled observation):

**availability 可用率**
    usable reports / expected reports. A station is expected to report on its schedule
    (:class:`~qixiang.quality.models.StationSchedule`): once an hour (the hourly dataset, the
    report at hh:00) or once a minute (minute stations), in every hour in which the network
    reported. A report that arrived counts by the share of its values that are present and not
    flagged wrong (2), so a report with one wrong value of eight counts 7/8; a report that never
    arrived counts 0.
**QC coverage 质控覆盖率**
    stored values with a flag other than 9 (not checked) / stored values.
**timeliness 及时率**
    reports whose first value arrived within 1 (5) minutes of the observation time / reports
    arrived (``received_at - time``).

Every figure is summed from the hourly summaries (:mod:`.summary`, refreshed first for the
period asked, at most :data:`~qixiang.quality.summary.REQUEST_HOURS` per request; the background
refresher does the rest), so a period is a whole number of hours (UTC; a Beijing day is 16:00Z to
16:00Z). :func:`pending` says how many hours of a period are not summarised yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from qixiang.accounts.scoping import region_prefix_of
from qixiang.quality import summary
from qixiang.quality.models import HourSummary
from qixiang.stations.models import Station

BEIJING = ZoneInfo("Asia/Shanghai")
LEVELS = ("station", "province", "network")
MAX_PERIOD = timedelta(days=366)
SUMS = ("expected", "arrived", "usable", "values", "checked", "missing", "suspect", "wrong",
        "within_1min", "within_5min")


class IndicatorRequestError(ValueError):
    """A request that cannot be answered; the message names the parameter."""


@dataclass(slots=True)
class Indicator:
    """The indicators of one station, province or the network over a period."""

    key: str
    name: str = ""
    province: str = ""
    lat: float | None = None
    lon: float | None = None
    counts: dict[str, float] = field(default_factory=dict)

    def _share(self, part: str, whole: str) -> float | None:
        total = self.counts.get(whole, 0)
        return round(self.counts.get(part, 0) / total, 6) if total else None

    @property
    def availability(self) -> float | None:
        return self._share("usable", "expected")

    @property
    def qc_coverage(self) -> float | None:
        return self._share("checked", "values")

    @property
    def within_1min(self) -> float | None:
        return self._share("within_1min", "arrived")

    @property
    def within_5min(self) -> float | None:
        return self._share("within_5min", "arrived")

    def as_dict(self) -> dict:
        return {"key": self.key, "name": self.name, "province": self.province,
                "lat": self.lat, "lon": self.lon, "availability": self.availability,
                "qc_coverage": self.qc_coverage, "within_1min": self.within_1min,
                "within_5min": self.within_5min,
                **{k: (round(v, 3) if k == "usable" else int(v)) for k, v in self.counts.items()}}


def beijing_day(day: date) -> tuple[datetime, datetime]:
    """``[start, end)`` in UTC of Beijing calendar day ``day``."""
    start = datetime.combine(day, time(0), BEIJING).astimezone(UTC)
    return start, start + timedelta(days=1)


def period(start: datetime | None, end: datetime | None,
           default: timedelta = timedelta(hours=24)) -> tuple[datetime, datetime]:
    """``[start, end)`` on whole hours: default the last 24 hours; naive or reversed refused."""
    for name, moment in (("start", start), ("end", end)):
        if moment is not None and moment.utcoffset() is None:
            raise IndicatorRequestError(_("%(name)s: give an RFC 3339 time with an offset, e.g. "
                                          "2026-11-21T06:00:00Z") % {"name": name})
    now = datetime.now(UTC)
    end = summary.floor_hour(end) if end else summary.floor_hour(now) + summary.HOUR
    start = summary.floor_hour(start) if start else end - default
    if start >= end:
        raise IndicatorRequestError(_("start must be at least one hour before end"))
    if end - start > MAX_PERIOD:
        raise IndicatorRequestError(_("period: at most %(days)d days per request")
                                    % {"days": MAX_PERIOD.days})
    return start, end


def _rows(start: datetime, end: datetime, user=None, limit: int | None = summary.REQUEST_HOURS):
    summary.refresh(start, end, limit=limit)
    rows = HourSummary.objects.filter(hour__gte=start, hour__lt=end)
    prefix = region_prefix_of(user)
    if prefix:
        rows = rows.filter(division_code__startswith=prefix)
    return rows


def pending(start: datetime, end: datetime) -> int:
    """Hours of ``[start, end)`` whose summary is missing or stale (shown on the page)."""
    return len(summary.due(start, end))


def _sums():
    return {name: Sum(name) for name in SUMS}


def _counts(row: dict) -> dict[str, float]:
    return {name: (row[name] or 0) for name in SUMS}


def indicators(level: str, start: datetime, end: datetime, user=None,
               refresh_limit: int | None = summary.REQUEST_HOURS) -> list[Indicator]:
    """Indicators of every station or province ``user`` may see, or of the network.

    At most ``refresh_limit`` due hours are summarised first (None: all of them).
    """
    if level not in LEVELS:
        raise IndicatorRequestError(_("level: use one of %(levels)s") % {"levels": ", ".join(LEVELS)})
    rows = _rows(start, end, user, refresh_limit)
    if level == "network":
        return [Indicator("network", _("the network"), counts=_counts(rows.aggregate(**_sums())))]
    if level == "province":
        grouped = (rows.annotate(code=Substr("division_code", 1, 2)).values("code")
                   .annotate(**_sums()).order_by("code"))
        names = dict(rows.exclude(province="").annotate(code=Substr("division_code", 1, 2))
                     .values_list("code", "province").distinct())
        return [Indicator(r["code"] or "", names.get(r["code"], "") or _("unknown province"),
                          counts=_counts(r)) for r in grouped]
    grouped = rows.values("station_id").annotate(**_sums()).order_by("station_id")
    info = {s.cma_id: s for s in Station.objects.filter(
        cma_id__in=[r["station_id"] for r in grouped]).only(
        "cma_id", "name", "province", "latitude", "longitude")}
    out = []
    for r in grouped:
        station = info.get(r["station_id"])
        out.append(Indicator(
            r["station_id"], station.name if station else "", station.province if station else "",
            station.latitude if station else None, station.longitude if station else None,
            counts=_counts(r)))
    return out


def trend(start: datetime, end: datetime, user=None, step: str = "auto") -> list[Indicator]:
    """The network's indicators per hour, or per Beijing day for periods over three days."""
    rows = _rows(start, end, user)
    hourly = step == "hour" or (step == "auto" and end - start <= timedelta(days=3))
    per_hour = rows.values("hour").annotate(**_sums()).order_by("hour")
    out: dict[str, Indicator] = {}
    for r in per_hour:
        moment = r["hour"].astimezone(UTC)
        key = (moment.strftime("%Y-%m-%dT%H:00:00Z") if hourly
               else moment.astimezone(BEIJING).date().isoformat())
        bucket = out.setdefault(key, Indicator(key, counts=dict.fromkeys(SUMS, 0)))
        for name in SUMS:
            bucket.counts[name] += r[name] or 0
    return list(out.values())


def worst(start: datetime, end: datetime, user=None, limit: int = 20) -> list[Indicator]:
    """The stations with the lowest availability (then the most wrong values)."""
    stations = [s for s in indicators("station", start, end, user) if s.availability is not None]
    stations.sort(key=lambda s: (s.availability, -s.counts.get("wrong", 0), s.key))
    return stations[:limit]


