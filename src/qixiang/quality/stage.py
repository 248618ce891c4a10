"""The QC stage of the ingest flow: a batch of values in, a CMA flag, checks and reasons out.

:func:`assign` is what :mod:`qixiang.observations.flags` calls for every batch the pipeline
stores (the app plugs it in at start). It cuts the batch into one :class:`qixiang.science.qc.Batch`
per element and time and runs :func:`qixiang.science.qc.run_batch` on each, with the context the
checks need:

- **positions**: each report's own position (as it gave it) and the station's registered one
  from the registry (:mod:`.registry`); an empty registry means no identity checks, not that
  every station is unknown. A registered position its WMO block contradicts
  (:mod:`.identity`) makes the station's values suspect for the position check.
- **earlier values** for the step and persistence checks, from the batch itself and the
  observations table (:mod:`.history`), at the offsets the configuration asks for: every hour
  for an hourly station, every ``sample_minutes`` for a minute station, whose step is taken over
  ``lag_minutes`` (``platform.toml``). Outliers are left out, so the value after a spike is not
  flagged for jumping back.
- **other elements of the same reports** for the consistency check, with values outside their
  element's valid range left out (one impossible temperature must not make the humidity
  suspect).
- **the network** at the same time for the buddy and SCT checks: the stored values of that time
  (read once per process) and the values this process checked since, and for stations that have
  not reported it yet their newest value of the last minutes (:mod:`.recent`). Only the batch's
  own values are flagged.

Missing values get 8, values no check could apply to 9; the codes combine as
:func:`qixiang.science.qc.flags.combine` says (the most severe verdict of the checks that applied).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from qixiang.observations.flags import Verdicts
from qixiang.quality import config as stage_config
from qixiang.quality import stored
from qixiang.quality.history import ElementHistory, top_of_hour
from qixiang.quality.recent import recent
from qixiang.quality.registry import Registry, registry
from qixiang.science import elements as vocabulary
from qixiang.science import qc
from qixiang.science.qc import consistency
from qixiang.science.qc import range as range_check
from qixiang.science.qc.flags import combine

if TYPE_CHECKING:
    from qixiang.observations.store import ValueRows

HOUR = timedelta(hours=1)
TEMPORAL = ("step", "persistence")
NOT_CHECKED, SUSPECT, WRONG = int(qc.Flag.NOT_CHECKED), int(qc.Flag.SUSPECT), int(qc.Flag.WRONG)
CONTEXT_REACH = 1.5  # the network around a group: this many spatial search radii of its values

# Elements the consistency relations compare with each other.
PARTNERS = frozenset(
    {code for pair in consistency.TEMPERATURE_ORDER for code in pair}
    | set(consistency.PRECIPITATION) | {"RHU"}
    | {code for pair in consistency.WIND for code in pair})


@cache
def _kind(name: str) -> str:
    return qc.get_check(name).KIND


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _floats(column: Sequence[float | None], n: int) -> np.ndarray:
    if len(column) != n:
        return np.full(n, np.nan)
    return np.array([np.nan if v is None else float(v) for v in column], dtype=np.float64)


class _Context:
    """What every group of one batch shares: configuration, registry, earlier values."""

    def __init__(self, rows: ValueRows, config: stage_config.StageConfig) -> None:
        self.config = config
        self.registry: Registry = registry()
        self.outlier_bits = config.outlier_bits
        n = len(rows)
        self.ids = np.array(rows.station_ids, dtype=str)
        self.elements = list(rows.elements)
        self.times = [_utc(t) for t in rows.times]
        self.values = _floats(rows.values, n)
        self.lat = _floats(rows.lats, n)
        self.lon = _floats(rows.lons, n)
        self.elevation = _floats(rows.elevations, n)
        self.flags = np.full(n, NOT_CHECKED, dtype=np.uint8)
        self.fired = np.zeros(n, dtype=np.uint32)
        self.reasons = [""] * n
        self.history: dict[str, ElementHistory] = {}
        self.sample_minutes = int(config.setting("cadence", "sample_minutes", 10))
        self.probe = timedelta(minutes=int(config.setting("cadence", "probe_minutes", 10)))
        self.neighbour_window = timedelta(
            minutes=float(config.setting("neighbours", "window_minutes", 10)))

    def temporal_params(self, element: str, minute: bool) -> dict[str, dict]:
        """The step and persistence parameters for ``element`` at an hourly or minute station."""
        checks = self.config.checks
        out = {name: checks.params(element, name) for name in TEMPORAL}
        if minute:
            for name in TEMPORAL:
                override = self.config.minute_params(element, name)
                if "lag_minutes" in override:
                    override["lag_hours"] = timedelta(
                        minutes=float(override.pop("lag_minutes"))) / HOUR
                out[name] = out[name] | override
        return out

    def offsets(self, element: str, minute: bool) -> list[timedelta]:
        """How far back the temporal checks look for ``element``, as sampled times."""
        params = self.temporal_params(element, minute)
        lag = timedelta(hours=float(params["step"].get("lag_hours", 1.0)))
        sample = timedelta(minutes=self.sample_minutes) if minute else HOUR
        window = timedelta(hours=float(params["persistence"].get("window_hours", 6.0)))
        return sorted({lag, *(sample * k for k in range(1, int(window / sample) + 1))})

    def prefetch(self, element: str, idx: list[int]) -> None:
        stations = sorted({str(self.ids[k]) for k in idx})
        times = sorted({self.times[k] for k in idx})
        between = {str(self.ids[k]) for k in idx if not top_of_hour(self.times[k])}
        self.history[element] = ElementHistory(
            element, stations, times, between, self.offsets(element, False),
            self.offsets(element, True), self.probe, self.outlier_bits)

    def remember(self, element: str, when: datetime, idx: np.ndarray) -> None:
        """Record the group's checked values for later times of the batch and later batches."""
        outlier = (self.flags[idx] == WRONG) | (
            (self.fired[idx] & np.uint32(self.outlier_bits)) != 0)
        usable = np.where(outlier, np.nan, self.values[idx])
        ids = self.ids[idx]
        history = self.history.get(element)
        if history is not None:
            history.record(history.rows(ids.tolist()), when, usable)
        good = ~np.isnan(usable)
        if good.any():
            recent.record(element, when, dict(zip(ids[good].tolist(), usable[good].tolist(),
                                                  strict=True)))


