"""Spatial consistency test (SCT): each value against what its neighbours predict for it.

After titanlib's ``sct`` (Lussana et al. 2010, QJRMS 136:1075), vectorised over the batch:

1. **Neighbourhood.** The ``num_max`` nearest unflagged stations within ``outer_radius`` metres,
   not the station itself; fewer than ``num_min`` and the value is not tested (9).
2. **Background.** A vertical profile ``t0 + gamma * z`` fitted to the neighbours, with the lapse
   rate shrunk toward ``elev_gradient`` as if that prior were backed by stations spread over
   ``min_elev_diff`` metres (so flat terrain keeps the prior), and fixed to it below
   ``num_min_prof`` neighbours. titanlib fits a five-parameter inversion profile per box instead.
3. **Cross-validation.** Optimal interpolation of the neighbours' departures from the background
   to the station, the station left out: Gaussian correlations in distance (scale: the mean
   distance to the neighbours, at least ``min_horizontal_scale``) and in elevation difference
   (``vertical_scale``), ``eps2`` the ratio of observation to background error variance. The
   departure from that estimate, divided by its OI-predicted standard deviation, is scaled by
   the spread of the same quantity around the station: a trimmed standard deviation over each
   neighbourhood, then its median over the station's neighbours (at least ``min_std`` in the
   element's unit), so the test calibrates itself where ``eps2`` is not exact and the spread of
   16 values alone does not give the score heavy tails.
4. **Test.** The squared scaled departure is the score; above ``pos`` (value too high) or
   ``neg`` (too low) the value is suspect. A gross error also spoils its neighbours' estimates,
   so each pass flags only values whose score is the highest among their neighbours', then
   re-tests the stations whose neighbourhood lost a member; after ``num_iterations`` passes
   whatever still exceeds is flagged.

titanlib instead solves one OI per box of up to ``num_max`` stations and flags every station of
the inner circle above the threshold in the same pass.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from scipy.special import ndtri

from qixiang.science.qc.flags import Flag
from qixiang.science.qc.interface import Batch, CheckResult
from qixiang.science.qc.neighbours import Geometry

NAME = "sct"
KIND = "spatial"
CHUNK = 4096  # stations per batched solve: bounds memory to a few tens of MB
THREADS = os.cpu_count() or 1


@dataclass(slots=True)
class SctOutcome:
    flags: np.ndarray  # (N,) int8: 1 flagged
    tested: np.ndarray  # (N,) bool
    score: np.ndarray  # (N,) squared scaled departure (0 where not tested)
    estimate: np.ndarray  # (N,) cross-validation estimate of the value (NaN where not tested)
    spread: np.ndarray  # (N,) standard deviation of the departure used in the score


def _masked_median(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    ordered = np.sort(np.where(valid, x, np.inf), axis=1)
    count = np.maximum(valid.sum(axis=1), 1)
    lo = np.take_along_axis(ordered, ((count - 1) // 2)[:, None], axis=1)[:, 0]
    hi = np.take_along_axis(ordered, (count // 2)[:, None], axis=1)[:, 0]
    return 0.5 * (lo + hi)


def _robust_spread(departure: np.ndarray, around: np.ndarray, trim: float = 0.125) -> np.ndarray:
    """Trimmed standard deviation of the departures of each row's neighbours.

    The largest ``trim`` of the absolute deviations from the median are left out (a gross error
    among the neighbours must not widen the spread) and the rest scaled back to a Gaussian
    standard deviation: far less noisy than the median absolute deviation from 16 values.
    """
    valid = around >= 0
    u = np.where(valid, departure[np.where(valid, around, 0)], 0.0)
    centre = _masked_median(u, valid)
    dev = np.sort(np.where(valid, np.abs(u - centre[:, None]), np.inf), axis=1)
    count = valid.sum(axis=1)
    kept = np.maximum(np.ceil((1.0 - trim) * count), 1).astype(np.int64)
    use = np.arange(u.shape[1])[None, :] < kept[:, None]
    mean_square = np.where(use, dev, 0.0) ** 2
    fraction = kept / np.maximum(count, 1)
    q = ndtri(0.5 + 0.5 * np.minimum(fraction, 1.0 - 1e-9))
    truncated = 1.0 - 2.0 * q * np.exp(-0.5 * q * q) / np.sqrt(2.0 * np.pi) / fraction
    return np.sqrt(mean_square.sum(axis=1) / kept / np.maximum(truncated, 1e-6))


def _touching(mask: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Rows in ``mask`` or with a neighbour in it."""
    near = chosen >= 0
    near[near] = mask[chosen[near]]
    return mask | near.any(axis=1)


@dataclass(slots=True)
class _Setup:
    values: np.ndarray
    z: np.ndarray
    xyz: np.ndarray  # float32
    candidates: np.ndarray  # (N, K) nearest present stations, -1 = none
    distances: np.ndarray  # (N, K)
    p: dict[str, Any]


