"""Quality control to CMA conventions, one module per check behind :mod:`.interface`.

>>> from qixiang.science import qc
>>> result = qc.run_batch(qc.Batch("TEM", values, ids, lat, lon, elevation, time=t))
>>> result.flags            # one CMA code per value: 0 correct, 1 suspect, 2 wrong, 8 missing ...
>>> result.reasons[17]      # (("buddy", "31.2 vs buddy mean 24.1 ..."),)
>>> qc.get_check("buddy")   # or one check by name, pysteps style
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import numpy as np

from qixiang.science.qc.config import Config
from qixiang.science.qc.flags import Flag, combine
from qixiang.science.qc.interface import Batch, CheckResult, QCResult

__all__ = ["Batch", "CheckResult", "Config", "Flag", "QCResult", "bit", "get_check", "names",
           "run_batch"]

# Registry order fixes each check's bit in QCResult.fired: append new checks, never reorder.
_MODULES = {
    "range": "qixiang.science.qc.range",
    "climatology": "qixiang.science.qc.climatology",
    "extremes": "qixiang.science.qc.extremes",
    "consistency": "qixiang.science.qc.consistency",
    "step": "qixiang.science.qc.step",
    "persistence": "qixiang.science.qc.persistence",
    "buddy": "qixiang.science.qc.buddy",
    "sct": "qixiang.science.qc.sct",
    "position": "qixiang.science.qc.position",
}


def names() -> list[str]:
    return list(_MODULES)


def bit(name: str) -> int:
    """The bit of check ``name`` in :attr:`QCResult.fired`."""
    return 1 << list(_MODULES).index(name)


def get_check(name: str) -> ModuleType:
    """The check module registered as ``name``; raises ``ValueError`` for an unknown name."""
    try:
        return importlib.import_module(_MODULES[name])
    except KeyError:
        raise ValueError(f"unknown QC check {name!r}; known: {', '.join(_MODULES)}") from None


def run_batch(batch: Batch, config: Config | None = None, checks: Sequence[str] | None = None,
              params: Mapping[str, Mapping[str, Any]] | None = None) -> QCResult:
    """Run the element's checks over ``batch`` and combine them (see :mod:`.interface`).

    ``config`` defaults to the packaged ``qc.toml``; ``checks`` overrides the configured list;
    ``params`` overrides parameters per check (``{"buddy": {"threshold": 3.0}}``), e.g. to pass
    a climatology table already in memory.
    """
    from qixiang.science.qc import config as qc_config

    config = config or qc_config.default()
    order = list(checks) if checks is not None else config.checks(batch.element)
    modules = {name: get_check(name) for name in order}
    n = len(batch)

    def run(name: str, target: Batch) -> CheckResult:
        own = config.params(batch.element, name) | dict((params or {}).get(name, {}))
        return modules[name].check(target, own)

    results: dict[str, CheckResult] = {}
    wrong = np.zeros(n, dtype=bool)
    for name in order:
        if modules[name].KIND != "spatial":
            results[name] = run(name, batch)
            wrong |= results[name].flags == Flag.WRONG
    spatial = [name for name in order if modules[name].KIND == "spatial"]
    if spatial:
        target = batch.with_values(np.where(wrong, np.nan, batch.values)) if wrong.any() else batch
        target.geometry  # noqa: B018  (built once, before the threads share it)
        with ThreadPoolExecutor(len(spatial)) as pool:  # independent: one core each
            for name, result in zip(spatial, pool.map(lambda name: run(name, target), spatial),
                                    strict=True):
                results[name] = result

    verdicts: dict[str, np.ndarray] = {}
    reasons: dict[int, list[tuple[str, str]]] = {}
    fired = np.zeros(n, dtype=np.uint16)
    for name in order:
        result = results[name]
        verdicts[name] = result.flags
        hit = (result.flags == Flag.SUSPECT) | (result.flags == Flag.WRONG)
        fired[hit] |= np.uint16(bit(name))
        for index, reason in result.reasons.items():
            reasons.setdefault(index, []).append((name, reason))
    flags = combine(list(verdicts.values()), batch.missing)
    per_value: list[tuple[tuple[str, str], ...]] = [()] * n
    for index, items in sorted(reasons.items()):
        per_value[index] = tuple(items)
    return QCResult(batch.element, flags, fired, per_value, verdicts)
