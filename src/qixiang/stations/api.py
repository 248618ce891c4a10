"""JSON API routes of the stations app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ninja import Router, Schema
from ninja.errors import HttpError

from qixiang.accounts.scoping import scope_stations
from qixiang.observations.series import rfc3339
from qixiang.science import elements as vocabulary
from qixiang.stations.latest import latest_values

router = Router(tags=["stations"])

REPORTING_WINDOW = timedelta(hours=1)
MAP_FIELDS = ["cma_id", "name", "province", "lon", "lat", "value", "qc_flag", "time", "reporting"]


class MapOut(Schema):
    element: str
    unit: str
    labels: dict[str, str]
    reporting_since: str
    fields: list[str]
    rows: list[list]


@router.get("/map", response=MapOut, url_name="station_map",
            summary="Stations with their newest value of an element")
def station_map(request, element: str = "TEM"):
    """Every station the caller may see (a signed-in user with a region sees that region) as
    ``rows`` of ``fields``: position, the newest ``element`` value with its QC flag and time
    (RFC 3339, UTC), and whether the station reported in the last hour."""
    if element not in vocabulary.BY_CODE:
        raise HttpError(400, f"element: unknown element code {element!r}")
    since = datetime.now(UTC).replace(microsecond=0) - REPORTING_WINDOW
    latest = latest_values(scope_stations(request.user), element, since)
    info = vocabulary.get(element)
    return {
        "element": element,
        "unit": info.unit,
        "labels": {"zh-hans": info.label_zh, "en": info.label_en},
        "reporting_since": rfc3339(since),
        "fields": MAP_FIELDS,
        "rows": [
            [s.station.cma_id, s.station.name, s.station.province, s.station.longitude,
             s.station.latitude, s.value, s.qc_flag, rfc3339(s.time) if s.time else None,
             s.reporting]
            for s in latest
        ],
    }
