"""The station registry as the QC stage needs it: positions by station id, and its doubts.

Loaded once and kept per process, reloaded when the registry changes (checked at most once a
second, at once for saves in this process), as the station resolver does: the stage looks up
thousands of stations per batch.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from scipy.spatial import cKDTree

from qixiang.quality.identity import misplaced
from qixiang.science.qc.neighbours import earth_xyz
from qixiang.stations.models import Station

CHECK_INTERVAL = 1.0


@dataclass
class Registry:
    """Registered stations as arrays; ``index`` maps a cma_id to its row."""

    ids: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    elevation: np.ndarray  # NaN when unknown
    doubts: dict[str, str] = field(default_factory=dict)  # cma_id -> identity reason
    index: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(earth_xyz(self.lat, self.lon).astype(np.float64))

    def near(self, lat: np.ndarray, lon: np.ndarray, radius: float) -> set[str]:
        """Registered stations within ``radius`` metres of any of the points (NaN skipped)."""
        placed = np.isfinite(lat) & np.isfinite(lon)
        if not len(self) or not placed.any():
            return set()
        points = earth_xyz(lat[placed], lon[placed]).astype(np.float64)
        found = self._tree.query_ball_point(points, r=float(radius), return_sorted=False)
        rows = np.unique(np.concatenate([np.asarray(r, dtype=np.intp) for r in found]))
        return set(self.ids[rows].tolist())

    def positions(self, station_ids: list[str] | np.ndarray) -> tuple[np.ndarray, ...]:
        """(lat, lon, elevation) per station, NaN for stations the registry does not know."""
        rows = np.array([self.index.get(s, -1) for s in station_ids], dtype=np.intp)
        known = rows >= 0
        out = []
        for column in (self.lat, self.lon, self.elevation):
            values = np.full(len(rows), np.nan)
            values[known] = column[rows[known]]
            out.append(values)
        return tuple(out)


def _load() -> Registry:
    rows = list(Station.objects.values_list("cma_id", "wmo_index", "latitude", "longitude",
                                            "elevation"))
    ids = np.array([r[0] for r in rows], dtype=str)
    lat = np.array([r[2] for r in rows], dtype=np.float64)
    lon = np.array([r[3] for r in rows], dtype=np.float64)
    elevation = np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=np.float64)
    doubts = {}
    for cma_id, wmo_index, la, lo, _elev in rows:
        reason = misplaced(wmo_index, la, lo)
        if reason:
            doubts[cma_id] = reason
    return Registry(ids, lat, lon, elevation, doubts, {s: k for k, s in enumerate(ids)})


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._registry: Registry | None = None
        self._version: tuple | None = None
        self._checked = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._registry = None

    def get(self) -> Registry:
        now = time.monotonic()
        with self._lock:
            if self._registry is not None and now - self._checked < CHECK_INTERVAL:
                return self._registry
            row = Station.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
            version = (row["n"], row["last"], row["top"])
            self._checked = now
            if self._registry is None or version != self._version:
                self._registry = _load()
                self._version = version
            return self._registry


_cache = _Cache()


def registry() -> Registry:
    """The current registry (do not modify its arrays)."""
    return _cache.get()


@receiver(post_save, sender=Station, dispatch_uid="qixiang.quality.registry.saved")
@receiver(post_delete, sender=Station, dispatch_uid="qixiang.quality.registry.deleted")
def _station_changed(**_kwargs) -> None:
    _cache.invalidate()


def invalidate() -> None:
    """Forget the cached registry (tests, and after bulk changes in this process)."""
    _cache.invalidate()
