"""Hourly summaries of the observations table, from which every quality indicator is summed.

For one hour (UTC) two nested aggregates run over the ``time`` index of the observations table:
per report (station and time) how many values it carried, how many are usable (present and not
flagged wrong), checked (flag other than 9), missing, suspect, wrong, and when its first value
arrived; then per station how many reports arrived, how many on its schedule, their usable
share, and how many arrived within 1 and 5 minutes of the observation time. The result replaces
the hour's :class:`~qixiang.quality.models.HourSummary` rows.

An hour is summarised once and again only when it became stale: each stored batch and each
review marks the hours it touched (:func:`mark_stale`), and a stale hour is recomputed when an
indicator asks for it, at most once every :data:`REFRESH_SECONDS`. A request summarises at most
:data:`REQUEST_HOURS` due hours itself; ``qixiang run`` keeps the rest current in the background
(:mod:`.refresher`), and ``qixiang quality refresh`` does it from cron. Only hours in which the
network reported count (``SummaryHour.observed``): an archive day ingested years later does not
make the years between them silence. In those hours every active registered station is expected,
on its schedule (:class:`~qixiang.quality.models.StationSchedule`): a station with at least
:data:`MINUTE_REPORTS` reports in an hour is learned to be a minute station.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from qixiang.observations import bulk
from qixiang.observations.models import Observation
from qixiang.observations.signals import observations_stored
from qixiang.quality.models import Cadence, HourSummary, StationSchedule, SummaryHour
from qixiang.stations.models import Station

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
REFRESH_SECONDS = 60.0  # a stale hour is recomputed at most this often
REQUEST_HOURS = 6  # hours a page or API request summarises itself; the refresher does the rest
MINUTE_REPORTS = 12  # reports in one hour (every 5 minutes or more often) make a minute station


def floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _delay(column: str) -> str:
    """Seconds from the observation time to ``column``, in this database's SQL."""
    if connection.vendor == "postgresql":
        return f'EXTRACT(EPOCH FROM ({column} - "time"))'
    return f'(julianday({column}) - julianday("time")) * 86400.0'


def _aggregate_sql() -> str:
    return f"""
SELECT station_id,
       COUNT(*) AS arrived,
       SUM(CASE WHEN "time" = %s THEN 1 ELSE 0 END) AS arrived_top,
       SUM(good * 1.0 / n) AS usable_all,
       SUM(CASE WHEN "time" = %s THEN good * 1.0 / n ELSE 0 END) AS usable_top,
       SUM(n), SUM(checked), SUM(missing), SUM(suspect), SUM(wrong),
       SUM(CASE WHEN {_delay("first_received")} <= 60 THEN 1 ELSE 0 END),
       SUM(CASE WHEN {_delay("first_received")} <= 300 THEN 1 ELSE 0 END)
FROM (
    SELECT station_id, "time", COUNT(*) AS n,
           SUM(CASE WHEN value IS NOT NULL AND qc_flag <> 2 THEN 1 ELSE 0 END) AS good,
           SUM(CASE WHEN qc_flag <> 9 THEN 1 ELSE 0 END) AS checked,
           SUM(CASE WHEN value IS NULL THEN 1 ELSE 0 END) AS missing,
           SUM(CASE WHEN qc_flag = 1 THEN 1 ELSE 0 END) AS suspect,
           SUM(CASE WHEN qc_flag = 2 THEN 1 ELSE 0 END) AS wrong,
           MIN(received_at) AS first_received
    FROM observations_observation
    WHERE "time" >= %s AND "time" < %s
    GROUP BY station_id, "time"
) reports
GROUP BY station_id
"""


@dataclass(slots=True)
class _Counts:
    arrived: int
    arrived_top: int
    usable_all: float
    usable_top: float
    values: int
    checked: int
    missing: int
    suspect: int
    wrong: int
    within_1min: int
    within_5min: int


def _count(hour: datetime) -> dict[str, _Counts]:
    adapt = bulk.time_adapter(connection)
    top = adapt(hour)
    with connection.cursor() as cursor:
        cursor.execute(_aggregate_sql(), [top, top, top, adapt(hour + HOUR)])
        return {row[0]: _Counts(*(int(v or 0) if k not in (2, 3) else float(v or 0.0)
                                  for k, v in enumerate(row[1:])))
                for row in cursor.fetchall()}


