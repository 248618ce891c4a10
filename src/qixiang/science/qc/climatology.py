"""Climatological limits: a value outside its station's limits for the month is wrong.

The limits come from a table (:mod:`.tables`) per station and month, the month taken in local
time (``utc_offset_hours``, Beijing time by default, as CMA statistics are kept).
:func:`compute_table` derives such a table from archived values: the robust centre plus or minus
``k`` robust standard deviations, never narrower than the archive's own 0.1-99.9 % range.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import numpy as np

from qixiang.science import elements
from qixiang.science.qc.flags import Flag
from qixiang.science.qc.interface import Batch, CheckResult
from qixiang.science.qc.tables import LimitTable, resolve

NAME = "climatology"
KIND = "limit"


def check(batch: Batch, params: Mapping[str, Any]) -> CheckResult:
    table = resolve(params.get("table"))
    if table is None or batch.time is None:
        return CheckResult.not_applicable(len(batch))
    month = (batch.time + timedelta(hours=float(params.get("utc_offset_hours", 8)))).month
    low, high = table.lookup(batch.element, batch.station_ids, month)
    values = batch.values
    applies = ~np.isnan(values) & ~np.isnan(low) & ~np.isnan(high)
    outside = applies & ((values < low) | (values > high))
    flags = np.where(applies, Flag.CORRECT, Flag.NOT_CHECKED).astype(np.uint8)
    flags[outside] = params["severity"]
    unit = elements.BY_CODE[batch.element].unit if batch.element in elements.BY_CODE else ""
    reasons = {int(i): f"{values[i]:.6g} {unit} outside the month-{month} climatological limits "
               f"[{low[i]:.4g}, {high[i]:.4g}]" for i in np.flatnonzero(outside)}
    return CheckResult(flags, reasons)


def compute_table(station_ids: np.ndarray, months: np.ndarray, values: np.ndarray, element: str,
                  k: float = 6.0, min_count: int = 60) -> LimitTable:
    """Per station-month limits for ``element`` from archived values.

    ``months`` (1-12, local time) and ``values`` align with ``station_ids``; NaN values are
    ignored; a station-month with fewer than ``min_count`` values gets no row.
    """
    ids = np.asarray(station_ids).astype(str)
    months = np.asarray(months, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    keep = ~np.isnan(values)
    ids, months, values = ids[keep], months[keep], values[keep]
    order = np.lexsort((values, months, ids))
    ids, months, values = ids[order], months[order], values[order]
    starts = np.flatnonzero(np.r_[True, (ids[1:] != ids[:-1]) | (months[1:] != months[:-1])])
    ends = np.r_[starts[1:], len(values)]
    rows: dict[str, list] = {"station": [], "month": [], "low": [], "high": []}
    for start, end in zip(starts, ends, strict=True):
        if end - start < min_count:
            continue
        group = values[start:end]  # sorted
        centre = np.median(group)
        spread = 1.4826 * np.median(np.abs(group - centre))
        q_low, q_high = np.quantile(group, [0.001, 0.999])
        rows["station"].append(ids[start])
        rows["month"].append(int(months[start]))
        rows["low"].append(min(centre - k * spread, q_low))
        rows["high"].append(max(centre + k * spread, q_high))
    return LimitTable(station=rows["station"], element=[element] * len(rows["station"]),
                      month=rows["month"], low=rows["low"], high=rows["high"])