def assign(rows: ValueRows) -> Verdicts:
    """The seam function (:data:`qixiang.observations.flags.ASSIGN`): QC of one batch."""
    return check_rows(rows)


def check_rows(rows: ValueRows, config: stage_config.StageConfig | None = None) -> Verdicts:
    """Flags, fired-check masks and reasons for every value of ``rows`` (see module docstring)."""
    n = len(rows)
    if n == 0:
        return Verdicts([], [], [])
    ctx = _Context(rows, config or stage_config.current())
    by_time: dict[datetime, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for k in range(n):
        by_time[ctx.times[k]][ctx.elements[k]].append(k)
    per_element: dict[str, list[int]] = defaultdict(list)
    for k, element in enumerate(ctx.elements):
        per_element[element].append(k)
    for element, idx in per_element.items():
        if any(_kind(name) == "temporal" for name in ctx.config.checks.checks(element)):
            ctx.prefetch(element, idx)

    for when in sorted(by_time):
        groups = by_time[when]
        others = _others_at(ctx, groups)
        spatial = [e for e in groups
                   if any(_kind(name) == "spatial" for name in ctx.config.checks.checks(e))]
        unread = recent.unloaded(spatial, when)
        for element, values in stored.network_at(unread, when, ctx.outlier_bits).items():
            recent.record(element, when, values)
        for element, idx in groups.items():
            _check_group(ctx, element, when, np.array(idx, dtype=np.intp), others)
    return Verdicts([int(f) for f in ctx.flags], [int(b) for b in ctx.fired], ctx.reasons)


def _others_at(ctx: _Context, groups: dict[str, list[int]]) -> dict[str, dict[str, float]]:
    """element -> {station: value} of the consistency partners at one time, impossible values
    left out."""
    out: dict[str, dict[str, float]] = {}
    for element, idx in groups.items():
        if element not in PARTNERS:
            continue
        bounds = range_check.limits(element, ctx.config.checks.params(element, "range"))
        column = out.setdefault(element, {})
        for k in idx:
            value = float(ctx.values[k])
            if bounds and not bounds[0] <= value <= bounds[1]:
                value = math.nan
            column[str(ctx.ids[k])] = value
    return out


def _check_group(ctx: _Context, element: str, when: datetime, idx: np.ndarray,
                 others_at: dict[str, dict[str, float]]) -> None:
    names = ctx.config.checks.checks(element)
    m = len(idx)
    ids = ctx.ids[idx]
    values = ctx.values[idx]
    lat, lon, elevation = ctx.lat[idx], ctx.lon[idx], ctx.elevation[idx]
    use_registry = len(ctx.registry) > 0
    reg = ctx.registry.positions(ids) if use_registry else (None, None, None)
    others = {code: np.array([column.get(s, math.nan) for s in ids])
              for code, column in others_at.items() if code != element}

    verdicts: dict[str, np.ndarray] = {}
    reasons: dict[str, dict[int, str]] = {}

    def take(result: qc.QCResult, rows: np.ndarray | None = None) -> None:
        for name, verdict in result.verdicts.items():
            full = verdicts.setdefault(name, np.full(m, NOT_CHECKED, dtype=np.uint8))
            target = np.arange(m) if rows is None else rows
            full[target] = verdict[:len(target)]
        for i, items in enumerate(result.reasons):
            if rows is None and i >= m:
                break
            row = i if rows is None else int(rows[i])
            for name, reason in items:
                reasons.setdefault(name, {})[row] = reason

    main = [c for c in names if _kind(c) != "temporal"]
    temporal = [c for c in names if _kind(c) == "temporal"]
    history = ctx.history.get(element)
    if not temporal or history is None:
        temporal = []
        minute = np.zeros(m, dtype=bool)
    else:
        at = history.rows(ids.tolist())
        minute = history.minute[at] | (not top_of_hour(when))
    together = bool(temporal) and (minute.all() or not minute.any())
    if main or together:
        # one run for every check when the group shares a cadence (the usual case)
        past = None
        params = None
        if together:
            offsets = ctx.offsets(element, bool(minute[0]))
            past = (history.matrix(at, when, offsets), np.array([o / HOUR for o in offsets]))
            params = ctx.temporal_params(element, bool(minute[0]))
        take(qc.run_batch(_with_context(ctx, element, when, ids, values, lat, lon, elevation,
                                        others, reg, main, past),
                          ctx.config.checks, checks=main + (temporal if together else []),
                          params=params))
        if together and minute[0] and "step" in temporal:
            _step_from_sample(ctx, element, when, ids, values, history, at, np.arange(m),
                              take, verdicts["step"])
    if temporal and not together:
        for is_minute in (False, True):
            rows = np.flatnonzero(minute == is_minute)
            if not len(rows):
                continue
            offsets = ctx.offsets(element, is_minute)
            batch = qc.Batch(element, values[rows], ids[rows], lat[rows], lon[rows],
                             elevation[rows], time=when,
                             history=history.matrix(at[rows], when, offsets),
                             history_hours=np.array([o / HOUR for o in offsets]))
            take(qc.run_batch(batch, ctx.config.checks, checks=temporal,
                              params=ctx.temporal_params(element, is_minute)), rows)
            if is_minute and "step" in temporal:
                _step_from_sample(ctx, element, when, ids, values, history, at, rows, take,
                                  verdicts["step"])

    if "position" in names and ctx.registry.doubts:
        severity = int(ctx.config.checks.params(element, "position").get("severity", 1))
        position = verdicts.setdefault("position", np.full(m, NOT_CHECKED, np.uint8))
        for i, station in enumerate(ids):
            doubt = ctx.registry.doubts.get(str(station))
            if doubt and not np.isnan(values[i]):
                position[i] = max(int(position[i]) if position[i] != NOT_CHECKED else 0,
                                  severity)
                known = reasons.setdefault("position", {})
                known[i] = f"{known[i]}; {doubt}" if i in known else doubt

    flags = combine(list(verdicts.values()), np.isnan(values))
    fired = np.zeros(m, dtype=np.uint32)
    for name, verdict in verdicts.items():
        hit = (verdict == SUSPECT) | (verdict == WRONG)
        fired[hit] |= np.uint32(qc.bit(name))
    ctx.flags[idx] = flags
    ctx.fired[idx] = fired
    for i, k in enumerate(idx):
        lines = [f"{name}: {reasons[name][i]}" for name in names
                 if name in reasons and i in reasons[name]]
        ctx.reasons[k] = "\n".join(lines)
    ctx.remember(element, when, idx)


def _step_from_sample(ctx: _Context, element: str, when: datetime, ids: np.ndarray,
                      values: np.ndarray, history: ElementHistory, at: np.ndarray,
                      rows: np.ndarray, take, step: np.ndarray) -> None:
    """A minute value whose minute before is missing or an outlier (the second minute of a
    run of spikes) takes its step from the first sample, ``sample_minutes`` back."""
    retry = rows[(step[rows] == NOT_CHECKED) & ~np.isnan(values[rows])]
    if not len(retry):
        return
    sample = timedelta(minutes=ctx.sample_minutes)
    params = ctx.temporal_params(element, True)["step"] | {"lag_hours": sample / HOUR}
    batch = qc.Batch(element, values[retry], ids[retry], np.full(len(retry), np.nan),
                     np.full(len(retry), np.nan), np.full(len(retry), np.nan), time=when,
                     history=history.matrix(at[retry], when, [sample]),
                     history_hours=np.array([sample / HOUR]))
    take(qc.run_batch(batch, ctx.config.checks, checks=["step"], params={"step": params}),
         retry)


def _near(ctx: _Context, element: str, checks: list[str], ids: np.ndarray, lat: np.ndarray,
          lon: np.ndarray, reg: tuple) -> set[str]:
    """Registered stations close enough to matter to the spatial checks of the group's values:
    within :data:`CONTEXT_REACH` times the widest search radius of those checks."""
    radius = 0.0
    for name in checks:
        if _kind(name) == "spatial":
            params = ctx.config.checks.params(element, name)
            radius = max(radius, float(params.get("outer_radius", params.get("radius", 0.0))))
    reg_lat, reg_lon, _ = reg
    if reg_lat is not None:
        lat = np.where(np.isfinite(reg_lat), reg_lat, lat)
        lon = np.where(np.isfinite(reg_lon), reg_lon, lon)
    return ctx.registry.near(lat, lon, radius * CONTEXT_REACH)


def _with_context(ctx: _Context, element: str, when: datetime, ids: np.ndarray,
                  values: np.ndarray, lat: np.ndarray, lon: np.ndarray, elevation: np.ndarray,
                  others: dict[str, np.ndarray], reg: tuple, checks: list[str],
                  past: tuple[np.ndarray, np.ndarray] | None = None) -> qc.Batch:
    """The group's batch, followed by the network's stations when a spatial check runs;
    ``past`` is the group's (history, history_hours) for the temporal checks, if they run."""
    history, hours = past if past is not None else (None, None)
    reg_lat, reg_lon, reg_elev = reg
    context: dict[str, float] = {}
    if any(_kind(c) == "spatial" for c in checks):
        context = recent.around(element, when, ctx.neighbour_window)
        mine = set(ids.tolist())
        near = _near(ctx, element, checks, ids, lat, lon, reg)
        context = {s: v for s, v in context.items() if s not in mine and s in near}
    if not context:
        return qc.Batch(element, values, ids, lat, lon, elevation, time=when, others=others,
                        registered_lat=reg_lat, registered_lon=reg_lon,
                        registered_elevation=reg_elev, history=history, history_hours=hours)
    c_ids = np.array(list(context), dtype=str)
    c_lat, c_lon, c_elev = ctx.registry.positions(c_ids)
    blank = np.full(len(c_ids), np.nan)

    def join(mine: np.ndarray | None, theirs: np.ndarray) -> np.ndarray | None:
        return None if mine is None else np.concatenate([mine, theirs])

    return qc.Batch(
        element, np.concatenate([values, np.array(list(context.values()))]),
        np.concatenate([ids, c_ids]), join(lat, blank), join(lon, blank),
        join(elevation, blank), time=when,
        others={code: join(column, blank) for code, column in others.items()},
        registered_lat=join(reg_lat, c_lat), registered_lon=join(reg_lon, c_lon),
        registered_elevation=join(reg_elev, c_elev),
        history=None if history is None else np.hstack(
            [history, np.full((history.shape[0], len(c_ids)), np.nan)]),
        history_hours=hours)


def label_checks(mask: int | None) -> list[str]:
    """The names of the checks whose bits are set in ``mask``."""
    return [name for name in qc.names() if (mask or 0) & qc.bit(name)]


def element_label(code: str, language: str) -> str:
    element = vocabulary.BY_CODE.get(code)
    return element.label(language) if element else code
