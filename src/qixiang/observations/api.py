"""JSON API routes of the observations app."""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema
from ninja.errors import HttpError

from qixiang.observations import series as series_service

router = Router(tags=["observations"])


class SeriesQuery(Schema):
    station: str
    elements: str = "TEM"
    start: datetime | None = None
    end: datetime | None = None


class ElementSeriesOut(Schema):
    unit: str
    labels: dict[str, str]
    points: list[tuple[str, float | None, int]]


class SeriesOut(Schema):
    station: str
    start: str
    end: str
    elements: dict[str, ElementSeriesOut]


@router.get("/series", response=SeriesOut, url_name="observation_series",
            summary="Time series of one station's values")
def series(request, q: Query[SeriesQuery]):
    """Values of ``elements`` (CMA codes, comma-separated) at ``station`` (CMA id, WMO index or
    WIGOS id) between ``start`` and ``end`` (RFC 3339; default the last 24 h, at most 31 days).
    Each element gives its canonical unit, Chinese and English labels and ``[time, value,
    qc_flag]`` points, times in UTC; ``qc_flag`` is the CMA code (0 correct, 1 suspect, 2 wrong,
    3 corrected, 4 modified, 8 missing, 9 not checked)."""
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
            }
            for code, s in data.items()
        },
    }
