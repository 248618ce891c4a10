"""What the QC stage reads from the observations table: earlier values and the network's.

Every read goes through an index: earlier values of a batch's stations by the unique key
``(station_id, element, time)`` at the few sampled times the temporal checks need, and the
network at one time by the ``time`` index. A value comes with whether QC judged it an outlier
(flag 2, or flagged by one of the outlier checks), which the stage leaves out of comparisons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

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
                   outlier_bits: int) -> dict[tuple[str, datetime], float]:
    """``(station, time) -> value`` (NaN for an outlier) of ``element`` at exactly ``times``."""
    found: dict[tuple[str, datetime], float] = {}
    if not station_ids or not times:
        return found
    for stations in _chunks(list(station_ids)):
        for when in _chunks(sorted(set(times))):
            rows = (Observation.objects
                    .filter(station_id__in=stations, element=element, time__in=when)
                    .values_list("station_id", "time", "value", "qc_flag", "qc_checks"))
            for station, moment, value, flag, checks in rows.iterator(chunk_size=5000):
                found[(station, moment)] = _usable(value, flag, checks, outlier_bits)
    return found


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
