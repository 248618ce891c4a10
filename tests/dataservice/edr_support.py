"""What the EDR tests share: a small network with hourly and minute values, public datasets and
fresh rate buckets, caches and usage counters for each test."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from qixiang.dataservice import cache
from tests.feed import feed, obs, station

T0 = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
HOURLY = "/edr/collections/surface-obs-hourly"
MINUTE = "/edr/collections/surface-obs-minute"


@pytest.fixture
def public(settings):
    """Both datasets open to anonymous callers, no rate limit in the way, empty caches."""
    settings.QIXIANG_PUBLIC_DATASETS = ["surface-obs-hourly", "surface-obs-minute"]
    try:
        from qixiang.dataservice import quotas
    except ImportError:  # no access control installed: everything is open
        quotas = None
    if quotas is not None:
        quotas.rate_limiter.reset()
        quotas.usage_meter.reset()
        from qixiang.dataservice.models import Tier

        Tier.objects.filter(code="public").update(rate_per_minute=None, daily_quota=None)
    cache.responses.clear()
    cache.data_version.bump()  # ids restart after each test's rollback: look again
    yield settings
    cache.responses.clear()


def make_network() -> None:
    """Three Beijing-area stations and one in Guangzhou; six hours of values at 54511 etc."""
    station("54511", name="北京", lat=39.80, lon=116.47, division_code="110105", elevation=31.3)
    station("54433", name="朝阳", lat=39.95, lon=116.60, division_code="110105")
    station("54416", name="密云", lat=40.38, lon=116.87, division_code="110118")
    station("59287", name="广州", lat=23.21, lon=113.48, division_code="440111")
    objects = []
    for k in range(6):
        t = T0 + k * HOUR
        objects += [obs("54511", t, TEM=10.0 + k, RHU=50 + k, PRE_1h=0.1 * k),
                    obs("54433", t, TEM=20.0 + k), obs("54416", t, TEM=30.0 + k),
                    obs("59287", t, TEM=25.0 + k)]
    objects.append(obs("54511", T0 + timedelta(minutes=10), TEM=10.5))
    feed(*objects)


@pytest.fixture
def network(public):
    make_network()


def stored_flag(station_id: str, element: str, when: str) -> int:
    """The QC flag the store holds for one value (what every format must pass on)."""
    from datetime import datetime

    from qixiang.observations.models import Observation

    return Observation.objects.get(station_id=station_id, element=element,
                                   time=datetime.fromisoformat(when)).qc_flag
