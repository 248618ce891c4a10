"""The QC stage plugged into the ingest seam, and fresh process caches for every test."""

from __future__ import annotations

import pytest

from qixiang.observations import flags
from qixiang.quality import registry, stage
from qixiang.quality.recent import recent
from qixiang.stations.resolver import resolver


@pytest.fixture(autouse=True)
def qc_in_the_flow(monkeypatch):
    monkeypatch.setattr(flags, "ASSIGN", stage.assign)
    recent.clear()
    resolver.invalidate()
    registry.invalidate()
    yield
    recent.clear()
    resolver.invalidate()
    registry.invalidate()
