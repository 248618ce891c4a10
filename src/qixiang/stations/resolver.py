"""Which registry station a report's identifier names.

A report names its station by a CMA station id, a WMO index or a WIGOS id. An observation is
stored under the registry's ``cma_id`` when the identifier matches a Station's ``cma_id``,
``wmo_index`` or ``wigos_id`` (case-insensitively); otherwise under the identifier as given, so
values from a station not yet registered are kept, not lost. A WIGOS id of the WMO series
(``0-20000-0-54511``) also matches the station whose WMO index is ``54511``.

The lookup table is cached per process: ingest resolves thousands of reports a second. It is
rebuilt when a Station is saved or deleted in this process (signals) and, for changes made by
other processes (``qixiang stations import`` while the server runs), when the registry's row
count or latest ``updated_at`` changed, checked at most once per :data:`CHECK_INTERVAL` seconds.
"""

from __future__ import annotations

import re
import threading
import time

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qixiang.stations.models import Station

CHECK_INTERVAL = 1.0  # seconds between checks for changes made by other processes

_WMO_SERIES = re.compile(r"^0-20000-0-(\d{5})$")


def _key(identifier: str) -> str:
    return identifier.strip().upper()


def lookup(table: dict[str, str], identifier: str, wigos_id: str | None = None) -> str:
    """``identifier`` (or ``wigos_id``) resolved through ``table`` (see :meth:`StationResolver.table`)."""
    for candidate in (identifier, wigos_id):
        if not candidate:
            continue
        key = _key(candidate)
        found = table.get(key)
        if found is None and (match := _WMO_SERIES.match(key)):
            found = table.get(match.group(1))
        if found is not None:
            return found
    return identifier.strip()


class StationResolver:
    """Maps report identifiers to registry cma_ids; see the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._table: dict[str, str] | None = None
        self._version: tuple | None = None
        self._checked = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._table = None

    def resolve(self, identifier: str, wigos_id: str | None = None) -> str:
        """The cma_id of the station ``identifier`` (or ``wigos_id``) names, else ``identifier``."""
        return lookup(self.table(), identifier, wigos_id)

    def table(self) -> dict[str, str]:
        """The current lookup table (identifier upper-cased -> cma_id); do not modify it."""
        return self._current()

    def _current(self) -> dict[str, str]:
        now = time.monotonic()
        with self._lock:
            if self._table is not None and now - self._checked < CHECK_INTERVAL:
                return self._table
            version = self._registry_version()
            self._checked = now
            if self._table is None or version != self._version:
                self._table = self._load()
                self._version = version
            return self._table

    @staticmethod
    def _registry_version() -> tuple:
        row = Station.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
        return row["n"], row["last"], row["top"]

    @staticmethod
    def _load() -> dict[str, str]:
        table: dict[str, str] = {}
        rows = list(Station.objects.values_list("cma_id", "wmo_index", "wigos_id"))
        # The weakest match first, so a cma_id wins over another station's WMO index or WIGOS id.
        for cma_id, _wmo_index, wigos_id in rows:
            if wigos_id:
                table[_key(wigos_id)] = cma_id
        for cma_id, wmo_index, _wigos_id in rows:
            if wmo_index:
                table[_key(wmo_index)] = cma_id
        for cma_id, _wmo_index, _wigos_id in rows:
            table[_key(cma_id)] = cma_id
        return table


resolver = StationResolver()


def resolve(identifier: str, wigos_id: str | None = None) -> str:
    """The cma_id of the registry station ``identifier`` names, else the identifier as given."""
    return resolver.resolve(identifier, wigos_id)


@receiver(post_save, sender=Station, dispatch_uid="qixiang.stations.resolver.saved")
@receiver(post_delete, sender=Station, dispatch_uid="qixiang.stations.resolver.deleted")
def _station_changed(**_kwargs) -> None:
    resolver.invalidate()
