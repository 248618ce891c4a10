"""JSON API routes of the observations app."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from qixiang.observations import series as series_service
from qixiang.observations.export import check_names

router = Router(tags=["observations"])


class SeriesQuery(Schema):
    station: str
    elements: str = "TEM"
    start: datetime | None = None
    end: datetime | None = None


class FlaggedOut(Schema):
    time: str
    checks: list[str]
    reason: str


class ElementSeriesOut(Schema):
    unit: str
    labels: dict[str, str]
    points: list[tuple[str, float | None, int]]
    flagged: list[FlaggedOut]


class SeriesOut(Schema):
    station: str
    start: str
    end: str
    elements: dict[str, ElementSeriesOut]
    fields: list[str]
    rows: list[list]


@router.get("/series", response=SeriesOut, url_name="observation_series",
            summary="Time series of one station's values")
def series(request, q: Query[SeriesQuery]):
    """Values of ``elements`` (CMA codes, comma-separated) at ``station`` (CMA id, WMO index or
    WIGOS id) between ``start`` and ``end`` (RFC 3339; default the last 24 h, at most 31 days).
    Each element gives its canonical unit, Chinese and English labels and ``[time, value,
    qc_flag]`` points, times in UTC; ``qc_flag`` is the CMA code (0 correct, 1 suspect, 2 wrong,
    3 corrected, 4 modified, 8 missing, 9 not checked) and ``flagged`` lists the checks that
    fired and why for each value a QC check flagged.

    The same values come as a table too, 天擎 style: ``fields`` = ``time`` then each element
    followed by ``Q_<element>`` (its QC code), and ``rows`` one per time, ``null`` where the
    station has no value of that element at that time."""
    try:
        codes = series_service.parse_elements(q.elements)
        start, end = series_service.period(q.start, q.end)
        station_id = series_service.resolve_station(q.station)
    except series_service.SeriesRequestError as exc:
        raise HttpError(400, str(exc)) from None
    if not series_service.station_known(station_id):
        raise HttpError(404, f"station: {q.station!r} is not registered and has no observations")
    data = series_service.station_series(station_id, codes, start, end)
    rfc = series_service.rfc3339
    return {
        "station": station_id,
        "start": rfc(start),
        "end": rfc(end),
        "elements": {
            code: {
                "unit": s.unit,
                "labels": {"zh-hans": s.label_zh, "en": s.label_en},
                "points": [(rfc(t), v, f) for t, v, f in s.points],
                "flagged": [{"time": rfc(t), "checks": check_names(mask), "reason": reason}
                            for t, mask, reason in s.flagged],
            }
            for code, s in data.items()
        },
        **_table(data),
    }


def _table(data: dict[str, series_service.ElementSeries]) -> dict:
    """``fields`` (time, then each element beside its ``Q_`` code) and one row per time."""
    fields = ["time"]
    for code in data:
        fields += [code, f"Q_{code}"]
    by_time: dict = {}
    for position, s in enumerate(data.values()):
        for moment, value, flag in s.points:
            row = by_time.setdefault(moment, [None] * (2 * len(data)))
            row[2 * position], row[2 * position + 1] = value, flag
    rfc = series_service.rfc3339
    return {"fields": fields, "rows": [[rfc(t), *row] for t, row in sorted(by_time.items())]}
