"""Planted sensor faults, about 1 % of stations at any time, and the manifest to score QC by.

Time is cut into epochs (six hours by default). Each epoch draws, from ``(seed, epoch)``, a set of
stations and gives each one fault that lasts two to six hours inside the epoch, so the share of
faulty station-minutes is ``rate``. The kinds are the ones QC must catch in real networks:

``spike``
    Isolated minutes (about one in ten within the window) off by a large amount (TEM ±8-20 K,
    PRS ±8-25 hPa, wind speed +12-25 m/s).
``stuck``
    The sensor repeats the value it had at the start of the window.
``units``
    A logger misconfigured: TEM sent in Kelvin as if it were °C, or PRS in Pa as if in hPa.
``swapped_coordinates``
    The message gives the station's latitude as longitude and vice versa.

Because the plan is a pure function of the seed, :meth:`FaultPlan.manifest` can list the faults
of any period after the fact, with the exact spike minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import numpy as np

from qixiang.science.simulate.network import Network

KINDS = ("spike", "stuck", "units", "swapped_coordinates")
_KIND_WEIGHTS = (0.35, 0.3, 0.2, 0.15)
_CANDIDATES = {
    "spike": ("TEM", "PRS", "WIN_S_Avg_2mi"),
    "stuck": ("TEM", "RHU", "PRS", "WIN_S_Avg_2mi", "WIN_D_Avg_2mi"),
    "units": ("TEM", "PRS"),
    "swapped_coordinates": (None,),
}
SPIKE_CHANCE = 0.1
MIN_MINUTES, MAX_MINUTES = 120, 360


@dataclass(frozen=True, slots=True)
class Fault:
    """One station's fault from ``start`` (inclusive) to ``end`` (exclusive), UTC."""

    station: str
    kind: str
    element: str | None  # None for swapped_coordinates
    start: datetime
    end: datetime
    spike_times: tuple[datetime, ...] = ()
    magnitude: float = 0.0  # signed offset of a spike, canonical units

    def active(self, when: datetime) -> bool:
        return self.start <= when < self.end

    def affects(self, when: datetime) -> bool:
        """True when the message at ``when`` carries the fault (a spike only on its minutes)."""
        if self.kind == "spike":
            return when in self.spike_times
        return self.active(when)

    def to_dict(self) -> dict:
        def iso(t: datetime) -> str:
            return t.strftime("%Y-%m-%dT%H:%M:%SZ")

        return {
            "station": self.station,
            "kind": self.kind,
            "element": self.element,
            "start": iso(self.start),
            "end": iso(self.end),
            "spike_times": [iso(t) for t in self.spike_times],
            "magnitude": self.magnitude,
        }


class FaultPlan:
    """The faults planted in ``network``: ``rate`` is the share of faulty station-minutes."""

    def __init__(self, network: Network, rate: float = 0.01, epoch_minutes: int = 360) -> None:
        if epoch_minutes < MAX_MINUTES:
            raise ValueError(f"epoch_minutes must be at least {MAX_MINUTES}")
        self.network = network
        self.rate = rate
        self.epoch_minutes = epoch_minutes
        self._epoch = lru_cache(maxsize=8)(self._draw)

    def faults_in_epoch(self, epoch: int) -> list[Fault]:
        return self._epoch(epoch)

    def active(self, when: datetime) -> list[Fault]:
        """Faults whose window contains ``when``."""
        minute = int(when.timestamp()) // 60
        return [f for f in self.faults_in_epoch(minute // self.epoch_minutes) if f.active(when)]

    def manifest(self, start: datetime, end: datetime) -> list[Fault]:
        """Every fault whose window overlaps ``[start, end)``, in start order."""
        first = int(start.timestamp()) // 60 // self.epoch_minutes
        last = (int(end.timestamp()) // 60 - 1) // self.epoch_minutes
        found = [f for epoch in range(first, last + 1) for f in self.faults_in_epoch(epoch)
                 if f.start < end and f.end > start]
        return sorted(found, key=lambda f: (f.start, f.station))

    def _draw(self, epoch: int) -> list[Fault]:
        net = self.network
        rng = np.random.default_rng([net.seed, 3, epoch])
        mean_minutes = (MIN_MINUTES + MAX_MINUTES) / 2.0
        count = min(net.size, round(self.rate * net.size * self.epoch_minutes / mean_minutes))
        stations = rng.choice(net.size, size=count, replace=False)
        epoch_start = datetime.fromtimestamp(epoch * self.epoch_minutes * 60, UTC)
        faults = []
        for index in stations:
            kind = str(rng.choice(KINDS, p=_KIND_WEIGHTS))
            measured = net.elements(int(index))
            options = [e for e in _CANDIDATES[kind] if e is None or e in measured]
            element = options[int(rng.integers(len(options)))]
            length = int(rng.integers(MIN_MINUTES, MAX_MINUTES + 1))
            offset = int(rng.integers(0, self.epoch_minutes - length + 1))
            start = epoch_start + timedelta(minutes=offset)
            end = start + timedelta(minutes=length)
            spikes: tuple[datetime, ...] = ()
            magnitude = 0.0
            if kind == "spike":
                minutes = np.flatnonzero(rng.random(length) < SPIKE_CHANCE)
                spikes = tuple(start + timedelta(minutes=int(m)) for m in minutes)
                low, high = {"TEM": (8.0, 20.0), "PRS": (8.0, 25.0)}.get(element, (12.0, 25.0))
                sign = 1.0 if element == "WIN_S_Avg_2mi" else float(rng.choice((-1.0, 1.0)))
                magnitude = round(sign * float(rng.uniform(low, high)), 1)
            faults.append(Fault(str(net.cma_id[index]), kind, element, start, end, spikes,
                                magnitude))
        return sorted(faults, key=lambda f: (f.start, f.station))
