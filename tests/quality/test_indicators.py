"""Availability, QC coverage and timeliness on hand-made data, with exact expected numbers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils.translation import override

from qixiang.quality import indicators
from qixiang.quality.models import StationSchedule
from tests.quality import network
from tests.quality.network import NETWORK, H

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def made(settings, tmp_path):
    network.make(settings, tmp_path)


def period():
    return H - timedelta(hours=1), H + timedelta(hours=2)


def by_key(level: str) -> dict[str, indicators.Indicator]:
    return {i.key: i for i in indicators.indicators(level, *period())}


def test_network_indicators_are_counted_from_the_stored_values():
    [net] = indicators.indicators("network", *period())
    for name, expected in NETWORK.items():
        assert getattr(net, name) == pytest.approx(expected, abs=1e-6), name
    assert net.counts["expected"] == 63 and net.counts["arrived"] == 47
    assert (net.counts["wrong"], net.counts["suspect"]) == (1, 45)


def test_each_station_is_expected_on_its_schedule():
    stations = by_key("station")
    assert {k: s.availability for k, s in stations.items()} == {
        "54511": 1.0, "54527": 0.5, "59287": 0.0, "X0001": 0.75}
    assert stations["59287"].counts["expected"] == 1 and stations["59287"].counts["arrived"] == 0
    assert stations["X0001"].counts["expected"] == 60
    assert dict(StationSchedule.objects.values_list("station_id", "cadence")) == {
        "54511": 3600, "54527": 3600, "X0001": 60}
    assert stations["54511"].qc_coverage == pytest.approx(2 / 3)
    assert (stations["54511"].within_1min, stations["54527"].within_1min,
            stations["54527"].within_5min) == (1.0, 0.0, 1.0)
    assert stations["54511"].name == "北京" and stations["54511"].lat == 39.8


def test_provinces_group_stations_by_division_code():
    with override("en"):
        provinces = by_key("province")
    assert {k: (p.name, p.availability) for k, p in provinces.items()} == {
        "": ("unknown province", 0.75), "11": ("北京市", 1.0), "12": ("天津市", 0.5),
        "44": ("广东省", 0.0)}


def test_hours_in_which_nobody_reported_are_not_expected():
    start, end = H - timedelta(days=2), H + timedelta(hours=1)
    [net] = indicators.indicators("network", start, end)
    assert net.counts["expected"] == 63


def test_a_regional_user_sees_the_indicators_of_their_region():
    from qixiang.accounts.models import User
    user = User.objects.create_user("tj", password="x", region_code="120000")
    [net] = indicators.indicators("network", *period(), user=user)
    assert (net.counts["expected"], net.availability) == (1, 0.5)


def test_the_api_answers_each_level_and_refuses_a_bad_one(client):
    start, end = period()
    params = {"start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
              "end": end.strftime("%Y-%m-%dT%H:%M:%SZ")}
    data = client.get("/api/quality/indicators", {**params, "level": "network"}).json()
    assert data["rows"][0]["availability"] == pytest.approx(NETWORK["availability"], abs=1e-6)
    stations = client.get("/api/quality/indicators", {**params, "level": "station"}).json()
    assert {r["key"]: r["availability"] for r in stations["rows"]}["54527"] == 0.5
    bad = client.get("/api/quality/indicators", {**params, "level": "county"})
    assert bad.status_code == 400 and "level" in bad.json()["detail"]
    trend = client.get("/api/quality/trend", params).json()
    assert [r["key"] for r in trend["rows"]] == [H.strftime("%Y-%m-%dT%H:00:00Z")]


def test_a_new_value_makes_its_hour_stale_and_the_indicators_follow():
    from tests.feed import feed, obs
    indicators.indicators("network", *period())
    feed(obs("59287", H, TEM=20.0), origin="late.json", received_at=H + timedelta(minutes=20))
    from qixiang.quality.models import SummaryHour
    SummaryHour.objects.filter(hour=H).update(computed_at=H)  # past the refresh throttle
    [net] = indicators.indicators("network", *period())
    assert net.availability == pytest.approx(47.5 / 63, abs=1e-6)


def test_the_daily_report_lists_network_provinces_and_stations():
    day = H.astimezone(indicators.BEIJING).date()
    out = io.StringIO()
    call_command("quality", "report", "--date", day.isoformat(), stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["level"], r["id"]) for r in rows][:2] == [("network", "network"), ("province", "")]
    station = next(r for r in rows if r["id"] == "54527")
    assert (station["date"], station["availability"], station["wrong"]) == (
        day.isoformat(), "0.5000", "1")
    assert station["within_5min"] == "1.0000" and station["expected"] == "1"


def test_a_request_summarises_a_few_hours_itself_and_the_refresher_does_the_rest(client):
    from qixiang.quality import summary
    from qixiang.quality.refresher import PeriodicRefresh
    start, end = H - timedelta(days=2), H + timedelta(hours=1)
    assert indicators.pending(start, end) == 49
    [net] = indicators.indicators("network", start, end)  # H is among the newest six
    assert net.counts["expected"] == 63
    assert indicators.pending(start, end) == 49 - summary.REQUEST_HOURS
    assert "hours of this period are still being summarised" in client.get(
        "/quality/", {"period": "7d"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert PeriodicRefresh(days=3).refresh_once() > 0
    assert indicators.pending(start, end) == 0
