"""Position and identity: does the report come from where, and from whom, it says?

With registered positions in the batch, a report is suspect when its position is more than
``max_distance`` metres from the registered one or its elevation differs by more than
``max_elev_diff`` metres, and (``flag_unknown``) when the registry does not know the station.
The reason names the likely slip where one explains the distance: a wrongly signed longitude or
latitude, or latitude and longitude swapped. Reported coordinates outside the earth's ranges are
flagged whether or not there is a registry; a report without a position passes on identity alone.
Without a registry nothing else can be checked (9).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from qixiang.science.qc.flags import Flag
from qixiang.science.qc.interface import Batch, CheckResult
from qixiang.science.qc.neighbours import EARTH_RADIUS

NAME = "position"
KIND = "identity"

SLIPS = (  # (description, function of reported (lat, lon) giving the corrected position)
    ("longitude sign flipped", lambda lat, lon: (lat, -lon)),
    ("latitude sign flipped", lambda lat, lon: (-lat, lon)),
    ("latitude and longitude swapped", lambda lat, lon: (lon, lat)),
    ("both signs flipped", lambda lat, lon: (-lat, -lon)),
)


def distance(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def check(batch: Batch, params: Mapping[str, Any]) -> CheckResult:
    n = len(batch)
    lat, lon, elev = batch.lat, batch.lon, batch.elevation
    reported = ~np.isnan(lat) & ~np.isnan(lon)
    impossible = reported & ((np.abs(lat) > 90) | (lon < -180) | (lon > 360))
    flags = np.full(n, Flag.NOT_CHECKED, dtype=np.uint8)
    reasons: dict[int, str] = {int(i): f"reported position ({lat[i]:g}, {lon[i]:g}) is not on the "
                               "earth" for i in np.flatnonzero(impossible)}
    failed = impossible.copy()
    if batch.registered_lat is not None and batch.registered_lon is not None:
        rlat, rlon = batch.registered_lat, batch.registered_lon
        known = ~np.isnan(rlat) & ~np.isnan(rlon)
        flags[known] = Flag.CORRECT
        unknown = ~known
        if params.get("flag_unknown", True):
            failed |= unknown
            for i in np.flatnonzero(unknown):
                reasons[int(i)] = f"station {batch.station_ids[i]} is not in the registry"
        else:
            flags[unknown & reported & ~impossible] = Flag.CORRECT
        compare = known & reported
        with np.errstate(invalid="ignore"):
            away = np.where(compare & ~impossible, distance(lat, lon, rlat, rlon), 0.0)
        far = compare & ~impossible & (away > float(params["max_distance"]))
        for i in np.flatnonzero(far | (compare & impossible)):
            slip = next((name for name, fix in SLIPS
                         if distance(*fix(lat[i], lon[i]), rlat[i], rlon[i]) <= params["max_distance"]),
                        None)
            if not impossible[i]:
                reasons[int(i)] = (f"reported ({lat[i]:g}, {lon[i]:g}) is {away[i] / 1000:.0f} km "
                                   f"from the registered ({rlat[i]:g}, {rlon[i]:g})")
            if slip:
                reasons[int(i)] += f": {slip}"
        failed |= far
        if batch.registered_elevation is not None:
            relev = batch.registered_elevation
            with np.errstate(invalid="ignore"):
                off = known & ~np.isnan(elev) & ~np.isnan(relev) & (
                    np.abs(elev - relev) > float(params["max_elev_diff"]))
            for i in np.flatnonzero(off):
                text = (f"reported elevation {elev[i]:g} m, registered {relev[i]:g} m")
                reasons[int(i)] = f"{reasons[int(i)]}; {text}" if int(i) in reasons else text
            failed |= off
    flags[failed] = params["severity"]
    return CheckResult(flags, reasons)
