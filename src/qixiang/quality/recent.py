"""The network's recent values as this process checked them, for the spatial checks' context.

After each batch the stage records the usable values it checked, per element and time. When a
later batch is checked, stations that have not yet reported its time are represented by their
newest recorded value of the last few minutes (``[neighbours] window_minutes``), so the first
batch of a minute is compared with the whole network, not only with itself. Bounded: the newest
:data:`KEEP` times per element. Values stored by other processes reach the stage through the
database read of the same time (:func:`qixiang.quality.stored.network_at`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta

KEEP = 32  # times kept per element


class RecentValues:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_element: dict[str, OrderedDict[datetime, dict[str, float]]] = {}

    def record(self, element: str, when: datetime, values: dict[str, float]) -> None:
        """Remember ``values`` (station -> usable value) of ``element`` at ``when``."""
        with self._lock:
            times = self._by_element.setdefault(element, OrderedDict())
            times.setdefault(when, {}).update(values)
            times.move_to_end(when)
            while len(times) > KEEP:
                times.popitem(last=False)

    def around(self, element: str, when: datetime, window: timedelta) -> dict[str, float]:
        """Each station's newest recorded value at a time in ``[when - window, when]``."""
        with self._lock:
            times = self._by_element.get(element)
            if not times:
                return {}
            chosen = sorted(t for t in times if when - window <= t <= when)
            merged: dict[str, float] = {}
            for moment in chosen:  # oldest first: newer values overwrite
                merged.update(times[moment])
            return merged

    def clear(self) -> None:
        with self._lock:
            self._by_element.clear()


recent = RecentValues()
