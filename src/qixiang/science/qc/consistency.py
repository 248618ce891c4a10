"""Internal consistency: elements of one station and time must agree with each other.

Relations (each flags every element taking part, since which one is wrong is unknown):

- TEM_Min <= TEM <= TEM_Max and DPT <= TEM, within ``temperature_tolerance``;
- RHU within ``rhu_tolerance`` of the Magnus relative humidity of TEM and DPT;
- a longer precipitation accumulation (PRE_1h, 3h, 6h, 12h, 24h) not below a shorter one ending
  at the same time, within ``precipitation_tolerance``;
- calm wind: speed at or below ``calm_speed`` goes with direction 0 (calm), direction 0 only
  with calm.

The batch's element is compared with the other elements in ``batch.others``; a relation whose
other elements are missing does not apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import combinations
from typing import Any

import numpy as np

from qixiang.science.qc.flags import Flag
from qixiang.science.qc.interface import Batch, CheckResult

NAME = "consistency"
KIND = "consistency"

# Magnus formula over water (WMO-No. 8, 2008 edition): e_s(t) = 6.112 exp(A t / (B + t)) hPa
MAGNUS_A = 17.62
MAGNUS_B = 243.12  # degC

TEMPERATURE_ORDER = (("TEM_Min", "TEM"), ("TEM", "TEM_Max"), ("TEM_Min", "TEM_Max"),
                     ("DPT", "TEM"))
PRECIPITATION = ("PRE_1h", "PRE_3h", "PRE_6h", "PRE_12h", "PRE_24h")  # shortest first
WIND = (("WIN_D_Avg_2mi", "WIN_S_Avg_2mi"), ("WIN_D_Avg_10mi", "WIN_S_Avg_10mi"))

Relation = tuple[np.ndarray, np.ndarray, Callable[[int], str]]  # applies, violated, reason


def magnus_rh(temperature: np.ndarray, dew_point: np.ndarray) -> np.ndarray:
    """Relative humidity (%) of air at ``temperature`` with ``dew_point`` (degC)."""
    return 100.0 * np.exp(MAGNUS_A * dew_point / (MAGNUS_B + dew_point)
                          - MAGNUS_A * temperature / (MAGNUS_B + temperature))


def _series(batch: Batch, code: str) -> np.ndarray | None:
    return batch.values if code == batch.element else batch.others.get(code)


def _not_above(batch: Batch, low: str, high: str, tolerance: float) -> Iterator[Relation]:
    a, b = _series(batch, low), _series(batch, high)
    if batch.element in (low, high) and a is not None and b is not None:
        applies = ~np.isnan(a) & ~np.isnan(b)
        violated = applies & (a > b + tolerance)
        yield applies, violated, lambda i: f"{low} {a[i]:.4g} > {high} {b[i]:.4g}"


def _relations(batch: Batch, params: Mapping[str, Any]) -> Iterator[Relation]:
    t_tol = float(params.get("temperature_tolerance", 0.1))
    for low, high in TEMPERATURE_ORDER:
        yield from _not_above(batch, low, high, t_tol)
    p_tol = float(params.get("precipitation_tolerance", 0.1))
    for short, long in combinations(PRECIPITATION, 2):
        yield from _not_above(batch, short, long, p_tol)
    if batch.element in ("RHU", "TEM", "DPT"):
        rhu, tem, dpt = (_series(batch, c) for c in ("RHU", "TEM", "DPT"))
        if rhu is not None and tem is not None and dpt is not None:
            applies = ~np.isnan(rhu) & ~np.isnan(tem) & ~np.isnan(dpt)
            with np.errstate(invalid="ignore", over="ignore"):
                expected = magnus_rh(tem, dpt)
                violated = applies & (np.abs(rhu - expected) > float(params.get("rhu_tolerance", 10)))
            yield applies, violated, lambda i: (f"RHU {rhu[i]:.4g} % but TEM {tem[i]:.4g} and "
                                                f"DPT {dpt[i]:.4g} give {expected[i]:.4g} %")
    calm = float(params.get("calm_speed", 0.2))
    for direction_code, speed_code in WIND:
        direction, speed = _series(batch, direction_code), _series(batch, speed_code)
        if batch.element in (direction_code, speed_code) and direction is not None and (
                speed is not None):
            applies = ~np.isnan(direction) & ~np.isnan(speed)
            violated = applies & ((speed <= calm) != (direction == 0))
            yield applies, violated, lambda i, d=direction, s=speed: (
                f"wind direction {d[i]:.4g} with speed {s[i]:.3g} m/s (calm is direction 0 "
                f"with speed <= {calm:g})")


def check(batch: Batch, params: Mapping[str, Any]) -> CheckResult:
    n = len(batch)
    applied = np.zeros(n, dtype=bool)
    violated = np.zeros(n, dtype=bool)
    reasons: dict[int, list[str]] = {}
    present = ~batch.missing
    for applies, bad, reason in _relations(batch, params):
        applied |= applies & present
        violated |= bad & present
        for i in np.flatnonzero(bad & present):
            reasons.setdefault(int(i), []).append(reason(int(i)))
    flags = np.where(applied, Flag.CORRECT, Flag.NOT_CHECKED).astype(np.uint8)
    flags[violated] = params["severity"]
    return CheckResult(flags, {i: "; ".join(r) for i, r in reasons.items()})
