"""The network's recent values as this process checked them, for the spatial checks' context.

After each batch the stage records the usable values it checked, per element and time. When a
later batch is checked, stations that have not yet reported its time are represented by their
newest recorded value of the last few minutes (``[neighbours] window_minutes``), so the first
batch of a minute is compared with the whole network, not only with itself. Bounded: the newest
:data:`KEEP` times per element. The values already stored at a time are read from the database
once per process (:func:`qixiang.quality.stored.network_at`, see :meth:`RecentValues.unloaded`);
later ones come from this process's own batches, so a burst of small batches does not read the
growing network again and again. Values another process stores at that time afterwards are not
seen.
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
        self._loaded: dict[str, set[datetime]] = {}

    def unloaded(self, elements: list[str], when: datetime) -> list[str]:
        """Those of ``elements`` whose stored values at ``when`` were not read yet; marks them
        read (the caller reads them and records them with :meth:`record`)."""
        with self._lock:
            out = []
            for element in elements:
                loaded = self._loaded.setdefault(element, set())
                if when not in loaded:
                    loaded.add(when)
                    out.append(element)
                    if len(loaded) > 4 * KEEP:
                        loaded.clear()
                        loaded.add(when)
            return out

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
            self._loaded.clear()


recent = RecentValues()