def compute_hour(hour: datetime) -> int:
    """Summarise ``hour`` (its start, UTC) from the observations table; returns station rows."""
    hour = floor_hour(hour)
    now = timezone.now()
    observed = Observation.objects.filter(time__gte=hour, time__lt=hour + HOUR).exists()
    counts = _count(hour) if observed else {}
    stations = {s.cma_id: s for s in Station.objects.only(
        "cma_id", "division_code", "province", "active")}
    schedules = _schedules(counts)
    expected_ids = set(counts) | ({cma_id for cma_id, s in stations.items() if s.active}
                                  if observed else set())
    rows = []
    for station_id in sorted(expected_ids):
        c = counts.get(station_id)
        cadence = schedules.get(station_id, Cadence.HOURLY)
        expected = _expected(hour, cadence, now)
        if c is None:
            c = _Counts(0, 0, 0.0, 0.0, 0, 0, 0, 0, 0, 0, 0)
        usable = c.usable_all if cadence == Cadence.MINUTE else c.usable_top
        registered = stations.get(station_id)
        rows.append(HourSummary(
            station_id=station_id, hour=hour,
            division_code=registered.division_code if registered else "",
            province=registered.province if registered else "",
            cadence=cadence, expected=expected, arrived=c.arrived,
            usable=min(float(usable), float(expected)), values=c.values, checked=c.checked,
            missing=c.missing, suspect=c.suspect, wrong=c.wrong, within_1min=c.within_1min,
            within_5min=c.within_5min))
    with transaction.atomic():
        HourSummary.objects.filter(hour=hour).delete()
        HourSummary.objects.bulk_create(rows, batch_size=1000)
        SummaryHour.objects.update_or_create(
            hour=hour, defaults={"observed": observed, "stale": False, "computed_at": now})
    return len(rows)


def _expected(hour: datetime, cadence: int, now: datetime) -> int:
    """Reports due in ``hour`` by ``now``: the whole hour once it is over; in the current hour
    the minutes already past (at least one report)."""
    seconds = min(HOUR, max(now - hour, timedelta(0))).total_seconds()
    return max(1, int(seconds // cadence)) if cadence == Cadence.MINUTE else 1


def _schedules(counts: dict[str, _Counts]) -> dict[str, int]:
    """Every known station's cadence, learning it for stations seen in ``counts``."""
    known = dict(StationSchedule.objects.values_list("station_id", "cadence"))
    learned = set(StationSchedule.objects.filter(learned=True).values_list("station_id",
                                                                           flat=True))
    new, upgraded = [], []
    for station_id, c in counts.items():
        minute = c.arrived >= MINUTE_REPORTS
        if station_id not in known:
            known[station_id] = Cadence.MINUTE if minute else Cadence.HOURLY
            new.append(StationSchedule(station_id=station_id, cadence=known[station_id]))
        elif minute and known[station_id] != Cadence.MINUTE and station_id in learned:
            known[station_id] = Cadence.MINUTE
            upgraded.append(station_id)
    if new:
        StationSchedule.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    if upgraded:
        StationSchedule.objects.filter(station_id__in=upgraded).update(
            cadence=Cadence.MINUTE, updated_at=timezone.now())
    return known


def hours_between(start: datetime, end: datetime) -> list[datetime]:
    """Hour starts of ``[start, end)``, UTC."""
    first, out = floor_hour(start), []
    while first < end:
        out.append(first)
        first += HOUR
    return out


def due(start: datetime, end: datetime) -> list[datetime]:
    """The hours of ``[start, end)`` up to now that are new or stale, newest first.

    A stale hour (or one summarised before it ended) summarised less than
    :data:`REFRESH_SECONDS` ago is not due yet.
    """
    now = timezone.now()
    wanted = hours_between(start, min(end, now))
    if not wanted:
        return []
    done = {row["hour"]: row for row in SummaryHour.objects.filter(
        hour__gte=wanted[0], hour__lte=wanted[-1]).values("hour", "stale", "computed_at")}
    recent = now - timedelta(seconds=REFRESH_SECONDS)
    return [h for h in reversed(wanted) if h not in done
            or (done[h]["stale"] and done[h]["computed_at"] < recent)
            or (h + HOUR > done[h]["computed_at"] and done[h]["computed_at"] < recent)]


def refresh(start: datetime, end: datetime, limit: int | None = None, stop=None) -> int:
    """Summarise the due hours of ``[start, end)``, newest first, at most ``limit`` of them
    (and until ``stop``, a threading.Event, is set); returns how many were summarised."""
    todo = due(start, end)[:limit] if limit is not None else due(start, end)
    count = 0
    for hour in todo:
        if stop is not None and stop.is_set():
            break
        compute_hour(hour)
        count += 1
    return count


def mark_stale(times: Iterable[datetime]) -> None:
    """Mark the summarised hours holding ``times`` stale (their counts changed)."""
    hours = sorted({floor_hour(t) for t in times})
    if hours:
        SummaryHour.objects.filter(hour__in=hours).update(stale=True)


@receiver(observations_stored, dispatch_uid="qixiang.quality.summary.stored")
def _stored(sender, *, times: tuple[datetime, datetime], **kwargs) -> None:
    SummaryHour.objects.filter(hour__gte=floor_hour(times[0]),
                               hour__lte=floor_hour(times[1])).update(stale=True)
