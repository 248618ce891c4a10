"""Helpers for the ingest tests: hand-built messages and a fresh station resolver per test."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from qixiang.science.observation import Message, Report
from qixiang.stations.resolver import resolver

T0 = datetime(2026, 11, 21, 6, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_resolver():
    """The resolver caches the registry per process; tests roll the registry back under it."""
    resolver.invalidate()
    yield
    resolver.invalidate()


def message(index: int, station: str = "54511", values: dict | None = None, *,
            time: datetime = T0, correction: bool = False, salt: str = "") -> Message:
    """A decoded message whose raw bytes are its JSON form (as the JSON decoder makes them)."""
    values = {"TEM": 12.3, "RHU": 45.0} if values is None else values
    raw = json.dumps({"station": station, "time": time.isoformat(), "values": values,
                      "correction": correction, "salt": salt}, sort_keys=True).encode()
    return Message(index=index, raw=raw, codec="json", correction=correction,
                   reports=[Report(station, time, dict(values))])
