"""What the QC stage reads from the observations table: earlier values and the network's.

Every read goes through an index: earlier values of a batch's stations by the unique key
``(station_id, element, time)`` at the few sampled times the temporal checks need, and the
network at one time by the ``time`` index. A value comes with whether QC judged it an outlier
(flag 2, or flagged by one of the outlier checks), which the stage leaves out of comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from django.db import connection

from qixiang.observations import bulk
from qixiang.observations.models import Observation

CHUNK = 400  # identifiers per IN list


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _usable(value: float | None, flag: int, checks: int | None, outlier_bits: int) -> float:
    if value is None or flag == 2 or (checks or 0) & outlier_bits:
        return float("nan")
    return float(value)


def earlier_values(element: str, station_ids: Sequence[str], times: Sequence[datetime],
                   outlier_bits: int) -> list[tuple[str, datetime, float]]:
    """``(station, time, value)`` of ``element`` at exactly ``times`` (NaN for an outlier).

    Raw SQL on the unique key: this runs for every batch, and the ORM's row objects cost more
    than the index probes.
    """
    found: list[tuple[str, datetime, float]] = []
    if not station_ids or not times:
        return found
    adapt = bulk.time_adapter(connection)
    back = {adapt(t): t for t in set(times)}
    # SQLite: the stored text itself (no conversion to datetime per row), as the keys are
    time_column = '"time"' if connection.vendor == "postgresql" else "(\"time\" || '')"
    for stations in _chunks(list(station_ids)):
        for when in _chunks(list(back)):
            sql = (f"SELECT station_id, {time_column}, value, qc_flag, qc_checks "
                   f"FROM observations_observation WHERE element = %s "
                   f"AND station_id IN ({', '.join(['%s'] * len(stations))}) "
                   f"AND \"time\" IN ({', '.join(['%s'] * len(when))})")
            with connection.cursor() as cursor:
                cursor.execute(sql, [element, *stations, *when])
                for station, moment, value, flag, checks in cursor.fetchall():
                    key = back.get(moment)
                    if key is None:  # a database returning another form of the same time
                        key = back.get(adapt(_aware(moment)))
                    if key is not None:
                        found.append((station, key, _usable(value, flag, checks, outlier_bits)))
    return found


def _aware(moment: datetime | str) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def network_at(elements: Iterable[str], when: datetime,
               outlier_bits: int) -> dict[str, dict[str, float]]:
    """``element -> {station: value}`` of every station's usable value at time ``when``."""
    codes = list(elements)
    out: dict[str, dict[str, float]] = {code: {} for code in codes}
    if not codes:
        return out
    rows = (Observation.objects.filter(time=when, element__in=codes)
            .values_list("element", "station_id", "value", "qc_flag", "qc_checks"))
    for element, station, value, flag, checks in rows.iterator(chunk_size=5000):
        usable = _usable(value, flag, checks, outlier_bits)
        if usable == usable:  # not NaN
            out[element][station] = usable
    return out
