"""Observations fed through the real ingest pipeline, for the page, API and browser tests.

Payloads are JSON IoT messages (docs/ingest.md): one object per station and time, values in
canonical units, so what a test feeds is exactly what a sensor would send.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from qixiang.ingest.pipeline import IngestResult, ingest_bytes
from qixiang.stations.models import Station


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def obs(station: str, time: datetime, **values: float) -> dict:
    """One JSON observation object."""
    return {"station": station, "time": rfc3339(time), "values": values}


def feed(*objects: dict, channel: str = "http", origin: str = "test.json",
         received_at: datetime | None = None) -> IngestResult:
    """Ingest ``objects`` as one JSON array payload through :func:`ingest_bytes`."""
    payload = json.dumps(list(objects)).encode()
    return ingest_bytes(payload, origin=origin, channel=channel, codec="json",
                        received_at=received_at)


def station(cma_id: str, name: str = "", division_code: str = "", lat: float = 39.8,
            lon: float = 116.47, **extra) -> Station:
    """A registered station."""
    return Station.objects.create(cma_id=cma_id, name=name or f"station {cma_id}",
                                  division_code=division_code, latitude=lat, longitude=lon,
                                  **extra)
