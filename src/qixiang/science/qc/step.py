"""Temporal step: a value that jumped too far from the value ``lag_hours`` earlier is suspect.

Compares with the history row exactly ``lag_hours`` back; without that row, or with either value
missing, or without a ``max_step`` for the element, the check does not apply (9). The current
value is the one flagged: the earlier one has already been through QC.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qixiang.science import elements
from qixiang.science.qc.flags import Flag
from qixiang.science.qc.interface import Batch, CheckResult

NAME = "step"
KIND = "temporal"


def check(batch: Batch, params: Mapping[str, Any]) -> CheckResult:
    n = len(batch)
    if batch.history is None or "max_step" not in params:
        return CheckResult.not_applicable(n)
    lag = float(params.get("lag_hours", 1.0))
    rows = np.flatnonzero(np.isclose(batch.history_hours, lag, rtol=0.0, atol=1e-6))
    if len(rows) == 0:
        return CheckResult.not_applicable(n)
    before = batch.history[rows[0]]
    change = batch.values - before
    applies = ~np.isnan(change)
    limit = float(params["max_step"])
    jumped = applies & (np.abs(change) > limit)
    flags = np.where(applies, Flag.CORRECT, Flag.NOT_CHECKED).astype(np.uint8)
    flags[jumped] = params["severity"]
    unit = elements.BY_CODE[batch.element].unit if batch.element in elements.BY_CODE else ""
    reasons = {int(i): f"changed by {change[i]:+.4g} {unit} in {lag:g} h (limit {limit:g})"
               for i in np.flatnonzero(jumped)}
    return CheckResult(flags, reasons)
