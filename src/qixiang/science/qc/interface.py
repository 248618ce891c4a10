"""The quality-control family: a batch of values in, one CMA code per value out, with reasons.

A **batch** (:class:`Batch`) is one element at one time over N stations, as numpy arrays:

``element``
    CMA element code (``"TEM"``); it selects the parameters in ``qc.toml``.
``values`` (N,)
    In the canonical unit of :mod:`qixiang.science.elements` (degC, hPa, %, mm, m/s ...);
    NaN means missing.
``station_ids`` (N,), ``lat``, ``lon`` (N,) degrees, ``elevation`` (N,) metres
    The stations and the positions *as reported* (NaN where the report gave none).
``time``
    The observation time, timezone-aware UTC (climatology reads its month).

Optional context, each used by the checks that need it and ignored otherwise:

``history`` (T, N) with ``history_hours`` (T,)
    Earlier values of the same element at the same stations, row ``t`` being
    ``history_hours[t]`` hours before ``time`` (step and persistence checks).
``others``
    Other elements at the same stations and time, ``{code: (N,) array}`` (consistency check).
``registered_lat``, ``registered_lon``, ``registered_elevation`` (N,)
    The positions in the station registry, NaN for a station the registry does not know
    (position check). Spatial checks place each value at its registered position where there is
    one and at the reported position otherwise: the registry is curated, a report's position can
    carry a wrongly signed longitude.

A **check** is a module of this package with:

``NAME: str``
    Its registry name (``"buddy"``); ``qc.get_check(NAME)`` returns the module.
``KIND: str``
    ``"limit"``, ``"consistency"``, ``"temporal"``, ``"spatial"`` or ``"identity"``.
``check(batch: Batch, params: Mapping[str, Any]) -> CheckResult``
    Pure and vectorised over the batch. ``params`` are the element's parameters from the
    configuration (:mod:`.config`), each documented in ``qc.toml``; ``params["severity"]`` is the
    code a failure gets (2 for limit checks, 1 for the others, by CMA convention).
    :class:`CheckResult` holds ``flags`` (N,) uint8 (0 passed, 1 suspect, 2 wrong, 9 the check
    could not apply to this value, e.g. it is missing, has no history or too few neighbours)
    and ``reasons``, a short English reason for every value flagged 1 or 2.

**Running the checks** — ``qc.run_batch(batch, config=None, checks=None, params=None) ->
QCResult`` runs the element's checks in the configured order (``config`` defaults to the packaged
``qc.toml``, see :mod:`.config`; ``checks`` replaces the configured list; ``params`` overrides
parameters per check, e.g. ``{"climatology": {"table": LimitTable(...)}}``). Limit, consistency, temporal and identity checks run first and
see the batch as given; then the spatial checks run side by side (one thread each) on the batch
with the values those flagged 2 treated as missing, so one impossible value does not make its
neighbours suspect. :class:`QCResult` holds:

``flags`` (N,) uint8
    The CMA code of each value (:mod:`.flags`): the most severe verdict of the checks that
    applied, 8 where missing, 9 where no check applied.
``fired`` (N,) uint16
    Bit ``qc.bit(name)`` set for every check that flagged the value (bits are fixed per check
    name, so a stored mask keeps its meaning when the configuration changes).
``reasons``
    One tuple per value of ``(check name, reason)`` pairs, empty when nothing fired.
``verdicts``
    ``{check name: (N,) uint8}``, each check's own verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from qixiang.science.qc.flags import Flag
from qixiang.science.qc.neighbours import Geometry


def _as_float(name: str, value: Any, n: int | None) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != 1 or (n is not None and array.shape[0] != n):
        raise ValueError(f"qc batch field {name!r}: expected shape ({n},), got {array.shape}")
    return array


@dataclass(frozen=True, eq=False)
class Batch:
    """One element at one time over N stations (see the module docstring)."""

    element: str
    values: np.ndarray
    station_ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    elevation: np.ndarray
    time: datetime | None = None
    history: np.ndarray | None = None
    history_hours: np.ndarray | None = None
    others: Mapping[str, np.ndarray] = field(default_factory=dict)
    registered_lat: np.ndarray | None = None
    registered_lon: np.ndarray | None = None
    registered_elevation: np.ndarray | None = None

    def __post_init__(self) -> None:
        put = object.__setattr__
        values = _as_float("values", self.values, None)
        n = values.shape[0]
        put(self, "values", values)
        ids = np.asarray(self.station_ids).astype(str)
        if ids.shape != (n,):
            raise ValueError(f"qc batch field 'station_ids': expected shape ({n},), got {ids.shape}")
        put(self, "station_ids", ids)
        for name in ("lat", "lon", "elevation"):
            put(self, name, _as_float(name, getattr(self, name), n))
        for name in ("registered_lat", "registered_lon", "registered_elevation"):
            if getattr(self, name) is not None:
                put(self, name, _as_float(name, getattr(self, name), n))
        if (self.history is None) != (self.history_hours is None):
            raise ValueError("qc batch fields 'history' and 'history_hours' come together")
        if self.history is not None:
            history = np.asarray(self.history, dtype=np.float64)
            hours = _as_float("history_hours", self.history_hours, None)
            if history.shape != (hours.shape[0], n):
                raise ValueError(f"qc batch field 'history': expected shape ({hours.shape[0]}, {n}), "
                                 f"got {history.shape}")
            if np.any(~(hours > 0)):
                raise ValueError("qc batch field 'history_hours': every row must be > 0 hours back")
            put(self, "history", history)
            put(self, "history_hours", hours)
        others = {}
        for code, array in self.others.items():
            others[code] = _as_float(f"others[{code!r}]", array, n)
        put(self, "others", others)

    def __len__(self) -> int:
        return self.values.shape[0]

    @property
    def missing(self) -> np.ndarray:
        return np.isnan(self.values)

    @cached_property
    def position(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lat, lon, elevation) where spatial checks place each value: registered, else reported."""
        lat, lon, elev = self.lat, self.lon, self.elevation
        if self.registered_lat is not None and self.registered_lon is not None:
            known = np.isfinite(self.registered_lat) & np.isfinite(self.registered_lon)
            lat = np.where(known, self.registered_lat, lat)
            lon = np.where(known, self.registered_lon, lon)
            if self.registered_elevation is not None:
                elev = np.where(known & np.isfinite(self.registered_elevation),
                                self.registered_elevation, elev)
        return lat, lon, elev

    @cached_property
    def geometry(self) -> Geometry:
        """Neighbour search over :attr:`position`, built once and shared by the spatial checks."""
        lat, lon, _ = self.position
        return Geometry(lat, lon)

    def with_values(self, values: np.ndarray) -> Batch:
        """The same batch with other values; positions and the neighbour search are shared."""
        clone = Batch(self.element, values, self.station_ids, self.lat, self.lon, self.elevation,
                      self.time, self.history, self.history_hours, self.others,
                      self.registered_lat, self.registered_lon, self.registered_elevation)
        for cached in ("position", "geometry"):
            if cached in self.__dict__:
                clone.__dict__[cached] = self.__dict__[cached]
        return clone


@dataclass(slots=True)
class CheckResult:
    """One check's verdict: ``flags`` (N,) uint8 in {0, 1, 2, 9}; ``reasons`` for the 1s and 2s."""

    flags: np.ndarray
    reasons: dict[int, str] = field(default_factory=dict)

    @classmethod
    def not_applicable(cls, n: int) -> CheckResult:
        return cls(np.full(n, Flag.NOT_CHECKED, dtype=np.uint8))


@dataclass(slots=True)
class QCResult:
    """The outcome of :func:`qixiang.science.qc.run_batch` (see the module docstring)."""

    element: str
    flags: np.ndarray
    fired: np.ndarray
    reasons: list[tuple[tuple[str, str], ...]]
    verdicts: dict[str, np.ndarray]

    def fired_checks(self, index: int) -> list[str]:
        """Names of the checks that flagged value ``index``."""
        return [name for name, _ in self.reasons[index]]


class Check(Protocol):
    NAME: str
    KIND: str

    def check(self, batch: Batch, params: Mapping[str, Any]) -> CheckResult: ...
