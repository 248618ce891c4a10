"""Buddy check: a value far from the mean of its neighbours ("buddies") is suspect.

Same semantics and parameters as titanlib's ``buddy_check`` (0.4.0), and the same flags:

- buddies of station i are the stations within ``radius`` (metres, chord distance) other than
  those at i's very coordinates; i is only tested when it has at least ``num_min`` of them;
- with ``max_elev_diff > 0`` only buddies within ``max_elev_diff`` metres of i's elevation count,
  each adjusted to i's elevation by ``elev_gradient`` (value units per metre: -0.0065 for
  temperature): ``v_j + (z_i - z_j) * elev_gradient``; otherwise every buddy counts, unadjusted;
- with at least ``num_min`` buddies, i is flagged when
  ``|v_i - mean| / max(min_std, sqrt(var + var / n)) > threshold`` (population variance of the
  n adjusted buddy values);
- ``num_iterations`` passes; each pass tests the unflagged stations against the flags of the
  previous pass (flagged stations are no longer buddies), so the result does not depend on
  station order; ``obs_to_check`` (1 = test) limits which stations are tested.

Differences, on purpose: titanlib scans every station and rebuilds every buddy list each pass;
here one k-d tree query gives all pairs once and each pass re-tests only the stations that lost a
buddy. Missing values (NaN) are neither tested nor buddies (titanlib lets a NaN spoil its
neighbours' statistics). Statistics are summed in float64 where titanlib uses float32, which
could only matter for a value within about 1e-6 of the threshold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from qixiang.science.qc.flags import Flag
from qixiang.science.qc.interface import Batch, CheckResult
from qixiang.science.qc.neighbours import Geometry

NAME = "buddy"
KIND = "spatial"


@dataclass(slots=True)
class BuddyOutcome:
    flags: np.ndarray  # (N,) int8: 1 flagged, 0 not
    tested: np.ndarray  # (N,) bool: had at least num_min buddies when last tested
    mean: np.ndarray  # (N,) buddy mean adjusted to the station's elevation (NaN if not tested)
    spread: np.ndarray  # (N,) the std used in the test, after min_std
    buddies: np.ndarray  # (N,) number of buddies in the last test


def buddy_check(lat: np.ndarray, lon: np.ndarray, elevation: np.ndarray, values: np.ndarray,
                radius: float | np.ndarray, num_min: int | np.ndarray, threshold: float,
                max_elev_diff: float, elev_gradient: float, min_std: float, num_iterations: int,
                obs_to_check: np.ndarray | None = None, *,
                geometry: Geometry | None = None) -> BuddyOutcome:
    """Flags of the buddy check (see the module docstring); arrays are (N,)."""
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[0]
    geometry = geometry if geometry is not None else Geometry(lat, lon)
    radius = np.broadcast_to(np.asarray(radius, dtype=np.float32).ravel(), (n,))
    num_min = np.broadcast_to(np.asarray(num_min, dtype=np.int64).ravel(), (n,))
    if np.any(num_min <= 0):
        raise ValueError("buddy check: num_min must be > 0")
    present = np.isfinite(values) & geometry.placed
    v = values.astype(np.float32)
    z = np.asarray(elevation, dtype=np.float32)
    to_test = present.copy()
    if obs_to_check is not None and len(obs_to_check) == n:  # titanlib: other lengths test all
        to_test &= np.asarray(obs_to_check) == 1

    a, b, distance = geometry.pairs(present, float(radius.max()) if n else 0.0)
    if max_elev_diff > 0:
        level = np.abs(z[b] - z[a]) <= np.float32(max_elev_diff)
        gradient = float(np.float32(elev_gradient))
    else:
        level, gradient = None, 0.0
    if n == 0 or np.all(radius == radius[0]):  # one radius: each pair counts both ways
        candidates = np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
        if level is not None:
            a, b = a[level], b[level]
        sides = [(a, b), (b, a)]  # (station, buddy)
    else:  # per-station radius: b is a candidate of a when within radius[a], and vice versa
        ab, ba = distance <= radius[a], distance <= radius[b]
        candidates = np.bincount(a[ab], minlength=n) + np.bincount(b[ba], minlength=n)
        if level is not None:
            ab, ba = ab & level, ba & level
        sides = [(a[ab], b[ab]), (b[ba], a[ba])]
    # a buddy's value adjusted to the station's elevation is w_j + gradient * z_i, so the
    # buddies' variance is that of w_j and their mean that of w_j plus gradient * z_i
    value = v.astype(np.float64)
    w = value - gradient * z.astype(np.float64) if gradient else value.copy()
    w -= np.median(w[present]) if present.any() else 0.0  # keeps sums of squares accurate
    shift = value - w
    sides = [(i, j, w[j]) for i, j in sides]

    flags = np.zeros(n, dtype=np.int8)
    tested = np.zeros(n, dtype=bool)
    mean = np.full(n, np.nan)
    spread = np.full(n, np.nan)
    count = np.zeros(n, dtype=np.int64)
    retest = to_test & (candidates >= num_min)
    for iteration in range(num_iterations):
        if not retest.any():
            break
        n_i, total, squares = np.zeros(n), np.zeros(n), np.zeros(n)
        for i, j, x in sides:
            if iteration:  # only the retested stations, against buddies still unflagged
                use = retest[i] & (flags[j] == 0)
                i, x = i[use], x[use]
            n_i += np.bincount(i, minlength=n)
            total += np.bincount(i, x, minlength=n)
            squares += np.bincount(i, x * x, minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = total / n_i
            var = np.maximum(squares / n_i - m * m, 0.0)
            std = np.maximum(np.sqrt(var + var / n_i).astype(np.float32), np.float32(min_std))
            m += shift
            pog = np.abs(value - m) / std
        enough = retest & (n_i >= num_min)
        tested[retest] = enough[retest]
        mean[retest] = np.where(enough, m, np.nan)[retest]
        spread[retest] = np.where(enough, std, np.nan)[retest]
        count[retest] = n_i[retest]
        newly = enough & (pog > np.float32(threshold))
        if not newly.any():
            break
        flags[newly] = 1
        # next pass: only stations that just lost a buddy can change their verdict
        lost = np.zeros(n, dtype=bool)
        for i, j, _ in sides:
            lost[i[newly[j]]] = True
        retest = lost & (flags == 0) & to_test & (candidates >= num_min)
    return BuddyOutcome(flags, tested, mean, spread, count)


def check(batch: Batch, params: Mapping[str, Any]) -> CheckResult:
    lat, lon, elevation = batch.position
    outcome = buddy_check(lat, lon, elevation, batch.values, params["radius"], params["num_min"],
                          params["threshold"], params["max_elev_diff"], params["elev_gradient"],
                          params["min_std"], params["num_iterations"], geometry=batch.geometry)
    flags = np.where(outcome.tested | (outcome.flags == 1), Flag.CORRECT, Flag.NOT_CHECKED)
    hit = np.flatnonzero(outcome.flags == 1)
    flags[hit] = params["severity"]
    reasons = {
        int(i): (f"{batch.values[i]:.6g} vs buddy mean {outcome.mean[i]:.4g} "
                 f"(|diff| {abs(batch.values[i] - outcome.mean[i]):.3g} > {params['threshold']:g} "
                 f"x std {outcome.spread[i]:.3g}, {outcome.buddies[i]} buddies)")
        for i in hit
    }
    return CheckResult(flags.astype(np.uint8), reasons)