def _select(s: _Setup, rows: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The num_max nearest usable candidates of each row: (indices with -1, distances)."""
    cand = s.candidates[rows]
    ok = cand >= 0
    ok[ok] = usable[cand[ok]]
    order = np.argsort(~ok, axis=1, kind="stable")[:, : s.p["num_max"]]
    chosen = np.where(np.take_along_axis(ok, order, axis=1),
                      np.take_along_axis(cand, order, axis=1), -1)
    return chosen, np.take_along_axis(s.distances[rows], order, axis=1)


def _cross_validate(s: _Setup, rows: np.ndarray, chosen: np.ndarray, dist: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(estimate, departure in OI units, OI standard deviation) for each row."""
    p = s.p
    valid = chosen >= 0
    w = valid.astype(np.float64)
    safe = np.where(valid, chosen, 0)
    n = np.maximum(w.sum(axis=1), 1.0)
    zj = s.z[safe] * w
    vj = s.values[safe] * w
    zbar, vbar = zj.sum(axis=1) / n, vj.sum(axis=1) / n
    dz = (zj - zbar[:, None]) * w
    dv = (vj - vbar[:, None]) * w
    prior = n * p["min_elev_diff"] ** 2 / 12.0
    gamma = ((dz * dv).sum(axis=1) + prior * p["elev_gradient"]) / ((dz * dz).sum(axis=1) + prior)
    gamma = np.where(valid.sum(axis=1) >= p["num_min_prof"], gamma, p["elev_gradient"])
    t0 = vbar - gamma * zbar
    dj = (vj - (t0[:, None] + gamma[:, None] * zj)) * w
    zi = s.z[rows]
    background = t0 + gamma * zi
    di = s.values[rows] - background

    scale = np.maximum(p["min_horizontal_scale"], np.where(valid, dist, 0.0).sum(axis=1) / n)
    # correlations in float32 (the matrices are well conditioned: eigenvalues >= eps2). In
    # coordinates r scaled by the correlation lengths (horizontal, relative to the tested station,
    # and elevation) the correlation is exp(-|r_j - r_k|^2 / 2), and with a_j = (r_j, -|r_j|^2/2,
    # 1), b_k = (r_k, 1, -|r_k|^2/2) the exponent is a_j . b_k: one batched matmul
    f32 = np.float32
    m, k = valid.shape
    a = np.empty((m, k, 6), dtype=f32)
    a[..., :3] = (s.xyz[safe] - s.xyz[rows][:, None, :]) / scale.astype(f32)[:, None, None]
    a[..., 3] = (zj - zi[:, None]) / p["vertical_scale"]
    half_square = 0.5 * np.einsum("mkc,mkc->mk", a[..., :4], a[..., :4])
    b = a.copy()
    a[..., 4], a[..., 5] = -half_square, 1.0
    b[..., 4], b[..., 5] = 1.0, -half_square
    corr = np.matmul(a, b.transpose(0, 2, 1))
    np.exp(corr, out=corr)
    rho = np.exp(-half_square)
    if not valid.all():
        wf = w.astype(f32)
        corr *= wf[:, :, None] * wf[:, None, :]
        rho *= wf
    corr[:, np.arange(k), np.arange(k)] = f32(1.0 + p["eps2"])
    weights = np.linalg.solve(corr, rho[..., None])[..., 0]  # A^-1 rho (A is symmetric)
    analysed = (weights * dj).sum(axis=1, dtype=np.float64)
    explained = (weights * rho).sum(axis=1, dtype=np.float64)
    sd = np.sqrt(np.maximum(1.0 + p["eps2"] - explained, p["eps2"]))
    return background + analysed, (di - analysed) / sd, sd


def _evaluate(s: _Setup, rows: np.ndarray, *, usable: np.ndarray):
    chosen, dist = _select(s, rows, usable)
    return chosen, _cross_validate(s, rows, chosen, dist)


def sct(lat: np.ndarray, lon: np.ndarray, elevation: np.ndarray, values: np.ndarray, *,
        num_min: int, num_max: int, outer_radius: float, num_iterations: int, num_min_prof: int,
        min_elev_diff: float, min_horizontal_scale: float, vertical_scale: float, pos: float,
        neg: float, eps2: float, elev_gradient: float, min_std: float,
        obs_to_check: np.ndarray | None = None, geometry: Geometry | None = None,
        **_: Any) -> SctOutcome:
    """Flags of the spatial consistency test (see the module docstring); arrays are (N,)."""
    if num_min < 2 or num_max < num_min:
        raise ValueError("sct: need 2 <= num_min <= num_max")
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[0]
    geometry = geometry if geometry is not None else Geometry(lat, lon)
    z = np.asarray(elevation, dtype=np.float64)
    present = np.isfinite(values) & np.isfinite(z) & geometry.placed
    to_test = present.copy()
    if obs_to_check is not None:
        to_test &= np.asarray(obs_to_check) == 1
    p = {"num_min": num_min, "num_max": num_max, "num_min_prof": num_min_prof,
         "min_elev_diff": float(min_elev_diff), "elev_gradient": float(elev_gradient),
         "min_horizontal_scale": float(min_horizontal_scale),
         "vertical_scale": float(vertical_scale), "eps2": float(eps2)}
    spare = 2  # replacements for neighbours flagged on the way
    stations = np.flatnonzero(present)
    candidates = np.full((n, num_max + spare), -1)
    distances = np.full((n, num_max + spare), np.inf)
    candidates[stations], distances[stations] = geometry.nearest(
        present, num_max + spare, outer_radius, query=stations)
    s = _Setup(np.where(present, values, 0.0), np.where(present, z, 0.0),
               geometry.xyz, candidates, distances, p)

    flags = np.zeros(n, dtype=np.int8)
    chosen = np.full((n, num_max), -1)
    estimate = np.full(n, np.nan)
    departure = np.zeros(n)  # in OI units
    oi_sd = np.ones(n)
    score = np.zeros(n)
    local = np.full(n, np.nan)  # robust spread of the neighbours' departures
    spread = np.full(n, np.nan)
    tested = np.zeros(n, dtype=bool)
    changed = stations  # rows whose neighbourhood (and so departure) must be recomputed
    thresholds = np.array([neg, pos], dtype=np.float64)
    for iteration in range(num_iterations):
        usable = present & (flags == 0)
        chunks = [changed[start:start + CHUNK] for start in range(0, len(changed), CHUNK)]
        with ThreadPoolExecutor(min(THREADS, len(chunks)) or 1) as pool:  # numpy frees the GIL
            for rows, (picked, estimated) in zip(chunks, pool.map(
                    partial(_evaluate, s, usable=usable), chunks), strict=True):
                chosen[rows] = picked
                estimate[rows], departure[rows], oi_sd[rows] = estimated
        # the departures' local robust spread, then its median over the neighbourhood: a
        # spread from 16 neighbours alone is too noisy and would give the score heavy tails
        if iteration == 0:
            moved = present
        else:
            moved = np.zeros(n, dtype=bool)
            moved[changed] = True
            moved = _touching(moved, chosen) & present
        rows = np.flatnonzero(moved)
        local[rows] = _robust_spread(departure, chosen[rows])
        rescore = to_test & (flags == 0)
        rows = np.flatnonzero(rescore if iteration == 0 else _touching(moved, chosen) & rescore)
        around = chosen[rows]
        valid = around >= 0
        enough = valid.sum(axis=1) >= num_min
        pooled = _masked_median(np.c_[local[rows], local[np.where(valid, around, 0)]],
                                np.c_[np.ones(len(rows), dtype=bool), valid])
        sigma = np.maximum(pooled, min_std / oi_sd[rows])
        tested[rows] = enough
        score[rows] = np.where(enough, (departure[rows] / sigma) ** 2, 0.0)
        spread[rows] = np.where(enough, sigma * oi_sd[rows], np.nan)

        over = score / thresholds[(departure > 0).astype(int)]
        exceed = tested & (flags == 0) & (over > 1.0)
        if not exceed.any():
            break
        worst = exceed.copy()
        if iteration < num_iterations - 1:
            rows = np.flatnonzero(exceed)
            around = chosen[rows]
            rival = np.where(around >= 0, np.where(exceed, over, 0.0)[np.maximum(around, 0)], 0.0)
            worst[rows] = over[rows] >= rival.max(axis=1)
        flags[worst] = 1
        lost = (chosen >= 0) & worst[np.maximum(chosen, 0)]
        changed = np.flatnonzero(lost.any(axis=1) & present & (flags == 0))
    estimate[~tested] = np.nan
    return SctOutcome(flags, tested, score, estimate, spread)


def check(batch: Batch, params: Mapping[str, Any]) -> CheckResult:
    lat, lon, elevation = batch.position
    options = {k: v for k, v in params.items() if k != "severity"}
    outcome = sct(lat, lon, elevation, batch.values, geometry=batch.geometry, **options)
    flags = np.where(outcome.tested | (outcome.flags == 1), Flag.CORRECT, Flag.NOT_CHECKED)
    hit = np.flatnonzero(outcome.flags == 1)
    flags[hit] = params["severity"]
    reasons = {int(i): (f"{batch.values[i]:.6g} vs cross-validation estimate "
                        f"{outcome.estimate[i]:.4g} from its neighbours (departure "
                        f"{batch.values[i] - outcome.estimate[i]:+.3g}, "
                        f"{np.sqrt(outcome.score[i]):.1f} std)")
               for i in hit}
    return CheckResult(flags.astype(np.uint8), reasons)
