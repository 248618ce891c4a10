"""A station's schedule is learned from its data: minute stations stay minute stations through
an outage, half-hourly METAR stations stay hourly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from qixiang.quality import indicators
from qixiang.quality.models import StationSchedule
from tests.feed import feed, obs
from tests.quality.network import H

pytestmark = pytest.mark.django_db


def test_a_minute_station_down_for_most_of_the_hour_is_still_expected_every_minute():
    feed(*[obs("M0001", H + timedelta(minutes=m), TEM=3.0 + 0.05 * m) for m in range(20)])
    feed(obs("ZBAA", H, TEM=1.0), obs("ZBAA", H + timedelta(minutes=30), TEM=1.2),
         origin="metar.json")
    [minute] = [i for i in indicators.indicators("station", H, H + timedelta(hours=1))
                if i.key == "M0001"]
    assert (minute.counts["expected"], minute.availability) == (60, pytest.approx(20 / 60))
    assert dict(StationSchedule.objects.values_list("station_id", "cadence")) == {
        "M0001": 60, "ZBAA": 3600}
