"""The newest value of one element at every station, and which stations reported lately.

Both are index reads on tables of millions of rows: the newest value is one backward seek per
station on the ``(station_id, element, time)`` key; "reported since" walks the raw archive's
``received_at`` index and reads observations by their message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from qixiang.ingest.models import RawMessage
from qixiang.observations.models import Observation
from qixiang.stations.models import Station


@dataclass(slots=True)
class StationLatest:
    station: Station
    value: float | None
    qc_flag: int | None
    time: datetime | None
    reporting: bool


def reported_since(since: datetime) -> set[str]:
    """Station ids with observations received at or after ``since``.

    Written as ``message_id IN (messages received since)`` so the planner walks the archive's
    ``received_at`` index and then observations by message; a join with DISTINCT lets SQLite
    scan the whole observations key instead (seconds on millions of rows, bench/dashboard.py).
    """
    recent = RawMessage.objects.filter(received_at__gte=since).values("id")
    return set(
        Observation.objects.filter(message_id__in=recent)
        .values_list("station_id", flat=True)
        .distinct()
    )


def latest_values(stations: QuerySet[Station], element: str,
                  reporting_since: datetime) -> list[StationLatest]:
    """Each station with its newest ``element`` value and whether it reported since then."""
    newest = (
        Observation.objects.filter(station_id=OuterRef("cma_id"), element=element)
        .order_by("-time")
        .values("pk")[:1]
    )
    rows = list(stations.annotate(latest_pk=Subquery(newest)))
    found = Observation.objects.in_bulk([s.latest_pk for s in rows if s.latest_pk is not None])
    reporting = reported_since(reporting_since)
    result = []
    for station in rows:
        obs = found.get(station.latest_pk)
        result.append(StationLatest(
            station=station,
            value=obs.value if obs else None,
            qc_flag=obs.qc_flag if obs else None,
            time=obs.time if obs else None,
            reporting=station.cma_id in reporting,
        ))
    return result
