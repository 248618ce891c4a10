"""Hand-made batches for the QC tests."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from qixiang.science.qc import Batch

WHEN = datetime(2026, 7, 15, 6, tzinfo=UTC)


def make_batch(values, element: str = "TEM", lat=None, lon=None, elevation=None,
               **context) -> Batch:
    """A batch of len(values) stations on a line 0.01 degree (about 1 km) apart at sea level."""
    values = np.asarray(values, dtype=float)
    n = len(values)
    lat = np.full(n, 30.0) + 0.01 * np.arange(n) if lat is None else lat
    lon = np.full(n, 110.0) if lon is None else lon
    elevation = np.zeros(n) if elevation is None else elevation
    context.setdefault("time", WHEN)
    ids = context.pop("station_ids", [f"S{i:04d}" for i in range(n)])
    return Batch(element, values, ids, lat, lon, elevation, **context)


@pytest.fixture
def batch_of():
    return make_batch
