"""Persistence: a sensor stuck on one value for hours, where the weather makes it vary.

The value and every history value of the last ``window_hours`` staying within ``tolerance`` of
each other, with at least ``min_values`` values in the window (the current one included), is
suspect. Values in ``exempt`` may legitimately persist (calm wind, saturated air), so a run of
them passes. Without history the check does not apply (9).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qixiang.science.qc.flags import Flag
from qixiang.science.qc.interface import Batch, CheckResult

NAME = "persistence"
KIND = "temporal"


def check(batch: Batch, params: Mapping[str, Any]) -> CheckResult:
    n = len(batch)
    if batch.history is None:
        return CheckResult.not_applicable(n)
    window = float(params.get("window_hours", 6.0))
    rows = batch.history_hours <= window + 1e-6
    series = np.vstack([batch.values[None, :], batch.history[rows]])  # (T + 1, N)
    count = np.sum(~np.isnan(series), axis=0)
    present = ~np.isnan(batch.values)
    applies = present & (count >= int(params.get("min_values", 6)))
    with np.errstate(invalid="ignore"):
        span = np.nanmax(np.where(applies, series, 0.0), axis=0) - np.nanmin(
            np.where(applies, series, 0.0), axis=0)
    stuck = applies & (span <= float(params.get("tolerance", 0.0)))
    exempt = np.isin(batch.values, np.asarray(params.get("exempt", []), dtype=np.float64))
    stuck &= ~exempt
    flags = np.where(applies, Flag.CORRECT, Flag.NOT_CHECKED).astype(np.uint8)
    flags[stuck] = params["severity"]
    reasons = {int(i): f"unchanged at {batch.values[i]:.6g} over {count[i]} values in "
               f"{window:g} h" for i in np.flatnonzero(stuck)}
    return CheckResult(flags, reasons)
