"""Random convective showers: rain cells that are born, drift east and die within two hours.

Each clock hour gets its own batch of cells from a generator seeded with ``(seed, hour)``, so the
rain at any minute is a pure function of the time and can be recomputed after a restart. Cells
prefer moist regions, summer and the afternoon (local solar time), as convection does. A cell
rains ``peak * sin(pi * age / life) * exp(-r**2 / 2 radius**2)`` mm/h at distance ``r``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np

from qixiang.science.simulate import provinces
from qixiang.science.simulate.climate import afternoon, moisture, solar_hour, winter

MAX_LIFE = 120  # minutes: cells from the last two hours can still be raining


@dataclass(frozen=True, slots=True, eq=False)
class Cells:
    """Cells born in one hour, as parallel arrays (positions at birth, motion per minute)."""

    birth: np.ndarray  # epoch minute
    life: np.ndarray  # minutes
    lon: np.ndarray
    lat: np.ndarray
    u: np.ndarray  # degrees of longitude per minute
    v: np.ndarray  # degrees of latitude per minute
    radius: np.ndarray  # degrees
    peak: np.ndarray  # mm/h


@dataclass(frozen=True, slots=True)
class ConvectiveShowers:
    seed: int
    candidates_per_hour: int = 80  # drawn per hour; moisture, season and time of day thin them

    def cells(self, hour: int) -> Cells:
        """The cells born during epoch hour ``hour`` (minutes ``60 * hour ...``)."""
        return _cells(self.seed, self.candidates_per_hour, hour)

    def rate(self, minute: int, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Rain rate in mm/h at epoch ``minute`` for each station."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        total = np.zeros_like(lon)
        coslat = np.cos(np.radians(lat))[:, None]
        for hour in range((minute - MAX_LIFE) // 60, minute // 60 + 1):
            c = self.cells(hour)
            age = minute - c.birth
            alive = (age >= 0) & (age < c.life)
            if not alive.any():
                continue
            age = age[alive]
            clon = c.lon[alive] + c.u[alive] * age
            clat = c.lat[alive] + c.v[alive] * age
            envelope = c.peak[alive] * np.sin(np.pi * age / c.life[alive])
            d2 = ((lon[:, None] - clon[None, :]) * coslat) ** 2 + (lat[:, None] - clat[None, :]) ** 2
            total += (envelope[None, :] * np.exp(-d2 / (2.0 * c.radius[alive][None, :] ** 2))).sum(1)
        return total


@lru_cache(maxsize=16)
def _cells(seed: int, candidates: int, hour: int) -> Cells:
    rng = np.random.default_rng([seed, 7, hour])
    lon0, lon1, lat0, lat1 = provinces.bounds()
    lon = rng.uniform(lon0, lon1, candidates)
    lat = rng.uniform(lat0, lat1, candidates)
    birth = hour * 60 + rng.integers(0, 60, candidates)
    when = datetime.fromtimestamp(hour * 3600, UTC)
    day = when.timetuple().tm_yday
    summer = 0.5 * (1.0 - winter(day))
    chance = (moisture(lon, lat, day) ** 2 * afternoon(solar_hour(when.hour + 0.5, lon))
              * (0.25 + 0.75 * summer))
    keep = (provinces.locate(lon, lat) >= 0) & (rng.random(candidates) < chance)
    n = int(keep.sum())
    return Cells(
        birth=birth[keep],
        life=rng.integers(30, MAX_LIFE + 1, n),
        lon=lon[keep],
        lat=lat[keep],
        u=rng.uniform(0.1, 0.5, n) / 60.0,
        v=rng.uniform(-0.15, 0.15, n) / 60.0,
        radius=rng.uniform(0.1, 0.4, n),
        peak=rng.gamma(2.0, 8.0, n),
    )
