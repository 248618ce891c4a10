"""Station records: a value beyond its station's record low or high is suspect.

A new record does happen, so exceeding one is suspect (1), not wrong. Records come from a table
(:mod:`.tables`, month 0) and ``margin`` widens them; :func:`compute_records` derives the table
from archived values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qixiang.science import elements
from qixiang.science.qc.flags import Flag
from qixiang.science.qc.interface import Batch, CheckResult
from qixiang.science.qc.tables import LimitTable, resolve

NAME = "extremes"
KIND = "limit"


def check(batch: Batch, params: Mapping[str, Any]) -> CheckResult:
    table = resolve(params.get("table"))
    if table is None:
        return CheckResult.not_applicable(len(batch))
    low, high = table.lookup(batch.element, batch.station_ids)
    margin = float(params.get("margin", 0.0))
    values = batch.values
    applies = ~np.isnan(values) & ~np.isnan(low) & ~np.isnan(high)
    below = applies & (values < low - margin)
    above = applies & (values > high + margin)
    flags = np.where(applies, Flag.CORRECT, Flag.NOT_CHECKED).astype(np.uint8)
    flags[below | above] = params["severity"]
    unit = elements.BY_CODE[batch.element].unit if batch.element in elements.BY_CODE else ""
    reasons = {int(i): f"{values[i]:.6g} {unit} below the station record low {low[i]:.4g}"
               for i in np.flatnonzero(below)}
    reasons |= {int(i): f"{values[i]:.6g} {unit} above the station record high {high[i]:.4g}"
                for i in np.flatnonzero(above)}
    return CheckResult(flags, reasons)


def compute_records(station_ids: np.ndarray, values: np.ndarray, element: str) -> LimitTable:
    """Record low and high per station of archived (quality-controlled) ``values``."""
    ids = np.asarray(station_ids).astype(str)
    values = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(values)
    stations, inverse = np.unique(ids[keep], return_inverse=True)
    low = np.full(len(stations), np.inf)
    high = np.full(len(stations), -np.inf)
    np.minimum.at(low, inverse, values[keep])
    np.maximum.at(high, inverse, values[keep])
    return LimitTable(station=stations, element=[element] * len(stations),
                      month=np.zeros(len(stations), dtype=np.int64), low=low, high=high)
