"""Range check: a value outside the sensor and format range of its element cannot be right.

The range is ``elements.valid_range`` of the element, narrowed or widened by the ``low`` and
``high`` parameters. Failing gives 2 (wrong) by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qixiang.science import elements
from qixiang.science.qc.flags import Flag
from qixiang.science.qc.interface import Batch, CheckResult

NAME = "range"
KIND = "limit"


def limits(element: str, params: Mapping[str, Any]) -> tuple[float, float] | None:
    """(low, high) for ``element``: the parameters, else the vocabulary's valid range."""
    known = elements.BY_CODE.get(element)
    low, high = known.valid_range if known else (None, None)
    low, high = params.get("low", low), params.get("high", high)
    return None if low is None or high is None else (float(low), float(high))


def check(batch: Batch, params: Mapping[str, Any]) -> CheckResult:
    bounds = limits(batch.element, params)
    if bounds is None:
        return CheckResult.not_applicable(len(batch))
    low, high = bounds
    values = batch.values
    present = ~np.isnan(values)
    outside = present & ((values < low) | (values > high))
    flags = np.where(present, Flag.CORRECT, Flag.NOT_CHECKED).astype(np.uint8)
    flags[outside] = params["severity"]
    unit = elements.BY_CODE[batch.element].unit if batch.element in elements.BY_CODE else ""
    reasons = {int(i): f"{values[i]:.6g} {unit} outside the range [{low:g}, {high:g}]".replace(
        "  ", " ") for i in np.flatnonzero(outside)}
    return CheckResult(flags, reasons)
