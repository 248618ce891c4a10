"""Each minute's true values at every demo station, vectorised over the network.

The values are a pure function of the network's seed and the epoch minute (no state carried from
one minute to the next), so any minute can be recomputed. How each element is made:

- ``TEM``: sea-level climatology for latitude and season, minus a 5 K/km lapse rate, a station
  micro-climate offset, the daily cycle in local solar time (damped in rain), the cold front, and
  slow eddies.
- ``DPT``/``RHU``: a dew point from the regional humidity at the daily-mean temperature, so the
  relative humidity falls in the afternoon; drier behind the front, near saturation in rain. Both
  come from one Magnus formula, and ``DPT`` is recomputed from the rounded ``TEM`` and ``RHU`` so
  the three reported numbers agree.
- ``PRS_Sea``: 1013 hPa plus the winter continental high, the front's trough and rise, the
  semi-diurnal tide and a travelling wave; ``PRS`` is it brought up to the station height with
  the hypsometric equation (layer-mean temperature with the standard 6.5 K/km reduction).
- wind: westerlies in the north, the monsoon (northerly in winter, southerly in summer) in the
  east, the front's wind shift, stronger in the afternoon, times a station exposure factor; gusts
  from a gust factor and convective outflow.
- ``PRE_1h``: the rain rate (front band plus convective cells) summed over the last 60 minutes.
- ``VIS``: haze by humidity, and much less in rain.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime

import numpy as np

from qixiang.science.simulate import climate
from qixiang.science.simulate.front import ColdFront
from qixiang.science.simulate.network import NATIONAL_ELEMENTS, Network
from qixiang.science.simulate.showers import ConvectiveShowers

ELEMENTS = NATIONAL_ELEMENTS  # computed for every station; regional ones report a subset

G = 9.80665  # m/s2
RD = 287.05  # J/(kg K), dry air
ISA_LAPSE = 6.5e-3  # K/m, used in the sea-level reduction
_EDDY_PERIODS = np.array([47.0, 83.0, 131.0])  # minutes


def saturation_vapour_pressure(t: np.ndarray) -> np.ndarray:
    """hPa over water at ``t`` °C (Magnus, WMO-No. 8 constants)."""
    return 6.112 * np.exp(17.62 * t / (243.12 + t))


def dew_point(t: np.ndarray, rh: np.ndarray) -> np.ndarray:
    """Dew point in °C from temperature in °C and relative humidity in %."""
    gamma = np.log(np.clip(rh, 1e-3, 100.0) / 100.0) + 17.62 * t / (243.12 + t)
    return 243.12 * gamma / (17.62 - gamma)


def station_pressure(sea_level: np.ndarray, t: np.ndarray, elevation: np.ndarray) -> np.ndarray:
    """Station pressure in hPa from sea-level pressure, station temperature °C and height m."""
    layer_mean = t + 273.15 + 0.5 * ISA_LAPSE * elevation
    return sea_level * np.exp(-G * elevation / (RD * layer_mean))


class Weather:
    """True values for ``network``; ``values(minute)`` for an epoch minute (``unix time // 60``)."""

    def __init__(self, network: Network, front: ColdFront | None = None,
                 showers: ConvectiveShowers | None = None) -> None:
        self.network = network
        self.front = front or ColdFront()
        self.showers = showers or ConvectiveShowers(network.seed)
        rng = np.random.default_rng([network.seed, 1])
        n = network.size
        self._offset = rng.normal(0.0, 0.7, n)  # K, station micro-climate
        self._exposure = rng.uniform(0.5, 1.1, n)  # wind exposure factor
        self._phase = rng.uniform(0.0, 2.0 * np.pi, (3, n, _EDDY_PERIODS.size))
        self._rain: OrderedDict[int, np.ndarray] = OrderedDict()

    def _eddy(self, minute: int, quantity: int) -> np.ndarray:
        """A slow, smooth fluctuation of unit scale for each station (temperature, u, v)."""
        angle = 2.0 * np.pi * minute / _EDDY_PERIODS + self._phase[quantity]
        return np.sin(angle).sum(axis=1) / np.sqrt(_EDDY_PERIODS.size / 2.0)

    def rain_rate(self, minute: int) -> np.ndarray:
        """Rain rate in mm/h at each station during ``minute`` (cached: PRE_1h re-reads it)."""
        cached = self._rain.get(minute)
        if cached is not None:
            self._rain.move_to_end(minute)
            return cached
        net = self.network
        day = _day_of_year(minute)
        frontal = self.front.effects(minute / 60.0, net.lon, net.lat).rain
        rate = frontal * climate.moisture(net.lon, net.lat, day) + self.showers.rate(
            minute, net.lon, net.lat)
        self._rain[minute] = rate
        while len(self._rain) > 240:
            self._rain.popitem(last=False)
        return rate

    def precipitation_1h(self, minute: int) -> np.ndarray:
        """mm fallen in the 60 minutes ending with ``minute``."""
        return sum(self.rain_rate(minute - k) for k in range(60)) / 60.0

    def values(self, minute: int) -> dict[str, np.ndarray]:
        """Every element of :data:`ELEMENTS` at every station, rounded as a station reports."""
        net = self.network
        lon, lat, z = net.lon, net.lat, net.elevation
        day = _day_of_year(minute)
        hours = minute / 60.0
        local = climate.solar_hour((minute % 1440) / 60.0, lon)
        noise = np.random.default_rng([net.seed, 2, minute]).normal(size=(4, net.size))
        front = self.front.effects(hours, lon, lat)
        rate = self.rain_rate(minute)
        wet = np.clip(rate / 2.0, 0.0, 1.0)
        wetness = climate.moisture(lon, lat, day)

        daily_mean = (climate.sea_level_temperature(lon, lat, day) - climate.LAPSE_RATE * z
                      + self._offset)
        swing = climate.diurnal_range(lon, lat, z, day) * (1.0 - 0.6 * wet)
        tem = (daily_mean + front.temperature + swing * climate.diurnal_shape(local)
               + 0.3 * self._eddy(minute, 0) + 0.05 * noise[0])
        tem = np.round(tem, 1)

        td = dew_point(daily_mean, 30.0 + 55.0 * wetness) + front.temperature + front.dewpoint
        td = np.minimum(td + 0.9 * wet * (tem - td), tem)
        rhu = np.clip(np.round(100.0 * saturation_vapour_pressure(td)
                               / saturation_vapour_pressure(tem)), 1.0, 100.0)
        dpt = np.round(dew_point(tem, rhu), 1)

        winter = climate.winter(day)
        continental_high = 9.0 * winter * (0.3 + 0.7 * climate.rise(lat - 30.0, 6.0))
        tide = 0.8 * np.cos(4.0 * np.pi * (local - 10.0) / 24.0)
        wave = 2.0 * np.sin(lon / 9.0 + lat / 7.0 - hours / 30.0)
        prs_sea = 1013.0 + continental_high + front.pressure + tide + wave + 0.05 * noise[1]
        prs = np.round(station_pressure(prs_sea, tem, z), 1)
        prs_sea = np.round(prs_sea, 1)

        convective = np.clip(rate / 10.0, 0.0, 1.0)
        daytime = 1.0 + 0.3 * climate.diurnal_shape(local)
        u = 0.5 + 1.5 * climate.rise(lat - 35.0, 4.0) + front.u + 0.6 * self._eddy(minute, 1)
        v = -2.0 * winter * climate.rise(lon - 100.0, 5.0) + front.v + 0.6 * self._eddy(minute, 2)
        u, v = u * self._exposure * daytime, v * self._exposure * daytime
        speed = np.clip(np.hypot(u, v) + 2.0 * convective + 0.2 * noise[2], 0.0, None)
        direction = np.mod(270.0 - np.degrees(np.arctan2(v, u)), 360.0)
        gust = speed * (1.35 + 0.25 * np.abs(noise[3])) + 4.0 * convective

        pre = self.precipitation_1h(minute)
        haze = np.clip(30000.0 * np.sqrt(1.0 - rhu / 100.0), 1000.0, 30000.0)
        rain_vis = 12000.0 * np.power(np.maximum(rate, 0.05), -0.7)
        vis = np.clip(np.where(rate > 0.05, np.minimum(haze, rain_vis), haze), 50.0, 30000.0)

        return {
            "TEM": tem,
            "DPT": dpt,
            "RHU": rhu,
            "PRS": prs,
            "PRS_Sea": prs_sea,
            "WIN_D_Avg_2mi": np.round(direction) % 360.0,
            "WIN_S_Avg_2mi": np.round(speed, 1),
            "WIN_S_Inst_Max": np.round(gust, 1),
            "PRE_1h": np.where(pre < 0.05, 0.0, np.round(pre, 1)),
            "VIS": np.round(vis, -1),
        }


def _day_of_year(minute: int) -> float:
    when = datetime.fromtimestamp(minute * 60, UTC)
    return when.timetuple().tm_yday + (when.hour * 60 + when.minute) / 1440.0
