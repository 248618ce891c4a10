"""The demo weather: physically plausible, self-consistent, and with a front that moves east."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from qixiang.science import elements
from qixiang.science.simulate import network
from qixiang.science.simulate.front import ColdFront
from qixiang.science.simulate.showers import ConvectiveShowers
from qixiang.science.simulate.weather import (
    ELEMENTS,
    Weather,
    saturation_vapour_pressure,
    station_pressure,
)


def epoch_minute(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp()) // 60


@pytest.fixture(scope="module")
def net() -> network.Network:
    return network.generate()


@pytest.fixture(scope="module")
def weather(net) -> Weather:
    return Weather(net)


@pytest.fixture(scope="module")
def calm(net) -> Weather:
    """No front and no showers: only climate, terrain and the daily cycle."""
    return Weather(net, front=ColdFront(drop=0.0, pressure_rise=0.0, peak_rain=0.0),
                   showers=ConvectiveShowers(net.seed, candidates_per_hour=0))


@pytest.mark.parametrize("when", [(2026, 1, 15, 21, 0), (2026, 7, 15, 6, 30), (2026, 11, 21, 3, 7)])
def test_every_value_lies_in_the_element_valid_range(weather, when):
    values = weather.values(epoch_minute(*when))
    assert set(values) == set(ELEMENTS)
    for code, array in values.items():
        low, high = elements.get(code).valid_range
        assert np.isfinite(array).all(), code
        assert ((array >= low) & (array <= high)).all(), (code, array.min(), array.max())


@pytest.mark.parametrize("when", [(2026, 1, 15, 21, 0), (2026, 7, 15, 6, 30)])
def test_dew_point_humidity_and_temperature_agree(weather, when):
    v = weather.values(epoch_minute(*when))
    assert (v["DPT"] <= v["TEM"] + 0.05).all()
    recomputed = 100.0 * saturation_vapour_pressure(v["DPT"]) / saturation_vapour_pressure(v["TEM"])
    assert np.abs(recomputed - v["RHU"]).max() < 2.0


def test_station_pressure_follows_the_hypsometric_equation(weather, net):
    v = weather.values(epoch_minute(2026, 11, 21, 6, 0))
    expected = station_pressure(v["PRS_Sea"], v["TEM"], net.elevation)
    assert np.abs(expected - v["PRS"]).max() < 0.2
    high = net.elevation > 4000.0
    assert (v["PRS"][high] < 650.0).all()
    assert (v["PRS"][net.elevation < 50.0] > 1000.0).all()


def test_temperature_falls_with_height_and_latitude(calm, net):
    v = calm.values(epoch_minute(2026, 1, 15, 6, 0))
    slope = np.polyfit(net.elevation, v["TEM"] + 0.75 * net.lat, 1)[0]
    assert -7e-3 < slope < -3e-3  # K per metre
    low = net.elevation < 500.0
    south, north = low & (net.lat < 25.0), low & (net.lat > 45.0)
    assert v["TEM"][south].mean() - v["TEM"][north].mean() > 20.0


def test_afternoon_is_warmer_and_drier_than_dawn(calm, net):
    east = (net.lon > 110.0) & (net.lon < 120.0)
    afternoon = calm.values(epoch_minute(2026, 7, 15, 6, 30))  # about 14:30 local solar time
    dawn = calm.values(epoch_minute(2026, 7, 14, 21, 0))  # about 05:00
    assert afternoon["TEM"][east].mean() - dawn["TEM"][east].mean() > 4.0
    assert afternoon["RHU"][east].mean() < dawn["RHU"][east].mean() - 10.0


def test_summer_is_warmer_than_winter(calm):
    july = calm.values(epoch_minute(2026, 7, 15, 6, 0))["TEM"].mean()
    january = calm.values(epoch_minute(2026, 1, 15, 6, 0))["TEM"].mean()
    assert july - january > 15.0


def test_cold_front_moves_east_dropping_temperature_raising_pressure(weather, net):
    band = (net.lat > 30.0) & (net.lat < 40.0)
    start = epoch_minute(2026, 11, 21, 0, 0)  # a front leaves the western border
    fronts = []
    for hour in range(2, 6):
        now = weather.values(start + 60 * hour)
        before = weather.values(start + 60 * (hour - 1))
        passed = (band & (now["TEM"] - before["TEM"] < -3.0)
                  & (now["PRS_Sea"] - before["PRS_Sea"] > 2.0))
        assert passed.sum() >= 5, hour
        fronts.append(net.lon[passed].mean())
    assert all(b > a + 3.0 for a, b in zip(fronts, fronts[1:], strict=False)), fronts


def test_wind_turns_northerly_and_showers_fall_behind_the_front(weather, net):
    minute = epoch_minute(2026, 11, 21, 3, 0)
    tau = weather.front.hours_since_passage(minute / 60.0, net.lon, net.lat)
    v = weather.values(minute)
    northward = -v["WIN_S_Avg_2mi"] * np.cos(np.radians(v["WIN_D_Avg_2mi"]))
    behind, ahead = (tau > 0.5) & (tau < 2.0), (tau < -0.5) & (tau > -2.0)
    assert northward[behind].mean() < 0.0 < northward[ahead].mean()
    rain = weather.rain_rate(minute)
    on_front = (tau > -0.1) & (tau < 0.4) & (net.lon > 105.0)
    far = np.abs(tau) > 3.0
    assert rain[on_front].mean() > 5.0 * rain[far].mean() + 0.5


def test_hourly_precipitation_is_the_rain_of_the_last_sixty_minutes(weather):
    minute = epoch_minute(2026, 11, 21, 3, 0)
    pre = weather.values(minute)["PRE_1h"]
    total = sum(weather.rain_rate(minute - k) for k in range(60)) / 60.0
    assert np.abs(pre - np.where(total < 0.05, 0.0, total)).max() <= 0.051
    assert (pre > 0.0).sum() > 20


def test_convective_showers_rain_in_summer_afternoons(net):
    showers = ConvectiveShowers(net.seed)
    minute = epoch_minute(2026, 7, 15, 8, 0)  # 16:00 Beijing time
    rate = showers.rate(minute, net.lon, net.lat)
    assert (rate > 0.5).sum() > 10
    assert rate.max() < 150.0


def test_visibility_is_lower_in_rain(weather):
    minute = epoch_minute(2026, 11, 21, 3, 0)
    v, rain = weather.values(minute), weather.rain_rate(minute)
    assert np.median(v["VIS"][rain > 2.0]) < 0.5 * np.median(v["VIS"][rain < 0.01])


def test_values_are_a_pure_function_of_seed_and_minute(net, weather):
    minute = epoch_minute(2026, 11, 21, 6, 0)
    first = weather.values(minute)
    again = Weather(net).values(minute)
    for code in ELEMENTS:
        assert np.array_equal(first[code], again[code]), code
