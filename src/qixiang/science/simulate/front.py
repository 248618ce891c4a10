"""A cold front sweeping the network from west to east every few hours.

The front is a straight line tilted south-west to north-east that leaves the western border at
the start of each cycle and crosses to the eastern coast in ``crossing_hours``; a new one starts
every ``period_hours``. Much faster than a real front (which takes days), so a visitor to the
demo sees one pass within an afternoon.

What a station feels depends only on ``tau``, the hours since the front passed it (negative
before): a pre-frontal trough and south-westerlies ahead; behind it a temperature drop, a
pressure rise, drier air and north-westerlies, all decaying over ``decay_hours``; and a band of
showers just behind the line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qixiang.science.simulate.climate import rise


@dataclass(frozen=True, slots=True)
class FrontEffects:
    """Anomalies added to the background weather, one array entry per station."""

    temperature: np.ndarray  # K
    dewpoint: np.ndarray  # K, added to the dew point on top of the temperature change
    pressure: np.ndarray  # hPa, at sea level
    u: np.ndarray  # m/s, towards the east
    v: np.ndarray  # m/s, towards the north
    rain: np.ndarray  # mm/h before scaling by moisture


@dataclass(frozen=True, slots=True)
class ColdFront:
    period_hours: float = 12.0
    crossing_hours: float = 6.0
    decay_hours: float = 4.0
    west: float = 73.0  # longitude where each front starts, degrees east
    east: float = 135.0  # longitude it reaches after crossing_hours
    tilt: float = 0.8  # degrees of longitude further east per degree of latitude north
    drop: float = 6.0  # K, temperature fall just behind the front in the north
    pressure_rise: float = 5.0  # hPa
    peak_rain: float = 6.0  # mm/h in the frontal band

    @property
    def speed(self) -> float:
        """Eastward speed of the line, degrees of longitude per hour."""
        return (self.east - self.west) / self.crossing_hours

    def longitude(self, hours: float, lat: np.ndarray) -> np.ndarray:
        """Longitude of the front line at ``hours`` since the epoch, for each latitude."""
        phase = hours % self.period_hours
        return self.west + self.speed * phase + self.tilt * (np.asarray(lat) - 35.0)

    def hours_since_passage(self, hours: float, lon: np.ndarray, lat: np.ndarray,
                            cycles_back: int = 0) -> np.ndarray:
        """``tau`` for the front of the current cycle (``cycles_back`` earlier ones)."""
        cycle_start = (np.floor(hours / self.period_hours) - cycles_back) * self.period_hours
        passage = cycle_start + (np.asarray(lon) - self.west - self.tilt * (np.asarray(lat) - 35.0)) / self.speed
        return hours - passage

    def effects(self, hours: float, lon: np.ndarray, lat: np.ndarray) -> FrontEffects:
        """The front's anomalies at ``hours`` since the epoch (current and previous cycle)."""
        lat = np.asarray(lat, dtype=float)
        strength = 0.6 + 0.4 * rise(lat - 30.0, 3.0)  # stronger in the north
        zeros = np.zeros_like(lat)
        t_anom, td_anom, p_anom, u, v, rain = (zeros.copy() for _ in range(6))
        for back in (0, 1):
            tau = self.hours_since_passage(hours, lon, lat, back)
            behind = rise(tau, 0.15) * np.exp(-np.clip(tau, 0.0, None) / self.decay_hours)
            ahead = np.where(tau < 0, np.exp(np.clip(tau, -50.0, 0.0) / 3.0), 0.0)
            t_anom -= self.drop * strength * behind
            td_anom -= 0.5 * self.drop * strength * behind
            p_anom += self.pressure_rise * strength * behind
            p_anom -= 2.0 * np.exp(-(((tau + 0.5) / 1.0) ** 2))
            u += 1.5 * ahead + 2.5 * strength * behind
            v += 2.0 * ahead - 3.5 * strength * behind
            rain += self.peak_rain * np.exp(-(((tau - 0.1) / 0.25) ** 2))
        return FrontEffects(t_anom, td_anom, p_anom, u, v, rain)
