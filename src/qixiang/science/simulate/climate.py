"""The background climate of the demo: smooth fields of position, season and time of day.

Rough fits to China's climate, enough for plausible numbers: sea-level annual mean temperature
falls 0.75 °C per degree of latitude from 27 °C at 18 N; the seasonal swing grows northward
(±3 °C in Hainan, ±20 °C in Heilongjiang) with the minimum in mid-January; moisture is high in
the monsoon south-east and low in the arid north-west; the daily range is larger where it is dry
and high. Times are local solar time (UTC + lon / 15 h).
"""

from __future__ import annotations

import numpy as np

LAPSE_RATE = 5.0e-3  # K/m: the climatological surface lapse rate over China (lower than ISA's 6.5)
COLDEST_DAY = 20  # day of year of the seasonal minimum


def rise(x: np.ndarray | float, width: float) -> np.ndarray:
    """A smooth step from 0 to 1 around ``x = 0`` over about ``4 * width``."""
    return 1.0 / (1.0 + np.exp(-np.clip(np.asarray(x, dtype=float) / width, -60.0, 60.0)))


def winter(day_of_year: float) -> float:
    """+1 in mid-January, -1 in mid-July."""
    return float(np.cos(2.0 * np.pi * (day_of_year - COLDEST_DAY) / 365.25))


def solar_hour(utc_hour: float, lon: np.ndarray) -> np.ndarray:
    """Local solar time in hours (0-24) at each longitude."""
    return np.mod(utc_hour + np.asarray(lon) / 15.0, 24.0)


def moisture(lon: np.ndarray, lat: np.ndarray, day_of_year: float) -> np.ndarray:
    """0 (desert) to 1 (monsoon south-east in summer)."""
    east = rise(np.asarray(lon) - 102.0, 3.5)
    south = rise(34.0 - np.asarray(lat), 3.0)
    monsoon = 0.08 * (1.0 - winter(day_of_year))  # wetter summers in the east
    return np.clip(0.22 + east * (0.4 + 0.25 * south + monsoon), 0.0, 1.0)


def sea_level_temperature(lon: np.ndarray, lat: np.ndarray, day_of_year: float) -> np.ndarray:
    """Daily-mean temperature reduced to sea level, °C, for the day of year."""
    lat = np.asarray(lat, dtype=float)
    annual = 27.0 - 0.75 * (lat - 18.0)
    amplitude = np.clip(3.0 + 0.5 * (lat - 18.0), 3.0, 21.0)
    return annual - amplitude * winter(day_of_year)


def diurnal_range(lon: np.ndarray, lat: np.ndarray, elevation: np.ndarray,
                  day_of_year: float) -> np.ndarray:
    """Half the daily temperature range, °C: larger where dry and high."""
    dry = 1.0 - moisture(lon, lat, day_of_year)
    return 2.5 + 3.0 * dry + 0.6 * np.clip(np.asarray(elevation) / 1000.0, 0.0, None)


def diurnal_shape(hour: np.ndarray) -> np.ndarray:
    """-1 near dawn to +1 at 14:30 local solar time."""
    return np.cos(2.0 * np.pi * (np.asarray(hour) - 14.5) / 24.0)


def afternoon(hour: np.ndarray) -> np.ndarray:
    """Weight of convection by local solar time: peaks mid-afternoon, small at night."""
    return 0.15 + 0.85 * np.exp(-(((np.asarray(hour) - 15.0) / 3.0) ** 2))
