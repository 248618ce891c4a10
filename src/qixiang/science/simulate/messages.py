"""A simulated minute as JSON observation messages, faults included.

:class:`Simulator` ties the network, the weather and the fault plan together. ``messages(when)``
returns one dict per station in the JSON message format of docs/ingest.md::

    {"station": "54511", "time": "2026-11-21T06:00:00Z", "lat": 39.8, "lon": 116.47,
     "elevation": 31.3, "values": {"TEM": 12.3, "RHU": 45, ...}}

and :func:`encode` turns one into the exact bytes the JSON decoder archives, so a re-sent minute
is recognised as a duplicate. Planted faults are applied here, after the true values: the message
looks like what a faulty sensor or logger would send (Kelvin without a unit, swapped coordinates),
and :attr:`Simulator.faults` says which ones they are.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from qixiang.science.simulate import network as network_module
from qixiang.science.simulate.faults import Fault, FaultPlan
from qixiang.science.simulate.network import Network
from qixiang.science.simulate.weather import Weather

_INTEGER_ELEMENTS = {"RHU", "WIN_D_Avg_2mi", "VIS"}


def encode(message: dict) -> bytes:
    """The message as compact, key-sorted UTF-8 JSON (what the JSON decoder hashes)."""
    return json.dumps(message, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def floor_minute(when: datetime) -> datetime:
    """``when`` in UTC with seconds dropped."""
    return when.astimezone(UTC).replace(second=0, microsecond=0)


class Simulator:
    """Messages of the demo network, minute by minute."""

    def __init__(self, network: Network | None = None, fault_rate: float = 0.01) -> None:
        self.network = network or network_module.generate()
        self.weather = Weather(self.network)
        self.faults = FaultPlan(self.network, rate=fault_rate)
        self._index = {str(s): i for i, s in enumerate(self.network.cma_id)}
        self._stuck: dict[Fault, float] = {}

    def messages(self, when: datetime) -> list[dict]:
        """One message per station for the minute containing ``when``."""
        when = floor_minute(when)
        minute = int(when.timestamp()) // 60
        values = self.weather.values(minute)
        net = self.network
        stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
        out = []
        for i in range(net.size):
            reported = {}
            for element in net.elements(i):
                value = float(values[element][i]) + 0.0  # no "-0.0" in messages
                reported[element] = int(value) if element in _INTEGER_ELEMENTS else value
            out.append({
                "station": str(net.cma_id[i]),
                "time": stamp,
                "lat": float(net.lat[i]),
                "lon": float(net.lon[i]),
                "elevation": float(net.elevation[i]),
                "values": reported,
            })
        for fault in self.faults.active(when):
            if fault.affects(when):
                self._apply(fault, out[self._index[fault.station]])
        return out

    def _apply(self, fault: Fault, message: dict) -> None:
        values = message["values"]
        element = fault.element
        if fault.kind == "swapped_coordinates":
            message["lat"], message["lon"] = message["lon"], message["lat"]
        elif fault.kind == "units" and element == "TEM":
            values["TEM"] = round(values["TEM"] + 273.15, 2)  # Kelvin, unlabelled
        elif fault.kind == "units" and element == "PRS":
            values["PRS"] = round(values["PRS"] * 100.0)  # Pa, unlabelled
        elif fault.kind == "stuck":
            values[element] = self._stuck_value(fault)
        elif fault.kind == "spike":
            values[element] = round(max(values[element] + fault.magnitude, 0.0)
                                    if element.startswith("WIN_S") else
                                    values[element] + fault.magnitude, 1)

    def _stuck_value(self, fault: Fault) -> float:
        """The value the sensor had when it stuck (computed once per fault)."""
        if fault not in self._stuck:
            minute = int(fault.start.timestamp()) // 60
            value = float(self.weather.values(minute)[fault.element][self._index[fault.station]])
            self._stuck[fault] = int(value) if fault.element in _INTEGER_ELEMENTS else value
            if len(self._stuck) > 1000:
                self._stuck.pop(next(iter(self._stuck)))
        return self._stuck[fault]
