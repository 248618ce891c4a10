"""Registry plausibility: does a station's registered position lie where its WMO index says?

A WMO index's block (its first two digits) belongs to one WMO Regional Association, and several
blocks lie wholly in one hemisphere (WMO-No. 9, Volume A: blocks 20-59 Asia, 71-79 North and
Central America, 80-88 South America). A registered position on the wrong side of the equator or
of Greenwich is a signed-coordinate slip in the station list (the synop2bufr Cuban list, block
78, has every longitude positive); the values of such a station are placed at the wrong spot by
the spatial checks, so they are suspect for the position check until the registry is fixed. So are the values of a
station registered at (0, 0), the placeholder of station lists that lack a position (the same
Cuban list has three).
Pure functions of the registry's arrays; cached per registry version by :mod:`.registry`.
"""

from __future__ import annotations

import numpy as np

# block range -> (latitude sign, longitude sign), 0 = either; the region's name for the reason
_BLOCKS: tuple[tuple[range, int, int, str], ...] = (
    (range(1, 20), 1, 0, "Region VI (Europe)"),
    (range(20, 25), 1, 1, "Region II (Asia)"),
    (range(25, 26), 1, 0, "Region II (Asia)"),  # Chukotka reaches west of 180
    (range(26, 60), 1, 1, "Region II (Asia) / VI (Europe)"),
    (range(70, 71), 1, 0, "Region IV (North and Central America)"),  # Aleutians cross 180
    (range(71, 80), 1, -1, "Region IV (North and Central America)"),
    (range(80, 89), 0, -1, "Region III (South America)"),
    (range(89, 90), -1, 0, "Antarctica"),
)


def _rule(block: int) -> tuple[int, int, str] | None:
    for blocks, lat_sign, lon_sign, region in _BLOCKS:
        if block in blocks:
            return lat_sign, lon_sign, region
    return None


def misplaced(wmo_index: str, lat: float, lon: float) -> str:
    """Why the registered ``(lat, lon)`` cannot be where WMO index ``wmo_index`` is; "" if it can.

    (0, 0) is a placeholder; otherwise positions within 1 degree of the equator or the meridian
    are not judged.
    """
    if lat == 0 and lon == 0:
        return "registered position (0, 0) is a placeholder, not the station's position"
    text = (wmo_index or "").strip()
    if len(text) != 5 or not text.isdigit() or not (np.isfinite(lat) and np.isfinite(lon)):
        return ""
    rule = _rule(int(text[:2]))
    if rule is None:
        return ""
    lat_sign, lon_sign, region = rule
    wrong_lat = lat_sign and lat * lat_sign < -1.0
    wrong_lon = lon_sign and lon * lon_sign < -1.0
    if not (wrong_lat or wrong_lon):
        return ""
    slip = ("both signs flipped" if wrong_lat and wrong_lon
            else "latitude sign flipped" if wrong_lat else "longitude sign flipped")
    side = []
    if wrong_lat:
        side.append("south of the equator" if lat_sign > 0 else "north of the equator")
    if wrong_lon:
        side.append("west of Greenwich" if lon_sign > 0 else "east of Greenwich")
    return (f"registered position ({lat:g}, {lon:g}) is {' and '.join(side)}, but WMO block "
            f"{text[:2]} is in {region}: {slip}")
