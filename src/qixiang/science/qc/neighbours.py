"""Neighbour search for the spatial checks: k-d trees over earth-centred coordinates.

Stations are placed on a sphere of titanlib's earth radius and distances are chord lengths, as
titanlib's own tree measures them (at buddy-check scales a chord and an arc differ by less than a
metre). Coordinates are rounded to float32 as titanlib stores them, and :meth:`Geometry.pairs`
decides "within the radius" with titanlib's float32 arithmetic, so the buddy check sees exactly
titanlib's neighbours. A tree is built once per subset of stations and shared by the checks.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS = 6.378137e6  # metres, titanlib's radius_earth


def earth_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """(N, 3) float32 earth-centred coordinates in metres of float32-rounded degrees."""
    la = np.deg2rad(np.asarray(lat, dtype=np.float32).astype(np.float64))
    lo = np.deg2rad(np.asarray(lon, dtype=np.float32).astype(np.float64))
    cos_la = np.cos(la)
    xyz = np.stack([cos_la * np.cos(lo), cos_la * np.sin(lo), np.sin(la)], axis=1) * EARTH_RADIUS
    return xyz.astype(np.float32)


class Geometry:
    """Station positions and neighbour queries over any subset of them."""

    def __init__(self, lat: np.ndarray, lon: np.ndarray) -> None:
        lat = np.asarray(lat, dtype=np.float64)
        lon = np.asarray(lon, dtype=np.float64)
        self.placed = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0)
        self.xyz = np.ascontiguousarray(
            earth_xyz(np.where(self.placed, lat, 0.0), np.where(self.placed, lon, 0.0)))
        self._trees: dict[bytes, tuple[np.ndarray, cKDTree]] = {}
        self._lock = threading.Lock()  # checks running side by side share the trees

    def tree(self, subset: np.ndarray) -> tuple[np.ndarray, cKDTree]:
        """(indices, tree) over the placed stations of boolean mask ``subset``."""
        subset = np.asarray(subset, dtype=bool) & self.placed
        key = np.packbits(subset).tobytes()
        with self._lock:
            if key not in self._trees:
                if len(self._trees) >= 4:  # a batch's checks use one or two subsets
                    self._trees.pop(next(iter(self._trees)))
                index = np.flatnonzero(subset)
                self._trees[key] = (index, cKDTree(self.xyz[index].astype(np.float64)))
            return self._trees[key]

    def pairs(self, subset: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unordered pairs ``(a, b, distance)`` of ``subset`` stations at most ``radius`` apart.

        Distances are float32 chords; stations at identical coordinates are not pairs (titanlib
        never counts a co-located station as a neighbour).
        """
        index, tree = self.tree(subset)
        slack = float(radius) * 1e-5 + 2.0  # float32 rounding of coordinates near the boundary
        found = tree.query_pairs(float(radius) + slack, output_type="ndarray").astype(np.int32)
        a = index[found[:, 0]]
        b = index[found[:, 1]]
        d2 = np.zeros(len(a), dtype=np.float32)
        for axis in range(3):
            column = self.xyz[:, axis]
            diff = column[a] - column[b]
            d2 += diff * diff
        distance = np.sqrt(d2)
        keep = (distance <= np.float32(radius)) & (distance > 0)  # 0: identical coordinates
        return a[keep], b[keep], distance[keep]

    def nearest(self, subset: np.ndarray, k: int, radius: float,
                query: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest ``subset`` stations within ``radius`` of each ``query`` station.

        Returns (indices, distances), each (len(query), k); a station is not its own neighbour;
        missing slots have index -1 and distance inf. ``query`` defaults to the subset itself.
        """
        index, tree = self.tree(subset)
        query = np.flatnonzero(np.asarray(subset, dtype=bool) & self.placed) if query is None else query
        if len(index) == 0 or len(query) == 0:
            return np.full((len(query), k), -1), np.full((len(query), k), np.inf)
        distance, found = tree.query(self.xyz[query].astype(np.float64), k=min(k + 1, len(index)),
                                     distance_upper_bound=radius, workers=-1)
        distance = np.atleast_2d(distance).reshape(len(query), -1)
        found = np.atleast_2d(found).reshape(len(query), -1)
        hit = found < len(index)
        neighbour = np.where(hit, index[np.minimum(found, len(index) - 1)], -1)
        neighbour[neighbour == query[:, None]] = -1
        distance = np.where(neighbour >= 0, distance, np.inf)
        order = np.argsort(distance, axis=1, kind="stable")[:, :k]
        neighbour = np.take_along_axis(neighbour, order, axis=1)
        distance = np.take_along_axis(distance, order, axis=1)
        if neighbour.shape[1] < k:
            pad = k - neighbour.shape[1]
            neighbour = np.pad(neighbour, ((0, 0), (0, pad)), constant_values=-1)
            distance = np.pad(distance, ((0, 0), (0, pad)), constant_values=np.inf)
        return neighbour, distance
